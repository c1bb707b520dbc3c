/*
 * sqlsplit: cuts a PostgreSQL script into statements.
 *
 * The engine sends each statement on its own (libpq pipeline: one round trip for a whole
 * migration) so that an error names the statement, and thus the file line, even when the
 * server reports no position; and so that statements which refuse to run inside a
 * transaction (CREATE INDEX CONCURRENTLY, VACUUM, ...) can be found before the migration
 * starts. The lexer knows what can hide a ';': single-quoted strings (E'' with backslash
 * escapes), quoted identifiers, dollar quotes ($$ and $tag$), line and nested block
 * comments, parentheses (CREATE RULE ... DO ALSO (...; ...)) and SQL-standard function
 * bodies (BEGIN ATOMIC ... END). Like psql and Flyway it also takes the data after
 * COPY ... FROM STDIN, up to a "\." line. Everything else about a statement comes from
 * PostgreSQL's own parser (pg/parse.h).
 */
#ifndef ORC_PG_SQLSPLIT_H
#define ORC_PG_SQLSPLIT_H

#include <stddef.h>

typedef struct sql_stmt {
	size_t off; /* byte offset of the statement in the script */
	size_t len; /* its length, without the terminating ';' */
	int line;   /* 1-based line where it starts */
	/* COPY ... FROM STDIN: the data lines that follow the statement, up to "\." */
	int copy;
	size_t copy_off, copy_len;
} sql_stmt;

/* Splits text into statements (comment-only pieces dropped); returns how many, and a heap
 * array in *out (free it). */
size_t sqlsplit(const char *text, size_t len, sql_stmt **out);
/* Non-zero when the statement cannot run inside a transaction block on a server of this
 * version (server_version_num); *what names the kind ("CREATE INDEX CONCURRENTLY"). Read
 * from PostgreSQL's parse tree (parse_no_transaction); a statement the parser cannot read
 * counts as transactional and the server judges it. */
int sqlsplit_no_transaction(const char *stmt, size_t len, int server_version, const char **what);
/* Statements longer than this are not parsed for that (see sqlsplit.c): transactional. */
#define SQLSPLIT_PARSE_MAX (1u << 20)

#endif
