#!/usr/bin/env bash
# A migrations folder is written by anyone with push access: links out of it, links in
# circles, FIFOs and devices, oversized files and names that would print a GitHub
# Actions workflow command. And the scan's cost: each file opened once, no stat by name.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/pg.sh"

pg_newdb
D=$T_TMP/sql
OUT=$T_TMP/outside
mkdir -p "$D/sub" "$OUT/dir"
m() { timeout 60 "$ORC" "$1" --url "$PG_URL" --locations "$D" "${@:2}"; }
q() { psql -X -q -At -c "$1"; }
versions() { m info --json | python3 -c 'import json,sys; print(",".join(x["version"] or x["description"] for x in json.load(sys.stdin)["migrations"]))'; }

echo 'CREATE TABLE a (id int);' >"$D/V1__a.sql"
echo 'CREATE TABLE b (id int);' >"$D/sub/V2__b.sql"

# Two links to "." (and one to the parent of sub): each folder is scanned once. Without
# the seen-set this is 2^depth scans, and every file twice (a duplicate version).
ln -s . "$D/loop1"
ln -s . "$D/loop2"
ln -s .. "$D/sub/up"
t_run m info
t_is "$T_RC" 0 "info on a folder with links to . and .. succeeds (no duplicate, no endless scan)"
t_is "$(versions)" "1,2" "each migration listed once"

# A link to a file outside the location: skipped with a warning, never executed.
echo 'CREATE TABLE evil (id int);' >"$OUT/V3__evil.sql"
ln -s "$OUT/V3__evil.sql" "$D/V3__evil.sql"
# A link to a folder outside: skipped too.
echo 'CREATE TABLE evil2 (id int);' >"$OUT/dir/V4__evil2.sql"
ln -s "$OUT/dir" "$D/shared"
# A migration that is a link to /dev/zero: would be read until memory runs out.
ln -s /dev/zero "$D/V5__zero.sql"
# A FIFO with a migration's name: opening it would block forever.
mkfifo "$D/V6__fifo.sql"
t_run m migrate
t_is "$T_RC" 0 "migrate applies what is inside the location"
t_like "$T_ERR" "V3__evil.sql: symbolic link to $OUT/V3__evil.sql, outside the location, skipped" "warns about the link to a file outside"
t_like "$T_ERR" "shared: symbolic link to $OUT/dir, outside the location, skipped" "warns about the link to a folder outside"
t_like "$T_ERR" "V5__zero.sql: symbolic link to /dev/zero, outside the location, skipped" "warns about the link to /dev/zero"
t_like "$T_ERR" "V6__fifo.sql: not a regular file, skipped" "warns about the FIFO"
t_is "$(q "select to_regclass('evil') is null and to_regclass('evil2') is null")" t "nothing from outside ran"
t_is "$(q "select string_agg(version, ',' order by installed_rank) from flyway_schema_history")" "1,2" "history: 1 and 2 only"
rm "$D/V3__evil.sql" "$D/shared" "$D/V5__zero.sql" "$D/V6__fifo.sql"

# A link to a file inside the location is followed (a shared script kept in one place).
mkdir -p "$D/common"
echo 'CREATE TABLE c (id int);' >"$D/common/create_c.txt"
ln -s ../common/create_c.txt "$D/sub/V7__c.sql"
t_ok "a link to a file inside the location is followed" m migrate
t_is "$(q "select script from flyway_schema_history where version = '7'")" "sub/V7__c.sql" "recorded under the link's name"

# A folder reached directly and through a link: its files keep their real path.
ln -s sub "$D/a_link_to_sub"
t_run m validate
t_is "$T_RC" 0 "a link to a folder inside the location: no duplicate version"
t_is "$(q "select script from flyway_schema_history where version = '2'")" "sub/V2__b.sql" "the real path is kept"
rm "$D/a_link_to_sub"

# A file above the size bound: an error naming it, nothing run.
truncate -s $((100 * 1024 * 1024 + 1)) "$D/V8__big.sql"
t_run m migrate
t_is "$T_RC" 2 "an oversized migration is a usage error"
t_like "$T_ERR" "V8__big.sql: 104857601 bytes, more than the 100 MiB a migration may hold" "naming the file and the bound"
rm "$D/V8__big.sql"

# A name holding a newline: printed, it would start a workflow command in Actions.
touch "$D/V9__x"$'\n'"::warning::pwned.sql"
t_run env GITHUB_ACTIONS=true "$ORC" info --url "$PG_URL" --locations "$D"
t_is "$T_RC" 0 "info with a newline in a file name succeeds"
# In Actions a warning is itself a `::warning::` line (on stdout): the name inside it
# must not open a second one.
t_is "$(cat "$T_TMP/out" "$T_TMP/err" | grep -c '^::warning::pwned')" 0 "no line starts a workflow command"
t_like "$T_OUT$T_ERR" 'V9__x\\n::warning::pwned.sql: a control character in the name, skipped' "the name is shown escaped"
rm "$D/V9__x"$'\n'"::warning::pwned.sql"

# Cost: every migration file opened once by migrate (the text kept from the scan), and
# no stat by name of the entries (d_type says what they are).
echo 'CREATE TABLE d (id int);' >"$D/V10__d.sql"
if command -v strace >/dev/null; then
	strace -f -qq -o "$T_TMP/trace" -e trace=open,openat,stat,lstat,newfstatat,statx "$ORC" migrate --url "$PG_URL" --locations "$D" >/dev/null 2>&1
	t_is "$(grep -c 'V10__d.sql' "$T_TMP/trace" | tr -d ' ')" 1 "migrate opens a pending file once"
	t_is "$(grep -E 'stat(x|at)?\(' "$T_TMP/trace" | grep -c 'V1__a.sql' | tr -d ' ')" 0 "and stats no entry by name"
else
	t_fail "strace is needed for the cost checks (apt-get install strace)"
fi
t_is "$(q "select count(*) from flyway_schema_history where version = '10'")" 1 "V10 applied"
t_done
