/*
 * history: Flyway's schema history table (flyway_schema_history) on PostgreSQL.
 *
 * The table, its columns, types, primary key (<table>_pk on installed_rank) and index
 * (<table>_s_idx on success) are exactly Flyway's, and rows follow Flyway's conventions
 * (type SQL/BASELINE/SCHEMA, version NULL for repeatables, installed_rank max+1), so a
 * database migrated by Flyway continues with this engine and the other way round. The
 * advisory lock uses Flyway's key too (77431708279161 + Java hashCode of the quoted
 * table name), so this engine and a Flyway run exclude each other.
 */
#ifndef ORC_PG_HISTORY_H
#define ORC_PG_HISTORY_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

typedef struct pg_applied {
	int rank;
	char *version; /* NULL for repeatables and the schema marker */
	char *description;
	char *type; /* SQL, BASELINE, SCHEMA (or what Flyway wrote: JDBC, DELETE, ...) */
	char *script;
	int has_checksum;
	int32_t checksum;
	char *installed_by;
	char *installed_on; /* "YYYY-MM-DD HH:MM:SS" */
	int execution_time; /* ms */
	int success;
} pg_applied;

typedef struct pg_history {
	PGconn *conn;
	char *schema;    /* as named, unquoted */
	char *table;     /* as named, unquoted */
	char *qualified; /* "schema"."table", quoted for SQL */
	int exists;
	pg_applied *rows; /* by installed_rank */
	size_t n;
	char *text; /* every string of rows, one block (one allocation for 10,000 rows) */
} pg_history;

/* Resolves the schema (NULL: current_schema()) and whether the table exists. */
int history_open(pg_history *h, PGconn *c, const char *schema, const char *table, err *e);
void history_close(pg_history *h);
/* Looks again whether the table exists (after taking the lock). */
int history_refresh(pg_history *h, err *e);
/* Flyway's advisory lock for this table; waits for other runners. Released by
 * history_unlock or when the session ends (a killed runner never leaves it behind). */
int history_lock(pg_history *h, err *e);
void history_unlock(pg_history *h);
/* Creates the schema (with Flyway's schema marker row) and the table when absent. */
int history_create(pg_history *h, err *e);
/* (Re)reads every row into h->rows; no rows when the table does not exist. */
int history_read(pg_history *h, err *e);
/* INSERT of one row, parameters $1 version, $2 description, $3 type, $4 script,
 * $5 checksum, $6 installed_by, $7 execution_time (NULL: time since the transaction
 * started, measured by the server), $8 success. Heap string. */
char *history_insert_sql(const pg_history *h);
/* Flyway's abbreviations of what does not fit its columns, counted in Java chars (UTF-16
 * units): a description over 200 becomes its first 197 and "...", a script path over
 * 1000 becomes "..." and its chars 3 to 1000. s itself when it fits, else the text in
 * tmp. */
const char *history_abbrev_description(const char *s, buf *tmp);
const char *history_abbrev_script(const char *s, buf *tmp);
int history_insert(pg_history *h, const char *version, const char *description, const char *type,
                   const char *script, const int32_t *checksum, const char *installed_by,
                   int execution_time, int success, err *e);

#endif
