#!/bin/sh
# bench/compare.sh: db compare of two copies of one table of ROWS rows (default 3,000,000;
# BENCH_ROWS=10000000 for the issue's 10 million where the machine has the room), against
# the baseline `pg_dump --data-only -t big | sha256sum` of the same table (the stock way to
# fingerprint a table's data, one side only), run side by side in alternating order:
#   - wall time, median of RUNS runs, as a ratio to the baseline (goal <= 0.5x), for
#     --jobs 1 and --jobs 2 (with --jobs 2 each side reads the table in two TID ranges)
#   - peak RSS of db compare (constant: no row leaves the server)
#   - the machine's load average before and after (the ratio is only as good as the quiet)
# ORC_BASE_BIN=path/to/an/older/orchestrator adds its --jobs 1 run to each round, in the same
# alternation (a change's before and after, measured side by side).
# A dedicated throwaway server is started and stopped here. Reports; never fails on time.
set -eu
cd "$(dirname "$0")/.."
ORC=${ORC_BIN:-bin/orchestrator}
ROWS=${BENCH_ROWS:-3000000}
RUNS=${BENCH_RUNS:-3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-compare.XXXXXX")
chmod 755 "$tmp"
trap 'scripts/local-pg stop "$tmp/pg" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
scripts/local-pg start "$tmp/pg"
port=$(cat "$tmp/pg/port")
base="postgresql://postgres@127.0.0.1:$port"
psql -qX -v ON_ERROR_STOP=1 -d "$base/postgres" -c "CREATE DATABASE a"

echo "building table big: $ROWS rows (bigint key, numeric, text, timestamptz, jsonb, int[])..."
psql -qX -v ON_ERROR_STOP=1 -d "$base/a" -v n="$ROWS" <<'SQL'
CREATE TABLE big (id bigint PRIMARY KEY, amount numeric(12,2), name text, at timestamptz,
                  doc jsonb, tags int[]);
INSERT INTO big SELECT g, (g % 100000) / 7.0, 'customer ' || g || ' ' || md5(g::text),
       '2020-01-01'::timestamptz + g * interval '1 second', jsonb_build_object('n', g, 'k', g % 13),
       ARRAY[g % 7, g % 11]
  FROM generate_series(1, :n) g;
VACUUM ANALYZE big;
SQL
psql -qX -v ON_ERROR_STOP=1 -d "$base/postgres" -c "CREATE DATABASE b TEMPLATE a"
size=$(psql -qXAt -d "$base/a" -c "SELECT pg_size_pretty(pg_total_relation_size('big'))")
echo "table big: $size per copy"

load() { cut -d' ' -f1-3 /proc/loadavg; }
load0=$(load)
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }
: >"$tmp/dump.t"; : >"$tmp/j1.t"; : >"$tmp/j2.t"; : >"$tmp/rss"; : >"$tmp/base.t"
i=0
while [ "$i" -lt "$RUNS" ]; do
	i=$((i + 1))
	t0=$(now)
	pg_dump --data-only -t big "$base/a" | sha256sum >/dev/null
	t1=$(now)
	/usr/bin/time -f %M -o "$tmp/rss1" "$ORC" db compare --source "$base/a" --target "$base/b" --table big --jobs 1 --no-progress >/dev/null
	t2=$(now)
	"$ORC" db compare --source "$base/a" --target "$base/b" --table big --jobs 2 --no-progress >/dev/null
	t3=$(now)
	echo "$t1 - $t0" | bc >>"$tmp/dump.t"
	echo "$t2 - $t1" | bc >>"$tmp/j1.t"
	echo "$t3 - $t2" | bc >>"$tmp/j2.t"
	cat "$tmp/rss1" >>"$tmp/rss"
	if [ -n "${ORC_BASE_BIN:-}" ]; then
		t4=$(now)
		"$ORC_BASE_BIN" db compare --source "$base/a" --target "$base/b" --table big --jobs 1 --no-progress >/dev/null
		echo "$(now) - $t4" | bc >>"$tmp/base.t"
	fi
done
d=$(median <"$tmp/dump.t"); j1=$(median <"$tmp/j1.t"); j2=$(median <"$tmp/j2.t")
rss=$(sort -n "$tmp/rss" | tail -1)
echo "rows: $ROWS per side; runs: $RUNS (medians); $(nproc) cores, load average $load0 before, $(load) after"
printf 'pg_dump --data-only -t big | sha256sum (one side): %.2f s\n' "$d"
printf 'db compare --jobs 1 (both sides):                   %.2f s  ratio %.2fx (goal <= 0.5x)\n' "$j1" "$(echo "$j1 / $d" | bc -l)"
printf 'db compare --jobs 2 (both sides):                   %.2f s  ratio %.2fx\n' "$j2" "$(echo "$j2 / $d" | bc -l)"
echo "db compare peak RSS: $((rss / 1024)) MB"
if [ -n "${ORC_BASE_BIN:-}" ]; then
	b=$(median <"$tmp/base.t")
	printf '%s --jobs 1:  %.2f s  ratio %.2fx\n' "$ORC_BASE_BIN" "$b" "$(echo "$b / $d" | bc -l)"
fi
