#!/usr/bin/env bash
# trigger_workflow without a network: the README's first command on a fresh clone, dry
# runs that are valid requests, every check that stops a request before it is sent, and
# the usage errors that replace menus when there is no terminal.
source "$(dirname "$0")/../lib/tap.sh"
unset GITHUB_ACTIONS GITHUB_API_URL
# Any request that slipped through would go here and fail loudly.
export GITHUB_API_URL=http://127.0.0.1:9

# validate_body JSON: checks one dispatch body against GitHub's OpenAPI requestBody schema.
validate_body() {
	python3 - "$1" "$ROOT" <<'EOF'
import json, sys, jsonschema
spec = json.load(open(sys.argv[2] + "/tests/node_modules/@octokit/openapi/generated/api.github.com.json"))
schema = spec["paths"]["/repos/{owner}/{repo}/dispatches"]["post"]["requestBody"]["content"]["application/json"]["schema"]
errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(json.loads(sys.argv[1]))]
print("; ".join(errors) or "valid")
EOF
}

# The README's main job, as a fresh clone runs it: the sample config.json, the entry script
# (which builds bin/orchestrator first when it is missing or stale).
cd "$ROOT" || exit 1
t_run env -u GITHUB_API_URL ./trigger_workflow run-migration --region us-west-2 --branch main --dry-run
t_is "$T_RC" 0 "README first command exits 0 on a fresh clone"
t_like "$(printf '%s\n' "$T_OUT" | head -1)" "^POST https://api.github.com/repos/CHANGE%20ME/CHANGE%20ME/dispatches$" "dry run prints method and URL"
t_like "$T_OUT" "X-GitHub-Api-Version: 2022-11-28" "dry run prints the headers"
t_like "$T_OUT" "Authorization: Bearer <\\\$GITHUB_AURORA_ACTIONS_TOKEN>" "dry run names the token variable, never a value"
body=$(printf '%s\n' "$T_OUT" | tail -1)
t_is "$(validate_body "$body")" valid "dry-run body is valid against GitHub's OpenAPI schema"
t_is "$(printf '%s' "$body" | python3 -c 'import json,sys; d=json.load(sys.stdin); p=d["client_payload"]; print(d["event_type"], p["region"], p["branch"], sorted(p))')" \
	"run-migration us-west-2 main ['branch', 'region', 'request_id', 'requested_by']" "dry-run body carries the request"
t_like "$T_ERR" "warning: githubOwner: still \"CHANGE ME\"" "dry run warns about CHANGE ME owner"
t_like "$T_ERR" "dry run: nothing was sent" "dry run says nothing was sent"
cd "$ROOT" || exit 1

# A configured project for the checks below.
proj=$T_TMP/proj
mkdir -p "$proj/infrastructure/network" "$proj/infrastructure/database" "$proj/infrastructure/examples"
touch "$proj/infrastructure/network/main.tf" "$proj/infrastructure/database/main.tf" "$proj/infrastructure/examples/taskdef.json"
cat >"$proj/config.json" <<'EOF'
{"githubOwner": "acme", "githubRepo": "db", "dockerOwner": "acme", "dockerRepo": "flyway",
 "infrastructure": {"us-west-2": {"terraformBucket": "b1"}, "eu-west-1": {"terraformBucket": "b2"}}}
EOF
trig() { t_run "$ORC" trigger "$@" --config "$proj/config.json"; }

for verb in run-migration create-snapshot restore-snapshot generate-markdown deploy-infrastructure destroy-infrastructure build-image; do
	args=()
	case $verb in
	run-migration) args=(--region us-west-2 --branch main) ;;
	*-snapshot) args=(--region us-west-2 --snapshot snap-1) ;;
	*-infrastructure) args=(--region us-west-2 --folder network) ;;
	esac
	trig "$verb" "${args[@]}" --dry-run
	t_is "$T_RC" 0 "$verb: dry run exits 0"
	t_is "$(validate_body "$(printf '%s\n' "$T_OUT" | tail -1)")" valid "$verb: body valid against the OpenAPI schema"
	t_unlike "$T_ERR" "CHANGE ME" "$verb: no CHANGE ME warning with a configured project"
	alias=${verb//-/_}
	trig "$alias" "${args[@]}" --dry-run
	t_like "$T_OUT" "\"event_type\":\"$verb\"" "$alias is an alias of $verb"
done

trig run-migration --region all --branch main --dry-run
t_is "$(printf '%s\n' "$T_OUT" | grep -c '^POST ')" 2 "--region all: one request per region"
t_like "$T_OUT" '"region":"eu-west-1"' "--region all: includes eu-west-1"

# Checks before sending.
trig run-migration --region us-east-9 --branch main --dry-run
t_is "$T_RC" 2 "unknown region: exit 2"
t_like "$T_ERR" "--region us-east-9: not a region of .*configured: us-west-2, eu-west-1" "unknown region: lists the configured ones"
for bad in 'a..b' 'has space' 'end.lock' '-x' 'a~b' 'x/'; do
	trig run-migration --region us-west-2 --branch "$bad" --dry-run
	t_is "$T_RC" 2 "branch '$bad' rejected"
done
t_like "$T_ERR" "--branch \"x/\": not a valid git branch name" "branch error names the flag and value"
trig run-migration --region us-west-2 --branch feature/x-1 --dry-run
t_is "$T_RC" 0 "branch feature/x-1 accepted"
long=a$(printf 'b%.0s' {1..254})
for bad in 1snap snap- 'sn--ap' 'snap_1' "${long}c"; do
	trig create-snapshot --region us-west-2 --snapshot "$bad" --dry-run
	t_is "$T_RC" 2 "snapshot '${bad:0:20}' rejected"
done
trig restore-snapshot --region us-west-2 --snapshot "$long" --dry-run
t_is "$T_RC" 0 "snapshot of 255 characters accepted"
trig create-snapshot --region us-west-2 --dry-run
t_is "$T_RC" 0 "create-snapshot without --snapshot (the workflow names it)"
t_unlike "$T_OUT" '"snapshot"' "no snapshot key when none was given"
for bad in nothere ../proj .hidden 'a/b'; do
	trig deploy-infrastructure --region us-west-2 --folder "$bad" --dry-run
	t_is "$T_RC" 2 "folder '$bad' rejected"
done
trig deploy-infrastructure --region us-west-2 --folder examples --dry-run
t_is "$T_RC" 2 "a folder without .tf files: exit 2"
t_like "$T_ERR" "--folder \"examples\": .*examples holds no \.tf file, so it is not a Terraform component" "says it is not a Terraform component"
trig run-migration --region us-west-2 --branch main --folder network --dry-run
t_is "$T_RC" 2 "a flag the verb does not carry: exit 2"
t_like "$T_ERR" "--folder does not apply to run-migration" "says which flag does not apply"
trig launch-rockets --dry-run
t_is "$T_RC" 2 "unknown verb: exit 2"
t_like "$T_ERR" "unknown verb \"launch-rockets\"" "unknown verb named"

# No terminal: every missing choice is a usage error naming its flag.
trig --dry-run
t_is "$T_RC" 2 "missing verb: exit 2"
t_like "$T_ERR" "missing VERB" "missing verb named"
trig run-migration --branch main --dry-run
t_like "$T_ERR" "missing --region \(no terminal" "missing --region named"
trig run-migration --region us-west-2 --dry-run
t_like "$T_ERR" "missing --branch" "missing --branch named"
trig destroy-infrastructure --region us-west-2 --dry-run
t_like "$T_ERR" "missing --folder" "missing --folder named"

# The list the workflow contract test reads.
t_run "$ORC" trigger --list-events
t_is "$T_RC" 0 "--list-events exits 0"
t_is "$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d), d["deploy-infrastructure"]["payload"], d["run-migration"]["alias"])')" \
	"8 ['region', 'folder', 'requested_by', 'request_id'] run_migration" "--list-events: eight verbs with payload keys and aliases"

# A broken config.json stops the request with its problems.
printf '{"githubOwner": "acme", "githubRepoo": "db"}' >"$T_TMP/bad.json"
t_run "$ORC" trigger generate-markdown --config "$T_TMP/bad.json" --dry-run
t_is "$T_RC" 2 "bad config: exit 2"
t_like "$T_ERR" "githubRepoo: unknown key \(did you mean \"githubRepo\"\?\)" "bad config: problem shown"

t_is "$(printf '%s\n' "$T_ERR" | grep -c '^error: ')" 2 "bad config: the problem and one summary line"
t_run "$ORC" trigger generate-markdown --config "$T_TMP/none.json" --dry-run
t_is "$T_RC" 2 "missing config: exit 2"
t_like "$T_ERR" "none.json: no such file \(run from the repository root or pass --config PATH\)" "missing config: says what to do"

# One region in config.json: it is the region, without a menu or --region.
printf '{"githubOwner": "acme", "githubRepo": "db", "infrastructure": {"eu-west-1": {"terraformBucket": "b"}}}' >"$T_TMP/one.json"
t_run "$ORC" trigger run-migration --branch main --dry-run --config "$T_TMP/one.json"
t_is "$T_RC" 0 "one region: no --region needed"
t_like "$T_OUT" '"region":"eu-west-1"' "one region: it is the one sent"

t_done
