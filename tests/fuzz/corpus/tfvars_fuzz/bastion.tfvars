# bastion in us-west-2 (optional). Names must match config.json
# infrastructure["us-west-2"].bastion and auroraDB.vpcSecurityGroups.
region                 = "us-west-2"
bastion_host_name      = "bastion-host"
private_key_bucket     = "CHANGE ME"
private_key_path       = "private/bastion-host-key"
db_security_group_name = "auroradb-sg"
subnet_name            = "default-us-west-2a"
allowed_ssh_cidrs      = []
