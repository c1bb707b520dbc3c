/*
 * conn: one libpq connection for the engine.
 *
 * The URL is a conninfo string or a postgresql:// URI (libpq parses both; sslmode and the
 * rest are libpq's); without one, libpq's PG* variables apply. The password, wherever it
 * came from, is registered as a secret before anything can print it. Errors from the
 * server become one line: SQLSTATE, message and detail.
 */
#ifndef ORC_PG_CONN_H
#define ORC_PG_CONN_H

#include <libpq-fe.h>

#include "core/buf.h"
#include "core/err.h"

/* Connects; url may be NULL. On failure ORC_EREMOTE with libpq's reason. */
int conn_open(const char *url, PGconn **out, err *e);
/* The same, naming the option the URL came from ("--source") in errors. */
int conn_open_as(const char *url, const char *label, PGconn **out, err *e);
/* Runs one command without parameters; fails unless it returns COMMAND_OK or TUPLES_OK.
 * On success *res (when res is non-NULL) holds the result for the caller to PQclear. */
int conn_exec(PGconn *c, const char *sql, PGresult **res, err *e);
/* The same with text parameters. */
int conn_execp(PGconn *c, const char *sql, int n, const char *const *params, PGresult **res,
               err *e);
/* "SQLSTATE 42P01: relation "x" does not exist (detail)" of a failed result. */
void conn_describe_error(const PGresult *r, PGconn *c, buf *out);

#endif
