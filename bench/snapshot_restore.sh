#!/bin/sh
# bench/snapshot_restore.sh: orchestrator snapshot restore against the template's way
# (aws rds modify-db-cluster to <cluster>-temp, wait, restore-db-cluster-from-snapshot,
# wait, delete-db-cluster --skip-final-snapshot) on the same moto_server, N restores each.
# Counts API calls (through tests/run_task/proxy.py) and wall time, prints the ratios.
# The restore does more per run than the template: it checks the snapshot and engine,
# marks the cluster, resolves security groups, reads instances and keeps a final
# snapshot; the template does none of that. A report, never a pass/fail.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
cd "$(dirname "$0")/.." || exit 2
source tests/lib/tap.sh
source tests/snapshot/setup.sh
N=${BENCH_RESTORES:-3}
snap_world >/dev/null || { echo "bench: moto_server did not start" >&2; exit 1; }
snap_cluster src && snap_rds snapshot src golden
PPORT=$(t_free_port)
mkdir -p "$T_TMP/proxy"
python3 tests/run_task/proxy.py "$PPORT" "$AWS_ENDPOINT_URL" "$T_TMP/proxy" &
t_defer "kill $! 2>/dev/null"
t_wait_port "$PPORT" 10
PROXY=http://127.0.0.1:$PPORT
calls() { grep -c . "$T_TMP/proxy/requests.jsonl"; }
now() { date +%s.%N; }

orc_t=0 orc_calls=0 aws_t=0 aws_calls=0 orc_rc=0 aws_rc=0
for i in $(seq "$N"); do
	snap_cluster "o$i" && snap_config "$T_TMP/o$i.json" "o$i"
	snap_cluster "t$i"
	: >"$T_TMP/proxy/requests.jsonl"
	t0=$(now)
	AWS_ENDPOINT_URL=$PROXY "$ORC" snapshot restore --config "$T_TMP/o$i.json" --region us-west-2 \
		--snapshot golden --request-id "b$i" >/dev/null 2>&1 || orc_rc=$?
	t1=$(now)
	orc_calls=$((orc_calls + $(calls)))
	orc_t=$(echo "$orc_t + $t1 - $t0" | bc)

	: >"$T_TMP/proxy/requests.jsonl"
	t0=$(now)
	{
		a() { AWS_ENDPOINT_URL=$PROXY aws --endpoint-url "$PROXY" rds "$@" >/dev/null; }
		a modify-db-cluster --db-cluster-identifier "t$i" --new-db-cluster-identifier "t$i-temp" --apply-immediately &&
		a wait db-cluster-available --db-cluster-identifier "t$i-temp" &&
		a restore-db-cluster-from-snapshot --db-cluster-identifier "t$i" --snapshot-identifier golden \
			--engine aurora-postgresql --db-subnet-group-name auroradb-subnet-group \
			--vpc-security-group-ids "$SNAP_SG" &&
		a wait db-cluster-available --db-cluster-identifier "t$i" &&
		a delete-db-cluster --db-cluster-identifier "t$i-temp" --skip-final-snapshot
	} || aws_rc=$?
	t1=$(now)
	aws_calls=$((aws_calls + $(calls)))
	aws_t=$(echo "$aws_t + $t1 - $t0" | bc)
done

python3 - "$N" "$orc_t" "$aws_t" "$orc_calls" "$aws_calls" "$orc_rc" "$aws_rc" <<'PY'
import sys
n = int(sys.argv[1]); ot, at = map(float, sys.argv[2:4]); oc, ac, orc_rc, aws_rc = map(int, sys.argv[4:8])
print("snapshot restore vs template (aws CLI rename, wait, restore, wait, delete), %d restores each" % n)
print("  %-36s %9s %9s %5s" % ("", "API calls", "wall s", "exit"))
print("  %-36s %9d %9.2f %5d" % ("orchestrator snapshot restore", oc, ot, orc_rc))
print("  %-36s %9d %9.2f %5d" % ("template (aws CLI, 5 commands)", ac, at, aws_rc))
print("  ratio orchestrator/template: API calls %.2f, wall time %.2f" % (oc / max(ac, 1), ot / max(at, 1e-9)))
PY
