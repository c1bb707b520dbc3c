#!/usr/bin/env bash
# Flyway's rules where the engine used to differ (issue 12), each against a real server:
# repeatable checksums after placeholder replacement, the built-in placeholders, the
# session restored after SET ROLE / SET SESSION AUTHORIZATION.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/pg.sh"

q() { psql -X -q -At -c "$1"; }
flyway_checksum() { # Flyway's line-wise CRC-32 of a text on stdin, written independently
	python3 -c '
import re, sys, zlib
text = sys.stdin.buffer.read().decode("utf-8")
crc = 0
for line in re.split("\r\n|\r|\n", text):
    crc = zlib.crc32(line.encode("utf-8"), crc)
print(crc - (1 << 32) if crc >= 1 << 31 else crc)'
}

# ---- repeatable checksums: after placeholder replacement (continuing a Flyway history)
pg_newdb
D=$T_TMP/rep
mkdir -p "$D"
m() { "$ORC" "$1" --url "$PG_URL" --locations "$D" "${@:2}"; }
echo 'CREATE OR REPLACE VIEW owner_v AS SELECT ${owner}::text AS owner;' >"$D/R__owner_view.sql"
# The history Flyway writes after `flyway migrate -placeholders.owner="'alice'"`: the
# checksum is the one of the text with the value in place.
expected=$(printf '%s\n' "CREATE OR REPLACE VIEW owner_v AS SELECT 'alice'::text AS owner;" | flyway_checksum)
t_ok "migrate with owner='alice'" m migrate --placeholder "owner='alice'"
t_is "$(q "select checksum from flyway_schema_history where description = 'owner view'")" "$expected" "the repeatable's checksum is Flyway's, after placeholder replacement"
t_ok "validate with the same value: clean" m validate --placeholder "owner='alice'"
t_run m info --json --placeholder "owner='bob'"
t_like "$T_OUT" '"state":[[:space:]]*"Outdated"' "a changed value makes the repeatable Outdated"
t_ok "migrate with owner='bob' re-runs it" m migrate --placeholder "owner='bob'"
t_is "$(q 'select owner from owner_v')" bob "the view has the new value"
t_is "$(q "select count(*) from flyway_schema_history where description = 'owner view'")" 2 "two runs recorded"

# A history written by Flyway itself (its checksum, computed here) validates clean.
pg_newdb
psql -X -q -c "CREATE VIEW owner_v AS SELECT 'carol'::text AS owner" \
	-c "CREATE TABLE flyway_schema_history (installed_rank INT NOT NULL PRIMARY KEY, version VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT NULL, checksum INTEGER, installed_by VARCHAR(100) NOT NULL, installed_on TIMESTAMP NOT NULL DEFAULT now(), execution_time INTEGER NOT NULL, success BOOLEAN NOT NULL)" \
	-c "INSERT INTO flyway_schema_history VALUES (1, NULL, 'owner view', 'SQL', 'R__owner_view.sql', $(printf '%s\n' "CREATE OR REPLACE VIEW owner_v AS SELECT 'carol'::text AS owner;" | flyway_checksum), 'flyway', now(), 5, true)"
t_ok "a Flyway history with a placeholder in a repeatable validates clean" m validate --placeholder "owner='carol'"
t_ok "and migrate leaves it alone" m migrate --placeholder "owner='carol'"
t_is "$(q "select count(*) from flyway_schema_history")" 1 "nothing re-run"

# ${flyway:timestamp} in a repeatable: it runs on every migrate.
echo "CREATE OR REPLACE VIEW stamp_v AS SELECT '\${flyway:timestamp}'::text AS at;" >"$D/R__stamp.sql"
t_ok "migrate with a \${flyway:timestamp} repeatable" m migrate --placeholder "owner='carol'"
n1=$(q "select count(*) from flyway_schema_history where description = 'stamp'")
# The timestamp has a one-second resolution: wait until the second changes.
s0=$(date +%s); while [ "$(date +%s)" = "$s0" ]; do sleep 0.1; done
t_ok "migrate again" m migrate --placeholder "owner='carol'"
t_is "$n1,$(q "select count(*) from flyway_schema_history where description = 'stamp'")" "1,2" "the timestamp repeatable ran again"
rm "$D/R__stamp.sql"

# ---- built-in placeholders
pg_newdb
B=$T_TMP/builtins
mkdir -p "$B"
cat >"$B/V1__builtins.sql" <<'SQL'
CREATE TABLE builtins AS SELECT '${flyway:user}'::text AS u, '${flyway:workingDirectory}'::text AS wd,
  '${flyway:environment}'::text AS env, '${flyway:database}'::text AS db;
SQL
t_ok "migrate with the built-in placeholders, --installed-by someone else" bash -c "cd '$T_TMP' && '$ORC' migrate --url '$PG_URL' --locations '$B' --installed-by deployer"
t_is "$(q 'select u from builtins')" postgres '${flyway:user} is the connected user, not --installed-by'
t_is "$(q 'select installed_by from flyway_schema_history where version = $$1$$')" deployer "installed_by is --installed-by"
t_is "$(q 'select wd from builtins')" "$T_TMP" '${flyway:workingDirectory} is the working directory'
t_is "$(q 'select env from builtins')" default '${flyway:environment} is "default" without an environment'
t_is "$(q 'select db from builtins')" "$PGDATABASE" '${flyway:database}'

# ---- SET ROLE / SET SESSION AUTHORIZATION inside a migration
pg_newdb
S=$T_TMP/role
mkdir -p "$S"
r=r_$$_$RANDOM
psql -X -q -c "CREATE ROLE ${r}_owner NOLOGIN" -c "CREATE ROLE ${r}_auth NOLOGIN"
t_defer "psql -X -q -d '$PGDATABASE' -c 'DROP OWNED BY ${r}_owner, ${r}_auth CASCADE' >/dev/null 2>&1; psql -X -q -d postgres -c 'DROP ROLE IF EXISTS ${r}_owner' -c 'DROP ROLE IF EXISTS ${r}_auth' >/dev/null 2>&1"
cat >"$S/V1__as_owner.sql" <<SQL
CREATE SCHEMA app AUTHORIZATION ${r}_owner;
SET ROLE ${r}_owner;
CREATE TABLE app.t1 (id int);
SQL
echo "CREATE TABLE plain (id int);" >"$S/V2__plain.sql"
cat >"$S/V3__session_auth.sql" <<SQL
GRANT USAGE, CREATE ON SCHEMA app TO ${r}_auth;
SET SESSION AUTHORIZATION ${r}_auth;
CREATE TABLE app.t3 (id int);
SQL
echo "SELECT current_user AS v4_user INTO plain4;" >"$S/V4__who.sql"
t_run "$ORC" migrate --url "$PG_URL" --locations "$S"
t_is "$T_RC" 0 "migrations that SET ROLE and SET SESSION AUTHORIZATION apply (the history row is written as the connected user)"
t_is "$(q "select string_agg(version||':'||success, ',' order by installed_rank) from flyway_schema_history")" "1:true,2:true,3:true,4:true" "all four recorded as successful"
t_is "$(q "select tableowner from pg_tables where tablename = 'plain'")" postgres "the next migration runs as the connected user again"
t_is "$(q "select tableowner from pg_tables where tablename = 't3'")" "${r}_auth" "SET SESSION AUTHORIZATION took effect inside its migration"
t_is "$(q "select v4_user from plain4")" postgres "after SET SESSION AUTHORIZATION, the next migration is back to the connected user"

# ---- history text: Flyway's abbreviations, the SCHEMA marker at installed_rank 0
pg_newdb
H=$T_TMP/hist
long=$(printf 'd%.0s' $(seq 1 230))
deep=$(printf 'folder_%03d/' $(seq 1 130))
mkdir -p "$H/$deep"
echo 'SELECT 1;' >"$H/${deep}V1__${long}.sql"
t_ok "a description over 200 and a script path over 1000 characters migrate" "$ORC" migrate --url "$PG_URL" --locations "$H" --schema fresh
script="${deep}V1__${long}.sql"
t_is "$(q "select description from fresh.flyway_schema_history where version = '1'")" "${long:0:197}..." "the description is abbreviated as Flyway does (197 + ...)"
t_is "$(q "select script from fresh.flyway_schema_history where version = '1'")" "...${script:3:997}" "the script as Flyway does (... + chars 3..1000)"
t_ok "validate accepts the abbreviated description" "$ORC" validate --url "$PG_URL" --locations "$H" --schema fresh
t_is "$(q "select installed_rank||'|'||type||'|'||script from fresh.flyway_schema_history where type = 'SCHEMA'")" '0|SCHEMA|"fresh"' "the created schema's marker row is at installed_rank 0, as Flyway writes it"
t_is "$(q "select installed_rank from fresh.flyway_schema_history where version = '1'")" 1 "the first migration gets rank 1"

# ---- info states: Out of Order, Ignored (Baseline)
pg_newdb
O=$T_TMP/ooo
mkdir -p "$O"
mo() { "$ORC" "$1" --url "$PG_URL" --locations "$O" "${@:2}"; }
state() { mo info --json | python3 -c 'import json,sys; k=sys.argv[1]; print(",".join(x["state"] for x in json.load(sys.stdin)["migrations"] if x["version"]==k))' "$1"; }
echo 'SELECT 1;' >"$O/V1__one.sql"
echo 'SELECT 3;' >"$O/V3__three.sql"
mo migrate >/dev/null
echo 'SELECT 2;' >"$O/V2__two.sql"
mo migrate --out-of-order >/dev/null
t_is "$(state 2)" "Out of Order" "a version applied with --out-of-order below a higher one is Out of Order"
t_is "$(state 3)" "Success" "the others stay Success"
t_ok "validate accepts an Out of Order migration" mo validate

# ---- baseline refuses an existing, empty history table (Flyway's rule)
pg_newdb
q "CREATE TABLE flyway_schema_history (installed_rank INT NOT NULL PRIMARY KEY, version VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT NULL, checksum INTEGER, installed_by VARCHAR(100) NOT NULL, installed_on TIMESTAMP NOT NULL DEFAULT now(), execution_time INTEGER NOT NULL, success BOOLEAN NOT NULL)"
t_run "$ORC" baseline --url "$PG_URL" --baseline-version 5
t_is "$T_RC" 1 "baseline refuses an existing empty history table"
t_like "$T_ERR" 'flyway_schema_history" exists and is empty; drop it' "saying what to do"
t_is "$(q 'select count(*) from flyway_schema_history')" 0 "nothing written"

# ---- baseline twice: the same (version, description) is done; another is refused (DbBaseline)
pg_newdb
t_ok "baseline at 4" "$ORC" baseline --url "$PG_URL" --baseline-version 4 --baseline-description "legacy schema"
t_run "$ORC" baseline --url "$PG_URL" --baseline-version 4 --baseline-description "legacy schema"
t_is "$T_RC" 0 "baseline again with the same version and description: nothing to do, exit 0"
t_like "$T_OUT" 'already baselined at version 4 \(legacy schema\): nothing to do' "saying so"
t_run "$ORC" baseline --url "$PG_URL" --baseline-version 4
t_is "$T_RC" 1 "the same version with another description is refused, as Flyway does"
t_like "$T_ERR" 'already baselined at version 4 \(legacy schema\), not 4 \(<< Flyway Baseline >>\)' "naming both"
t_run "$ORC" baseline --url "$PG_URL" --baseline-version 5 --baseline-description "legacy schema"
t_is "$T_RC" 1 "another version is refused"
t_is "$(q "select count(*) from flyway_schema_history where type = 'BASELINE'")" 1 "one baseline row"

# ---- baseline migrations: B<version>__ (type SQL_BASELINE), as Flyway's tutorial uses them
pg_newdb
BM=$T_TMP/bmig
mkdir -p "$BM"
mb() { "$ORC" "$1" --url "$PG_URL" --locations "$BM" "${@:2}"; }
# version,type,state of every info row, in info's order
bstates() { mb info --json "$@" | python3 -c 'import json,sys; print(" ".join("%s:%s:%s:%s" % (x["version"], x["category"], x["type"], x["state"]) for x in json.load(sys.stdin)["migrations"]))'; }
echo 'CREATE TABLE t1 (id int);' >"$BM/V1__create_two_tables.sql"
echo 'ALTER TABLE t1 ADD COLUMN a int;' >"$BM/V2__alter_column.sql"
echo 'CREATE TABLE t3 (id int);' >"$BM/V3__third_table.sql"
echo 'CREATE TABLE t1 (id int, a int);' >"$BM/B2__state_at_2.sql"
printf 'CREATE TABLE t1 (id int, a int);\nCREATE TABLE t3 (id int);\n' >"$BM/B3__state_at_3.sql"
echo 'CREATE TABLE t4 (id int);' >"$BM/V4__fourth.sql"
t_is "$(bstates)" "1:Versioned:SQL:Below Baseline 2:Versioned:SQL:Below Baseline 2:Baseline:SQL_BASELINE:Below Baseline 3:Versioned:SQL:Ignored (Baseline) 3:Baseline:SQL_BASELINE:Pending 4:Versioned:SQL:Pending" \
	"on an empty history the highest B file is Pending, the versions it covers Below Baseline / Ignored (Baseline), later ones Pending"
t_run mb migrate --dry-run
t_like "$T_OUT" "^-- 1\. B3 state at 3 \(.*B3__state_at_3.sql\): in a transaction" "--dry-run: the B file first"
t_like "$T_OUT" "^1 \| 3 \| state at 3 \| SQL_BASELINE \| B3__state_at_3.sql" "and the SQL_BASELINE row it would write"
t_run mb migrate
t_is "$T_RC" 0 "migrate on an empty history"
t_unlike "$T_ERR" "baseline migration" "no warning about B files any more"
t_like "$T_OUT" "migrating B3 state at 3" "the B file is printed as it runs"
t_is "$(q "select string_agg(version||':'||type||':'||script, ',' order by installed_rank) from flyway_schema_history")" "3:SQL_BASELINE:B3__state_at_3.sql,4:SQL:V4__fourth.sql" \
	"B3 applied instead of V1-V3 (one SQL_BASELINE row), then V4"
t_is "$(q "select string_agg(column_name, ',' order by ordinal_position) from information_schema.columns where table_name = 't1'")" "id,a" "the B file's state is the schema"
t_is "$(bstates)" "1:Versioned:SQL:Below Baseline 2:Versioned:SQL:Below Baseline 2:Baseline:SQL_BASELINE:Below Baseline 3:Versioned:SQL:Ignored (Baseline) 3:Baseline:SQL_BASELINE:Baseline 4:Versioned:SQL:Success" \
	"info afterwards: the applied B row is Baseline, what lies below it listed first"
t_like "$(mb info)" '^Baseline +\| 3 +\| state at 3 +\| SQL_BASELINE +\|.*\| Baseline *$' "the table shows category Baseline and type SQL_BASELINE"
t_ok "validate passes" mb validate
t_ok "migrate again" mb migrate
t_is "$(q "select count(*) from flyway_schema_history")" 2 "nothing re-run"
# --target below the newest B: the highest B at or below it.
pg_newdb
t_ok "migrate --target 2 on an empty history" mb migrate --target 2
t_is "$(q "select string_agg(version||':'||type, ',' order by installed_rank) from flyway_schema_history")" "2:SQL_BASELINE" "B2 ran (B3 is above the target)"
t_ok "then migrate to the latest" mb migrate
t_is "$(q "select string_agg(version||':'||type, ',' order by installed_rank) from flyway_schema_history")" "2:SQL_BASELINE,3:SQL,4:SQL" "the history continues from B2 with V3 and V4; B3 has no effect there"
t_like "$(bstates)" "3:Baseline:SQL_BASELINE:Ignored$" "B3 on a history with versions: Ignored"
t_ok "and validate does not count it (Flyway's rule for baseline migrations)" mb validate
# A database migrated with the V files before the B file was added: no effect.
pg_newdb
mkdir -p "$T_TMP/bmig_old"
cp "$BM"/V*.sql "$T_TMP/bmig_old/"
t_ok "migrate with the V files only" "$ORC" migrate --url "$PG_URL" --locations "$T_TMP/bmig_old"
t_ok "then with the B files too: nothing to do" mb migrate
t_is "$(q "select string_agg(version||':'||type, ',' order by installed_rank) from flyway_schema_history")" "1:SQL,2:SQL,3:SQL,4:SQL" "no B file ran"
t_ok "validate passes" mb validate
# A history Flyway wrote with a baseline migration: it continues from it.
pg_newdb
psql -X -q -c "CREATE TABLE t1 (id int, a int); CREATE TABLE t3 (id int)" \
	-c "CREATE TABLE flyway_schema_history (installed_rank INT NOT NULL PRIMARY KEY, version VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT NULL, checksum INTEGER, installed_by VARCHAR(100) NOT NULL, installed_on TIMESTAMP NOT NULL DEFAULT now(), execution_time INTEGER NOT NULL, success BOOLEAN NOT NULL)" \
	-c "INSERT INTO flyway_schema_history VALUES (1, '3', 'state at 3', 'SQL_BASELINE', 'B3__state_at_3.sql', $(flyway_checksum <"$BM/B3__state_at_3.sql"), 'flyway', now(), 7, true)"
t_ok "validate a Flyway history that starts with a SQL_BASELINE row" mb validate --target 3
t_ok "migrate continues from it" mb migrate
t_is "$(q "select string_agg(version||':'||type, ',' order by installed_rank) from flyway_schema_history")" "3:SQL_BASELINE,4:SQL" "only V4 ran"

# ---- SQL callbacks (Flyway's events, order and transactions), never in the history
pg_newdb
CB=$T_TMP/callbacks
mkdir -p "$CB/more"
q "CREATE SCHEMA audit; CREATE TABLE audit.cb_log (n serial, event text, tx bigint, note text)"
logcb() { echo "INSERT INTO audit.cb_log (event, tx, note) VALUES ('$1', txid_current(), '${2:-}');" >"$CB/$3"; }
for ev in beforeValidate afterValidate beforeMigrate beforeEachMigrate afterEachMigrate afterEachMigrateError afterMigrate afterMigrateError beforeInfo afterInfo beforeRepair afterRepair beforeBaseline afterBaseline; do
	logcb "$ev" "" "$ev.sql"
done
logcb beforeMigrate 'b second' "beforeMigrate__b_second.sql"
logcb beforeMigrate '${who}' "more/beforeMigrate__a_first.sql"
echo 'VACUUM audit.cb_log;' >"$CB/afterMigrate__vacuum.sql"
echo "CREATE TABLE one (id int); INSERT INTO audit.cb_log (event, tx) VALUES ('V1', txid_current());" >"$CB/V1__one.sql"
echo "CREATE TABLE two (id int); INSERT INTO audit.cb_log (event, tx) VALUES ('V2', txid_current());" >"$CB/V2__two.sql"
mc() { "$ORC" "$1" --url "$PG_URL" --locations "$CB" "${@:2}"; }
events() { q "select string_agg(event, ',' order by n) from audit.cb_log where n > ${1:-0}"; }
t_run mc migrate --placeholder who=deployer
t_is "$T_RC" 0 "migrate with callbacks"
t_unlike "$T_ERR" "beforeMigrate|afterMigrate|looks like a migration" "callbacks are not warned about as names"
t_is "$(events)" "beforeValidate,afterValidate,beforeMigrate,beforeMigrate,beforeMigrate,beforeEachMigrate,V1,afterEachMigrate,beforeEachMigrate,V2,afterEachMigrate,afterMigrate" \
	"Flyway's events in Flyway's order (migrate validates first)"
t_is "$(q "select string_agg(coalesce(nullif(note, ''), '-'), ',' order by n) from audit.cb_log where event = 'beforeMigrate'")" "-,deployer,b second" \
	"several callbacks of one event: the one without a description first, then by description; placeholders replaced"
t_is "$(q "select count(distinct tx) from audit.cb_log where event in ('beforeEachMigrate', 'V1', 'afterEachMigrate') and n <= (select min(n) from audit.cb_log where event = 'afterEachMigrate')")" 1 \
	"beforeEachMigrate and afterEachMigrate run inside the migration's transaction"
t_is "$(q "select count(*) from audit.cb_log a join audit.cb_log b on a.tx = b.tx where a.event = 'beforeMigrate' and b.event = 'V1'")" 0 "beforeMigrate runs in a transaction of its own"
t_like "$T_OUT" 'callback afterMigrate - vacuum \(.*afterMigrate__vacuum.sql\) \[non-transactional\]' "a callback holding VACUUM runs outside a transaction"
t_is "$(q "select string_agg(script, ',' order by installed_rank) from flyway_schema_history")" "V1__one.sql,V2__two.sql" "no callback in the history table"
# A failing migration: afterEachMigrateError and afterMigrateError, not afterMigrate.
mark=$(q "select max(n) from audit.cb_log")
printf 'CREATE TABLE three (id int);\nSELECT no_such_column FROM three;\n' >"$CB/V3__bad.sql"
t_run mc migrate --placeholder who=deployer
t_is "$T_RC" 1 "a failing migration still exits 1"
t_is "$(events "$mark")" "beforeValidate,afterValidate,beforeMigrate,beforeMigrate,beforeMigrate,afterEachMigrateError,afterMigrateError" \
	"its beforeEachMigrate is rolled back with it; afterEachMigrateError (after the rollback) and afterMigrateError run, afterMigrate does not"
t_like "$T_ERR" "V3__bad.sql:2: migration V3 bad failed: SQLSTATE 42703" "the migration's own error is the one reported"
rm "$CB/V3__bad.sql"
# info, validate, repair and baseline have theirs.
mark=$(q "select max(n) from audit.cb_log")
t_ok "info" mc info --placeholder who=x
t_ok "validate" mc validate --placeholder who=x
t_ok "repair" mc repair --placeholder who=x
t_is "$(events "$mark")" "beforeInfo,afterInfo,beforeValidate,afterValidate,beforeRepair,afterRepair" "info, validate and repair run their callbacks"
q "DROP TABLE flyway_schema_history"
mark=$(q "select max(n) from audit.cb_log")
t_ok "baseline" mc baseline --baseline-version 2 --placeholder who=x
t_is "$(events "$mark")" "beforeBaseline,afterBaseline" "and baseline its own"
# A failing callback names its file and line.
printf '\nSELECT broken FROM nowhere;\n' >"$CB/beforeMigrate__z_fails.sql"
t_run mc migrate --placeholder who=x
t_like "$T_RC:$T_ERR" "^1:.*beforeMigrate__z_fails.sql:2: beforeMigrate callback failed: SQLSTATE 42P01" "a failing callback: exit 1, file, line and SQLSTATE"
rm "$CB/beforeMigrate__z_fails.sql"
# Flyway's rule: a callback name once across the locations.
mkdir -p "$T_TMP/cb2"
echo 'SELECT 1;' >"$T_TMP/cb2/afterMigrate__vacuum.sql"
t_run "$ORC" info --url "$PG_URL" --locations "$CB,$T_TMP/cb2"
t_like "$T_RC:$T_ERR" "^2:.*two SQL callbacks are named afterMigrate__vacuum" "the same callback in two locations is an error naming both"
echo 'SELECT 1;' >"$T_TMP/cb2/beforeEachMigrateStatement.sql"
t_run "$ORC" info --url "$PG_URL" --locations "$T_TMP/cb2"
t_like "$T_ERR" "beforeEachMigrateStatement.sql: Flyway's beforeEachMigrateStatement callback is not run by this engine" "a callback this engine does not run is a warning"

# afterVersioned between the versions and the repeatables, afterMigrateApplied only when one ran.
pg_newdb
CV=$T_TMP/cb_versioned
mkdir -p "$CV"
q "CREATE SCHEMA audit; CREATE TABLE audit.cb_log (n serial, event text, tx bigint, note text)"
for ev in afterVersioned beforeRepeatables afterMigrateApplied afterMigrate; do
	echo "INSERT INTO audit.cb_log (event) VALUES ('$ev');" >"$CV/$ev.sql"
done
echo "INSERT INTO audit.cb_log (event) VALUES ('V1');" >"$CV/V1__one.sql"
echo "INSERT INTO audit.cb_log (event) VALUES ('V2');" >"$CV/V2__two.sql"
echo "INSERT INTO audit.cb_log (event) VALUES ('R');" >"$CV/R__rep.sql"
t_ok "migrate versions and a repeatable" "$ORC" migrate --url "$PG_URL" --locations "$CV"
t_is "$(events)" "V1,V2,afterVersioned,beforeRepeatables,R,afterMigrateApplied,afterMigrate" "afterVersioned and beforeRepeatables between the last version and the first repeatable, then afterMigrateApplied"
mark=$(q "select max(n) from audit.cb_log")
t_ok "migrate with nothing pending" "$ORC" migrate --url "$PG_URL" --locations "$CV"
t_is "$(events "$mark")" "afterVersioned,afterMigrate" "nothing applied: afterVersioned still, no afterMigrateApplied (Flyway's DbMigrate)"

# ---- clean: off by default (Flyway's cleanDisabled=true); drops every object, and the
# schemas the engine created
pg_newdb
CL=$T_TMP/clean
mkdir -p "$CL"
cat >"$CL/V1__objects.sql" <<'SQL'
CREATE TYPE mood AS ENUM ('ok', 'sad');
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE TYPE pair AS (a int, b int);
CREATE TYPE floatrange AS RANGE (subtype = float8);
CREATE TABLE parent (id posint PRIMARY KEY, m mood, p pair);
CREATE TABLE child (id int REFERENCES parent);
CREATE TABLE part (id int) PARTITION BY RANGE (id);
CREATE TABLE part_1 PARTITION OF part FOR VALUES FROM (0) TO (10);
CREATE TABLE inherits_parent (id int);
CREATE TABLE inherits_child () INHERITS (inherits_parent);
CREATE SEQUENCE seq1;
CREATE VIEW v AS SELECT * FROM parent;
CREATE MATERIALIZED VIEW mv AS SELECT id FROM parent;
CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'SELECT a';
CREATE PROCEDURE proc() LANGUAGE sql AS 'SELECT 1';
CREATE AGGREGATE mysum(int) (SFUNC = int4pl, STYPE = int);
CREATE COLLATION coll (locale = 'C');
CREATE TEXT SEARCH CONFIGURATION tsc (COPY = english);
CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = int4eq);
SQL
echo "INSERT INTO keep.log VALUES ('beforeClean');" >"$CL/beforeClean.sql"
echo "INSERT INTO keep.log VALUES ('afterClean');" >"$CL/afterClean.sql"
q "CREATE SCHEMA keep; CREATE TABLE keep.log (event text)"
objects() { q "select (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = '$1') + (select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = '$1') + (select count(*) from pg_type t join pg_namespace n on n.oid = t.typnamespace where n.nspname = '$1') + (select count(*) from pg_collation c join pg_namespace n on n.oid = c.collnamespace where n.nspname = '$1') + (select count(*) from pg_operator o join pg_namespace n on n.oid = o.oprnamespace where n.nspname = '$1') + (select count(*) from pg_ts_config c join pg_namespace n on n.oid = c.cfgnamespace where n.nspname = '$1')"; }
t_ok "migrate into schema app (created by the engine)" "$ORC" migrate --url "$PG_URL" --locations "$CL" --schema app
t_ok "and into public (which the engine did not create)" "$ORC" migrate --url "$PG_URL" --locations "$CL" --schema public
before=$(objects public)
t_run "$ORC" clean --url "$PG_URL" --locations "$CL"
t_like "$T_RC:$T_ERR" "^2:.*clean is disabled .*--clean-disabled=false" "clean is refused by default (exit 2), saying how to enable it"
t_run "$ORC" clean --url "$PG_URL" --locations "$CL" --clean-disabled=true
t_is "$T_RC" 2 "--clean-disabled=true refuses too"
t_run env FLYWAY_CLEAN_DISABLED=false "$ORC" clean --url "$PG_URL" --locations "$CL" --clean-disabled=true
t_is "$T_RC" 2 "the command line wins over FLYWAY_CLEAN_DISABLED"
t_is "$(objects public)" "$before" "nothing was dropped"
t_run "$ORC" clean --url "$PG_URL" --locations "$CL" --schema app --clean-disabled=false --output json
t_is "$T_RC" 0 "clean --clean-disabled=false"
t_is "$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["operation"], d["ok"], d["schemasDropped"], d["schemasCleaned"])')" "clean True ['app'] []" "--output json: Flyway's operation, schemasDropped and schemasCleaned"
t_is "$(q "select count(*) from pg_namespace where nspname = 'app'")" 0 "schema app, which the engine created (SCHEMA marker row), is dropped"
t_run env FLYWAY_CLEAN_DISABLED=false "$ORC" clean --url "$PG_URL" --locations "$CL"
t_is "$T_RC:$T_ERR" "0:" "FLYWAY_CLEAN_DISABLED=false enables it"
t_like "$T_OUT" "cleaned schema public" "public is cleaned"
t_is "$(objects public)" 0 "every object of public is gone: tables, partitions, inheritance children, views, sequences, routines, aggregates, types, domains, collations, operators, text search configurations, the history table"
t_is "$(q "select count(*) from pg_namespace where nspname = 'public'")" 1 "public itself stays (the engine did not create it)"
t_is "$(q "select count(*) from keep.log")|$(q "select string_agg(event, ',') from keep.log")" "4|beforeClean,afterClean,beforeClean,afterClean" "beforeClean and afterClean ran; schema keep (not managed) is untouched"
t_ok "migrate starts again from scratch" "$ORC" migrate --url "$PG_URL" --locations "$CL"
t_is "$(q "select count(*) from flyway_schema_history where version = '1'")" 1 "V1 applied again"

# ---- repair writes Flyway's DELETE rows for applied migrations whose file is gone
pg_newdb
R=$T_TMP/rep2
mkdir -p "$R"
echo 'SELECT 1;' >"$R/V1__one.sql"
echo 'SELECT 2;' >"$R/V2__two.sql"
echo 'SELECT 3;' >"$R/V3__three.sql"
"$ORC" migrate --url "$PG_URL" --locations "$R" >/dev/null
rm "$R/V2__two.sql"
t_run "$ORC" validate --url "$PG_URL" --locations "$R"
t_is "$T_RC" 1 "validate fails on a missing file"
t_ok "repair" "$ORC" repair --url "$PG_URL" --locations "$R"
t_like "$T_OUT" '1 missing migration marked deleted' "repair reports the DELETE row"
t_is "$(q "select string_agg(version||':'||type, ',' order by installed_rank) from flyway_schema_history")" "1:SQL,2:SQL,3:SQL,2:DELETE" "the applied row stays, a DELETE row follows (Flyway 9+)"
t_ok "validate passes after repair" "$ORC" validate --url "$PG_URL" --locations "$R"
t_is "$("$ORC" info --json --url "$PG_URL" --locations "$R" | python3 -c 'import json,sys; print(",".join(x["state"] for x in json.load(sys.stdin)["migrations"] if x["version"]=="2"))')" "Deleted,Deleted" "info shows both rows Deleted"

# ---- file names as Flyway's ResourceNameParser reads them
pg_newdb
N=$T_TMP/names
mkdir -p "$N"
mn() { "$ORC" "$1" --url "$PG_URL" --locations "$N" "${@:2}"; }
echo 'CREATE TABLE n1 (id int);' >"$N/V1__one.SQL"
echo 'CREATE TABLE n2 (id int);' >"$N/V2.sql"
echo 'CREATE TABLE n6 (id int);' >"$N/V6_x.sql"
echo 'CREATE TABLE n7 (id int);' >"$N/v7__lower.sql"
echo 'SELECT 1;' >"$N/beforeMigrate.sql"
echo 'SELECT 1;' >"$N/seed_data.sql"
t_run mn migrate
t_is "$T_RC" 0 "migrate with near-miss names succeeds"
t_is "$(q "select string_agg(version||':'||script||':'||description, ',' order by installed_rank) from flyway_schema_history")" "1:V1__one.SQL:one,2:V2.sql:" "V1__one.SQL (suffix in any case) and V2.sql (no description) are migrations"
t_like "$T_ERR" "V6_x.sql: looks like a migration but '6_x' is not a version" "V6_x.sql is a warning, not silence"
t_like "$T_ERR" "v7__lower.sql: looks like a migration but the prefix is 'v'" "v7__lower.sql is a warning"
t_unlike "$T_ERR" "beforeMigrate.sql|seed_data.sql" "a callback name and another .sql file are not warned about"
t_run mn info
t_like "$T_ERR" "V6_x.sql: looks like a migration" "the warning shows on info too"
t_run mn validate --validate-migration-naming
t_is "$T_RC" 2 "--validate-migration-naming makes a bad name an error"
t_like "$T_ERR" "invalid migration name" "naming the file"
rm "$N/V6_x.sql" "$N/v7__lower.sql"
t_run mn validate --validate-migration-naming
t_like "$T_RC:$T_ERR" "^2:.*seed_data.sql: invalid migration name: not a migration or callback name" "under --validate-migration-naming any other .sql file is an error (Flyway's rule)"
rm "$N/seed_data.sql"
t_ok "and passes once the names are right (a callback name is valid)" mn validate --validate-migration-naming

# ---- a location that does not exist: a warning, the others still migrate
echo 'CREATE TABLE n3 (id int);' >"$N/V3__three.sql"
t_run "$ORC" migrate --url "$PG_URL" --locations "$N,$T_TMP/nosuch"
t_is "$T_RC" 0 "a missing location is not an error"
t_like "$T_ERR" "nosuch: migrations location cannot be read \(No such file or directory\), skipped" "but a warning"
t_is "$(q "select count(*) from flyway_schema_history where version = '3'")" 1 "the other location migrated"
t_run "$ORC" migrate --url "$PG_URL" --locations "$N,$T_TMP/nosuch" --fail-on-missing-locations
t_is "$T_RC" 2 "--fail-on-missing-locations makes it an error"

# ---- live output: each migration printed when it starts and when it ends, at once
pg_newdb
L=$T_TMP/live
mkdir -p "$L"
echo 'SELECT 1;' >"$L/V1__quick.sql"
echo 'SELECT pg_advisory_xact_lock(424242);' >"$L/V2__waits_for_the_test.sql"
echo 'SELECT 3;' >"$L/V3__after.sql"
# The test holds the lock V2 waits for, in a session of its own.
psql -X -q -c 'SELECT pg_advisory_lock(424242), pg_sleep(120)' >/dev/null 2>&1 &
holder=$!
t_defer "kill $holder 2>/dev/null"
for _ in $(seq 1 100); do
	[ "$(q "select count(*) from pg_locks where locktype = 'advisory' and objid = 424242 and granted")" = 1 ] && break
	sleep 0.1
done
"$ORC" migrate --url "$PG_URL" --locations "$L" >"$T_TMP/live.out" 2>&1 &
mig=$!
for _ in $(seq 1 300); do grep -q 'migrating V2' "$T_TMP/live.out" && break; sleep 0.1; done
t_like "$(cat "$T_TMP/live.out")" $'applied V1 quick \\([0-9]+ ms\\)' "V1's end is printed while the run goes on"
t_like "$(cat "$T_TMP/live.out")" 'migrating V2 waits for the test' "V2's start is printed while it runs"
t_unlike "$(cat "$T_TMP/live.out")" 'applied V2|V3' "nothing after it yet"
q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_advisory_lock(424242)%' AND pid <> pg_backend_pid()" >/dev/null
wait "$mig"
t_is "$?" 0 "the run completes once the lock is free"
t_is "$(grep -A1 '^applied V2 waits for the test' "$T_TMP/live.out" | tail -n 1)" "migrating V3 after" "then V2 ends and V3 starts"

# ---- a failed statement: DETAIL and HINT, and the failing line with a caret
printf 'SELECT 1;\n\nSELECT\n  no_such_function(1);\n' >"$L/V4__bad_call.sql"
t_run "$ORC" migrate --url "$PG_URL" --locations "$L"
t_is "$T_RC" 1 "a failing migration exits 1"
t_like "$T_ERR" 'V4__bad_call.sql:4: migration V4 bad call failed: SQLSTATE 42883: function no_such_function\(integer\) does not exist HINT: No function matches' "the error names file, line, SQLSTATE, message and PostgreSQL's HINT"
t_like "$T_OUT" $'    4 |   no_such_function\\(1\\);\n      |   \\^' "the failing line is shown with a caret under the error position"

# ---- a Flyway CI setup through FLYWAY_* variables (as in Flyway's documentation)
pg_newdb
E=$T_TMP/envsetup
mkdir -p "$E"
echo 'CREATE TABLE e1 (id int);' >"$E/V1__env.sql"
fwenv() {
	env -u PGDATABASE -u PGHOST -u PGPORT -u PGUSER \
		FLYWAY_URL="jdbc:postgresql://127.0.0.1:$PGPORT/$PGDATABASE?sslmode=disable&ApplicationName=flyway-ci" \
		FLYWAY_USER=postgres FLYWAY_PASSWORD=s3cret-from-ci FLYWAY_LOCATIONS="filesystem:$E" \
		FLYWAY_SCHEMAS=envapp,other FLYWAY_BASELINE_ON_MIGRATE=false FLYWAY_ENVIRONMENT=ci "$@"
}
t_run fwenv "$ORC" migrate
t_is "$T_RC" 0 "migrate runs from FLYWAY_URL (jdbc:), FLYWAY_USER, FLYWAY_PASSWORD, FLYWAY_LOCATIONS, FLYWAY_SCHEMAS"
t_is "$(q "select version from envapp.flyway_schema_history where type = 'SQL'")" 1 "the history is in the first schema of FLYWAY_SCHEMAS"
t_unlike "$T_OUT$T_ERR" 's3cret-from-ci' "the password never reaches output"
t_run fwenv "$ORC" info --schema public
t_like "$T_OUT" 'Schema public' "the command line wins over FLYWAY_* (--schema public)"
t_run env FLYWAY_URL="jdbc:postgresql://127.0.0.1:$PGPORT/$PGDATABASE?loggerLevel=DEBUG" "$ORC" info --locations "$E"
t_like "$T_RC:$T_ERR" "^2:.*the JDBC parameter 'loggerLevel' has no libpq equivalent" "a JDBC parameter libpq does not know is an error naming it"
t_run env FLYWAY_OUT_OF_ORDER=yes "$ORC" info --url "$PG_URL" --locations "$E"
t_like "$T_RC:$T_ERR" '^2:.*FLYWAY_OUT_OF_ORDER / flyway.outOfOrder = yes: expected true or false' "a bad boolean is an error naming the variable"

# ---- --target current and next (Flyway's special targets)
pg_newdb
T=$T_TMP/targets
mkdir -p "$T"
for v in 1 2 3 4; do echo "CREATE TABLE tv$v (id int);" >"$T/V${v}__t$v.sql"; done
mt() { "$ORC" "$1" --url "$PG_URL" --locations "$T" "${@:2}"; }
applied() { q "select coalesce(string_agg(version, ',' order by installed_rank), '') from flyway_schema_history where type = 'SQL'"; }
t_ok "--target next on an empty history" mt migrate --target next
t_is "$(applied)" "1" "applies only the next version"
t_ok "--target next again" mt migrate --target next
t_is "$(applied)" "1,2" "one more"
t_ok "--target current" mt migrate --target current
t_is "$(applied)" "1,2" "applies nothing newer than what is applied"
t_like "$(mt info --json --target current)" '"state":[[:space:]]*"Above Target"' "info shows the rest Above Target"
t_ok "then latest" mt migrate --target latest
t_is "$(applied)" "1,2,3,4" "the rest"

# ---- flyway.conf in the working directory (Java properties, as Flyway's documentation)
pg_newdb
C=$T_TMP/confproj
mkdir -p "$C/db/migration"
echo 'CREATE VIEW who AS SELECT ${owner}::text AS owner;' >"$C/db/migration/V1__who.sql"
cat >"$C/flyway.conf" <<CONF
# Flyway configuration
flyway.url=jdbc:postgresql://127.0.0.1:$PGPORT/$PGDATABASE
flyway.user=postgres
flyway.password=conf-s3cret
flyway.locations=filesystem:db/migration
flyway.schemas=confapp
flyway.placeholders.owner='dave'
flyway.baselineOnMigrate=false
flyway.cleanDisabled=true
! a comment the other way
flyway.installedBy = conf\\
igured
CONF
t_run bash -c "cd '$C' && env -u PGDATABASE FLYWAY_PLACEHOLDERS_IGNORED=x '$ORC' migrate"
t_is "$T_RC" 0 "migrate reads ./flyway.conf"
t_is "$(q "select owner from confapp.who")" dave "url, locations, schemas and placeholders came from it"
t_is "$(q "select installed_by from confapp.flyway_schema_history where version = '1'")" configured "a continued line and spaces around '=' read as Java properties"
t_unlike "$T_OUT$T_ERR" 'conf-s3cret' "the password never reaches output"
t_run bash -c "cd '$C' && FLYWAY_SCHEMAS=public '$ORC' info"
t_like "$T_OUT" 'Schema public' "FLYWAY_* wins over flyway.conf"
t_run bash -c "cd '$C' && FLYWAY_SCHEMAS=public '$ORC' info --schema confapp"
t_like "$T_OUT" 'Schema confapp' "the command line wins over both"
echo 'flyway.outOfOrdr=true' >>"$C/flyway.conf"
t_run bash -c "cd '$C' && '$ORC' info"
t_like "$T_RC:$T_ERR" "^2:.*flyway.conf:13: unknown setting 'flyway.outOfOrdr' \\(did you mean 'flyway.outOfOrder'\\?\\)" "an unknown key is an error naming file and line, with a did-you-mean"
mv "$C/flyway.conf" "$T_TMP/other.conf"
sed -i '$d' "$T_TMP/other.conf"
t_run bash -c "cd '$C' && '$ORC' info --config-files '$T_TMP/other.conf'"
t_like "$T_RC:$T_OUT" '^0:Schema confapp' "--config-files names the file"
t_done

