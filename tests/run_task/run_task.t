#!/usr/bin/env bash
# orchestrator run-task against moto_server with SigV4 checking on: name resolution,
# the RunTask body (compared with the aws CLI's for the same inputs), log streaming,
# exit codes, RunTask failures, timeout, GitHub Actions output.
# moto cannot set a container exit code, a stopCode or RunTask failures; for those cases
# a proxy in front of moto (proxy.py) patches the answers, and the test says so.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/moto.sh"
export ROOT
FIX="python3 $ROOT/tests/run_task/fixture.py"
moto_start || { t_fail "moto_server started"; t_done; exit 1; }
IDS=$($FIX setup "$T_TMP/config.json") || { t_fail "fixtures created"; t_done; exit 1; }
id() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$IDS" "$1"; }
CFG=$T_TMP/config.json
export ORC_TASK_POLL_MS=100 ORC_AWS_RETRY_BASE_MS=20 ORC_TASK_SETTLE_MS=50 ORC_TASK_LOG_QUIET_MS=200

# config.json variants: set KEY=JSON under infrastructure.us-west-2.flywayTask
cfg() {
	local out=$T_TMP/cfg-$RANDOM.json
	python3 - "$CFG" "$out" "$@" <<'PY'
import json, sys
cfg = json.load(open(sys.argv[1]))
ft = cfg["infrastructure"]["us-west-2"]["flywayTask"]
for kv in sys.argv[3:]:
    k, v = kv.split("=", 1)
    ft[k] = json.loads(v)
json.dump(cfg, open(sys.argv[2], "w"))
PY
	echo "$out"
}
ntasks() { $FIX tasks | sort -u | wc -l; }

PPORT=$(t_free_port)
mkdir -p "$T_TMP/proxy"
python3 "$ROOT/tests/run_task/proxy.py" "$PPORT" "$AWS_ENDPOINT_URL" "$T_TMP/proxy" 2>"$T_TMP/proxy.err" &
t_defer "kill $! 2>/dev/null"
t_wait_port "$PPORT" 10
PROXY=http://127.0.0.1:$PPORT
rewrite() { printf '%s' "$1" >"$T_TMP/proxy/rewrite.json"; }
last_body() { # last JSON body of an operation seen by the proxy
	python3 - "$T_TMP/proxy/requests.jsonl" "$1" <<'PY'
import json, sys
last = None
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["op"].endswith("." + sys.argv[2]):
        last = r.get("body")
print(json.dumps(last, sort_keys=True))
PY
}

# ---- usage and configuration
t_run "$ORC" run-task --config "$CFG" --region eu-north-9
t_is "$T_RC" 2 "unknown region: usage error"
t_like "$T_ERR" "no region 'eu-north-9' under infrastructure \(it has: us-west-2\)" "unknown region: names the known ones"
t_run "$ORC" run-task --config "$CFG" --branch 'bad branch..name'
t_is "$T_RC" 2 "invalid branch name: usage error"
t_run "$ORC" run-task --config "$(cfg taskCluster='"CHANGE ME"')"
t_is "$T_RC" 2 "CHANGE ME cluster: usage error"
t_like "$T_ERR" 'flywayTask: taskCluster not set' "CHANGE ME cluster: names the key"
t_run "$ORC" run-task --config "$CFG" --timeout 0
t_is "$T_RC" 2 "--timeout 0: usage error"

# ---- name resolution (nothing may start when a name is wrong)
t_run "$ORC" run-task --config "$(cfg taskSubnets='"migrate-a,nope-subnet,dup-subnet"')"
t_is "$T_RC" 2 "subnet names: a missing and an ambiguous one fail the run"
t_like "$T_ERR" "taskSubnets: subnet names in region us-west-2: 'nope-subnet' not found; 'dup-subnet' matches 2 \(subnet-" \
	"subnet names: every bad name listed, with the IDs of an ambiguous one"
t_run "$ORC" run-task --config "$(cfg taskSecurityGroups='"flyway-fargate-sg,shared-sg,gone-sg"')"
t_is "$T_RC" 2 "security group names: missing and ambiguous fail"
t_like "$T_ERR" "taskSecurityGroups: security group names in region us-west-2: 'shared-sg' matches 2 .*; 'gone-sg' not found" \
	"security group names: both named"
t_is "$(ntasks)" 0 "no task started by a bad configuration"

# ---- IDs pass through; the RunTask body equals the aws CLI's for the same inputs
SA=$(id subnet_a) SB=$(id subnet_b) SGT=$(id sg_task)
C2=$(cfg taskSubnets="\"$SA, migrate-b\"" taskSecurityGroups="\"$SGT,auroradb-sg\"" isPublicSubnet=false)
t_run env AWS_ENDPOINT_URL=$PROXY "$ORC" run-task --config "$C2" --branch release/1.2 --no-wait
t_is "$T_RC" 0 "IDs and names mixed, --no-wait: started"
t_like "$T_OUT" 'task arn:aws:ecs:us-west-2:[0-9]+:task/ecs-cluster/[0-9a-f-]+ started' "prints the task ARN"
t_like "$T_OUT" 'console: https://us-west-2.console.aws.amazon.com/ecs/v2/clusters/ecs-cluster/tasks/[0-9a-f-]+' "prints the console URL"
t_is "$(ntasks)" 1 "--no-wait: exactly one task"
OURS=$(last_body RunTask)
TD=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["taskDefinition"])' "$OURS")
AWS_ENDPOINT_URL=$PROXY aws ecs run-task --cluster ecs-cluster --task-definition "$TD" --launch-type FARGATE \
	--network-configuration "awsvpcConfiguration={subnets=[$SA,$SB],securityGroups=[$SGT,$(id sg_db)],assignPublicIp=DISABLED}" \
	--overrides '{"containerOverrides":[{"name":"flyway","command":["orchestrator","migrate","--git-branch","release/1.2"]}]}' \
	--started-by orchestrator >/dev/null
THEIRS=$(last_body RunTask)
strip_token() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); t=d.pop("clientToken",""); d.pop("startedBy",""); print(json.dumps(d,sort_keys=True))' "$1"; }
t_is "$(strip_token "$OURS")" "$(strip_token "$THEIRS")" "RunTask body: the same as the aws CLI's (clientToken and startedBy aside)"
t_like "$OURS" '"clientToken": "orc-[0-9a-f]{32}"' "RunTask body: carries a clientToken"
t_is "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["startedBy"] == d["clientToken"])' "$OURS")" True \
	"RunTask body: startedBy is the clientToken (ListTasks finds a task whose answer was lost)"
t_like "$OURS" '"taskDefinition": "arn:aws:ecs:us-west-2:[0-9]+:task-definition/flyway-migration-family:1"' \
	"RunTask body: pins the revision that was inspected"

# ---- taskCommand with {branch}, and a sidecar declared first
C3=$(cfg taskDefinitionFamily='"with-sidecar"' taskCommand='["/flyway/scripts/flyway-rds-migration.sh", "{branch}", "x{branch}y"]')
t_run env AWS_ENDPOINT_URL=$PROXY "$ORC" run-task --config "$C3" --branch feature/x --no-wait
t_is "$T_RC" 0 "sidecar family: started"
t_is "$(last_body RunTask | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["overrides"], sort_keys=True))')" \
	'{"containerOverrides": [{"command": ["/flyway/scripts/flyway-rds-migration.sh", "feature/x", "xfeature/xy"], "name": "migrator"}]}' \
	"override: the essential container named by the task definition, taskCommand with {branch}"

# ---- waiting: log lines streamed as they arrive, exit 0. Driven by events: the task
# stays RUNNING (a transition that never comes) until the test has seen the first lines
# printed and put the next ones, then moves one state per poll; the last lines arrive
# after ECS says STOPPED (the proxy puts them then, see late_logs.json).
$FIX transition 100000
: >"$T_TMP/gh-out"; : >"$T_TMP/gh-sum"
printf '{"group": "/ecs/flyway", "prefix": "ecs/flyway/", "lines": ["late line after STOPPED", "ERROR: the migration error"]}' >"$T_TMP/proxy/late_logs.json"
rm -f "$T_TMP/proxy/late_logs.done"
GITHUB_ACTIONS=true GITHUB_OUTPUT=$T_TMP/gh-out GITHUB_STEP_SUMMARY=$T_TMP/gh-sum AWS_ENDPOINT_URL=$PROXY \
	"$ORC" run-task --config "$CFG" --branch main >"$T_TMP/bg.out" 2>"$T_TMP/bg.err" &
BG=$!
t_wait_file_grep() { # FILE PATTERN: up to 60 s for the pattern, checked every 0.1 s
	local i; for i in $(seq 600); do grep -q -- "$2" "$1" 2>/dev/null && return 0; kill -0 $BG 2>/dev/null || break; sleep 0.1; done
	grep -q -- "$2" "$1" 2>/dev/null
}
t_wait_file_grep "$T_TMP/bg.out" 'arn:aws:ecs:.*started'
ARN=$(grep -oE 'arn:aws:ecs:[^ ]+:task/[^ ]+' "$T_TMP/bg.out" | head -1)
$FIX logs "$ARN" "Migrating schema \"public\" to version 1 - init" "line two"
t_wait_file_grep "$T_TMP/bg.out" 'line two'
$FIX logs "$ARN" "::error::not a command from the container" "Successfully applied 1 migration"
t_wait_file_grep "$T_TMP/bg.out" 'Successfully applied 1 migration'
$FIX transition 1
RC=0; wait $BG || RC=$?
OUT=$(cat "$T_TMP/bg.out")
t_is "$RC" 0 "task stopped, container exit code 0: exit 0"
t_like "$OUT" 'line two' "first log lines streamed while running"
t_is "$(grep -c 'Migrating schema "public" to version 1 - init\|line two\|Successfully applied 1 migration' "$T_TMP/bg.out")" 3 \
	"every log line printed exactly once, later ones included"
t_ok "the proxy put the late lines after relaying STOPPED" test -s "$T_TMP/proxy/late_logs.done"
t_is "$(grep -c 'late line after STOPPED\|ERROR: the migration error' "$T_TMP/bg.out")" 2 \
	"lines CloudWatch delivers after STOPPED: read on until quiet, each printed once"
t_is "$(grep -n 'ERROR: the migration error\|exited 0' "$T_TMP/bg.out" | cut -d: -f2- | sed -E 's/.*(ERROR|exited).*/\1/' | tr '\n' ' ')" "ERROR exited " \
	"the late lines come before the exit is reported"
t_like "$OUT" "container 'flyway' exited 0" "reports the exit"
t_is "$(grep -E '^::' "$T_TMP/bg.out" | grep -v '^::add-mask::' | sed -E 's/[0-9a-f]{32}/TOKEN/')" \
"::group::migration task log
::stop-commands::orc-TOKEN
::orc-TOKEN::
::endgroup::" "Actions: log lines in a group, workflow commands in them switched off"
t_like "$OUT" '^\\x3a:error::not a command from the container$' "and a container line never starts with :: (escaped)"
t_like "$(cat "$T_TMP/gh-sum")" '\| exit code 0 \|' "Actions: summary of a successful run"

# ---- exit codes: moto's containers always exit 0, so the proxy patches DescribeTasks
$FIX transition 1
rewrite '{"DescribeTasks": {"exitCode": 5, "stoppedReason": "Essential container in task exited"}}'
t_run env AWS_ENDPOINT_URL=$PROXY "$ORC" run-task --config "$CFG"
t_is "$T_RC" 5 "container exit code 5 (patched by the proxy): run-task exits 5"
t_like "$T_ERR" "migration container 'flyway' of task .* exited with code 5 \(Essential container in task exited\)" \
	"non-zero exit: one error line with the code and reason"
t_run env AWS_ENDPOINT_URL=$PROXY "$ORC" run-task --config "$CFG" --output json
t_is "$T_RC" 5 "--output json: still the container's exit code"
t_is "$(printf '%s' "$T_OUT" | jq -c '[.ok, .exitCode, .region, .waited, (.error | test("exited with code 5"))]')" \
	'[false,5,"us-west-2",true,true]' "--output json: the outcome as JSON on stdout"
rewrite '{"DescribeTasks": {"exitCode": null, "stopCode": "TaskFailedToStart", "stoppedReason": "CannotPullContainerError: pull access denied", "reason": "CannotPullContainerError"}}'
t_run env AWS_ENDPOINT_URL=$PROXY "$ORC" run-task --config "$CFG"
t_is "$T_RC" 1 "stopped without an exit code (patched): exit 1"
t_like "$T_ERR" 'stopCode TaskFailedToStart, stoppedReason CannotPullContainerError: pull access denied; container: CannotPullContainerError' \
	"no exit code: stopCode and stoppedReason reported"
rewrite '{}'
# Unpatched moto: the sidecar family's task holds only the sidecar (moto builds one
# container from the first definition), whose exitCode is 0. Reading containers[0]
# would say success; the migration container has no exit code, so the run fails.
t_run "$ORC" run-task --config "$C3"
t_is "$T_RC" 1 "sidecar with exit 0, migration container without one: exit 1 (not containers[0])"
t_like "$T_ERR" "stopped without an exit code for container 'migrator' \(no such container in the task\)" \
	"sidecar: names the migration container"

# ---- RunTask failures[] (moto never returns any: patched)
rewrite '{"RunTask": {"failures": [{"arn": "arn:aws:ecs:us-west-2:123456789012:container-instance/x", "reason": "RESOURCE:MEMORY", "detail": "no capacity"}]}}'
t_run env AWS_ENDPOINT_URL=$PROXY "$ORC" run-task --config "$CFG"
t_is "$T_RC" 1 "RunTask failures: exit 1"
t_like "$T_ERR" 'the task did not start: arn:aws:ecs:us-west-2:123456789012:container-instance/x RESOURCE:MEMORY: no capacity' \
	"RunTask failures: arn, reason and detail reported"
rewrite '{}'

# ---- timeout
$FIX transition 100000
t_run "$ORC" run-task --config "$CFG" --timeout 1
t_is "$T_RC" 1 "timeout: exit 1"
t_like "$T_ERR" 'is still RUNNING after 1 s \(--timeout\): it keeps running; .*aws ecs stop-task --cluster ecs-cluster' \
	"timeout: says the task keeps running and how to stop it"

# ---- GitHub Actions: group, error annotation, output, summary
$FIX transition 1
: >"$T_TMP/gh-out"; : >"$T_TMP/gh-sum"
"$ORC" run-task --config "$CFG" >/dev/null 2>&1 &
BG=$!
for _ in $(seq 50); do ARN=$($FIX tasks | tail -1); [ -n "$ARN" ] && break; done
wait $BG
rewrite '{"DescribeTasks": {"exitCode": 3}}'
GITHUB_ACTIONS=true GITHUB_OUTPUT=$T_TMP/gh-out GITHUB_STEP_SUMMARY=$T_TMP/gh-sum \
	t_run env AWS_ENDPOINT_URL=$PROXY "$ORC" run-task --config "$CFG" --region us-west-2
rewrite '{}'
t_is "$T_RC" 3 "Actions: exit code propagated"
t_like "$(cat "$T_TMP/gh-out")" '^task-arn=arn:aws:ecs:us-west-2:[0-9]+:task/ecs-cluster/' "Actions: task ARN in GITHUB_OUTPUT"
t_like "$(cat "$T_TMP/gh-sum")" '\| \[[0-9a-f-]+\]\(https://us-west-2.console.aws.amazon.com/ecs/v2/.*\) \| exit code 3 \| [0-9]+ s \| \[CloudWatch\]\(https://us-west-2.console.aws.amazon.com/cloudwatch/home\?region=us-west-2#logsV2:log-groups/log-group/\$252Fecs\$252Fflyway/log-events/ecs\$252Fflyway\$252F' \
	"Actions: summary with task, exit code, duration, log link"
t_like "$T_ERR$T_OUT" '::error::' "Actions: ::error:: annotation on failure"
t_done
