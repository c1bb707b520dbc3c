#!/bin/sh
# bench/task_clone.sh: what the migration task pays to get its branch, side by side.
#   A repository with BENCH_BRANCHES other branches (each carrying a 4 MB blob of its own)
#   and a main of BENCH_COMMITS commits, served over HTTP by `git http-backend` behind
#   token auth (tests/task/git_http_server.py) and read over file://. Timed, best of 3:
#   `orchestrator migrate --git-branch main` (libgit2: one branch, depth 1 with libgit2
#   1.7+, or over file:// the tree checked out from the source; migrate of one file; clone
#   removed) against the template's way with the same engine: the git CLI's
#   `git clone --depth 1 --single-branch` (the floor) then `orchestrator migrate
#   --locations`, and over HTTP a full `git clone` then migrate. Then the image's size
#   (docker/rootfs.sh) and the start-up time of `--help`. Each run creates a fresh database
#   first. Reports; never fails on time.
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
# The same contenders over file:// (the local fast path against git's local shallow clone).
sed "s#$url#file://$tmp/repos/app.git#" "$tmp/orc.sh" >"$tmp/orc_file.sh"
for kind in shallow full shallow_file; do
	opts="--depth 1 --single-branch --branch main"
	[ "$kind" = full ] && opts=""
	from=$url
	[ "$kind" = shallow_file ] && from=file://$tmp/repos/app.git
	cat >"$tmp/$kind.sh" <<EOS
set -e
db=b\$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
psql -X -q -d postgres -c "CREATE DATABASE \$db" >/dev/null
rm -rf "$tmp/$kind" && git clone -q $opts "$from" "$tmp/$kind"
exec "$ORC" migrate --locations "$tmp/$kind/sql" --url "postgresql://postgres@127.0.0.1:$PGPORT/\$db"
EOS
done
best orc sh "$tmp/orc.sh"
best shallow sh "$tmp/shallow.sh"
best full sh "$tmp/full.sh"
best orc_file sh "$tmp/orc_file.sh"
best shallow_file sh "$tmp/shallow_file.sh"
read -r t_orc rss_orc <"$tmp/orc.res"
read -r t_sh _ <"$tmp/shallow.res"
read -r t_full _ <"$tmp/full.res"
read -r t_ofile rss_ofile <"$tmp/orc_file.res"
read -r t_sfile _ <"$tmp/shallow_file.res"
du_full=$(du -sk "$tmp/full/.git" | cut -f1)
du_sh=$(du -sk "$tmp/shallow/.git" | cut -f1)
# The image: docker/rootfs.sh's root filesystem (as root: it chowns), and start-up of --help.
img="n/a (needs root)"
if [ "$(id -u)" -eq 0 ]; then
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/ca.key" -out "$tmp/ca.pem" -days 1 \
		-subj /CN=bench 2>/dev/null
	cp "$ORC" "$tmp/orc-stripped" && strip "$tmp/orc-stripped"
	sh docker/rootfs.sh "$tmp/orc-stripped" "$tmp/rootfs" "$tmp/ca.pem" docker/known_hosts
	img="$(du -sm "$tmp/rootfs" | cut -f1) MB uncompressed"
fi
startup=$(python3 - "$ORC" <<'PY'
import subprocess, sys, time
def best(cmd, n=30):
    b = None
    for _ in range(n):
        t = time.monotonic()
        subprocess.run(cmd, stdout=subprocess.DEVNULL)
        d = time.monotonic() - t
        b = d if b is None else min(b, d)
    return b * 1000
print(f"{best([sys.argv[1], '--help']):.1f} ms (/bin/true: {best(['/bin/true']):.1f} ms)")
PY
)
libs=$(ldd "$ORC" | grep -c '=>')
python3 - "$t_orc" "$t_sh" "$t_full" "$rss_orc" "$du_sh" "$du_full" "$BRANCHES" "$COMMITS" \
	"$t_ofile" "$t_sfile" "$rss_ofile" <<'PY'
import sys
o, s, f, rss, dsh, dfull, br, co, ofile, sfile, rssf = sys.argv[1:]
o, s, f, ofile, sfile = float(o), float(s), float(f), float(ofile), float(sfile)
print(f"repository: main with {co} commits, {br} other branches with a 4 MB blob each")
print("HTTP (git http-backend):")
print(f"  orchestrator migrate --git-branch main:           {o:.3f} s (peak RSS {int(rss)//1024} MB)")
print(f"  git clone --depth 1 --single-branch + migrate:    {s:.3f} s   ratio {o/s:.2f} (goal <= 1.0)")
print(f"  git clone (every branch) + migrate:               {f:.3f} s   ratio {o/f:.2f}")
print("file://:")
print(f"  orchestrator migrate --git-branch main:           {ofile:.3f} s (peak RSS {int(rssf)//1024} MB)")
print(f"  git clone --depth 1 --single-branch + migrate:    {sfile:.3f} s   ratio {ofile/sfile:.2f} (goal <= 1.2)")
print(f".git size: shallow {int(dsh)} KB, full {int(dfull)} KB")
PY
# libgit2 and libxml2 are loaded on first use (orchestrator/core/dl.h): named in the
# binary's .orc_dlopen section, not in what ldd lists.
lazy=$(objcopy -O binary --only-section=.orc_dlopen "$ORC" /dev/stdout | tr '\0' ' ' | tr -s ' ')
echo "libgit2 $(pkg-config --modversion libgit2) (loaded on first use: $lazy)"
echo "image: $img; shared objects loaded at start: $libs; start-up of --help: $startup"
