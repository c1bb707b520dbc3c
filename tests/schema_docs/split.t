#!/usr/bin/env bash
# The split layout: past --split-size the README keeps a summary and each schema gets a file
# under --docs-dir, and a schema that alone passes the size one file per table and view.
# Every file parses (cmark-gfm, Mermaid), every link lands on a file and anchor that exist,
# runs are byte-identical, --check compares every file and prints a unified diff, a dropped
# table's file goes away, a file a person put in the folder stays. Also --check's diff on a
# single README.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/pg.sh"

pg_newdb || { t_fail "PostgreSQL database"; t_done; exit 1; }
for f in saas library; do
	psql -qX -v ON_ERROR_STOP=1 -f "$ROOT/tests/schema_docs/data/$f.sql" >"$T_TMP/$f.log" 2>&1
	t_is "$?" 0 "$f.sql loads"
done
q() { psql -qXAt -v ON_ERROR_STOP=1 -c "$1"; }
dir=$T_TMP/repo
mkdir -p "$dir/docs/database"
printf 'Notes a person wrote.\n' >"$dir/docs/database/NOTES.md"
printf '# Project\n' >"$dir/README.md"
# The whole is about 25 KB and schema app alone about 12 KB: split, and app per table.
docs() { "$ORC" schema-docs --url "$PG_URL" --readme "$dir/README.md" --split-size 10000 "$@"; }
t_ok "schema-docs with --split-size 10000" docs
t_like "$(cat "$dir/README.md")" '## Schemas' "the README holds the summary"
t_ok "it is small" test "$(wc -c <"$dir/README.md")" -lt 10000
for s in $(q "SELECT nspname FROM pg_namespace WHERE nspname IN ('app', 'catalog', 'lending', 'public') ORDER BY 1"); do
	t_ok "docs/database/$s.md exists" test -f "$dir/docs/database/$s.md"
	t_like "$(cat "$dir/README.md")" "\[$s\]\(docs/database/$s\.md\)" "the summary links to it"
done
q "SELECT 'docs/database/app/' || relname || '.md' FROM pg_class c JOIN pg_namespace n ON n.oid = relnamespace WHERE nspname = 'app' AND relkind IN ('r', 'p', 'v', 'm')" >"$T_TMP/want"
(cd "$dir" && find docs/database/app -type f | sort) >"$T_TMP/got"
t_is "$(cat "$T_TMP/got")" "$(sort "$T_TMP/want")" "schema app (over the size alone) has one file per table and view"
t_ok "a file a person put there is kept" test -f "$dir/docs/database/NOTES.md"

# Every file: GitHub's parser, Mermaid's parser, and links that land.
(cd "$dir" && find . -name '*.md' ! -name NOTES.md | sort) >"$T_TMP/files"
bad_links=0 bad_mermaid=0 diagrams=0
(cd "$dir" && xargs node "$ROOT/tests/lib/mdcheck.mjs") <"$T_TMP/files" >"$T_TMP/md.jsonl"
t_is "$(wc -l <"$T_TMP/md.jsonl")" "$(wc -l <"$T_TMP/files")" "cmark-gfm and Mermaid read every file"
while IFS= read -r j; do
	f=$(jq -r .file <<<"$j")
	diagrams=$((diagrams + $(jq '.mermaid | length' <<<"$j")))
	bad_mermaid=$((bad_mermaid + $(jq '[.mermaid[] | select(.ok | not)] | length' <<<"$j")))
	while IFS= read -r l; do
		file=${l%%#*} anchor=${l#*#}
		target=$(dirname "$dir/$f")/$file
		[ -n "$file" ] || target=$dir/$f
		grep -qF "<a id=\"$anchor\"></a>" "$target" 2>/dev/null || { bad_links=$((bad_links + 1)); echo "# $f: $l" >&2; }
	done < <(jq -r '.links[] | select(contains("#"))' <<<"$j")
done <"$T_TMP/md.jsonl"
t_is "$bad_links" 0 "every link lands on an existing file and anchor ($(wc -l <"$T_TMP/files") files)"
t_is "$bad_mermaid" 0 "every diagram parses ($diagrams diagrams)"
t_like "$(cat "$dir/docs/database/app/account.md")" '```mermaid' "a per-table file draws the table's neighbourhood"
t_like "$(cat "$dir/docs/database/app.md")" '"tenant" \|\|--o\{ "account"' "the schema file draws the schema's diagram"

snap() { (cd "$dir" && find . -type f -exec md5sum {} + | sort); }
snap >"$T_TMP/snap1"
t_ok "second run" docs
t_like "$T_OUT" "already up to date" "reports no change"
t_is "$(snap)" "$(cat "$T_TMP/snap1")" "every file is byte-identical"
t_ok "--check passes" docs --check

psql -qX -c "COMMENT ON TABLE lending.member IS 'People who borrow'" -c "DROP TABLE app.session" >/dev/null
t_run docs --check
t_is "$T_RC" 1 "--check fails when a file is stale"
t_like "$T_OUT" '\+\+\+ b/docs/database/lending\.md' "its diff names the changed file"
t_like "$T_OUT" $'\n\\+People who borrow' "and shows the new line"
t_like "$T_OUT" '--- a/docs/database/app/session\.md' "and the file that goes away"
t_like "$T_ERR" "stale.*the README and its docs folder" "the error says what to commit"
t_is "$(snap)" "$(cat "$T_TMP/snap1")" "--check wrote nothing"
t_ok "render the change" docs
t_ok "the dropped table's file is removed" test ! -e "$dir/docs/database/app/session.md"
t_ok "the person's file is still there" test -f "$dir/docs/database/NOTES.md"
t_ok "--check passes again" docs --check

# A crash before the final syncfs: a docs file left empty, a .md.tmp beside another, an
# empty file of a table since dropped. The next run converges and says so.
: >"$dir/docs/database/app.md"
printf 'partial' >"$dir/docs/database/app/account.md.tmp"
: >"$dir/docs/database/app/gone_table.md"
t_ok "render after a crash" docs
t_like "$T_OUT" 'docs/database/app\.md: empty \(left by an interrupted run\), written again' "the empty file is reported"
t_like "$T_OUT" 'account\.md\.tmp: removed, left by an interrupted run' "and the temporary file"
t_ok "the empty file is written again" test -s "$dir/docs/database/app.md"
t_ok "the temporary file is gone" test ! -e "$dir/docs/database/app/account.md.tmp"
t_ok "the empty file of no table is gone" test ! -e "$dir/docs/database/app/gone_table.md"
t_ok "--check passes" docs --check

# Back under the size: one README again, the generated files gone.
t_ok "a large --split-size" "$ORC" schema-docs --url "$PG_URL" --readme "$dir/README.md" --split-size 10000000
t_like "$(cat "$dir/README.md")" '#### account' "the README holds everything"
t_is "$(cd "$dir" && find docs -name '*.md' | sort)" "docs/database/NOTES.md" "only the person's file is left"

# --check on a single README prints a unified diff of the section.
psql -qX -c "COMMENT ON TABLE lending.member IS 'Members'" >/dev/null
t_run "$ORC" schema-docs --url "$PG_URL" --readme "$dir/README.md" --split-size 10000000 --check
t_is "$T_RC" 1 "--check fails"
t_like "$T_OUT" $'--- a/README.md\n\\+\\+\\+ b/README.md' "with a unified diff of README.md"
t_like "$T_OUT" $'\n-People who borrow\n\\+Members' "showing the old and the new line"

t_run "$ORC" schema-docs --url "$PG_URL" --readme "$dir/README.md" --split-size 0
t_is "$T_RC" 2 "--split-size 0 is a usage error"
t_run "$ORC" schema-docs --url "$PG_URL" --readme "$dir/README.md" --docs-dir ../out
t_is "$T_RC" 2 "a --docs-dir outside the README's folder is a usage error"
t_done
