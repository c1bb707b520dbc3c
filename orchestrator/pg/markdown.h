/*
 * markdown: the catalog model rendered as the README's "Database Documentation" body.
 *
 * Per schema: a Mermaid erDiagram of the tables and foreign keys, then tables (the
 * template's `column | comment | type | length | default | constraints | values`, the
 * primary key column in bold with _(pk)_, foreign keys linking to the table they
 * reference), every constraint by name with PostgreSQL's own definition, the indexes no
 * constraint stands for, triggers, row-level security and its policies, the tables that
 * reference it; views and materialized views with the relations they read and their
 * definitions, sequences, foreign keys, enum types, domains, and functions and procedures.
 * Extensions come first. Empty groups are left out. Each table and view has an explicit
 * anchor, `schema.name` with every byte outside [a-z0-9_] as -XX, unique and stable.
 *
 * Big schemas: when the whole would pass opts->split_bytes, the README keeps a summary and
 * each schema gets its own file under opts->docs_dir (and a schema that alone passes the
 * size, one file per table under a folder of its own); see markdown_render.
 *
 * The output is a pure function of the catalog: no timestamp, stable order, and a
 * fingerprint (SHA-256 of the single-README rendering) in place of a date, so an unchanged
 * schema renders byte for byte the same. Every name, comment and expression is escaped for
 * where it lands (table cell text, inline code, Mermaid name, fenced block) so that no
 * name can change the document's structure: `|`, backticks, `<`, `>`, carriage returns
 * and newlines never break a table, a heading or a fence.
 */
#ifndef ORC_MARKDOWN_H
#define ORC_MARKDOWN_H

#include "core/buf.h"
#include "core/err.h"
#include "pg/catalog.h"

/* The README section is split into files past this many bytes (GitHub stops rendering a
 * README at about 512 KB). */
#define MARKDOWN_SPLIT_DEFAULT ((size_t)400 * 1024)
#define MARKDOWN_DOCS_DIR_DEFAULT "docs/database"

typedef struct markdown_opts {
	size_t split_bytes;   /* 0: MARKDOWN_SPLIT_DEFAULT */
	const char *docs_dir; /* relative to the README's folder; NULL: the default */
	int diagram_history;  /* draw flyway_schema_history in the diagram too */
} markdown_opts;

/* Receives each file of the split layout: path relative to the README's folder. */
typedef int (*markdown_sink)(void *ctx, const char *path, const char *text, size_t len, err *e);

/* Comment coverage: tables (partitions and flyway_schema_history not counted) and their
 * columns. */
typedef struct markdown_coverage {
	size_t tables, tables_commented, columns, columns_commented;
} markdown_coverage;

/*
 * Appends the section body (no "# Database Documentation" heading; ends with one "\n").
 * fingerprint (may be NULL) receives "sha256:" + 64 hex digits. When the section would pass
 * the split size, body gets the summary and every file is given to sink (none otherwise);
 * *split says which.
 */
int markdown_render(const catalog *c, const markdown_opts *opts, buf *out, buf *fingerprint,
                    markdown_sink sink, void *ctx, int *split, err *e);

/* Receives the section body in pieces, in order; non-zero (with e set) stops the writing. */
typedef int (*markdown_write)(void *ctx, const char *text, size_t len, err *e);

/* markdown_render with the body given to write in pieces instead: the body is never whole
 * in memory (the layout and fingerprint come from a first pass that keeps nothing). */
int markdown_write_to(const catalog *c, const markdown_opts *opts, markdown_write write, void *wctx,
                      buf *fingerprint, markdown_sink sink, void *ctx, int *split, err *e);

void markdown_coverage_of(const catalog *c, markdown_coverage *cov);
/* Whether a table counts for coverage (and --require-comments). */
int markdown_counts_for_coverage(const catalog_rel *rel);

/* Text for a table cell: markdown and HTML specials escaped, newlines as <br>, nothing
 * that could become an autolink. */
void markdown_text(buf *out, const char *s);
/* The same at the start of a paragraph: nor can it open a code block or a list. */
void markdown_paragraph(buf *out, const char *s);
/* An inline code span safe inside a table cell (nothing for NULL or ""). */
void markdown_code(buf *out, const char *s);
/* The explicit anchor of schema.name: bytes outside [a-z0-9_] as -XX (injective). */
void markdown_anchor(buf *out, const char *schema, const char *name);
/* A Mermaid entity name: quoted, with ", %, \, # and control characters as #NN; so any
 * identifier parses and distinct names stay distinct. */
void markdown_mermaid_entity(buf *out, const char *s);
/* A Mermaid attribute name or type: one word Mermaid's lexer accepts (other characters as
 * '_', never PK/FK/UK, never starting with a digit). Returns 1 when it had to change s. */
int markdown_mermaid_word(buf *out, const char *s, int brackets);
/* A Mermaid quoted string (labels, comments): " as ', control characters as spaces. */
void markdown_mermaid_string(buf *out, const char *s);
/* Values of a simple `CHECK (col = ANY (ARRAY[...]))` (a SQL IN list) as a JSON-free list
 * appended to out, comma-separated and text-escaped; returns 0 when def is not one. */
int markdown_check_values(buf *out, const char *def);

#endif
