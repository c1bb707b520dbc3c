/*
 * migrate: the Flyway-compatible engine behind migrate, info, validate, baseline and
 * repair.
 *
 * One options struct in, an exit code and an err out, so that any caller (the migrate
 * command, or the ECS task entry that first clones a branch and reads credentials and
 * placeholder values from Secrets Manager) drives the same engine. Each call connects,
 * works, and disconnects.
 *
 * migrate: takes Flyway's advisory lock, creates the history table when absent, validates
 * what was applied against the files, then runs pending versioned migrations in version
 * order and new or changed repeatables by description. A migration, its history row and
 * the restored search_path go to the server as one pipeline (one round trip): BEGIN, each
 * statement, the INSERT, COMMIT. A failure rolls it back and names file, line, SQLSTATE
 * and message. A migration holding a statement that cannot run in a transaction runs
 * statement by statement outside one, with a warning, as Flyway does (a failure there
 * leaves a failed row for `repair`).
 */
#ifndef ORC_PG_MIGRATE_H
#define ORC_PG_MIGRATE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "pg/placeholder.h"

typedef struct migrate_opts {
	const char *url;              /* conninfo or URI; NULL: PG* variables */
	const char *const *locations; /* folders to scan; NULL/0: {"sql"} */
	size_t n_locations;
	const char *schema;                  /* NULL: current_schema() */
	const char *table;                   /* NULL: flyway_schema_history */
	const placeholder_set *placeholders; /* may be NULL */
	const char *target;                  /* highest version to apply; NULL: latest */
	int out_of_order;                    /* apply pending versions below the highest applied */
	const char *baseline_version;        /* baseline: NULL: "1" */
	const char *baseline_description;    /* baseline: NULL: "<< Flyway Baseline >>" */
	int baseline_on_migrate;       /* migrate: baseline a used schema without history first */
	const char *installed_by;      /* NULL: current_user */
	int json;                      /* info: JSON on stdout */
	buf *json_out;                 /* info with json: append the JSON here instead of stdout */
	const char *environment;       /* ${flyway:environment}; NULL: "default" */
	int validate_migration_naming; /* a .sql name that is no migration is an error */
	int fail_on_missing_locations; /* a location that cannot be read is an error */
	int mixed;         /* allow a file mixing transactional and non-transactional statements */
	int clean_enabled; /* clean runs only when set (Flyway's cleanDisabled=false) */
	const char *const *schemas; /* clean: managed schemas besides the history's (Flyway's
	                               schemas after the first) */
	size_t n_schemas;
	/* --output json of migrate, validate, baseline and repair: the engine adds Flyway's
	 * -outputType=json result fields here (MigrateResult, ValidateResult, BaselineResult,
	 * RepairResult); NULL: none. */
	struct cJSON *result;
} migrate_opts;

typedef struct migrate_result {
	int applied;     /* migrations applied by this run */
	char *fail_file; /* the failing migration's path, for annotations (heap) */
	int fail_line;   /* its line, 0 when unknown */
} migrate_result;

int migrate_run(const migrate_opts *o, migrate_result *res, err *e);
int migrate_info(const migrate_opts *o, err *e);
int migrate_validate(const migrate_opts *o, err *e);
int migrate_baseline(const migrate_opts *o, err *e);
int migrate_repair(const migrate_opts *o, err *e);
void migrate_result_free(migrate_result *res);

/* What clean did: the schemas emptied and the schemas dropped (Flyway's CleanResult). */
typedef struct migrate_clean_result {
	char **cleaned, **dropped;
	size_t n_cleaned, n_dropped;
	size_t cleaned_cap, dropped_cap;
} migrate_clean_result;

/* Flyway's clean (see pg/clean.c): refused (ORC_EUSAGE) unless o->clean_enabled. */
int migrate_clean(const migrate_opts *o, migrate_clean_result *res, err *e);
void migrate_clean_result_free(migrate_clean_result *res);

/* What migrate would do, for the dry run and lint: the pending migrations in the order
 * migrate applies them, and the facts their history rows would carry. */
typedef struct migrate_step {
	char *path, *script;
	char *version; /* NULL for a repeatable */
	char *description;
	int32_t checksum;
	const char *type; /* the history row type: "SQL", or "SQL_BASELINE" (static) */
} migrate_step;

typedef struct migrate_plan {
	migrate_step *steps;
	size_t n;
	char *schema, *table; /* the history table, unquoted */
	int table_exists;     /* 0: migrate would create it first */
	int next_rank;        /* installed_rank of the first new row */
	char *installed_by;
	int server_version;
	placeholder_set placeholders; /* the caller's and Flyway's built-ins, as migrate uses */
} migrate_plan;

/* Connects and reads the history without taking the lock, creating or writing anything;
 * refuses what migrate would refuse (validation problems) with the same errors. */
int migrate_plan_read(const migrate_opts *o, migrate_plan *out, err *e);
void migrate_plan_free(migrate_plan *p);

#endif
