/*
 * discover: finds the migration scripts under the locations.
 *
 * Flyway's naming: V<version>__<description>.sql (versioned) and R__<description>.sql
 * (repeatable), anywhere below a location; B<version>__<description>.sql (Flyway's
 * baseline migrations, type SQL_BASELINE) are kept apart, after the others, so that a
 * caller that does not know them never sees them; other files are skipped (noted under
 * --verbose). The description shows underscores as spaces; the script name recorded in
 * the history table is the path relative to its location. Checksums are computed here,
 * so validate needs nothing else; migrate asks to keep the text, so that every file is
 * read once; info's table asks for the versioned files' names only (names_only).
 *
 * A location is a folder anyone with push access writes, so it is read defensively:
 * regular files only (a FIFO or a device named V1__x.sql is skipped with a warning),
 * at most DISCOVER_MAX_BYTES per file, a symbolic link followed only when its target
 * lies inside the location (one leading out is skipped with a warning), every folder
 * scanned once however many links lead to it (two links to "." cost one scan, not an
 * exponential one), and a name holding a control character is skipped (it could start a
 * GitHub Actions workflow command when printed). Folder entries are typed by readdir's
 * d_type, read with openat relative to their folder and plain read(2) into a buffer
 * reused from file to file: one open, read and close per migration (an fstat only for a
 * file larger than 64 KiB, or one the listing did not type), no stat per entry and no
 * stdio. A folder of 64 or more migrations is read on as many threads as there are CPUs
 * (at most 4): the files are then taken in name order, so the list, the warnings and the
 * first error are those of a walk on one thread.
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
	char *text; /* the file as read, when discover_opts.keep_text; else NULL */
	size_t len;
	int baseline;   /* a B<version>__ file: Flyway's baseline migration (SQL_BASELINE) */
	int unresolved; /* a repeatable with placeholders without a value (listed on open) */
} pg_migration;

/* A Flyway SQL callback found in the locations (<event>.sql or <event>__<description>.sql),
 * kept when discover_opts.callbacks. */
typedef struct pg_callback {
	const char *event; /* Flyway's event id ("beforeMigrate"), static */
	char *description; /* after "__", underscores as spaces; "" without one */
	char *name;        /* the file name without ".sql": unique across the locations */
	char *path;        /* to read it from, and to name it in messages */
	char *text;        /* the file as read */
	size_t len;
} pg_callback;

/* A warning (or, under --verbose, a note) about a skipped entry. */
typedef struct discover_note {
	int warn; /* log_warn; else log_verbose */
	char *text;
} discover_note;

typedef struct pg_migrations {
	pg_migration *v; /* versioned by version, then repeatables by description */
	size_t n;
	size_t n_versioned;   /* v[0 .. n_versioned) are versioned */
	size_t n_baseline;    /* v[n .. n + n_baseline): the B<version>__ files, by version */
	discover_note *notes; /* kept when discover_opts.keep_notes */
	size_t n_notes;
	pg_callback *cb; /* when discover_opts.callbacks: by event, then description (Flyway's
	                    order: the one without a description first) */
	size_t n_cb, cb_cap;
} pg_migrations;

/* The largest migration file read (100 MiB): a bigger one is an error naming it. */
#define DISCOVER_MAX_BYTES (100u << 20)

typedef struct discover_opts {
	int keep_text;            /* keep every file's text in pg_migration.text */
	int keep_repeatable_text; /* keep the repeatables' text (their checksum is Flyway's
	                             after placeholder replacement, computed by the caller) */
	int keep_notes;           /* keep warnings in pg_migrations.notes instead of logging them (a
	                             scan on its own thread prints nothing; see discover_log_notes) */
	int validate_naming; /* Flyway's validateMigrationNaming: a .sql file whose name is not a
	                        migration's or a callback's is an error (else near misses warn) */
	int fail_on_missing_locations; /* a location that cannot be read is an error (else a
	                                  warning, as Flyway's default) */
	int callbacks;                 /* read Flyway's SQL callbacks into pg_migrations.cb */
	int names_only; /* versioned and baseline migrations that the listing types regular files
	                   are listed by name, not read (checksum 0): info's table shows no
	                   checksum of theirs. Repeatables (Outdated needs theirs) and callbacks
	                   are still read. */
} discover_opts;

/* Scans every location (a "filesystem:" prefix is accepted). Two files with the same
 * version, or two repeatables with the same description, are an error naming both. */
int discover_scan(const char *const *locations, size_t n_locations, pg_migrations *out, err *e);
/* The same with options (o may be NULL). */
int discover_scan_opts(const char *const *locations, size_t n_locations, const discover_opts *o,
                       pg_migrations *out, err *e);
/* Frees one migration's text (migrate drops the text of files it will not run). */
void discover_drop_text(pg_migration *m);
/* Logs the kept notes, in the order met. */
void discover_log_notes(const pg_migrations *m);
void discover_free(pg_migrations *m);

#endif
