# ecs-cluster in us-west-2. cluster_name must match config.json flywayTask.taskCluster.
region       = "us-west-2"
cluster_name = "ecs-cluster"
