# aurora-db: the Aurora PostgreSQL cluster (Serverless v2 capacity), its DB subnet group,
# its security group, and the master user secret, which RDS itself creates and rotates in
# Secrets Manager (manage_master_user_password): no password ever passes through Terraform
# state, a workflow or a tfvars file.
#
# Access model: the cluster's security group admits PostgreSQL from its own members. Whatever
# must reach the database (the migration task, the bastion) is placed in this group as well,
# which is why config.json lists it in flywayTask.taskSecurityGroups.

terraform {
  required_version = ">= 1.10.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.82.2"
    }
  }
  # Partial configuration: bucket, key and region are given at init from config.json
  # (infrastructure[R].terraformBucket), see the deploy-infrastructure workflow.
  backend "s3" {
    encrypt      = true
    use_lockfile = true
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = {
      Project   = "orchestrator"
      Component = "aurora-db"
    }
  }
}

data "aws_vpc" "selected" {
  default = var.vpc_id == null
  id      = var.vpc_id
}

data "aws_subnets" "db" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.selected.id]
  }
  filter {
    name   = "tag:Name"
    values = var.subnet_names
  }
}

resource "aws_db_subnet_group" "db" {
  name        = var.db_subnet_group_name
  description = "Subnets of the Aurora cluster ${var.cluster_name}"
  subnet_ids  = data.aws_subnets.db.ids
}

resource "aws_security_group" "db" {
  name        = var.security_group_name
  description = "Aurora ${var.cluster_name}: members of this group reach PostgreSQL"
  vpc_id      = data.aws_vpc.selected.id
}

resource "aws_vpc_security_group_ingress_rule" "members" {
  security_group_id            = aws_security_group.db.id
  referenced_security_group_id = aws_security_group.db.id
  ip_protocol                  = "tcp"
  from_port                    = var.port
  to_port                      = var.port
  description                  = "PostgreSQL from members of this group (migration task, bastion)"
}

resource "aws_vpc_security_group_egress_rule" "members" {
  security_group_id            = aws_security_group.db.id
  referenced_security_group_id = aws_security_group.db.id
  ip_protocol                  = "tcp"
  from_port                    = var.port
  to_port                      = var.port
  description                  = "PostgreSQL to members of this group"
}

resource "aws_rds_cluster" "db" {
  cluster_identifier          = var.cluster_name
  engine                      = "aurora-postgresql"
  engine_mode                 = "provisioned"
  engine_version              = var.engine_version
  database_name               = var.database_name
  master_username             = var.master_username
  manage_master_user_password = true
  port                        = var.port
  db_subnet_group_name        = aws_db_subnet_group.db.name
  vpc_security_group_ids      = [aws_security_group.db.id]
  storage_encrypted           = true
  backup_retention_period     = var.backup_retention_days
  copy_tags_to_snapshot       = true
  deletion_protection         = var.deletion_protection
  skip_final_snapshot         = false
  final_snapshot_identifier   = "${var.cluster_name}-final"

  serverlessv2_scaling_configuration {
    min_capacity = var.min_capacity
    max_capacity = var.max_capacity
  }
}

resource "aws_rds_cluster_instance" "db" {
  count               = var.instance_count
  identifier          = "${var.cluster_name}-${count.index + 1}"
  cluster_identifier  = aws_rds_cluster.db.id
  instance_class      = "db.serverless"
  engine              = aws_rds_cluster.db.engine
  engine_version      = aws_rds_cluster.db.engine_version
  publicly_accessible = false
}
