# aurora-db in us-west-2. Names must match config.json infrastructure["us-west-2"]
# (orchestrator config check --infrastructure compares them).
region               = "us-west-2"
cluster_name         = "auroradb-cluster"
db_subnet_group_name = "auroradb-subnet-group"
security_group_name  = "auroradb-sg"
subnet_names         = ["default-us-west-2a", "default-us-west-2b", "default-us-west-2c"]
min_capacity         = 0.5
max_capacity         = 4
