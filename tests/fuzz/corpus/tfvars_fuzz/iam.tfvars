# iam in us-west-2. Names must match config.json infrastructure["us-west-2"] and the other
# components' tfvars (orchestrator config check --infrastructure compares them).
region               = "us-west-2"
github_owner         = "CHANGE ME"
github_repo          = "CHANGE ME"
create_oidc_provider = true
db_cluster_name      = "auroradb-cluster"
db_subnet_group_name = "auroradb-subnet-group"
ecs_cluster_name     = "ecs-cluster"
task_family          = "flyway-migration-family"
log_group_name       = "/ecs/flyway-migration-family"
task_role_name       = "flyway-migration-task-us-west-2"
execution_role_name  = "flyway-migration-execution-us-west-2"
workflow_role_name   = "orchestrator-workflows-us-west-2"
terraform_role_name  = "orchestrator-terraform-us-west-2"
