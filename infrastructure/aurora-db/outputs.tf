output "cluster_arn" {
  value = aws_rds_cluster.db.arn
}

output "cluster_endpoint" {
  value = aws_rds_cluster.db.endpoint
}

output "reader_endpoint" {
  value = aws_rds_cluster.db.reader_endpoint
}

output "master_user_secret_arn" {
  description = "The RDS-managed secret ({username, password}) the migration task reads"
  value       = aws_rds_cluster.db.master_user_secret[0].secret_arn
}

output "security_group_id" {
  value = aws_security_group.db.id
}

output "db_subnet_group_name" {
  value = aws_db_subnet_group.db.name
}
