/*
 * placeholder: Flyway's ${name} substitution in migration scripts.
 *
 * Values come from the caller (--placeholder, environment FLYWAY_PLACEHOLDERS_<NAME>,
 * later Secrets Manager) plus Flyway's built-ins ${flyway:user}, ${flyway:database},
 * ${flyway:defaultSchema}, ${flyway:timestamp}, ${flyway:table},
 * ${flyway:workingDirectory}, ${flyway:environment} (set by the engine) and
 * ${flyway:filename} (it differs per file, so it is passed to placeholder_apply). Names compare
 * case-insensitively: Flyway lowercases names read from FLYWAY_PLACEHOLDERS_* variables
 * while scripts often write ${DATABASE_NAME}. A reference without a value stops the run
 * before anything executes, naming file and line; values are never printed.
 */
#ifndef ORC_PG_PLACEHOLDER_H
#define ORC_PG_PLACEHOLDER_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

typedef struct pg_placeholder {
	const char *name;
	const char *value;
} pg_placeholder;

typedef struct placeholder_set {
	pg_placeholder *items;
	size_t n, cap;
	char **owned; /* strings this set allocated */
	size_t n_owned, owned_cap;
} placeholder_set;

/* Adds or replaces name=value (copies both). */
void placeholder_set_put(placeholder_set *s, const char *name, const char *value);
/* Adds every FLYWAY_PLACEHOLDERS_<NAME> variable of the environment as <name>. */
void placeholder_set_from_env(placeholder_set *s);
void placeholder_set_free(placeholder_set *s);

/* Appends text (len bytes) to out with every ${name} replaced. `file` names the script in
 * errors and is the value of ${flyway:filename} (its last path component). */
int placeholder_apply(const placeholder_set *s, const char *file, const char *text, size_t len,
                      buf *out, err *e);

#endif
