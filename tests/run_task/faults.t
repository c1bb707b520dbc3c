#!/usr/bin/env bash
# run-task through a proxy that answers 500, 503 and throttling errors, drops
# connections and loses answers at random (seeded, at most two faults in a row per
# operation, the first RunTask attempt always fails), then in bursts of 3 and 5
# consecutive failures at every step: every run still succeeds (the retry budget), with
# exactly one task started per run and one clientToken across the RunTask attempts; a
# lost RunTask answer is settled by asking ECS, never by starting a second task.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/moto.sh"
export ROOT
FIX="python3 $ROOT/tests/run_task/fixture.py"
moto_start || { t_fail "moto_server started"; t_done; exit 1; }
$FIX setup "$T_TMP/config.json" >/dev/null || { t_fail "fixtures created"; t_done; exit 1; }
export ORC_TASK_POLL_MS=50 ORC_AWS_RETRY_BASE_MS=20 ORC_TASK_SETTLE_MS=50 ORC_TASK_LOG_QUIET_MS=200
PPORT=$(t_free_port)
mkdir -p "$T_TMP/proxy"
python3 "$ROOT/tests/run_task/proxy.py" "$PPORT" "$AWS_ENDPOINT_URL" "$T_TMP/proxy" 2>"$T_TMP/proxy.err" &
t_defer "kill $! 2>/dev/null"
t_wait_port "$PPORT" 10
$FIX transition 1
ntasks() { $FIX tasks | sort -u | wc -l; }

for seed in 11 23 47; do
	: >"$T_TMP/proxy/requests.jsonl"; : >"$T_TMP/proxy/faults.log"
	echo "$seed 0.35" >"$T_TMP/proxy/faults"
	before=$(ntasks)
	t_run env AWS_ENDPOINT_URL=http://127.0.0.1:$PPORT "$ORC" run-task --config "$T_TMP/config.json" --branch main
	rm -f "$T_TMP/proxy/faults"
	t_is "$T_RC" 0 "seed $seed: run-task succeeds despite faults"
	t_is "$(($(ntasks) - before))" 1 "seed $seed: exactly one task started"
	t_like "$(grep -c . "$T_TMP/proxy/faults.log")" '^([3-9]|[1-9][0-9]+)$' "seed $seed: faults were injected ($(tr '\n' ' ' <"$T_TMP/proxy/faults.log"))"
	t_like "$(cat "$T_TMP/proxy/faults.log")" 'RunTask' "seed $seed: RunTask itself was retried"
	t_is "$(python3 -c '
import json, sys
toks = {json.loads(l)["body"]["clientToken"] for l in open(sys.argv[1]) if json.loads(l)["op"].endswith(".RunTask")}
n = sum(1 for l in open(sys.argv[1]) if json.loads(l)["op"].endswith(".RunTask"))
print(len(toks), n > 1)' "$T_TMP/proxy/requests.jsonl")" "1 True" "seed $seed: every RunTask attempt carried the same clientToken"
done
# Rate 1: every attempt fails until the streak bound, so every operation (Query and JSON
# alike) fails twice and passes on its third and last attempt.
: >"$T_TMP/proxy/requests.jsonl"; : >"$T_TMP/proxy/faults.log"
echo "5 1.0" >"$T_TMP/proxy/faults"
before=$(ntasks)
t_run env AWS_ENDPOINT_URL=http://127.0.0.1:$PPORT "$ORC" run-task --config "$T_TMP/config.json" --branch main
rm -f "$T_TMP/proxy/faults"
t_is "$T_RC" 0 "two faults on every attempt of every call: still succeeds on the third"
t_is "$(($(ntasks) - before))" 1 "two faults on every call: exactly one task"
t_is "$(python3 -c '
import collections, json, sys
n = collections.Counter(json.loads(l)["op"].split(".")[-1] for l in open(sys.argv[1]))
print(" ".join("%s=%d" % (k, n[k]) for k in ("DescribeTaskDefinition", "DescribeSubnets", "DescribeSecurityGroups")), n["RunTask"] <= 3)' "$T_TMP/proxy/requests.jsonl")" \
	"DescribeTaskDefinition=3 DescribeSubnets=3 DescribeSecurityGroups=3 True" "two faults on every call: three attempts each, no more"

# AWS_MAX_ATTEMPTS is a hard cap even within the budget: a poll that fails all three
# attempts does not end the run: the task runs on, so run-task warns and polls again.
echo "DescribeTasks 4" >"$T_TMP/proxy/fail"
t_run env AWS_ENDPOINT_URL=http://127.0.0.1:$PPORT AWS_MAX_ATTEMPTS=3 "$ORC" run-task --config "$T_TMP/config.json"
t_is "$T_RC" 0 "four failed DescribeTasks in a row (a whole poll lost): still follows the task to the end"
t_like "$T_ERR" 'cannot poll task .* \(will try again\): ecs DescribeTasks: HTTP503' "a lost poll is a warning"
t_is "$(cat "$T_TMP/proxy/fail")" "DescribeTasks 0" "the proxy failed all four"
rm -f "$T_TMP/proxy/fail"

t_run env AWS_ENDPOINT_URL=http://127.0.0.1:$PPORT "$ORC" run-task --config "$T_TMP/config.json" --no-wait
t_is "$T_RC" 0 "without faults: still fine"

# Bursts: N consecutive failures of one step (the kind cycles through 503, throttling, a
# dropped connection and a lost answer). Beyond the standard 3 attempts the operation's
# retry budget carries the run through.
kinds=(503 throttle drop lost)
k=0
for op in DescribeTaskDefinition DescribeSubnets DescribeSecurityGroups RunTask DescribeTasks GetLogEvents; do
	for n in 3 5; do
		kind=${kinds[$((k++ % 4))]}
		: >"$T_TMP/proxy/faults.log"
		echo "$op $n $kind" >"$T_TMP/proxy/fail"
		before=$(ntasks)
		t_run env AWS_ENDPOINT_URL=http://127.0.0.1:$PPORT "$ORC" run-task --config "$T_TMP/config.json"
		t_is "$T_RC" 0 "$op: $n failures in a row ($kind): run-task succeeds"
		t_is "$(($(ntasks) - before))" 1 "$op: $n failures in a row ($kind): exactly one task"
		# A lost RunTask answer is settled at once: ECS lists the task it started.
		want=$n; [ "$op $kind" = "RunTask lost" ] && want=1
		t_is "$(grep -c "$op" "$T_TMP/proxy/faults.log")" "$want" "$op: the proxy failed it $want times"
	done
done
rm -f "$T_TMP/proxy/fail"

# A lost RunTask answer: ECS started the task, the answer never came. run-task asks ECS
# (ListTasks by startedBy) and follows that task instead of starting another.
: >"$T_TMP/proxy/requests.jsonl"
echo "RunTask 1 lost" >"$T_TMP/proxy/fail"
before=$(ntasks)
t_run env AWS_ENDPOINT_URL=http://127.0.0.1:$PPORT "$ORC" run-task --config "$T_TMP/config.json"
t_is "$T_RC" 0 "RunTask answer lost: run-task succeeds"
t_is "$(($(ntasks) - before))" 1 "RunTask answer lost: exactly one task (moto ignores clientToken: a blind resend would make two)"
t_like "$T_ERR" 'asking ECS whether the task \(startedBy orc-[0-9a-f]{32}\) started' "RunTask answer lost: says it asks ECS"
t_like "$T_OUT" 'the answer was lost, but the task did start' "RunTask answer lost: reports what ECS said"
t_is "$(grep -c '"op": "AmazonEC2ContainerServiceV20141113.RunTask"' "$T_TMP/proxy/requests.jsonl")" 1 "RunTask answer lost: sent once"
# A RunTask that never reached ECS (dropped before forwarding): ECS lists no task, and the
# same request goes again.
: >"$T_TMP/proxy/requests.jsonl"
echo "RunTask 1 drop" >"$T_TMP/proxy/fail"
before=$(ntasks)
t_run env AWS_ENDPOINT_URL=http://127.0.0.1:$PPORT "$ORC" run-task --config "$T_TMP/config.json"
t_is "$T_RC" 0 "RunTask dropped before ECS: run-task succeeds"
t_is "$(($(ntasks) - before))" 1 "RunTask dropped before ECS: exactly one task"
t_like "$T_OUT" 'no task started; sending the same request again' "RunTask dropped before ECS: resent after ECS listed none"
rm -f "$T_TMP/proxy/fail"

# The budget is spent: a step that keeps failing ends the run with the count, and nothing started.
echo "DescribeTaskDefinition 1000 503" >"$T_TMP/proxy/fail"
before=$(ntasks)
t_run env AWS_ENDPOINT_URL=http://127.0.0.1:$PPORT AWS_MAX_ATTEMPTS=4 "$ORC" run-task --config "$T_TMP/config.json"
t_is "$T_RC" 1 "AWS_MAX_ATTEMPTS=4 and a step that keeps failing: exit 1"
t_like "$T_ERR" 'DescribeTaskDefinition: HTTP503.*gave up after 4 attempts' "AWS_MAX_ATTEMPTS=4: four attempts, as the SDKs"
t_is "$(($(ntasks) - before))" 0 "a step that keeps failing: nothing started"
rm -f "$T_TMP/proxy/fail"
t_done
