#!/usr/bin/env bash
# Tenant schemas: 200 tenants from --tenants-query migrated over 4 connections with one
# tenant failing (the others all done; exit 1 naming it), each tenant its own
# Flyway-shaped history, ${tenant} and ${flyway:defaultSchema} substituted, info per
# tenant, migrate --tenant X for one, two concurrent runs over the same tenants (each
# tenant's advisory lock: every migration recorded once), --tenant-locations beside
# --locations, and bad tenant names refused before anything runs.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/pg.sh"
pg_newdb
D=$T_TMP/tenant S=$T_TMP/shared
mkdir -p "$D" "$S"
q() { psql -X -q -At -c "$1"; }
cat >"$D/V1__accounts.sql" <<'SQL'
CREATE TABLE ${flyway:defaultSchema}.accounts (id int PRIMARY KEY, owner text NOT NULL DEFAULT '${tenant}');
SQL
cat >"$D/V2__maybe_fail.sql" <<'SQL'
DO $$ BEGIN IF EXISTS (SELECT 1 FROM ctl.refuse WHERE tenant = '${tenant}') THEN RAISE EXCEPTION 'tenant ${tenant} refuses V2'; END IF; END $$;
CREATE TABLE orders (id int PRIMARY KEY, account int REFERENCES accounts);
SQL
q "create schema ctl; create table ctl.refuse (tenant text); insert into ctl.refuse values ('t_013')"
TQ="select 't_' || lpad(i::text, 3, '0') from generate_series(1, 200) i"

t_run "$ORC" migrate --url "$PG_URL" --tenant-locations "$D" --tenants-query "$TQ" --jobs 4
t_is "$T_RC" 1 "200 tenants, one failing: exit 1"
t_like "$T_ERR" 'migrate: 1 of 200 tenants failed: t_013$' "the summary names the failed tenant"
t_like "$T_ERR" 'tenant t_013: .*V2__maybe_fail.sql.*tenant t_013 refuses V2' "its error names the file and the reason"
t_is "$(printf '%s\n' "$T_OUT" | grep -c '^tenant t_[0-9]*: 2 migrations applied')" 199 "the 199 others are fully migrated"
t_is "$(q "select count(*) from pg_tables where tablename = 'flyway_schema_history' and schemaname like 't\_%'")" 200 \
	"each tenant schema has its own flyway_schema_history"
t_is "$(q "select count(*) from information_schema.columns where table_name = 'flyway_schema_history' and table_schema = 't_042'")" 10 \
	"with Flyway's ten columns"
t_is "$(q "select string_agg(version || ':' || success, ',' order by installed_rank) from t_013.flyway_schema_history where type = 'SQL'")" "1:true" \
	"t_013 keeps V1 only (V2 rolled back)"
t_is "$(q "select string_agg(version, ',' order by installed_rank) from t_150.flyway_schema_history where type = 'SQL'")" "1,2" \
	"t_150 has V1 and V2"
t_is "$(q "select column_default from information_schema.columns where table_schema = 't_077' and table_name = 'accounts' and column_name = 'owner'")" "'t_077'::text" \
	'${tenant} became the tenant name'
t_is "$(q "select count(*) from pg_tables where tablename = 'orders' and schemaname like 't\_%'")" 199 \
	'unqualified names land in the tenant schema (${flyway:defaultSchema} leads search_path)'

t_run "$ORC" info --url "$PG_URL" --tenant-locations "$D" --tenants t_012,t_013
t_is "$T_RC" 0 "info --tenants"
t_like "$T_OUT" 'tenant t_012: version 2, 0 pending' "info: a migrated tenant"
t_like "$T_OUT" 'tenant t_013: version 1, 1 pending' "info: the failed tenant's state"
t_run "$ORC" info --url "$PG_URL" --tenant-locations "$D" --tenants t_013 --json
t_is "$(printf '%s' "$T_OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin)[0]; print(d["tenant"], d["schemaVersion"], d["pending"])')" "t_013 1 1" "info --json per tenant"

q "delete from ctl.refuse"
t_ok "migrate --tenant t_013 once fixed" "$ORC" migrate --url "$PG_URL" --tenant-locations "$D" --tenant t_013
t_like "$T_OUT" 'tenant t_013: 1 migration applied' "only that tenant ran"
t_unlike "$T_OUT" 't_012' "no other tenant touched"
t_ok "validate over every tenant" "$ORC" validate --url "$PG_URL" --tenant-locations "$D" --tenants-query "$TQ" --jobs 8

# Two runners over the same tenants at once: each tenant's own advisory lock.
printf 'SELECT pg_sleep(0.02);\nCREATE TABLE ${tenant}.notes (id int);\n' >"$D/V3__notes.sql"
"$ORC" migrate --url "$PG_URL" --tenant-locations "$D" --tenants-query "$TQ limit 30" --jobs 3 >"$T_TMP/a.out" 2>&1 &
A=$!
"$ORC" migrate --url "$PG_URL" --tenant-locations "$D" --tenants-query "$TQ limit 30" --jobs 3 >"$T_TMP/b.out" 2>&1
B=$?
wait $A
t_is "$?,$B" "0,0" "two concurrent runs over 30 tenants both succeed"
t_is "$(q "select count(*) from (select 1 from pg_namespace n, lateral (select 1) x where n.nspname like 't\_%') s")" 200 "no tenant schema lost"
t_is "$(for i in 001 015 030; do q "select count(*) from t_$i.flyway_schema_history where version = '3'"; done | tr '\n' ,)" "1,1,1," \
	"V3 recorded exactly once per tenant"

# Shared migrations to --schema first, then the tenants.
echo 'CREATE TABLE plans (id int);' >"$S/V1__plans.sql"
t_ok "--locations and --tenant-locations together" "$ORC" migrate --url "$PG_URL" --locations "$S" --tenant-locations "$D" --tenants t_201
t_is "$(q "select count(*) from public.flyway_schema_history where version = '1'"),$(q "select count(*) from t_201.flyway_schema_history where version = '3'")" "1,1" \
	"shared migrations in public, tenant migrations in the tenant"

t_run "$ORC" migrate --url "$PG_URL" --tenant-locations "$D" --tenants 'good,bad-name'
t_is "$T_RC" 2 "a tenant name that is not a plain identifier: usage error"
t_like "$T_ERR" "tenant 'bad-name': not a tenant schema name" "naming it"
t_run "$ORC" migrate --url "$PG_URL" --tenant-locations "$D" --tenants-query "select 'x; drop table y'"
t_is "$T_RC" 2 "a query returning a bad name is refused too"
t_run "$ORC" migrate --url "$PG_URL" --tenant-locations "$D" --tenants a --jobs 0
t_is "$T_RC" 2 "--jobs 0: usage error"
t_run "$ORC" repair --url "$PG_URL" --tenants a
t_is "$T_RC" 2 "repair with tenants: usage error"
t_done
