#!/usr/bin/env bash
# deploy-infrastructure, destroy-infrastructure and build-image workflows: the validator,
# the rules (workflows.py, run on broken copies too), and the request check executed for
# real against hostile payload values.
source "$(dirname "$0")/../lib/tap.sh"
VALIDATOR=$ROOT/tests/node_modules/.bin/action-validator
CHECK=$ROOT/tests/infra/workflows.py
WF=$ROOT/.github/workflows

for f in deploy-infrastructure destroy-infrastructure build-image; do
	if [ -x "$VALIDATOR" ]; then
		t_ok "$f.yml passes action-validator" "$VALIDATOR" "$WF/$f.yml"
	else
		t_fail "action-validator is installed (make test-deps)"
	fi
done
if ! python3 -c 'import yaml' 2>/dev/null; then
	t_fail "python3 can import yaml (Debian: python3-yaml)"
	t_done; exit
fi
t_ok "the workflows follow the rules" python3 "$CHECK" "$ROOT"

# broken copies: each rule can fail
copy() { rm -rf "$T_TMP/r"; mkdir -p "$T_TMP/r/.github"; cp -r "$ROOT/.github/workflows" "$T_TMP/r/.github/"; cp -r "$ROOT/infrastructure" "$T_TMP/r/"; }
expect() { # DESC PATTERN
	t_run python3 "$CHECK" "$T_TMP/r"
	t_like "$T_OUT" "$2" "$1"
}
copy; sed -i 's/^  id-token: write/  id-token: write\n  actions: write/' "$T_TMP/r/.github/workflows/deploy-infrastructure.yml"
expect "extra permissions are refused" "deploy-infrastructure.yml: permissions .*expected contents: read and id-token: write only"
copy; sed -i 's/            aurora-db | ecs-cluster | iam | migration-task | migration-service | bastion) ;;/            *) ;;/' "$T_TMP/r/.github/workflows/destroy-infrastructure.yml"
expect "a folder check that accepts anything is refused" "destroy-infrastructure.yml: the folder check accepts"
copy; mkdir -p "$T_TMP/r/infrastructure/new-thing"
expect "a component missing from the folder check is refused" "deploy-infrastructure.yml: the folder check accepts .* the components are .*new-thing"
copy; sed -i 's/^    environment: destroy-infrastructure$//' "$T_TMP/r/.github/workflows/destroy-infrastructure.yml"
expect "destroy without an approval environment is refused" "destroy-infrastructure.yml: job destroy destroys without an approval environment"
copy; sed -i 's/-\${{ github.event.client_payload.folder }}$//' "$T_TMP/r/.github/workflows/deploy-infrastructure.yml"
expect "concurrency not per component is refused" "deploy-infrastructure.yml: concurrency group .* is not per region and component"
copy; sed -i 's/terraform plan -input=false -no-color -var-file="\$VAR_FILE"/terraform plan -var-file="var-files\/${{ github.event.client_payload.region }}.tfvars"/' "$T_TMP/r/.github/workflows/deploy-infrastructure.yml"
expect "a payload expression inside run: is refused" "deploy-infrastructure.yml: job deploy step [0-9]+: .* inside run:"
copy; sed -i 's/role-to-assume: \${{ vars.AWS_TERRAFORM_ROLE_ARN }}/role-to-assume: arn:aws:iam::123456789012:role\/x/' "$T_TMP/r/.github/workflows/deploy-infrastructure.yml"
expect "a hard-coded role is refused" "role-to-assume 'arn:aws:iam::123456789012:role/x' is not a repository variable"
copy; python3 - "$T_TMP/r/.github/workflows/deploy-infrastructure.yml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
# move the request check after the init step
check = s[s.index("      # Before anything builds a path"):s.index("      - name: Set up orchestrator")]
s = s.replace(check, "")
s = s.replace("      - name: terraform plan\n", check + "      - name: terraform plan\n")
open(p, "w").write(s)
PY
expect "a path built before the check is refused" "deploy-infrastructure.yml: job deploy step [0-9]+ uses the folder before the request is checked"

# the request check, executed as each workflow runs it, against hostile payloads
command -v jq >/dev/null || t_fail "jq is installed (make deps)"
cp "$ROOT/config.json" "$T_TMP/config.json"
sed -i 's/"terraformBucket": "CHANGE ME"/"terraformBucket": "tf-state-1234"/' "$T_TMP/config.json"
mkdir -p "$T_TMP/ws" && cp "$T_TMP/config.json" "$T_TMP/ws/" && cp -r "$ROOT/infrastructure" "$T_TMP/ws/"
run_check() { # SCRIPT REGION FOLDER
	: >"$T_TMP/gh-out"
	t_run env -C "$T_TMP/ws" REGION="$2" FOLDER="$3" GITHUB_OUTPUT="$T_TMP/gh-out" bash -e "$1"
}
for wf in deploy-infrastructure destroy-infrastructure; do
	script=$T_TMP/check-$wf.sh
	python3 "$CHECK" "$ROOT" --script $wf.yml "Check the request" >"$script"
	run_check "$script" us-west-2 aurora-db
	t_is "$T_RC" 0 "$wf: a valid request passes the check"
	t_is "$(tr '\n' ' ' <"$T_TMP/gh-out")" "dir=infrastructure/aurora-db var-file=var-files/us-west-2.tfvars bucket=tf-state-1234 state-key=aurora-db/us-west-2/terraform.tfstate " "$wf: and yields the directory, var-file, bucket and state key"
	outs=""
	for folder in "../../etc" "aurora-db/../../x" "aurora-db; touch pwned" '$(touch pwned)' "" "examples" "AURORA-DB" $'aurora-db\n::add-mask::x'; do
		run_check "$script" us-west-2 "$folder"
		t_is "$T_RC:$(cat "$T_TMP/gh-out")" "2:" "$wf: folder $(printf %q "$folder") is refused, nothing output"
		outs+=$T_OUT
	done
	t_unlike "$outs" "pwned|\.\./|add-mask" "$wf: hostile folder values are never echoed"
	t_ok "$wf: nothing was executed from the payload" test ! -e "$T_TMP/ws/pwned"
	for region in "us-west-2/../x" 'us-west-2$(id)' "" "US-WEST-2"; do
		run_check "$script" "$region" aurora-db
		t_is "$T_RC" 2 "$wf: region $(printf %q "$region") is refused"
	done
	run_check "$script" eu-west-1 aurora-db
	t_is "$T_RC" 2 "$wf: a region that config.json does not have is refused"
	t_like "$T_OUT" 'terraformBucket: not set' "$wf: saying what is missing"
	# the bucket name from config.json goes to GITHUB_OUTPUT before config check runs
	cp "$T_TMP/ws/config.json" "$T_TMP/ws/config.good"
	jq '.infrastructure["us-west-2"].terraformBucket = "tf-state-1234\nstate-key=../../x"' "$T_TMP/ws/config.good" >"$T_TMP/ws/config.json"
	run_check "$script" us-west-2 aurora-db
	t_is "$T_RC:$(cat "$T_TMP/gh-out")" "2:" "$wf: a terraformBucket with a newline is refused, nothing output"
	t_like "$T_OUT" 'terraformBucket: not an S3 bucket name' "$wf: saying why"
	mv "$T_TMP/ws/config.good" "$T_TMP/ws/config.json"
done
t_done
