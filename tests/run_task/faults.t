#!/usr/bin/env bash
# run-task through a proxy that answers 500, 503 and throttling errors and drops
# connections at random (seeded, at most two faults in a row per operation, the first
# RunTask attempt always fails): every run still succeeds, with exactly one task
# started per run and one clientToken across the RunTask attempts.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/moto.sh"
export ROOT
FIX="python3 $ROOT/tests/run_task/fixture.py"
moto_start || { t_fail "moto_server started"; t_done; exit 1; }
$FIX setup "$T_TMP/config.json" >/dev/null || { t_fail "fixtures created"; t_done; exit 1; }
export ORC_TASK_POLL_MS=50 ORC_AWS_RETRY_BASE_MS=20
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
print(" ".join("%s=%d" % (k, n[k]) for k in ("DescribeTaskDefinition", "DescribeSubnets", "DescribeSecurityGroups", "RunTask")))' "$T_TMP/proxy/requests.jsonl")" \
	"DescribeTaskDefinition=3 DescribeSubnets=3 DescribeSecurityGroups=3 RunTask=3" "two faults on every call: three attempts each, no more"

# A poll that fails all three attempts does not end the run: the task runs on, so
# run-task warns and polls again.
echo "DescribeTasks 4" >"$T_TMP/proxy/fail"
t_run env AWS_ENDPOINT_URL=http://127.0.0.1:$PPORT "$ORC" run-task --config "$T_TMP/config.json"
t_is "$T_RC" 0 "four failed DescribeTasks in a row (a whole poll lost): still follows the task to the end"
t_like "$T_ERR" 'cannot poll task .* \(will try again\): ecs DescribeTasks: HTTP503' "a lost poll is a warning"
t_is "$(cat "$T_TMP/proxy/fail")" "DescribeTasks 0" "the proxy failed all four"
rm -f "$T_TMP/proxy/fail"

t_run env AWS_ENDPOINT_URL=http://127.0.0.1:$PPORT "$ORC" run-task --config "$T_TMP/config.json" --no-wait
t_is "$T_RC" 0 "without faults: still fine"
t_done
