# bastion (optional, as in the template): a small EC2 host in a public subnet for reaching
# the database by SSH tunnel. Its key pair is generated here and the private key is stored
# in S3 at config.json bastion.privateKeyBucket/privateKeyPath (encrypted, private), where
# an operator fetches it. The host joins the cluster's security group to reach PostgreSQL.
# Deploy only when you need it; destroy it when done.

terraform {
  required_version = ">= 1.10.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.82.2"
    }
    tls = {
      source  = "hashicorp/tls"
      version = "4.0.6"
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
      Component = "bastion"
    }
  }
}

data "aws_vpc" "selected" {
  default = var.vpc_id == null
  id      = var.vpc_id
}

data "aws_subnet" "public" {
  vpc_id = data.aws_vpc.selected.id
  filter {
    name   = "tag:Name"
    values = [var.subnet_name]
  }
}

data "aws_security_group" "db" {
  vpc_id = data.aws_vpc.selected.id
  name   = var.db_security_group_name
}

data "aws_ssm_parameter" "ami" {
  name = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
}

resource "tls_private_key" "bastion" {
  algorithm = "ED25519"
}

resource "aws_key_pair" "bastion" {
  key_name   = var.bastion_host_name
  public_key = tls_private_key.bastion.public_key_openssh
}

resource "aws_s3_object" "private_key" {
  bucket                 = var.private_key_bucket
  key                    = var.private_key_path
  content                = tls_private_key.bastion.private_key_openssh
  server_side_encryption = "AES256"
  acl                    = "private"
}

resource "aws_security_group" "bastion" {
  name        = "${var.bastion_host_name}-sg"
  description = "Bastion ${var.bastion_host_name}: SSH from the allowed networks"
  vpc_id      = data.aws_vpc.selected.id
}

resource "aws_vpc_security_group_ingress_rule" "ssh" {
  for_each          = toset(var.allowed_ssh_cidrs)
  security_group_id = aws_security_group.bastion.id
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_egress_rule" "all" {
  security_group_id = aws_security_group.bastion.id
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_instance" "bastion" {
  ami                         = data.aws_ssm_parameter.ami.value
  instance_type               = var.instance_type
  subnet_id                   = data.aws_subnet.public.id
  key_name                    = aws_key_pair.bastion.key_name
  associate_public_ip_address = true
  vpc_security_group_ids      = [aws_security_group.bastion.id, data.aws_security_group.db.id]

  metadata_options {
    http_tokens = "required"
  }

  root_block_device {
    encrypted = true
  }

  tags = {
    Name = var.bastion_host_name
  }
}
