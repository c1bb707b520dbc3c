variable "region" {
  description = "AWS region; the var-files/<region>.tfvars name"
  type        = string
}

variable "bastion_host_name" {
  description = "Name tag of the instance and name of its key pair; config.json bastion.bastionHostName"
  type        = string
}

variable "private_key_bucket" {
  description = "S3 bucket the private key is written to; config.json bastion.privateKeyBucket"
  type        = string
}

variable "private_key_path" {
  description = "Key of the private key in that bucket; config.json bastion.privateKeyPath"
  type        = string
}

variable "db_security_group_name" {
  description = "The cluster's security group, joined to reach PostgreSQL; one of config.json auroraDB.vpcSecurityGroups"
  type        = string
}

variable "subnet_name" {
  description = "Name tag of the public subnet of the host"
  type        = string
}

variable "allowed_ssh_cidrs" {
  description = "Networks allowed to SSH to the host (none by default: add your own address)"
  type        = list(string)
  default     = []
}

variable "instance_type" {
  description = "EC2 instance type"
  type        = string
  default     = "t3.micro"
}

variable "vpc_id" {
  description = "VPC of the host; null means the region's default VPC"
  type        = string
  default     = null
}
