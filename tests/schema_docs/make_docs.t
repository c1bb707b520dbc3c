#!/usr/bin/env bash
# make docs (scripts/docs.sh) on a fresh clone: starts its own local PostgreSQL, migrates
# sql/ with orchestrator migrate, and writes README.md's Database Documentation section,
# which must be exactly the one committed (so the committed README documents sql/), and
# stops the server it started.
source "$(dirname "$0")/../lib/tap.sh"
export GIT_CONFIG_NOSYSTEM=1 HOME=$T_TMP
clone=$T_TMP/clone
git clone -q "$ROOT" "$clone" 2>/dev/null
t_is "$?" 0 "a fresh clone"
chmod 755 "$T_TMP"
t_defer "'$ROOT/scripts/local-pg' stop '$clone/.local/pg' >/dev/null 2>&1"
committed=$(cat "$clone/README.md")
# Cut the section off: make docs must bring it back.
python3 -c 'import sys; p = sys.argv[1]; s = open(p).read()
open(p, "w").write(s.split("\n# Database Documentation\n")[0].rstrip("\n") + "\n")' "$clone/README.md"
t_unlike "$(cat "$clone/README.md")" "^# Database Documentation$" "the clone's README has no section to start with"
t_ok "make docs (scripts/docs.sh) on the fresh clone" env ORC_BIN="$ORC" sh "$clone/scripts/docs.sh"
t_like "$T_OUT" "applied .* migrations" "sql/ was applied with orchestrator migrate"
t_like "$T_OUT" "README.md: Database Documentation updated" "the section was written"
t_is "$(cat "$clone/README.md")" "$committed" "README.md is exactly the committed one (the committed section is current)"
t_ok "the local server it started is stopped again" test ! -f "$clone/.local/pg/data/postmaster.pid"
t_ok "a second make docs" env ORC_BIN="$ORC" sh "$clone/scripts/docs.sh"
t_like "$T_OUT" "already up to date" "changes nothing"
t_done
