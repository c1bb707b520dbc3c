#!/bin/sh
# bench/run_task.sh: orchestrator run-task against the template's way (`aws ecs run-task`
# then `aws ecs wait tasks-stopped`) on the same moto_server, for a task that reaches
# STOPPED after TIMES DescribeTasks calls per state (4 states: 4*TIMES polls). Counts the
# API calls each makes (through a recording proxy) and the wall time, both with their
# default polling intervals, and prints the ratios. A report, never a pass/fail.
# run-task does more per run than the template: it resolves names, reads the task
# definition, streams the log and checks the exit code; the template does none of that.
#
# Then, for tasks that run BENCH_LENGTHS seconds (default "10 60"), the time from the
# task's STOPPED (the bench stops it with StopTask at that moment, so STOPPED has a known
# time) to run-task's exit, with run-task's default cadences (DescribeTasks every 1 s,
# the log read until quiet for 2 s after STOPPED), and the API calls per minute of
# waiting (every request between RunTask and the exit, through the recording proxy).
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

# ---- STOPPED to exit, and API calls per minute of waiting
$FIX transition 1000000 # RUNNING until the bench stops it
echo
echo "run-task: from STOPPED to exit, and API calls while waiting (default cadences)"
printf '  %-12s %14s %16s %14s\n' "task length" "STOPPED->exit" "calls/min waiting" "DescribeTasks"
for len in ${BENCH_LENGTHS:-10 60}; do
	: >"$T_TMP/proxy/requests.jsonl"
	AWS_ENDPOINT_URL=$PROXY "$ORC" run-task --config "$T_TMP/config.json" --branch main >"$T_TMP/len.out" 2>&1 &
	pid=$!
	arn=
	for _ in $(seq 600); do
		arn=$(grep -oE 'arn:aws:ecs:[^ ]+:task/[^ ]+' "$T_TMP/len.out" | head -1)
		[ -n "$arn" ] && break
		sleep 0.05
	done
	started=$(now)
	# The task "runs" for len seconds: the one place a bench waits on the clock.
	sleep "$len"
	stopped=$($FIX stop "$arn") # the moment StopTask returned, not the fixture's exit
	wait $pid
	exited=$(now)
	python3 - "$T_TMP/proxy/requests.jsonl" "$started" "$stopped" "$exited" "$len" <<'PY'
import json, sys
reqs = [json.loads(l)["op"] for l in open(sys.argv[1])]
started, stopped, exited, length = map(float, sys.argv[2:6])
i = max(k for k, op in enumerate(reqs) if op.endswith(".RunTask"))
waiting = reqs[i + 1:]
minutes = (exited - started) / 60.0
print("  %-12s %13.2fs %16.1f %14d" % ("%d s" % length, exited - stopped, len(waiting) / minutes,
                                        sum(op.endswith(".DescribeTasks") for op in waiting)))
PY
done
