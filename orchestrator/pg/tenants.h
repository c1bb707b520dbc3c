/*
 * tenants: the same migrations applied to many tenant schemas (one schema per tenant).
 *
 * Each tenant schema keeps its own flyway_schema_history (the engine run with --schema
 * set to the tenant), so a tenant can be inspected or migrated with Flyway itself, and
 * each run takes that table's own advisory lock: two runners never migrate the same
 * tenant at once, while different tenants proceed side by side. ${tenant} names the
 * tenant in the SQL, as ${flyway:defaultSchema} does.
 *
 * The runs go over `jobs` worker threads, each tenant on its own connection; a failing
 * tenant is recorded and the others go on. The report holds one outcome per tenant in the
 * order given, so callers can print a summary naming every failed tenant.
 *
 * Tenant names are schema names limited to [A-Za-z_][A-Za-z0-9_]{0,62}: they become
 * identifiers and ${tenant} text in SQL, so nothing else is accepted.
 */
#ifndef ORC_PG_TENANTS_H
#define ORC_PG_TENANTS_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "pg/migrate.h"

typedef enum { TENANTS_MIGRATE, TENANTS_INFO, TENANTS_VALIDATE } tenants_op;

typedef struct tenant_outcome {
	char *name;
	int rc;        /* 0, or the exit code of this tenant's run */
	int applied;   /* migrate: migrations applied */
	int pending;   /* info: migrations pending */
	char *version; /* info: the schema's version, NULL when empty */
	char *error;   /* the run's one-line error, NULL on success */
	double ms;
} tenant_outcome;

typedef struct tenants_report {
	tenant_outcome *v;
	size_t n;
	size_t failed;
	double ms; /* wall time of the whole run */
} tenants_report;

/* ORC_EUSAGE unless name is an acceptable tenant schema name. */
int tenants_check_name(const char *name, err *e);
/* "a,b,c" into names (heap array of heap strings, appended). */
int tenants_parse_list(const char *csv, char ***names, size_t *n, err *e);
/* The first column of every row of sql (run on url) into names (appended). */
int tenants_query(const char *url, const char *sql, char ***names, size_t *n, err *e);
void tenants_free_names(char **names, size_t n);

/* Runs op on every tenant over jobs connections (jobs < 1: 1). base gives everything but
 * the schema; its placeholders are copied and ${tenant} added per tenant. Returns 0 when
 * every tenant succeeded, else ORC_EFAIL (the report names them). */
int tenants_run(tenants_op op, const migrate_opts *base, char *const *names, size_t n, int jobs,
                tenants_report *out);
void tenants_report_free(tenants_report *r);

#endif
