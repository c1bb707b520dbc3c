#!/usr/bin/env bash
# Constraint key columns are named by schema-docs from the attnums the server sends and the
# columns it read (no subquery per constraint): every constraint's columns, in key order,
# must be what the catalog names, through a dropped column, a CHECK on tableoid (a system
# column, named by the server), an exclusion on an expression, and foreign keys to a table
# of another schema and to one left out with --exclude. The expected names are queried here.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/pg.sh"

pg_newdb || { t_fail "PostgreSQL database"; t_done; exit 1; }
psql -qX -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE EXTENSION btree_gist;
CREATE SCHEMA other;
CREATE TABLE other.ref (a int, b int, PRIMARY KEY (b, a));
CREATE TABLE hidden (id int PRIMARY KEY);
CREATE TABLE t (gone int, x int, y int, z text, w int DEFAULT 42,
	g int GENERATED ALWAYS AS (x * 2) STORED,
	CHECK (tableoid <> 0 AND x > 0), UNIQUE (y, x));
ALTER TABLE t DROP COLUMN gone;
ALTER TABLE t ADD CONSTRAINT ex EXCLUDE USING gist (lower(z) WITH =, y WITH =);
ALTER TABLE t ADD CONSTRAINT fk_other FOREIGN KEY (x, y) REFERENCES other.ref (b, a);
ALTER TABLE t ADD CONSTRAINT fk_hidden FOREIGN KEY (w) REFERENCES hidden (id) ON DELETE SET NULL (w);
SQL
t_is "$?" 0 "a schema with dropped, system, expression and cross-schema key columns"
q() { psql -qXAt -v ON_ERROR_STOP=1 -c "$1"; }
# schema.table.constraint: key columns | referenced columns, as the catalog names them.
want=$(q "SELECT n.nspname || '.' || c.relname || '.' || co.conname || ': ' ||
	coalesce((SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(co.conkey) WITH ORDINALITY k(num, ord)
		JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.num), '') || ' | ' ||
	coalesce((SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(co.confkey) WITH ORDINALITY k(num, ord)
		JOIN pg_attribute a ON a.attrelid = co.confrelid AND a.attnum = k.num), '')
	FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname IN ('public', 'other') ORDER BY 1")
got() { jq -r '.schemas[] | .name as $s | .relations[] | .name as $t | .constraints[] |
	"\($s).\($t).\(.name): \(.columns | join(",")) | \(.references.columns // [] | join(","))"' | sort; }
t_ok "--format json" "$ORC" schema-docs --url "$PG_URL" --format json --verbose
t_like "$T_ERR" "11 queries sent" "the same constant number of statements"
t_is "$(printf '%s' "$T_OUT" | got)" "$(printf '%s\n' "$want" | sort)" "every constraint's key and referenced columns, in key order"
t_like "$want" "public.t.t_check: tableoid,x" "(the CHECK's key holds the system column tableoid)"
t_ok "--exclude hidden" "$ORC" schema-docs --url "$PG_URL" --format json --exclude hidden
t_is "$(printf '%s' "$T_OUT" | got | grep fk_hidden)" "public.t.fk_hidden: w | id" "a key to a table left out is named too"
t_ok "--schema public" "$ORC" schema-docs --url "$PG_URL" --format json --schema public
t_is "$(printf '%s' "$T_OUT" | got | grep fk_other)" "public.t.fk_other: x,y | b,a" "and a key to a table of a schema not documented"
t_done
