#!/usr/bin/env bash
# infrastructure/migration-service keeps its promises (migration_service.js): health check
# at the path prefix, ALB -> service -> database only, token in Secrets Manager, S3
# read-only, serve with time to finish after SIGTERM. Each promise broken in a copy is
# reported.
source "$(dirname "$0")/../lib/tap.sh"
CHECK=$ROOT/tests/infra/migration_service.js
C=$ROOT/infrastructure/migration-service
t_ok "migration-service passes its checks" node "$CHECK" "$C"
broken() { # DESC WANT-ERE SED
	rm -rf "$T_TMP/c" && cp -r "$C" "$T_TMP/c" && sed -i "$3" "$T_TMP/c/main.tf"
	t_run node "$CHECK" "$T_TMP/c"
	t_is "$T_RC" 1 "$1: refused"
	t_like "$T_OUT" "$2" "$1: named"
}
broken "health check elsewhere" 'health check is not' 's|path                = "${var.path_prefix}/health"|path = "/"|'
broken "the database open to the ALB" 'outside ALB -> service -> database' \
	's|referenced_security_group_id = aws_security_group.service.id\n  ip_protocol                  = "tcp"\n  from_port                    = data.aws_rds_cluster.db.port|X|; /resource "aws_vpc_security_group_ingress_rule" "db_from_service"/,/^}/ s|referenced_security_group_id = aws_security_group.service.id|referenced_security_group_id = aws_security_group.alb.id|'
broken "S3 write access" 's3:PutObject: S3 must stay read-only' 's|actions = \["s3:GetObject"\]|actions = ["s3:GetObject", "s3:PutObject"]|'
broken "no stop timeout" 'stopTimeout' 's|stopTimeout  = 120|stopTimeout = 2|'
broken "the token in the environment" 'the token is passed' 's|{ name = "PGSSLMODE", value = var.pg_sslmode },|{ name = "PGSSLMODE", value = var.pg_sslmode }, { name = "X", value = "SERVE_TOKEN=abc" },|'
t_done
