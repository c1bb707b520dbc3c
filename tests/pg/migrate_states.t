#!/usr/bin/env bash
# Every info state, validate, repair, out-of-order, target, non-transactional migrations,
# failing migrations (nothing recorded, exit 1, the right line), annotations, baseline,
# duplicates, version ordering and --schema.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/pg.sh"

pg_newdb
D=$T_TMP/sql
mkdir -p "$D/sub"
m() { "$ORC" "$1" --url "$PG_URL" --locations "$D" "${@:2}"; }
state() { # state VERSION|DESCRIPTION [OPTION...] -> the states info --json reports for it
	m info --json "${@:2}" | python3 -c 'import json,sys; k=sys.argv[1]; print(",".join(x["state"] for x in json.load(sys.stdin)["migrations"] if x["version"]==k or (x["version"] is None and x["description"]==k)))' "$1"
}
q() { psql -X -q -At -c "$1"; }

echo 'CREATE TABLE a (id int);' >"$D/V1__create_a.sql"
echo 'CREATE TABLE c (id int);' >"$D/sub/V3__create_c.sql"
echo 'CREATE OR REPLACE VIEW v AS SELECT 1 AS one;' >"$D/R__view_v.sql"
t_ok "migrate applies V1, V3 and a repeatable" m migrate
t_is "$(state 1),$(state 3),$(state 'view v')" "Success,Success,Success" "info: Success"
t_is "$(q "select description from flyway_schema_history where version = '1'")" "create a" "description: underscores become spaces"

echo 'CREATE TABLE b (id int);' >"$D/V2__create_b.sql"
t_is "$(state 2)" "Ignored" "a new version below the highest applied is Ignored"
t_run m migrate
t_is "$T_RC" 1 "migrate refuses it"
t_like "$T_ERR" 'V2__create_b.sql: pending but older than the highest applied version 3.*--out-of-order' "naming the file and --out-of-order"
t_run m validate
t_is "$T_RC" 1 "validate fails on it too"
t_ok "migrate --out-of-order applies it" m migrate --out-of-order
t_is "$(q "select string_agg(version, ',' order by installed_rank) from flyway_schema_history")" "1,3,2" "installed in rank order 1,3,2"

echo 'CREATE OR REPLACE VIEW v AS SELECT 2 AS one;' >"$D/R__view_v.sql"
t_is "$(state 'view v')" "Outdated,Pending" "a changed repeatable: the applied row is Outdated, the file Pending"
t_ok "migrate re-applies the repeatable" m migrate
t_is "$(state 'view v')" "Superseded,Success" "then: Superseded and Success"
t_is "$(q 'select one from v')" 2 "the new view is in place"

printf -- '-- builds without locking writes\nCREATE INDEX CONCURRENTLY a_id ON a (id);\n' >"$D/V4__index_a.sql"
t_run m migrate
t_is "$T_RC" 0 "a migration with CREATE INDEX CONCURRENTLY applies"
t_like "$T_ERR" 'V4__index_a.sql: runs outside a transaction because it holds CREATE INDEX CONCURRENTLY' "with a warning"
t_is "$(q "select indisvalid from pg_index where indexrelid = 'a_id'::regclass")" t "the index is built and valid"

printf 'CREATE TABLE t5 (id int);\nCREATE INDEX CONCURRENTLY x5 ON nosuch (id);\n' >"$D/V5__bad_index.sql"
# Flyway's mixed=false: refused before anything runs, naming both statements.
t_run m migrate
t_like "$T_RC:$T_ERR" '^1:.*V5__bad_index.sql: mixes transactional and non-transactional statements \(line 1: CREATE TABLE t5 \(id int\); line 2, CREATE INDEX CONCURRENTLY: CREATE INDEX CONCURRENTLY x5 ON nosuch \(id\)\); nothing was run.*--mixed' "a file mixing both kinds is refused, naming both statements"
t_is "$(q "select count(*) from flyway_schema_history where version = '5'")|$(q "select to_regclass('t5') is null")" "0|t" "nothing of it ran, nothing recorded"
t_run m migrate --mixed
t_is "$T_RC" 1 "a failing non-transactional migration exits 1"
t_like "$T_ERR" 'V5__bad_index.sql:2: migration V5 bad index failed: SQLSTATE 42P01' "naming file, line 2 and SQLSTATE"
t_is "$(q "select success from flyway_schema_history where version = '5'")" f "it is recorded as failed, as Flyway does"
t_is "$(state 5)" "Failed" "info: Failed"
t_run m migrate
t_like "$T_RC:$T_ERR" '^1:.*failed earlier.*run repair' "migrate refuses to continue past a failed migration"
printf 'CREATE TABLE IF NOT EXISTS t5 (id int);\nCREATE INDEX CONCURRENTLY x5 ON t5 (id);\n' >"$D/V5__bad_index.sql"
t_ok "repair removes the failed row" m repair
t_is "$(q "select count(*) from flyway_schema_history where version = '5'")" 0 "no row for 5 left"
t_ok "migrate --mixed then applies the fixed V5" m migrate --mixed

# A failing transactional migration: rolled back, nothing recorded, the right line.
printf 'CREATE TABLE t6 (id int);\n\n-- a comment\nINSERT INTO t6\n  SELECT * FROM nosuch;\n' >"$D/V6__fails.sql"
t_run m migrate
t_is "$T_RC" 1 "a failing migration exits 1"
t_like "$T_ERR" 'V6__fails.sql:5: migration V6 fails failed: SQLSTATE 42P01: relation "nosuch" does not exist; nothing of it was applied' "error names file, line of the error position, SQLSTATE and message"
t_is "$(q "select count(*) from flyway_schema_history where version = '6'")" 0 "nothing recorded"
t_is "$(q "select to_regclass('t6') is null")" t "its first statement was rolled back"
printf 'CREATE TABLE t6 (id int);\nSELECT 1;\n\nSELECT 1 / 0;\n' >"$D/V6__fails.sql"
GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY=$T_TMP/summary t_run m migrate
t_like "$T_OUT$T_ERR" "::error file=$D/V6__fails.sql,line=4::" "an error without position: the failing statement's line, as an Actions annotation"
printf 'CREATE TABLE t6 (id int);\nDO $$\nBEGIN\n  PERFORM 1;\n  RAISE EXCEPTION '"'"'boom'"'"';\nEND\n$$;\n' >"$D/V6__fails.sql"
t_run m migrate
t_like "$T_ERR" 'V6__fails.sql:5: .*SQLSTATE P0001: boom' "an error inside a DO block names the line inside the block"
rm "$D/V6__fails.sql"
echo 'CREATE TABLE t6 (id int);' >"$D/V6__good.sql"
printf 'CREATE TABLE t6b (id int);\nSELECT nosuch_function();\n' >"$D/V6.1__bad.sql"
echo 'CREATE TABLE t6c (id int);' >"$D/V6.2__after.sql"
t_run m migrate
t_is "$T_RC:$(q "select string_agg(version, ',' order by installed_rank) from flyway_schema_history where version like '6%'")" "1:6" \
	"in one run: the good migration before a failing one stays applied, nothing after it runs"
t_like "$T_ERR" 'V6.1__bad.sql:2: .*SQLSTATE 42883' "the failing one is named with its line"
t_is "$(q "select to_regclass('t6b') is null and to_regclass('t6c') is null")" t "neither the failing nor the later migration left anything"
rm "$D/V6.1__bad.sql" "$D/V6.2__after.sql"

echo "SELECT '\${pw}'::int;" >"$D/V7__secret.sql"
t_run m migrate --placeholder pw=hunter2-secret
t_like "$T_ERR" 'invalid input syntax for type integer: "\*\*\*"' "a placeholder value inside a server error is redacted"
t_unlike "$T_OUT$T_ERR" 'hunter2' "it never reaches output"
echo "DO \$\$ BEGIN RAISE WARNING 'value is %', '\${pw}'; END \$\$; SELECT '\${pw}'::text;" >"$D/V7__secret.sql"
t_run m migrate --placeholder pw=hunter2-secret
t_like "$T_ERR" 'warning: server: WARNING:  value is \*\*\*' "server warnings go through the redacting log"
q "delete from flyway_schema_history where version = '7'"
echo "SELECT '\${pw}'::text;" >"$D/V7__secret.sql"
echo 'CREATE TABLE t8 (id int);' >"$D/V8__t8.sql"
echo 'CREATE TABLE t9 (id int);' >"$D/V9__t9.sql"
GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY=$T_TMP/summary t_run m migrate --placeholder pw=x --target 8
t_is "$T_RC" 0 "migrate --target 8"
t_is "$(state 8 --target 8),$(state 9 --target 8)" "Success,Above Target" "stops at the target: 9 is Above Target"
t_like "$(cat "$T_TMP/summary")" '\| 8 \| t8 \| Versioned \|' "the step summary lists what was applied"

echo 'CREATE TABLE t10 (id int);' >"$D/V10__t10.sql"
t_is "$(state 10)" "Pending" "a new file is Pending"
t_run m validate
t_like "$T_RC:$T_ERR" '^1:.*V10__t10.sql: not applied yet' "validate reports pending migrations"
t_ok "migrate applies 9 and 10" m migrate --placeholder pw=x

mv "$D/V2__create_b.sql" "$T_TMP/"
t_is "$(state 2)" "Missing" "an applied migration without its file is Missing"
t_run m validate
t_like "$T_RC:$T_ERR" '^1:.*migration 2 \(V2__create_b.sql\) is applied but not in the locations' "validate reports it"
q "insert into flyway_schema_history values (99, '2', 'create b', 'DELETE', 'V2__create_b.sql', NULL, 'flyway', now(), 0, true)"
t_is "$(state 2)" "Deleted,Deleted" "a missing migration marked by Flyway's repair (a DELETE row) is Deleted"
t_ok "and no longer fails validate" m validate
q "delete from flyway_schema_history where type = 'DELETE'"
mv "$T_TMP/V2__create_b.sql" "$D/"
q "insert into flyway_schema_history values (100, '11', 'from a newer branch', 'SQL', 'V11__x.sql', 1, 'x', now(), 1, true)"
t_is "$(state 11)" "Future" "an applied version above every file is Future"
t_ok "a Future migration does not stop validate" m validate
q "delete from flyway_schema_history where version = '11'"

echo 'CREATE TABLE a2 (id int);' >>"$D/V1__create_a.sql"
t_run m validate
t_is "$T_RC" 1 "validate catches an edited applied file"
old=$(q "select checksum from flyway_schema_history where version = '1'")
t_like "$T_ERR" "V1__create_a.sql: checksum mismatch: applied with checksum $old, the file now has -?[0-9]+" "naming script, recorded and current checksum"
t_run m migrate
t_is "$T_RC" 1 "migrate refuses to run with an edited applied file"
t_ok "repair realigns the checksum" m repair
t_ok "validate passes after repair" m validate
t_is "$(q 'select count(*) from flyway_schema_history where not success')" 0 "no failed rows"

t_run "$ORC" info --url "postgresql://postgres:hunter3-pw@127.0.0.1:1/nosuch" --locations "$D"
t_is "$T_RC" 3 "an unreachable server is exit 3"
t_unlike "$T_ERR" 'hunter3' "the password in --url never reaches output"
t_run "$ORC" info --url "$PG_URL?sslmode=require" --locations "$D"
t_like "$T_RC:$T_ERR" '^3:.*SSL' "sslmode in the URL is honoured (the test server has no SSL)"
t_ok "a conninfo string works as --url" "$ORC" info --url "host=127.0.0.1 port=$PGPORT user=postgres dbname=$PGDATABASE sslmode=disable" --locations "$D"

# Baseline on a database that existed before migrations.
pg_newdb
q "create table a (id int); create table b (id int); create table c (id int)"
t_ok "baseline --baseline-version 3" m baseline --baseline-version 3
t_is "$(q "select version||'|'||description||'|'||type||'|'||script||'|'||coalesce(checksum::text,'NULL')||'|'||installed_rank from flyway_schema_history")" \
	"3|<< Flyway Baseline >>|BASELINE|<< Flyway Baseline >>|NULL|1" "Flyway's baseline row"
t_is "$(state 1)/$(state 3)" "Below Baseline/Ignored (Baseline),Baseline" "files below it are Below Baseline, the one at it Ignored (Baseline) (Flyway's names, listed before the applied rows as Flyway lists them), the row Baseline"
t_ok "migrate after baseline" m migrate --placeholder pw=x --mixed
t_is "$(q "select string_agg(version, ',' order by installed_rank) from flyway_schema_history")" "3,4,5,6,7,8,9,10" "only versions above the baseline ran"
t_run m baseline
t_is "$T_RC" 1 "baseline refuses a history with migrations"

# A used schema without history: refused, unless baselined on the way (Flyway's rule).
pg_newdb
q "create table legacy (id int)"
t_run m migrate --placeholder pw=x
t_like "$T_RC:$T_ERR" '^1:.*schema public already holds objects but has no flyway_schema_history table: run baseline' "migrate refuses a used schema without history"
t_is "$(q "select to_regclass('flyway_schema_history') is null and to_regclass('a') is null")" t "and changes nothing"
t_ok "--baseline-on-migrate baselines it, then migrates" m migrate --placeholder pw=x --baseline-on-migrate --baseline-version 9
t_is "$(q "select string_agg(version||':'||type, ',' order by installed_rank) from flyway_schema_history")" "9:BASELINE,10:SQL" "baseline row at 9, then only version 10"

# Duplicates and ordering.
E=$T_TMP/dup
mkdir -p "$E/x"
echo 'select 1;' >"$E/V1__one.sql"
echo 'select 1;' >"$E/x/V1.0__one_again.sql"
t_run "$ORC" info --url "$PG_URL" --locations "$E"
t_like "$T_RC:$T_ERR" "^2:.*two migrations have version 1.0?: $E/V1__one.sql and $E/x/V1.0__one_again.sql|^2:.*two migrations have version 1.0?: $E/x/V1.0__one_again.sql and $E/V1__one.sql" "1 and 1.0 are the same version: an error naming both paths"
O=$T_TMP/order
mkdir -p "$O"
for v in 1.10 1.9 1_2 2 10 1.2.1 0.9; do echo "select 1;" >"$O/V${v}__v.sql"; done
echo 'not a migration' >"$O/README.md"
echo 'select 1;' >"$O/v5__lowercase.sql"
pg_newdb
t_run "$ORC" migrate --url "$PG_URL" --locations "filesystem:$O" --verbose
t_like "$T_ERR" 'README.md: not a migration' "other files are skipped with a note under --verbose"
t_is "$(q "select string_agg(version, ',' order by installed_rank) from flyway_schema_history")" "0.9,1.2,1.2.1,1.9,1.10,2,10" "numeric version order"

# --schema: created with Flyway's marker row, history table inside it.
pg_newdb
t_ok "migrate --schema app" "$ORC" migrate --url "$PG_URL" --locations "$O" --schema app
t_is "$(q "select installed_rank||'|'||type||'|'||script from app.flyway_schema_history where type = 'SCHEMA'")" '0|SCHEMA|"app"' "the schema creation marker row, at installed_rank 0, as Flyway writes it"
t_is "$(q "select count(*) from app.flyway_schema_history where type = 'SQL'")" 7 "history in the schema"
# A migration that empties search_path (as pg_dump output does) does not leak into the next.
pg_newdb
S=$T_TMP/path
mkdir -p "$S"
echo "SELECT pg_catalog.set_config('search_path', '', false); CREATE TABLE public.p1 (id int);" >"$S/V1__dump_style.sql"
echo 'CREATE TABLE p2 (id int);' >"$S/V2__unqualified.sql"
t_ok "a migration after one that emptied search_path" "$ORC" migrate --url "$PG_URL" --locations "$S" --schema app
t_is "$(q "select to_regclass('app.p2') is not null")" t "runs with the search_path of the run (--schema app first)"

# COPY ... FROM STDIN with its data, as pg_dump writes it (run without a pipeline).
pg_newdb
P=$T_TMP/copy
mkdir -p "$P"
printf 'CREATE TABLE c (id int, name text);\nCOPY c (id, name) FROM stdin;\n1\tone; two\n2\t\\N\n\\.\n\nINSERT INTO c VALUES (3, $$x;y$$);\nSELECT 1/0;\n' >"$P/V1__copy.sql"
t_run "$ORC" migrate --url "$PG_URL" --locations "$P"
t_like "$T_RC:$T_ERR" '^1:.*V1__copy.sql:8: .*SQLSTATE 22012' "a migration with COPY data: an error after the data names its line"
t_is "$(q "select to_regclass('c') is null")" t "and rolls back completely"
sed -i 's|^SELECT 1/0;||' "$P/V1__copy.sql"
t_ok "COPY ... FROM STDIN with data applies" "$ORC" migrate --url "$PG_URL" --locations "$P"
t_is "$(q "select string_agg(id||':'||coalesce(name,'NULL'), ',' order by id) from c")" "1:one; two,2:NULL,3:x;y" "the rows from the COPY data and after it"
t_done
