/*
 * flyway_conf: Flyway's flyway.conf, read as Flyway reads it (Java properties).
 *
 * A team keeps its flyway.conf; pointing this tool at the same directory works. The
 * file is Java properties: `key=value`, `key: value` or `key value`, `#` and `!`
 * comments, a trailing backslash continuing the line, and the escapes \t \n \r \f \\
 * and \uXXXX. Only the keys this engine understands are accepted (the list in
 * flyway_conf.c); any other `flyway.` key is an error naming the file and line, with a
 * did-you-mean, so a typo never silently does nothing. `flyway.placeholders.NAME` keys
 * are placeholder values. Values are kept as read; a password read here is registered
 * as a secret before anything can print it.
 */
#ifndef ORC_CONFIG_FLYWAY_CONF_H
#define ORC_CONFIG_FLYWAY_CONF_H

#include <stddef.h>

#include "core/err.h"

typedef struct flyway_conf {
	char **keys, **values;
	size_t n;
	size_t keys_cap, values_cap;
} flyway_conf;

/* Adds the file's settings to c (a later file wins, as in Flyway's -configFiles);
 * ORC_EUSAGE naming file:line for an unknown key or unreadable file. */
int flyway_conf_load(flyway_conf *c, const char *path, err *e);
/* 1 when key ("flyway.table", "flyway.placeholders.x") is a setting this engine reads;
 * else 0 and *near (when not NULL) the closest known key or NULL. flyway_toml checks its
 * keys against the same list. */
int flyway_conf_known(const char *key, const char **near);
/* Sets key to value (replacing it). */
void flyway_conf_set(flyway_conf *c, const char *key, const char *value);
/* The value of key ("flyway.url"), or NULL. */
const char *flyway_conf_get(const flyway_conf *c, const char *key);
void flyway_conf_free(flyway_conf *c);

#endif
