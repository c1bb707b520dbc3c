#!/usr/bin/env bash
# migrate --dry-run on a database with history: the pending migrations in order, their
# transaction mode, their SQL with placeholders replaced and the caller's values masked,
# the history rows migrate would write (text and --output json); and nothing written: the
# catalog and the history are the same before and after. validate --syntax: offline,
# every syntax error with file, line, column and caret.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/pg.sh"

pg_newdb
D=$T_TMP/sql
mkdir -p "$D"
m() { "$ORC" "$1" --url "$PG_URL" --locations "$D" "${@:2}"; }
q() { psql -X -q -At -c "$1"; }
snapshot() {
	pg_dump -s -d "$PGDATABASE" | grep -Ev '^--|^\\(un)?restrict '
	q "select installed_rank, version, description, type, script, checksum, installed_by, success from flyway_schema_history order by 1"
	q "select count(*) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()"
}

printf 'CREATE TABLE a (id int PRIMARY KEY, pw text);\n' >"$D/V1__create_a.sql"
t_ok "V1 applied" m migrate
printf "INSERT INTO a VALUES (1, '\${secret}');\nCREATE TABLE b (id int PRIMARY KEY); -- \${flyway:table}\n" >"$D/V2__seed.sql"
printf -- "-- builds without blocking writes\nCREATE INDEX CONCURRENTLY a_pw ON a (pw);\n" >"$D/V3__index.sql"
printf 'CREATE OR REPLACE VIEW v AS SELECT id FROM a;\n' >"$D/R__view.sql"
before=$(snapshot)

t_run m migrate --dry-run --placeholder secret=hunter2-pass
t_is "$T_RC" 0 "dry run: exit 0"
t_like "$T_OUT" "dry run: 3 pending migrations for schema public" "counts the pending migrations"
t_like "$T_OUT" "-- 1\. V2 seed \(.*V2__seed.sql\): in a transaction" "V2 first, in a transaction"
t_like "$T_OUT" "-- 2\. V3 index \(.*V3__index.sql\): runs WITHOUT a transaction \(it holds CREATE INDEX CONCURRENTLY\)" "V3 second, without a transaction, saying why"
t_like "$T_OUT" "-- 3\. R view" "the repeatable last"
t_like "$T_OUT" "INSERT INTO a VALUES \(1, '\*\*\*'\);" "the caller's placeholder value is masked"
t_like "$T_OUT" "-- flyway_schema_history" "Flyway's built-in placeholders are replaced"
t_unlike "$T_OUT$T_ERR" "hunter2" "the secret never shows"
t_like "$T_OUT" "2 \| 2 \| seed \| SQL \| V2__seed.sql \| -?[0-9]+ \| postgres \| true" "history row of V2 with rank 2"
t_like "$T_OUT" "4 \|  \| view \| SQL \| R__view.sql" "the repeatable's row with rank 4 and no version"

t_run m migrate --dry-run --output json --placeholder secret=hunter2-pass
t_is "$T_RC" 0 "--output json: exit 0"
t_is "$(printf '%s' "$T_OUT" | python3 -c '
import json,sys; d=json.load(sys.stdin)
print(d["operation"], d["ok"], d["tableExists"], [x["version"] for x in d["migrations"]], [x["transaction"] for x in d["migrations"]],
      [r["installed_rank"] for r in d["historyRows"]], "***" in d["migrations"][0]["sql"], d["migrations"][1].get("noTransactionBecause"))')" \
	"migrate True True ['2', '3', None] [True, False, True] [2, 3, 4] True CREATE INDEX CONCURRENTLY" "JSON: one document (the command's result with the plan): versions, modes, ranks, masked SQL"
t_unlike "$T_OUT" "hunter2" "no secret in JSON either"

after=$(snapshot)
t_is "$after" "$before" "nothing written: the catalog (pg_dump -s) and the history are the same"

# Checksums come from the files: the rows match what migrate then writes.
want=$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; print(" ".join(str(r["checksum"]) for r in json.load(sys.stdin)["historyRows"]))')
t_ok "migrate applies them" m migrate --placeholder secret=hunter2-pass
t_is "$(q "select string_agg(checksum::text, ' ' order by installed_rank) from flyway_schema_history where installed_rank > 1")" "$want" "the checksums the dry run showed are the ones written"

# It takes no lock: it answers while a migrate holds Flyway's advisory lock.
printf 'SELECT pg_sleep(60);\n' >"$D/V5__slow.sql"
m migrate >"$T_TMP/slow.out" 2>&1 &
slow=$!
t_defer "kill $slow 2>/dev/null"
for _ in $(seq 300); do
	[ "$(q "select count(*) from pg_locks where locktype = 'advisory' and granted")" -gt 0 ] && break
	sleep 0.1
done
t_is "$(q "select count(*) from pg_locks where locktype = 'advisory' and granted")" 1 "a migrate holds the lock"
t_run timeout 20 "$ORC" migrate --dry-run --url "$PG_URL" --locations "$D"
t_is "$T_RC" 0 "the dry run does not wait for it"
t_like "$T_OUT" "-- 1\. V5 slow" "and shows the migration being applied as pending"
q "select pg_cancel_backend(pid) from pg_stat_activity where query like 'SELECT pg_sleep(60)%' and pid <> pg_backend_pid()" >/dev/null
wait "$slow" 2>/dev/null
rm "$D/V5__slow.sql"

# What migrate refuses, the dry run refuses the same way.
printf 'CREATE TABLE a (id bigint PRIMARY KEY, pw text);\n' >"$D/V1__create_a.sql"
t_run m migrate --dry-run
t_is "$T_RC" 1 "a changed applied file: the dry run fails"
t_like "$T_ERR" "checksum mismatch" "with migrate's validation error"

# An empty database: the history table would be created, ranks start at 1.
pg_newdb
printf 'CREATE TABLE a (id int PRIMARY KEY, pw text);\n' >"$D/V1__create_a.sql"
t_run m migrate --dry-run --placeholder secret=x
t_like "$T_OUT" "history table flyway_schema_history, which migrate would create first" "an absent history table is named"
t_like "$T_OUT" "1 \| 1 \| create a \| SQL" "and V1 gets rank 1"
t_is "$(q "select count(*) from pg_tables where tablename = 'flyway_schema_history'")" 0 "still no history table"
t_run m info --dry-run
t_is "$T_RC" 2 "--dry-run belongs to migrate: exit 2 elsewhere"

# validate --syntax: offline (no server reachable), every error with file, line, caret.
S=$T_TMP/syntax
mkdir -p "$S"
printf 'CREATE TABLE ok (id int);\n' >"$S/V1__fine.sql"
printf -- "-- two errors\nCREATE TABLE t (id int);\nSELEC 1;\nINSERT INTO t VALUES (1);\n  CREATE TABLE u (id int,);\n" >"$S/V2__typos.sql"
printf 'CREATE RULE r AS ON INSERT TO ok DO ALSO (SELECT 1; SELECT 2);\nSELECT ${n};\n' >"$S/V3__rule.sql"
t_run env PGHOST=/nonexistent "$ORC" validate --syntax --locations "$S" --placeholder n=42
t_is "$T_RC" 1 "syntax errors: exit 1"
t_like "$T_ERR" "V2__typos.sql:3:1: syntax error at or near \"SELEC\"" "the first error with file, line and column"
t_like "$T_ERR" "V2__typos.sql:5:26: syntax error at or near \"\)\"" "the second one in the same file"
t_like "$T_ERR" "$(printf '    SELEC 1;\n    \\^')" "the line and a caret under the position"
t_like "$T_ERR" "$(printf '      CREATE TABLE u \\(id int,\\);\n                            \\^')" "the caret counts the line's indentation"
t_like "$T_ERR" "2 syntax errors in 1 of 3 files" "a summary"
t_unlike "$T_ERR" "V3__rule|V1__fine" "a rule with ';' inside parentheses and a replaced placeholder parse"
rm "$S/V2__typos.sql"
t_run env PGHOST=/nonexistent "$ORC" validate --syntax --locations "$S" --placeholder n=42
t_is "$T_RC" 0 "no syntax error: exit 0"
t_like "$T_OUT" "2 files parsed without error" "says so"
t_done
