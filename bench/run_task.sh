#!/bin/sh
# bench/run_task.sh: orchestrator run-task against the template's way (`aws ecs run-task`
# then `aws ecs wait tasks-stopped`) on the same moto_server, for a task that reaches
# STOPPED after TIMES DescribeTasks calls per state (4 states: 4*TIMES polls). Counts the
# API calls each makes (through a recording proxy) and the wall time, both with their
# default polling intervals, and prints the ratios. A report, never a pass/fail.
# run-task does more per run than the template: it resolves names, reads the task
# definition, streams the log and checks the exit code; the template does none of that.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
cd "$(dirname "$0")/.." || exit 2
source tests/lib/tap.sh
source tests/lib/moto.sh
export ROOT
TIMES=${BENCH_TIMES:-1}
FIX="python3 $ROOT/tests/run_task/fixture.py"
moto_start >/dev/null || { echo "bench: moto_server did not start" >&2; exit 1; }
IDS=$($FIX setup "$T_TMP/config.json") || exit 1
id() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$IDS" "$1"; }
PPORT=$(t_free_port)
mkdir -p "$T_TMP/proxy"
python3 tests/run_task/proxy.py "$PPORT" "$AWS_ENDPOINT_URL" "$T_TMP/proxy" &
t_defer "kill $! 2>/dev/null"
t_wait_port "$PPORT" 10
PROXY=http://127.0.0.1:$PPORT
calls() { grep -c . "$T_TMP/proxy/requests.jsonl"; }
now() { date +%s.%N; }

$FIX transition "$TIMES"
: >"$T_TMP/proxy/requests.jsonl"
t0=$(now)
AWS_ENDPOINT_URL=$PROXY "$ORC" run-task --config "$T_TMP/config.json" --branch main >/dev/null 2>&1
orc_rc=$?
t1=$(now)
orc_calls=$(calls)
orc_polls=$(grep -c DescribeTasks "$T_TMP/proxy/requests.jsonl")

: >"$T_TMP/proxy/requests.jsonl"
t2=$(now)
arn=$(AWS_ENDPOINT_URL=$PROXY aws ecs run-task --cluster ecs-cluster --task-definition flyway-migration-family \
	--launch-type FARGATE \
	--network-configuration "awsvpcConfiguration={subnets=[$(id subnet_a),$(id subnet_b)],securityGroups=[$(id sg_task),$(id sg_db)],assignPublicIp=ENABLED}" \
	--overrides '{"containerOverrides":[{"name":"flyway","command":["orchestrator","migrate","--git-branch","main"]}]}' \
	--query 'tasks[0].taskArn' --output text)
AWS_ENDPOINT_URL=$PROXY aws ecs wait tasks-stopped --cluster ecs-cluster --tasks "$arn"
aws_rc=$?
t3=$(now)
aws_calls=$(calls)
aws_polls=$(grep -c DescribeTasks "$T_TMP/proxy/requests.jsonl")

python3 - "$t0" "$t1" "$t2" "$t3" "$orc_calls" "$aws_calls" "$orc_polls" "$aws_polls" "$TIMES" "$orc_rc" "$aws_rc" <<'PY'
import sys
t0, t1, t2, t3 = map(float, sys.argv[1:5])
oc, ac, op, ap, times, orc_rc, aws_rc = map(int, sys.argv[5:12])
ot, at = t1 - t0, t3 - t2
print("run-task vs template (aws ecs run-task + aws ecs wait tasks-stopped), task stops after %d state moves x %d poll(s)" % (4, times))
print("  %-34s %9s %9s %9s %5s" % ("", "API calls", "polls", "wall s", "exit"))
print("  %-34s %9d %9d %9.2f %5d" % ("orchestrator run-task", oc, op, ot, orc_rc))
print("  %-34s %9d %9d %9.2f %5d" % ("template (aws CLI run-task + wait)", ac, ap, at, aws_rc))
print("  ratio orchestrator/template: API calls %.2f, wall time %.2f" % (oc / max(ac, 1), ot / max(at, 1e-9)))
print("  (run-task's extra calls: DescribeTaskDefinition, DescribeSubnets, DescribeSecurityGroups and")
print("   GetLogEvents per poll: name resolution, the container name, log streaming and the exit code)")
PY
