#!/usr/bin/env bash
# .github/workflows/run-migration.yml: valid for GitHub (@action-validator/cli), on the
# run-migration dispatch only, least permissions, one migration per region at a time,
# OIDC first with access keys as the fallback, payload values only through env:.
source "$(dirname "$0")/../lib/tap.sh"
WF=$ROOT/.github/workflows/run-migration.yml
VALIDATOR=$ROOT/tests/node_modules/.bin/action-validator
t_ok "action-validator accepts run-migration.yml" "$VALIDATOR" "$WF"
q() { python3 - "$WF" "$1" <<'PY'
import json, sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
doc["on"] = doc.pop(True, doc.get("on"))
print(json.dumps(eval(sys.argv[2], {"d": doc}), sort_keys=True))
PY
}
t_is "$(q 'd["on"]')" '{"repository_dispatch": {"types": ["run-migration"]}}' "triggered by run-migration only"
t_is "$(q 'd["permissions"]')" '{"contents": "read", "id-token": "write"}' "least permissions: read the code, get an OIDC token"
t_is "$(q 'd["concurrency"]')" '{"cancel-in-progress": false, "group": "migration-${{ github.event.client_payload.region }}"}' \
	"one migration per region, queued, never cancelled"
t_is "$(q '[s.get("uses").split("@")[0] for s in d["jobs"]["migrate"]["steps"] if s.get("uses")]')" \
	'["actions/checkout", "./.github/actions/setup-orchestrator", "aws-actions/configure-aws-credentials", "aws-actions/configure-aws-credentials"]' \
	"builds with the composite action; credentials through configure-aws-credentials"
t_is "$(q '[s["with"].get("role-to-assume") or s["with"].get("aws-access-key-id") for s in d["jobs"]["migrate"]["steps"] if "configure-aws-credentials" in s.get("uses","")]')" \
	'["${{ vars.AWS_ROLE_ARN }}", "${{ secrets.AWS_ACCESS_KEY_ID }}"]' "OIDC role from a variable, access-key secrets as the fallback"
t_is "$(q '[s["run"] for s in d["jobs"]["migrate"]["steps"] if "github.event" in s.get("run","")]')" '[]' \
	"no github.event expression inside run:"
t_like "$(q '[s["run"] for s in d["jobs"]["migrate"]["steps"] if "run" in s][-1]')" \
	'orchestrator run-task --region \\"\$REGION\\" --branch \\"\$BRANCH\\"' "runs orchestrator run-task with the payload from env:"
t_done
