#!/usr/bin/env bash
# schema-docs on two realistic schemas besides pagila (tests/schema_docs/data/saas.sql and
# library.sql, written for these tests): row-level security and policies, range and list
# partitions, constraint triggers, ICU and per-column collations, UNIQUE NULLS NOT
# DISTINCT ... INCLUDE, ON DELETE SET NULL (col), exclusion, unlogged and foreign tables,
# extensions, one table name in two schemas. Every expected fact is read from the catalog
# here; the README is read back by cmark-gfm (GitHub's engine) and every Mermaid block by
# Mermaid's own parser (tests/lib/mdcheck.mjs).
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/pg.sh"

pg_newdb || { t_fail "PostgreSQL database"; t_done; exit 1; }
for f in saas library; do
	psql -qX -v ON_ERROR_STOP=1 -f "$ROOT/tests/schema_docs/data/$f.sql" >"$T_TMP/$f.log" 2>&1
	t_is "$?" 0 "$f.sql loads"
done
q() { psql -qXAt -v ON_ERROR_STOP=1 -c "$1"; }
readme=$T_TMP/README.md
t_ok "schema-docs renders both" "$ORC" schema-docs --url "$PG_URL" --readme "$readme" --verbose
t_like "$T_ERR" "11 queries sent" "the same constant number of queries as for pagila"
node "$ROOT/tests/lib/mdcheck.mjs" "$readme" >"$T_TMP/md.json"
t_is "$?" 0 "cmark-gfm and Mermaid read it"

missing() { # missing KIND: every expected line (a fixed string) must occur in the README
	local kind=$1 miss=() line n=0
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		n=$((n + 1))
		grep -qF -- "$line" "$readme" || miss+=("$line")
	done
	if [ ${#miss[@]} -eq 0 ] && [ "$n" -gt 0 ]; then t_pass "every $kind appears ($n)"; else t_fail "every $kind appears ($n)" "missing: ${miss[*]:0:5}"; fi
}
SCHEMAS="n.nspname IN ('app', 'catalog', 'lending')"

# Row-level security and every policy, with command, kind, roles and expressions.
q "SELECT '#### ' || relname || E'\n\n_Row-level security enabled' || CASE WHEN relforcerowsecurity THEN ' and forced_' ELSE '_' END FROM pg_class c JOIN pg_namespace n ON n.oid = relnamespace WHERE $SCHEMAS AND relrowsecurity" >"$T_TMP/rls"
rls_miss=0
while IFS= read -r head; do
	read -r _; read -r mark
	grep -A2 -xF -- "$head" "$readme" | grep -qF -- "$mark" || rls_miss=$((rls_miss + 1))
done <"$T_TMP/rls"
t_is "$rls_miss" 0 "every table with RLS is marked under its heading, forced when forced ($(grep -c '^####' "$T_TMP/rls") tables)"
q "SELECT '| ' || policyname || ' | ' || cmd || ' | ' || lower(permissive) || ' | ' || array_to_string(roles, ', ') || ' | ' || coalesce('\`' || qual || '\`', '') || ' | ' || coalesce('\`' || with_check || '\`', '') || ' |' FROM pg_policies WHERE schemaname IN ('app', 'catalog', 'lending')" | missing "policy row (name, command, kind, roles, using, with check)"

# Every constraint by its name, with PostgreSQL's definition and its comment.
q "SELECT '| ' || conname || ' | ' || CASE contype WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique' WHEN 'f' THEN 'foreign key' WHEN 'c' THEN 'check' WHEN 'x' THEN 'exclusion' END || CASE WHEN conparentid <> 0 THEN ' (inherited)' ELSE '' END || ' | \`' || pg_get_constraintdef(co.oid, true) || '\` | ' || coalesce(obj_description(co.oid, 'pg_constraint'), '') FROM pg_constraint co JOIN pg_class c ON c.oid = conrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE $SCHEMAS AND contype <> 't' AND NOT (contype = 'f' AND conparentid <> 0 AND EXISTS (SELECT 1 FROM pg_class r WHERE r.oid = confrelid AND r.relispartition))" | missing "constraint (name, kind, pg_get_constraintdef, comment)"
t_like "$(cat "$readme")" 'UNIQUE NULLS NOT DISTINCT \(tenant_id, email\) INCLUDE \(display_name\)' "NULLS NOT DISTINCT and INCLUDE as PostgreSQL defines them"
t_like "$(cat "$readme")" 'ON DELETE SET NULL \(manager_id\)' "ON DELETE SET NULL (cols) as PostgreSQL defines it"
q "SELECT '| ' || co.conname || ' | constraint trigger | \`' || pg_get_triggerdef(t.oid, true) || '\` |' FROM pg_constraint co JOIN pg_trigger t ON t.tgconstraint = co.oid JOIN pg_namespace n ON n.oid = co.connamespace WHERE $SCHEMAS AND co.contype = 't'" | missing "constraint trigger with its definition"
q "SELECT '| ' || relname || ' ' FROM pg_class c JOIN pg_namespace n ON n.oid = relnamespace WHERE $SCHEMAS AND relkind = 'i' AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = c.oid)" | missing "index not behind a constraint"
# Functions with their defaults, view columns with typmods, collations, unlogged, foreign tables, extensions.
q "SELECT '| ' || proname || ' | ' || coalesce('\`' || nullif(pg_get_function_arguments(p.oid), '') || '\`', '') || ' |' FROM pg_proc p JOIN pg_namespace n ON n.oid = pronamespace WHERE $SCHEMAS" | missing "function with its arguments and defaults"
q "SELECT '| ' || attname || ' |  | ' || format_type(atttypid, atttypmod) || ' |' FROM pg_attribute a JOIN pg_class c ON c.oid = attrelid JOIN pg_namespace n ON n.oid = relnamespace WHERE $SCHEMAS AND relkind IN ('v', 'm') AND attnum > 0" | missing "view column with its typmod"
t_like "$(cat "$readme")" '\| project_name \|  \| character varying\(120\) \|' "(varchar(120), not character varying)"
q "SELECT '| ' || attname || ' |' || '§COLLATE \`' || CASE WHEN cn.nspname = 'pg_catalog' THEN quote_ident(collname) ELSE quote_ident(cn.nspname) || '.' || quote_ident(collname) END || '\`' FROM pg_attribute a JOIN pg_class c ON c.oid = attrelid JOIN pg_namespace n ON n.oid = relnamespace JOIN pg_type t ON t.oid = atttypid JOIN pg_collation co ON co.oid = attcollation JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE $SCHEMAS AND relkind IN ('r', 'p') AND NOT relispartition AND attnum > 0 AND attcollation <> t.typcollation" >"$T_TMP/colls"
coll_miss=0
while IFS='§' read -r row coll; do grep -F -- "$row" "$readme" | grep -qF -- "$coll" || coll_miss=$((coll_miss + 1)); done <"$T_TMP/colls"
t_is "$coll_miss" 0 "every non-default column collation is shown on its column ($(wc -l <"$T_TMP/colls") columns)"
q "SELECT '#### ' || relname FROM pg_class c JOIN pg_namespace n ON n.oid = relnamespace  WHERE $SCHEMAS AND relpersistence = 'u' AND relkind IN ('r', 'p')" | while IFS= read -r h; do grep -A2 -xF -- "$h" "$readme" | grep -qF '_Unlogged_.' || echo "$h"; done >"$T_TMP/unlogged"
t_is "$(cat "$T_TMP/unlogged")" "" "unlogged tables are marked"
q "SELECT '_Foreign table_ on server \`' || srvname || '\`, options ' || (SELECT string_agg('\`' || o || '\`', ', ') FROM unnest(ftoptions) o) || '.' FROM pg_foreign_table ft JOIN pg_foreign_server s ON s.oid = ft.ftserver" | missing "foreign table with its server and options"
q "SELECT '| ' || extname || ' | ' || extversion || ' | ' || nspname || ' |' FROM pg_extension e JOIN pg_namespace n ON n.oid = extnamespace" | missing "extension with version and schema"

# Anchors: unique across schemas (catalog.item and lending.item), every link lands on one.
grep -o '<a id="[^"]*"></a>' "$readme" | sed 's/<a id="\(.*\)"><\/a>/#\1/' >"$T_TMP/anchors"
t_is "$(sort "$T_TMP/anchors" | uniq -d)" "" "anchors are unique"
t_is "$(wc -l <"$T_TMP/anchors")" "$(q "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = relnamespace WHERE $SCHEMAS AND relkind IN ('r', 'p', 'v', 'm', 'f')")" "one anchor per table and view"
t_ok "catalog.item and lending.item have their own anchors" grep -qx '#catalog.item' "$T_TMP/anchors"
t_ok "(lending.item)" grep -qx '#lending.item' "$T_TMP/anchors"
jq -r '.links[]' "$T_TMP/md.json" | sort -u >"$T_TMP/links"
t_is "$(comm -23 "$T_TMP/links" <(sort -u "$T_TMP/anchors"))" "" "every link lands on an anchor ($(wc -l <"$T_TMP/links") targets)"
t_like "$(cat "$readme")" 'FK -&gt; \[catalog\.item\(item_id\)\]\(#catalog\.item\)' "a foreign key to another schema links there"
q "SELECT string_agg(DISTINCT '[' || c.relname || '](#' || n.nspname || '.' || c.relname || ') (' || conname || ')', '|') FROM pg_constraint co JOIN pg_class c ON c.oid = conrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE confrelid = 'lending.member'::regclass AND conparentid = 0" | tr '|' '\n' | missing "referencing table in lending.member's Referenced by"
t_like "$(cat "$readme")" 'Reads: \[account\]\(#app\.account\), \[project\]\(#app\.project\), \[task\]\(#app\.task\)\.' "a view lists the tables it reads (pg_depend)"
t_like "$(cat "$readme")" 'Reads: \[catalog\.item\]\(#catalog\.item\), \[loan\]\(#lending\.loan\)\.' "(across schemas)"

# GFM tables as GitHub parses them: each table's or view's column table has one row per column, in order.
jq -r '.tables[] | select(.header[0] == "column") | .rows[] | .[0] | sub(" \\(pk\\)$"; "")' "$T_TMP/md.json" >"$T_TMP/cells"
q "SELECT attname FROM pg_attribute a JOIN pg_class c ON c.oid = attrelid JOIN pg_namespace n ON n.oid = relnamespace WHERE $SCHEMAS AND relkind IN ('r', 'p', 'f', 'v', 'm') AND attnum > 0 AND NOT attisdropped ORDER BY nspname COLLATE \"C\", relkind IN ('v', 'm'), relname COLLATE \"C\", attnum" >"$T_TMP/attrs"
t_is "$(cat "$T_TMP/cells")" "$(cat "$T_TMP/attrs")" "every column table, read by cmark-gfm, holds exactly the catalog's columns ($(wc -l <"$T_TMP/attrs"))"
t_is "$(jq '[.tables[] | select(.header[0] == "policy") | .rows | length] | add' "$T_TMP/md.json")" "$(q "SELECT count(*) FROM pg_policies WHERE schemaname IN ('app', 'catalog', 'lending')")" "policy tables hold one row per policy"

# Mermaid: each schema's diagram parses, with one entity per table (partitions left out),
# item-copy and item_copy kept apart, catalog.item distinct from lending.item.
t_is "$(jq -c '[.mermaid[] | .ok]' "$T_TMP/md.json")" "[true,true,true]" "Mermaid's parser accepts every diagram"
for s in app catalog lending; do
	i=$(q "SELECT count(*) FROM pg_namespace WHERE nspname IN ('app', 'catalog', 'lending') AND nspname < '$s'")
	want=$(q "SELECT string_agg(e, ' ' ORDER BY e) FROM (SELECT relname::text AS e FROM pg_class c JOIN pg_namespace n ON n.oid = relnamespace WHERE nspname = '$s' AND relkind IN ('r', 'p', 'f') AND NOT relispartition UNION SELECT fn.nspname || '.' || fc.relname FROM pg_constraint co JOIN pg_class c ON c.oid = conrelid JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_class fc ON fc.oid = confrelid JOIN pg_namespace fn ON fn.oid = fc.relnamespace WHERE n.nspname = '$s' AND fn.nspname <> '$s' AND contype = 'f') x")
	t_is "$(jq -r ".mermaid[$i].entities | sort | join(\" \")" "$T_TMP/md.json" | LC_ALL=C sort)" "$(echo "$want" | LC_ALL=C sort)" "schema $s: one entity per table, other schemas' by schema.name"
done

cp "$readme" "$T_TMP/first"
t_ok "second run" "$ORC" schema-docs --url "$PG_URL" --readme "$readme"
t_ok "is byte-identical" cmp "$T_TMP/first" "$readme"

# --format json: the same model, stable field names.
t_ok "--format json" "$ORC" schema-docs --url "$PG_URL" --format json
printf '%s' "$T_OUT" >"$T_TMP/model.json"
t_is "$(jq -r .format "$T_TMP/model.json")" "orchestrator.schema-docs/1" "the format is named"
t_is "$(jq '[.schemas[].relations[].policies | length] | add' "$T_TMP/model.json")" "$(q "SELECT count(*) FROM pg_policies WHERE schemaname IN ('app', 'catalog', 'lending')")" "every policy is in the model"
t_is "$(jq -r '[.schemas[] | select(.name == "app") | .relations[] | select(.name == "account") | .constraints[] | select(.name == "account_email_key") | .definition][0]' "$T_TMP/model.json")" "$(q "SELECT pg_get_constraintdef(oid, true) FROM pg_constraint WHERE conname = 'account_email_key'")" "constraint definitions as PostgreSQL gives them"
t_is "$(jq -c '[.schemas[] | select(.name == "lending") | .relations[] | select(.name == "popular") | .reads[] | .schema + "." + .name]' "$T_TMP/model.json")" '["catalog.item","lending.loan"]' "a view's sources"
t_is "$(jq -r '[.schemas[].relations[]] | map(keys | join(",")) | unique | length' "$T_TMP/model.json")" 1 "every relation object has the same keys"
t_is "$(jq -r '.schemas[0].relations[0] | keys_unsorted | join(",")' "$T_TMP/model.json")" "name,kind,comment,partition_of,partition_bound,partition_key,unlogged,row_level_security,row_level_security_forced,policies,foreign_server,foreign_options,view_definition,reads,columns,constraints,indexes,triggers" "the documented relation fields"

# Coverage and --require-comments.
t_like "$(cat "$readme")" "Comment coverage: $(q "SELECT count(obj_description(c.oid, 'pg_class')) || ' of ' || count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = relnamespace WHERE $SCHEMAS AND relkind IN ('r', 'p', 'f') AND NOT relispartition") tables" "the summary states the table comment coverage"
t_run "$ORC" schema-docs --url "$PG_URL" --readme "$readme" --require-comments
t_is "$T_RC" 1 "--require-comments fails while something has no comment"
t_is "$(grep -c 'has no comment' <<<"$T_ERR")" "$(q "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = relnamespace WHERE $SCHEMAS AND relkind IN ('r', 'p', 'f') AND NOT relispartition AND obj_description(c.oid, 'pg_class') IS NULL) + (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = attrelid JOIN pg_namespace n ON n.oid = relnamespace WHERE $SCHEMAS AND relkind IN ('r', 'p', 'f') AND NOT relispartition AND attnum > 0 AND NOT attisdropped AND col_description(c.oid, attnum) IS NULL)")" "one line per uncommented table and column"
t_like "$T_ERR" "app.booking.room: column has no comment" "each names schema.table.column"
t_ok "--require-comments on a commented schema passes" "$ORC" schema-docs --url "$PG_URL" --schema lending --exclude loan --exclude member --readme "$T_TMP/lend.md" --require-comments --exclude item 2>/dev/null
t_done
