#!/usr/bin/env bash
# orchestrator lint: every rule fires on a dangerous case and stays quiet on its safe
# variant; lint-ignore comments, config.json switches, severities and exit codes, GitHub
# annotations and summary, the line of a finding inside a long statement, and "existing
# table" known from earlier files or from the database (--url, pending files only).
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/pg.sh"
SELF=$ROOT/tests/lint/lint.t

W=$T_TMP/w
mkdir -p "$W/sql"
cd "$W" || exit 1
cat >sql/V1__base.sql <<'SQL'
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int, note varchar(100),
    total numeric(10,2), qty int, status text);
CREATE TABLE customers (id int PRIMARY KEY, name text);
SQL
# lint_v2 SQL: writes it as V2 and lints V2 alone (V1 says what exists).
lint_v2() { printf '%s\n' "$1" >sql/V2__change.sql; t_run "$ORC" lint sql/V2__change.sql; }
fires() { # fires RULE SQL
	lint_v2 "$2"
	t_like "$T_OUT" "sql/V2__change.sql:[0-9]+: (error|warning) \[$1\]" "$1 fires: $(printf '%s' "$2" | tr '\n' ' ' | head -c 70)"
}
quiet() { # quiet RULE SQL
	lint_v2 "$2"
	t_unlike "$T_OUT" "\[$1\]" "$1 quiet on the safe variant: $(printf '%s' "$2" | tr '\n' ' ' | head -c 60)"
}
T="SET lock_timeout = '5s'; SET statement_timeout = '1min';"
N="CREATE TABLE fresh (id int PRIMARY KEY, a int, note text);"

fires index-not-concurrent "$T CREATE INDEX orders_qty ON orders (qty);"
quiet index-not-concurrent "$T CREATE INDEX CONCURRENTLY orders_qty ON orders (qty);"
quiet index-not-concurrent "$N CREATE INDEX fresh_a ON fresh (a);"
fires foreign-key-not-valid "$T ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers (id);"
quiet foreign-key-not-valid "$T ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;"
fires check-not-valid "$T ALTER TABLE orders ADD CONSTRAINT qty_pos CHECK (qty > 0);"
quiet check-not-valid "$T ALTER TABLE orders ADD CONSTRAINT qty_pos CHECK (qty > 0) NOT VALID;"
fires column-type-rewrite "$T ALTER TABLE orders ALTER COLUMN qty TYPE bigint;"
quiet column-type-rewrite "$T ALTER TABLE orders ALTER COLUMN note TYPE varchar(200);"
quiet column-type-rewrite "$T ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);"
fires set-not-null "$T ALTER TABLE orders ALTER COLUMN status SET NOT NULL;"
quiet set-not-null "$T ALTER TABLE orders ADD CONSTRAINT status_nn CHECK (status IS NOT NULL) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT status_nn;
ALTER TABLE orders ALTER COLUMN status SET NOT NULL;"
fires add-column-volatile-default "$T ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();"
fires add-column-volatile-default "$T ALTER TABLE orders ADD COLUMN seq bigserial;"
quiet add-column-volatile-default "$T ALTER TABLE orders ADD COLUMN created timestamptz DEFAULT now();"
fires drop-column "$T ALTER TABLE orders DROP COLUMN note;"
quiet drop-column "$N ALTER TABLE fresh DROP COLUMN note;"
fires drop-table "$T DROP TABLE customers;"
quiet drop-table "$N DROP TABLE fresh;"
fires rename-column "$T ALTER TABLE orders RENAME COLUMN note TO remark;"
quiet rename-column "$N ALTER TABLE fresh RENAME COLUMN note TO remark;"
fires rename-table "$T ALTER TABLE customers RENAME TO clients;"
quiet rename-table "$N ALTER TABLE fresh RENAME TO newer;"
fires column-type-narrowing "$T ALTER TABLE orders ALTER COLUMN note TYPE varchar(10);"
t_like "$T_OUT" "narrowed from varchar\(100\) to varchar\(10\)" "the narrowing names both types"
quiet column-type-narrowing "$T ALTER TABLE orders ALTER COLUMN note TYPE text;"
fires mixed-transaction "$T CREATE INDEX CONCURRENTLY orders_qty ON orders (qty);
UPDATE orders SET qty = 0;"
t_like "$T_OUT" "CREATE INDEX CONCURRENTLY \(line 1\) shares the migration with transactional statements \(line 2\)" "naming both statements"
quiet mixed-transaction "$T CREATE INDEX CONCURRENTLY orders_qty ON orders (qty);"
fires missing-lock-timeout "SET statement_timeout = '1min'; ALTER TABLE orders ADD COLUMN x int;"
quiet missing-lock-timeout "SET lock_timeout = '5s'; ALTER TABLE orders ADD COLUMN x int;"
fires missing-statement-timeout "SET lock_timeout = '5s'; ALTER TABLE orders ADD COLUMN x int;"
quiet missing-statement-timeout "SET statement_timeout = '1min'; ALTER TABLE orders ADD COLUMN x int;"
fires fk-without-index "CREATE TABLE items (id int PRIMARY KEY, order_id bigint REFERENCES orders (id));"
quiet fk-without-index "CREATE TABLE items (id int PRIMARY KEY, order_id bigint REFERENCES orders (id));
CREATE INDEX items_order ON items (order_id);"
fires table-without-primary-key "CREATE TABLE audit (msg text);"
quiet table-without-primary-key "CREATE TABLE audit (id bigint GENERATED ALWAYS AS IDENTITY, msg text);
ALTER TABLE audit ADD PRIMARY KEY (id);"
fires lint-ignore-unknown "-- orchestrator:lint-ignore no-such-rule
SELECT 1;"
quiet lint-ignore-unknown "-- orchestrator:lint-ignore drop-table
SELECT 1;"
fires not-parsed "SELECT 1;
ALTER TABLE \${table_name} ADD COLUMN x int;"
t_like "$T_OUT" 'V2__change.sql:2: warning \[not-parsed\] not linted: syntax error at or near "\$"' "naming the line and the parser's message"
quiet not-parsed "$T ALTER TABLE orders ADD COLUMN x int;"

# Every rule of --rules is exercised above.
rules=$("$ORC" lint --rules | awk '/^[a-z]/ {print $1}')
for r in $rules; do
	grep -q "^fires $r " "$SELF" || t_fail "rule $r has no firing case in this test"
done
t_is "$(echo "$rules" | wc -l)" 18 "lint --rules lists the 18 rules"
for r in $rules; do
	grep -q "^| \`$r\` | $("$ORC" lint --rules | awk -v r="$r" '$1 == r {print $2}') |" "$ROOT/README.md" ||
		t_fail "README's rule table lacks $r (or its severity differs)"
done

# Severity and exit status: an error finding exits 1, warnings alone exit 0.
lint_v2 "$T CREATE INDEX orders_qty ON orders (qty);"
t_is "$T_RC" 1 "an error finding: exit 1"
t_like "$T_OUT" "lint: 1 error, 0 warnings" "counted"
t_like "$T_OUT" "why: CREATE INDEX without CONCURRENTLY blocks every write" "with its reason"
t_like "$T_OUT" "instead: CREATE INDEX CONCURRENTLY, in a migration of its own" "and the safe alternative"
lint_v2 "$T ALTER TABLE orders DROP COLUMN note;"
t_is "$T_RC" 0 "warnings only: exit 0"

# The line of the finding, not of the statement's start.
lint_v2 "$T
ALTER TABLE orders
    ADD COLUMN flag boolean,
    ADD CONSTRAINT fk FOREIGN KEY (customer_id)
        REFERENCES customers (id);"
t_like "$T_OUT" "sql/V2__change.sql:4: error \[foreign-key-not-valid\]" "a finding inside a long statement points at its line"

# lint-ignore: per file, several rules, the others still reported.
lint_v2 "-- orchestrator:lint-ignore index-not-concurrent, missing-lock-timeout
CREATE INDEX orders_qty ON orders (qty);"
t_unlike "$T_OUT" "index-not-concurrent|missing-lock-timeout" "lint-ignore switches those rules off for the file"
t_like "$T_OUT" "\[missing-statement-timeout\]" "and leaves the others on"
t_is "$T_RC" 0 "no error left: exit 0"

# config.json: rules off or raised; an unknown rule is a configuration error.
cp "$ROOT/config.json" config.json
python3 - <<'PY'
import json
c = json.load(open("config.json"))
c["lint"] = {"rules": {"index-not-concurrent": "off", "drop-column": "error"}}
json.dump(c, open("config.json", "w"), indent=2)
PY
lint_v2 "$T CREATE INDEX orders_qty ON orders (qty); ALTER TABLE orders DROP COLUMN note;"
t_unlike "$T_OUT" "index-not-concurrent" "config.json lint.rules switches a rule off"
t_like "$T_OUT" "error \[drop-column\]" "and raises another to an error"
t_is "$T_RC" 1 "which fails the lint"
python3 - <<'PY'
import json
c = json.load(open("config.json"))
c["lint"] = {"rules": {"index-not-concurent": "off"}}
json.dump(c, open("config.json", "w"), indent=2)
PY
lint_v2 "SELECT 1;"
t_is "$T_RC" 2 "an unknown rule in config.json: exit 2"
t_like "$T_ERR" 'lint.rules.index-not-concurent: unknown lint rule \(did you mean "index-not-concurrent"\?\)' "naming the key, with a did-you-mean"
t_run "$ORC" config check --config config.json
t_like "$T_ERR$T_OUT" "lint.rules.index-not-concurent" "config check reports it too"
rm config.json

# In GitHub Actions: an annotation per finding, and a table in the job summary.
printf '%s\n' "$T CREATE INDEX orders_qty ON orders (qty); ALTER TABLE orders DROP COLUMN note;" >sql/V2__change.sql
: >"$T_TMP/summary"
t_run env GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY="$T_TMP/summary" "$ORC" lint sql/V2__change.sql
t_like "$T_OUT" "::error file=sql/V2__change.sql,line=1::\[index-not-concurrent\] CREATE INDEX on existing table orders" "an error annotation on file and line"
t_like "$T_OUT" "::warning file=sql/V2__change.sql,line=1::\[drop-column\]" "a warning annotation"
t_like "$(cat "$T_TMP/summary")" '\| error \| `sql/V2__change.sql` \| 1 \| `index-not-concurrent` \|' "the summary's table"

# Without files: every migration; tables of earlier files exist for later ones.
printf '%s\n' "$T CREATE INDEX orders_qty ON orders (qty);" >sql/V2__change.sql
t_run "$ORC" lint --locations sql
t_like "$T_OUT" "sql/V2__change.sql:1: error \[index-not-concurrent\]" "all files: V1's table exists for V2"
t_unlike "$T_OUT" "V1__base" "V1 itself is clean"

# --url: the database says what exists and what is pending.
cd "$ROOT" && pg_newdb && cd "$W" || exit 1
rm sql/V2__change.sql
t_ok "V1 applied" "$ORC" migrate --url "$PG_URL" --locations sql
printf '%s\n' "$T CREATE TABLE shipments (id int PRIMARY KEY, qty int);" >sql/V2__shipments.sql
printf '%s\n' "$T CREATE INDEX ship_qty ON shipments (qty); CREATE INDEX orders_qty ON orders (qty);" >sql/V3__indexes.sql
t_run "$ORC" lint --url "$PG_URL" --locations sql
t_like "$T_OUT" "sql/V3__indexes.sql:1: error \[index-not-concurrent\] CREATE INDEX on existing table orders" "orders exists in the database"
t_unlike "$T_OUT" "existing table shipments" "shipments, created by a pending file, is new"
t_unlike "$T_OUT" "V1__base" "applied files are not linted"
t_is "$T_RC" 1 "exit 1 on the error"
t_is "$(cd / && psql -X -At -c "select count(*) from flyway_schema_history")" 1 "lint wrote nothing to the history"
# Timeouts the database sets for the session count as set.
printf '%s\n' "ALTER TABLE orders ADD COLUMN shipped boolean;" >sql/V3__indexes.sql
t_run "$ORC" lint --url "$PG_URL" --locations sql
t_like "$T_OUT" "V3__indexes.sql:1: warning \[missing-lock-timeout\]" "without SET: the lock_timeout finding"
t_like "$T_OUT" "V3__indexes.sql:1: warning \[missing-statement-timeout\]" "and the statement_timeout one"
(cd / && psql -X -q -c "ALTER DATABASE \"$PGDATABASE\" SET lock_timeout = '5s'" -c "ALTER DATABASE \"$PGDATABASE\" SET statement_timeout = '1min'")
t_run "$ORC" lint --url "$PG_URL" --locations sql
t_unlike "$T_OUT" "missing-lock-timeout|missing-statement-timeout" "set by the database for the session: no timeout finding"
cd "$ROOT" || exit 1
t_done
