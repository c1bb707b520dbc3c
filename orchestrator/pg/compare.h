/*
 * compare: are two databases' tables the same? Row counts and content checksums computed
 * inside each server, side by side, so no row crosses the network.
 *
 * Each side is read in one REPEATABLE READ, READ ONLY snapshot: the first connection
 * exports it (pg_export_snapshot) and the other --jobs connections import it (SET
 * TRANSACTION SNAPSHOT), so every job sees the same point in time however long the run
 * and whatever writes continue. Nothing is ever written: every transaction is READ ONLY.
 *
 * The checksum of a table is the sum, modulo 2^64, of a 64-bit hash of each row. On
 * PostgreSQL 14+ the row hash is hash_record_extended over one field per column (sorted by
 * name), hashed through the column type's own hash function where that tells apart every
 * two values of different text form (int, uuid, bytea, text as C...), through the 8-byte
 * binary form where the type's hash folds 64 bits into 32 (bigint, timestamps), and
 * through the text form for the rest (numeric, float, jsonb, arrays...), then mixed once
 * more over 64 bits (the record hash is linear in its fields). Before 14, the hash of
 * ROW(columns)::text in the C collation. Session settings fix every text form. A sum is
 * order-independent and streams in constant memory (one int128 accumulator per query);
 * unlike XOR, a duplicated row adds its hash a second time, so it changes the sum. The
 * exact count(*) is compared beside it. What it cannot see is in README "db compare".
 *
 * Work is split into units (a table, or a block range of a large table so --jobs can read
 * one big table in parallel: partial sums add up to the whole) and each side's connections
 * take the next unit of their side; both sides run at once. A single poll() loop drives
 * every connection: no threads.
 */
#ifndef ORC_PG_COMPARE_H
#define ORC_PG_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

typedef struct compare_opts {
	const char *source_url, *target_url;
	const char *source_label, *target_label; /* option names for errors: "--source" */
	const char *const *schemas;              /* NULL: every non-system schema */
	size_t nschemas;
	const char *const *tables; /* NAME or SCHEMA.NAME; NULL: every table */
	size_t ntables;
	double sample_pct; /* 0 or 100: every row; else the share of rows sampled by key hash */
	int jobs;          /* connections per side, >= 1 */
	/* Split a plain table into block ranges when it has more than this many pages (and
	 * jobs > 1); 0 uses the default. */
	long long split_pages;
	/* Progress on stderr through core/progress (in place on a terminal, bounded lines in
	 * logs); 0: none. */
	int progress;
} compare_opts;

typedef struct compare_side {
	int present;
	long long rows;
	long long sampled_rows; /* rows that entered the checksum */
	uint64_t checksum;
} compare_side;

typedef struct compare_table {
	char *schema, *name;
	compare_side source, target;
	int sampled;        /* checksum over a key-hash sample of sample_pct */
	int no_key;         /* sampling asked but the table has no usable primary key */
	char **differences; /* each one sentence, e.g. "row count 10 vs 9"; NULL-terminated */
	size_t ndifferences, differences_cap;
} compare_table;

typedef struct compare_result {
	compare_table *tables;
	size_t ntables;
	size_t ndifferent;
	double sample_pct;
	long long rows; /* source rows counted */
	double seconds;
} compare_result;

/* Compares; *out is set (even with differences) when 0 is returned. Connection failures are
 * ORC_EREMOTE, a failed query ORC_EFAIL, bad options ORC_EUSAGE. */
int compare_run(const compare_opts *o, compare_result **out, err *e);
void compare_result_free(compare_result *r);

/* One line per table and a summary line. */
void compare_render_text(const compare_result *r, buf *out);
/* {"equal":bool,"tables":[...],"summary":{...}}. */
void compare_render_json(const compare_result *r, buf *out);
/* A markdown table for $GITHUB_STEP_SUMMARY. */
void compare_render_markdown(const compare_result *r, buf *out);

#endif
