/*
 * engine: the inside of pg/migrate, shared by its parts and by anything that wants the
 * engine's view of a database without running it (a dry run, the serve mode).
 *
 *   migrate.c   the commands: opening the engine, migrate/info/validate/baseline/repair
 *   classify.c  files lined up with history rows: a Flyway state and problems per row
 *   execute.c   reading, preparing and running the pending migrations
 *   present.c   info's table and JSON, migrate's labels and summary rows
 *
 * Not a public API: callers outside pg/ use migrate.h.
 */
#ifndef ORC_PG_ENGINE_H
#define ORC_PG_ENGINE_H

#include <libpq-fe.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "pg/discover.h"
#include "pg/history.h"
#include "pg/migrate.h"
#include "pg/placeholder.h"
#include "pg/sqlsplit.h"

/* Validation problems of one row (a bit mask). */
enum {
	P_CHANGED = 1,  /* applied file changed: checksum or description */
	P_FAILED = 2,   /* a failed row */
	P_MISSING = 4,  /* applied, no file */
	P_IGNORED = 8,  /* pending below the highest applied version */
	P_PENDING = 16, /* not applied yet */
};

typedef struct info_row {
	const pg_migration *file; /* NULL for a row without file */
	const pg_applied *row;    /* NULL for a file not applied */
	const char *state;
	int problems;
	int apply; /* migrate runs it */
} info_row;

typedef struct engine {
	const migrate_opts *o;
	int flags; /* ENGINE_* of engine_open */
	PGconn *c;
	pg_history h;
	pg_migrations m;
	int server_version;
	char *user;      /* installed_by of new rows: --installed-by, else the connected user */
	char *conn_user; /* the connected user (${flyway:user}, as Flyway) */
	char *session_user, *role; /* as connected (role "none" unless set for the login) */
	char *database, *search_path;
	placeholder_set ph; /* the caller's values and Flyway's built-ins, set on open */
	info_row *rows;
	size_t n_rows;
	unsigned batches;
	const char *baseline;    /* version of the last BASELINE row */
	const char *max_applied; /* highest successful version */
} engine;

/* One pending migration read and cut into statements. */
typedef struct prepared {
	info_row *row;
	buf text; /* placeholders replaced */
	sql_stmt *stmts;
	size_t n;
	const char *no_tx; /* the statement kind that forces running outside a transaction */
	int copy;          /* holds COPY ... FROM STDIN: cannot be pipelined */
	int resets_path;   /* may change search_path: restore it afterwards */
	int resets_role;   /* may change the role or session user: restore them */
} prepared;

#define SET_PATH_SQL "SELECT pg_catalog.set_config('search_path', $1, false)"
/* $1 the session user, $2 the role as connected. */
#define RESET_ROLE_SQL                                                                             \
	"SELECT pg_catalog.set_config('session_authorization', $1, false), "                       \
	"pg_catalog.set_config('role', $2, false)"

/* What engine_open does besides connecting. */
enum {
	ENGINE_FILES = 1, /* scan the locations (checksums) */
	ENGINE_TEXT = 2,  /* and keep every file's text (migrate reads each file once) */
	ENGINE_READ = 4,  /* read the history rows too (while the files are scanned) */
};

/* migrate.c. Connects, reads the session facts and the history table's name, and scans
 * the locations at the same time (flags). A bad file is reported before a connection
 * problem. */
int engine_open(engine *g, const migrate_opts *o, int flags, err *e);
void engine_free(engine *g);
/* --schema also becomes the first schema of search_path (Flyway's defaultSchema). */
int engine_set_search_path(engine *g, err *e);

/* classify.c */
void classify_rows(engine *g);
/* Reports every problem in mask: all but the first as error lines, the first in e. */
int classify_check(const engine *g, int mask, err *e);
/* The SCHEMA and DELETE marker rows, which belong to no file. */
int classify_is_marker(const pg_applied *a);
const char *info_row_version(const info_row *r);
const char *info_row_script(const info_row *r);
const char *info_row_path(const info_row *r);
const char *info_row_description(const info_row *r);
const char *info_row_type(const info_row *r);
const char *info_row_category(const info_row *r);

/* execute.c */
/* Flyway's built-in placeholders plus the caller's values. */
void execute_builtins(const engine *g, placeholder_set *ph);
/* Reads p->row's file, replaces placeholders, splits it and finds what forces it out of a
 * transaction. */
int execute_prepare(engine *g, const placeholder_set *ph, prepared *p, err *e);
void execute_prepared_free(prepared *p);
/* Prepares every row with apply set, then runs them in order; res counts them. */
int execute_pending(engine *g, migrate_result *res, err *e);

/* present.c */
const char *present_label(const pg_migration *f, buf *b);
void present_summary_row(buf *md, const pg_migration *f, int ms);
void present_table(const engine *g);
void present_json(const engine *g);
/* --output json (o->result): one entry of MigrateResult's migrations[] for a migration
 * just applied, ValidateResult's invalidMigrations[] for a problem found (message as
 * reported), and the fields each command's result carries. */
void present_applied(const engine *g, const pg_migration *f, int ms);
void present_invalid(const engine *g, const info_row *r, int problem, const char *message);
/* "operation", "database" and the command's empty lists (once the engine is open). */
void present_result_start(const engine *g, const char *operation);
void present_migrate_result(const engine *g, int executed, int rc);
void present_validate_result(const engine *g, size_t count, int rc);
/* RepairResult's lists (migrationsRemoved, migrationsDeleted, migrationsAligned) and
 * repairActions (Flyway's sentences). */
void present_repaired(const engine *g, const char *list, const pg_applied *a, const char *path);
void present_repair_action(const engine *g, const char *action);

#endif
