# migration-task in us-west-2. Names must match config.json infrastructure["us-west-2"] and
# the iam tfvars (orchestrator config check --infrastructure compares them).
# app_version is rewritten by `orchestrator bump-image`; leave it on a line of its own.
region              = "us-west-2"
app_version         = "0.0.0"
task_family         = "flyway-migration-family"
launch_type         = "FARGATE"
docker_registry     = "ghcr.io"
docker_owner        = "CHANGE ME"
docker_repo         = "CHANGE ME"
repository_url      = "https://github.com/CHANGE ME/CHANGE ME.git"
db_cluster_name     = "auroradb-cluster"
security_group_name = "flyway-fargate-sg"
log_group_name      = "/ecs/flyway-migration-family"
task_role_name      = "flyway-migration-task-us-west-2"
execution_role_name = "flyway-migration-execution-us-west-2"
