#!/bin/sh
# bench/lint.sh: orchestrator lint over FILES (default 1,000) migration files, against
# parsing alone: `orchestrator validate --syntax` on the same files, run side by side
# (the same discovery, reads and placeholder pass, and the same libpg_query parse into
# cJSON; lint adds its rules and schema model). Each file: a CREATE TABLE, an ALTER TABLE
# with several commands, two indexes, a rename, a SET, a comment: 7 statements,
# most of them on tables of earlier files so that the rules have work to do. Reports the
# median wall time of RUNS alternating runs and the ratio (goal: lint well under a second
# for 1,000 files, a small multiple of parsing). Needs no database. Never fails on time.
set -eu
cd "$(dirname "$0")/.."
ORC=${ORC_BIN:-bin/orchestrator}
FILES=${BENCH_FILES:-1000}
RUNS=${BENCH_RUNS:-7}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-lint.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/sql"
i=1
while [ "$i" -le "$FILES" ]; do
	p=$((i > 1 ? i - 1 : 1))
	cat >"$tmp/sql/V${i}__step_$i.sql" <<SQL
-- migration $i: a new table, changes to the one before
SET lock_timeout = '5s';
CREATE TABLE t$i (id bigint PRIMARY KEY, parent_id bigint REFERENCES t$p (id),
    name varchar(100) NOT NULL, amount numeric(12,2) DEFAULT 0, note text);
ALTER TABLE t$p ADD COLUMN extra_$i int, ALTER COLUMN name TYPE varchar(200),
    ADD CONSTRAINT t${p}_amount_$i CHECK (amount >= 0) NOT VALID;
CREATE INDEX t${i}_parent ON t$i (parent_id);
CREATE INDEX t${p}_name_$i ON t$p (name);
ALTER TABLE t$p RENAME COLUMN note TO note_$i;
COMMENT ON TABLE t$i IS 'step $i';
SQL
	i=$((i + 1))
done
ms() { # ms CMD...: "wall_ms cpu_ms" of one run (output discarded, exit status ignored);
	# CPU (user + system, from GNU time) is the figure to trust on a shared machine.
	s=$(date +%s%N)
	/usr/bin/time -f "%U %S" -o "$tmp/cpu" "$@" >/dev/null 2>&1 || true
	e=$(date +%s%N)
	echo "$(((e - s) / 1000000)) $(tail -1 "$tmp/cpu" | awk '{printf "%d", ($1 + $2) * 1000}')"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
col() { awk -v c="$1" '{print $c}'; }
: >"$tmp/lint.t"
: >"$tmp/parse.t"
r=0
while [ "$r" -lt "$RUNS" ]; do
	ms "$ORC" validate --syntax --locations "$tmp/sql" >>"$tmp/parse.t"
	ms "$ORC" lint --locations "$tmp/sql" >>"$tmp/lint.t"
	r=$((r + 1))
done
findings=$("$ORC" lint --locations "$tmp/sql" 2>/dev/null | tail -1 || true)
lint=$(col 1 <"$tmp/lint.t" | median)
parse=$(col 1 <"$tmp/parse.t" | median)
lint_cpu=$(col 2 <"$tmp/lint.t" | median)
parse_cpu=$(col 2 <"$tmp/parse.t" | median)
echo "lint of $FILES files ($((FILES * 7)) statements): ${lint} ms wall, ${lint_cpu} ms CPU, medians of $RUNS ($findings)"
echo "parsing alone (validate --syntax, same files): ${parse} ms wall, ${parse_cpu} ms CPU"
awk -v a="$lint" -v b="$parse" -v c="$lint_cpu" -v d="$parse_cpu" 'BEGIN {
	printf "ratio lint / parsing alone: %.2fx wall, %.2fx CPU\n", (b > 0 ? a / b : 0), (d > 0 ? c / d : 0) }'
