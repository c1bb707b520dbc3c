#!/usr/bin/env bash
# HCL structure of infrastructure/: every component has main.tf, variables.tf, outputs.tf,
# pinned providers and a partial S3 backend; every tfvars value is a declared variable and
# every variable without a default is set for every region of config.json. The checker
# (structure.js, the real HCL grammar via @cdktf/hcl2json) is also run on broken copies to
# show that it catches each kind of fault (all copies in one run: the parser is slow to load).
source "$(dirname "$0")/../lib/tap.sh"
CHECK=$ROOT/tests/infra/structure.js
if [ ! -d "$ROOT/tests/node_modules/@cdktf/hcl2json" ]; then
	t_fail "@cdktf/hcl2json is installed (make test-deps installs it)"
	t_done; exit
fi

t_ok "infrastructure/ passes the structure checks" node "$CHECK" "$ROOT/infrastructure" "$ROOT/config.json"
t_like "$T_OUT" "checked [0-9]+ components: aurora-db bastion ecs-cluster iam migration-service migration-task" "all six components checked"
for c in aurora-db ecs-cluster iam migration-task migration-service bastion; do
	t_ok "$c has a us-west-2 var-file" test -f "$ROOT/infrastructure/$c/var-files/us-west-2.tfvars"
done

# broken copies: case N is a copy of infrastructure/ with one fault, checked against a
# config; each fault must be reported with its file
python3 - "$ROOT/config.json" "$T_TMP/config-two.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["infrastructure"]["eu-west-1"] = c["infrastructure"]["us-west-2"]
json.dump(c, open(sys.argv[2], "w"))
PY
args=() descs=() wants=()
case_() { # DESC WANT-ERE CONFIG SHELL-EDIT (run inside the copy)
	local n=$((${#descs[@]} + 1)) dir=$T_TMP/infra$((${#descs[@]} + 1))
	cp -r "$ROOT/infrastructure" "$dir" && rm -rf "$dir/examples"
	(cd "$dir" && eval "$4")
	args+=("$dir" "$3") descs+=("$1") wants+=("^\[$n\] .*$2")
}
case_ "an undeclared tfvars key" "ecs-cluster/var-files/us-west-2.tfvars: sets not_declared, which ecs-cluster/variables.tf does not declare" \
	"$ROOT/config.json" "echo 'not_declared = \"x\"' >>ecs-cluster/var-files/us-west-2.tfvars"
case_ "a required variable left unset" "ecs-cluster/var-files/us-west-2.tfvars: does not set cluster_name, which has no default" \
	"$ROOT/config.json" "sed -i '/^cluster_name/d' ecs-cluster/var-files/us-west-2.tfvars"
case_ "a region of config.json without var-files" "aurora-db/var-files/eu-west-1.tfvars: missing: config.json has region eu-west-1" \
	"$T_TMP/config-two.json" ":"
case_ "an unpinned provider" 'iam/main.tf: required_providers.aws.version "~> 5.0" is not pinned' \
	"$ROOT/config.json" "sed -i 's/version = \"5.82.2\"/version = \"~> 5.0\"/' iam/main.tf"
case_ "a backend that is not partial" 'bastion/main.tf: backend "s3" sets bucket: it must stay partial' \
	"$ROOT/config.json" "sed -i 's/encrypt      = true/bucket = \"state\"/' bastion/main.tf"
case_ "a tfvars for the wrong region" 'migration-task/var-files/us-west-2.tfvars: region = "us-east-1" in the file of region us-west-2' \
	"$ROOT/config.json" "sed -i 's/^region *= \"us-west-2\"/region = \"us-east-1\"/' migration-task/var-files/us-west-2.tfvars"
case_ "an undeclared var.X reference" "ecs-cluster/variables.tf: var.nowhere is referenced but not declared" \
	"$ROOT/config.json" "echo 'output \"x\" { value = var.nowhere }' >>ecs-cluster/outputs.tf"
case_ "a provider used without a pin" "ecs-cluster/main.tf: provider random is used but not in required_providers" \
	"$ROOT/config.json" "echo 'resource \"random_id\" \"x\" { byte_length = 4 }' >>ecs-cluster/main.tf"
case_ "a component without outputs.tf" "bastion/outputs.tf: missing" \
	"$ROOT/config.json" "rm bastion/outputs.tf"
case_ "a file that is not HCL" "iam/main.tf: does not parse as HCL" \
	"$ROOT/config.json" "echo 'resource {{{' >>iam/main.tf"

t_run node "$CHECK" "${args[@]}"
t_is "$T_RC" 1 "the broken copies fail the check"
for i in "${!descs[@]}"; do
	t_like "$T_OUT" "${wants[$i]}" "${descs[$i]} is reported, naming the file"
done
t_done
