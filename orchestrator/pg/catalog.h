/*
 * catalog: what schema-docs documents, read from pg_catalog in a fixed number of queries.
 *
 * One query per kind of object (schemas, relations, columns, constraints, indexes,
 * triggers, types, functions), each covering every selected schema at once, so the count
 * stays the same for 5 tables or 5,000: no query per table. Constraints (and extensions)
 * are read over a second connection meanwhile. Rows come back sorted with
 * COLLATE "C" so the model, and the markdown rendered from it, is the same on every run.
 *
 * Strings are copied out of each PGresult into one arena as its rows are read, and the
 * result is freed at once: a PGresult holds a pointer and a length per field besides the
 * text, so keeping ten of them alive for a 10,000-table schema cost more than the model.
 * NULL columns are NULL pointers. Each relation owns a contiguous range of the columns,
 * constraints, indexes and triggers arrays (first index + count).
 */
#ifndef ORC_CATALOG_H
#define ORC_CATALOG_H

#include <stddef.h>

#include <libpq-fe.h>

#include "core/err.h"

typedef struct catalog_schema {
	const char *name, *comment;
} catalog_schema;

typedef struct catalog_column {
	const char *name, *type, *length, *dflt, *comment;
	const char *enum_labels; /* JSON array of the column type's enum labels, or NULL */
	const char *identity;    /* "a" always, "d" by default, NULL */
	const char *generated;   /* generation expression of a stored generated column, or NULL */
	const char *full_type;   /* format_type with its typmod: character varying(50) */
	const char *collation;   /* the column's collation when not its type's default, or NULL */
	int notnull;
} catalog_column;

typedef struct catalog_constraint {
	const char *name;
	char type; /* p primary key, f foreign key, u unique, c check, x exclusion, t trigger */
	const char *def;     /* pg_get_constraintdef, as PostgreSQL defines it; for a constraint
	                        trigger its pg_get_triggerdef */
	const char *columns; /* JSON array of column names, in key order */
	const char *ref_schema, *ref_table;
	const char *ref_columns;   /* JSON array */
	char on_update, on_delete; /* confupdtype / confdeltype */
	int inherited;             /* cloned from a partitioned parent */
	const char *comment;
} catalog_constraint;

typedef struct catalog_index {
	const char *name, *comment;
	const char *def;        /* pg_get_indexdef; NULL for an index behind a constraint */
	const char *constraint; /* the PK/UNIQUE/EXCLUDE constraint it backs, or NULL */
	int primary, unique;
} catalog_index;

typedef struct catalog_trigger {
	const char *name, *def, *comment;
	int inherited;
} catalog_trigger;

typedef struct catalog_rel {
	const char *schema, *name, *comment;
	char kind; /* r table, p partitioned table, v view, m materialized view, S sequence, f
	              foreign */
	const char *parent_schema, *parent_name; /* partitions: the partitioned table */
	const char *bound;                       /* partitions: FOR VALUES ...; partitioned: key */
	const char *viewdef;
	/* sequences */
	const char *seq_type, *seq_start, *seq_increment, *seq_min, *seq_max, *seq_owned_by;
	int seq_cycle;
	int rls, rls_forced, unlogged;
	const char *policies;   /* JSON array of {name, command, permissive, roles, using,
	                           with_check}, by name; NULL when none */
	const char *fdw_server; /* foreign tables: the server, and its options (JSON array) */
	const char *fdw_options;
	const char *sources; /* views: JSON array of [schema, name] of the relations it reads */
	size_t col0, ncols, con0, ncons, idx0, nidx, trg0, ntrg;
} catalog_rel;

typedef struct catalog_type {
	const char *schema, *name, *comment;
	char kind;          /* e enum, d domain */
	const char *labels; /* enum: JSON array */
	const char *base;   /* domain: base type */
	const char *dflt;   /* domain: default */
	const char *checks; /* domain: JSON array of constraint definitions */
	int notnull;
} catalog_type;

typedef struct catalog_function {
	const char *schema, *name, *comment;
	const char *args; /* pg_get_function_arguments: names, modes and DEFAULTs */
	const char *result, *language;
	char kind;       /* f function, p procedure, a aggregate, w window */
	char volatility; /* i, s, v */
	int security_definer;
} catalog_function;

typedef struct catalog_extension {
	const char *name, *version, *schema, *comment;
} catalog_extension;

/* A block of the string arena (see catalog_load). */
typedef struct catalog_chunk catalog_chunk;

typedef struct catalog {
	catalog_schema *schemas;
	size_t nschemas;
	catalog_rel *rels; /* sorted by schema, then name (C collation) */
	size_t nrels;
	catalog_column *cols;
	size_t ncols;
	catalog_constraint *cons;
	size_t ncons;
	catalog_index *idxs;
	size_t nidxs;
	catalog_trigger *trgs;
	size_t ntrgs;
	catalog_type *types;
	size_t ntypes;
	catalog_function *funcs;
	size_t nfuncs;
	catalog_extension *exts;
	size_t nexts;
	int queries; /* statements sent to the server */
	/* private: the arena the strings above live in */
	catalog_chunk *arena;
} catalog;

typedef struct catalog_opts {
	const char *const *schemas; /* NULL/0: every schema except pg_* and information_schema */
	size_t nschemas;
	const char *const *exclude; /* relation names ("name" or "schema.name") to leave out */
	size_t nexclude;
} catalog_opts;

/* Reads the catalog over conn. Errors name the query that failed. */
int catalog_load(PGconn *conn, const catalog_opts *opts, catalog **out, err *e);
void catalog_free(catalog *c);

/* The relation (index into rels) of schema.name, or -1. */
long catalog_find_rel(const catalog *c, const char *schema, const char *name);

#endif
