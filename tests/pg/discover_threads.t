#!/usr/bin/env bash
# A folder of 64 or more migrations is read on several threads (pg/discover.c): the list,
# the checksums, the warnings and the first error must be those of a walk on one thread,
# whatever thread reads which file. And the cost: three system calls a file (open, read,
# close), an fstat only for a file over 64 KiB.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/pg.sh"

pg_newdb
D=$T_TMP/sql
mkdir -p "$D/sub"
m() { timeout 120 "$ORC" "$1" --url "$PG_URL" --locations "$D" "${@:2}"; }
q() { psql -X -q -At -c "$1"; }
# 300 migrations in one folder, each with its own text; every 50th a large one (200 KiB
# of comment, over the 64 KiB first read); near-miss names, a FIFO, a callback, a README
# and a repeatable among them, and a sub-folder in the middle of the names.
python3 - "$D" <<'PY'
import os, sys
d = sys.argv[1]
for i in range(1, 301):
    body = f"CREATE TABLE t{i} (id int);\n"
    if i % 50 == 0:
        body = "-- " + "x" * 200000 + "\n" + body
    open(os.path.join(d, f"V{i}__t{i}.sql"), "w").write(body)
open(os.path.join(d, "R__view.sql"), "w").write("CREATE OR REPLACE VIEW v AS SELECT 1 AS one;\n")
open(os.path.join(d, "V150_x.sql"), "w").write("SELECT 1;\n")
open(os.path.join(d, "v151__lower.sql"), "w").write("SELECT 1;\n")
open(os.path.join(d, "afterMigrate.sql"), "w").write("CREATE TABLE IF NOT EXISTS cb (n int);\n")
open(os.path.join(d, "README.md"), "w").write("notes\n")
open(os.path.join(d, "sub", "V1000__sub.sql"), "w").write("CREATE TABLE sub1 (id int);\n")
PY
mkfifo "$D/V200_5__fifo.sql"

t_run m migrate
t_is "$T_RC" 0 "migrate over 300 files read on several threads"
t_is "$(q "SELECT count(*) FROM flyway_schema_history WHERE success AND version IS NOT NULL")" 301 "every versioned file applied (300 + sub)"
t_is "$(q "SELECT count(*) FROM pg_tables WHERE tablename ~ '^t[0-9]+$'")" 300 "each with its own text (300 tables)"
t_is "$(q "SELECT count(*) FROM pg_tables WHERE tablename = 'cb'")" 1 "the callback read among them ran"
warnings=$(printf '%s\n' "$T_ERR" | grep -E '^warning: ' | sed 's|.*/sql/||')
t_is "$warnings" "V150_x.sql: looks like a migration but '150_x' is not a version (digits separated by '.' or '_', then '__' and the description: V1.2__description.sql); skipped
V200_5__fifo.sql: not a regular file, skipped
v151__lower.sql: looks like a migration but the prefix is 'v' (Flyway's prefixes are upper-case: V151__lower.sql); skipped" \
	"the warnings in name order, as one thread would give them"

# Checksums: Flyway's, the same as the file read whole (the large ones too).
t_run m validate
t_is "$T_RC" 0 "validate passes on the same files"
want=$(python3 - "$D" <<'PY'
import os, sys, zlib
d = sys.argv[1]
def flyway(b):
    if b.startswith(b"\xef\xbb\xbf"):
        b = b[3:]
    crc = 0
    for line in b.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n"):
        crc = zlib.crc32(line, crc)
    return crc - (1 << 32) if crc >= 1 << 31 else crc
print(sum(flyway(open(os.path.join(d, f"V{i}__t{i}.sql"), "rb").read()) for i in (50, 100, 299)))
PY
)
t_is "$(q "SELECT sum(checksum) FROM flyway_schema_history WHERE version IN ('50', '100', '299')")" "$want" \
	"checksums of large and small files match Flyway's"

# One changed file among the 300: validate names it, and only it.
echo "-- changed" >>"$D/V123__t123.sql"
t_run m validate
t_is "$T_RC" 1 "a changed file fails validate"
t_like "$T_ERR" "V123__t123.sql: checksum mismatch" "... naming it"
t_unlike "$T_ERR" "V12[24]__" "... and no other"

# Two oversized files: the error names the first in name order, every time.
truncate -s $((100 * 1024 * 1024 + 1)) "$D/V7000__big.sql" "$D/V2500__big.sql"
for k in 1 2 3; do
	t_run m validate
	t_is "$T_RC" 2 "oversized files: a usage error (run $k)"
	t_like "$T_ERR" "V2500__big.sql: 104857601 bytes" "... naming the first in name order, V2500 before V7000 (run $k)"
done
rm "$D/V7000__big.sql" "$D/V2500__big.sql"

# Cost: validate opens each migration once and fstats only the large ones (6 of them).
if command -v strace >/dev/null; then
	strace -f -qq -o "$T_TMP/trace" -e trace=openat,newfstatat,fstat,statx,read,close,clone,clone3 \
		"$ORC" validate --url "$PG_URL" --locations "$D" >/dev/null 2>&1
	t_is "$(grep -c 'openat(.*"V[0-9]*__t[0-9]*\.sql"' "$T_TMP/trace")" 300 "each migration opened once"
	# the threads started (the scan's, then the folder's readers): scheduling decides
	# which reads which file, so count the starts, not the files each read
	threads=$(grep -cE '(clone3|clone)\(' "$T_TMP/trace")
	if [ "$(nproc)" -ge 2 ]; then
		t_ok "a reader thread beside the scan's ($threads started, $(nproc) CPUs)" test "$threads" -ge 2
	else
		t_is "$threads" 1 "only the scan's thread on a single CPU"
	fi
	# fstat calls on file descriptors, not paths: at most the 6 large files, the FIFO and
	# what the program does besides reading the folder (config files, libraries).
	small=$(grep -cE 'fstat(at)?\([0-9]+, ""' "$T_TMP/trace")
	t_ok "no fstat per small file ($small fstat calls for 300 files)" test "$small" -lt 60

	# info's table: a versioned migration's state never depends on its checksum, so no
	# versioned file is read; the repeatable (Outdated needs its checksum) and the
	# callback are. --output json shows checksums: it reads them all.
	strace -f -qq -o "$T_TMP/trace" -e trace=openat "$ORC" info --url "$PG_URL" --locations "$D" >/dev/null 2>&1
	t_is "$(grep -c 'openat(.*"V[0-9]*__t[0-9]*\.sql"' "$T_TMP/trace")" 0 "info's table reads no versioned file"
	t_is "$(grep -cE 'openat\(.*"(R__view|afterMigrate)\.sql"' "$T_TMP/trace")" 2 "... but the repeatable and the callback"
	strace -f -qq -o "$T_TMP/trace" -e trace=openat "$ORC" info --output json --url "$PG_URL" --locations "$D" >/dev/null 2>&1
	t_is "$(grep -c 'openat(.*"V[0-9]*__t[0-9]*\.sql"' "$T_TMP/trace")" 300 "info --output json reads every one (it shows their checksums)"
else
	t_fail "strace is needed for the cost checks (apt-get install strace)"
fi

# The table's states are the JSON's, row for row, with a changed file (Success in both:
# validate reports the change), a pending one, a missing one and an outdated repeatable.
echo "-- changed again" >>"$D/V124__t124.sql"
echo 'CREATE TABLE t301 (id int);' >"$D/V301__t301.sql"
rm "$D/V77__t77.sql"
echo "CREATE OR REPLACE VIEW v AS SELECT 2 AS two;" >"$D/R__view.sql"
table=$(m info | awk -F' *[|] *' 'NR > 2 {sub(/ +$/, "", $7); print $2 "=" $7}')
json=$(m info --output json | python3 -c '
import json, sys
for x in json.load(sys.stdin)["migrations"]:
    print((x["version"] or "") + "=" + x["state"])')
t_is "$table" "$json" "info's table and its JSON give the same state for every row"
t_like "$table" "^124=Success$" "a changed file is Success in info (validate reports it)"
t_like "$table" "^301=Ignored$" "a new file below the latest applied is Ignored"
t_like "$table" "^77=Missing$" "a removed file is Missing"
t_like "$table" "^=Outdated$" "the changed repeatable is Outdated (its checksum read)"
t_done
