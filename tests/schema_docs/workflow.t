#!/usr/bin/env bash
# .github/workflows/generate-markdown.yml: valid for GitHub (offline validator), the
# triggers the issue names, least permissions per job, payload never inside run:, the
# shared setup action, and the commands each job runs.
source "$(dirname "$0")/../lib/tap.sh"
wf=$ROOT/.github/workflows/generate-markdown.yml
validator=$ROOT/tests/node_modules/.bin/action-validator
if [ -x "$validator" ]; then
	t_ok "the workflow passes action-validator" "$validator" "$wf"
else
	t_fail "action-validator is installed (run: make test-deps)"
fi
cat >"$T_TMP/summary.py" <<'PY'
import sys, yaml
w = yaml.safe_load(open(sys.argv[1]))
on = w[True] if True in w else w["on"]
print("dispatch", ",".join(on["repository_dispatch"]["types"]))
print("push", ",".join(on["push"]["paths"]))
print("pr", ",".join(on["pull_request"]["paths"]))
print("top", w["permissions"])
for name, job in w["jobs"].items():
    runs = [s.get("run", "") for s in job["steps"]]
    uses = [s.get("uses", "") for s in job["steps"]]
    print(name, "if=" + job["if"], "perm=" + str(job["permissions"]),
          "svc=" + ",".join(job.get("services", {})),
          "setup=" + str("./.github/actions/setup-orchestrator" in uses),
          "runs=" + " && ".join(r.strip() for r in runs if r))
PY
t_run python3 "$T_TMP/summary.py" "$wf"
t_is "$T_RC" 0 "the workflow parses as YAML"
t_like "$T_OUT" "dispatch generate-markdown" "on repository_dispatch generate-markdown"
t_like "$T_OUT" "push sql/\*\*" "on push to sql/**"
t_like "$T_OUT" "pr sql/\*\*" "on pull_request touching sql/**"
t_like "$T_OUT" "top \{'contents': 'read'\}" "read-only by default"
t_like "$T_OUT" "publish if=github.event_name != 'pull_request' perm=\{'contents': 'write'\} svc=postgres setup=True runs=orchestrator migrate --locations sql && orchestrator schema-docs --readme README.md --commit --push" "publish: service PostgreSQL, migrate, then schema-docs --commit --push with contents: write"
t_like "$T_OUT" "check if=github.event_name == 'pull_request' perm=\{'contents': 'read'\} svc=postgres setup=True runs=orchestrator migrate --locations sql && orchestrator schema-docs --readme README.md --check" "check: pull requests run --check, read-only"
t_unlike "$(grep -n 'github.event' "$wf" | grep -v 'if: github.event_name')" "." "no event payload expression anywhere but job conditions"
t_done
