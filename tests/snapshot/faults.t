#!/usr/bin/env bash
# snapshot create, share and restore against moto_server behind the fault proxy
# (tests/run_task/proxy.py): bursts of 3 and 5 consecutive failures (503, throttling,
# dropped connections, lost answers) at every step, each run succeeding with exactly one
# snapshot or one restored cluster in the end; then a lost answer after each mutating
# call, which AWS did: the operation finds out from RDS and goes on, never reporting the
# opposite of RDS's state.
source "$(dirname "$0")/../lib/tap.sh"
source "$(dirname "$0")/setup.sh"
cd "$T_TMP" || exit 1
snap_world || { echo "not ok 1 - moto world"; exit 1; }
export ORC_AWS_RETRY_BASE_MS=10
PPORT=$(t_free_port)
mkdir -p proxy
python3 "$ROOT/tests/run_task/proxy.py" "$PPORT" "$AWS_ENDPOINT_URL" "$T_TMP/proxy" 2>proxy.err &
t_defer "kill $! 2>/dev/null"
t_wait_port "$PPORT" 10
PROXY=http://127.0.0.1:$PPORT
fail() { : >proxy/faults.log; echo "$*" >proxy/fail; }
failed() { grep -c "$1" proxy/faults.log; }
orc() { AWS_ENDPOINT_URL=$PROXY t_run $ORC "$@"; }
kinds=(503 throttle drop lost)
k=0
next_kind() { kind=${kinds[$((k++ % 4))]}; }

snap_cluster src
snap_rds snapshot src golden

# ---- create: every step, bursts of 3 and 5
snap_cluster db1
snap_config c1.json db1
i=0
for op in DescribeDBClusterSnapshots DescribeDBClusters CreateDBClusterSnapshot; do
	for n in 3 5; do
		next_kind; i=$((i + 1))
		fail "$op $n $kind"
		orc snapshot create --config c1.json --region us-west-2 --snapshot s-$i
		want=$n; [ "$op $kind" = "CreateDBClusterSnapshot lost" ] && want=1
		t_is "$T_RC" 0 "create, $op failing $n times ($kind): succeeds"
		t_is "$(snap_rds snapshots s-$i | grep -c "^s-$i available")" 1 "create, $op x$n ($kind): exactly one snapshot, available"
		t_is "$(failed "$op")" "$want" "create, $op: the proxy failed it $want time(s)"
	done
done
# A lost CreateDBClusterSnapshot answer: RDS made it; the resend meets AlreadyExists.
fail "CreateDBClusterSnapshot 1 lost"
orc snapshot create --config c1.json --region us-west-2 --snapshot s-lost
t_is "$T_RC" 0 "create, answer lost: succeeds"
t_like "$T_ERR" "RDS has snapshot s-lost of db1 all the same" \
	"create, answer lost: settled by asking RDS before any resend"
t_like "$T_OUT" "snapshot s-lost of db1 is available" "create, answer lost: reported available, as RDS says"

# ---- share: every step
i=0
for op in DescribeDBClusterSnapshots DescribeDBClusterSnapshotAttributes ModifyDBClusterSnapshotAttribute; do
	for n in 3 5; do
		next_kind; i=$((i + 1))
		acct=$(printf '2109876543%02d' "$i")
		fail "$op $n $kind"
		orc snapshot share --config c1.json --region us-west-2 --snapshot s-1 --account "$acct"
		t_is "$T_RC" 0 "share, $op failing $n times ($kind): succeeds"
		t_like "$(moto_aws rds describe-db-cluster-snapshot-attributes --db-cluster-snapshot-identifier s-1 \
			--query 'DBClusterSnapshotAttributesResult.DBClusterSnapshotAttributes[0].AttributeValues' --output text)" \
			"$acct" "share, $op x$n ($kind): the account can restore it"
	done
done

# ---- restore: every step, bursts of 3 and 5; each case on a cluster of its own
restore_case() { # NAME OP N KIND
	snap_cluster "$1" data=old
	snap_rds instance "$1" "$1-w1"
	snap_config "$1.json" "$1"
	fail "$2 $3 $4"
	orc snapshot restore --config "$1.json" --region us-west-2 --snapshot golden --request-id "r-$1"
	rm -f proxy/fail
}
restored_ok() { # NAME WHAT
	t_is "$T_RC" 0 "$2: succeeds"
	t_is "$(snap_rds tag "$1" orchestrator:restored-from)" golden "$2: $1 is the restored cluster"
	t_is "$(snap_rds clusters | grep -c "^$1-pre-restore-")" 0 "$2: no pre-restore cluster left"
	t_is "$(snap_rds snapshots "$1-pre-restore-" | grep -c final)" 1 "$2: exactly one final snapshot of the old cluster"
	t_is "$(snap_rds instances "$1" | grep -c available)" 1 "$2: exactly one DB instance (the old cluster had one)"
}
i=0
for op in DescribeDBClusterSnapshots DescribeDBClusters DescribeDBInstances AddTagsToResource ModifyDBCluster \
	RestoreDBClusterFromSnapshot CreateDBInstance DeleteDBInstance DeleteDBCluster; do
	for n in 3 5; do
		next_kind; i=$((i + 1))
		[ "$kind" = lost ] && kind=503 # lost answers: below, one per mutating call
		restore_case "r$i" "$op" "$n" "$kind"
		restored_ok "r$i" "restore, $op failing $n times ($kind)"
	done
done

# ---- restore: the answer of each mutating call lost after RDS did it
for op in AddTagsToResource ModifyDBCluster RestoreDBClusterFromSnapshot CreateDBInstance DeleteDBInstance DeleteDBCluster; do
	name=l-$(echo "$op" | tr 'A-Z' 'a-z' | cut -c1-12)
	restore_case "$name" "$op" 1 lost
	restored_ok "$name" "restore, $op answer lost"
done
# The rename's answer lost is the one that used to stop the restore saying nothing had
# changed, with the application's cluster renamed away.
restore_case l-rename ModifyDBCluster 1 lost
t_like "$T_ERR" "rds ModifyDBCluster: .*RDS shows the clusters changed" \
	"rename answer lost: settled from RDS's state, not resent"
t_unlike "$T_ERR$T_OUT" "unchanged" "rename answer lost: never says the cluster is unchanged"

# ---- a restore that cannot go on says exactly what to run while the name is empty
snap_cluster stuck data=old
snap_config stuck.json stuck
fail "RestoreDBClusterFromSnapshot 1000 503"
AWS_MAX_ATTEMPTS=2 orc snapshot restore --config stuck.json --region us-west-2 --snapshot golden --request-id r-stuck
rm -f proxy/fail
t_is "$T_RC" 1 "RDS refusing the restore (AWS_MAX_ATTEMPTS=2 caps the retries): exit 1"
t_is "$(failed RestoreDBClusterFromSnapshot)" 2 "the restore was sent twice (AWS_MAX_ATTEMPTS=2), RDS asked in between"
t_like "$(snap_rds clusters)" "^stuck available" "the rollback put the old cluster back under its name"
t_like "$T_ERR" "the old cluster is back under its name" "says the old cluster is back"
# Stopped with the name empty: a crash right after the rename, then a re-run that cannot
# read the snapshot (RDS keeps failing, AWS_MAX_ATTEMPTS=2): the output names both ways out.
snap_cluster stuck2 data=old
snap_config stuck2.json stuck2
ORC_TEST_CRASH_AT=renamed t_run $ORC snapshot restore --config stuck2.json --region us-west-2 \
	--snapshot golden --request-id r-stuck2
t_is "$(snap_rds clusters | grep -c '^stuck2 ')" 0 "crashed after the rename: no cluster under the name"
old=$(snap_rds clusters | awk '/^stuck2-pre-restore-/ { print $1 }')
fail "DescribeDBClusterSnapshots 1000 503"
AWS_MAX_ATTEMPTS=2 orc snapshot restore --config stuck2.json --region us-west-2 --snapshot golden --request-id r-stuck2
rm -f proxy/fail
t_is "$T_RC" 1 "resumed, the snapshot cannot be read: exit 1"
t_like "$T_ERR" "No cluster answers as stuck2 now: re-run the same command \(with --request-id r-stuck2\)" \
	"names the re-run"
t_like "$T_ERR" "aws rds modify-db-cluster --region us-west-2 --db-cluster-identifier $old --new-db-cluster-identifier stuck2 --apply-immediately" \
	"names the exact rename that puts the old cluster back"
t_ok "the re-run it names finishes the restore" env AWS_ENDPOINT_URL=$PROXY $ORC snapshot restore \
	--config stuck2.json --region us-west-2 --snapshot golden --request-id r-stuck2
t_is "$(snap_rds tag stuck2 orchestrator:restored-from)" golden "stuck2 restored after the re-run"

# ---- a service that repeats its page token: an error naming it, never an endless loop
# (timeout bounds the run without the guard, which asked for the same page forever)
: >proxy/requests.jsonl
echo DescribeDBClusterSnapshots >proxy/repeat_marker
AWS_ENDPOINT_URL=$PROXY t_run timeout 60 $ORC snapshot list --config c1.json --region us-west-2
t_is "$T_RC" 1 "RDS repeating its Marker: exit 1, not a loop"
t_like "$T_ERR" "RDS DescribeDBClusterSnapshots: page 2 repeats the Marker it was asked for, so the listing would never end" \
	"... naming the action and the page"
t_is "$(grep -c '"op": "DescribeDBClusterSnapshots"' proxy/requests.jsonl)" 2 "... after asking twice"
echo DescribeSecurityGroups >proxy/repeat_marker
before=$(snap_rds clusters)
AWS_ENDPOINT_URL=$PROXY t_run timeout 60 $ORC snapshot restore --config c1.json --region us-west-2 \
	--snapshot golden --request-id r-repeat
t_is "$T_RC" 1 "EC2 repeating its NextToken while resolving the security group: exit 1"
t_like "$T_ERR" "EC2 DescribeSecurityGroups: page 2 repeats the NextToken it was asked for" "... naming it"
t_is "$(snap_rds clusters)" "$before" "... and no cluster was touched"
rm -f proxy/repeat_marker
t_done
