/*
 * readme: where the generated "Database Documentation" section goes in a README.
 *
 * Two conventions, the template's and an opt-in one: the section runs from the line
 * `# Database Documentation` to the end of the file; or, when the file has a line
 * `<!-- schema-docs:start -->` and a later line `<!-- schema-docs:end -->`, it is what lies
 * between them. Everything outside the section is kept byte for byte. Lines inside fenced
 * code blocks never count, so a README may show the markers or the heading in an example;
 * a fence that is never closed does not count as one, and gets a closing fence before the
 * heading (once), so the section is not swallowed and is found again on the next run.
 * A README without either gets the heading appended.
 */
#ifndef ORC_README_H
#define ORC_README_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

#define README_HEADING "# Database Documentation"
#define README_START "<!-- schema-docs:start -->"
#define README_END "<!-- schema-docs:end -->"

/*
 * Appends to out the README text with its section replaced by body (markdown ending in
 * one newline). name is the file's name for errors (a start marker without an end marker
 * is ORC_EUSAGE naming the line).
 */
int readme_splice(const char *name, const char *text, size_t len, const char *body, buf *out,
                  err *e);

/* The same in two parts, for a body written in pieces: the new README is before, then the
 * body, then after (each appended to). */
int readme_parts(const char *name, const char *text, size_t len, buf *before, buf *after, err *e);

/*
 * Appends a unified diff of old -> new for the file name (a/name, b/name headers, three
 * lines of context), libgit2's patch text; nothing when they are equal. old may be NULL for
 * a new file and new NULL for a removed one.
 */
int readme_diff(const char *name, const char *old, size_t oldlen, const char *new_text,
                size_t newlen, buf *out, err *e);

#endif
