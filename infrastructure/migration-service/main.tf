# migration-service (optional): `orchestrator serve` as an ECS service behind an
# Application Load Balancer, for teams whose CI calls the migration engine over HTTPS
# instead of starting a task per run.
#
# - The task runs the same image as migration-task with the command
#   `orchestrator serve --listen 0.0.0.0:<port> --path-prefix <prefix> --locations s3://...`.
#   It reads the migrations from the S3 bucket (read-only: s3:ListBucket on the bucket,
#   limited to the prefix, and s3:GetObject below the prefix), the database through
#   DB_CLUSTER (endpoint and RDS-managed master secret found at run time, as the task does)
#   and the bearer token from the Secrets Manager secret created here (SERVE_TOKEN_SECRET).
#   Set the token's value once after the first apply:
#     aws secretsmanager put-secret-value --secret-id <token_secret_name> \
#       --secret-string "$(openssl rand -hex 32)"
# - Security groups chain ALB -> service -> database and nothing else: the ALB accepts
#   HTTPS from allowed_cidrs and talks only to the service's port; the service accepts
#   only the ALB and reaches the database's group on its port (a rule added to that group)
#   plus HTTPS for the AWS APIs.
# - The target group's health check is GET <prefix>/health (200 when the database
#   answers, 503 otherwise). stop_timeout gives a running migration up to 120 s to finish
#   after SIGTERM before ECS kills the container (the server then rolls back).
# - One task (desired_count 1): within a task a second POST gets 409; several tasks would
#   queue on the history table's advisory lock instead.

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
      Component = "migration-service"
    }
  }
}

data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}

data "aws_vpc" "selected" {
  default = var.vpc_id == null
  id      = var.vpc_id
}

data "aws_ecs_cluster" "cluster" {
  cluster_name = var.ecs_cluster_name
}

data "aws_rds_cluster" "db" {
  cluster_identifier = var.db_cluster_name
  lifecycle {
    postcondition {
      condition     = length(self.master_user_secret) > 0
      error_message = "The cluster has no RDS-managed master secret (manage_master_user_password): the service reads its credentials from it."
    }
  }
}

data "aws_security_group" "db" {
  name   = var.db_security_group_name
  vpc_id = data.aws_vpc.selected.id
}

locals {
  partition = data.aws_partition.current.partition
  arn_tail  = "${var.region}:${data.aws_caller_identity.current.account_id}"
  image     = "${var.docker_registry}/${lower(var.docker_owner)}/${lower(var.docker_repo)}:${var.app_version}"
  prefix    = trimsuffix(var.migrations_prefix, "/")
  location  = local.prefix == "" ? "s3://${var.migrations_bucket}" : "s3://${var.migrations_bucket}/${local.prefix}"
  command = concat(
    ["orchestrator", "serve", "--listen", "0.0.0.0:${var.container_port}", "--path-prefix", var.path_prefix,
    "--locations", local.location],
    var.tenant_migrations_prefix == null ? [] : [
      "--tenant-locations", "s3://${var.migrations_bucket}/${trimsuffix(var.tenant_migrations_prefix, "/")}",
    ],
    var.tenants_query == null ? [] : ["--tenants-query", var.tenants_query],
  )
  s3_prefixes = compact([local.prefix, var.tenant_migrations_prefix == null ? "" : trimsuffix(var.tenant_migrations_prefix, "/")])
}

# ---- the token ----

resource "aws_secretsmanager_secret" "token" {
  name        = var.token_secret_name
  description = "Bearer token of the migration service (Authorization: Bearer <token>); at least 16 characters"
}

# ---- IAM ----

data "aws_iam_policy_document" "ecs_tasks_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "task" {
  name               = "${var.service_name}-task-${var.region}"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_trust.json
}

data "aws_iam_policy_document" "task" {
  statement {
    sid       = "ListMigrations"
    actions   = ["s3:ListBucket"]
    resources = ["arn:${local.partition}:s3:::${var.migrations_bucket}"]
    dynamic "condition" {
      for_each = length(local.s3_prefixes) > 0 && local.prefix != "" ? [1] : []
      content {
        test     = "StringLike"
        variable = "s3:prefix"
        values   = flatten([for p in local.s3_prefixes : [p, "${p}/*"]])
      }
    }
  }
  statement {
    sid     = "ReadMigrations"
    actions = ["s3:GetObject"]
    resources = local.prefix == "" ? ["arn:${local.partition}:s3:::${var.migrations_bucket}/*"] : [
      for p in local.s3_prefixes : "arn:${local.partition}:s3:::${var.migrations_bucket}/${p}/*"
    ]
  }
  statement {
    sid       = "FindTheDatabase"
    actions   = ["rds:DescribeDBClusters"]
    resources = [data.aws_rds_cluster.db.arn]
  }
  statement {
    sid       = "DatabaseSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["arn:${local.partition}:secretsmanager:${local.arn_tail}:secret:rds!cluster-*"]
    condition {
      test     = "StringEquals"
      variable = "secretsmanager:ResourceTag/aws:rds:primaryDBClusterArn"
      values   = [data.aws_rds_cluster.db.arn]
    }
  }
  statement {
    sid       = "Token"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.token.arn]
  }
}

resource "aws_iam_role_policy" "task" {
  name   = "migration-service"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}

resource "aws_iam_role" "execution" {
  name               = "${var.service_name}-execution-${var.region}"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_trust.json
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

# ---- network: ALB -> service -> database ----

resource "aws_security_group" "alb" {
  name        = "${var.service_name}-alb"
  description = "ALB of ${var.service_name}: HTTPS in from allowed_cidrs, out to the service only"
  vpc_id      = data.aws_vpc.selected.id
}

resource "aws_vpc_security_group_ingress_rule" "alb_https" {
  for_each          = toset(var.allowed_cidrs)
  security_group_id = aws_security_group.alb.id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = each.value
  description       = "HTTPS from CI"
}

resource "aws_vpc_security_group_egress_rule" "alb_to_service" {
  security_group_id            = aws_security_group.alb.id
  referenced_security_group_id = aws_security_group.service.id
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
  description                  = "to the service's port only"
}

resource "aws_security_group" "service" {
  name        = "${var.service_name}-service"
  description = "${var.service_name} tasks: in from the ALB only, out to the database and AWS APIs"
  vpc_id      = data.aws_vpc.selected.id
}

resource "aws_vpc_security_group_ingress_rule" "service_from_alb" {
  security_group_id            = aws_security_group.service.id
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
  description                  = "from the ALB"
}

resource "aws_vpc_security_group_egress_rule" "service_to_db" {
  security_group_id            = aws_security_group.service.id
  referenced_security_group_id = data.aws_security_group.db.id
  ip_protocol                  = "tcp"
  from_port                    = data.aws_rds_cluster.db.port
  to_port                      = data.aws_rds_cluster.db.port
  description                  = "to the database"
}

resource "aws_vpc_security_group_egress_rule" "service_https" {
  security_group_id = aws_security_group.service.id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
  description       = "HTTPS: S3, Secrets Manager, RDS API, image registry"
}

resource "aws_vpc_security_group_ingress_rule" "db_from_service" {
  security_group_id            = data.aws_security_group.db.id
  referenced_security_group_id = aws_security_group.service.id
  ip_protocol                  = "tcp"
  from_port                    = data.aws_rds_cluster.db.port
  to_port                      = data.aws_rds_cluster.db.port
  description                  = "from ${var.service_name}"
}

# ---- load balancer ----

resource "aws_lb" "service" {
  name               = var.service_name
  internal           = var.internal
  load_balancer_type = "application"
  security_groups    = [aws_security_group.alb.id]
  subnets            = var.alb_subnet_ids
  # A migration can outlast the default 60 s idle timeout.
  idle_timeout = var.request_timeout_seconds
}

resource "aws_lb_target_group" "service" {
  name        = var.service_name
  port        = var.container_port
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = data.aws_vpc.selected.id
  # Long enough for a request in flight to finish after SIGTERM.
  deregistration_delay = 120
  health_check {
    path                = "${var.path_prefix}/health"
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.service.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn
  default_action {
    type = "fixed-response"
    fixed_response {
      content_type = "application/json"
      message_body = "{\"error\":\"no such path\"}"
      status_code  = "404"
    }
  }
}

resource "aws_lb_listener_rule" "service" {
  listener_arn = aws_lb_listener.https.arn
  priority     = 10
  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.service.arn
  }
  condition {
    path_pattern {
      values = [var.path_prefix, "${var.path_prefix}/*"]
    }
  }
}

# ---- the service ----

resource "aws_cloudwatch_log_group" "service" {
  name              = "/ecs/${var.service_name}"
  retention_in_days = var.log_retention_days
}

resource "aws_ecs_task_definition" "service" {
  family                   = var.service_name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  task_role_arn            = aws_iam_role.task.arn
  execution_role_arn       = aws_iam_role.execution.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([{
    name         = "serve"
    image        = local.image
    essential    = true
    command      = local.command
    stopTimeout  = 120
    portMappings = [{ containerPort = var.container_port, protocol = "tcp" }]
    environment = [
      { name = "DB_CLUSTER", value = data.aws_rds_cluster.db.cluster_identifier },
      { name = "SERVE_TOKEN_SECRET", value = aws_secretsmanager_secret.token.arn },
      { name = "PGSSLMODE", value = var.pg_sslmode },
    ]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.service.name
        awslogs-region        = var.region
        awslogs-stream-prefix = "serve"
      }
    }
  }])
}

resource "aws_ecs_service" "service" {
  name                              = var.service_name
  cluster                           = data.aws_ecs_cluster.cluster.arn
  task_definition                   = aws_ecs_task_definition.service.arn
  desired_count                     = 1
  launch_type                       = "FARGATE"
  health_check_grace_period_seconds = 30
  # Replace, never overlap two versions migrating at once.
  deployment_minimum_healthy_percent = 0
  deployment_maximum_percent         = 100

  network_configuration {
    subnets          = var.service_subnet_ids
    security_groups  = [aws_security_group.service.id]
    assign_public_ip = var.assign_public_ip
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.service.arn
    container_name   = "serve"
    container_port   = var.container_port
  }

  depends_on = [aws_lb_listener_rule.service]
}
