#!/bin/sh
# bench/tenants.sh: tenant mode against its baseline, side by side on one throwaway server.
#   BENCH_TENANTS (1,000) tenant schemas x BENCH_TENANT_MIGRATIONS (20) migrations, each a
#   CREATE TABLE in the tenant's schema (migrator's published shape): `orchestrator migrate
#   --tenants-query ... --jobs J` for J in 1, 2, 4, each on a fresh database; the baseline
#   is the single-schema `orchestrator migrate --schema t_N` run once per tenant, one
#   process after another (what a shell loop over tenants does). Reports wall time,
#   per-tenant cost, peak RSS of the process (goal under 50 MB) and the ratio to the
#   baseline. Reports; never fails on time.
set -eu
cd "$(dirname "$0")/.."
ORC=${ORC_BIN:-$(pwd)/bin/orchestrator}
T=${BENCH_TENANTS:-1000}
M=${BENCH_TENANT_MIGRATIONS:-20}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/orc-bench.XXXXXX")
chmod 755 "$tmp"
trap 'scripts/local-pg stop "$tmp/pg" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
scripts/local-pg start "$tmp/pg" >/dev/null
eval "$(scripts/local-pg env "$tmp/pg")"
mkdir -p "$tmp/sql"
i=1
while [ "$i" -le "$M" ]; do
	echo "CREATE TABLE item_$i (id bigint PRIMARY KEY, tenant text NOT NULL DEFAULT '\${tenant}', created timestamptz DEFAULT now());" \
		>"$tmp/sql/V${i}__item_$i.sql"
	i=$((i + 1))
done
url() { echo "postgresql://postgres@127.0.0.1:$PGPORT/$1"; }
Q="select 't_' || i from generate_series(1, $T) i"

# measure NAME CMD...: wall seconds, peak RSS (KiB) of the largest child, exit code.
measure() {
	name=$1
	shift
	python3 - "$@" <<'PY' >"$tmp/$name.res"
import resource, subprocess, sys, time
t = time.monotonic()
rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(f"{time.monotonic() - t:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss} {rc}")
PY
	cat "$tmp/$name.res"
}
fresh() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null; }
check() { # DB: every tenant fully migrated?
	psql -X -At -d "$1" -c "select count(*) from pg_tables where tablename = 'item_$M'"
}

# Baseline: one single-schema migrate per tenant, one after another.
fresh b_loop
cat >"$tmp/loop.sh" <<SH
i=1
while [ "\$i" -le "$T" ]; do
	FLYWAY_PLACEHOLDERS_TENANT=t_\$i "$ORC" migrate --url "$(url b_loop)" --schema "t_\$i" --locations "$tmp/sql" || exit 1
	i=\$((i + 1))
done
SH
set -- $(measure loop sh "$tmp/loop.sh")
base_wall=$1 base_rss=$2
echo "baseline: $T x single-schema migrate ($M migrations each): ${base_wall}s, $(check b_loop) tenants complete, peak RSS $((base_rss / 1024)) MB (exit $3)"

for j in 1 2 4; do
	fresh "b_j$j"
	set -- $(measure "j$j" "$ORC" migrate --url "$(url "b_j$j")" --tenant-locations "$tmp/sql" --tenants-query "$Q" --jobs "$j")
	python3 -c "
wall, rss, base = $1, $2, $base_wall
print(f'--jobs $j: {wall:.2f}s wall, {wall / $T * 1000:.1f} ms per tenant, peak RSS {rss / 1024:.1f} MB, '
      f'{$(check "b_j$j")} tenants complete (exit $3); ratio to the baseline {wall / base:.3f}x ({base / wall:.1f}x faster)')"
	psql -X -q -d postgres -c "DROP DATABASE b_j$j" >/dev/null
done
