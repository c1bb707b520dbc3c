#!/usr/bin/env bash
# restore-snapshot's snapshot menu on a terminal (a pty): the snapshot metadata.json records
# and, with AWS credentials, the cluster's snapshots from RDS (moto_server with SigV4
# checking), newest first with their creation time, each once; --snapshot skips it; without
# credentials (or with a wrong secret) metadata.json's snapshot is still offered.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/snapshot/setup.sh"
source "$ROOT/tests/github/lib.sh"
unset GITHUB_ACTIONS GH_TOKEN GITHUB_TOKEN
export NO_COLOR=1 AWS_EC2_METADATA_DISABLED=true
snap_world || { echo "Bail out! moto world"; exit 1; }
gh_start
snap_cluster auroradb-cluster
snap_rds snapshot auroradb-cluster snap-old
snap_rds snapshot auroradb-cluster snap-new
snap_rds snapshot auroradb-cluster recorded-elsewhere
snap_rds drop-automated auroradb-cluster
snap_cluster other-cluster
snap_rds snapshot other-cluster other-snap

proj=$T_TMP/proj
mkdir -p "$proj"
snap_config "$proj/config.json" auroradb-cluster
printf '{"us-west-2": {"snapshot": "snap-old"}}\n' >"$proj/metadata.json"
export ORC_TOKEN=ghp_snapshotmenu0123456789
sed -i 's/"githubRepo": "db",/"githubRepo": "db", "githubTokenName": "ORC_TOKEN",/' "$proj/config.json"

# menu ANSWERS... -- ARGS: trigger on a pty from the project directory.
menu() {
	local answers=()
	while [ "$1" != "--" ]; do answers+=("$1"); shift; done
	shift
	(cd "$proj" && python3 "$ROOT/tests/trigger/pty_run.py" "$T_TMP" "${answers[@]}" -- "$ORC" trigger "$@")
	T_RC=$(cat "$T_TMP/rc"); T_OUT=$(cat "$T_TMP/stdout"); T_ERR=$(cat "$T_TMP/terminal")
}
items() { printf '%s\n' "$T_ERR" | sed -n 's/^  [0-9]*) \([^ ]*\) .*/\1/p' | tr '\n' ' '; }

menu 1 -- restore-snapshot --dry-run
t_is "$T_RC" 0 "restore-snapshot on a terminal: exit 0"
t_like "$T_ERR" "Select the snapshot:" "the snapshot menu is shown"
t_is "$(items)" "recorded-elsewhere snap-new snap-old " "RDS's snapshots of the region's cluster, newest first, no other cluster's"
t_like "$T_ERR" "snap-old +\(created [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC, manual, in metadata\.json\)" "metadata.json's snapshot is marked, listed once, with its creation time"
t_like "$T_ERR" "snap-new +\(created [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC, manual\)" "each with its creation time and type"
t_like "$T_OUT" '"snapshot":"recorded-elsewhere"' "the chosen snapshot is in the request"

# Sent for real: the chosen snapshot is in the summary confirmed, then in the payload.
gh_script '["204"]'
menu 3 yes -- restore-snapshot
t_is "$T_RC" 0 "chosen, confirmed, sent: exit 0"
t_like "$T_ERR" "About to send restore-snapshot to acme/db: region us-west-2, snapshot snap-old\." "the summary names the chosen snapshot"
t_is "$(gh_count)" 1 "one request"
t_is "$(gh_field 'r[0]["body"]["client_payload"]["snapshot"]')" "snap-old" "carrying the chosen snapshot"
t_is "$(gh_field 'r[0]["problems"]')" "[]" "valid against GitHub's OpenAPI description"

# metadata.json names a snapshot RDS does not list: offered last, said so.
printf '{"us-west-2": {"snapshot": "gone-snap"}}\n' >"$proj/metadata.json"
menu 4 -- restore-snapshot --dry-run
t_is "$(items)" "recorded-elsewhere snap-new snap-old gone-snap " "merged: RDS's newest first, then metadata.json's"
t_like "$T_ERR" "gone-snap +\(in metadata\.json; RDS has no available snapshot of that name for auroradb-cluster\)" "said to be missing from RDS"
t_like "$T_OUT" '"snapshot":"gone-snap"' "still accepted as chosen"
printf '{"us-west-2": {"snapshot": "snap-old"}}\n' >"$proj/metadata.json"

# No AWS credentials: metadata.json's snapshot only, with the reason.
(unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY; menu 1 -- restore-snapshot --dry-run; printf '%s' "$T_ERR" >"$T_TMP/nocreds")
T_ERR=$(cat "$T_TMP/nocreds")
t_is "$(items)" "snap-old " "without AWS credentials: metadata.json's snapshot only"
t_like "$T_ERR" "warning: snapshots of auroradb-cluster not read from RDS \(.*\); offering metadata.json's only" "says why"
# A wrong secret: moto refuses the signature; the menu still works.
(export AWS_SECRET_ACCESS_KEY=wrong-secret; menu 1 -- restore-snapshot --dry-run; printf '%s' "$T_ERR" >"$T_TMP/badsig")
T_ERR=$(cat "$T_TMP/badsig")
t_like "$T_ERR" "not read from RDS \(.*SignatureDoesNotMatch" "a bad signature is refused by moto, and said"
t_is "$(items)" "snap-old " "and metadata.json's snapshot is offered"
t_unlike "$T_ERR" "wrong-secret" "the secret is in no output"

# Nothing known at all: refused before sending, naming the flag.
(unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY; echo '{}' >"$proj/metadata.json"; menu -- restore-snapshot --dry-run; printf '%s\n%s' "$T_RC" "$T_ERR" >"$T_TMP/none")
t_is "$(head -1 "$T_TMP/none")" 2 "no snapshot anywhere: exit 2"
t_like "$(cat "$T_TMP/none")" "error: no snapshot to restore in us-west-2: .*metadata.json records none and RDS lists no available one \(pass --snapshot ID\)" "says so and names --snapshot"
printf '{"us-west-2": {"snapshot": "snap-old"}}\n' >"$proj/metadata.json"

# --snapshot given: no menu, and any valid identifier is accepted as before.
menu -- restore-snapshot --snapshot some-other-snap --dry-run
t_is "$T_RC" 0 "--snapshot: exit 0"
t_unlike "$T_ERR" "Select the snapshot" "--snapshot: no menu"
t_like "$T_OUT" '"snapshot":"some-other-snap"' "--snapshot: sent as given"
# Without a terminal: no menu, the workflow restores metadata.json's snapshot.
t_run "$ORC" trigger restore-snapshot --region us-west-2 --dry-run --config "$proj/config.json"
t_is "$T_RC" 0 "no terminal: exit 0"
t_unlike "$T_OUT" '"snapshot"' "no terminal: no snapshot in the payload (metadata.json's is used)"
# create-snapshot names a new snapshot: no menu there.
menu -- create-snapshot --dry-run
t_unlike "$T_ERR" "Select the snapshot" "create-snapshot: no snapshot menu"
# metadata.json broken: one line naming it.
echo '{' >"$proj/metadata.json"
menu -- restore-snapshot --dry-run
t_is "$T_RC" 2 "metadata.json not JSON: exit 2"
t_like "$T_ERR" "metadata.json" "names the file"

t_done
