#!/usr/bin/env bash
# The restore killed (SIGKILL) between each pair of steps, then run again: every time the
# end is one available cluster under the configured name restored from the snapshot, the
# old cluster removed with a final snapshot (or kept with --keep-old), and at every
# stopping point the old cluster's data still exists unless the restored cluster is
# already available. The kill uses the documented test hook ORC_TEST_CRASH_AT (the
# process raises SIGKILL at that point: no cleanup, no atexit, like kill -9).
source "$(dirname "$0")/../lib/tap.sh"
source "$(dirname "$0")/setup.sh"
cd "$T_TMP" || exit 1
snap_world || { echo "not ok 1 - moto world"; exit 1; }
snap_cluster src
snap_rds snapshot src golden

# safe NAME: the old cluster (tag data=old-NAME) exists and is not being deleted, or NAME
# is available, restored from golden, and a final snapshot of the old one exists.
safe() {
	local state finals
	state=$(snap_rds state)
	finals=$(snap_rds snapshots "$1-pre-restore-")
	if printf '%s\n' "$state" | grep -Eq "^[^ ]+ (available|renaming|modifying|creating) .*data=old-$1( |$)"; then
		return 0
	fi
	printf '%s\n' "$state" | grep -Eq "^$1 available .*orchestrator:restored-from=golden" &&
		{ [ -n "$finals" ] || [ "${2:-}" = keep ]; }
}

# protected_first NAME: the pre-restore cluster, while there is one, keeps its deletion
# protection unless the cluster under NAME is protected already.
protected_first() {
	local old
	old=$(snap_rds clusters | awk -v p="$1-pre-restore-" 'index($1, p) == 1 { print $1 }')
	[ -z "$old" ] || [[ $(snap_rds settings "$old") == *" protection=True "* ]] ||
		[[ $(snap_rds settings "$1" 2>/dev/null) == *" protection=True "* ]]
}

# end NAME [keep]: the end state after a finished restore.
end_state() {
	local n=$1 state
	state=$(snap_rds state)
	t_like "$state" "(^|$(printf '\n'))$n available .*orchestrator:restored-from=golden" "$n: restored and available"
	t_unlike "$(printf '%s\n' "$state" | grep "^$n ")" "data=old-$n" "$n: the cluster under the name is the new one"
	if [ "${2:-}" = keep ]; then
		t_like "$state" "$n-pre-restore-[0-9-]+ available .*data=old-$n" "$n: the old cluster is kept"
		t_unlike "$state" "$n-pre-restore-.*orchestrator:restore-snapshot" "$n: the kept cluster is unmarked"
	else
		t_unlike "$state" "$n-pre-restore-" "$n: the old cluster is gone"
		t_like "$(snap_rds snapshots "$n-pre-restore-")" "^$n-pre-restore-[0-9-]+-final available manual$" \
			"$n: exactly one final snapshot of the old cluster"
	fi
}

i=0
for point in locked renamed before-restore restoring restored retired; do
	i=$((i + 1))
	n=crash$i
	snap_cluster $n data=old-$n
	snap_config $n.json $n
	ORC_TEST_CRASH_AT=$point t_run $ORC snapshot restore --config $n.json --region us-west-2 \
		--snapshot golden --request-id r-$n
	t_is "$T_RC" 137 "killed at $point"
	t_ok "after the kill at $point the data is safe" safe $n
	t_ok "the re-run after $point finishes" $ORC snapshot restore --config $n.json \
		--region us-west-2 --snapshot golden --request-id r-$n
	end_state $n
done

# A protected cluster with an RDS-managed secret: killed while the restored cluster is
# being given the old one's settings (configured), after the old cluster's deletion
# protection went off (unprotected), and around them. The re-run finishes the settings,
# never turns protection off before the restored cluster has its own, and ends with the
# old secret gone and a new one on the restored cluster.
i=0
for point in restoring configured unprotected restored retired; do
	i=$((i + 1))
	n=prot$i
	snap_rds protected $n data=old-$n
	old_secret=$(snap_rds settings $n | sed 's/^secret=\([^ ]*\) .*/\1/')
	snap_config $n.json $n
	ORC_TEST_CRASH_AT=$point t_run $ORC snapshot restore --config $n.json --region us-west-2 \
		--snapshot golden --request-id r-$n
	t_is "$T_RC" 137 "$n: killed at $point"
	t_ok "$n: after the kill at $point the data is safe" safe $n
	t_ok "$n: the old cluster is protected until the restored one is" protected_first $n
	t_ok "$n: the re-run after $point finishes" $ORC snapshot restore --config $n.json \
		--region us-west-2 --snapshot golden --request-id r-$n
	end_state $n
	t_like "$(snap_rds settings $n)" \
		"^secret=arn:[^ ]+ protection=True retention=7 logs=postgresql copytags=True iam=True port=5433$" \
		"$n: the restored cluster has the old cluster's settings and a managed secret"
	t_is "$(snap_rds secret "$old_secret")" gone "$n: the old secret went with the old cluster"
done

# Serverless v2: killed right after the writer instance was asked for; the re-run adds no
# second one and only then retires the old cluster.
snap_cluster v2 data=old-v2
snap_config v2.json v2 '"serverlessV2MinCapacity": 0.5, "serverlessV2MaxCapacity": 4'
ORC_TEST_CRASH_AT=instance-added t_run $ORC snapshot restore --config v2.json --region us-west-2 \
	--snapshot golden --request-id r-v2
t_is "$T_RC" 137 "v2: killed after adding the instance"
t_ok "v2: the old cluster is still there" safe v2
t_like "$(snap_rds state)" "v2-pre-restore-[0-9-]+ available .*data=old-v2" "v2: not yet retired"
t_ok "v2: the re-run finishes" $ORC snapshot restore --config v2.json --region us-west-2 \
	--snapshot golden --request-id r-v2
end_state v2
t_is "$(snap_rds instances v2 | wc -l)" 1 "v2: exactly one instance"

# Killed twice in a row, then finished; and a later crash under --keep-old.
snap_cluster twice data=old-twice
snap_config twice.json twice
for point in renamed restoring; do
	ORC_TEST_CRASH_AT=$point t_run $ORC snapshot restore --config twice.json --region us-west-2 \
		--snapshot golden --request-id r-twice
	t_is "$T_RC" 137 "twice: killed at $point"
	t_ok "twice: safe after $point" safe twice
done
t_ok "twice: the third run finishes" $ORC snapshot restore --config twice.json --region us-west-2 \
	--snapshot golden --request-id r-twice
end_state twice

for point in renamed restored; do
	n=keep-$point
	snap_cluster $n data=old-$n
	snap_config $n.json $n
	ORC_TEST_CRASH_AT=$point t_run $ORC snapshot restore --config $n.json --region us-west-2 \
		--snapshot golden --request-id r-$n --keep-old
	t_is "$T_RC" 137 "$n: killed at $point"
	t_ok "$n: safe" safe $n keep
	t_ok "$n: the re-run finishes" $ORC snapshot restore --config $n.json --region us-west-2 \
		--snapshot golden --request-id r-$n --keep-old
	end_state $n keep
done

# While a restore is interrupted, another request is refused and changes nothing.
snap_cluster held data=old-held
snap_config held.json held
ORC_TEST_CRASH_AT=renamed t_run $ORC snapshot restore --config held.json --region us-west-2 \
	--snapshot golden --request-id r-held
before=$(snap_rds state)
t_run $ORC snapshot restore --config held.json --region us-west-2 --snapshot golden --request-id r-other
t_is "$T_RC" 1 "a second request during an interrupted restore exits 1"
t_like "$T_ERR" "request r-held\) is running or was interrupted" "it names the pending request"
t_is "$(snap_rds state)" "$before" "and changed nothing"
t_ok "the pending request still finishes" $ORC snapshot restore --config held.json --region us-west-2 \
	--snapshot golden --request-id r-held
end_state held

t_done
