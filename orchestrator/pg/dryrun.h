/*
 * dryrun: a migration's effect shown before it runs, over pg/migrate.h's public API.
 *
 * dryrun_migrate connects, takes nothing (no advisory lock) and writes nothing: it lists
 * the pending migrations in the order migrate applies them, each with its transaction mode
 * and its SQL after placeholder replacement, then the history rows migrate would write.
 * Placeholder values given by the caller (--placeholder, FLYWAY_PLACEHOLDERS_*, secrets)
 * are shown as *** (this project treats them all as secrets); Flyway's built-ins are shown.
 * It refuses what migrate would refuse (validation problems), with the same errors.
 *
 * dryrun_syntax needs no database: every migration in the locations, placeholders
 * replaced, goes through PostgreSQL's parser (pg/parse.h); each syntax error is reported
 * with file, line, column, the line itself and a caret under the position.
 */
#ifndef ORC_PG_DRYRUN_H
#define ORC_PG_DRYRUN_H

#include <cjson/cJSON.h>

#include "core/err.h"
#include "pg/migrate.h"

/* Prints the plan as text to stdout; or, when doc is non-NULL (--output json), adds it to
 * that object (schema, table, tableExists, migrations[], historyRows[]) for the caller to
 * print as the command's one JSON document. */
int dryrun_migrate(const migrate_opts *o, cJSON *doc, err *e);
/* ORC_EFAIL when any file has a syntax error (each printed), else 0. */
int dryrun_syntax(const migrate_opts *o, err *e);

#endif
