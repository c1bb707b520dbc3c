#!/usr/bin/env bash
# db compare on two real databases: the target is a fresh copy of the source (CREATE
# DATABASE ... TEMPLATE) for each case, changed in one way, compared by a role that may
# only read.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/pg.sh"

pg_newdb
SRCDB=$PGDATABASE
RO=orc_ro_$$_$RANDOM
export PGOPTIONS='-c client_min_messages=warning'
q() { psql -X -q -v ON_ERROR_STOP=1 -d "$1" -c "$2" >/dev/null; }
qv() { psql -X -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }

q postgres "CREATE ROLE $RO LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"
t_defer "psql -X -q -d postgres -c 'DROP ROLE IF EXISTS $RO' >/dev/null 2>&1"
psql -X -q -v ON_ERROR_STOP=1 -d "$SRCDB" >/dev/null <<SQL || exit 1
CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE t1 (
  id int PRIMARY KEY, n numeric, s text COLLATE "C", d text, j jsonb, arr int[], tags text[],
  ts timestamptz, lt timestamp, dt date, iv interval, f float8, b bytea, ok bool, u uuid, m money,
  i2 smallint, i8 bigint, vc varchar(40), tm time, cs text COLLATE ci, bp bpchar
);
-- Row 21 holds the values whose type's own hash collides with another value's (int8 0 and
-- 4294967297, the same instant + 2^32+1 microseconds); row 35 a float 0.
INSERT INTO t1 SELECT g, g * 1.5, 'row ' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE '' END,
  jsonb_build_object('k', g, 'l', jsonb_build_array(g, 'x')), ARRAY[g, NULL, g + 1],
  ARRAY['a,b', NULL, 'q"uote'],
  CASE WHEN g = 21 THEN '2000-01-01 00:00:00+00' ELSE '2020-01-01 00:00:00+00'::timestamptz + g * interval '1 hour 1 microsecond' END,
  CASE WHEN g = 21 THEN '2000-01-01 00:00:00' ELSE '2020-01-01'::timestamp + g * interval '1 day' END,
  '2020-01-01'::date + g, g * interval '1 minute',
  CASE WHEN g = 35 THEN 0 ELSE g / 7.0::float8 END, decode(md5(g::text), 'hex'), g % 2 = 0, md5(g::text)::uuid, g * 0.25,
  g % 300, CASE WHEN g = 21 THEN 0 ELSE g * 3000000000 END, 'v' || g,
  CASE WHEN g = 21 THEN '00:00' ELSE '08:00'::time + g * interval '1 second' END, 'Row ' || g, 'b' || g
FROM generate_series(1, 2000) g;
CREATE TABLE nokey (a int, b text);
INSERT INTO nokey SELECT g % 10, 'v' || (g % 10) FROM generate_series(1, 100) g;
CREATE TABLE empty_t (x int);
CREATE TABLE parted (id int, v text) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (100);
CREATE TABLE parted_2 PARTITION OF parted FOR VALUES FROM (100) TO (1000);
INSERT INTO parted SELECT g, 'p' || g FROM generate_series(1, 300) g;
CREATE SCHEMA other;
CREATE TABLE other.o (id int PRIMARY KEY, v text);
INSERT INTO other.o VALUES (1, 'one'), (2, 'two');
GRANT USAGE ON SCHEMA public, other TO $RO;
GRANT SELECT ON ALL TABLES IN SCHEMA public, other TO $RO;
SQL
for d in "$SRCDB"; do q "$d" "GRANT CONNECT ON DATABASE \"$d\" TO $RO"; done

url() { echo "postgresql://$RO@127.0.0.1:$PGPORT/$1"; }
SRC=$(url "$SRCDB")
N=0
# fresh_target: DST becomes a new copy of the source.
fresh_target() {
	N=$((N + 1))
	DSTDB=${SRCDB}_c$N
	q postgres "DROP DATABASE IF EXISTS \"$DSTDB\" WITH (FORCE)"
	q postgres "CREATE DATABASE \"$DSTDB\" TEMPLATE \"$SRCDB\""
	t_defer "psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS \"$DSTDB\" WITH (FORCE)' >/dev/null 2>&1"
	DST=$(url "$DSTDB")
}
cmp() { t_run "$ORC" db compare --source "$SRC" --target "$DST" --no-progress "$@"; }
line() { printf '%s\n' "$T_OUT" | grep -E "^$1 " || true; }

# --- identical ---------------------------------------------------------------------
fresh_target
t_run qv "$SRCDB" "SELECT rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = '$RO'"
t_is "$T_OUT" "f" "the comparing role is an ordinary role"
t_run qv "$SRCDB" "SELECT has_table_privilege('$RO', 't1', 'INSERT, UPDATE, DELETE, TRUNCATE')"
t_is "$T_OUT" "f" "the comparing role cannot write the tables"
cmp
t_is "$T_RC" 0 "identical databases: exit 0"
t_like "$T_OUT" "db compare: 5 tables, 5 equal, 0 different; 2402 source rows" "identical: the summary counts every table and row"
t_like "$(line public.t1)" "^public.t1 +2000 +2000  ([0-9a-f]{16}) ([0-9a-f]{16})  equal$" "identical: one line per table with rows and checksums"
t_like "$(line public.parted)" " 300 +300 .* equal$" "a partitioned table is compared through its parent"
t_unlike "$T_OUT" "parted_1" "partitions are not compared twice"
t_like "$(line public.empty_t)" " 0 +0  0000000000000000 0000000000000000  equal" "an empty table: 0 rows, checksum 0"
t_like "$(line other.o)" "equal" "every non-system schema by default"

t_run "$ORC" db compare --source "$SRC" --target "$DST" --json
t_is "$T_RC" 0 "--json: exit 0"
JOBS1=$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; print([t["source"]["checksum"] for t in json.load(sys.stdin)["tables"] if t["table"]=="t1"][0])')
t_ok "--json: one JSON object with the tables and a summary" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["equal"] is True, d
t = {x["schema"] + "." + x["table"]: x for x in d["tables"]}
assert t["public.t1"]["source"]["rows"] == 2000 and t["public.t1"]["target"]["rows"] == 2000
assert t["public.t1"]["source"]["checksum"] == t["public.t1"]["target"]["checksum"]
assert t["public.t1"]["differences"] == []
assert d["summary"]["tables"] == 5 and d["summary"]["different"] == 0
' "$T_OUT"

# --- one change each ----------------------------------------------------------------
check_change() { # DESC SQL TABLE EXPECTED-DIFFERENCE
	fresh_target
	psql -X -q -v ON_ERROR_STOP=1 -d "$DSTDB" -c "$2" >/dev/null
	cmp
	t_is "$T_RC" 1 "$1: exit 1"
	t_like "$(line "$3")" "DIFFERENT: .*$4" "$1: $3 named with the difference"
	t_like "$T_OUT" "4 equal, 1 different" "$1: the other tables stay equal"
	t_like "$T_ERR" "db compare: $3: .*$4" "$1: the difference is an error line too"
}
check_change "one text value" "UPDATE t1 SET s = 'row 7!' WHERE id = 7" public.t1 "checksum differs"
check_change "one numeric's scale (1.5 vs 1.50)" "UPDATE t1 SET n = 1.50 WHERE id = 1" public.t1 "checksum differs"
check_change "one jsonb value" "UPDATE t1 SET j = j || '{\"k\": 0}' WHERE id = 9" public.t1 "checksum differs"
check_change "one array element" "UPDATE t1 SET arr[2] = 0 WHERE id = 11" public.t1 "checksum differs"
check_change "NULL vs empty text" "UPDATE t1 SET d = '' WHERE id = 3" public.t1 "checksum differs"
check_change "a NULL array element vs the text NULL" "UPDATE t1 SET tags[2] = 'NULL' WHERE id = 5" public.t1 "checksum differs"
check_change "one timestamp by a microsecond" "UPDATE t1 SET ts = ts + interval '1 microsecond' WHERE id = 13" public.t1 "checksum differs"
check_change "one row missing" "DELETE FROM t1 WHERE id = 1999" public.t1 "row count 2000 on source, 1999 on target"
check_change "a duplicated row (another removed: same count)" \
	"DELETE FROM nokey WHERE ctid = (SELECT min(ctid) FROM nokey WHERE a = 1); INSERT INTO nokey VALUES (2, 'v2')" \
	public.nokey "checksum differs"
check_change "a column type" "ALTER TABLE t1 ALTER COLUMN n TYPE float8" public.t1 "column n is numeric on source, double precision on target"
check_change "a column's collation" "ALTER TABLE t1 ALTER COLUMN s TYPE text COLLATE \"POSIX\"" public.t1 "column s has collation C on source, POSIX on target"
check_change "a column only on the target" "ALTER TABLE nokey ADD COLUMN c int" public.nokey "column c only on target"
# Types hashed by their own hash function (README "db compare"), one change each.
check_change "one smallint" "UPDATE t1 SET i2 = i2 + 1 WHERE id = 17" public.t1 "checksum differs"
check_change "one integer (the key)" "UPDATE t1 SET id = 5000 WHERE id = 18" public.t1 "checksum differs"
check_change "one bigint" "UPDATE t1 SET i8 = i8 + 1 WHERE id = 19" public.t1 "checksum differs"
check_change "bigint 0 vs 4294967297 (int8's hash folds them together)" "UPDATE t1 SET i8 = 4294967297 WHERE id = 21" public.t1 "checksum differs"
check_change "one varchar" "UPDATE t1 SET vc = 'v20 ' WHERE id = 20" public.t1 "checksum differs"
check_change "text under a nondeterministic collation: case only" "UPDATE t1 SET cs = 'ROW 22' WHERE id = 22" public.t1 "checksum differs"
check_change "one bytea bit" "UPDATE t1 SET b = set_byte(b, 15, get_byte(b, 15) # 1) WHERE id = 23" public.t1 "checksum differs"
check_change "one uuid" "UPDATE t1 SET u = md5('x')::uuid WHERE id = 24" public.t1 "checksum differs"
check_change "one date" "UPDATE t1 SET dt = dt + 1 WHERE id = 25" public.t1 "checksum differs"
check_change "one time by a microsecond" "UPDATE t1 SET tm = tm + interval '1 microsecond' WHERE id = 26" public.t1 "checksum differs"
check_change "time 00:00 vs 01:11:34.967297 (2^32+1 microseconds)" "UPDATE t1 SET tm = '01:11:34.967297' WHERE id = 21" public.t1 "checksum differs"
check_change "one timestamp by a microsecond" "UPDATE t1 SET lt = lt + interval '1 microsecond' WHERE id = 27" public.t1 "checksum differs"
check_change "timestamp + 2^32+1 microseconds" "UPDATE t1 SET lt = '2000-01-01 01:11:34.967297' WHERE id = 21" public.t1 "checksum differs"
check_change "timestamptz + 2^32+1 microseconds" "UPDATE t1 SET ts = '2000-01-01 01:11:34.967297+00' WHERE id = 21" public.t1 "checksum differs"
check_change "one boolean" "UPDATE t1 SET ok = NOT ok WHERE id = 28" public.t1 "checksum differs"
check_change "a boolean false vs NULL" "UPDATE t1 SET ok = NULL WHERE id = 29" public.t1 "checksum differs"
check_change "an integer vs NULL" "UPDATE t1 SET i2 = NULL WHERE id = 300" public.t1 "checksum differs"
check_change "two rows swapping their values of one column" \
	"UPDATE t1 SET s = CASE id WHEN 30 THEN 'row 31' ELSE 'row 30' END WHERE id IN (30, 31)" public.t1 "checksum differs"
check_change "two rows swapping their integers" \
	"UPDATE t1 SET i2 = CASE id WHEN 32 THEN 33 ELSE 32 END WHERE id IN (32, 33)" public.t1 "checksum differs"
# Types compared by their text form: their own hash would miss these.
check_change "a numeric's sign (1.5 vs -1.5)" "UPDATE t1 SET n = -n WHERE id = 1" public.t1 "checksum differs"
check_change "a float's 0 vs -0" "UPDATE t1 SET f = '-0' WHERE id = 35" public.t1 "checksum differs"
check_change "an array's shape ({a,b,c} vs {{a},{b},{c}})" "UPDATE t1 SET arr = '{{36},{NULL},{37}}' WHERE id = 36" public.t1 "checksum differs"
check_change "an array's lower bound" "UPDATE t1 SET arr = '[0:2]={38,NULL,39}' WHERE id = 38" public.t1 "checksum differs"
check_change "a jsonb number's scale (1 vs 1.0)" "UPDATE t1 SET j = jsonb_set(j, '{k}', '39.0') WHERE id = 39" public.t1 "checksum differs"
check_change "an interval ('1 day' vs '24 hours')" "UPDATE t1 SET iv = interval '1 day' WHERE id = 1440" public.t1 "checksum differs"
check_change "a blank-padded char's trailing blank" "UPDATE t1 SET bp = 'b40 ' WHERE id = 40" public.t1 "checksum differs"
check_change "a row moved between partitions' rows" "UPDATE parted SET v = 'moved' WHERE id = 150" public.parted "checksum differs"

fresh_target
q "$DSTDB" "DROP TABLE other.o"
cmp
t_is "$T_RC" 1 "a table missing on the target: exit 1"
t_like "$(line other.o)" " 2 +-  [0-9a-f]{16} -  +DIFFERENT: table only on source" "the missing table is named, with its source rows"
q "$DSTDB" "CREATE TABLE public.extra (i int); INSERT INTO public.extra VALUES (1); GRANT SELECT ON public.extra TO $RO"
cmp
t_like "$(line public.extra)" "DIFFERENT: table only on target" "a table only on the target is a difference"

# Same rows, other physical order and a different column order: still equal.
fresh_target
psql -X -q -v ON_ERROR_STOP=1 -d "$DSTDB" >/dev/null <<SQL
CREATE TABLE nk2 (b text, a int);
INSERT INTO nk2 SELECT b, a FROM nokey ORDER BY random();
DROP TABLE nokey;
ALTER TABLE nk2 RENAME TO nokey;
GRANT SELECT ON nokey TO $RO;
SQL
cmp
t_is "$T_RC" 0 "rows in another order, columns in another order: equal"

# --- filters --------------------------------------------------------------------------
fresh_target
q "$DSTDB" "UPDATE other.o SET v = 'TWO' WHERE id = 2"
cmp --schema public
t_is "$T_RC" 0 "--schema public leaves out the changed schema"
t_like "$T_OUT" "4 tables, 4 equal" "--schema: only that schema's tables"
cmp --table other.o
t_is "$T_RC" 1 "--table SCHEMA.NAME compares that table"
t_like "$T_OUT" "1 table, 0 equal, 1 different" "--table: only that table"
cmp --table public.o
t_is "$T_RC" 2 "--table SCHEMA.NAME in the wrong schema: exit 2"
cmp --table nosuch
t_is "$T_RC" 2 "--table naming no table: exit 2"
t_like "$T_ERR" "--table nosuch: no such table" "--table: the error names the table"

# --- sampling ---------------------------------------------------------------------------
# The sample: rows whose primary key's hash falls under the rate (README "db compare").
IN=$(qv "$SRCDB" "SELECT id FROM t1 WHERE abs(hashtextextended((ROW(id)::text) COLLATE \"C\", 1) % 1000000) < 100000 ORDER BY id LIMIT 1")
OUT=$(qv "$SRCDB" "SELECT id FROM t1 WHERE abs(hashtextextended((ROW(id)::text) COLLATE \"C\", 1) % 1000000) >= 100000 ORDER BY id LIMIT 1")
NS=$(qv "$SRCDB" "SELECT count(*) FROM t1 WHERE abs(hashtextextended((ROW(id)::text) COLLATE \"C\", 1) % 1000000) < 100000")
fresh_target
q "$DSTDB" "UPDATE t1 SET s = 'changed' WHERE id = $IN"
cmp --sample 10
t_is "$T_RC" 1 "--sample 10: a change in a sampled row is found"
t_like "$(line public.t1)" "checksum of the sampled rows differs .* \(sampled 10%: $NS rows\)" "--sample: the line says the table was sampled, the rate and the rows"
t_like "$T_OUT" "checksums of a 10% sample by primary-key hash: other.o, public.t1" "--sample: the summary names the sampled tables and the rate"
t_like "$T_OUT" "no primary key, checksummed in full: .*public.nokey" "--sample: tables without a primary key are named, checksummed in full"
fresh_target
q "$DSTDB" "UPDATE t1 SET s = 'changed' WHERE id = $OUT"
cmp --sample 10
t_is "$T_RC" 0 "--sample 10: a change outside the sample is not seen (same rows on both sides)"
q "$DSTDB" "DELETE FROM t1 WHERE id = $OUT"
cmp --sample 10
t_is "$T_RC" 1 "--sample: row counts stay exact (a missing unsampled row is found)"
q "$DSTDB" "DELETE FROM nokey WHERE ctid = (SELECT min(ctid) FROM nokey WHERE a = 1); INSERT INTO nokey VALUES (2, 'v2')"

# --- jobs and block ranges ---------------------------------------------------------------
fresh_target
t_run env ORC_COMPARE_SPLIT_PAGES=1 "$ORC" db compare --source "$SRC" --target "$DST" --jobs 3 --json
t_is "$T_RC" 0 "--jobs 3 with tables split into block ranges: equal"
JOBS3=$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; print([t["source"]["checksum"] for t in json.load(sys.stdin)["tables"] if t["table"]=="t1"][0])')
t_is "$JOBS3" "$JOBS1" "the partial sums of the block ranges add up to the whole table's checksum"
q "$DSTDB" "UPDATE t1 SET ok = NOT ok WHERE ctid = (SELECT max(ctid) FROM t1)"
t_run env ORC_COMPARE_SPLIT_PAGES=1 "$ORC" db compare --source "$SRC" --target "$DST" --jobs 3 --no-progress
t_is "$T_RC" 1 "--jobs 3, split: a change in the last block range is found"

t_run env ORC_PROGRESS_SECONDS=0.001 "$ORC" db compare --source "$SRC" --target "$DST" --jobs 2
t_like "$T_ERR" "db compare: 5/5 tables, 2402 rows, [0-9]+ rows/s" "progress lines on stderr outside a terminal (tables done / total, rows/s)"
t_run env ORC_PROGRESS_SECONDS=0.001 "$ORC" db compare --source "$SRC" --target "$DST" --jobs 2 --quiet
t_unlike "$T_ERR" "rows/s" "--quiet: no progress"
t_like "$T_OUT" "5 tables" "--quiet: the result is still printed"

# --- one snapshot while writes continue ---------------------------------------------------
# A session holds t1 locked (and changes it); the compare exports its snapshot, then waits
# on the lock; meanwhile other tables change and commit. The compare must see the moment
# its snapshot was taken on every connection: equal to the untouched copy.
fresh_target
mkfifo "$T_TMP/locker"
psql -X -q -d "$SRCDB" <"$T_TMP/locker" >/dev/null 2>&1 &
LOCKER=$!
exec 7>"$T_TMP/locker"
echo "BEGIN; LOCK TABLE t1 IN ACCESS EXCLUSIVE MODE; UPDATE t1 SET s = 'during' WHERE id < 100;" >&7
for _ in $(seq 300); do
	[ "$(qv postgres "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 't1' AND l.mode = 'AccessExclusiveLock' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = '$SRCDB')")" = 1 ] && break
	sleep 0.1
done
"$ORC" db compare --source "$SRC" --target "$DST" --jobs 2 --no-progress >"$T_TMP/snap.out" 2>"$T_TMP/snap.err" &
CMP=$!
waiting=0
for _ in $(seq 300); do
	[ "$(qv postgres "SELECT count(*) FROM pg_stat_activity WHERE datname = '$SRCDB' AND application_name = 'orchestrator' AND wait_event_type = 'Lock'")" -ge 1 ] && { waiting=1; break; }
	sleep 0.1
done
t_is "$waiting" 1 "the compare started and waits on the locked table"
q "$SRCDB" "INSERT INTO nokey VALUES (42, 'late'); UPDATE other.o SET v = 'later'; DELETE FROM parted WHERE id < 50"
echo "COMMIT;" >&7
exec 7>&-
wait "$LOCKER"
rc=0
wait "$CMP" || rc=$?
t_is "$rc" 0 "writes committed during the run are not seen: source equals the untouched copy"
t_like "$(cat "$T_TMP/snap.out")" "5 tables, 5 equal" "every table, on every job, from the one exported snapshot"
cmp
t_is "$T_RC" 1 "a new run sees the writes"
# Put the source back for the cases below.
q "$SRCDB" "DELETE FROM nokey WHERE a = 42; UPDATE other.o SET v = CASE id WHEN 1 THEN 'one' ELSE 'two' END; INSERT INTO parted SELECT g, 'p' || g FROM generate_series(1, 49) g; UPDATE t1 SET s = 'row ' || id WHERE id < 100"

# --- refusals and usage ------------------------------------------------------------------
fresh_target
q "$DSTDB" "REVOKE SELECT ON other.o FROM $RO"
cmp
t_is "$T_RC" 3 "a table the role may not read: exit 3"
t_like "$T_ERR" "--target: other.o: SQLSTATE 42501.*needs SELECT" "the refusal names the side and the table"
t_run "$ORC" db compare --source "postgresql://$RO:s3cr3t-pw@127.0.0.1:1/x" --target "$DST"
t_is "$T_RC" 3 "an unreachable source: exit 3"
t_like "$T_ERR" "^error: --source: cannot connect to PostgreSQL" "the error names --source"
t_unlike "$T_OUT$T_ERR" "s3cr3t-pw" "the password never reaches the output"
t_run "$ORC" db compare --source "$SRC"
t_is "$T_RC" 2 "no target: exit 2"
t_like "$T_ERR" "the target database is missing" "no target: says which side"
for bad in 0 100 abc -5; do
	t_run "$ORC" db compare --source "$SRC" --target "$DST" --sample "$bad"
	t_is "$T_RC" 2 "--sample $bad: exit 2"
done
t_run "$ORC" db compare --source "$SRC" --target "$DST" --jobs 0
t_is "$T_RC" 2 "--jobs 0: exit 2"
t_run "$ORC" db compare --source "$SRC" --source-secret x --target "$DST"
t_is "$T_RC" 2 "--source with --source-secret: exit 2"
t_ok "db compare --help" "$ORC" db compare --help
t_like "$T_OUT" "--sample PCT" "the help lists the options"

# Every run ended its sessions.
t_run qv "$SRCDB" "SELECT count(*) FROM pg_stat_activity WHERE usename = '$RO'"
t_is "$T_OUT" "0" "no connection left behind"
t_done
