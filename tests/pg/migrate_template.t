#!/usr/bin/env bash
# migrate on a real server with the template's own sample migrations (nested folders,
# placeholders, one repeatable) and with pagila's schema split into migrations.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/pg.sh"

pg_newdb
db=$PGDATABASE
# The template creates cluster-wide roles: drop them when done (the database first).
t_defer "psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)' -c 'DROP ROLE IF EXISTS read_only' -c 'DROP ROLE IF EXISTS sample_application' >/dev/null 2>&1"
psql -X -q -d postgres -c 'DROP ROLE IF EXISTS read_only' -c 'DROP ROLE IF EXISTS sample_application' >/dev/null 2>&1
SQL=$SHARED/data/template-sql
hist() { psql -X -At -c "select $1 from flyway_schema_history order by installed_rank"; }
rows() { psql -X -At -c "select count(*) from flyway_schema_history" 2>/dev/null || echo none; }

# An unresolved placeholder stops before anything runs, naming file and line.
t_run "$ORC" migrate --url "$PG_URL" --locations "$SQL" --placeholder READ_ONLY_PASSWORD=ro-secret-1
t_is "$T_RC" 2 "an unresolved placeholder is a usage error"
t_like "$T_ERR" 'V1.0.0__CreateReadOnlyUser.sql:2: no value for placeholder \$\{DATABASE_NAME\}' "it names file, line and placeholder"
t_is "$(rows)" 0 "nothing was applied (the history table exists, empty)"
t_unlike "$T_OUT$T_ERR" 'ro-secret-1' "placeholder values never reach output"

export FLYWAY_PLACEHOLDERS_DATABASE_NAME=$db
t_run "$ORC" migrate --url "$PG_URL" --locations "$SQL" --placeholder READ_ONLY_PASSWORD=ro-secret-1 \
	--placeholder SAMPLE_APPLICATION_PASSWORD=app-secret-2
t_is "$T_RC" 0 "the template's migrations apply (placeholders from options and FLYWAY_PLACEHOLDERS_*)"
t_unlike "$T_OUT$T_ERR" 'ro-secret-1|app-secret-2' "placeholder values never reach output"
t_is "$(hist "coalesce(version,'-')||' '||description||' '||type||' '||script||' '||success")" \
"1.0.0 CreateReadOnlyUser SQL v1.0/V1.0.0__CreateReadOnlyUser.sql true
1.0.1 CreateSampleTable SQL v1.0/Sample/V1.0.1__CreateSampleTable.sql true
1.0.2 CreateSampleApplicationUser SQL v1.0/Sample/V1.0.2__CreateSampleApplicationUser.sql true
- InsertSample p SQL stored-procedures/Sample/R__InsertSample_p.sql true" \
	"history rows: versions in order, repeatable last, script relative to the location"
t_is "$(psql -X -At -c "select insert_sample_p('hello'); select message from sample")" "1
hello" "the sample table and the repeatable's function work"
t_is "$(psql -X -At -c "select has_database_privilege('read_only', '$db', 'CONNECT')")" t \
	"the placeholder became the database name in GRANT"
want=$(python3 - "$SQL" <<'PY'
import os, re, sys, zlib
root = sys.argv[1]
out = []
for d, _, fs in os.walk(root):
    for f in fs:
        if f.endswith('.sql'):
            data = open(os.path.join(d, f), 'rb').read()
            if data.startswith(b'\xef\xbb\xbf'):
                data = data[3:]
            crc = 0
            for line in re.split(rb'\r\n|\r|\n', data):
                crc = zlib.crc32(line, crc)
            out.append((os.path.relpath(os.path.join(d, f), root), crc - (1 << 32) if crc >= 1 << 31 else crc))
for s, c in sorted(out):
    print(s, c)
PY
)
t_is "$(psql -X -At -F' ' -c 'select script, checksum from flyway_schema_history order by script')" "$want" \
	"recorded checksums equal an independent line-wise CRC-32 (Python zlib)"
t_run "$ORC" migrate --url "$PG_URL" --locations "$SQL" --placeholder READ_ONLY_PASSWORD=x1234 --placeholder SAMPLE_APPLICATION_PASSWORD=y1234
t_is "$T_RC" 0 "a second run succeeds"
t_like "$T_OUT" 'up to date: version 1.0.2' "and finds nothing to do"
t_is "$(rows)" 4 "no new rows"
t_ok "validate passes on the migrated template" "$ORC" validate --url "$PG_URL" --locations "$SQL"
t_run "$ORC" info --url "$PG_URL" --locations "$SQL"
t_is "$(printf '%s\n' "$T_OUT" | grep -c '| Success')" 4 "info: four migrations in state Success"

# pagila: a realistic schema cut into migrations at its pg_dump object headers.
pg_newdb
mkdir -p "$T_TMP/pagila"
python3 - "$SHARED/data/pagila/pagila-schema.sql" "$T_TMP/pagila" <<'PY'
import re, sys
s = open(sys.argv[1], encoding='utf-8').read()
parts = re.split(r'(?m)^(?=--\n-- Name: )', s)
n = 12
size = (len(parts) + n - 1) // n
for i in range(n):
    chunk = ''.join(parts[i * size:(i + 1) * size])
    if chunk:
        open(f'{sys.argv[2]}/V1_{i + 1}__pagila_part_{i + 1}.sql', 'w', encoding='utf-8').write(chunk)
PY
t_ok "pagila's schema, split into 12 migrations, applies" "$ORC" migrate --url "$PG_URL" --locations "$T_TMP/pagila"
objects() {
	psql -X -At -d "$1" -c "select c.relkind, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
		where n.nspname = 'public' and c.relname not like 'flyway_schema_history%' union all
		select 'f', p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' from pg_proc p
		join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public' order by 1, 2"
}
ours=$PGDATABASE
pg_newdb
psql -X -q -v ON_ERROR_STOP=1 -f "$SHARED/data/pagila/pagila-schema.sql" >/dev/null 2>&1
t_is "$(objects "$ours" | md5sum)" "$(objects "$PGDATABASE" | md5sum)" "the same tables, views, sequences, indexes and functions as psql loading the dump"
t_is "$(psql -X -At -d "$ours" -c "select count(*) - 1 from pg_tables where schemaname = 'public'")" "$(psql -X -At -c "select count(*) from pg_tables where schemaname = 'public'")" "pagila's tables plus the history table"
t_is "$(psql -X -At -d "$ours" -c "select string_agg(version, ',' order by installed_rank) from flyway_schema_history")" \
	"1.1,1.2,1.3,1.4,1.5,1.6,1.7,1.8,1.9,1.10,1.11,1.12" "versions applied in numeric order (1.9 before 1.10)"
t_done
