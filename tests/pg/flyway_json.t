#!/usr/bin/env bash
# --output json of migrate, validate, baseline and repair with the field names of Flyway's
# -outputType=json (its MigrateResult, ValidateResult, BaselineResult, RepairResult and
# their MigrateOutput, ValidateOutput, RepairOutput entries), on a real server (issue 12).
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/pg.sh"

q() { psql -X -q -At -c "$1"; }
# jq_is JSON FILTER WANT DESC: the compact jq result of FILTER equals WANT
jq_is() { t_is "$(printf '%s' "$1" | jq -c "$2" 2>&1)" "$3" "$4"; }

pg_newdb
D=$T_TMP/sql
mkdir -p "$D"
m() { "$ORC" "$1" --url "$PG_URL" --locations "$D" --output json "${@:2}"; }
echo 'CREATE TABLE a (id int);' >"$D/V1__first.sql"
echo 'CREATE TABLE b (id int);' >"$D/V2__second.sql"
echo 'CREATE OR REPLACE VIEW rv AS SELECT 1 AS one;' >"$D/R__the_view.sql"

t_run m migrate
t_is "$T_RC" 0 "migrate --output json"
jq_is "$T_OUT" '[.operation, .database, .schemaName, .initialSchemaVersion, .targetSchemaVersion, .migrationsExecuted, .success, .ok, .exitCode, .error]' \
	"[\"migrate\",\"$PGDATABASE\",\"public\",null,\"2\",3,true,true,0,null]" "MigrateResult's fields (targetSchemaVersion: the last versioned one executed)"
jq_is "$T_OUT" '[.migrations[] | [.category, .version, .description, .type, (.filepath | length > 0), (.executionTime >= 0)]]' \
	'[["Versioned","1","first","SQL",true,true],["Versioned","2","second","SQL",true,true],["Repeatable","","the view","SQL",true,true]]' \
	"migrations[] as Flyway's MigrateOutput (a repeatable's version is \"\")"
jq_is "$T_OUT" '.migrations[0].filepath' "\"$D/V1__first.sql\"" "filepath is the file's path"
jq_is "$T_OUT" 'has("applied") or has("command")' false "our older names for the same facts are gone (applied, command)"

echo 'CREATE TABLE c (id int);' >"$D/V3__third.sql"
t_run m migrate
jq_is "$T_OUT" '[.initialSchemaVersion, .targetSchemaVersion, .migrationsExecuted]' '["2","3",1]' "a second run: from 2 to 3"
t_run m migrate
jq_is "$T_OUT" '[.initialSchemaVersion, .targetSchemaVersion, .migrationsExecuted, .migrations]' '["3",null,0,[]]' "nothing to do: no target, no migrations"

echo 'CREATE TABLE d (id int);' >"$D/V4__fourth.sql"
echo 'SELECT 1/0;' >"$D/V5__broken.sql"
t_run m migrate
t_is "$T_RC" 1 "a failing migration: exit 1"
jq_is "$T_OUT" '[.success, .ok, .migrationsExecuted, [.migrations[].version], (.file | endswith("V5__broken.sql")), (.error | test("division by zero"))]' \
	'[false,false,1,["4"],true,true]' "the failure: success false, what ran before it, the file and the error"
rm "$D/V5__broken.sql"

# validate: ValidateResult
t_run m validate
t_is "$T_RC" 0 "validate --output json"
jq_is "$T_OUT" '[.operation, .validationSuccessful, .validateCount, .invalidMigrations, .errorDetails]' \
	'["validate",true,5,[],null]' "ValidateResult on a clean history (validateCount: every migration, as Flyway)"
echo '-- changed' >>"$D/V2__second.sql"
rm "$D/V3__third.sql"
t_run m validate
t_is "$T_RC" 1 "validate with problems: exit 1"
jq_is "$T_OUT" '[.validationSuccessful, .validateCount, .errorDetails.errorCode, .errorDetails.errorMessage]' \
	'[false,0,"VALIDATE_ERROR","Migrations have failed validation"]' "errorDetails as Flyway's"
jq_is "$T_OUT" '[.invalidMigrations[] | [.version, .description, .errorDetails.errorCode]]' \
	'[["2","second","CHECKSUM_MISMATCH"],["3","third","APPLIED_VERSIONED_MIGRATION_NOT_RESOLVED"]]' \
	"invalidMigrations[]: version, description and Flyway's error codes"
jq_is "$T_OUT" '[(.invalidMigrations[0].filepath | endswith("V2__second.sql")), .invalidMigrations[1].filepath, (.invalidMigrations[0].errorDetails.errorMessage | test("checksum mismatch"))]' \
	'[true,"",true]' "filepath (empty for a file that is gone) and our message"

# repair: RepairResult
q "INSERT INTO flyway_schema_history VALUES (99, '9', 'failed one', 'SQL', 'V9__failed_one.sql', 1, 'x', now(), 1, false)"
t_run m repair
t_is "$T_RC" 0 "repair --output json"
jq_is "$T_OUT" '[.operation, .repairActions]' \
	'["repair",["Removed failed migrations","Marked missing migrations as deleted","Aligned applied migration checksums"]]' \
	"repairActions: Flyway's sentences in its order"
jq_is "$T_OUT" '[.migrationsRemoved[].version, .migrationsDeleted[].version, .migrationsAligned[].version]' '["9","3","2"]' \
	"migrationsRemoved, migrationsDeleted, migrationsAligned"
jq_is "$T_OUT" '[.migrationsDeleted[0].description, .migrationsDeleted[0].filepath, (.migrationsAligned[0].filepath | endswith("V2__second.sql"))]' \
	'["third","",true]' "each as Flyway's RepairOutput (version, description, filepath)"
t_run m repair
jq_is "$T_OUT" '[.repairActions, .migrationsRemoved, .migrationsDeleted, .migrationsAligned]' '[[],[],[],[]]' "nothing left to repair: empty lists"

# baseline: BaselineResult
pg_newdb
t_run "$ORC" baseline --url "$PG_URL" --baseline-version 7 --output json
t_is "$T_RC" 0 "baseline --output json"
jq_is "$T_OUT" '[.operation, .successfullyBaselined, .baselineVersion, .ok]' '["baseline",true,"7",true]' "BaselineResult's fields"
t_run "$ORC" baseline --url "$PG_URL" --baseline-version 7 --output json
jq_is "$T_OUT" '[.successfullyBaselined, .baselineVersion]' '[true,"7"]' "already baselined at that version: done, as Flyway"
t_run "$ORC" baseline --url "$PG_URL" --baseline-version 8 --output json
t_is "$T_RC" 1 "baselining a used history again: exit 1"
jq_is "$T_OUT" '[.successfullyBaselined, .baselineVersion, .ok]' '[false,null,false]' "not baselined"

# info: InfoResult's operation and database besides its fields
t_run "$ORC" info --url "$PG_URL" --output json
jq_is "$T_OUT" '[.operation, .database, .schemaName, .schemaVersion]' "[\"info\",\"$PGDATABASE\",\"public\",\"7\"]" "info: operation, database, schemaName, schemaVersion"
t_done
