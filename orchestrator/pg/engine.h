/*
 * engine: the inside of pg/migrate, shared by its parts and by anything that wants the
 * engine's view of a database without running it (a dry run, the serve mode).
 *
 *   migrate.c   the commands: opening the engine, migrate/info/validate/baseline/repair
 *   classify.c  files lined up with history rows: a Flyway state and problems per row
 *   execute.c   reading, preparing and running the pending migrations
 *   present.c   info's table and JSON, migrate's labels and summary rows
 *   callback.c  Flyway's SQL callbacks: which run for an event, in which transaction
 *   clean.c     clean: the managed schemas emptied, the ones the engine created dropped
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

/* A callback script prepared for running (callback.c), one per pg_migrations.cb entry. */
typedef struct cb_ready {
	int ready;
	buf text; /* placeholders replaced */
	sql_stmt *stmts;
	size_t n;
	const char *no_tx; /* a statement that refuses a transaction: run outside one */
	int resets_path, resets_role;
} cb_ready;

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
	placeholder_set ph;  /* the caller's values and Flyway's built-ins, set on open */
	buf unresolved;      /* names of placeholders without a value, listed once each */
	size_t n_unresolved; /* references to them */
	info_row *rows;
	size_t n_rows;
	unsigned batches;
	const char *baseline;    /* highest version of a BASELINE or SQL_BASELINE row */
	const char *max_applied; /* highest successful version */
	cb_ready *cbr;           /* the callbacks, prepared as their events come */
	int path_set;            /* engine_set_search_path has run */
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
	ENGINE_NAMES = 8, /* versioned files by name only, unread (info's table: no checksums) */
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
/* A history row type of a baseline migration's (SQL_BASELINE, and its old name). */
int classify_is_baseline_migration(const char *type);
const char *info_row_version(const info_row *r);
const char *info_row_script(const info_row *r);
const char *info_row_path(const info_row *r);
const char *info_row_description(const info_row *r);
const char *info_row_type(const info_row *r);
const char *info_row_category(const info_row *r);

/* execute.c */
/* The history row type of a file: SQL, or SQL_BASELINE for a baseline migration. */
const char *execute_type(const pg_migration *f);
/* Flyway's built-in placeholders plus the caller's values. */
void execute_builtins(const engine *g, placeholder_set *ph);
/* Reads p->row's file, replaces placeholders, splits it and finds what forces it out of a
 * transaction. */
int execute_prepare(engine *g, const placeholder_set *ph, prepared *p, err *e);
void execute_prepared_free(prepared *p);
/* Whether text may change the search_path (*path) or the role or session user (*role):
 * the session is restored after it. */
void execute_session_effects(const char *text, int *path, int *role);
/* One statement of text with PQexec (COPY ... FROM STDIN gets its data); the result. */
PGresult *execute_stmt(PGconn *c, const char *text, const sql_stmt *st);
/* The 1-based line of text a failed statement's error is on. */
int execute_error_line(const char *text, const sql_stmt *st, const PGresult *r);
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

/* callback.c */
/* Whether a callback of this event was found. */
int callback_has(const engine *g, const char *event);
/* Runs the callbacks of event around a command: each in its own transaction (outside
 * one when it holds a statement that refuses it), the session restored after it. A
 * failure names the callback's file and line (in res too when res is non-NULL). */
int callback_run(engine *g, const char *event, migrate_result *res, err *e);
/* The same for an error event (afterMigrateError, ...): after a rollback of what is
 * open; its own failure is logged, the error being reported stays the caller's. */
void callback_run_on_error(engine *g, const char *event);
/* Runs the callbacks of event inside the transaction that is open (the migration's). */
int callback_inline(engine *g, const char *event, migrate_result *res, err *e);
/* Whether the beforeEachMigrate/afterEachMigrate callbacks may change the search_path or
 * the role (prepares them). */
int callback_inline_resets(engine *g, int *path, int *role, err *e);
/* Warns about the callback files of events this engine does not run. */
void callback_warn_unsupported(const engine *g);
void callback_free(engine *g);

#endif
