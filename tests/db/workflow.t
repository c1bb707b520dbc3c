#!/usr/bin/env bash
# The compare-databases operation end to end short of a real database in AWS:
# trigger_workflow builds the payload (names only, never a URL), the workflow's request
# check refuses hostile values, run-task sends `db compare` as the container command
# (moto with SigV4 checking; the RunTask body seen by the proxy), the task's markdown log
# lines are streamed back, and the workflow's "Results table" step lifts them into the job
# summary. moto cannot run the container: the test puts the task's log lines itself.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/moto.sh"
unset GITHUB_ACTIONS
WF=$ROOT/.github/workflows/compare-databases.yml
SCRIPT="python3 $ROOT/tests/infra/workflows.py $ROOT --script compare-databases.yml"

# --- trigger_workflow
proj=$T_TMP/proj
mkdir -p "$proj"
echo '{"githubOwner":"o","githubRepo":"r","infrastructure":{"us-west-2":{}}}' >"$proj/config.json"
trig() { t_run "$ORC" trigger compare-databases --config "$proj/config.json" --dry-run "$@"; }
trig --region us-west-2 --source cluster:old-db --target secret:prod/new-db
t_is "$T_RC" 0 "trigger compare-databases: a dry run"
t_like "$(printf '%s\n' "$T_OUT" | tail -1)" '"event_type":"compare-databases","client_payload":\{"region":"us-west-2","source":"cluster:old-db","target":"secret:prod/new-db","requested_by":' "payload: region, source, target"
for bad in "postgresql://app:s3cr3t@db.example.com/app" "host=db password=s3cr3t" "app:s3cr3t@db" "cluster:" "-x" "secret:a b"; do
	trig --region us-west-2 --source cluster:old --target "$bad"
	t_is "$T_RC" 2 "trigger: --target $(printf %q "$bad") is refused"
	t_unlike "$T_OUT$T_ERR" "s3cr3t" "trigger: a refused value is not echoed"
done
trig --region us-west-2 --source cluster:old
t_is "$T_RC" 2 "trigger: --target is required"
t_like "$T_ERR" "missing --target" "says which"
t_run "$ORC" trigger restore-snapshot --config "$proj/config.json" --dry-run --region us-west-2 --snapshot arn:aws:rds:us-west-2:123456789012:cluster-snapshot:shared-1
t_is "$T_RC" 0 "restore-snapshot accepts a cluster snapshot ARN"
t_run "$ORC" trigger restore-snapshot --config "$proj/config.json" --dry-run --region us-west-2 --snapshot 'arn:aws:rds:us-west-2:123456789012:cluster-snapshot:x;id'
t_is "$T_RC" 2 "restore-snapshot refuses a malformed ARN"
t_run "$ORC" trigger --list-events
t_like "$T_OUT" '"compare-databases":' "--list-events lists compare-databases"

# --- the workflow file
t_is "$(grep -E '^\s+uses: [a-z]' "$WF" | grep -vE '@[0-9a-f]{40} # v' || true)" "" "every action is pinned by a full commit SHA"
t_is "$(grep -cE '^\s+uses: [a-z]' "$WF")" 2 "(checkout and configure-aws-credentials)"
t_like "$(cat "$WF")" "environment: compare-databases" "the job runs in a GitHub environment"
$SCRIPT "Check the request" >"$T_TMP/check.sh"
check() { t_run env REGION="$1" SOURCE="$2" TARGET="$3" bash -e "$T_TMP/check.sh"; }
check us-west-2 cluster:old-db secret:prod/new-db
t_is "$T_RC" 0 "request check: names pass"
check us-west-2 old-db new_secret+1=x.y@z
t_is "$T_RC" 0 "request check: bare names pass"
for bad in "postgresql://app:pw@h/db" "app:pw@h" '$(touch pwned)' "x;touch pwned" "" $'a\nb' "cluster:secret:x"; do
	check us-west-2 cluster:old "$bad"
	t_is "$T_RC" 2 "request check: target $(printf %q "$bad") is refused"
done
check 'us-west-2$(id)' a b
t_is "$T_RC" 2 "request check: a bad region is refused"
t_ok "nothing was executed from the payload" test ! -e pwned

# restore-snapshot's request check takes an identifier or a cluster snapshot ARN
python3 "$ROOT/tests/infra/workflows.py" "$ROOT" --script restore-snapshot.yml "Check the request" >"$T_TMP/rcheck.sh"
for good in "" golden-1 arn:aws:rds:us-west-2:123456789012:cluster-snapshot:golden-1; do
	t_run env REGION=us-west-2 SNAPSHOT="$good" bash -e "$T_TMP/rcheck.sh"
	t_is "$T_RC" 0 "restore-snapshot check: snapshot $(printf %q "$good") passes"
done
for bad in "arn:aws:rds:us-west-2:123456789012:snapshot:golden" "arn:aws:rds:us-west-2:1234:cluster-snapshot:g" 'golden;id' "arn:aws:rds:us-west-2:123456789012:cluster-snapshot:g\$(id)"; do
	t_run env REGION=us-west-2 SNAPSHOT="$bad" bash -e "$T_TMP/rcheck.sh"
	t_is "$T_RC" 2 "restore-snapshot check: snapshot $(printf %q "$bad") is refused"
done

# --- run-task -- COMMAND, against moto
export ROOT
moto_start || { t_fail "moto_server started"; t_done; exit 1; }
FIX="python3 $ROOT/tests/run_task/fixture.py"
$FIX setup "$T_TMP/config.json" >/dev/null || { t_fail "fixtures created"; t_done; exit 1; }
export ORC_TASK_POLL_MS=100 ORC_AWS_RETRY_BASE_MS=20
PPORT=$(t_free_port)
mkdir -p "$T_TMP/proxy"
python3 "$ROOT/tests/run_task/proxy.py" "$PPORT" "$AWS_ENDPOINT_URL" "$T_TMP/proxy" 2>"$T_TMP/proxy.err" &
t_defer "kill $! 2>/dev/null"
t_wait_port "$PPORT" 30
overrides() {
	python3 - "$T_TMP/proxy/requests.jsonl" <<'PY'
import json, sys
last = None
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["op"].endswith(".RunTask"):
        last = r["body"]["overrides"]["containerOverrides"][0]["command"]
print(json.dumps(last))
PY
}

# The workflow's own command line, run with the payload values.
$SCRIPT "Compare in the ECS task" >"$T_TMP/compare.sh"
sed -i 's/orchestrator run-task /orchestrator run-task --config "$CFG" /' "$T_TMP/compare.sh"
# The task stays RUNNING (a transition that never comes) until its output is in its log
# stream, then stops: the lines are there however slowly this machine runs the step.
$FIX transition 100000
RUNNER_TEMP=$T_TMP/runner
mkdir -p "$RUNNER_TEMP"
env -C "$T_TMP" PATH="$(dirname "$ORC"):$PATH" CFG="$T_TMP/config.json" AWS_ENDPOINT_URL="http://127.0.0.1:$PPORT" \
	REGION=us-west-2 SOURCE=cluster:old-db TARGET=secret:prod/new-db TIMEOUT=60 RUNNER_TEMP="$RUNNER_TEMP" \
	bash -e "$T_TMP/compare.sh" >"$T_TMP/run.out" 2>"$T_TMP/run.err" &
BG=$!
ARN=
for _ in $(seq 300); do
	ARN=$(grep -oE 'arn:aws:ecs:[^ ]+:task/[^ ]+' "$T_TMP/run.out" 2>/dev/null | head -1)
	[ -n "$ARN" ] && break
	sleep 0.1
done
t_like "$ARN" "^arn:aws:ecs:" "the workflow step started the task"
t_is "$(overrides)" '["orchestrator", "db", "compare", "--source-cluster", "old-db", "--target-secret", "prod/new-db", "--region", "us-west-2", "--markdown"]' \
	"RunTask: the container command is db compare with the names, no URL"
$FIX logs "$ARN" "### db compare: differences found" "| table | source rows | target rows | source checksum | target checksum | result |" \
	"|---|---:|---:|---|---|---|" "| public.t |          2 |          1 | 00000000000000aa | 00000000000000bb | **different**: row count 2 on source, 1 on target |" \
	"db compare: 1 table, 0 equal, 1 different; 2 source rows in 0.1 s"
$FIX transition 1
RC=0
wait "$BG" || RC=$?
t_is "$RC" 0 "the step ends with the task (moto's container exit code is always 0)"
t_like "$(cat "$T_TMP/run.out")" "\| public.t .*row count 2 on source, 1 on target" "the task's result lines are streamed to the job log"

$SCRIPT "Results table" >"$T_TMP/summary.sh"
: >"$T_TMP/summary.md"
t_ok "the Results table step runs" env RUNNER_TEMP="$RUNNER_TEMP" GITHUB_STEP_SUMMARY="$T_TMP/summary.md" bash -e "$T_TMP/summary.sh"
t_is "$(head -1 "$T_TMP/summary.md")" "### db compare: differences found" "the job summary starts with the result heading"
t_like "$(cat "$T_TMP/summary.md")" "\| public.t \| .*\*\*different\*\*" "the job summary holds the table"
t_is "$(tail -1 "$T_TMP/summary.md")" "db compare: 1 table, 0 equal, 1 different; 2 source rows in 0.1 s" "and ends with the summary line"
t_ok "the summary renders as a GitHub table" sh -c "cmark-gfm -e table '$T_TMP/summary.md' | grep -q '<table>'"
t_done
