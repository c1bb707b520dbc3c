variable "region" {
  description = "AWS region; the var-files/<region>.tfvars name"
  type        = string
}

variable "task_family" {
  description = "Task definition family; config.json flywayTask.taskDefinitionFamily"
  type        = string
}

variable "launch_type" {
  description = "FARGATE or EC2; config.json flywayTask.taskLaunchType"
  type        = string
  default     = "FARGATE"
  validation {
    condition     = contains(["FARGATE", "EC2"], var.launch_type)
    error_message = "launch_type must be FARGATE or EC2."
  }
}

variable "app_version" {
  description = "Image tag of the migration image; set by `orchestrator bump-image --version V`"
  type        = string
}

variable "docker_registry" {
  description = "Registry host of the image; config.json dockerRegistry"
  type        = string
}

variable "docker_owner" {
  description = "Owner in that registry; config.json dockerOwner"
  type        = string
}

variable "docker_repo" {
  description = "Repository path in that registry; config.json dockerRepo"
  type        = string
}

variable "repository_url" {
  description = "The git repository the task clones (REPOSITORY_URL); https://github.com/<githubOwner>/<githubRepo>.git or its SSH form"
  type        = string
}

variable "repository_token_secret_name" {
  description = "Secret holding a token for HTTPS clones (REPOSITORY_TOKEN_SECRET); null: none"
  type        = string
  default     = null
}

variable "repository_deploy_key_secret_name" {
  description = "Secret holding an SSH deploy key (REPOSITORY_DEPLOY_KEY_SECRET); null: none"
  type        = string
  default     = null
}

variable "registry_credentials_secret_name" {
  description = "Secret with {\"username\",\"password\"} of a private image registry (ECS repositoryCredentials); null: public image or ECR"
  type        = string
  default     = null
}

variable "db_cluster_name" {
  description = "Aurora cluster the task migrates (DB_CLUSTER: endpoint and RDS-managed master secret found at run time); config.json auroraDB.dbClusterName"
  type        = string
}

variable "security_group_name" {
  description = "Security group of the task; one of config.json flywayTask.taskSecurityGroups"
  type        = string
}

variable "log_group_name" {
  description = "CloudWatch log group of the container (awslogs); the same as in iam"
  type        = string
}

variable "log_stream_prefix" {
  description = "awslogs stream prefix; run-task reads it from the task definition"
  type        = string
  default     = "migration"
}

variable "log_retention_days" {
  description = "Days the task's log lines are kept"
  type        = number
  default     = 30
}

variable "task_role_name" {
  description = "Role of the task, created by iam"
  type        = string
}

variable "execution_role_name" {
  description = "Execution role, created by iam"
  type        = string
}

variable "container_name" {
  description = "Name of the migration container (run-task finds it through DescribeTaskDefinition)"
  type        = string
  default     = "migration"
}

variable "default_branch" {
  description = "Branch migrated when the task runs without a command override"
  type        = string
  default     = "main"
}

variable "pg_sslmode" {
  description = "PGSSLMODE of the task (verify-full checks the RDS CA bundle shipped in the image)"
  type        = string
  default     = "verify-full"
}

variable "cpu" {
  description = "Task CPU units"
  type        = number
  default     = 256
}

variable "memory" {
  description = "Task memory (MiB)"
  type        = number
  default     = 512
}

variable "vpc_id" {
  description = "VPC of the task's security group; null means the region's default VPC"
  type        = string
  default     = null
}
