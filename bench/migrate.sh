#!/bin/sh
# bench/migrate.sh: the migration engine against its floor and a peer, side by side.
#   1,000 migrations of one CREATE TABLE each, each on a fresh database of one throwaway
#   server: `orchestrator migrate`; one psql session running the same files, each wrapped
#   in BEGIN/COMMIT (the floor for one transaction per migration, without history rows);
#   `sqitch deploy` of the same changes (skipped with a note when sqitch is absent: it is
#   a bench-only package, installed here as root; BENCH_SQITCH=0 skips it). Then `info` on 1,000
#   applied migrations and the peak RSS of migrate and info. Reports; never fails on time.
#   Wall times are the best of BENCH_ROUNDS (3) alternating rounds; the server's CPU for
#   each run is reported too, because wall time on a shared machine is mostly noise.
#   BENCH_N=200 sh bench/migrate.sh for a quicker run.
set -eu
cd "$(dirname "$0")/.."
ORC=${ORC_BIN:-$(pwd)/bin/orchestrator}
N=${BENCH_N:-1000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/orc-bench.XXXXXX")
chmod 755 "$tmp"
trap 'scripts/local-pg stop "$tmp/pg" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
scripts/local-pg start "$tmp/pg"
eval "$(scripts/local-pg env "$tmp/pg")"

mkdir -p "$tmp/sql" "$tmp/sqitch/deploy" "$tmp/sqitch/revert" "$tmp/sqitch/verify"
printf '%%syntax-version=1.0.0\n%%project=bench\n\n' >"$tmp/sqitch/sqitch.plan"
printf '[core]\n\tengine = pg\n' >"$tmp/sqitch/sqitch.conf"
: >"$tmp/psql.sql"
i=1
while [ "$i" -le "$N" ]; do
	sql="CREATE TABLE bench_$i (id bigint PRIMARY KEY, name text NOT NULL, created timestamptz DEFAULT now());"
	echo "$sql" >"$tmp/sql/V${i}__create_bench_$i.sql"
	printf 'BEGIN;\n%s\nCOMMIT;\n' "$sql" >>"$tmp/psql.sql"
	echo "$sql" >"$tmp/sqitch/deploy/c$i.sql"
	echo "DROP TABLE bench_$i;" >"$tmp/sqitch/revert/c$i.sql"
	echo "c$i 2026-01-01T00:00:00Z Bench <bench@example.com> # table $i" >>"$tmp/sqitch/sqitch.plan"
	i=$((i + 1))
done

# run NAME DB CMD...: wall seconds and peak RSS (KiB) of CMD, via getrusage of the child.
run() {
	name=$1 db=$2
	shift 2
	psql -X -q -d postgres -c "CREATE DATABASE $db" >/dev/null
	python3 - "$@" <<'PY' >"$tmp/$name.res"
import resource, subprocess, sys, time
t = time.monotonic()
rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.monotonic() - t
print(f"{wall:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss} {rc}")
PY
	cat "$tmp/$name.res"
}
url() { echo "postgresql://postgres@127.0.0.1:$PGPORT/$1"; }
# CPU of the server's exited backends (the postmaster's reaped children), in ticks: a
# steadier measure than wall time when the machine is shared.
pm=$(head -n 1 "$tmp/pg/data/postmaster.pid")
server_cpu() { sleep 0.2; awk '{print $16 + $17}' "/proc/$pm/stat"; }

# The machine is shared: R rounds, orc and psql alternating, each on a fresh database;
# the best of each is compared (the least disturbed run of either).
R=${BENCH_ROUNDS:-3}
orc_wall=999999 psql_wall=999999 orc_cpu=999999 psql_cpu=999999 orc_rss=0 k=1
while [ "$k" -le "$R" ]; do
	c0=$(server_cpu)
	set -- $(run orc b_orc_$k "$ORC" migrate --url "$(url b_orc_$k)" --locations "$tmp/sql")
	[ "$3" = 0 ] || echo "migrate exited $3"
	c1=$(server_cpu)
	orc_rss=$2
	orc_wall=$(python3 -c "print(min($orc_wall, $1))")
	set -- $(run psql b_psql_$k psql -X -q -v ON_ERROR_STOP=1 -d b_psql_$k -f "$tmp/psql.sql")
	[ "$3" = 0 ] || echo "psql exited $3"
	c2=$(server_cpu)
	psql_wall=$(python3 -c "print(min($psql_wall, $1))")
	orc_cpu=$(python3 -c "print(min($orc_cpu, $c1 - $c0))")
	psql_cpu=$(python3 -c "print(min($psql_cpu, $c2 - $c1))")
	echo "  round $k: migrate $(cut -d' ' -f1 "$tmp/orc.res")s (server CPU $((c1 - c0)) ticks), psql $(cut -d' ' -f1 "$tmp/psql.res")s (server CPU $((c2 - c1)) ticks)"
	k=$((k + 1))
done
applied=$(psql -X -At -d b_orc_1 -c "select count(*) from flyway_schema_history where success")
echo "migrate $N migrations: best ${orc_wall}s ($applied recorded); psql BEGIN/COMMIT per file: best ${psql_wall}s"
python3 -c "print(f'  ratio migrate / psql floor: wall {$orc_wall / $psql_wall:.2f}x (goal <= 1.3x), server CPU {$orc_cpu / max($psql_cpu, 1):.2f}x (the database work, history rows included)')"
# sqitch is a bench-only dependency: installed here (as root), not by make deps.
if [ "${BENCH_SQITCH:-1}" = 1 ] && ! command -v sqitch >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends sqitch libdbd-pg-perl >/dev/null 2>&1 || true
fi
if [ "${BENCH_SQITCH:-1}" != 1 ]; then
	echo "sqitch deploy: skipped (BENCH_SQITCH=0)"
elif command -v sqitch >/dev/null 2>&1; then
	set -- $(cd "$tmp/sqitch" && run sqitch b_sqitch sqitch deploy --no-verify "db:$(url b_sqitch)")
	[ "$3" = 0 ] || echo "sqitch exited $3"
	echo "sqitch deploy $N changes: ${1}s (exit $3)"
	python3 -c "print(f'  ratio migrate / sqitch: {$orc_wall / $1:.3f}x (sqitch is {$1 / $orc_wall:.0f}x slower)')"
else
	echo "sqitch deploy: skipped (not installed: apt-get install sqitch libdbd-pg-perl)"
fi
# info on N applied: the best of 10 runs (the first warms the page cache).
best=$(python3 - "$ORC" info --url "$(url b_orc_1)" --locations "$tmp/sql" <<'PY'
import resource, subprocess, sys, time
best = 1e9
for _ in range(10):
    t = time.monotonic()
    subprocess.check_call(sys.argv[1:], stdout=subprocess.DEVNULL)
    best = min(best, time.monotonic() - t)
print(f"{best * 1000:.1f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
PY
)
echo "info on $N applied: ${best% *} ms (goal < 50 ms)"
echo "peak RSS: migrate $((orc_rss / 1024)) MiB ($orc_rss KiB), info $((${best#* } / 1024)) MiB (${best#* } KiB) (goal < 20 MB)"

# info and validate at scale, side by side with psql reading the same history table (the
# floor: one connection and one query of every row). The files are small (a comment and
# a SELECT) so that the engine's own costs show: scanning, reading and checksumming the
# files, and classify. Best of BENCH_SCALE_ROUNDS (5) runs each, alternating; wall time and
# the client's CPU (user + system, from getrusage of the child: steadier than wall time on
# a shared machine). BENCH_BASE_BIN=/path/to/an/older/orchestrator runs that binary in the
# same rounds too, for before/after ratios from one process tree.
for S in ${BENCH_SCALE:-1000 10000}; do
	mkdir -p "$tmp/scale$S"
	python3 - "$tmp/scale$S" "$S" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(1, n + 1):
    sub = os.path.join(d, f"part{i // 1000}")
    os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, f"V{i}__step_{i}.sql"), "w") as f:
        f.write(f"-- step {i} of the scale bench\nSELECT {i} AS step;\n")
PY
	psql -X -q -d postgres -c "CREATE DATABASE s_$S" >/dev/null
	"$ORC" migrate --url "$(url s_$S)" --locations "$tmp/scale$S" >/dev/null 2>&1 || echo "scale $S: migrate failed"
	python3 - "$ORC" "$(url s_$S)" "$tmp/scale$S" "$S" "${BENCH_SCALE_ROUNDS:-5}" "${BENCH_BASE_BIN:-}" <<'PY'
import glob, os, resource, shutil, subprocess, sys, time
orc, url, loc, n, rounds, base = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6]
bins = {"": orc}
if base:
    bins = {"base ": base, "": orc}
cmds = {}
for tag, b in bins.items():
    cmds[tag + "info"] = [b, "info", "--url", url, "--locations", loc]
    cmds[tag + "validate"] = [b, "validate", "--url", url, "--locations", loc]
q = "SELECT * FROM flyway_schema_history ORDER BY installed_rank"
cmds["psql"] = ["psql", "-X", "-A", "-d", url, "-c", q]
# On Debian, psql on PATH is pg_wrapper, a Perl script (tens of milliseconds) that
# runs the psql binary: the binary alone is the stricter floor, reported beside it.
real = [p for p in glob.glob("/usr/lib/postgresql/*/bin/psql")]
if real and os.path.realpath(shutil.which("psql") or "") != os.path.realpath(sorted(real)[-1]):
    cmds["psql binary"] = [sorted(real)[-1], "-X", "-A", "-d", url, "-c", q]
best = {k: 1e9 for k in cmds}
cpu = {k: 1e9 for k in cmds}
for _ in range(rounds):
    for k, c in cmds.items():
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.monotonic()
        rc = subprocess.call(c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best[k] = min(best[k], time.monotonic() - t)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu[k] = min(cpu[k], r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
        if rc != 0:
            print(f"  {k} exited {rc}")
p, pc = best["psql"], cpu["psql"]
load = open("/proc/loadavg").read().split()[0]
print(f"info/validate on {n} applied (load {load}): psql reading the history {p * 1000:.1f} ms "
      f"(client CPU {pc * 1000:.1f} ms)")
if "psql binary" in best:
    print(f"  the psql binary without Debian's wrapper: {best['psql binary'] * 1000:.1f} ms "
          f"(client CPU {cpu['psql binary'] * 1000:.1f} ms)")
for tag in bins:
    i, v = best[tag + "info"], best[tag + "validate"]
    print(f"  {tag or 'this '}info {i * 1000:.1f} ms, validate {v * 1000:.1f} ms; ratio to psql: "
          f"info {i / p:.2f}x, validate {v / p:.2f}x (goal <= 1.2x); client CPU info "
          f"{cpu[tag + 'info'] * 1000:.1f} ms, validate {cpu[tag + 'validate'] * 1000:.1f} ms")
    if "psql binary" in best:
        pb = best["psql binary"]
        print(f"    ratio to the psql binary: info {i / pb:.2f}x, validate {v / pb:.2f}x")
PY
done
