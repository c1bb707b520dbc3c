output "task_role_arn" {
  value = aws_iam_role.task.arn
}

output "execution_role_arn" {
  value = aws_iam_role.execution.arn
}

output "workflow_role_arn" {
  description = "Set as the repository variable AWS_ROLE_ARN"
  value       = aws_iam_role.workflows.arn
}

output "terraform_role_arn" {
  description = "Set as the repository variable AWS_TERRAFORM_ROLE_ARN"
  value       = var.terraform_role_name == null ? null : aws_iam_role.terraform[0].arn
}

output "oidc_provider_arn" {
  value = local.oidc_provider_arn
}
