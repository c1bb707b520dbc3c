#!/usr/bin/env bash
# scripts/pr-check.sh, the steps of the pr-check workflow, run here against a real
# PostgreSQL as the workflow runs them against its service container: base migrations,
# dry run, lint annotations, the real run with per-migration time, the schema diff, the
# job summary; a clean PR passes, a lint error or a failed migration fails the check.
# And the workflow itself: pull_request on sql/**, read-only, no secrets, actions pinned
# by full SHA, the script called as is, action-validator clean.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/pg.sh"
WF=$ROOT/.github/workflows/pr-check.yml

base=$T_TMP/base/sql pr=$T_TMP/pr/sql
mkdir -p "$base" "$pr"
cat >"$base/V1__orders.sql" <<'SQL'
CREATE TABLE orders (id bigint PRIMARY KEY, qty int);
SQL
cp "$base/V1__orders.sql" "$pr/"
check() { # check: runs the script on a fresh database as GitHub Actions would
	pg_newdb
	: >"$T_TMP/summary"
	t_run env GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY="$T_TMP/summary" GITHUB_OUTPUT=/dev/null \
		ORCHESTRATOR="$ORC" "$ROOT/scripts/pr-check.sh" "$base" "$pr"
	S=$(cat "$T_TMP/summary")
}
q() { psql -X -q -At -c "$1"; }

# A clean PR: a new table with a primary key, timeouts set.
cat >"$pr/V2__shipments.sql" <<'SQL'
SET lock_timeout = '5s';
SET statement_timeout = '1min';
CREATE TABLE shipments (id bigint PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders (id));
CREATE INDEX shipments_order ON shipments (order_id);
SQL
check
t_is "$T_RC" 0 "a clean PR passes"
t_like "$S" "### Pending migrations \(dry run\)" "summary: the dry run"
t_like "$S" "dry run: 1 pending migration for schema public" "which names the one pending migration"
t_like "$S" "-- 1\. V2 shipments .*in a transaction" "with its transaction mode"
t_like "$S" "### Lint" "summary: the lint section"
t_like "$S" "No findings\." "with no finding"
t_like "$S" "\| 2 \| shipments \| Versioned \| [0-9]+ \|" "summary: the migration applied with its milliseconds"
t_like "$S" "### Schema changes" "summary: the schema diff"
t_like "$S" "\+.*shipments" "showing the new table as added lines"
t_like "$S" "Result: passed" "and the result"
t_is "$(q "select string_agg(version, ',' order by installed_rank) from flyway_schema_history")" "1,2" "base then PR migrations applied on the database"

# A lint error: annotation on the file and line, the check fails, the summary has all.
cat >"$pr/V2__shipments.sql" <<'SQL'
SET lock_timeout = '5s';
SET statement_timeout = '1min';
CREATE INDEX orders_qty ON orders (qty);
SQL
check
t_is "$T_RC" 1 "a lint error fails the check"
t_like "$T_OUT" "::error file=$pr/V2__shipments.sql,line=3::\[index-not-concurrent\]" "an annotation on the file and line"
t_like "$S" '\| error \| `[^`]*V2__shipments.sql` \| 3 \| `index-not-concurrent` \|' "the finding in the summary's table"
t_like "$S" "Result: failed" "result: failed"
t_like "$S" "### Migrations applied" "the migrations still ran, to show what the server says"

# A migration only the server refuses.
cat >"$pr/V2__shipments.sql" <<'SQL'
SET lock_timeout = '5s';
SET statement_timeout = '1min';
ALTER TABLE orders ADD CONSTRAINT orders_customer FOREIGN KEY (qty) REFERENCES customers (id) NOT VALID;
SQL
check
t_is "$T_RC" 1 "a failing migration fails the check"
t_like "$T_OUT" "::error file=$pr/V2__shipments.sql,line=3::.*relation \"customers\" does not exist" "annotated at its line"
t_like "$S" "Failed: \`[^\`]*V2__shipments.sql\` line 3" "the summary names it"
t_like "$S" "No change to the documented schema\." "and nothing changed"

# A PR that edits an applied migration: the dry run says so.
echo 'CREATE TABLE orders (id bigint PRIMARY KEY, qty bigint);' >"$pr/V1__orders.sql"
rm "$pr/V2__shipments.sql"
check
t_is "$T_RC" 1 "an edited applied migration fails the check"
t_like "$S" "checksum mismatch" "the summary says why"

# The workflow.
wf=$(cat "$WF")
t_like "$wf" "pull_request:
    paths: \[\"sql/\*\*\"\]" "runs on pull requests touching sql/"
t_unlike "$wf" "secrets\.|aws-|AWS_" "no secrets, no AWS"
t_like "$wf" "permissions:
  contents: read" "a read-only token"
t_unlike "$(grep -E '^\s*(- )?uses:' "$WF" | grep -v '\./')" "@[^ ]*[^0-9a-f ][^ ]*( |$)|@[0-9a-f]{0,39}( |$)" "every action pinned by a full commit SHA"
t_like "$wf" "run: scripts/pr-check.sh base/sql sql" "calls the script this test runs"
t_like "$wf" "image: postgres:15" "a service PostgreSQL"
t_ok "action-validator accepts it" "$ROOT/tests/node_modules/.bin/action-validator" "$WF"
t_done
