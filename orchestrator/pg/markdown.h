/*
 * markdown: the catalog model rendered as the README's "Database Documentation" body.
 *
 * Per schema: a Mermaid erDiagram of the tables and foreign keys, then tables (the
 * template's `column | comment | type | length | default | constraints | values`, the
 * primary key column in bold with _(pk)_), their indexes, multi-column constraints and
 * triggers, views and materialized views with their definitions, sequences, foreign keys,
 * enum types, domains, and functions and procedures. Empty groups are left out.
 *
 * The output is a pure function of the catalog: no timestamp, stable order, and a
 * fingerprint (SHA-256 of everything below the fingerprint line) in place of a date, so an
 * unchanged schema renders byte for byte the same. Every name, comment and expression is
 * escaped for where it lands (table cell text, inline code, Mermaid identifier, fenced
 * block) so that `|`, backticks, `<`, `>` and newlines never break a table.
 */
#ifndef ORC_MARKDOWN_H
#define ORC_MARKDOWN_H

#include "core/buf.h"
#include "pg/catalog.h"

/* Appends the section body (no "# Database Documentation" heading; ends with one "\n").
 * fingerprint (may be NULL) receives "sha256:" + 64 hex digits. */
void markdown_render(const catalog *c, buf *out, buf *fingerprint);

/* Text for a table cell or paragraph: markdown and HTML specials escaped, newlines as <br>. */
void markdown_text(buf *out, const char *s);
/* An inline code span safe inside a table cell (nothing for NULL or ""). */
void markdown_code(buf *out, const char *s);
/* A Mermaid identifier: characters outside [A-Za-z0-9_] become '_'. */
void markdown_mermaid_id(buf *out, const char *s);
/* Values of a simple `CHECK (col = ANY (ARRAY[...]))` (a SQL IN list) as a JSON-free list
 * appended to out, comma-separated and text-escaped; returns 0 when def is not one. */
int markdown_check_values(buf *out, const char *def);

#endif
