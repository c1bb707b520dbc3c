#!/usr/bin/env bash
# snapshot restore against moto_server with SigV4 checking: onto an existing cluster (final
# snapshot, --keep-old, --skip-final-snapshot), onto none, a re-run that finds it done,
# the checks before any change, a failing restore that renames the old cluster back, and
# the refusal of a second restore while one is pending.
source "$(dirname "$0")/../lib/tap.sh"
source "$(dirname "$0")/setup.sh"
cd "$T_TMP" || exit 1
snap_world || { echo "not ok 1 - moto world"; exit 1; }

tag() { snap_rds tag "$1" "$2"; }
snap_clusters() { snap_rds clusters; }
old_of() { snap_clusters | awk -v p="$1-pre-restore-" 'index($1, p) == 1 { print $1 }'; }

# A source cluster and its snapshot, shared by the cases.
snap_cluster src
snap_rds snapshot src golden

# --- onto an existing cluster, default: the old one goes with a final snapshot
snap_cluster app1
snap_config c1.json App1
t_ok "restore onto an existing cluster" $ORC snapshot restore --config c1.json --region us-west-2 \
	--snapshot GOLDEN --request-id r1 --requested-by alice
t_like "$T_OUT" "renaming app1 to app1-pre-restore-[0-9]{8}-[0-9]{6}" "the live cluster is renamed first"
t_like "$(snap_clusters)" "^app1 available" "app1 is available again"
t_is "$(tag app1 orchestrator:restored-from)" "golden" "app1 was restored from the snapshot"
t_is "$(tag app1 orchestrator:requested-by)" "alice" "who asked is recorded"
t_is "$(old_of app1)" "" "the old cluster is gone"
final=$(snap_rds snapshots app1-pre-restore- | cut -d' ' -f1)
t_like "$final" "^app1-pre-restore-[0-9]{8}-[0-9]{6}-final$" "the old cluster left a final snapshot"
t_ok "a re-run with the same request id finds it done" $ORC snapshot restore --config c1.json \
	--region us-west-2 --snapshot golden --request-id r1
t_like "$T_OUT" "restored from golden and available" "re-run reports done"
t_unlike "$T_OUT" "renaming|deleting" "re-run changed nothing"

# --- --keep-old keeps it, unmarked
snap_cluster app2
snap_config c2.json app2
t_ok "restore --keep-old" $ORC snapshot restore --config c2.json --region us-west-2 \
	--snapshot golden --request-id r2 --keep-old
old=$(old_of app2)
t_like "$old" "^app2-pre-restore-" "the old cluster is kept"
t_is "$(tag "$old" orchestrator:restore-snapshot)" "None" "the kept cluster carries no restore marker"
t_is "$(tag app2 orchestrator:restored-from)" "golden" "app2 restored"
# A second restore of the same cluster (new request) is not confused by the kept one.
snap_rds drop-automated app2
t_ok "a later restore beside a kept cluster" $ORC snapshot restore --config c2.json \
	--region us-west-2 --snapshot golden --request-id r2b --skip-final-snapshot
t_is "$(old_of app2)" "$old" "only the first kept cluster is left (the second was deleted)"
t_is "$(snap_rds snapshots app2-pre-restore-)" "" \
	"--skip-final-snapshot made no final snapshot"

# --- onto no cluster at all
snap_config c3.json app3
t_ok "restore onto no cluster" $ORC snapshot restore --config c3.json --region us-west-2 \
	--snapshot golden --request-id r3
t_unlike "$T_OUT" "renaming" "nothing to rename"
t_like "$(snap_clusters)" "app3 available" "app3 exists"
t_is "$(moto_aws rds describe-db-clusters --db-cluster-identifier app3 \
	--query 'DBClusters[0].[DBSubnetGroup,VpcSecurityGroups[0].VpcSecurityGroupId]' --output text)" \
	"auroradb-subnet-group	$SNAP_SG" "subnet group and security group (resolved by name) applied"

# --- capacity from config.json
snap_config c4.json app4 '"serverlessV2MinCapacity": 0.5, "serverlessV2MaxCapacity": 8'
t_ok "restore with Serverless v2 capacity" $ORC snapshot restore --config c4.json \
	--region us-west-2 --snapshot golden --request-id r4
t_is "$(moto_aws rds describe-db-clusters --db-cluster-identifier app4 \
	--query 'DBClusters[0].ServerlessV2ScalingConfiguration.[MinCapacity,MaxCapacity]' --output text)" \
	"0.5	8.0" "Serverless v2 min/max applied"
t_like "$T_OUT" "adding DB instance app4-[0-9]{8}-[0-9]{6}-1 \(db.serverless\) to app4" "says it adds a writer"
t_like "$(snap_rds instances app4)" "^app4-[0-9]{8}-[0-9]{6}-1 db.serverless available$" \
	"Serverless v2: one db.serverless instance in the restored cluster"
t_ok "a re-run adds no second instance" $ORC snapshot restore --config c4.json \
	--region us-west-2 --snapshot golden --request-id r4
t_is "$(snap_rds instances app4 | wc -l)" 1 "still one instance"
snap_config c4b.json app4b '"serverlessV1MaxCapacity": 8, "serverlessV2MaxCapacity": 8'
t_run $ORC snapshot restore --config c4b.json --region us-west-2 --snapshot golden
t_is "$T_RC" 2 "v1 and v2 capacity together: exit 2"
t_like "$T_ERR" "both Serverless v1 and v2" "names the conflict"

# --- the old cluster's parameter group carries over
moto_aws rds create-db-cluster-parameter-group --db-cluster-parameter-group-name app-pg \
	--db-parameter-group-family aurora-postgresql12 --description test >/dev/null
moto_aws rds create-db-cluster --db-cluster-identifier app9 --engine aurora-postgresql \
	--master-username app --master-user-password app-password-1 \
	--db-cluster-parameter-group-name app-pg >/dev/null
snap_rds drop-automated app9
snap_config c9.json app9
t_ok "restore of a cluster with its own parameter group" $ORC snapshot restore --config c9.json \
	--region us-west-2 --snapshot golden --request-id r9
t_is "$(moto_aws rds describe-db-clusters --db-cluster-identifier app9 \
	--query 'DBClusters[0].DBClusterParameterGroup' --output text)" "app-pg" \
	"the restored cluster uses the old cluster's parameter group"

# --- the old cluster's settings carry over: RDS-managed secret, deletion protection, backup
# retention, log exports, copy-tags, IAM authentication, port (moto: the restore copies the
# snapshot's source cluster "src", which has none of them, so what the new one has came
# from the restore's parameters and ModifyDBCluster)
snap_rds protected app10 data=old-app10
old_secret=$(snap_rds settings app10 | sed 's/^secret=\([^ ]*\) .*/\1/')
t_like "$old_secret" "^arn:aws:secretsmanager:.*:secret:rds!cluster-" "app10 has an RDS-managed secret"
snap_config c10.json app10
t_ok "restore of a protected cluster with a managed secret" $ORC snapshot restore \
	--config c10.json --region us-west-2 --snapshot golden --request-id r10
t_like "$T_OUT" "carrying over from app10-pre-restore-[0-9-]+: master user secret managed by RDS, deletion protection on" \
	"says what it carries over"
t_like "$T_OUT" "turning deletion protection off on the old cluster app10-pre-restore-" \
	"turns the old cluster's protection off before deleting it"
settings=$(snap_rds settings app10)
t_like "$settings" " protection=True retention=7 logs=postgresql copytags=True iam=True port=5433$" \
	"the restored cluster has the old cluster's settings"
new_secret=${settings%% *}
new_secret=${new_secret#secret=}
t_like "$new_secret" "^arn:aws:secretsmanager:.*:secret:rds!cluster-" "the restored cluster has a managed secret"
t_isnt() { t_ok "$3" test "$1" != "$2"; }
t_isnt "$new_secret" "$old_secret" "a new secret, not the old one"
t_is "$(snap_rds secret "$new_secret")" "arn:aws:rds:us-west-2:123456789012:cluster:app10" \
	"the new secret's aws:rds:primaryDBClusterArn is the configured cluster's ARN"
t_is "$(snap_rds secret "$old_secret")" "gone" "the old secret went with the old cluster"
t_is "$(old_of app10)" "" "the old cluster is gone"
t_ok "a re-run finds it done" $ORC snapshot restore --config c10.json --region us-west-2 \
	--snapshot golden --request-id r10
t_unlike "$T_OUT" "carrying over|deletion protection" "and changes nothing"

# --keep-old keeps the old cluster as it was: protected, with its secret
snap_rds protected app11
snap_config c11.json app11
old_secret=$(snap_rds settings app11 | sed 's/^secret=\([^ ]*\) .*/\1/')
t_ok "restore --keep-old of a protected cluster" $ORC snapshot restore --config c11.json \
	--region us-west-2 --snapshot golden --request-id r11 --keep-old
t_unlike "$T_OUT" "turning deletion protection off" "the kept cluster's protection stays"
t_like "$(snap_rds settings "$(old_of app11)")" "^secret=$old_secret protection=True " \
	"the kept cluster keeps its secret and its protection"
t_like "$(snap_rds settings app11)" "^secret=arn:.* protection=True retention=7 " "the new one is set up too"

# --- snapshot from metadata.json
printf '{"us-west-2": {"snapshot": "golden"}}\n' >metadata.json
snap_config c5.json app5
t_ok "snapshot taken from metadata.json" $ORC snapshot restore --config c5.json --region us-west-2 \
	--request-id r5
t_is "$(tag app5 orchestrator:restored-from)" "golden" "restored from metadata.json's snapshot"

# --- error paths: nothing changes
snap_cluster app6
snap_config c6.json app6
t_run $ORC snapshot restore --config c6.json --region us-west-2 --snapshot nope
t_is "$T_RC" 3 "unknown snapshot: exit 3"
t_like "$T_ERR" "snapshot nope: not found in us-west-2" "unknown snapshot named"
snap_cluster mysrc aurora-mysql
snap_rds snapshot mysrc mysql-snap
t_run $ORC snapshot restore --config c6.json --region us-west-2 --snapshot mysql-snap
t_is "$T_RC" 2 "wrong engine: exit 2"
t_like "$T_ERR" "engine aurora-mysql does not match cluster app6 \(aurora-postgresql\)" "wrong engine named"
t_is "$(tag app6 orchestrator:restore-snapshot)" "None" "after the refusals app6 is untouched"
snap_config c6b.json app6 '"vpcSecurityGroups": "no-such-sg"'
sed -i 's/"vpcSecurityGroups": "auroradb-sg",//' c6b.json
t_run $ORC snapshot restore --config c6b.json --region us-west-2 --snapshot golden
t_is "$T_RC" 2 "unknown security group: exit 2"
t_like "$T_ERR" "vpcSecurityGroups: .*'no-such-sg' not found" "unknown security group named with its config key"
t_run $ORC snapshot restore --config c6.json --region us-west-2 --keep-old --skip-final-snapshot
t_is "$T_RC" 2 "--keep-old with --skip-final-snapshot: usage error"
rm metadata.json
t_run $ORC snapshot restore --config c6.json --region us-west-2
t_is "$T_RC" 2 "no --snapshot and no metadata.json: exit 2"
t_like "$T_ERR" "metadata.json: no snapshot recorded for us-west-2" "says where it looked"

# --- a restore that fails renames the old cluster back
# moto refuses a restore when the automated snapshot name rds:<cluster>-<minute> is taken:
# take it for this minute and the next two, so RestoreDBClusterFromSnapshot fails.
snap_cluster app7 data=precious
for m in 0 1 2; do snap_rds snapshot src "rds:app7-$(date -u -d "+$m min" +%Y-%m-%d-%H-%M)"; done
snap_config c7.json app7
t_run $ORC snapshot restore --config c7.json --region us-west-2 --snapshot golden --request-id r7
t_is "$T_RC" 1 "a failed restore exits 1"
t_like "$T_ERR" "the old cluster is back under its name, nothing was lost" "says the old cluster is back"
t_like "$(snap_clusters)" "app7 available" "app7 is there"
t_is "$(old_of app7)" "" "no pre-restore cluster left"
t_is "$(tag app7 data)" "precious" "it is the old cluster"
t_is "$(tag app7 orchestrator:restore-snapshot)" "None" "and unmarked"

# --- two restores never run at once
snap_cluster app8 orchestrator:restore-snapshot=other-snap orchestrator:restore-request=r-other
snap_config c8.json app8
t_run $ORC snapshot restore --config c8.json --region us-west-2 --snapshot golden --request-id r8
t_is "$T_RC" 1 "a restore while another is pending: exit 1"
t_like "$T_ERR" "a restore of snapshot other-snap \(request r-other\) is running or was interrupted" \
	"names the other restore"
t_is "$(snap_clusters | grep -c '^app8')" "1" "app8 untouched (not renamed)"

t_done
