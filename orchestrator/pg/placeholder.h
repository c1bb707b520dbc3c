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
 * before anything executes: the engine lists every such reference of the files it would
 * run (file and line each) and then every name at once, so one run shows all there is
 * to set; values are never printed.
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
/* Adds the NAME=VALUE lines of a .env-style file (--placeholders-file): `#` comment
 * lines, blank lines, an optional `export `, a value bare or in matching quotes (taken as
 * written). Only names no other source gave: the command line and FLYWAY_PLACEHOLDERS_*
 * win. A malformed line or a name set twice is an error naming file and line (never the
 * value); every value is registered as a secret. */
int placeholder_set_load_env_file(placeholder_set *s, const char *path, err *e);
void placeholder_set_free(placeholder_set *s);

/* Appends text (len bytes) to out with every ${name} replaced. `file` names the script in
 * errors and is the value of ${flyway:filename} (its last path component). */
int placeholder_apply(const placeholder_set *s, const char *file, const char *text, size_t len,
                      buf *out, err *e);

/* Logs one error line per ${name} of text that has no value ("FILE:LINE: no value for
 * placeholder ${NAME}", a GitHub annotation in Actions) and appends each name not yet in
 * names to it (", "-separated, as first written). Returns the number of such references. */
size_t placeholder_report_missing(const placeholder_set *s, const char *file, const char *text,
                                  size_t len, buf *names);
/* The one error after placeholder_report_missing: how many names, and where to set them. */
int placeholder_missing_error(const buf *names, size_t refs, err *e);

#endif
