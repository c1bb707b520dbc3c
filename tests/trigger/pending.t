#!/usr/bin/env bash
# trigger's check before sending (trigger/pending.c) against the local GitHub stand-in,
# whose list of workflow runs is checked against GitHub's OpenAPI description: a dispatch
# that would make GitHub cancel a run waiting in the same concurrency group is refused
# with one line and nothing is sent (not for one region of "all" either); another region,
# another folder, or a group with only one unfinished run is sent; a token that may not
# list runs gets a warning and the event is sent.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/github/lib.sh"
gh_start

proj=$T_TMP/proj
mkdir -p "$proj/infrastructure/network" "$proj/infrastructure/database"
touch "$proj/infrastructure/network/main.tf" "$proj/infrastructure/database/main.tf"
cat >"$proj/config.json" <<'EOF'
{
  "githubOwner": "acme",
  "githubRepo": "aurora-db",
  "githubTokenName": "ORC_TEST_TOKEN",
  "infrastructure": {
    "us-west-2": {"terraformBucket": "acme-tf-west"},
    "eu-central-1": {"terraformBucket": "acme-tf-eu"}
  }
}
EOF
export ORC_TEST_TOKEN=ghp_$(openssl rand -hex 18)
unset GITHUB_ACTIONS GITHUB_SERVER_URL GH_TOKEN GITHUB_TOKEN

# send RUNS ARGS...: GitHub lists RUNS, trigger runs with ARGS.
send() {
	local runs=$1; shift
	gh_script '["204"]'
	gh_runs "$runs"
	t_run "$ORC" trigger "$@" --config "$proj/config.json"
}
busy='{"runs": {"restore-snapshot.yml": [
  {"id": 101, "status": "in_progress", "display_title": "restore-snapshot in us-west-2"},
  {"id": 102, "status": "pending", "display_title": "restore-snapshot in us-west-2"},
  {"id": 103, "status": "pending", "display_title": "restore-snapshot in eu-central-1"}]}}'

send "$busy" restore-snapshot --region us-west-2 --snapshot snap-1 --yes
t_is "$T_RC" 1 "a running and a waiting run in the group: exit 1"
t_is "$(printf '%s\n' "$T_ERR" | grep -c .)" 1 "one line"
t_like "$T_ERR" "restore-snapshot for us-west-2 not sent: its concurrency group already holds a running and a waiting run \(run 101 \"restore-snapshot in us-west-2\" in_progress at https://github.com/acme/aurora-db/actions/runs/101, run 102 \"restore-snapshot in us-west-2\" pending at .*/102\), and GitHub would cancel the waiting one" "names both runs and why"
t_is "$(gh_count)" 0 "nothing dispatched"
t_is "$(gh_list_field '[x["problems"] for x in r if x["problems"]]')" "[]" "list requests valid against GitHub's OpenAPI description"
t_is "$(gh_list_field 'sorted(x["query"]["status"][0] for x in r)')" "['in_progress', 'pending', 'queued', 'requested', 'waiting']" "every unfinished status asked"
t_is "$(gh_list_field 'sorted(set(x["path"] for x in r))')" "['/repos/acme/aurora-db/actions/workflows/restore-snapshot.yml/runs']" "the operation's own workflow"
t_is "$(gh_list_field 'set(x["query"]["per_page"][0] for x in r)')" "{'100'}" "100 runs a page"

send "$busy" restore-snapshot --region eu-central-1 --snapshot snap-1 --yes
t_is "$T_RC" 0 "eu-central-1's group holds one unfinished run: sent"
t_is "$(gh_count)" 1 "dispatched"

send "$busy" restore-snapshot --region all --snapshot snap-1 --yes
t_is "$T_RC" 1 "--region all with one region busy: exit 1"
t_is "$(gh_count)" 0 "nothing sent, not even to the free region"

send "$busy" create-snapshot --region us-west-2
t_is "$T_RC" 0 "another operation's group: sent"
t_is "$(gh_count)" 1 "create-snapshot dispatched"

send '{"runs": {"restore-snapshot.yml": [{"id": 101, "status": "in_progress", "display_title": "restore-snapshot in us-west-2"}]}}' restore-snapshot --region us-west-2 --snapshot snap-1 --yes
t_is "$T_RC" 0 "one running run: sent, the new one waits behind it"
t_is "$(gh_count)" 1 "dispatched"

send '{"runs": {"run-migration.yml": [
  {"id": 7, "status": "queued", "display_title": "migrate main in us-west-2"},
  {"id": 7, "status": "in_progress", "display_title": "migrate main in us-west-2"}]}}' run-migration --region us-west-2 --branch main
t_is "$T_RC" 0 "a run seen in two lists (it started between them) is one run: sent"

send '{"runs": {"run-migration.yml": [
  {"id": 7, "status": "waiting", "display_title": "migrate main in us-west-2"},
  {"id": 8, "status": "queued", "display_title": "migrate feature/x in us-west-2"}]}}' run-migration --region us-west-2 --branch main
t_is "$T_RC" 1 "a run waiting for its environment's reviewers and a queued one: exit 1"
t_like "$T_ERR" "run 7 .*run 8 " "both named"

# deploy and destroy share a group per region and folder
infra='{"runs": {"deploy-infrastructure.yml": [{"id": 31, "status": "pending", "display_title": "deploy network in us-west-2"}],
  "destroy-infrastructure.yml": [{"id": 30, "status": "in_progress", "display_title": "destroy network in us-west-2"}]}}'
send "$infra" deploy-infrastructure --region us-west-2 --folder network
t_is "$T_RC" 1 "deploy behind a destroy and a pending deploy of the folder: exit 1"
t_is "$(gh_list_field 'sorted(set(x["workflow"] for x in r))')" "['deploy-infrastructure.yml', 'destroy-infrastructure.yml']" "both workflows of the shared group asked"
send "$infra" destroy-infrastructure --region us-west-2 --folder network --yes
t_is "$T_RC" 1 "destroy: the same group, exit 1"
send "$infra" deploy-infrastructure --region us-west-2 --folder database
t_is "$T_RC" 0 "another folder: sent"
send "$infra" deploy-infrastructure --region eu-central-1 --folder network
t_is "$T_RC" 0 "another region: sent"

# a token that may not read Actions: warned, sent
send '{"runs": {}, "answer": "403"}' run-migration --region us-west-2 --branch main
t_is "$T_RC" 0 "list refused (403): still sent"
t_is "$(gh_count)" 1 "dispatched"
t_like "$T_ERR" "warning: cannot check for runs waiting in the concurrency group of run-migration for us-west-2 \(GitHub answered 403 to the list of run-migration.yml runs: Resource not accessible.*\"Actions: read\"" "a warning says what was not checked and why"
t_unlike "$T_OUT$T_ERR" "$ORC_TEST_TOKEN" "the token in no output"

# a dry run asks nothing
send "$busy" restore-snapshot --region us-west-2 --snapshot snap-1 --dry-run
t_is "$T_RC" 0 "--dry-run: exit 0"
t_is "$(gh_list_field 'len(r)')" 0 "--dry-run lists no runs"

# the stand-in refuses what GitHub would: a run field GitHub does not have
send '{"runs": {"run-migration.yml": [{"id": 9, "status": "pending", "display_title": "migrate main in us-west-2", "region": "us-west-2"}]}}' run-migration --region us-west-2 --branch main
t_like "$(gh_list_field '[p for x in r for p in x["problems"]]')" "run field 'region' is not in GitHub's workflow-run schema" "stand-in checks served runs against the schema"
t_done
