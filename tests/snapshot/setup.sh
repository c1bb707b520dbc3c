# tests/snapshot/setup.sh: moto_server with an Aurora world for the snapshot tests.
#   snap_world              moto_start, a DB subnet group and the security group auroradb-sg
#   snap_cluster ID [ENGINE] create a cluster (default aurora-postgresql), drop its
#                           automated snapshot (a moto quirk: restoring a cluster of the
#                           same name within that minute would collide with it)
#   snap_config FILE ID     a config.json whose us-west-2 cluster is ID
#   snap_clusters           "id status" lines of every cluster, sorted
#   snap_drop_automated ID  delete every automated snapshot of cluster ID
source "$(dirname "${BASH_SOURCE[0]}")/../lib/moto.sh"

snap_world() {
	moto_start || return 1
	local vpc subnets
	vpc=$(moto_aws ec2 describe-vpcs --query 'Vpcs[0].VpcId' --output text) || return 1
	subnets=$(moto_aws ec2 describe-subnets --filters "Name=vpc-id,Values=$vpc" \
		--query 'Subnets[].SubnetId' --output text) || return 1
	# shellcheck disable=SC2086
	moto_aws rds create-db-subnet-group --db-subnet-group-name auroradb-subnet-group \
		--db-subnet-group-description test --subnet-ids $subnets >/dev/null || return 1
	SNAP_SG=$(moto_aws ec2 create-security-group --group-name auroradb-sg --description test \
		--vpc-id "$vpc" --query GroupId --output text) || return 1
}

snap_drop_automated() {
	local s
	for s in $(moto_aws rds describe-db-cluster-snapshots --db-cluster-identifier "$1" \
		--snapshot-type automated --query 'DBClusterSnapshots[].DBClusterSnapshotIdentifier' \
		--output text); do
		moto_aws rds delete-db-cluster-snapshot --db-cluster-snapshot-identifier "$s" >/dev/null
	done
}

snap_cluster() {
	moto_aws rds create-db-cluster --db-cluster-identifier "$1" --engine "${2:-aurora-postgresql}" \
		--master-username app --master-user-password app-password-1 \
		--db-subnet-group-name auroradb-subnet-group >/dev/null || return 1
	snap_drop_automated "$1"
}

snap_config() {
	cat >"$1" <<JSON
{
  "githubOwner": "acme",
  "githubRepo": "db",
  "gitbotName": "aurora-gitbot",
  "gitbotEmail": "aurora.gitbot@example.com",
  "infrastructure": {
    "us-west-2": {
      "auroraDB": {
        "dbClusterName": "$2",
        "dbSubnetGroup": "auroradb-subnet-group",
        "vpcSecurityGroups": "auroradb-sg"${3:+,
        $3}
      }
    }
  }
}
JSON
}

snap_clusters() {
	moto_aws rds describe-db-clusters --query 'DBClusters[].[DBClusterIdentifier,Status]' \
		--output text | sort
}
