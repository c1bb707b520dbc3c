variable "region" {
  description = "AWS region; the var-files/<region>.tfvars name"
  type        = string
}

variable "cluster_name" {
  description = "Aurora cluster identifier; config.json auroraDB.dbClusterName"
  type        = string
}

variable "db_subnet_group_name" {
  description = "DB subnet group; config.json auroraDB.dbSubnetGroup"
  type        = string
}

variable "security_group_name" {
  description = "Security group of the cluster; one of config.json auroraDB.vpcSecurityGroups and flywayTask.taskSecurityGroups"
  type        = string
}

variable "subnet_names" {
  description = "Name tags of the subnets of the DB subnet group (at least two availability zones)"
  type        = list(string)
}

variable "vpc_id" {
  description = "VPC of the cluster; null means the region's default VPC"
  type        = string
  default     = null
}

variable "engine_version" {
  description = "Aurora PostgreSQL engine version (Serverless v2 capable)"
  type        = string
  default     = "16.4"
}

variable "database_name" {
  description = "Database created in the cluster"
  type        = string
  default     = "appdb"
}

variable "master_username" {
  description = "Master user; its password is generated and kept by RDS in Secrets Manager"
  type        = string
  default     = "postgres"
}

variable "port" {
  description = "PostgreSQL port"
  type        = number
  default     = 5432
}

variable "min_capacity" {
  description = "Serverless v2 minimum capacity (ACUs)"
  type        = number
  default     = 0.5
}

variable "max_capacity" {
  description = "Serverless v2 maximum capacity (ACUs)"
  type        = number
  default     = 4
}

variable "instance_count" {
  description = "Number of db.serverless instances (1 writer, the rest readers)"
  type        = number
  default     = 1
}

variable "backup_retention_days" {
  description = "Days of automated backups"
  type        = number
  default     = 7
}

variable "deletion_protection" {
  description = "Refuse to delete the cluster; set false in the tfvars and deploy before destroy-infrastructure"
  type        = bool
  default     = true
}
