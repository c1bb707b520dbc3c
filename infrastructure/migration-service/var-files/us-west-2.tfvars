# migration-service in us-west-2 (optional component). Names must match config.json
# infrastructure["us-west-2"] (cluster, database, security group) and the image of
# migration-task.
region                 = "us-west-2"
app_version            = "0.0.0"
ecs_cluster_name       = "ecs-cluster"
docker_registry        = "ghcr.io"
docker_owner           = "CHANGE ME"
docker_repo            = "CHANGE ME"
db_cluster_name        = "auroradb-cluster"
db_security_group_name = "auroradb-sg"
migrations_bucket      = "CHANGE-ME-migrations"
migrations_prefix      = "sql"
path_prefix            = "/migrator"
certificate_arn        = "arn:aws:acm:us-west-2:123456789012:certificate/CHANGE-ME"
allowed_cidrs          = ["10.0.0.0/8"]
alb_subnet_ids         = ["subnet-CHANGEME1", "subnet-CHANGEME2"]
service_subnet_ids     = ["subnet-CHANGEME1", "subnet-CHANGEME2"]
