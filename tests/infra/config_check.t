#!/usr/bin/env bash
# orchestrator config check --infrastructure: config.json against every region's tfvars.
source "$(dirname "$0")/../lib/tap.sh"

repo() { rm -rf "$T_TMP/repo"; mkdir -p "$T_TMP/repo"; cp -r "$ROOT/config.json" "$ROOT/infrastructure" "$T_TMP/repo/"; }

repo
t_ok "the shipped config.json and infrastructure/ agree" "$ORC" config check --infrastructure --config "$T_TMP/repo/config.json"
t_like "$T_OUT" "OK \(1 region: us-west-2\)" "reports OK"

repo
sed -i 's/"dbClusterName": "auroradb-cluster"/"dbClusterName": "orders-db"/' "$T_TMP/repo/config.json"
t_run "$ORC" config check --infrastructure --config "$T_TMP/repo/config.json"
t_is "$T_RC" 2 "a changed cluster name in config.json exits 2"
t_like "$T_ERR" 'infrastructure/aurora-db/var-files/us-west-2.tfvars:[0-9]+: cluster_name = "auroradb-cluster" but [^ ]*repo/config.json: infrastructure\["us-west-2"\]\.auroraDB\.dbClusterName = "orders-db"' \
	"reported with both files and both keys"
t_like "$T_ERR" 'iam/var-files/us-west-2.tfvars:[0-9]+: db_cluster_name = "auroradb-cluster"' "the iam role's cluster too"
t_like "$T_ERR" 'disagree in 4 places' "with a count"
t_run "$ORC" config check --config "$T_TMP/repo/config.json"
t_is "$T_RC" 0 "without --infrastructure the tfvars are not read"

repo
sed -i 's|^log_group_name *=.*|log_group_name = "/ecs/other"|' "$T_TMP/repo/infrastructure/iam/var-files/us-west-2.tfvars"
t_run "$ORC" config check --infrastructure --config "$T_TMP/repo/config.json"
t_is "$T_RC" 2 "components that disagree on the log group exit 2"
t_like "$T_ERR" 'migration-task/var-files/us-west-2.tfvars:[0-9]+: log_group_name = "/ecs/flyway-migration-family" but infrastructure/iam/var-files/us-west-2.tfvars:[0-9]+: log_group_name = "/ecs/other"' "both tfvars named"

repo
rm -r "$T_TMP/repo/infrastructure/bastion"
t_ok "an absent optional component is skipped" "$ORC" config check --infrastructure --config "$T_TMP/repo/config.json"

repo
rm "$T_TMP/repo/infrastructure/ecs-cluster/var-files/us-west-2.tfvars"
t_run "$ORC" config check --infrastructure --config "$T_TMP/repo/config.json"
t_like "$T_ERR" 'infrastructure/ecs-cluster/var-files/us-west-2.tfvars: missing' "a region's missing var-file is reported"
t_done
