/*
 * flyway_toml: Flyway 10's flyway.toml, read as Flyway reads it, into flyway_conf's keys.
 *
 * Debian bookworm has no maintained C TOML library (only C++ and Perl ones), so this is
 * a strict reader of the subset Flyway's documentation uses: `[table]` and
 * `[dotted.table]` headers, `key = value` with bare, quoted and dotted keys, basic
 * ("...", with escapes) and literal ('...') strings, arrays of those (over several
 * lines, trailing comma allowed), booleans, decimal integers and `#` comments. Anything
 * else (multi-line strings, inline tables, arrays of tables, floats, dates, a key or
 * table given twice) is refused with one line naming file:line, never guessed at.
 *
 * Flyway's model: `[flyway]` holds the settings (locations, table, placeholders, ...),
 * `[environments.NAME]` the connection (url, user, password, schemas) and
 * `[environments.NAME.flyway]` settings for that environment only. The environment is
 * `--environment`, else FLYWAY_ENVIRONMENT (or Flyway's lower-case flyway_environment),
 * else `flyway.environment` from the files, else "default". An unknown key is an error
 * naming file:line with a did-you-mean (the keys flyway_conf knows); Flyway Desktop's own
 * entries (root `id`, `name`, `databaseType`, `[flywayDesktop]`, `[redgateCompare...]`)
 * are left alone. `${env.NAME}` (Flyway's environment-variable resolver) is replaced in
 * every string; a password is registered as a secret as soon as it is read.
 */
#ifndef ORC_CONFIG_FLYWAY_TOML_H
#define ORC_CONFIG_FLYWAY_TOML_H

#include <stddef.h>

#include "config/flyway_conf.h"
#include "core/err.h"

typedef struct flyway_toml_entry {
	char *key;   /* dotted: "flyway.locations", "environments.dev.url" */
	char *value; /* an array's strings joined with ',' */
	char *file;
	int line;
} flyway_toml_entry;

typedef struct flyway_toml {
	flyway_toml_entry *v;
	size_t n, cap;
} flyway_toml;

/* Adds path's entries (a later file wins, as Flyway merges its files). ORC_EUSAGE naming
 * file:line for a syntax outside the subset or an unknown key. */
int flyway_toml_load(flyway_toml *t, const char *path, err *e);
/* The value of a dotted key, or NULL. */
const char *flyway_toml_get(const flyway_toml *t, const char *key);
/* Puts environment env's settings into c as flyway.conf keys (flyway.url, flyway.user,
 * flyway.password, flyway.schemas, then [flyway] and [environments.env.flyway] on top),
 * without replacing a key c already holds. ORC_EUSAGE when env is not "default" and no
 * file defines it (with a did-you-mean). */
int flyway_toml_apply(const flyway_toml *t, const char *env, flyway_conf *c, err *e);
void flyway_toml_free(flyway_toml *t);

#endif
