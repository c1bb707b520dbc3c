/*
 * parse: PostgreSQL's own grammar (libpg_query) over migration scripts.
 *
 * Everything that needs to know what a statement IS (which statements refuse a
 * transaction block, the lint rules, the syntax check) reads the parse tree the server's
 * parser builds, never keywords. The tree comes as libpg_query's JSON, held in cJSON:
 * each statement is an object with one member named by its node type ("IndexStmt",
 * "AlterTableStmt", ...) whose fields are PostgreSQL's parse node fields (fields at their
 * default value are left out).
 *
 * A script is parsed whole when it can be (one call, and the parser decides where
 * statements end, so a ';' inside CREATE RULE ... (...; ...) is no end). What the parser
 * does not read is cut by pg/sqlsplit first: COPY ... FROM STDIN data, and scripts with
 * a statement the grammar refuses, which is then parsed statement by statement so that
 * every other statement still gets its tree. A statement that does not parse (a typo, or
 * syntax newer than the parser's PostgreSQL 15 grammar) carries the parser's message and
 * position instead of a tree; whether that is an error is the caller's call.
 */
#ifndef ORC_PG_PARSE_H
#define ORC_PG_PARSE_H

#include <cjson/cJSON.h>
#include <stddef.h>

typedef struct parse_stmt {
	size_t off; /* byte offset in the script (leading blanks and comments skipped) */
	size_t len; /* length, without the terminating ';' */
	int line;   /* 1-based line where it starts */
	int copy;   /* COPY ... FROM STDIN: the data lines that follow, up to "\." */
	size_t copy_off, copy_len;
	const cJSON *node; /* {"IndexStmt": {...}}; NULL when it did not parse */
	size_t base;       /* byte offset in the script that the nodes' "location"s count from */
	const char *kind;  /* the node type ("IndexStmt"); NULL when it did not parse */
	char *error;       /* the parser's message when it did not parse */
	size_t error_off;  /* byte offset of the error in the script */
} parse_stmt;

typedef struct parse_script {
	parse_stmt *v;
	size_t n;
	cJSON **trees; /* the parse results the nodes belong to */
	size_t n_trees, trees_cap;
} parse_script;

/* Parses a whole script (len bytes, a leading UTF-8 BOM ignored). Never fails: a
 * statement that does not parse has error set. */
void parse_script_text(const char *text, size_t len, parse_script *out);
void parse_script_free(parse_script *s);
/* Number of statements with error set. */
size_t parse_script_errors(const parse_script *s);

/* Parses one piece of SQL (len bytes, not necessarily NUL-terminated). Returns the tree
 * ({"version":..,"stmts":[{"stmt":{...},"stmt_location":..,"stmt_len":..}]}) to free with
 * cJSON_Delete, or NULL with *error (heap) and *error_off (byte offset into text). */
cJSON *parse_sql(const char *text, size_t len, char **error, size_t *error_off);

/* When PostgreSQL refuses this statement inside a transaction block on a server of this
 * version (server_version_num), the kind of statement ("CREATE INDEX CONCURRENTLY");
 * otherwise NULL. Where the answer depends on the server's catalog (DROP SUBSCRIPTION of
 * a subscription with a slot), the statement counts as refusing: running outside a
 * transaction always works. */
const char *parse_no_transaction(const cJSON *node, int server_version);

/* The node's fields: node is {"Kind": {fields}}; returns {fields} (NULL for NULL). */
const cJSON *parse_fields(const cJSON *node);
/* A member by dotted path ("relation.relname") below obj, or NULL. */
const cJSON *parse_get(const cJSON *obj, const char *path);
/* Its string value, or NULL. */
const char *parse_str(const cJSON *obj, const char *path);
/* Non-zero when the member is true (or a non-zero number). */
int parse_bool(const cJSON *obj, const char *path);

/* 1-based line and column (in characters) of byte offset off in text. */
void parse_line_col(const char *text, size_t off, int *line, int *col);

#endif
