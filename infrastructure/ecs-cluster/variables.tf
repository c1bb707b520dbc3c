variable "region" {
  description = "AWS region; the var-files/<region>.tfvars name"
  type        = string
}

variable "cluster_name" {
  description = "ECS cluster; config.json flywayTask.taskCluster"
  type        = string
}

variable "container_insights" {
  description = "CloudWatch Container Insights on the cluster"
  type        = bool
  default     = false
}
