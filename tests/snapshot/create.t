#!/usr/bin/env bash
# snapshot create, list and share against moto_server with SigV4 checking: the snapshot
# exists with its tags, metadata.json is set keeping other keys, --commit makes exactly
# one commit as the gitbot and none when nothing changed, --push reaches a bare remote;
# list is newest first and marks metadata.json's snapshot; share adds the account.
source "$(dirname "$0")/../lib/tap.sh"
source "$(dirname "$0")/setup.sh"
cd "$T_TMP" || exit 1
snap_world || { echo "not ok 1 - moto world"; exit 1; }
snap_cluster auroradb-cluster

# A repository with a remote, as in a CI checkout.
git init -q --bare remote.git
git init -q -b main repo
cd repo || exit 1
git config user.name dev && git config user.email dev@example.com
snap_config config.json AuroraDB-Cluster
printf '{\n  "eu-west-1": {\n    "snapshot": "eu-snap",\n    "note": "kept"\n  }\n}\n' >metadata.json
git add -A && git commit -qm init && git remote add origin ../remote.git && git push -q origin main

t_ok "create with a given id" $ORC snapshot create --region us-west-2 --snapshot Nightly-1 \
	--requested-by "alice+O'Brien" --request-id req-42
t_like "$T_OUT" "snapshot nightly-1 of auroradb-cluster is available" "reports the snapshot available"
t_is "$(moto_aws rds describe-db-cluster-snapshots --db-cluster-snapshot-identifier nightly-1 \
	--query 'DBClusterSnapshots[0].[DBClusterIdentifier,Status]' --output text)" \
	"auroradb-cluster	available" "the snapshot exists in RDS"
t_is "$(moto_aws rds describe-db-cluster-snapshots --db-cluster-snapshot-identifier nightly-1 \
	--query "DBClusterSnapshots[0].TagList[?Key=='orchestrator:requested-by' || Key=='orchestrator:request-id'].Value" \
	--output text)" "alice+O_Brien	req-42" "tagged with who asked (made a valid tag value) and the request id"
t_is "$(cat metadata.json)" '{
  "eu-west-1": {
    "snapshot": "eu-snap",
    "note": "kept"
  },
  "us-west-2": {
    "snapshot": "nightly-1"
  }
}' "metadata.json records it and keeps the other region"
t_is "$(git rev-list --count HEAD)" 1 "without --commit nothing is committed"
t_run $ORC snapshot create --region us-west-2 --snapshot nightly-1 --output json
t_is "$T_RC" 0 "create --output json: exit 0"
t_is "$(printf '%s' "$T_OUT" | jq -c '[.snapshot, .cluster, .region, .committed]')" \
	'["nightly-1","auroradb-cluster","us-west-2",false]' "create --output json: the snapshot as JSON on stdout"
t_like "$T_ERR" "snapshot nightly-1 of auroradb-cluster is available" "create --output json: the human lines on stderr"
git checkout -q metadata.json

t_ok "create --commit --push" $ORC snapshot create --region us-west-2 --snapshot nightly-2 --commit --push
t_is "$(git rev-list --count HEAD)" 2 "exactly one commit"
t_is "$(git log -1 --format='%an <%ae>|%cn <%ce>')" \
	"aurora-gitbot <aurora.gitbot@example.com>|aurora-gitbot <aurora.gitbot@example.com>" \
	"authored and committed as the gitbot"
t_is "$(git show --name-only --format= HEAD)" "metadata.json" "the commit holds metadata.json only"
t_is "$(git --git-dir=../remote.git rev-parse main)" "$(git rev-parse HEAD)" "pushed to the remote"
t_is "$(git show HEAD:metadata.json | grep -c nightly-2)" 1 "the committed file names the snapshot"
t_ok "the same create again" $ORC snapshot create --region us-west-2 --snapshot nightly-2 --commit --push
t_like "$T_OUT" "exists already" "an existing snapshot of the cluster is reused"
t_like "$T_OUT" "unchanged, nothing to commit" "says nothing changed"
t_is "$(git rev-list --count HEAD)" 2 "no second commit"

# The remote moved on meanwhile (someone pushed): the push is rejected, the checkout syncs
# to the remote tip, sets the value again and pushes.
git clone -q -b main ../remote.git ../other && (cd ../other && git -c user.name=x -c user.email=x@example.com \
	commit -q --allow-empty -m "someone else" && git push -q origin main)
t_ok "create --commit --push after the remote moved on" $ORC snapshot create --region us-west-2 \
	--snapshot nightly-3 --commit --push
t_like "$T_ERR" "push rejected \(attempt 1 of 5\): origin moved on; redoing the change on top of it" "the rejected push was retried"
t_is "$(git --git-dir=../remote.git log --format=%s -2 main | tr '\n' '|')" \
	"metadata: us-west-2 snapshot nightly-3|someone else|" "pushed on top of the other commit"
t_is "$(git --git-dir=../remote.git show main:metadata.json | grep -c nightly-3)" 1 "the remote's metadata.json names it"

t_ok "create with the default id" $ORC snapshot create --region us-west-2
id=$(sed -n 's/.*"snapshot": "\(auroradb-cluster-snapshot-[^"]*\)".*/\1/p' metadata.json)
t_like "$id" "^auroradb-cluster-snapshot-[0-9]{8}-[0-9]{6}z$" "default id: <cluster>-snapshot-<UTC yyyymmdd-HHMMSS>Z"

# list: newest first, metadata.json's marked; --json
t_ok "list" $ORC snapshot list --region us-west-2
t_like "$(printf '%s\n' "$T_OUT" | sed -n 2p)" "^\* $id +available" "newest first, marked as metadata.json's"
t_like "$T_OUT" "nightly-2 +available" "older ones listed"
t_ok "list --json" $ORC snapshot list --region us-west-2 --json
t_is "$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join("%s:%s" % (s["id"], s["metadata"]) for s in d))')" \
	"$id:True nightly-3:False nightly-2:False nightly-1:False" "--json: newest first with the metadata flag"

# share
t_ok "share with an account" $ORC snapshot share --region us-west-2 --snapshot nightly-1 --account 210987654321
t_is "$(moto_aws rds describe-db-cluster-snapshot-attributes --db-cluster-snapshot-identifier nightly-1 \
	--query 'DBClusterSnapshotAttributesResult.DBClusterSnapshotAttributes[?AttributeName==`restore`].AttributeValues[]' \
	--output text)" "210987654321" "the account may restore it"
t_ok "share again" $ORC snapshot share --region us-west-2 --snapshot nightly-1 --account 210987654321
t_like "$T_OUT" "could already" "sharing twice is harmless"
t_run $ORC snapshot share --region us-west-2 --snapshot nightly-1 --account 12345
t_is "$T_RC" 2 "a malformed account: exit 2"
t_like "$T_ERR" "--account 12345: expected a 12-digit AWS account ID" "names the account"
t_run $ORC snapshot share --region us-west-2 --snapshot nope --account 210987654321
t_is "$T_RC" 3 "share of an unknown snapshot: exit 3"

# errors
snap_config ../other.json no-such-cluster
t_run $ORC snapshot create --config ../other.json --region us-west-2 --metadata ../m.json
t_is "$T_RC" 3 "create of an unknown cluster: exit 3"
t_like "$T_ERR" "cluster no-such-cluster: not found in us-west-2 .*dbClusterName" "names the cluster and the key"
t_ok "no metadata file written on failure" test ! -e ../m.json
snap_cluster other-cluster
snap_config ../other.json other-cluster
t_run $ORC snapshot create --config ../other.json --region us-west-2 --snapshot nightly-1 --metadata ../m.json
t_is "$T_RC" 2 "a snapshot id taken by another cluster: exit 2"
t_like "$T_ERR" "already exists for cluster auroradb-cluster" "says which cluster owns it"
t_run $ORC snapshot create --region eu-central-1
t_is "$T_RC" 2 "a region missing from config.json: exit 2"
t_like "$T_ERR" "no infrastructure\[\"eu-central-1\"\]" "names the region"
t_run $ORC snapshot create --region us-west-2 --push
t_is "$T_RC" 2 "--push without --commit: exit 2"
t_run $ORC snapshot frobnicate
t_is "$T_RC" 2 "unknown action: exit 2"
AWS_SECRET_ACCESS_KEY=wrong t_run $ORC snapshot list --region us-west-2
t_is "$T_RC" 3 "a wrong secret: exit 3"
t_like "$T_ERR" "SignatureDoesNotMatch" "the signature is checked"
t_unlike "$T_ERR$T_OUT" "wrong" "the secret is not printed"

t_done
