/*
 * lint: dangerous operations in migration scripts, read from PostgreSQL's parse tree
 * (pg/parse.h), before they run.
 *
 * Every rule has an id, a default severity, a one-line reason and the safe alternative
 * (the table in lint.c, which the README's rule table mirrors). Most rules are about
 * tables that already hold data: an index built on a brand-new table locks nobody. So
 * the linter keeps a small model of the schema (tables, column types, index leading
 * columns, primary keys), filled from the database when one is given (lint_load_database)
 * or else from the migration files that come before (lint_learn); the files under review
 * (lint_check) update the model as they go, so a table created in one reviewed file is
 * new, not existing, for the files after it when the database is known.
 *
 * Per file, `-- orchestrator:lint-ignore RULE[,RULE...]` switches rules off; per project,
 * config.json's lint.rules sets a rule to "off", "warning" or "error".
 */
#ifndef ORC_LINT_H
#define ORC_LINT_H

#include <stddef.h>

#include "core/err.h"

typedef enum lint_severity { LINT_OFF = 0, LINT_WARNING = 1, LINT_ERROR = 2 } lint_severity;

typedef struct lint_rule {
	const char *id;
	lint_severity severity; /* the default */
	const char *reason;     /* why it is dangerous, one line */
	const char *fix;        /* the safe alternative, one line */
} lint_rule;

typedef struct lint_finding {
	const lint_rule *rule;
	lint_severity severity;
	char *file;
	int line;
	char *message; /* what was found: "CREATE INDEX on existing table orders" */
} lint_finding;

typedef struct lint lint;

/* The rules, in the order the README lists them. */
const lint_rule *lint_rules(size_t *n);
const lint_rule *lint_rule_find(const char *id);
/* "off", "warning", "error" -> severity; -1 for anything else. */
int lint_severity_parse(const char *s);
const char *lint_severity_name(lint_severity s);

lint *lint_new(void);
void lint_free(lint *l);
/* Overrides a rule's severity (config.json); ORC_EUSAGE for an unknown rule. */
int lint_set_severity(lint *l, const char *rule, lint_severity s, err *e);
/* Reads the existing tables, columns, indexes and the session's lock_timeout and
 * statement_timeout from the database at url (NULL: PG* variables). From then on only
 * tables found there count as existing. */
int lint_load_database(lint *l, const char *url, err *e);
/* An earlier migration (already applied, or not under review): updates the model only. */
void lint_learn(lint *l, const char *file, const char *text, size_t len);
/* A migration under review: findings, then the model. */
void lint_check(lint *l, const char *file, const char *text, size_t len);

const lint_finding *lint_findings(const lint *l, size_t *n);
size_t lint_count(const lint *l, lint_severity s);

#endif
