#!/bin/sh
# bench/task_clone.sh: what the migration task pays to get its branch, side by side.
#   A repository with BENCH_BRANCHES other branches (each carrying a 4 MB blob of its own)
#   and a main of BENCH_COMMITS commits, served over HTTP by `git http-backend` behind
#   token auth (tests/task/git_http_server.py; over file:// libgit2's local transport
#   packs every ref, so that would not measure the network case). Timed, best of 3:
#   `orchestrator migrate --git-branch main` (libgit2 single-branch clone, migrate of one
#   file, clone removed) against the template's way with the same engine: the git CLI's
#   `git clone --depth 1 --single-branch` (the floor: shallow, which libgit2 1.5 cannot
#   do) then `orchestrator migrate --locations`, and a full `git clone` then migrate.
#   Each run creates a fresh database first. Reports; never fails on time.
set -eu
cd "$(dirname "$0")/.."
ORC=${ORC_BIN:-$(pwd)/bin/orchestrator}
BRANCHES=${BENCH_BRANCHES:-20}
COMMITS=${BENCH_COMMITS:-300}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/orc-bench-clone.XXXXXX")
chmod 755 "$tmp"
srv=
trap '[ -n "$srv" ] && kill "$srv"; scripts/local-pg stop "$tmp/pg" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
scripts/local-pg start "$tmp/pg"
eval "$(scripts/local-pg env "$tmp/pg")"
export GIT_CONFIG_NOSYSTEM=1 HOME=$tmp/home GIT_AUTHOR_NAME=b GIT_AUTHOR_EMAIL=b@example.com \
	GIT_COMMITTER_NAME=b GIT_COMMITTER_EMAIL=b@example.com
mkdir -p "$HOME" "$tmp/src/sql"
git -C "$tmp/src" init -q -b main
echo 'CREATE TABLE bench (id int);' >"$tmp/src/sql/V1__bench.sql"
i=1
while [ "$i" -le "$COMMITS" ]; do
	echo "change $i" >>"$tmp/src/notes.txt"
	git -C "$tmp/src" add -A && git -C "$tmp/src" commit -qm "c$i"
	i=$((i + 1))
done
b=1
while [ "$b" -le "$BRANCHES" ]; do
	git -C "$tmp/src" checkout -q -b "feature-$b" main
	head -c 4194304 /dev/urandom >"$tmp/src/blob-$b.bin"
	git -C "$tmp/src" add -A && git -C "$tmp/src" commit -qm "blob $b"
	b=$((b + 1))
done
git -C "$tmp/src" checkout -q main
mkdir -p "$tmp/repos"
git clone -q --bare "$tmp/src" "$tmp/repos/app.git"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 tests/task/git_http_server.py "$port" "$tmp/repos" bench-token 2>/dev/null &
srv=$!
i=0
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $port))" 2>/dev/null; do
	i=$((i + 1)); [ "$i" -lt 100 ] || { echo "bench: git server did not start" >&2; exit 1; }; sleep 0.1
done
url=http://x-access-token:bench-token@127.0.0.1:$port/app.git

# best NAME CMD...: best wall time of 3 runs (seconds) and that run's peak RSS (KiB).
best() {
	name=$1
	shift
	python3 - "$@" <<'PY' >"$tmp/$name.res"
import resource, subprocess, sys, time
best = None
for _ in range(3):
    t = time.monotonic()
    p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.monotonic() - t
    if p.returncode != 0:
        sys.exit(f"{' '.join(sys.argv[1:])} exited {p.returncode}: {p.stderr.decode()[-300:]}")
    best = wall if best is None else min(best, wall)
print(f"{best:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
PY
	cat "$tmp/$name.res" >/dev/null
}
# Each contender is a small script, so that the timer runs exactly one command.
cat >"$tmp/orc.sh" <<EOS
db=b\$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
psql -X -q -d postgres -c "CREATE DATABASE \$db" >/dev/null
exec "$ORC" migrate --git-branch main --git-url "$url" --url "postgresql://postgres@127.0.0.1:$PGPORT/\$db"
EOS
for kind in shallow full; do
	opts="--depth 1 --single-branch --branch main"
	[ "$kind" = full ] && opts=""
	cat >"$tmp/$kind.sh" <<EOS
set -e
db=b\$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
psql -X -q -d postgres -c "CREATE DATABASE \$db" >/dev/null
rm -rf "$tmp/$kind" && git clone -q $opts "$url" "$tmp/$kind"
exec "$ORC" migrate --locations "$tmp/$kind/sql" --url "postgresql://postgres@127.0.0.1:$PGPORT/\$db"
EOS
done
best orc sh "$tmp/orc.sh"
best shallow sh "$tmp/shallow.sh"
best full sh "$tmp/full.sh"
read -r t_orc rss_orc <"$tmp/orc.res"
read -r t_sh _ <"$tmp/shallow.res"
read -r t_full _ <"$tmp/full.res"
du_full=$(du -sk "$tmp/full/.git" | cut -f1)
du_sh=$(du -sk "$tmp/shallow/.git" | cut -f1)
python3 - "$t_orc" "$t_sh" "$t_full" "$rss_orc" "$du_sh" "$du_full" "$BRANCHES" "$COMMITS" <<'PY'
import sys
o, s, f, rss, dsh, dfull, br, co = sys.argv[1:]
o, s, f = float(o), float(s), float(f)
print(f"repository: main with {co} commits, {br} other branches with a 4 MB blob each (HTTP, git http-backend)")
print(f"orchestrator migrate --git-branch main:           {o:.3f} s (peak RSS {int(rss)//1024} MB)")
print(f"git clone --depth 1 --single-branch + migrate:    {s:.3f} s   ratio {o/s:.2f}")
print(f"git clone (every branch) + migrate:               {f:.3f} s   ratio {o/f:.2f}")
print(f".git size: shallow {int(dsh)} KB, full {int(dfull)} KB")
PY
