#!/usr/bin/env bash
# make docs (scripts/docs.sh) on a fresh clone: makes its own local PostgreSQL cluster,
# migrates sql/ with orchestrator migrate, and writes README.md's Database Documentation
# section, which must be exactly the one committed (so the committed README documents
# sql/), and removes the cluster again. Then with the template's own SQL (placeholders,
# CREATE USER): every missing placeholder listed in one run (exit 2, nothing written),
# the values from a .env file (default or PLACEHOLDERS_FILE) and FLYWAY_PLACEHOLDERS_*,
# and a second run that works although the first created roles (cluster-wide objects).
source "$(dirname "$0")/../lib/tap.sh"
export GIT_CONFIG_NOSYSTEM=1 HOME=$T_TMP
unset PLACEHOLDERS_FILE DOCS_DATABASE DOCS_PG_DIR DOCS_README
clone=$T_TMP/clone
git clone -q "$ROOT" "$clone" 2>/dev/null
t_is "$?" 0 "a fresh clone"
# The scripts as they are in this tree (the same as committed, except while editing them).
cp "$ROOT/scripts/docs.sh" "$ROOT/scripts/local-pg" "$clone/scripts/"
chmod 755 "$T_TMP"
t_defer "'$ROOT/scripts/local-pg' stop '$clone/.local/docs-pg' >/dev/null 2>&1"
t_defer "'$ROOT/scripts/local-pg' stop '$clone/.local/pg' >/dev/null 2>&1"
docs() { t_run env ORC_BIN="$ORC" "$@" sh "$clone/scripts/docs.sh"; }
committed=$(cat "$clone/README.md")
# Cut the section off: make docs must bring it back.
python3 -c 'import sys; p = sys.argv[1]; s = open(p).read()
open(p, "w").write(s.split("\n# Database Documentation\n")[0].rstrip("\n") + "\n")' "$clone/README.md"
t_unlike "$(cat "$clone/README.md")" "^# Database Documentation$" "the clone's README has no section to start with"
t_ok "make docs (scripts/docs.sh) on the fresh clone" env ORC_BIN="$ORC" sh "$clone/scripts/docs.sh"
t_like "$T_OUT" "applied .* migrations" "sql/ was applied with orchestrator migrate"
t_like "$T_OUT" "README.md: Database Documentation updated" "the section was written"
t_is "$(cat "$clone/README.md")" "$committed" "README.md is exactly the committed one (the committed section is current)"
t_ok "the cluster it made is gone again (server stopped, directory removed)" test ! -e "$clone/.local/docs-pg"

# The template's own SQL: three placeholders, five uses, two roles. Beside the tour's
# server (.local/pg), another cluster, which make docs leaves running.
rm -rf "$clone/sql"
cp -r "$SHARED/data/template-sql" "$clone/sql"
before=$(cat "$clone/README.md")
"$ROOT/scripts/local-pg" start "$clone/.local/pg" >/dev/null 2>&1
docs
running=no
[ -f "$clone/.local/pg/data/postmaster.pid" ] && running=yes
"$ROOT/scripts/local-pg" stop "$clone/.local/pg" >/dev/null 2>&1
t_is "$running" yes "the scripts/local-pg server beside it is still running"
t_is "$T_RC" 2 "placeholders without values: exit 2"
t_is "$(printf '%s\n' "$T_ERR" | grep -c 'no value for placeholder')" 5 "every use is listed in this one run"
t_like "$T_ERR" 'sql/v1.0/V1.0.0__CreateReadOnlyUser.sql:1: no value for placeholder \$\{READ_ONLY_PASSWORD\}' "file and line of the first"
t_like "$T_ERR" 'sql/v1.0/Sample/V1.0.2__CreateSampleApplicationUser.sql:4: no value for placeholder \$\{DATABASE_NAME\}' "file and line of the last"
t_like "$T_ERR" '3 placeholders without a value \(5 uses, listed above\): READ_ONLY_PASSWORD, DATABASE_NAME, SAMPLE_APPLICATION_PASSWORD; .*--placeholders-file \(nothing was applied\)' "then every name at once, and where to set them"
t_unlike "$T_OUT" "applied" "nothing was applied"
t_is "$(cat "$clone/README.md")" "$before" "README.md is untouched"
t_ok "no cluster left behind after a failed run" test ! -e "$clone/.local/docs-pg"

# .env at the repository root is read by default.
cat >"$clone/.env" <<'EOF'
# placeholders for make docs
READ_ONLY_PASSWORD=ro-Secret-71
export SAMPLE_APPLICATION_PASSWORD="app Secret 72"
DATABASE_NAME=postgres
EOF
docs
t_is "$T_RC" 0 "make docs with the template's SQL and a .env file"
t_like "$T_OUT" "applied 4 migrations" "all four applied"
t_like "$(cat "$clone/README.md")" "### <a id=\"public.sample\"></a>|public\.sample" "the section documents the template's sample table"
t_unlike "$T_OUT$T_ERR" "ro-Secret-71|app Secret 72" "no placeholder value in the output"
docs
t_is "$T_RC" 0 "make docs again: the roles the first run created do not stop it"
t_like "$T_OUT" "applied 4 migrations" "applied afresh (a new cluster)"
t_like "$T_OUT" "already up to date" "the same section (a second run changes nothing)"

# PLACEHOLDERS_FILE names another file; FLYWAY_PLACEHOLDERS_* wins over it (its
# DATABASE_NAME names no database: used, the GRANT would fail).
mv "$clone/.env" "$T_TMP/docs.env"
sed -i 's/^DATABASE_NAME=.*/DATABASE_NAME=not_this_one/' "$T_TMP/docs.env"
docs PLACEHOLDERS_FILE="$T_TMP/docs.env" FLYWAY_PLACEHOLDERS_DATABASE_NAME=postgres
t_is "$T_RC" 0 "PLACEHOLDERS_FILE, with FLYWAY_PLACEHOLDERS_DATABASE_NAME over the file's value"
docs PLACEHOLDERS_FILE="$T_TMP/missing.env"
t_is "$T_RC" 2 "a PLACEHOLDERS_FILE that does not exist: exit 2"
t_like "$T_ERR" "PLACEHOLDERS_FILE=.*missing.env: no such file" "naming it"
printf 'READ_ONLY_PASSWORD=x\nthis line is wrong\n' >"$T_TMP/bad.env"
docs PLACEHOLDERS_FILE="$T_TMP/bad.env"
t_is "$T_RC" 2 "a malformed line: exit 2"
t_like "$T_ERR" "bad.env:2: expected NAME=VALUE" "naming file and line"
t_done
