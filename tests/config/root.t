#!/usr/bin/env bash
# The repository root from a subdirectory (config/root.h): every command's default paths
# (config.json, metadata.json, README.md, sql/) are found upward as git finds .git; the
# search stops at the top of the git work tree; explicit paths stay relative to the
# current directory; schema-docs never writes a README.md into a subdirectory.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/pg.sh"
unset GITHUB_ACTIONS GH_TOKEN GITHUB_TOKEN AWS_PROFILE
export GIT_CONFIG_NOSYSTEM=1 HOME=$T_TMP/home
mkdir -p "$HOME"

repo=$T_TMP/repo
mkdir -p "$repo/sql/deep/er"
git init -q "$repo"
cp "$ROOT/config.json" "$repo/"
cp "$ROOT"/sql/*.sql "$repo/sql/"
cp -r "$ROOT/infrastructure" "$repo/"
cd "$repo/sql/deep/er" || exit 1

t_run "$ORC" config check
t_is "$T_RC" 0 "config check from a subdirectory: exit 0"
t_like "$T_OUT" "^\.\./\.\./\.\./config\.json: OK" "config check reads the root's config.json and names it relative"

t_run "$ORC" config check --config config.json
t_is "$T_RC" 2 "an explicit --config is relative to the current directory"
t_like "$T_ERR" "^error: config\.json: no such file" "and is not looked for upward"

t_run "$ORC" trigger run-migration --region us-west-2 --branch main --dry-run
t_is "$T_RC" 0 "trigger --dry-run from a subdirectory: exit 0"
t_like "$T_ERR" "set it in \.\./\.\./\.\./config\.json" "trigger reads the root's config.json"
t_like "$T_OUT" '"event_type":"run-migration"' "and prints the request"

t_run "$ORC" run-task --region nope
t_is "$T_RC" 2 "run-task from a subdirectory: unknown region is exit 2"
t_like "$T_ERR" "\.\./\.\./\.\./config\.json: no region 'nope'" "run-task reads the root's config.json"

t_run env AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=x "$ORC" snapshot restore --region us-west-2
t_is "$T_RC" 2 "snapshot restore without a recorded snapshot: exit 2"
t_like "$T_ERR" "\.\./\.\./\.\./metadata\.json: no snapshot recorded for us-west-2" "snapshot reads the root's metadata.json"

t_run "$ORC" bump-image --version 1.2.3
t_is "$T_RC" 0 "bump-image from a subdirectory: exit 0"
t_like "$(cat "$repo/infrastructure/migration-task/var-files/us-west-2.tfvars")" 'app_version *= *"1\.2\.3"' "bump-image changed the root's tfvars"
t_is "$(ls "$repo/sql/deep/er")" "" "and wrote nothing in the subdirectory"

printf 'CREATE INDEX book_title_ix ON book (title);\n' >"$repo/sql/V9__index.sql"
t_run "$ORC" lint
t_like "$T_OUT$T_ERR" "V9__index\.sql" "lint from a subdirectory reads the root's sql/"
rm "$repo/sql/V9__index.sql"

# The search stops at the top of the git work tree: a config.json above it is not used.
mkdir -p "$T_TMP/outer/inner/sub"
cp "$ROOT/config.json" "$T_TMP/outer/"
git init -q "$T_TMP/outer/inner"
cd "$T_TMP/outer/inner/sub" || exit 1
t_run "$ORC" config check
t_is "$T_RC" 2 "no config.json inside the work tree: exit 2"
t_like "$T_ERR" "^error: \.\./config\.json: no such file" "the work tree's top is the root, not the directory above it"

# Without git, the nearest config.json upward.
mkdir -p "$T_TMP/plain/a/b"
cp "$ROOT/config.json" "$T_TMP/plain/"
cd "$T_TMP/plain/a/b" || exit 1
t_run "$ORC" config check
t_is "$T_RC" 0 "no git: the nearest config.json upward"
t_like "$T_OUT" "^\.\./\.\./config\.json: OK" "named relative"

# schema-docs and migrate on a real PostgreSQL.
pg_newdb || { t_fail "PostgreSQL database"; t_done; exit 1; }
cd "$repo/sql/deep/er" || exit 1
t_run "$ORC" migrate --url "$PG_URL" --placeholder DATABASE_NAME="$PGDATABASE"
t_is "$T_RC" 0 "migrate from a subdirectory: exit 0"
t_run "$ORC" info --url "$PG_URL" --placeholder DATABASE_NAME="$PGDATABASE"
t_like "$T_OUT$T_ERR" "authors and books" "the root's sql/ was applied"
t_is "$(psql -qtAX -c "SELECT count(*) FROM flyway_schema_history WHERE success AND version = '2'")" 1 "V2 from the root's sql/ is recorded"

t_run "$ORC" schema-docs --url "$PG_URL"
t_is "$T_RC" 0 "schema-docs from a subdirectory: exit 0"
t_ok "the README is written at the root" test -f "$repo/README.md"
t_like "$(cat "$repo/README.md" 2>/dev/null)" "^# Database Documentation" "with the Database Documentation section"
t_is "$(find "$repo/sql" -name README.md)" "" "no README.md in the subdirectory"

# Inside a work tree without config.json, the README still goes to the top, never here.
cd "$T_TMP/outer/inner/sub" || exit 1
t_run "$ORC" schema-docs --url "$PG_URL"
t_is "$T_RC" 0 "schema-docs in a work tree without config.json: exit 0"
t_ok "the README goes to the work tree's top" test -f "$T_TMP/outer/inner/README.md"
t_ok "not into the subdirectory" test ! -e "$T_TMP/outer/inner/sub/README.md"

t_done
