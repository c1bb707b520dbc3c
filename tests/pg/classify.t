#!/usr/bin/env bash
# Statements PostgreSQL refuses inside a transaction block, found from its own parse tree
# (pg/parse.h), on the real server: each of these migrations failed with the former
# keyword classifier ("... cannot run inside a transaction block"). And a ';' inside
# parentheses (CREATE RULE ... DO ALSO (...; ...)) does not end a statement.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/pg.sh"

pg_newdb
D=$T_TMP/sql
mkdir -p "$D"
m() { "$ORC" "$1" --url "$PG_URL" --locations "$D" "${@:2}"; }
q() { psql -X -q -At -c "$1"; }

cat >"$D/V1__tables.sql" <<'SQL'
CREATE TABLE a (id int PRIMARY KEY);
CREATE TABLE a_log (id int);
CREATE TABLE a_audit (id int);
CREATE RULE a_copy AS ON INSERT TO a DO ALSO (INSERT INTO a_log VALUES (NEW.id); INSERT INTO a_audit VALUES (NEW.id));
SQL
printf -- '-- rebuilds every index of the schema\nREINDEX SCHEMA public;\n' >"$D/V2__reindex_schema.sql"
printf 'CLUSTER;\n' >"$D/V3__cluster_all.sql"
t_ok "migrate applies the rule, REINDEX SCHEMA and CLUSTER" m migrate
t_like "$T_ERR" 'V2__reindex_schema.sql: runs outside a transaction because it holds REINDEX SCHEMA' "REINDEX SCHEMA runs outside a transaction, with the warning"
t_like "$T_ERR" 'V3__cluster_all.sql: runs outside a transaction because it holds CLUSTER' "so does CLUSTER without a table"
t_is "$(q "select string_agg(version || ':' || success, ',' order by installed_rank) from flyway_schema_history where version is not null")" "1:true,2:true,3:true" "all three recorded as successful"
q "INSERT INTO a VALUES (7)" >/dev/null
t_is "$(q "select (select count(*) from a_log) || ',' || (select count(*) from a_audit)")" "1,1" "the rule holds both of its actions (the ';' inside parentheses did not split it)"

# A statement the parser cannot read is not refused by itself: the server judges it.
printf 'CREATE TABLE b (id int);\nSELEC 1;\n' >"$D/V4__typo.sql"
t_run m migrate
t_is "$T_RC" 1 "an unreadable statement goes to the server, which refuses it"
t_like "$T_ERR" 'V4__typo.sql:2: migration V4 typo failed: .*syntax error at or near "SELEC"' "the server's error names file and line"
t_is "$(q "select count(*) from pg_class where relname = 'b'")" 0 "and the migration was rolled back in its transaction"
t_done
