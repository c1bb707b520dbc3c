# iam: who may do what.
# - the migration task's role, reading exactly the secrets the task reads: the cluster's
#   RDS-managed master secret (matched by the tag RDS puts on it, so this component does not
#   depend on the secret's generated name) and the repository token or deploy key secret;
# - the task execution role (pull the image, write the log group);
# - GitHub's OIDC provider and the role the operation workflows assume (run-migration,
#   create/restore-snapshot), limited to the calls orchestrator makes; who may assume the
#   roles (GitHub environments and the default branch only) is in oidc.tf;
# - optionally the role the deploy/destroy-infrastructure workflows assume to run
#   Terraform (terraform_role_name), which needs broad rights by nature.
# IAM is global: with several regions, set create_oidc_provider = false in all but one
# region's tfvars, and keep role names distinct per region.

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
      Component = "iam"
    }
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account   = data.aws_caller_identity.current.account_id
  partition = data.aws_partition.current.partition
  arn_tail  = "${var.region}:${local.account}"

  # RDS stores identifiers in lowercase, and ARNs (resources, the secret's tag) match case-sensitively
  cluster_arn     = "arn:${local.partition}:rds:${local.arn_tail}:cluster:${lower(var.db_cluster_name)}"
  ecs_cluster_arn = "arn:${local.partition}:ecs:${local.arn_tail}:cluster/${var.ecs_cluster_name}"
  log_group_arn   = "arn:${local.partition}:logs:${local.arn_tail}:log-group:${var.log_group_name}"

  # secrets named in the tfvars; "-??????" is the random suffix Secrets Manager appends
  named_secrets = compact([var.repository_token_secret_name, var.repository_deploy_key_secret_name])
  named_secret_arns = [
    for name in concat(local.named_secrets, var.extra_secret_names) :
    "arn:${local.partition}:secretsmanager:${local.arn_tail}:secret:${name}-??????"
  ]

  oidc_provider_arn = (var.create_oidc_provider
    ? aws_iam_openid_connect_provider.github[0].arn
  : "arn:${local.partition}:iam::${local.account}:oidc-provider/token.actions.githubusercontent.com")
}

# --- the migration task -------------------------------------------------------------------

data "aws_iam_policy_document" "ecs_tasks_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

resource "aws_iam_role" "task" {
  name               = var.task_role_name
  description        = "Migration task (${var.task_family}): describes its cluster, reads its secrets"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_trust.json
}

data "aws_iam_policy_document" "task" {
  # DB_CLUSTER: the task finds the endpoint and the current master secret when it runs.
  statement {
    sid       = "DescribeTheCluster"
    actions   = ["rds:DescribeDBClusters"]
    resources = [local.cluster_arn]
  }
  # RDS tags its managed secret with the cluster's ARN, which depends on the identifier
  # only: the secret a snapshot restore makes for the cluster of the same name matches.
  statement {
    sid       = "ClusterMasterSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["arn:${local.partition}:secretsmanager:${local.arn_tail}:secret:rds!cluster-*"]
    condition {
      test     = "StringEquals"
      variable = "secretsmanager:ResourceTag/aws:rds:primaryDBClusterArn"
      values   = [local.cluster_arn]
    }
  }

  dynamic "statement" {
    for_each = length(local.named_secret_arns) > 0 ? [1] : []
    content {
      sid       = "RepositoryAndPlaceholderSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = local.named_secret_arns
    }
  }
}

resource "aws_iam_role_policy" "task" {
  name   = "secrets"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}

resource "aws_iam_role" "execution" {
  name               = var.execution_role_name
  description        = "ECS agent for ${var.task_family}: pulls the image, writes the logs"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_trust.json
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:log-stream:*"]
  }

  statement {
    sid = "PullFromEcr"
    actions = [
      "ecr:GetAuthorizationToken",
      "ecr:BatchCheckLayerAvailability",
      "ecr:GetDownloadUrlForLayer",
      "ecr:BatchGetImage",
    ]
    resources = ["*"]
  }

  dynamic "statement" {
    for_each = var.registry_credentials_secret_name == null ? [] : [1]
    content {
      sid     = "PrivateRegistryCredentials"
      actions = ["secretsmanager:GetSecretValue"]
      resources = [
        "arn:${local.partition}:secretsmanager:${local.arn_tail}:secret:${var.registry_credentials_secret_name}-??????",
      ]
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "pull-and-log"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# --- GitHub Actions -----------------------------------------------------------------------

resource "aws_iam_openid_connect_provider" "github" {
  count           = var.create_oidc_provider ? 1 : 0
  url             = "https://token.actions.githubusercontent.com"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"]
}

# One trust policy per role: each trusts its own subjects (oidc.tf).
data "aws_iam_policy_document" "github_trust" {
  for_each = {
    workflows = module.workflow_subjects.subjects
    terraform = module.terraform_subjects.subjects
  }
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = each.value
    }
  }
}

resource "aws_iam_role" "workflows" {
  name                 = var.workflow_role_name
  description          = "GitHub Actions of ${var.github_owner}/${var.github_repo}: migrations and snapshots in ${var.region}"
  assume_role_policy   = data.aws_iam_policy_document.github_trust["workflows"].json
  max_session_duration = 3600 * 2
}

data "aws_iam_policy_document" "workflows" {
  # orchestrator run-task
  statement {
    sid       = "RunTheMigrationTask"
    actions   = ["ecs:RunTask"]
    resources = ["arn:${local.partition}:ecs:${local.arn_tail}:task-definition/${var.task_family}:*"]
    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [local.ecs_cluster_arn]
    }
  }
  statement {
    sid       = "WatchTheTask"
    actions   = ["ecs:DescribeTasks"]
    resources = ["arn:${local.partition}:ecs:${local.arn_tail}:task/${var.ecs_cluster_name}/*"]
  }
  statement {
    sid       = "ReadTaskDefinitions" # DescribeTaskDefinition takes no resource-level scope
    actions   = ["ecs:DescribeTaskDefinition"]
    resources = ["*"]
  }
  statement {
    sid       = "HandTheTaskItsRoles"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.task.arn, aws_iam_role.execution.arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }
  statement {
    sid       = "ResolveSubnetAndGroupNames" # EC2 Describe* takes no resource-level scope
    actions   = ["ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"]
    resources = ["*"]
  }
  statement {
    sid       = "StreamTheTaskLog"
    actions   = ["logs:GetLogEvents"]
    resources = ["${local.log_group_arn}:log-stream:*"]
  }

  # orchestrator snapshot create|restore|list|share
  statement {
    sid       = "DescribeClustersAndSnapshots"
    actions   = ["rds:DescribeDBClusters", "rds:DescribeDBClusterSnapshots", "rds:DescribeDBInstances"]
    resources = ["*"]
  }
  statement {
    sid     = "SnapshotThisCluster" # also the final snapshot when a restore removes the old cluster
    actions = ["rds:CreateDBClusterSnapshot", "rds:AddTagsToResource"]
    resources = [
      local.cluster_arn,
      "${local.cluster_arn}-pre-restore-*",
      "arn:${local.partition}:rds:${local.arn_tail}:cluster-snapshot:*",
    ]
  }
  statement {
    sid       = "ShareSnapshots"
    actions   = ["rds:ModifyDBClusterSnapshotAttribute", "rds:DescribeDBClusterSnapshotAttributes"]
    resources = ["arn:${local.partition}:rds:${local.arn_tail}:cluster-snapshot:*"]
  }
  statement {
    sid = "RestoreThisCluster"
    actions = [
      "rds:ModifyDBCluster",
      "rds:RestoreDBClusterFromSnapshot",
      "rds:DeleteDBCluster",
      "rds:CreateDBInstance",
      "rds:DeleteDBInstance",
      "rds:AddTagsToResource",
      "rds:RemoveTagsFromResource", # a finished restore removes its in-progress marker tags
    ]
    resources = [
      local.cluster_arn,
      "${local.cluster_arn}-pre-restore-*",
      "arn:${local.partition}:rds:${local.arn_tail}:db:${var.db_cluster_name}-*",
      "arn:${local.partition}:rds:${local.arn_tail}:cluster-snapshot:*",
      "arn:${local.partition}:rds:${local.arn_tail}:subgrp:${var.db_subnet_group_name}",
      "arn:${local.partition}:rds:${local.arn_tail}:cluster-pg:*",
      "arn:${local.partition}:rds:${local.arn_tail}:pg:*",
      "arn:${local.partition}:rds:${local.arn_tail}:og:*",
    ]
  }
  # The restored cluster gets an RDS-managed master secret again (ModifyDBCluster
  # ManageMasterUserPassword) and deleting the old cluster deletes the old one: RDS does
  # both with the caller's permissions.
  statement {
    sid = "RestoreKeepsTheManagedSecret"
    actions = [
      "secretsmanager:CreateSecret",
      "secretsmanager:TagResource",
      "secretsmanager:DescribeSecret",
      "secretsmanager:UpdateSecret",
      "secretsmanager:DeleteSecret",
      "secretsmanager:RotateSecret", # RDS rotates a managed secret it creates
    ]
    resources = ["arn:${local.partition}:secretsmanager:${local.arn_tail}:secret:rds!cluster-*"]
  }
  statement {
    sid       = "EncryptTheManagedSecret"
    actions   = ["kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${var.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "workflows" {
  name   = "orchestrator-operations"
  role   = aws_iam_role.workflows.id
  policy = data.aws_iam_policy_document.workflows.json
}

# --- Terraform from GitHub Actions (optional) -----------------------------------------------

resource "aws_iam_role" "terraform" {
  count                = var.terraform_role_name == null ? 0 : 1
  name                 = var.terraform_role_name
  description          = "deploy/destroy-infrastructure workflows of ${var.github_owner}/${var.github_repo}"
  assume_role_policy   = data.aws_iam_policy_document.github_trust["terraform"].json
  max_session_duration = 3600 * 2
}

resource "aws_iam_role_policy_attachment" "terraform" {
  count      = var.terraform_role_name == null ? 0 : 1
  role       = aws_iam_role.terraform[0].name
  policy_arn = var.terraform_role_policy_arn
}
