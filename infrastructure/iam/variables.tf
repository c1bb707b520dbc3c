variable "region" {
  description = "AWS region; the var-files/<region>.tfvars name"
  type        = string
}

variable "github_owner" {
  description = "Owner of the GitHub repository whose workflows may assume the roles; config.json githubOwner"
  type        = string
}

variable "github_repo" {
  description = "GitHub repository name; config.json githubRepo"
  type        = string
}

variable "workflow_role_environments" {
  description = "GitHub environments whose jobs may assume the workflow role (the jobs of run-migration.yml and restore-snapshot.yml)"
  type        = list(string)
  default     = ["run-migration", "restore-snapshot"]
}

variable "terraform_role_environments" {
  description = "GitHub environments whose jobs may assume the Terraform role (deploy-infrastructure.yml, destroy-infrastructure.yml)"
  type        = list(string)
  default     = ["deploy-infrastructure", "destroy-infrastructure"]
}

variable "github_branches" {
  description = "Branches whose jobs outside an environment may assume both roles (create-snapshot, destroy's plan): the default branch"
  type        = list(string)
  default     = ["main"]
}

variable "github_subjects" {
  description = "Further OIDC subjects both roles trust, as GitHub writes them (repo:OWNER/REPO:ref:refs/heads/release/*); widens the trust on purpose"
  type        = list(string)
  default     = []
}

variable "create_oidc_provider" {
  description = "Create GitHub's OIDC provider (one per account: false in all but one region)"
  type        = bool
  default     = true
}

variable "db_cluster_name" {
  description = "Aurora cluster the workflows snapshot and restore; config.json auroraDB.dbClusterName"
  type        = string
}

variable "db_subnet_group_name" {
  description = "DB subnet group a restore uses; config.json auroraDB.dbSubnetGroup"
  type        = string
}

variable "ecs_cluster_name" {
  description = "ECS cluster the migration task runs in; config.json flywayTask.taskCluster"
  type        = string
}

variable "task_family" {
  description = "Task definition family of the migration task; config.json flywayTask.taskDefinitionFamily"
  type        = string
}

variable "log_group_name" {
  description = "CloudWatch log group of the migration task; the same as in migration-task"
  type        = string
}

variable "task_role_name" {
  description = "Role of the migration task (its secrets); the same as in migration-task"
  type        = string
}

variable "execution_role_name" {
  description = "Task execution role (image pull, logs); the same as in migration-task"
  type        = string
}

variable "workflow_role_name" {
  description = "Role the operation workflows assume; its ARN goes into the repository variable AWS_ROLE_ARN"
  type        = string
}

variable "terraform_role_name" {
  description = "Role the deploy/destroy-infrastructure workflows assume (repository variable AWS_TERRAFORM_ROLE_ARN); null: none"
  type        = string
  default     = null
}

variable "terraform_role_policy_arn" {
  description = "Managed policy of the Terraform role; Terraform creates IAM roles, VPC resources and RDS clusters"
  type        = string
  default     = "arn:aws:iam::aws:policy/AdministratorAccess"
}

variable "repository_token_secret_name" {
  description = "Secrets Manager secret with a GitHub token the task clones with (REPOSITORY_TOKEN_SECRET); null: none"
  type        = string
  default     = null
}

variable "repository_deploy_key_secret_name" {
  description = "Secrets Manager secret with an SSH deploy key (REPOSITORY_DEPLOY_KEY_SECRET); null: none"
  type        = string
  default     = null
}

variable "extra_secret_names" {
  description = "Further secrets the task reads (migrate --placeholder-secret)"
  type        = list(string)
  default     = []
}

variable "registry_credentials_secret_name" {
  description = "Secret with credentials of a private image registry, read by the execution role; null: public image or ECR"
  type        = string
  default     = null
}
