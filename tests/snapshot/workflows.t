#!/usr/bin/env bash
# create-snapshot.yml and restore-snapshot.yml: valid for @action-validator/cli, on their
# repository_dispatch type, one run per operation and region at a time (a concurrency
# group of its own, never cancelled), least permissions (contents: write only where
# metadata.json is committed), payload values only through env:, OIDC credentials, and
# the orchestrator steps they run.
source "$(dirname "$0")/../lib/tap.sh"
VALIDATOR=$ROOT/tests/node_modules/.bin/action-validator
W=$ROOT/.github/workflows

for f in create-snapshot restore-snapshot; do
	t_ok "$f.yml passes action-validator" "$VALIDATOR" "$W/$f.yml"
done

check() {
	python3 - "$@" <<'PY'
import sys, yaml
path, verb, contents = sys.argv[1:4]
w = yaml.safe_load(open(path))
on = w.get(True, w.get("on"))
assert on["repository_dispatch"]["types"] == [verb], "types: %r" % on["repository_dispatch"]["types"]
assert w["permissions"] == {"contents": contents, "id-token": "write"}, "permissions: %r" % w["permissions"]
c = w["concurrency"]
assert c["group"] == verb + "-${{ github.event.client_payload.region }}", "group: %r" % c["group"]
assert c["cancel-in-progress"] is False, "cancel-in-progress must be false"
(job,) = w["jobs"].values()
steps = job["steps"]
uses = [s.get("uses", "") for s in steps]
assert "./.github/actions/setup-orchestrator" in uses, "no setup-orchestrator"
aws = [s for s in steps if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@")]
assert aws and aws[0]["with"]["role-to-assume"] == "${{ vars.AWS_ROLE_ARN }}", "OIDC role"
for s in steps:
    assert "github.event" not in s.get("run", ""), "github.event inside run: in %r" % s.get("name")
runs = " ".join(s.get("run", "") for s in steps)
action = verb.split("-")[0]
assert ("orchestrator snapshot %s" % action) in runs, "does not run orchestrator snapshot " + action
for opt in ("--region \"$REGION\"", "--request-id", "--requested-by"):
    assert opt in runs, "missing " + opt
env = job["env"]
assert env["REGION"] == "${{ github.event.client_payload.region }}", "REGION env"
assert env["SNAPSHOT"] == "${{ github.event.client_payload.snapshot }}", "SNAPSHOT env"
if verb == "create-snapshot":
    assert "--commit --push" in runs, "create must commit and push metadata.json"
print("ok")
PY
}
t_ok "create-snapshot.yml: dispatch type, contents: write, per-region concurrency, env only" \
	check "$W/create-snapshot.yml" create-snapshot write
t_ok "restore-snapshot.yml: dispatch type, contents: read, per-region concurrency, env only" \
	check "$W/restore-snapshot.yml" restore-snapshot read
t_run check "$W/create-snapshot.yml" create-snapshot read
t_is "$T_RC" 1 "the check rejects a wrong permission (it can fail)"

t_done
