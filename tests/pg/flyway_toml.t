#!/usr/bin/env bash
# flyway.toml read as Flyway 10 reads it (issue 12), against a real server: the setups of
# Flyway's documentation ([environments.NAME] + [flyway], environment chosen by
# --environment / FLYWAY_ENVIRONMENT / flyway_environment / flyway.environment), Flyway's
# precedence (command line > environment > files), ${env.NAME}, the password kept out of
# output, the file found at the repository root from a subdirectory (flyway.conf too),
# and the strict reader refusing what it does not read with file:line.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/pg.sh"

q() { psql -X -q -At -c "$1"; }
in_dir() { # in_dir DIR CMD...: CMD in DIR without PGDATABASE (the files name the database)
	local d=$1
	shift
	(cd "$d" && env -u PGDATABASE "$@")
}

pg_newdb
DB=$PGDATABASE
P=$T_TMP/proj
mkdir -p "$P/sql" "$P/sql_test"
echo 'CREATE TABLE t1 (id int);' >"$P/sql/V1__first.sql"
echo 'CREATE VIEW env_v AS SELECT ${flyway:environment}::text AS env, ${owner}::text AS owner;' >"$P/sql/V2__env_view.sql"
sed -i "s/\${flyway:environment}/'\${flyway:environment}'/" "$P/sql/V2__env_view.sql"
echo 'CREATE TABLE only_test (id int);' >"$P/sql_test/V3__only_test.sql"

# ---- Flyway's documented setup: environments, [flyway], [flyway.placeholders]
cat >"$P/flyway.toml" <<TOML
# More information on the parameters can be found here: https://documentation.red-gate.com/flyway/reference/configuration

[environments.env1]
url = "jdbc:postgresql://127.0.0.1:$PGPORT/$DB"
user = "postgres"
password = "toml-s3cret-1"
schemas = ["app1", "other"]
# driver =

[environments.test]
url = 'jdbc:postgresql://127.0.0.1:$PGPORT/$DB'   # literal string
user = "postgres"
password = "\${env.TEST_DB_PASSWORD}"
schemas = [
    "apptest",   # the history goes in the first one
]

[environments.test.flyway]
locations = ["filesystem:sql", "filesystem:sql_test"]

[flyway]
environment = "env1"
locations = ["filesystem:sql"]
mixed = false
baselineOnMigrate = false
installedBy = "toml \\u0041dmin"

[flyway.placeholders]
owner = "'ann'"
TOML
t_run in_dir "$P" "$ORC" migrate
t_is "$T_RC" 0 "migrate reads ./flyway.toml (environment env1 from [flyway])"
t_is "$(q "select env || '/' || owner from app1.env_v")" "env1/ann" "url, schemas, locations and placeholders came from it; \${flyway:environment} is env1"
t_is "$(q "select installed_by from app1.flyway_schema_history where version = '1'")" "toml Admin" "a basic string's \\u escape is decoded"
t_unlike "$T_OUT$T_ERR" 'toml-s3cret' "the password never reaches output"

t_run in_dir "$P" "$ORC" info --environment test
t_like "$T_RC:$T_ERR" "^2:.*flyway.toml:13: \\\$\\{env.TEST_DB_PASSWORD\\}: the environment variable TEST_DB_PASSWORD is not set" "\${env.NAME} of an unset variable is an error naming file:line"
t_run in_dir "$P" env TEST_DB_PASSWORD=from-env-s3cret "$ORC" migrate --environment test
t_is "$T_RC" 0 "--environment test"
t_is "$(q "select string_agg(version, ',' order by version) from apptest.flyway_schema_history where type = 'SQL'")" "1,2,3" "its schemas and its [environments.test.flyway] locations win over [flyway]"
t_is "$(q "select env from apptest.env_v")" test "\${flyway:environment} is the chosen environment"
t_run in_dir "$P" env FLYWAY_ENVIRONMENT=test TEST_DB_PASSWORD=x "$ORC" info
t_like "$T_RC:$T_OUT" '^0:Schema apptest' "FLYWAY_ENVIRONMENT chooses it too"
t_run in_dir "$P" env flyway_environment=test TEST_DB_PASSWORD=x "$ORC" info
t_like "$T_RC:$T_OUT" '^0:Schema apptest' "and Flyway's lower-case flyway_environment"
t_run in_dir "$P" env FLYWAY_ENVIRONMENT=test "$ORC" info --environment env1
t_like "$T_RC:$T_OUT" '^0:Schema app1' "--environment wins over FLYWAY_ENVIRONMENT"
t_run in_dir "$P" env FLYWAY_SCHEMAS=other "$ORC" info
t_like "$T_RC:$T_OUT" '^0:Schema other' "FLYWAY_SCHEMAS wins over the environment's schemas"
t_run in_dir "$P" env FLYWAY_SCHEMAS=other "$ORC" info --schema app1
t_like "$T_RC:$T_OUT" '^0:Schema app1' "the command line wins over both"
t_run in_dir "$P" "$ORC" info --environment Test
t_like "$T_RC:$T_ERR" "^2:.*environment 'Test' is not defined in flyway.toml .*defined: env1, test.*did you mean 'test'" "an unknown environment is an error listing the defined ones, with a did-you-mean"

# ---- found at the repository root from a subdirectory; locations relative to the root
mkdir -p "$P/.git" "$P/sql/sub"
t_run in_dir "$P/sql/sub" "$ORC" info
t_like "$T_RC:$T_OUT" '^0:Schema app1' "from a subdirectory the root's flyway.toml is read"
t_like "$T_OUT" 'first .*Success' "and its relative locations are the root's folders"
mv "$P/flyway.toml" "$T_TMP/named.toml"
t_run in_dir "$P/sql/sub" "$ORC" info
t_unlike "$T_RC:$T_OUT" '^0:Schema app1' "(without it, no setup is read)"
t_run in_dir "$P" "$ORC" info --config-files "$T_TMP/named.toml"
t_like "$T_RC:$T_OUT" '^0:Schema app1' "--config-files names a .toml file"
t_run in_dir "$P" env FLYWAY_CONFIG_FILES="$T_TMP/named.toml" "$ORC" info
t_like "$T_RC:$T_OUT" '^0:Schema app1' "so does Flyway's FLYWAY_CONFIG_FILES"
t_run in_dir "$P" env FLYWAY_CONFIG_FILES="$T_TMP/none.toml" "$ORC" info --config-files "$T_TMP/named.toml"
t_like "$T_RC:$T_OUT" '^0:Schema app1' "--config-files wins over FLYWAY_CONFIG_FILES"
cat >"$P/flyway.conf" <<CONF
flyway.url=jdbc:postgresql://127.0.0.1:$PGPORT/$DB
flyway.schemas=app1
flyway.locations=filesystem:sql
CONF
t_run in_dir "$P/sql/sub" "$ORC" info
t_like "$T_RC:$T_OUT" '^0:Schema app1' "flyway.conf is found at the repository root the same way"
rm "$P/flyway.conf"

# ---- the reader is strict: anything outside the subset is one line naming file:line
bad() { # bad LINE... : a flyway.toml made of these lines, read by info
	printf '%s\n' "$@" >"$P/flyway.toml"
	t_run in_dir "$P" "$ORC" info
}
bad '[flyway]' 'locaitons = ["filesystem:sql"]'
t_like "$T_RC:$T_ERR" "^2:.*flyway.toml:2: unknown setting 'flyway.locaitons' \\(did you mean 'locations'\\?\\)" "an unknown key: file:line and a did-you-mean"
bad '[environments.default]' 'url = "x"' 'usr = "y"'
t_like "$T_RC:$T_ERR" "^2:.*flyway.toml:3: unknown setting 'usr' in \\[environments.default\\] \\(did you mean 'user'\\?\\)" "an unknown environment key too"
bad '[environments.default]' 'connectRetries = 3'
t_like "$T_RC:$T_ERR" "^2:.*flyway.toml:2: 'connectRetries' is a Flyway setting this engine does not read" "a Flyway setting not read here is named as such"
bad '[flyway]' 'url = "jdbc:postgresql://h/db"'
t_like "$T_RC:$T_ERR" "^2:.*flyway.toml:2: 'url' is not a \\[flyway\\] setting .*\\[environments.NAME\\]" "url in [flyway] points to [environments.NAME]"
bad '[flyway]' 'placeholders = { owner = "x" }'
t_like "$T_RC:$T_ERR" "^2:.*flyway.toml:2: inline tables" "inline tables are refused"
bad '[flyway]' 'table = """history"""'
t_like "$T_RC:$T_ERR" "^2:.*flyway.toml:2: multi-line strings" "multi-line strings are refused"
bad '[flyway]' 'baselineVersion = 1.5'
t_like "$T_RC:$T_ERR" "^2:.*flyway.toml:2: not a value read here" "floats are refused"
bad '[[flyway]]'
t_like "$T_RC:$T_ERR" "^2:.*flyway.toml:1: arrays of tables" "arrays of tables are refused"
bad '[flyway]' 'table = "a"' '' 'table = "b"'
t_like "$T_RC:$T_ERR" "^2:.*flyway.toml:4: 'flyway.table' is already set at line 2" "a key given twice is refused"
bad '[flyway]' 'table = "a" extra'
t_like "$T_RC:$T_ERR" "^2:.*flyway.toml:2: unexpected text after the value" "text after a value is refused"
bad '[flyway]' 'table = ["a", "b"]'
t_like "$T_RC:$T_ERR" "^2:.*flyway.toml:2: this setting takes one value" "an array for a single value is refused"
bad '[flyway]' 'locations = ["filesystem:sql",' '  "filesystem:sql_test"'
t_like "$T_RC:$T_ERR" "^2:.*flyway.toml:.*array not closed" "an unclosed array is refused"
bad 'id = "a1b2"' 'databaseType = "PostgreSql"' '[flywayDesktop]' 'developmentEnvironment = "development"' '[redgateCompare.postgresql.options.ignores]' 'ignoreNewlinesInTextObjects = "off"' '[flyway]' "locations = ['filesystem:sql']"
t_is "$T_RC" 0 "Flyway Desktop's own entries in the same file are left alone"
t_done
