#!/usr/bin/env bash
# The README is written as the section is rendered (never whole in memory), compared piece
# by piece with the README on disk: an unchanged README is not rewritten (same inode), a
# change is written to README.md.tmp and renamed, a shorter section leaves no tail of the
# old one, the text after the end marker stays byte for byte, and a README.md.tmp left by
# a run that was killed is removed and said so. The result equals what --check expects
# (the whole-buffer splice).
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/pg.sh"

pg_newdb || { t_fail "PostgreSQL database"; t_done; exit 1; }
psql -qX -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE TABLE keep (id int PRIMARY KEY, note text);
CREATE TABLE drop_me (id int PRIMARY KEY, keep_id int REFERENCES keep (id));
COMMENT ON TABLE drop_me IS 'A table that goes away';
SQL
t_is "$?" 0 "two tables"
readme=$T_TMP/README.md
printf '# Project\n\n<!-- schema-docs:start -->\nold\n<!-- schema-docs:end -->\n\n## After\n\nKept text.\n' >"$readme"
docs() { "$ORC" schema-docs --url "$PG_URL" --readme "$readme" "$@"; }
t_ok "first run" docs
t_like "$(cat "$readme")" 'drop_me' "the section is written"
t_is "$(tail -n 5 "$readme")" "$(printf '<!-- schema-docs:end -->\n\n## After\n\nKept text.')" "the text after the end marker is kept"
inode=$(stat -c %i "$readme")
t_ok "second run" docs
t_like "$T_OUT" 'already up to date' "nothing changed"
t_is "$(stat -c %i "$readme")" "$inode" "the README is not rewritten (same inode)"
t_ok "no temporary file" test ! -e "$readme.tmp"
t_ok "--check agrees" docs --check

psql -qX -c "DROP TABLE drop_me" >/dev/null
printf 'half a README from a killed run' >"$readme.tmp"
size=$(wc -c <"$readme")
t_ok "after DROP TABLE, with a README.md.tmp left over" docs
t_like "$T_OUT" "README.md.tmp: removed, left by an interrupted run" "the leftover is removed and said so"
t_ok "no temporary file left" test ! -e "$readme.tmp"
t_ok "the README is shorter" test "$(wc -c <"$readme")" -lt "$size"
t_unlike "$(cat "$readme")" 'drop_me' "no trace of the dropped table"
t_is "$(tail -n 5 "$readme")" "$(printf '<!-- schema-docs:end -->\n\n## After\n\nKept text.')" "the text after the end marker is still kept"
t_ok "the README was replaced (renamed over)" test "$(stat -c %i "$readme")" != "$inode"
t_ok "--check agrees with what was written" docs --check
t_done
