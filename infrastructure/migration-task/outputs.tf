output "task_definition_arn" {
  value = aws_ecs_task_definition.migration.arn
}

output "image" {
  value = local.image
}

output "log_group_name" {
  value = aws_cloudwatch_log_group.task.name
}

output "security_group_id" {
  value = aws_security_group.task.id
}
