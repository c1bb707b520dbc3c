output "url" {
  description = "Base URL of the service (add /health, /v1/migrations, ...)"
  value       = "https://${aws_lb.service.dns_name}${var.path_prefix}"
}

output "token_secret_arn" {
  value = aws_secretsmanager_secret.token.arn
}

output "service_security_group_id" {
  value = aws_security_group.service.id
}

output "alb_security_group_id" {
  value = aws_security_group.alb.id
}

output "task_role_arn" {
  value = aws_iam_role.task.arn
}
