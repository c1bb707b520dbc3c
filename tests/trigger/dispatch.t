#!/usr/bin/env bash
# trigger_workflow against the local GitHub stand-in: every answer GitHub can give, the
# exit code and message for each, how many requests were made (retries included), and
# that the token shows up in no output.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/github/lib.sh"
gh_start

# The project is a clone whose origin has main (the branch the requests below name).
export GIT_CONFIG_NOSYSTEM=1 HOME=$T_TMP
git init -q --bare -b main "$T_TMP/remote.git"
git clone -q "$T_TMP/remote.git" "$T_TMP/proj" 2>/dev/null
git -C "$T_TMP/proj" -c user.name=t -c user.email=t@e commit -q --allow-empty -m init
git -C "$T_TMP/proj" push -q origin main
proj=$T_TMP/proj
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
TOKEN=ghp_$(openssl rand -hex 18)
export ORC_TEST_TOKEN=$TOKEN
unset GITHUB_ACTIONS GITHUB_SERVER_URL GH_TOKEN GITHUB_TOKEN
git -C "$proj" add config.json
git -C "$proj" -c user.name=t -c user.email=t@e commit -q -m config && git -C "$proj" push -q origin main
git -C "$proj" remote set-head origin main # what a clone of a non-empty repository records

# send ANSWERS ARGS...: scripts the stand-in, runs trigger, checks the token stayed out.
send() {
	local answers=$1; shift
	gh_script "$answers"
	t_run "$ORC" trigger "$@" --config "$proj/config.json"
	t_unlike "$T_OUT$T_ERR" "$TOKEN" "token in no output ($answers)"
}

send '["204"]' run-migration --region us-west-2 --branch main
t_is "$T_RC" 0 "204: exit 0"
t_like "$T_OUT" "dispatched run-migration for us-west-2 \(request [0-9a-f]{32}\) to acme/aurora-db: follow it at http://127.0.0.1:$GH_PORT/acme/aurora-db/actions" "204: prints the Actions URL"
t_is "$(gh_count)" 1 "204: one request"
t_is "$(gh_field 'r[0]["problems"]')" "[]" "204: body matches GitHub's OpenAPI requestBody schema, headers complete"
t_is "$(gh_field 'r[0]["path"]')" "/repos/acme/aurora-db/dispatches" "204: POST /repos/{owner}/{repo}/dispatches"
t_is "$(gh_field 'r[0]["body"]["event_type"]')" "run-migration" "event_type is the verb"
t_is "$(gh_field 'sorted(r[0]["body"]["client_payload"])')" "['branch', 'region', 'request_id', 'requested_by']" "payload keys of run-migration"
t_is "$(gh_field 'r[0]["headers"]["Authorization"] == "Bearer " + __import__("os").environ["ORC_TEST_TOKEN"]')" "True" "token sent as Bearer"
t_like "$(gh_field 'r[0]["headers"]["User-Agent"]')" "^orchestrator/[0-9]" "User-Agent names orchestrator and its version"

send '["204"]' run_migration --region us-west-2 --branch main
t_is "$(gh_field 'r[0]["body"]["event_type"]')" "run-migration" "underscore alias sends the verb"

send '["401"]' run-migration --region us-west-2 --branch main
t_is "$T_RC" 3 "401: exit 3"
t_like "$T_ERR" "refused the token in \\\$ORC_TEST_TOKEN \(401 Bad credentials\).*export it as ORC_TEST_TOKEN" "401: says the token is bad and which variable"
t_is "$(gh_count)" 1 "401: not retried"
t_is "$(printf '%s\n' "$T_ERR" | grep -c .)" 1 "401: one line"

send '["403"]' run-migration --region us-west-2 --branch main
t_is "$T_RC" 3 "403: exit 3"
t_like "$T_ERR" "forbade the dispatch to acme/aurora-db \(403 Resource not accessible.*lacks permission" "403: permission message"
t_is "$(gh_count)" 1 "403 without rate-limit headers: not retried"

send '["403-ratelimit","204"]' run-migration --region us-west-2 --branch main
t_is "$T_RC" 0 "403 x-ratelimit-remaining 0, then 204: exit 0"
t_is "$(gh_count)" 2 "403 rate limit: retried once"
t_is "$(gh_count 204)" 1 "403 rate limit: exactly one event created"

send '["403-retry-after","204"]' run-migration --region us-west-2 --branch main
t_is "$T_RC" 0 "403 Retry-After, then 204: exit 0"
t_is "$(gh_count)" 2 "403 Retry-After: retried once"

send '["403-ratelimit"]' run-migration --region us-west-2 --branch main
t_is "$T_RC" 3 "rate limit that never lifts: exit 3"
t_like "$T_ERR" "after 3 attempts: GitHub is rate-limiting the token in \\\$ORC_TEST_TOKEN \(403\); wait until" "rate limit: says to wait"
t_is "$(gh_count)" 3 "rate limit: at most 3 attempts"

send '["403-ratelimit-hour"]' run-migration --region us-west-2 --branch main
t_is "$T_RC" 3 "rate limit resetting in an hour: exit 3"
t_is "$(gh_count)" 1 "rate limit beyond the 60 s cap: no retry"
t_like "$T_ERR" "rate-limiting the token .*wait until [0-9:]+ UTC" "rate limit beyond the cap: says when it resets"

send '["404"]' run-migration --region us-west-2 --branch main
t_is "$T_RC" 3 "404: exit 3"
t_like "$T_ERR" "404 for acme/aurora-db: usually the token in \\\$ORC_TEST_TOKEN has no access" "404: explains the usual cause"
t_is "$(gh_count)" 1 "404: not retried"

send '["422"]' run-migration --region us-west-2 --branch main
t_is "$T_RC" 3 "422: exit 3"
t_like "$T_ERR" "rejected the run-migration event for acme/aurora-db \(422\): Invalid request. event_type is too long" "422: prints GitHub's message on one line"
t_is "$(gh_count)" 1 "422: not retried"

send '["500","204"]' create-snapshot --region us-west-2 --snapshot nightly-1
t_is "$T_RC" 0 "500 then 204: exit 0"
t_is "$(gh_count)" 2 "500 then 204: two requests"
t_is "$(gh_count 204)" 1 "500 then 204: exactly one event created"
t_is "$(gh_field 'r[0]["body"] == r[1]["body"]')" "True" "the retry resends the same body (same request_id)"
t_is "$(gh_field 'r[1]["body"]["client_payload"]["snapshot"]')" "nightly-1" "snapshot in the payload"

send '["500"]' run-migration --region us-west-2 --branch main
t_is "$T_RC" 1 "5xx every time: exit 1"
t_like "$T_ERR" "after 3 attempts: GitHub answered 500" "5xx: says GitHub kept failing"
t_is "$(gh_count)" 3 "5xx: 3 attempts"

send '["drop","204"]' run-migration --region us-west-2 --branch main
t_is "$T_RC" 0 "dropped connection, then 204: exit 0"
t_is "$(gh_count)" 2 "dropped connection: retried"
t_is "$(gh_count 204)" 1 "dropped connection: exactly one event created"

send '["drop"]' run-migration --region us-west-2 --branch main
t_is "$T_RC" 1 "connection dropped every time: exit 1"
t_like "$T_ERR" "after 3 attempts: cannot reach GitHub" "dropped: says GitHub cannot be reached"
t_is "$(gh_count)" 3 "dropped: 3 attempts"

send '["204"]' run-migration --region us-west-2 --branch main --verbose
t_is "$T_RC" 0 "--verbose: exit 0"
t_like "$T_ERR" "> POST http://127.0.0.1:$GH_PORT/repos/acme/aurora-db/dispatches" "--verbose: request line"
t_like "$T_ERR" "> Authorization: <redacted>" "--verbose: Authorization redacted"
t_like "$T_ERR" "< HTTP/1.1 204" "--verbose: response line"

send '["204"]' deploy-infrastructure --region all --folder network
t_is "$T_RC" 2 "a folder that does not exist: exit 2"
t_is "$(gh_count)" 0 "a folder that does not exist: nothing sent"
mkdir -p "$proj/infrastructure/network" && touch "$proj/infrastructure/network/main.tf"
send '["204"]' deploy-infrastructure --region all --folder network
t_is "$T_RC" 0 "--region all: exit 0"
t_is "$(gh_field 'sorted(x["body"]["client_payload"]["region"] for x in r)')" "['eu-central-1', 'us-west-2']" "--region all: one event per configured region"
t_is "$(gh_field 'len({x["body"]["client_payload"]["request_id"] for x in r})')" 2 "each event has its own request_id"

send '["204","401"]' destroy-infrastructure --region all --folder network --yes
t_is "$T_RC" 3 "--region all, second refused: exit 3"
t_like "$T_ERR" "eu-central-1 \(already dispatched: us-west-2\)" "--region all: says which regions were already sent"

send '["204"]' run-migration --region us-west-2 --branch no-such-branch
t_is "$T_RC" 2 "a branch origin does not have: exit 2"
t_like "$T_ERR" "^error: --branch no-such-branch: origin has no branch no-such-branch" "names the branch and the remote"
t_is "$(printf '%s\n' "$T_ERR" | grep -c .)" 1 "in one line"
t_is "$(gh_count)" 0 "nothing sent"

# The workflow reads config.json and the tfvars as pushed to the default branch: a local
# change is said before sending (and the request still goes).
gitp() { git -C "$proj" -c user.name=t -c user.email=t@e "$@"; }
send '["204"]' run-migration --region us-west-2 --branch main
t_unlike "$T_ERR" "config.json" "config.json as pushed: no warning"
sed -i 's/"acme-tf-west"/"acme-tf-west2"/' "$proj/config.json"
send '["204"]' run-migration --region us-west-2 --branch main
t_is "$T_RC" 0 "config.json changed, not committed: still sent"
t_like "$T_ERR" "warning: .*config\.json has uncommitted changes, and the workflow reads it as pushed to origin/main: commit and push it first" "uncommitted config.json: warned"
gitp commit -q -am "bucket"
send '["204"]' run-migration --region us-west-2 --branch main
t_like "$T_ERR" "warning: .*config\.json is committed here but differs from origin/main, which the workflow reads" "committed, not pushed: warned"
gitp push -q origin main
send '["204"]' run-migration --region us-west-2 --branch main
t_unlike "$T_ERR" "warning" "pushed: no warning"
# A feature branch with its own config.json: the workflow still reads the default branch.
gitp checkout -q -b feature
sed -i 's/"acme-tf-west2"/"acme-tf-west3"/' "$proj/config.json"
gitp commit -q -am "feature bucket" && gitp push -q -u origin feature
send '["204"]' run-migration --region us-west-2 --branch feature
t_like "$T_ERR" "config\.json is committed here but differs from origin/main" "pushed to another branch: still differs from the default branch"
gitp checkout -q main
mkdir -p "$proj/infrastructure/network/var-files"
echo 'region = "us-west-2"' >"$proj/infrastructure/network/var-files/us-west-2.tfvars"
echo 'region = "eu-central-1"' >"$proj/infrastructure/network/var-files/eu-central-1.tfvars"
send '["204"]' deploy-infrastructure --region us-west-2 --folder network
t_like "$T_ERR" "infrastructure/network/var-files/us-west-2\.tfvars is new and not committed, and the workflow reads it as pushed to origin/main" "the region's tfvars, new and uncommitted: warned"
t_unlike "$T_ERR" "eu-central-1\.tfvars" "another region's tfvars: not this request's"
t_is "$(gh_count)" 1 "and sent"
gitp add infrastructure && gitp commit -q -m tfvars && gitp push -q origin main
send '["204"]' deploy-infrastructure --region all --folder network
t_unlike "$T_ERR" "warning" "tfvars pushed: no warning"

export ORC_TEST_TOKEN="$TOKEN
"
send '["204"]' run-migration --region us-west-2 --branch main
t_is "$T_RC" 2 "token with a newline (header injection): exit 2"
t_like "$T_ERR" "ORC_TEST_TOKEN contains whitespace or control characters" "token with a newline: says so"
t_is "$(gh_count)" 0 "token with a newline: nothing sent"

unset ORC_TEST_TOKEN
send '["204"]' run-migration --region us-west-2 --branch main
t_is "$T_RC" 2 "token variable unset: exit 2"
t_like "$T_ERR" "ORC_TEST_TOKEN is not set: export a GitHub token" "token unset: names the variable"
t_is "$(gh_count)" 0 "token unset: nothing sent"

# The configured variable unset: GH_TOKEN, then GITHUB_TOKEN, then the gh CLI's token.
for var in GH_TOKEN GITHUB_TOKEN; do
	gh_script '["204"]'
	t_run env "$var=$TOKEN" "$ORC" trigger run-migration --region us-west-2 --branch main --config "$proj/config.json"
	t_is "$T_RC" 0 "token from $var: exit 0"
	t_like "$T_ERR" "ORC_TEST_TOKEN is not set; using the token from $var" "token from $var: says which"
	t_unlike "$T_OUT$T_ERR" "$TOKEN" "token from $var: in no output"
	t_is "$(T=$TOKEN gh_field 'r[0]["headers"]["Authorization"] == "Bearer " + __import__("os").environ["T"]')" "True" "token from $var: sent"
done
mkdir -p "$T_TMP/ghbin"
printf '#!/bin/sh\n[ "$1 $2" = "auth token" ] && printf "%%s\\n" "$FAKE_GH_TOKEN"\n' >"$T_TMP/ghbin/gh"
chmod +x "$T_TMP/ghbin/gh"
gh_script '["204"]'
t_run env PATH="$T_TMP/ghbin:$PATH" FAKE_GH_TOKEN="$TOKEN" "$ORC" trigger run-migration --region us-west-2 --branch main --config "$proj/config.json"
t_is "$T_RC" 0 "token from gh auth token: exit 0"
t_like "$T_ERR" "ORC_TEST_TOKEN is not set; using the token from gh auth token" "token from gh: says so"
t_unlike "$T_OUT$T_ERR" "$TOKEN" "token from gh: in no output"
t_is "$(T=$TOKEN gh_field 'r[0]["headers"]["Authorization"] == "Bearer " + __import__("os").environ["T"]')" "True" "token from gh: sent"
export ORC_TEST_TOKEN=$TOKEN

sed 's/"acme"/"CHANGE ME"/' "$proj/config.json" >"$proj/unset.json"
gh_script '["204"]'
t_run "$ORC" trigger run-migration --region us-west-2 --branch main --config "$proj/unset.json"
t_is "$T_RC" 2 "githubOwner still CHANGE ME: exit 2"
t_like "$T_ERR" "githubOwner: still \"CHANGE ME\"" "CHANGE ME: names the key"
t_is "$(gh_count)" 0 "CHANGE ME: nothing sent"

sed 's/"acme-tf-west[0-9]*"/"CHANGE ME"/' "$proj/config.json" >"$proj/unset.json"
t_run "$ORC" trigger deploy-infrastructure --region us-west-2 --folder network --config "$proj/unset.json"
t_is "$T_RC" 2 "terraformBucket CHANGE ME for deploy-infrastructure: exit 2"
t_like "$T_ERR" "infrastructure\[\"us-west-2\"\].terraformBucket: still \"CHANGE ME\", and deploy-infrastructure needs" "names the region's key"
t_run "$ORC" trigger deploy-infrastructure --region eu-central-1 --folder network --config "$proj/unset.json"
t_is "$T_RC" 0 "another region's CHANGE ME does not block this region"

# The stand-in itself refuses what GitHub would: it is a real check, not an echo.
t_run curl -sS -o /dev/null -w '%{http_code}' -X POST -H 'Accept: application/vnd.github+json' \
	-H 'Authorization: Bearer x' -H 'X-GitHub-Api-Version: 2022-11-28' -H 'Content-Type: application/json' \
	--data "{\"event_type\":\"$(printf 'e%.0s' {1..101})\"}" "$GITHUB_API_URL/repos/a/b/dispatches"
t_is "$T_OUT" 400 "stand-in rejects an event_type over 100 characters (OpenAPI schema)"
t_run curl -sS -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
	--data '{"event_type":"x"}' "$GITHUB_API_URL/repos/a/b/dispatches"
t_is "$T_OUT" 400 "stand-in rejects a request without the GitHub headers"

# What cannot be undone: without a terminal --yes is required; on one, a summary and a
# question, and only "yes" sends.
send '["204"]' destroy-infrastructure --region us-west-2 --folder network
t_is "$T_RC" 2 "destroy-infrastructure without a terminal nor --yes: exit 2"
t_like "$T_ERR" "destroy-infrastructure cannot be undone \(terraform destroy deletes every resource of the folder in that region\): pass --yes" "says why and what to pass"
t_is "$(gh_count)" 0 "nothing sent"
send '["204"]' restore-snapshot --region us-west-2
t_is "$T_RC" 2 "restore-snapshot without a terminal nor --yes: exit 2"
t_is "$(gh_count)" 0 "nothing sent"
send '["204"]' restore-snapshot --region us-west-2 --yes
t_is "$T_RC" 0 "restore-snapshot --yes: exit 0"
t_is "$(gh_count)" 1 "sent once"
pty() {
	local answers=()
	while [ "$1" != "--" ]; do answers+=("$1"); shift; done
	shift
	python3 "$ROOT/tests/trigger/pty_run.py" "$T_TMP" "${answers[@]}" -- "$ORC" trigger "$@" --config "$proj/config.json"
	T_RC=$(cat "$T_TMP/rc"); T_ERR=$(cat "$T_TMP/terminal")
}
gh_script '["204"]'
pty no -- restore-snapshot --region us-west-2 --snapshot snap-1
t_is "$T_RC" 1 "restore-snapshot answered no: exit 1"
t_like "$T_ERR" "About to send restore-snapshot to acme/aurora-db: region us-west-2, snapshot snap-1\." "the summary names verb, repository, region and snapshot"
t_like "$T_ERR" "This cannot be undone: the cluster is replaced" "and what is lost"
t_like "$T_ERR" "not confirmed: nothing was sent" "declining says nothing was sent"
t_is "$(gh_count)" 0 "and nothing was"
gh_script '["204"]'
pty yes -- destroy-infrastructure --region us-west-2 --folder network
t_is "$T_RC" 0 "destroy-infrastructure answered yes: exit 0"
t_like "$T_ERR" "region us-west-2, folder network\." "the summary names the folder"
t_is "$(gh_count)" 1 "sent once"
gh_script '["204"]'
pty -- destroy-infrastructure --region us-west-2 --folder network --yes
t_is "$T_RC" 0 "--yes on a terminal: exit 0"
t_unlike "$T_ERR" "Type yes" "no question"
t_is "$(gh_count)" 1 "sent"

t_done
