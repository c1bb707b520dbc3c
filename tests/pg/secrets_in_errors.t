#!/usr/bin/env bash
# Secrets in error paths: a --url libpq cannot parse (its own message quotes the password
# or the whole URI), and a secret placeholder value that breaks its statement (the
# server's error quotes a piece of it). Neither piece may reach the output.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/pg.sh"
mkdir -p "$T_TMP/empty"

bad_url() { # DESC URL SECRET...
	local desc=$1 url=$2; shift 2
	t_run "$ORC" migrate --url "$url" --locations "$T_TMP/empty"
	t_is "$T_RC" 2 "$desc: a usage error"
	t_like "$T_ERR" "^error: --url: not a PostgreSQL connection string or URI \(libpq cannot parse it" "$desc: one line that says what to write"
	for s in "$@"; do
		t_unlike "$T_OUT$T_ERR" "$s" "$desc: $s is not printed"
	done
}
bad_url "a % not followed by two hex digits" 'postgresql://app:s3cr%zzet@127.0.0.1/db' 's3cr' 'zzet'
bad_url "an unclosed IPv6 bracket" 'postgresql://app:hunter2pw@[::1/db' 'hunter2pw'
bad_url "a bad key=value string" "host=x password='top secret' port bad" 'top secret'
bad_url "a password in the query" 'postgresql://h/db?password=qu3ry-pw&x=%zz' 'qu3ry-pw'

# A placeholder secret with a quote and a semicolon (Secrets Manager generates such): the
# statement breaks inside the value and the server quotes the rest of it.
pg_newdb || { t_fail "PostgreSQL database"; t_done; exit 1; }
mkdir -p "$T_TMP/sql"
printf "CREATE ROLE app_ro LOGIN PASSWORD '\${pw}';\n" >"$T_TMP/sql/V1__role.sql"
t_run env "FLYWAY_PLACEHOLDERS_PW=Xq9'Zr7;Lm4 Kp2" "$ORC" migrate --url "$PG_URL" --locations "$T_TMP/sql"
t_is "$T_RC" 1 "the broken statement fails the migration"
t_like "$T_ERR" "V1__role.sql:1: migration V1 role failed: SQLSTATE 42601" "naming file, line and the SQLSTATE"
for piece in "Zr7" "Lm4" "Kp2" "Zr" "r7"; do
	t_unlike "$T_OUT$T_ERR" "$piece" "no piece of the secret ($piece) in the output"
done
t_like "$T_ERR" 'role option "\*\*\*"' "the quoted piece is masked"
t_done
