# tests/snapshot/setup.sh: moto_server with an Aurora world for the snapshot tests.
# Setup and assertions go through tests/snapshot/rds.py (botocore, the AWS CLI's library,
# several calls per process): the CLI costs about a second per call on a loaded machine.
#   snap_world               moto_start, DB subnet group, security group auroradb-sg ($SNAP_SG)
#   snap_cluster ID [ENGINE] [K=V...]  create a cluster and drop its automated snapshot (a
#                            moto quirk: restoring a cluster of that name within the same
#                            minute collides with it)
#   snap_config FILE ID [EXTRA]  a config.json whose us-west-2 cluster is ID; EXTRA: more
#                            auroraDB keys
#   snap_rds ARGS            tests/snapshot/rds.py ARGS
source "$(dirname "${BASH_SOURCE[0]}")/../lib/moto.sh"
SNAP_RDS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/rds.py

# One rds.py for the whole file, as a coprocess; snap_rds sends a command and prints the
# answer up to its end marker, returning the command's status.
snap_rds() {
	local line
	printf '%q ' "$@" >&"$SNAP_RDS_IN"
	printf '\n' >&"$SNAP_RDS_IN"
	while IFS= read -r line <&"$SNAP_RDS_OUT"; do
		case $line in "__end__ "*) return "${line#__end__ }" ;; esac
		printf '%s\n' "$line"
	done
	return 1
}

snap_world() {
	moto_start || return 1
	coproc SNAP_RDS_CO { exec python3 "$SNAP_RDS" serve; }
	# Plain descriptors: bash hides a coprocess's own from pipelines.
	exec {SNAP_RDS_IN}>&"${SNAP_RDS_CO[1]}" {SNAP_RDS_OUT}<&"${SNAP_RDS_CO[0]}"
	t_defer "kill $SNAP_RDS_CO_PID 2>/dev/null"
	SNAP_SG=$(snap_rds world) || return 1
}

snap_cluster() { snap_rds cluster "$@"; }

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
