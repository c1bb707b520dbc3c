variable "region" {
  description = "AWS region; the var-files/<region>.tfvars name"
  type        = string
}

variable "service_name" {
  description = "Name of the ECS service, its task family, ALB, target group and roles"
  type        = string
  default     = "migration-service"
}

variable "ecs_cluster_name" {
  description = "ECS cluster that runs the service; config.json flywayTask.taskCluster"
  type        = string
}

variable "app_version" {
  description = "Image tag (the migration image; the same binary serves)"
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

variable "db_cluster_name" {
  description = "Aurora cluster the service migrates (DB_CLUSTER); config.json auroraDB.dbClusterName"
  type        = string
}

variable "db_security_group_name" {
  description = "Security group of the database (aurora-db); the service gets a rule in it"
  type        = string
}

variable "migrations_bucket" {
  description = "S3 bucket holding the migrations (the task may only read it)"
  type        = string
}

variable "migrations_prefix" {
  description = "Prefix of the migrations in that bucket (like sql); \"\" for the whole bucket"
  type        = string
  default     = "sql"
}

variable "tenant_migrations_prefix" {
  description = "Prefix of the tenant migrations (--tenant-locations); null: no tenant mode"
  type        = string
  default     = null
}

variable "tenants_query" {
  description = "SQL whose first column names the tenant schemas (--tenants-query); null: none"
  type        = string
  default     = null
}

variable "path_prefix" {
  description = "Path prefix of every route (--path-prefix) and of the ALB health check"
  type        = string
  default     = "/migrator"
  validation {
    condition     = can(regex("^/[A-Za-z0-9._~/-]*[A-Za-z0-9._~-]$", var.path_prefix))
    error_message = "path_prefix must start with / and not end with /."
  }
}

variable "container_port" {
  description = "Port the service listens on inside the task"
  type        = number
  default     = 8080
}

variable "token_secret_name" {
  description = "Secrets Manager secret created for the bearer token (its value is set once, out of band)"
  type        = string
  default     = "migration-service/token"
}

variable "certificate_arn" {
  description = "ACM certificate of the HTTPS listener"
  type        = string
}

variable "allowed_cidrs" {
  description = "CIDR blocks allowed to reach the ALB (the CI runners' egress, a VPN)"
  type        = list(string)
}

variable "internal" {
  description = "An internal ALB (reachable from the VPC and peered networks only)"
  type        = bool
  default     = true
}

variable "alb_subnet_ids" {
  description = "Subnets of the ALB (two or more availability zones)"
  type        = list(string)
}

variable "service_subnet_ids" {
  description = "Subnets of the service's tasks (private, with a route to S3, Secrets Manager and RDS APIs)"
  type        = list(string)
}

variable "assign_public_ip" {
  description = "Give the tasks a public IP (only in public subnets without NAT)"
  type        = bool
  default     = false
}

variable "request_timeout_seconds" {
  description = "ALB idle timeout: the longest a migration request may take"
  type        = number
  default     = 900
}

variable "pg_sslmode" {
  description = "PGSSLMODE of the service (verify-full checks the RDS CA bundle shipped in the image)"
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

variable "log_retention_days" {
  description = "Days the access log and engine lines are kept"
  type        = number
  default     = 30
}

variable "vpc_id" {
  description = "VPC of the security groups and target group; null means the region's default VPC"
  type        = string
  default     = null
}
