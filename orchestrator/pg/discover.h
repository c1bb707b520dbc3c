/*
 * discover: finds the migration scripts under the locations.
 *
 * Flyway's naming: V<version>__<description>.sql (versioned) and R__<description>.sql
 * (repeatable), anywhere below a location; other files are skipped (noted under
 * --verbose). The description shows underscores as spaces; the script name recorded in
 * the history table is the path relative to its location. Checksums are computed here,
 * so info and validate need nothing else; the text itself is read again when a
 * migration runs, so memory stays small with thousands of files.
 */
#ifndef ORC_PG_DISCOVER_H
#define ORC_PG_DISCOVER_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct pg_migration {
	char *version;     /* display form ("1.0.1"); NULL for a repeatable */
	char *description; /* "CreateSampleTable", underscores as spaces */
	char *script;      /* path relative to its location, '/'-separated */
	char *path;        /* path to read it from (location joined with script) */
	int32_t checksum;
} pg_migration;

typedef struct pg_migrations {
	pg_migration *v; /* versioned by version, then repeatables by description */
	size_t n;
	size_t n_versioned; /* v[0 .. n_versioned) are versioned */
} pg_migrations;

/* Scans every location (a "filesystem:" prefix is accepted). Two files with the same
 * version, or two repeatables with the same description, are an error naming both. */
int discover_scan(const char *const *locations, size_t n_locations, pg_migrations *out, err *e);
void discover_free(pg_migrations *m);

#endif
