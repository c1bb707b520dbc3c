#!/usr/bin/env bash
# The README's runnable examples run as written.
#
# The marker: a line `<!-- runnable -->` directly before a ```sh fence (blank lines between
# are allowed). Every such block is run, in the README's order, by one bash (`set -e -o
# pipefail`, so a failing command fails its block; variables a block exports stay for the
# next, as in a reader's terminal), in a scratch copy of the repository: a clone of it with
# this tree's files on top and this tree's build copied in (so `make` has nothing to
# build), HOME a temporary directory. The PostgreSQL is the one the examples themselves
# start (scripts/local-pg); it is stopped at the end whatever happens. The first block
# that fails is reported with its text and output, and the rest are not run.
source "$(dirname "$0")/../lib/tap.sh"
export GIT_CONFIG_NOSYSTEM=1 HOME=$T_TMP/home
mkdir -p "$HOME"
git config --global user.email readme@example.com
git config --global user.name readme
unset PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD PG_URL
repo=$T_TMP/repo
chmod 755 "$T_TMP"
git clone -q "$ROOT" "$repo" 2>/dev/null
t_is "$?" 0 "a scratch clone"
t_defer "'$ROOT/scripts/local-pg' stop '$repo/.local/pg' >/dev/null 2>&1"
# This tree's tracked files (edits not yet committed included), dated in the past, and
# its build as it is, so that make finds nothing to do.
(cd "$ROOT" && git ls-files -z | xargs -0 cp -P --parents -t "$repo" 2>/dev/null)
find "$repo" -path "$repo/.git" -prune -o -exec touch -h -d 2000-01-01 {} + 2>/dev/null
cp -a "$ROOT/bin" "$ROOT/build" "$repo/"
rm -rf "$repo/build/test-logs"

blocks=$T_TMP/blocks
mkdir -p "$blocks"
python3 - "$repo/README.md" "$blocks" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().split("\n")
n, i, armed = 0, 0, False
while i < len(lines):
    l = lines[i]
    if l.strip() == "<!-- runnable -->":
        armed = True
    elif armed and l.strip() == "":
        pass
    elif armed and re.match(r"^```sh\s*$", l):
        j = i + 1
        while lines[j].strip() != "```":
            j += 1
        n += 1
        open("%s/%02d.sh" % (sys.argv[2], n), "w").write("\n".join(lines[i + 1:j]) + "\n")
        open("%s/%02d.line" % (sys.argv[2], n), "w").write(str(i + 1))
        i, armed = j, False
    elif armed:
        sys.exit("README.md:%d: a runnable marker not followed by a ```sh block" % i)
    i += 1
PY
t_is "$?" 0 "every runnable marker is followed by a \`\`\`sh block"
count=$(ls "$blocks"/*.sh 2>/dev/null | wc -l)
t_ok "the README marks examples runnable (the tour: at least 5 blocks, found $count)" test "$count" -ge 5

cat >"$T_TMP/driver.sh" <<'SH'
set -e -o pipefail
for f in "$BLOCKS"/*.sh; do
	echo "${f%.sh}" >"$BLOCKS/current"
	echo "### $(basename "$f")"
	. "$f"
done
echo done >"$BLOCKS/current"
SH
t_run env -C "$repo" BLOCKS="$blocks" bash "$T_TMP/driver.sh"
last=$(cat "$blocks/current" 2>/dev/null)
for f in "$blocks"/*.sh; do
	b=${f%.sh}
	what="README.md:$(cat "$b.line"): $(head -n 1 "$f")"
	if [ "$last" = done ] || [[ "$b" < "$last" ]]; then
		t_pass "runs as written: $what"
	elif [ "$b" = "$last" ]; then
		t_fail "runs as written: $what" "exit $T_RC; the block:" "$(cat "$f")" \
			"its output (stdout):" "$(printf '%s\n' "$T_OUT" | sed -n "/^### $(basename "$f")\$/,\$p")" \
			"stderr:" "$T_ERR"
	else
		t_fail "runs as written: $what" "not run: an earlier block failed"
	fi
done
t_like "$T_OUT" "applied 3 migrations to schema public" "the tour applied the sample migrations"
t_like "$T_OUT" "applied 1 migration to schema public" "and its own V3"
t_ok "the tour stopped its server" test ! -f "$repo/.local/pg/data/postmaster.pid"
t_ok "and put README.md back" git -C "$repo" diff --quiet HEAD -- README.md
t_done
