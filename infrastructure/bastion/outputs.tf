output "instance_id" {
  value = aws_instance.bastion.id
}

output "public_ip" {
  value = aws_instance.bastion.public_ip
}

output "private_key_s3_uri" {
  value = "s3://${var.private_key_bucket}/${var.private_key_path}"
}
