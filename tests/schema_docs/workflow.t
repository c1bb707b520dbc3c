#!/usr/bin/env bash
# .github/workflows/generate-markdown.yml: valid for GitHub (offline validator), the
# triggers the issue names, least permissions per job, payload never inside run:, the
# shared setup action, and the commands each job runs. Then the placeholder and migrate
# steps run as written (bash -e, as GitHub runs them) on a real PostgreSQL with the
# template's SQL: values from the secret and the variable DOCS_PLACEHOLDERS, the secret's
# winning, and every missing one listed in one run.
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
          "runs=" + " && ".join(" ".join(r.split()) for r in runs if r))
    print("names " + name + ": " + " | ".join(s.get("name", s.get("uses", "")) for s in job["steps"]))
PY
t_run python3 "$T_TMP/summary.py" "$wf"
t_is "$T_RC" 0 "the workflow parses as YAML"
t_like "$T_OUT" "dispatch generate-markdown" "on repository_dispatch generate-markdown"
t_like "$T_OUT" "push sql/\*\*" "on push to sql/**"
t_like "$T_OUT" "pr sql/\*\*" "on pull_request touching sql/**"
t_like "$T_OUT" "top \{'contents': 'read'\}" "read-only by default"
mig='orchestrator migrate --locations sql --placeholders-file "\$RUNNER_TEMP/placeholders/secret-DOCS_PLACEHOLDERS.env" --placeholders-file "\$RUNNER_TEMP/placeholders/variable-DOCS_PLACEHOLDERS.env"'
t_like "$T_OUT" "publish if=github.event_name != 'pull_request' perm=\{'contents': 'write'\} svc=postgres setup=True runs=umask 077.* && $mig && orchestrator schema-docs --readme README.md --commit --push" "publish: service PostgreSQL, placeholders, migrate, then schema-docs --commit --push with contents: write"
t_like "$T_OUT" "check if=github.event_name == 'pull_request' perm=\{'contents': 'read'\} svc=postgres setup=True runs=umask 077.* && $mig && orchestrator schema-docs --readme README.md --check" "check: pull requests run --check, read-only"
t_like "$T_OUT" "names publish: .*Migrate the service database with sql/ \| Regenerate, commit and push README.md and the docs/database files" "publish's step names say README.md and the docs files"
t_like "$T_OUT" "names check: .*README.md and the docs/database files document this schema" "check's too"
t_unlike "$(grep -n 'github.event' "$wf" | grep -v 'if: github.event_name')" "." "no event payload expression anywhere but job conditions"

# The placeholder and migrate steps of publish, run as written.
cat >"$T_TMP/steps.py" <<'PY'
import sys, yaml
w = yaml.safe_load(open(sys.argv[1]))
steps = w["jobs"]["publish"]["steps"]
for s in steps:
    if s.get("name", "").startswith(sys.argv[2]):
        print(s["run"])
PY
source "$ROOT/tests/lib/pg.sh"
pg_newdb
psql -X -q -d postgres -c 'DROP ROLE IF EXISTS read_only' -c 'DROP ROLE IF EXISTS sample_application' >/dev/null 2>&1
t_defer "psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS \"$PGDATABASE\" WITH (FORCE)' -c 'DROP ROLE IF EXISTS read_only' -c 'DROP ROLE IF EXISTS sample_application' >/dev/null 2>&1"
repo=$T_TMP/repo
mkdir -p "$repo/bin" "$T_TMP/runner"
cp -r "$SHARED/data/template-sql" "$repo/sql"
ln -s "$ORC" "$repo/bin/orchestrator"
python3 "$T_TMP/steps.py" "$wf" "Placeholders for sql/" >"$T_TMP/placeholders.sh"
python3 "$T_TMP/steps.py" "$wf" "Migrate the service database" >"$T_TMP/migrate.sh"
step() { t_run env -C "$repo" PATH="$repo/bin:$PATH" RUNNER_TEMP="$T_TMP/runner" "$@"; }
step FROM_SECRET="" FROM_VARIABLE="" bash -e "$T_TMP/placeholders.sh"
t_is "$T_RC" 0 "the placeholder step with neither set"
step bash -e "$T_TMP/migrate.sh"
t_is "$T_RC" 2 "migrate without values: exit 2"
t_like "$T_ERR" "3 placeholders without a value \(5 uses, listed above\): READ_ONLY_PASSWORD, DATABASE_NAME, SAMPLE_APPLICATION_PASSWORD" "every missing one in one run"
step FROM_SECRET=$'READ_ONLY_PASSWORD=ro-Wf-81\nSAMPLE_APPLICATION_PASSWORD="app Wf 82"\nDATABASE_NAME=no_such_db' \
	FROM_VARIABLE="DATABASE_NAME=$PGDATABASE" bash -e "$T_TMP/placeholders.sh"
t_is "$T_RC" 0 "the placeholder step with the secret and the variable"
t_is "$(stat -c %a "$T_TMP/runner/placeholders/secret-DOCS_PLACEHOLDERS.env")" 600 "the secret's file is readable by the runner user only"
step bash -e "$T_TMP/migrate.sh"
t_is "$T_RC" 1 "the secret's DATABASE_NAME wins over the variable's (a database that does not exist: GRANT fails)"
t_like "$T_ERR" 'V1.0.0__CreateReadOnlyUser.sql:2: .*database "\*\*\*" does not exist' "as the server says (value masked)"
step FROM_SECRET=$'READ_ONLY_PASSWORD=ro-Wf-81\nSAMPLE_APPLICATION_PASSWORD="app Wf 82"' \
	FROM_VARIABLE="DATABASE_NAME=$PGDATABASE" bash -e "$T_TMP/placeholders.sh"
step bash -e "$T_TMP/migrate.sh"
t_is "$T_RC" 0 "the template's SQL migrates with values from both"
t_like "$T_OUT" "applied 4 migrations" "all four"
t_unlike "$T_OUT$T_ERR" "ro-Wf-81|app Wf 82" "no value in the log"
step FROM_SECRET=$'READ_ONLY_PASSWORD ro-Wf-81' FROM_VARIABLE="" bash -e "$T_TMP/placeholders.sh"
step bash -e "$T_TMP/migrate.sh"
t_is "$T_RC" 2 "a malformed secret line: exit 2"
t_like "$T_ERR" "secret-DOCS_PLACEHOLDERS.env:1: expected NAME=VALUE" "naming the secret's file and line"
t_unlike "$T_ERR" "ro-Wf-81" "without the value"
t_done
