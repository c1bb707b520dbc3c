#!/usr/bin/env bash
# orchestrator serve driven by curl: every route, every refusal (no token, wrong token,
# bad JSON, unknown mode, oversized body, wrong method, unknown path), 401 without any
# database work, health 503 with the database down, two concurrent POSTs (409 for the
# second), SIGTERM during a long migration (answered, then exit 0; no new connections),
# tenants over HTTP, the token from Secrets Manager (moto, signatures checked), and the
# access log: one JSON object per request on stdout, no secret in any output.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/pg.sh"
source "$ROOT/tests/lib/moto.sh"
pg_newdb
D=$T_TMP/sql
mkdir -p "$D" "$T_TMP/tenant"
echo 'CREATE TABLE a (id int);' >"$D/V1__create_a.sql"
echo 'CREATE TABLE b (id int);' >"$D/V2__create_b.sql"
TOKEN=tok-$(openssl rand -hex 16)
PW=pw-$(openssl rand -hex 8)
URL="$PG_URL?password=$PW"
H="Authorization: Bearer $TOKEN"
q() { psql -X -q -At -c "$1"; }

# start_serve NAME ARGS...: starts the service, waits for its port; $SP its pid, $B its base URL.
start_serve() {
	local name=$1
	shift
	PORT=$(t_free_port)
	SERVE_TOKEN=${SERVE_TOKEN_VALUE-$TOKEN} "$ORC" serve --listen "127.0.0.1:$PORT" "$@" \
		>"$T_TMP/$name.out" 2>"$T_TMP/$name.err" &
	SP=$!
	t_defer "kill $SP 2>/dev/null; wait $SP 2>/dev/null"
	B=http://127.0.0.1:$PORT
	t_wait_port "$PORT" 30 || { echo "# serve did not start: $(cat "$T_TMP/$name.err")"; return 1; }
}
# req METHOD PATH [curl args...]: $S status, $R body
req() {
	local m=$1 p=$2
	shift 2
	S=$(curl -s -o "$T_TMP/body" -w '%{http_code}' -X "$m" "$@" "$B$p")
	R=$(cat "$T_TMP/body")
}
# wait_sleeping: until the server runs a migration's pg_sleep (bounded).
wait_sleeping() {
	local i
	for ((i = 0; i < 300; i++)); do
		[ "$(q "select count(*) from pg_stat_activity where query like '%pg_sleep%' and pid <> pg_backend_pid() and datname = current_database()")" -gt 0 ] && return 0
		sleep 0.1
	done
	return 1
}

t_run "$ORC" serve --url "$URL"
t_is "$T_RC" 2 "no token: refuses to start"
t_like "$T_ERR" 'SERVE_TOKEN or SERVE_TOKEN_SECRET' "naming where the token comes from"
t_run env SERVE_TOKEN=short "$ORC" serve --url "$URL"
t_is "$T_RC" 2 "a short token: refused"
t_run env SERVE_TOKEN="$TOKEN" "$ORC" serve --url "$URL" --token "$TOKEN"
t_is "$T_RC" 2 "no --token option (argv is visible to every process)"

start_serve main --path-prefix /migrator/ --url "$URL" --locations "$D" || { t_done; exit 1; }
req GET /migrator/health
t_is "$S $R" '200 {"status":"ok"}' "health: 200 when the database answers"
req GET /migrator
t_is "$S" 200 "the prefix itself answers 200 (no redirect)"
req GET /migrator/
t_like "$S $R" '^200 .*"service":"orchestrator"' "and with a trailing slash"
req GET /health
t_is "$S" 404 "outside the prefix: 404"
req GET /migrator/nope
t_is "$S" 404 "unknown path: 404"
req GET /migrator/v1/config
t_is "$S" 401 "config without a token: 401"
req GET /migrator/v1/config -H "Authorization: Bearer wrong-$TOKEN"
t_is "$S" 401 "a wrong token: 401"
req GET /migrator/v1/config -H "Authorization: Basic $TOKEN"
t_is "$S" 401 "another scheme: 401"
req GET /migrator/v1/config -H "$H"
t_is "$S" 200 "config with the token"
t_like "$R" '"pathPrefix":"/migrator"' "config: the effective prefix"
t_like "$R" '"dbname":"'"$PGDATABASE"'"' "config: the database"
t_unlike "$R" "$PW|password" "config: no password"
req GET /migrator/v1/migrations/source -H "$H"
t_is "$(printf '%s' "$R" | python3 -c 'import json,sys; print(",".join(m["script"] for m in json.load(sys.stdin)["migrations"]))')" \
	"V1__create_a.sql,V2__create_b.sql" "source: the files"
req POST /migrator/v1/migrations -H "$H" -d '{"mode":"dry-run","response":"list"}'
t_is "$S" 200 "dry-run: 200"
t_is "$(printf '%s' "$R" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["pending"], ",".join(m["version"] for m in d["migrations"]))')" \
	"2 1,2" "dry-run lists the pending migrations"
t_is "$(q "select to_regclass('flyway_schema_history') is null")" t "dry-run changes nothing"
req POST /migrator/v1/migrations -H "$H" -d '{"mode":"apply","response":"list"}'
t_is "$S" 200 "apply: 200"
t_is "$(printf '%s' "$R" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["status"], d["applied"], ",".join(m["script"] for m in d["migrations"]))')" \
	"ok 2 V1__create_a.sql,V2__create_b.sql" "apply --list: what this run applied"
req POST /migrator/v1/migrations -H "$H" -d '{}'
t_like "$S $R" '^200 .*"applied":0' "apply again (defaults apply/summary): nothing to do"
t_unlike "$R" '"migrations"' "summary has no list"
req GET /migrator/v1/migrations/applied -H "$H"
t_is "$(printf '%s' "$R" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["schemaVersion"], [m["state"] for m in d["migrations"]])')" \
	"2 ['Success', 'Success']" "applied: info as JSON"
req POST /migrator/v1/migrations -H "$H" -d '{"mode":"validate"}'
t_like "$S $R" '^200 .*"status":"ok"' "validate: 200"
echo 'CREATE TABLE a (id bigint);' >"$D/V1__create_a.sql"
req POST /migrator/v1/migrations -H "$H" -d '{"mode":"validate"}'
t_like "$S $R" '^422 .*checksum mismatch' "validate on a changed file: 422 with the engine's line"
echo 'CREATE TABLE a (id int);' >"$D/V1__create_a.sql"

req POST /migrator/v1/migrations -H "$H" -d '{"mode": apply'
t_is "$S" 400 "bad JSON: 400"
t_is "$(printf '%s\n' "$R" | wc -l | tr -d ' ')" 1 "in one line"
t_like "$R" 'not a JSON object' "saying what is wrong"
req POST /migrator/v1/migrations -H "$H" -d '{"mode":"drop"}'
t_like "$S $R" '^400 .*mode.{0,2} must be' "an unknown mode: 400"
req POST /migrator/v1/migrations -H "$H" -d '{"response":7}'
t_is "$S" 400 "a non-string response: 400"
head -c 70000 /dev/zero | tr '\0' ' ' >"$T_TMP/big"
req POST /migrator/v1/migrations -H "$H" --data-binary @"$T_TMP/big"
t_like "$S $R" '^413 .*limit 65536' "a body over 64 KiB: 413"
req POST /migrator/v1/migrations -H "$H" -H 'Transfer-Encoding: chunked' --data-binary @"$T_TMP/big"
t_is "$S" 413 "a chunked body over the limit: 413"
req GET /migrator/v1/migrations -H "$H"
t_is "$S" 405 "GET on the POST route: 405"
req POST /migrator/health
t_is "$S" 405 "POST on health: 405"

# Concurrent POSTs: the second gets 409 while the first runs.
printf 'SELECT pg_sleep(2);\nCREATE TABLE c (id int);\n' >"$D/V3__slow.sql"
curl -s -o "$T_TMP/first" -w '%{http_code}' -X POST -H "$H" -d '{}' "$B/migrator/v1/migrations" >"$T_TMP/first.code" &
C1=$!
t_ok "the first POST's migration is running" wait_sleeping
req POST /migrator/v1/migrations -H "$H" -d '{}'
t_like "$S $R" '^409 .*in progress' "a second POST meanwhile: 409"
req GET /migrator/health
t_is "$S" 200 "health answers during the migration"
wait $C1
t_is "$(cat "$T_TMP/first.code")" 200 "the first POST completes: 200"
t_is "$(q "select count(*) from flyway_schema_history where version = '3'")" 1 "V3 applied once"

# SIGTERM during a long migration: answered, no new connections, exit 0.
printf 'SELECT pg_sleep(2);\nCREATE TABLE d (id int);\n' >"$D/V4__slow.sql"
curl -s -o "$T_TMP/term" -w '%{http_code}' -X POST -H "$H" -d '{}' "$B/migrator/v1/migrations" >"$T_TMP/term.code" &
C2=$!
t_ok "a migration is running when SIGTERM comes" wait_sleeping
kill -TERM "$SP"
refused=1
for ((i = 0; i < 100; i++)); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || { refused=0; break; }; sleep 0.05; done
t_is "$refused" 0 "after SIGTERM the port accepts no new connection"
wait $C2
t_is "$(cat "$T_TMP/term.code")" 200 "the running migration finishes and is answered"
t_like "$(cat "$T_TMP/term")" '"applied":1' "with its result"
wait "$SP"
t_is "$?" 0 "then the service exits 0"
t_is "$(q "select success from flyway_schema_history where version = '4'")" t "V4 recorded as applied"

# Access log: one JSON object per request on stdout, nothing else; no secret anywhere.
t_ok "every stdout line is a JSON access log object" python3 -c '
import json,sys
n=0
for line in open(sys.argv[1]):
    d=json.loads(line); assert {"time","method","path","status","durationMs"} <= d.keys(); n+=1
assert n >= 25, n' "$T_TMP/main.out"
t_like "$(grep -c '"status":401' "$T_TMP/main.out")" '^3$' "the 401s are logged"
t_unlike "$(cat "$T_TMP/main.out" "$T_TMP/main.err")" "$TOKEN|$PW" "neither the token nor the password in any output"
t_like "$(cat "$T_TMP/main.err")" 'applied V3' "the engine's lines go to stderr"

# Metrics.
start_serve metrics --url "$URL" --locations "$D" || { t_done; exit 1; }
req POST /v1/migrations -H "$H" -d '{}'
req GET /metrics
t_like "$R" 'orchestrator_migration_runs_total\{result="success"\} 1' "metrics: runs by result"
t_like "$R" '# TYPE orchestrator_migrations_applied_total counter' "metrics: Prometheus text with TYPE lines"
t_like "$R" 'orchestrator_last_migration_duration_seconds [0-9.e-]+' "metrics: last duration"
t_like "$R" 'orchestrator_http_requests_total\{code="200"\} 1' "metrics: requests by status"
kill -TERM "$SP"; wait "$SP"

# Database down: health 503; 401 still answered without the database.
DOWN=$(t_free_port)
start_serve down --url "postgresql://postgres@127.0.0.1:$DOWN/none" --locations "$D" || { t_done; exit 1; }
req GET /health
t_like "$S $R" '^503 .*"status":"unavailable"' "database down: health 503"
t_unlike "$R" "$DOWN" "the 503 body does not describe the network to an unauthenticated caller"
req POST /v1/migrations -d '{}'
t_is "$S" 401 "database down: a request without token is still 401 (no database needed)"
req POST /v1/migrations -H "$H" -d '{}'
t_like "$S" '^5' "with the token it reaches the database and fails 5xx"
kill -TERM "$SP"; wait "$SP"
t_like "$(cat "$T_TMP/down.err")" "health: the database does not answer: .*$DOWN" "the reason is logged on stderr"

# Tenants over HTTP: the tenant list is a query, so added tenants persist as schemas.
echo 'CREATE TABLE ${tenant}.items (id int);' >"$T_TMP/tenant/V1__items.sql"
start_serve tenants --url "$URL" --tenant-locations "$T_TMP/tenant" --jobs 2 \
	--tenants-query "select nspname from pg_namespace where nspname like 'tenant\_%' order by 1" || { t_done; exit 1; }
req POST /v1/tenants -H "$H" -d '{"name":"tenant_a"}'
t_like "$S $R" '^201 .*"applied":1' "POST /v1/tenants adds and migrates a tenant: 201"
req POST /v1/tenants -H "$H" -d '{"name":"tenant_b"}'
req GET /v1/tenants -H "$H"
t_is "$R" '{"tenants":["tenant_a","tenant_b"]}' "GET /v1/tenants lists them"
req POST /v1/tenants -H "$H" -d '{"name":"x; drop table y"}'
t_like "$S $R" "^400 .*not a tenant schema name" "a bad tenant name: 400"
req POST /v1/tenants -d '{"name":"tenant_c"}'
t_is "$S" 401 "POST /v1/tenants needs the token"
echo 'CREATE TABLE ${tenant}.more (id int);' >"$T_TMP/tenant/V2__more.sql"
req POST /v1/migrations -H "$H" -d '{"response":"list"}'
t_is "$(printf '%s' "$R" | python3 -c 'import json,sys; d=json.load(sys.stdin)["tenants"]; print(d["total"], d["applied"], [t["tenant"] for t in d["tenants"]])')" \
	"2 2 ['tenant_a', 'tenant_b']" "POST /v1/migrations migrates every tenant"
req GET /metrics
t_like "$R" 'orchestrator_tenants 2' "metrics: tenants"
kill -TERM "$SP"; wait "$SP"

# The token from Secrets Manager.
moto_start || { t_fail "moto_server started"; t_done; exit 1; }
moto_aws secretsmanager create-secret --name serve/token --secret-string "{\"token\":\"$TOKEN\"}" >/dev/null
SERVE_TOKEN_VALUE= SERVE_TOKEN_SECRET=serve/token:token start_serve sm --url "$URL" --locations "$D" || { t_done; exit 1; }
req GET /v1/config -H "$H"
t_like "$S $R" '^200 .*"tokenSource":"Secrets Manager' "token from Secrets Manager accepted"
kill -TERM "$SP"; wait "$SP"
t_unlike "$(cat "$T_TMP/sm.out" "$T_TMP/sm.err")" "$TOKEN" "the secret's token not printed"
t_done
