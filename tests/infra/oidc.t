#!/usr/bin/env bash
# Who may assume the IAM roles through GitHub's OIDC provider: by default only the GitHub
# environments of the production jobs and the default branch, never repo:OWNER/REPO:*.
# oidc.py reads the HCL and the workflows (and is run on broken copies: each rule can fail);
# the subjects themselves are evaluated by the real terraform from the shipped files
# (variables.tf, oidc.tf, oidc-subjects/: no provider, so it runs offline).
source "$(dirname "$0")/../lib/tap.sh"
CHECK=$ROOT/tests/infra/oidc.py
if [ ! -d "$ROOT/tests/node_modules/@cdktf/hcl2json" ] || ! python3 -c 'import yaml' 2>/dev/null; then
	t_fail "@cdktf/hcl2json (make test-deps) and python3-yaml are installed"
	t_done; exit
fi
t_ok "the roles trust the production environments and the default branch only" python3 "$CHECK" "$ROOT"

copy() { rm -rf "$T_TMP/r"; mkdir -p "$T_TMP/r/.github" "$T_TMP/r/tests"; cp -r "$ROOT/.github/workflows" "$T_TMP/r/.github/"; cp -r "$ROOT/infrastructure" "$T_TMP/r/"; }
expect() { # DESC PATTERN
	t_run python3 "$CHECK" "$T_TMP/r"
	t_like "$T_OUT" "$2" "$1"
}
copy; sed -i 's/values   = each.value/values   = ["repo:${var.github_owner}\/${var.github_repo}:*"]/' "$T_TMP/r/infrastructure/iam/main.tf"
expect "trusting every ref of the repository is refused" 'iam/main.tf: trusts repo:\$\{var.github_owner\}/\$\{var.github_repo\}:\*: every ref'
copy; sed -i '/variable = "token.actions.githubusercontent.com:sub"/,+1d' "$T_TMP/r/infrastructure/iam/main.tf"
sed -i 's/^      test     = "StringLike"$//' "$T_TMP/r/infrastructure/iam/main.tf"
expect "a trust without a subject condition is refused" "iam/main.tf: role workflows: no condition on token.actions.githubusercontent.com:sub"
copy; sed -i 's/github_trust\["terraform"\].json/github_trust["workflows"].json/' "$T_TMP/r/infrastructure/iam/main.tf"
expect "the Terraform role trusting the workflow role's environments is refused" "role terraform: trusts the environments .*workflow_role_environments.*, expected var.terraform_role_environments"
copy; sed -i '/^    environment: run-migration$/d' "$T_TMP/r/.github/workflows/run-migration.yml"
expect "a migration job outside an environment is refused" "run-migration.yml: job migrate changes production outside a GitHub environment"
copy; sed -i 's/^    environment: restore-snapshot$/    environment: prod/' "$T_TMP/r/.github/workflows/restore-snapshot.yml"
expect "a job in an environment the role does not trust is refused" "restore-snapshot.yml: job restore assumes the workflows role in environment prod, which infrastructure/iam does not trust: add it to workflow_role_environments"
t_like "$T_OUT" "variables.tf: workflow_role_environments trusts restore-snapshot, which no job uses" "and the stale environment in the trust is reported"

# the subjects, evaluated by terraform from the shipped files
export TF_CLI_CONFIG_FILE=$T_TMP/terraformrc TF_IN_AUTOMATION=1
: >"$TF_CLI_CONFIG_FILE"
if ! command -v terraform >/dev/null 2>&1; then
	t_fail "terraform is on PATH" "install the terraform binary (https://developer.hashicorp.com/terraform/install; not in Debian)"
	t_done; exit
fi
m=$T_TMP/eval
mkdir -p "$m" && cp "$ROOT/infrastructure/iam/variables.tf" "$ROOT/infrastructure/iam/oidc.tf" "$m/" &&
	cp -r "$ROOT/infrastructure/iam/oidc-subjects" "$m/"
sed 's/"CHANGE ME"/"CHANGE-ME"/; s/^github_owner *=.*/github_owner = "acme"/; s/^github_repo *=.*/github_repo = "db"/' \
	"$ROOT/infrastructure/iam/var-files/us-west-2.tfvars" >"$m/r.tfvars"
tfcon() { # EXPR [ARG...]: terraform console on the copy with the region's tfvars
	local e=$1; shift
	echo "$e" | terraform -chdir="$m" console -var-file=r.tfvars "$@"
}
t_ok "terraform init of variables.tf + oidc.tf (local module, no provider)" terraform -chdir="$m" init -input=false -backend=false
t_run tfcon 'jsonencode(module.workflow_subjects.subjects)'
t_is "$T_OUT" '"[\"repo:acme/db:environment:run-migration\",\"repo:acme/db:environment:restore-snapshot\",\"repo:acme/db:ref:refs/heads/main\"]"' \
	"the workflow role trusts run-migration, restore-snapshot and main, nothing else"
t_run tfcon 'jsonencode(module.terraform_subjects.subjects)'
t_is "$T_OUT" '"[\"repo:acme/db:environment:deploy-infrastructure\",\"repo:acme/db:environment:destroy-infrastructure\",\"repo:acme/db:ref:refs/heads/main\"]"' \
	"the Terraform role trusts deploy-infrastructure, destroy-infrastructure and main, nothing else"
t_run tfcon 'jsonencode(module.workflow_subjects.subjects)' -var 'github_branches=["trunk"]' \
	-var 'github_subjects=["repo:acme/db:ref:refs/heads/release/*"]'
t_is "$T_OUT" '"[\"repo:acme/db:environment:run-migration\",\"repo:acme/db:environment:restore-snapshot\",\"repo:acme/db:ref:refs/heads/trunk\",\"repo:acme/db:ref:refs/heads/release/*\"]"' \
	"github_branches and github_subjects widen it on purpose"
t_run tfcon 'jsonencode(module.workflow_subjects.subjects)' -var 'workflow_role_environments=["*"]'
t_unlike "$T_OUT" "repo:acme" "a wildcard environment is refused: no subject comes out"
t_like "$T_OUT$T_ERR" "Environment names may not hold" "with the reason"
t_run tfcon 'jsonencode(module.terraform_subjects.subjects)' -var 'github_branches=["*"]'
t_unlike "$T_OUT" "repo:acme" "a wildcard branch is refused: no subject comes out"
t_like "$T_OUT$T_ERR" "Branch names may not hold" "with the reason"
t_done
