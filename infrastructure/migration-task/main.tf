# migration-task: the ECS task definition `orchestrator run-task` starts, its log group and
# its own security group (egress only: it clones the repository and calls AWS APIs; it
# reaches the database by also being a member of the cluster's group, see aurora-db).
#
# The container runs the image built by build-image at app_version (bump-image rewrites
# that one line of each region's tfvars). Its environment is what `orchestrator migrate
# --git-branch B` reads inside the task: REPOSITORY_URL, REPOSITORY_TOKEN_SECRET or
# REPOSITORY_DEPLOY_KEY_SECRET, and DB_CLUSTER, the cluster's name: the task asks RDS for
# the endpoint, port, database name and RDS-managed master secret each time it runs, so
# that a snapshot restore (new cluster, new secret, the old secret deleted) needs no
# redeploy. Nothing here carries the secret's ARN.
# Deploy after aurora-db, ecs-cluster and iam: it checks the cluster manages its master
# secret and looks up the roles by name.

terraform {
  required_version = ">= 1.10.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.82.2"
    }
  }
  # Partial configuration: bucket, key and region are given at init from config.json.
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
      Component = "migration-task"
    }
  }
}

data "aws_vpc" "selected" {
  default = var.vpc_id == null
  id      = var.vpc_id
}

data "aws_rds_cluster" "db" {
  cluster_identifier = var.db_cluster_name
  lifecycle {
    postcondition {
      condition     = length(self.master_user_secret) > 0
      error_message = "The cluster has no RDS-managed master secret (manage_master_user_password): the migration task reads its credentials from it."
    }
  }
}

data "aws_iam_role" "task" {
  name = var.task_role_name
}

data "aws_iam_role" "execution" {
  name = var.execution_role_name
}

data "aws_secretsmanager_secret" "registry" {
  count = var.registry_credentials_secret_name == null ? 0 : 1
  name  = var.registry_credentials_secret_name
}

locals {
  image = "${var.docker_registry}/${lower(var.docker_owner)}/${lower(var.docker_repo)}:${var.app_version}"
  environment = concat(
    [
      { name = "REPOSITORY_URL", value = var.repository_url },
      # Resolved when the task runs (DescribeDBClusters): endpoint, port, database name
      # and the RDS-managed master secret. DB_HOST/DB_PORT/DB_NAME would override it.
      { name = "DB_CLUSTER", value = data.aws_rds_cluster.db.cluster_identifier },
      { name = "PGSSLMODE", value = var.pg_sslmode },
    ],
    var.repository_token_secret_name == null ? [] : [
      { name = "REPOSITORY_TOKEN_SECRET", value = var.repository_token_secret_name },
    ],
    var.repository_deploy_key_secret_name == null ? [] : [
      { name = "REPOSITORY_DEPLOY_KEY_SECRET", value = var.repository_deploy_key_secret_name },
    ],
  )
}

locals {
  container = {
    name        = var.container_name
    image       = local.image
    essential   = true
    command     = ["orchestrator", "migrate", "--git-branch", var.default_branch]
    environment = local.environment
    # a private registry: the execution role reads these credentials (iam grants it);
    # null is dropped when the provider reads the JSON
    repositoryCredentials = (var.registry_credentials_secret_name == null ? null
    : { credentialsParameter = one(data.aws_secretsmanager_secret.registry[*].arn) })
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = var.log_group_name
        awslogs-region        = var.region
        awslogs-stream-prefix = var.log_stream_prefix
      }
    }
  }
}

resource "aws_cloudwatch_log_group" "task" {
  name              = var.log_group_name
  retention_in_days = var.log_retention_days
}

resource "aws_security_group" "task" {
  name        = var.security_group_name
  description = "Migration task ${var.task_family}: outbound only (git, AWS APIs)"
  vpc_id      = data.aws_vpc.selected.id
}

resource "aws_vpc_security_group_egress_rule" "https" {
  security_group_id = aws_security_group.task.id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
  description       = "HTTPS: git clone, Secrets Manager, image registry"
}

resource "aws_vpc_security_group_egress_rule" "ssh" {
  count             = var.repository_deploy_key_secret_name == null ? 0 : 1
  security_group_id = aws_security_group.task.id
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = "0.0.0.0/0"
  description       = "SSH: git clone with a deploy key"
}

resource "aws_ecs_task_definition" "migration" {
  family                   = var.task_family
  requires_compatibilities = [var.launch_type]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  task_role_arn            = data.aws_iam_role.task.arn
  execution_role_arn       = data.aws_iam_role.execution.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([local.container])

  depends_on = [aws_cloudwatch_log_group.task]
}
