#!/usr/bin/env bash
# Names are attacker-controlled: a table or constraint name may hold a carriage return, a
# newline, a backtick fence, '#', '[...](...)', quotes, or be a Mermaid keyword (class,
# style, end, one, many, subgraph; columns pk, fk, uk). None of it may change the README's
# structure (headings, links, code blocks as cmark-gfm reads them) or break the diagram
# (Mermaid's own parser), and tables differing only in '-' vs '_' stay two entities. A
# README with an unclosed fence above the section gets one section, and a second run
# changes nothing.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/pg.sh"

pg_newdb || { t_fail "PostgreSQL database"; t_done; exit 1; }
psql -qX -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE TABLE "class" (pk int PRIMARY KEY, fk int, uk text, "end" int, "one" int, "pk-x" int, "1st" int, "µ" int, "é" int);
CREATE TABLE "style" (id int PRIMARY KEY, class_pk int REFERENCES "class" (pk));
CREATE TABLE "end" (id int PRIMARY KEY);
CREATE TABLE "many" (id int PRIMARY KEY, "one" int REFERENCES "end" (id));
CREATE TABLE "subgraph" (id int PRIMARY KEY);
CREATE TABLE "a-b" (id int PRIMARY KEY);
CREATE TABLE "a_b" (id int PRIMARY KEY, ab int);
CREATE TABLE "q""uote%#.x\y" (id int PRIMARY KEY, "col""q" int);
DO $$ BEGIN
EXECUTE format('ALTER TABLE "a_b" ADD CONSTRAINT %I FOREIGN KEY (ab) REFERENCES "a-b" (id)',
	E'lf\n```\n# LF heading\n[lf link](http://evil.example)');
EXECUTE format('ALTER TABLE "a-b" ADD CONSTRAINT %I CHECK (id > 0)',
	E'cr\r```\r# CR heading\r[cr link](http://evil.example)');
EXECUTE format('CREATE TABLE %I (id int PRIMARY KEY, x int REFERENCES "a_b" (id))', E'tbl\r# table heading');
EXECUTE format('ALTER TABLE "style" ADD CONSTRAINT %I FOREIGN KEY (id) REFERENCES "end" (id)',
	E'fk\r\n```\r\n# CRLF heading');
END $$;
COMMENT ON TABLE "class" IS E'    indented\n1. list\nhttp://evil.example www.evil.example';
CREATE TABLE "ops@example.com" (id int PRIMARY KEY);
COMMENT ON COLUMN "class".uk IS 'mail ops@example.com, mailto:a.b+c@d.example or xmpp:x@y.example/r; HTTPS://X.example WWW.example.org ftp://f.example/x';
SQL
t_is "$?" 0 "a schema of hostile names"
q() { psql -qXAt -v ON_ERROR_STOP=1 -c "$1"; }
readme=$T_TMP/README.md
printf '# Project\n\nSome text.\n' >"$readme"
t_ok "schema-docs renders it" "$ORC" schema-docs --url "$PG_URL" --readme "$readme"
node "$ROOT/tests/lib/mdcheck.mjs" "$readme" >"$T_TMP/md.json"
t_is "$?" 0 "cmark-gfm and Mermaid read it"
tables=$(q "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = relnamespace WHERE nspname = 'public' AND relkind = 'r'")
t_is "$(jq -r '[.headings[] | select(.level < 4) | "\(.level) \(.text)"] | join("|")' "$T_TMP/md.json")" "1 Project|1 Database Documentation|2 Extensions|2 Schema public|3 Tables|3 Foreign keys" "no heading but ours"
t_is "$(jq '[.headings[] | select(.level == 4)] | length' "$T_TMP/md.json")" "$tables" "one level-4 heading per table"
t_is "$(jq -r '[.links[] | select(startswith("#public.") | not)] | length' "$T_TMP/md.json")" 0 "no link but ours (to anchors)"
t_is "$(jq '.codeBlocks' "$T_TMP/md.json")" 1 "one code block: the diagram (no fence was closed or opened by a name)"
t_is "$(jq -c '[.mermaid[] | .ok]' "$T_TMP/md.json")" "[true]" "Mermaid's parser accepts the diagram"
t_is "$(jq '.mermaid[0].entities | length' "$T_TMP/md.json")" "$tables" "one entity per table: none merged, none lost"
t_ok "a-b and a_b are two entities" jq -e '.mermaid[0].entities | index("a-b") and index("a_b")' "$T_TMP/md.json"
t_is "$(jq '.mermaid[0].relationships' "$T_TMP/md.json")" "$(q "SELECT count(*) FROM pg_constraint WHERE contype = 'f'")" "every foreign key is a relationship"
t_unlike "$(cat "$readme")" $'\r' "no carriage return reaches the README"
t_like "$(cat "$readme")" '&#32;indented<br>1\. list<br>http\\://evil\.example www\\\.evil\.example' "a comment can open no code block, list or autolink"

# GFM's extended autolinks (e-mail, mailto:, xmpp:, www., http(s)://, ftp://) fire on text a
# comment or a name holds; the reader sees the text, never a link (cmark-gfm's autolink
# extension is on in mdcheck).
mail_comment=$(q "SELECT col_description('\"class\"'::regclass, 3)")
t_is "$(jq -r --arg c "$mail_comment" '[.tables[].rows[] | select(.[1] == $c)] | length' "$T_TMP/md.json")" 1 "the comment with addresses reads as written in its cell"
t_is "$(jq -r '[.headings[] | select(.text == "ops@example.com")] | length' "$T_TMP/md.json")" 1 "a table named like an address keeps its heading text"
t_is "$(jq -r '[.links[] | select(test("^(mailto|xmpp|https?|ftp):|^www\\."; "i"))] | length' "$T_TMP/md.json")" 0 "no autolink: no mailto:, xmpp:, http(s):, ftp: or www. link"

cp "$readme" "$T_TMP/first"
t_ok "second run" "$ORC" schema-docs --url "$PG_URL" --readme "$readme"
t_ok "changes nothing" cmp "$T_TMP/first" "$readme"

# An unclosed fence above the section: one section, and it stays one.
printf '# Project\n\n```sh\nmake install\n' >"$T_TMP/fence.md"
t_ok "render after an unclosed fence" "$ORC" schema-docs --url "$PG_URL" --readme "$T_TMP/fence.md"
cp "$T_TMP/fence.md" "$T_TMP/fence1"
t_ok "render again" "$ORC" schema-docs --url "$PG_URL" --readme "$T_TMP/fence.md"
t_ok "the second run changes nothing" cmp "$T_TMP/fence1" "$T_TMP/fence.md"
t_is "$(grep -c '^# Database Documentation$' "$T_TMP/fence.md")" 1 "one section"
node "$ROOT/tests/lib/mdcheck.mjs" "$T_TMP/fence.md" >"$T_TMP/fence.json"
t_is "$(jq -r '[.headings[] | select(.level == 1) | .text] | join("|")' "$T_TMP/fence.json")" "Project|Database Documentation" "GitHub sees the section's heading (the fence is closed before it)"
t_is "$(jq -c '[.mermaid[] | .ok]' "$T_TMP/fence.json")" "[true]" "and its diagram"
t_is "$(head -n 4 "$T_TMP/fence.md")" "$(printf '# Project\n\n```sh\nmake install')" "the text above is kept"
t_done
