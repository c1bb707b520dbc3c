#!/usr/bin/env bash
# HCL structure of infrastructure/: every component has main.tf, variables.tf, outputs.tf,
# pinned providers and a partial S3 backend; every tfvars value is a declared variable and
# every variable without a default is set for every region of config.json. The checker
# (structure.js, the real HCL grammar via @cdktf/hcl2json) is also run on broken copies to
# show that it catches each kind of fault.
source "$(dirname "$0")/../lib/tap.sh"
CHECK=$ROOT/tests/infra/structure.js
if [ ! -d "$ROOT/tests/node_modules/@cdktf/hcl2json" ]; then
	t_fail "@cdktf/hcl2json is installed (make test-deps installs it)"
	t_done; exit
fi

t_ok "infrastructure/ passes the structure checks" node "$CHECK" "$ROOT/infrastructure" "$ROOT/config.json"
t_like "$T_OUT" "checked [0-9]+ components: aurora-db bastion ecs-cluster iam migration-task" "all five components checked"

for c in aurora-db ecs-cluster iam migration-task bastion; do
	t_ok "$c has a us-west-2 var-file" test -f "$ROOT/infrastructure/$c/var-files/us-west-2.tfvars"
done

# broken copies: each fault must be reported with its file
broken() { rm -rf "$T_TMP/infra"; cp -r "$ROOT/infrastructure" "$T_TMP/infra"; rm -rf "$T_TMP/infra/examples"; }

broken
echo 'not_declared = "x"' >>"$T_TMP/infra/ecs-cluster/var-files/us-west-2.tfvars"
t_run node "$CHECK" "$T_TMP/infra" "$ROOT/config.json"
t_is "$T_RC" 1 "an undeclared tfvars key fails"
t_like "$T_OUT" "ecs-cluster/var-files/us-west-2.tfvars: sets not_declared, which ecs-cluster/variables.tf does not declare" "names file and key"

broken
sed -i '/^cluster_name/d' "$T_TMP/infra/ecs-cluster/var-files/us-west-2.tfvars"
t_run node "$CHECK" "$T_TMP/infra" "$ROOT/config.json"
t_like "$T_OUT" "ecs-cluster/var-files/us-west-2.tfvars: does not set cluster_name, which has no default" "a required variable left unset is reported"

broken
sed 's/"us-west-2"/"eu-west-1"/' "$ROOT/config.json" >"$T_TMP/config-eu.json"
python3 - "$ROOT/config.json" "$T_TMP/config-two.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["infrastructure"]["eu-west-1"] = c["infrastructure"]["us-west-2"]
json.dump(c, open(sys.argv[2], "w"))
PY
t_run node "$CHECK" "$T_TMP/infra" "$T_TMP/config-two.json"
t_like "$T_OUT" "aurora-db/var-files/eu-west-1.tfvars: missing: config.json has region eu-west-1" "a region of config.json without var-files is reported"

broken
sed -i 's/version = "5.82.2"/version = "~> 5.0"/' "$T_TMP/infra/iam/main.tf"
t_run node "$CHECK" "$T_TMP/infra" "$ROOT/config.json"
t_like "$T_OUT" 'iam/main.tf: required_providers.aws.version "~> 5.0" is not pinned' "an unpinned provider is reported"

broken
sed -i 's/encrypt      = true/bucket = "state"/' "$T_TMP/infra/bastion/main.tf"
t_run node "$CHECK" "$T_TMP/infra" "$ROOT/config.json"
t_like "$T_OUT" 'bastion/main.tf: backend "s3" sets bucket: it must stay partial' "a backend that is not partial is reported"

broken
sed -i 's/^region *= "us-west-2"/region = "us-east-1"/' "$T_TMP/infra/migration-task/var-files/us-west-2.tfvars"
t_run node "$CHECK" "$T_TMP/infra" "$ROOT/config.json"
t_like "$T_OUT" 'migration-task/var-files/us-west-2.tfvars: region = "us-east-1" in the file of region us-west-2' "a tfvars for the wrong region is reported"

broken
echo 'output "x" { value = var.nowhere }' >>"$T_TMP/infra/ecs-cluster/outputs.tf"
t_run node "$CHECK" "$T_TMP/infra" "$ROOT/config.json"
t_like "$T_OUT" "ecs-cluster/variables.tf: var.nowhere is referenced but not declared" "an undeclared var.X reference is reported"

broken
echo 'resource "random_id" "x" { byte_length = 4 }' >>"$T_TMP/infra/ecs-cluster/main.tf"
t_run node "$CHECK" "$T_TMP/infra" "$ROOT/config.json"
t_like "$T_OUT" "ecs-cluster/main.tf: provider random is used but not in required_providers" "a provider used without a pin is reported"

broken
rm "$T_TMP/infra/bastion/outputs.tf"
t_run node "$CHECK" "$T_TMP/infra" "$ROOT/config.json"
t_like "$T_OUT" "bastion/outputs.tf: missing" "a component without outputs.tf is reported"

t_done
