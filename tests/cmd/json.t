#!/usr/bin/env bash
# --output json (and its alias --json) on the commands scripts read: stdout is exactly one
# JSON document with the result; the human lines move to stderr. trigger (dry run, no
# network), config check, and migrate/validate/info on a real PostgreSQL. snapshot create
# and run-task are checked in tests/snapshot/create.t and tests/run_task/run_task.t, where
# their AWS stand-ins run.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/pg.sh"
unset GITHUB_ACTIONS
export GITHUB_API_URL=http://127.0.0.1:9
pg_ensure || exit 1
cd "$T_TMP" || exit 1
# jq_is JSON FILTER WANT DESC
jq_is() { t_is "$(printf '%s' "$1" | jq -c "$2" 2>&1)" "$3" "$4"; }

cat >config.json <<'JSON'
{"githubOwner": "acme", "githubRepo": "db", "dockerOwner": "acme", "dockerRepo": "flyway",
 "infrastructure": {"us-west-2": {"terraformBucket": "b1"}, "eu-west-1": {"terraformBucket": "b2"}}}
JSON

t_run "$ORC" trigger run-migration --region all --branch main --dry-run --output json
t_is "$T_RC" 0 "trigger --output json: exit 0"
jq_is "$T_OUT" '[.repository, .dryRun, (.requests | length)]' '["acme/db",true,2]' "trigger: one request per region, not sent"
jq_is "$T_OUT" '[.requests[] | .requestId == .body.client_payload.request_id] | all' 'true' "trigger: each request id is the one in its payload"
jq_is "$T_OUT" '[.requests[].region]' '["us-west-2","eu-west-1"]' "trigger: the regions"
t_like "$T_ERR" "dry run: nothing was sent" "trigger: the human line is on stderr"
t_run "$ORC" trigger run-migration --region us-west-2 --branch main --dry-run --json
jq_is "$T_OUT" '.requests[0].body.event_type' '"run-migration"' "trigger --json is the same as --output json"
t_run "$ORC" trigger --list-events --json
jq_is "$T_OUT" 'keys | length' '8' "trigger --list-events stays JSON on stdout"

t_run "$ORC" config check --output json
t_is "$T_RC" 0 "config check --output json: exit 0"
jq_is "$T_OUT" '[.ok, .exitCode, .regions, .problems]' '[true,0,["us-west-2","eu-west-1"],[]]' "config check: ok, regions, no problems"
t_unlike "$T_OUT" "OK \(" "config check: the text line is not on stdout"
t_run "$ORC" config check --config "$ROOT/config.json" --operation deploy-infrastructure --region us-west-2 --json
t_is "$T_RC" 2 "config check --operation with CHANGE ME values: exit 2"
jq_is "$T_OUT" '[.ok, .exitCode, .operation, (.problems | length > 0)]' '[false,2,"deploy-infrastructure",true]' "config check: the problems are listed"
printf '{"githubOwner": "acme", "githubRepoo": "db"}' >bad.json
t_run "$ORC" config check --config bad.json --json
jq_is "$T_OUT" '[.ok, (.problems | map(test("githubRepoo")) | any)]' '[false,true]' "config check: a broken file's problems"

pg_newdb
mkdir sql
printf 'CREATE TABLE a (id int);\n' >sql/V1__a.sql
printf 'CREATE TABLE b (id int);\n' >sql/V2__b.sql
t_run "$ORC" migrate --url "$PG_URL" --output json
t_is "$T_RC" 0 "migrate --output json: exit 0"
jq_is "$T_OUT" '[.operation, .ok, .migrationsExecuted, .error]' '["migrate",true,2,null]' "migrate: two applied"
t_run "$ORC" validate --url "$PG_URL" --json
jq_is "$T_OUT" '[.operation, .ok, .exitCode]' '["validate",true,0]' "validate: ok"
printf 'CREATE TABLE a (id bigint);\n' >sql/V1__a.sql
t_run "$ORC" validate --url "$PG_URL" --json
t_is "$T_RC" 1 "validate after a changed file: exit 1"
jq_is "$T_OUT" '[.ok, .exitCode, (.error | test("V1"))]' '[false,1,true]' "validate: the mismatch is the error"
t_run "$ORC" info --url "$PG_URL" --json
jq_is "$T_OUT" '.migrations | length' '2' "info --json keeps its document"
printf 'CREATE TABLE a (id int);\n' >sql/V1__a.sql
printf 'CREATE TABLE c (id int);\nCREATE TABLE d (id int;\n' >sql/V3__c.sql
t_run "$ORC" migrate --url "$PG_URL" --json
t_is "$T_RC" 1 "a failing migration: exit 1"
jq_is "$T_OUT" '[.ok, .migrationsExecuted, .file, (.line > 0)]' '[false,0,"sql/V3__c.sql",true]' "migrate: the failing file and line"
t_run "$ORC" migrate --git-branch main --git-url "file://$T_TMP/no-such-repo" --url "$PG_URL" --json
t_is "$T_RC" 3 "a repository that does not exist: exit 3 (not found)"
jq_is "$T_OUT" '[.operation, .ok, (.error | test("no-such-repo"))]' '["migrate",false,true]' "a clone that fails: still one document"
t_done
