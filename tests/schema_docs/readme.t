#!/usr/bin/env bash
# schema-docs and the README around the section: markers, the heading convention, fenced
# examples that must not count, and names holding |, backticks, <, >, newlines and UTF-8
# that must not break a markdown table.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/pg.sh"
# t_has GOT TEXT DESC: GOT contains TEXT (a fixed string, newlines included).
t_has() { if [[ $1 == *"$2"* ]]; then t_pass "$3"; else t_fail "$3" "want text: $2"; fi; }
t_hasnt() { if [[ $1 == *"$2"* ]]; then t_fail "$3" "unwanted text: $2"; else t_pass "$3"; fi; }

pg_newdb || { t_fail "PostgreSQL database"; t_done; exit 1; }
psql -qX -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE TYPE "état" AS ENUM ('brouillon', 'publié', 'a|b');
CREATE TABLE "naïve|table" (
	"id€" integer PRIMARY KEY,
	"prix|x" numeric(10,2) DEFAULT 0 CHECK ("prix|x" >= 0),
	"note`s" varchar(40) DEFAULT 'a|b`c' CHECK ("note`s" IN ('x|y', 'it''s', 'ü')),
	"état" "état" NOT NULL DEFAULT 'brouillon',
	_hidden text
);
COMMENT ON TABLE "naïve|table" IS 'Größe <b>fett</b> & `code`
second line | pipe';
COMMENT ON COLUMN "naïve|table"."prix|x" IS 'Preis in €, *nicht* _kursiv_';
CREATE TABLE child (id serial PRIMARY KEY, parent integer REFERENCES "naïve|table" ("id€"));
CREATE TABLE event (kind text, id int) PARTITION BY LIST (kind);
CREATE TABLE "event_a|b" PARTITION OF event FOR VALUES IN ('a|b');
SQL
t_is "$?" 0 "schema with awkward names"

readme=$T_TMP/README.md
cat >"$readme" <<'MD'
# My project

```markdown
# Database Documentation
<!-- schema-docs:start -->
```

Before the markers.
<!-- schema-docs:start -->
old generated text
<!-- schema-docs:end -->
After the markers: kept.
MD
cp "$readme" "$T_TMP/orig"
t_ok "render between markers" "$ORC" schema-docs --url "$PG_URL" --readme "$readme"
doc=$(cat "$readme")
t_unlike "$doc" "old generated text" "the text between the markers is replaced"
t_is "$(sed -n '1,9p' "$readme")" "$(sed -n '1,9p' "$T_TMP/orig")" "everything before the start marker is kept (the fenced example does not count)"
t_is "$(tail -n 2 "$readme")" $'<!-- schema-docs:end -->\nAfter the markers: kept.' "everything after the end marker is kept"
t_hasnt "$doc" $'\n# Database Documentation\n\n<!--' "no heading is added in marker mode"
t_has "$doc" $'Before the markers.\n<!-- schema-docs:start -->\n\n<!-- Generated' "the section follows the start marker"
cp "$readme" "$T_TMP/first"
t_ok "second run" "$ORC" schema-docs --url "$PG_URL" --readme "$readme"
t_ok "second run is byte-identical" cmp "$T_TMP/first" "$readme"
t_ok "--check passes" "$ORC" schema-docs --url "$PG_URL" --readme "$readme" --check

t_like "$doc" '#### naïve\\\|table' "a table name with | and UTF-8 renders escaped"
t_has "$doc" $'Größe &lt;b&gt;fett&lt;/b&gt; &amp; \\`code\\`<br>second line \\| pipe\n' "a comment with HTML, backticks, a newline and | is escaped"
t_like "$doc" '\| \*\*id€\*\* _\(pk\)_ \|' "a UTF-8 primary key column"
t_like "$doc" '\| prix\\\|x \| Preis in €, \\\*nicht\\\* \\_kursiv\\_ \| numeric \| 10,2 \| `0` \|' "numeric length, emphasis escaped"
t_like "$doc" '\| note\\`s \|.*\| character varying \| 40 \| ``'"'"'a\\\|b`c'"'"'::character varying`` \|' "a default with | and a backtick is a safe code span"
t_like "$doc" '\| x\\\|y, it'"'"'s, ü \|$' "CHECK ... IN values are listed"
t_like "$doc" '\| état \|.*\| brouillon, publié, a\\\|b \|$' "enum values of a column"
t_like "$doc" '\| \\_hidden \|' "a leading underscore is escaped"
t_like "$doc" 'FK -&gt; \[naïve\\\|table\(id€\)\]\(#public\.na-c3-afve-7ctable\)' "a foreign key to an awkward name links to its anchor"
t_like "$doc" '"naïve\|table" \|o--o\{ "child"' "Mermaid entity names are quoted, not mangled"
t_has "$doc" $'#### event_a\\|b\n\n_Partition_ of [event](#public.event) `FOR VALUES IN (\'a|b\')`.\n' "a partition bound in a paragraph keeps its | unescaped"
t_has "$doc" $'_Partitioned table_, partition key `LIST (kind)`; partitions: [event_a\\|b](#public.event_a-7cb).\n' "the partitioned table names its partition"
# Every row of every table has exactly as many unescaped pipes as its header.
bad=$(awk '/^\|/{ s=$0; gsub(/\\\\/,"",s); gsub(/\\\|/,"",s); n=gsub(/\|/,"",s); if ($0 ~ /^\|---/) { want=n } else if (hdr && n != want) { print NR": "$0 } hdr=1; next } {hdr=0}' "$readme")
t_is "$bad" "" "no table row has a stray cell separator"

# The heading convention: from '# Database Documentation' to the end of the file.
printf 'Intro.\n\n# Database Documentation\n\nstale text\n' >"$T_TMP/h.md"
t_ok "render under the heading" "$ORC" schema-docs --url "$PG_URL" --readme "$T_TMP/h.md"
t_is "$(head -n 3 "$T_TMP/h.md")" $'Intro.\n\n# Database Documentation' "text before the heading is kept"
t_unlike "$(cat "$T_TMP/h.md")" "stale text" "the old section is replaced to the end of the file"

printf 'x\n<!-- schema-docs:start -->\nno end\n' >"$T_TMP/bad.md"
t_run "$ORC" schema-docs --url "$PG_URL" --readme "$T_TMP/bad.md"
t_is "$T_RC" 2 "a start marker without an end marker is a usage error"
t_like "$T_ERR" "bad.md:2: <!-- schema-docs:start --> has no <!-- schema-docs:end -->" "the error names file, line and fix"
t_is "$(cat "$T_TMP/bad.md")" $'x\n<!-- schema-docs:start -->\nno end' "and the file is untouched"

# flyway_schema_history: documented once, left out of the diagram unless asked for.
psql -qX -c "CREATE TABLE flyway_schema_history (installed_rank integer PRIMARY KEY, version varchar(50))" >/dev/null
t_ok "render with a migration history table" "$ORC" schema-docs --url "$PG_URL" --readme "$T_TMP/fw.md"
diagram() { awk '/^```mermaid$/{on=1;next} /^```$/{on=0} on' "$1"; }
t_unlike "$(diagram "$T_TMP/fw.md")" "flyway_schema_history" "the history table is not in the diagram"
t_is "$(grep -c '^#### flyway_schema_history$' "$T_TMP/fw.md")" 1 "it is documented once"
t_is "$(grep -c '^| flyway_schema_history_pk' "$T_TMP/fw.md")" 1 "its primary key is listed once (Constraints, not again under Indexes)"
t_ok "--diagram-history" "$ORC" schema-docs --url "$PG_URL" --readme "$T_TMP/fw2.md" --diagram-history
t_like "$(diagram "$T_TMP/fw2.md")" '"flyway_schema_history" \{' "draws it"
psql -qX -c "DROP TABLE flyway_schema_history" >/dev/null

t_ok "without --url the PG* variables apply" "$ORC" schema-docs --readme "$T_TMP/env.md"
t_like "$(cat "$T_TMP/env.md")" "#### naïve\\\\\|table" "and it documents the same database"
t_ok "--help" "$ORC" schema-docs --help
t_like "$T_OUT" "usage: orchestrator schema-docs" "--help prints the usage"
t_run "$ORC" schema-docs --url "postgresql://postgres:s3cretpw@127.0.0.1:1/nowhere" --readme "$T_TMP/x.md"
t_is "$T_RC" 3 "an unreachable database is refused like every command's (pg/conn)"
t_like "$T_ERR" "database connection failed: .*check --url" "the error says what to check"
t_unlike "$T_ERR$T_OUT" "s3cretpw" "the password never appears"
t_done
