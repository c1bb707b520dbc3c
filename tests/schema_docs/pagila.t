#!/usr/bin/env bash
# schema-docs on pagila (partitions, enums, domains, views, a materialized view, functions,
# triggers): every object the catalog holds appears in README.md (the expected lists come
# from the catalog itself, queried here independently), the query count is constant, a
# second run is byte-identical and --check agrees.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/pg.sh"
# t_has GOT TEXT DESC: GOT contains TEXT (a fixed string, newlines included).
t_has() { if [[ $1 == *"$2"* ]]; then t_pass "$3"; else t_fail "$3" "want text: $2"; fi; }
t_hasnt() { if [[ $1 == *"$2"* ]]; then t_fail "$3" "unwanted text: $2"; else t_pass "$3"; fi; }

pg_newdb || { t_fail "PostgreSQL database"; t_done; exit 1; }
psql -qX -v ON_ERROR_STOP=1 -f "$SHARED/data/pagila/pagila-schema.sql" >"$T_TMP/load.log" 2>&1
t_is "$?" 0 "pagila schema loads"

readme=$T_TMP/README.md
printf 'Intro text kept as is.\n\n## Usage\n\nSome `code` | and a table.\n' >"$readme"
cp "$readme" "$T_TMP/intro"
t_ok "schema-docs renders pagila" "$ORC" schema-docs --url "$PG_URL" --readme "$readme" --verbose
t_like "$T_ERR" "11 queries sent" "a fixed number of queries (11, two connections)"
doc=$(cat "$readme")
intro_len=$(wc -c <"$T_TMP/intro")
t_is "$(head -c "$intro_len" "$readme" | md5sum)" "$(md5sum <"$T_TMP/intro")" "text before the section is kept byte for byte"
t_has "$doc" $'and a table.\n\n# Database Documentation\n\n<!-- Generated' "the section heading is appended after the text"
t_like "$doc" 'Schema fingerprint `sha256:[0-9a-f]{64}`' "a schema fingerprint instead of a timestamp"

q() { psql -qXAt -v ON_ERROR_STOP=1 -c "$1"; }
missing() { # missing KIND: every expected line (a fixed string) must occur in the README
	local kind=$1 miss=() line
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		grep -qF -- "$line" "$readme" || miss+=("$line")
	done
	if [ ${#miss[@]} -eq 0 ]; then t_pass "every $kind appears"; else t_fail "every $kind appears" "missing: ${miss[*]:0:10}"; fi
}
q "SELECT '#### ' || relname FROM pg_class c JOIN pg_namespace n ON n.oid = relnamespace WHERE nspname = 'public' AND relkind IN ('r','p','v','m')" | missing "table and view (heading)"
# Column rows: "| name |" or "| **name** _(pk)_ |" under their table's heading.
awk '/^#### /{t=substr($0,6)} /^\| /{split($0,f," \\| "); n=substr(f[1],3); gsub(/\*\*| _\(pk\)_/,"",n); print t "." n}' "$readme" | sort -u >"$T_TMP/cols.doc"
q "SELECT c.relname || '.' || a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'public' AND relkind IN ('r','p','v','m') AND attnum > 0 AND NOT attisdropped" | sort -u >"$T_TMP/cols.db"
t_is "$(comm -23 "$T_TMP/cols.db" "$T_TMP/cols.doc" | head -5)" "" "every column of every table and view has its row"
t_is "$(wc -l <"$T_TMP/cols.db")" "$(q "SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'public' AND relkind IN ('r','p','v','m') AND attnum > 0 AND NOT attisdropped")" "(the column list is not empty: $(wc -l <"$T_TMP/cols.db") columns)"
q "SELECT '| [' || c.relname || '](#public.' || c.relname || ') | ' || conname || ' | ' FROM pg_constraint co JOIN pg_class c ON c.oid = conrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'public' AND contype = 'f' AND conparentid = 0" | missing "foreign key (table | name)"
q "SELECT c.relname || '.' || a.attname || ' FK -> ' || fc.relname FROM pg_constraint co JOIN pg_class c ON c.oid = conrelid JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_class fc ON fc.oid = confrelid JOIN pg_attribute a ON a.attrelid = conrelid AND a.attnum = conkey[1] WHERE nspname = 'public' AND contype = 'f' AND conparentid = 0" >"$T_TMP/fks"
fk_miss=0
while IFS= read -r l; do
	tc=${l%% FK*} ref=${l#*-> }
	awk -v t="#### ${tc%%.*}" -v col="${tc#*.}" -v ref="FK -&gt; [$ref(" '$0==t{on=1;next} /^#### /{on=0} on && (index($0,"| " col " |")==1 || index($0,"| **" col "** _(pk)_ |")==1) && index($0,ref){f=1} END{exit !f}' "$readme" || fk_miss=$((fk_miss + 1))
done <"$T_TMP/fks"
t_is "$fk_miss" 0 "every foreign key column says FK -> table(column) in its table ($(wc -l <"$T_TMP/fks") keys)"
q "SELECT '| ' || ic.relname || ' ' FROM pg_index i JOIN pg_class ic ON ic.oid = indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace WHERE nspname = 'public'" | missing "index"
q "SELECT pg_get_indexdef(indexrelid) FROM pg_index i JOIN pg_class ic ON ic.oid = indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace WHERE nspname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = indexrelid AND conrelid = indrelid)" | missing "index definition (indexes not behind a constraint)"
q "SELECT '| ' || conname || ' | ' || CASE contype WHEN 'p' THEN 'primary key' ELSE 'unique' END || CASE WHEN conparentid <> 0 THEN ' (inherited)' ELSE '' END || ' | \`' || pg_get_constraintdef(co.oid, true) || '\` |' FROM pg_constraint co JOIN pg_namespace n ON n.oid = connamespace WHERE nspname = 'public' AND contype IN ('p', 'u')" | missing "key constraint (name, kind and definition)"
# A key is listed once: under Constraints, never again under Indexes.
twice=$(q "SELECT conname FROM pg_constraint co JOIN pg_namespace n ON n.oid = connamespace WHERE nspname = 'public' AND contype IN ('p', 'u')" | while IFS= read -r k; do [ "$(grep -c "^| $k " "$readme")" -eq 1 ] || echo "$k"; done)
t_is "$twice" "" "each primary key and unique constraint has exactly one row"
q "SELECT '| ' || conname || ' | ' || CASE contype WHEN 'f' THEN 'foreign key' WHEN 'c' THEN 'check' WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique' WHEN 'x' THEN 'exclusion' ELSE 'constraint trigger' END || ' | ' FROM pg_constraint co JOIN pg_class c ON c.oid = conrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'public' AND conparentid = 0" | missing "constraint by its name"
q "SELECT enumlabel FROM pg_enum" | missing "enum label"
t_like "$doc" '\| mpaa_rating \| G, PG, PG-13, R, NC-17 \|' "enum labels in order"
t_like "$doc" '\| rating \|[^|]*\| mpaa_rating \|.*\| G, PG, PG-13, R, NC-17 \|$' "an enum column lists its values"
q "SELECT '| ' || typname || ' | ' FROM pg_type t JOIN pg_namespace n ON n.oid = typnamespace WHERE nspname = 'public' AND typtype = 'd'" | missing "domain"
q "SELECT '| ' || proname || ' | ' FROM pg_proc p JOIN pg_namespace n ON n.oid = pronamespace WHERE nspname = 'public'" | sed 's/^| _/| \\_/' | missing "function"
q "SELECT '| ' || tgname || ' | \`' || pg_get_triggerdef(t.oid, true) FROM pg_trigger t JOIN pg_class c ON c.oid = tgrelid JOIN pg_namespace n ON n.oid = relnamespace WHERE nspname = 'public' AND NOT tgisinternal" | missing "trigger"
q "SELECT '| ' || relname || ' | ' FROM pg_class c JOIN pg_namespace n ON n.oid = relnamespace WHERE nspname = 'public' AND relkind = 'S'" | missing "sequence"
t_like "$doc" '_Partitioned table_, partition key `RANGE \(payment_date\)`; partitions: \[payment_p2022_01\]\(#public.payment_p2022_01\), ' "the partitioned table lists its partitions, linked"
t_like "$doc" "_Partition_ of \[payment\]\(#public.payment\) \`FOR VALUES FROM \('2022-01-01 00:00:00\+00'\)" "partitions are marked, bounds in UTC"
t_has "$doc" $'#### rental_by_category\n\n_Materialized view_' "the materialized view is marked"
t_like "$doc" '\| \*\*film_id\*\* _\(pk\)_ \|' "the primary key column is bold with _(pk)_"
t_has "$doc" $'```mermaid\nerDiagram\n' "a Mermaid erDiagram"
t_like "$doc" '"language" \|\|--o\{ "film" : "film_language_id_fkey"' "the diagram holds the foreign keys"
t_like "$doc" '"language" \|o--o\{ "film" : "film_original_language_id_fkey"' "a nullable foreign key is optional in the diagram"
node "$ROOT/tests/lib/mdcheck.mjs" "$readme" >"$T_TMP/check.json"
t_is "$?" 0 "cmark-gfm and Mermaid read the README"
t_is "$(jq -c '[.mermaid[] | .ok]' "$T_TMP/check.json")" "[true]" "Mermaid's parser accepts the diagram"
t_is "$(jq -r '.mermaid[0].entities | join(" ")' "$T_TMP/check.json")" "$(q "SELECT string_agg(relname, ' ' ORDER BY relname COLLATE \"C\") FROM pg_class c JOIN pg_namespace n ON n.oid = relnamespace WHERE nspname = 'public' AND relkind IN ('r','p') AND NOT relispartition")" "one diagram entity per table, partitions left out"
t_is "$(jq '.mermaid[0].relationships' "$T_TMP/check.json")" "$(q "SELECT count(*) FROM pg_constraint co JOIN pg_class c ON c.oid = conrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'public' AND contype = 'f' AND conparentid = 0 AND NOT c.relispartition")" "one relationship per foreign key"
# Every link points at an anchor the README defines.
grep -o '<a id="[^"]*"></a>' "$readme" | sed 's/<a id="\(.*\)"><\/a>/#\1/' | sort -u >"$T_TMP/anchors"
jq -r '.links[]' "$T_TMP/check.json" | sort -u >"$T_TMP/links"
t_is "$(comm -23 "$T_TMP/links" "$T_TMP/anchors")" "" "every link has its anchor ($(wc -l <"$T_TMP/links") targets)"
t_is "$(sort "$T_TMP/anchors" | uniq -d)" "" "anchors are unique"

cp "$readme" "$T_TMP/first"
t_ok "second run" "$ORC" schema-docs --url "$PG_URL" --readme "$readme"
t_like "$T_OUT" "already up to date" "second run reports no change"
t_ok "second run is byte-identical" cmp "$T_TMP/first" "$readme"
t_ok "--check passes when up to date" "$ORC" schema-docs --url "$PG_URL" --readme "$readme" --check

psql -qX -c "COMMENT ON TABLE actor IS 'Actors | with <tags> and
two lines'" || true
t_run "$ORC" schema-docs --url "$PG_URL" --readme "$readme" --check
t_is "$T_RC" 1 "--check exits 1 when the schema changed"
t_like "$T_ERR" "README.md: the Database Documentation section is stale" "--check names the file and what to do"
t_ok "--check wrote nothing" cmp "$T_TMP/first" "$readme"
t_ok "the change renders" "$ORC" schema-docs --url "$PG_URL" --readme "$readme"
t_has "$(cat "$readme")" $'#### actor\n\nActors \\| with &lt;tags&gt; and<br>two lines\n' "a comment with | < > and a newline is escaped"
t_ok "--exclude leaves a table out" "$ORC" schema-docs --url "$PG_URL" --readme "$T_TMP/ex.md" --exclude staff --exclude public.store
t_unlike "$(cat "$T_TMP/ex.md")" '#### (staff|store)$' "excluded tables are not documented"
t_run "$ORC" schema-docs --url "$PG_URL" --readme "$T_TMP/ex.md" --schema nope
t_is "$T_RC" 2 "an unknown --schema is a usage error"
t_like "$T_ERR" "--schema nope: no such schema" "the error names the schema"
t_done
