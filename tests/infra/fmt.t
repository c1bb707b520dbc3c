#!/usr/bin/env bash
# `terraform fmt -check -recursive infrastructure` is clean. terraform is not a Debian
# package (HashiCorp's licence keeps it out), so make deps cannot install it: when it is
# missing this test FAILS, naming what to install; it never counts as passed.
source "$(dirname "$0")/../lib/tap.sh"
export TF_CLI_CONFIG_FILE=$T_TMP/terraformrc TF_IN_AUTOMATION=1
: >"$TF_CLI_CONFIG_FILE"
if ! command -v terraform >/dev/null 2>&1; then
	t_fail "terraform is on PATH" "terraform fmt cannot run: install the terraform binary (https://developer.hashicorp.com/terraform/install; not in Debian)"
	t_done; exit
fi
t_ok "terraform fmt -check -recursive infrastructure is clean" terraform fmt -check -recursive -diff "$ROOT/infrastructure"

# the check itself can fail: a badly indented copy is refused
mkdir -p "$T_TMP/bad"
printf 'variable "x" {\ntype=string\n    default = "y"\n}\n' >"$T_TMP/bad/variables.tf"
t_run terraform fmt -check -recursive "$T_TMP/bad"
t_is "$T_RC" 3 "terraform fmt -check refuses a badly formatted file (exit 3)"
t_like "$T_OUT" "variables.tf" "and names it"
t_done
