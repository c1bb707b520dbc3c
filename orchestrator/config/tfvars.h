/*
 * tfvars: the Terraform variable files of infrastructure/<component>/var-files/<region>.tfvars,
 * read as simple top-level `key = value` assignments, and one assignment rewritten in
 * place keeping every other byte of the file.
 *
 * Why a narrow line-based reader and not an HCL library: none is among our dependencies
 * (the HCL reference implementation is Go), and a .tfvars file is the simplest corner of
 * HCL: a flat list of attribute assignments whose values are constants. What the program
 * needs from them is the value of a few name-like variables (cluster names, families,
 * the image version) and a byte-exact rewrite of one line (bump-image), which a
 * re-serialising parser would not give anyway. So one assignment is one line; values are
 * a quoted string (HCL escapes \" \\ \n \r \t \uNNNN \UNNNNNNNN and $${ / %%{), a number,
 * true/false, null, or a list of those on the same line; `#` and `//` line comments and
 * block comments are allowed after the value or on lines of their own.
 *
 * Rejected, each with the file, line and what to write instead: values spread over
 * several lines (heredocs `<<EOF`, lists or maps that open on one line and close on
 * another), maps/objects `{ ... }`, template interpolation `${...}` / directives `%{...}`,
 * expressions and function calls, a key assigned twice (Terraform refuses that too), and
 * anything that is not an identifier followed by `=`. The HCL structure tests parse the
 * same files with the real HCL grammar (npm @cdktf/hcl2json), so a file this reader
 * accepts is also valid tfvars.
 */
#ifndef ORC_TFVARS_H
#define ORC_TFVARS_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

typedef enum tfvars_kind {
	TFVARS_STRING,
	TFVARS_NUMBER,
	TFVARS_BOOL,
	TFVARS_NULL,
	TFVARS_LIST,
} tfvars_kind;

typedef struct tfvars_entry {
	char *key;
	tfvars_kind kind;
	/* STRING: the decoded string; NUMBER/BOOL/NULL: the literal as written; LIST: NULL */
	char *value;
	/* LIST: each item as above (strings decoded); NULL-terminated */
	char **items;
	size_t nitems;
	int line; /* 1-based */
	/* byte span of the value in the file text, for the in-place rewrite */
	size_t value_start, value_end;
} tfvars_entry;

typedef struct tfvars tfvars;

/* Parses text (a copy is kept); path only names the file in messages. A syntax the
 * reader does not take is ORC_EUSAGE "<path>:<line>: ..." with what to write instead. */
int tfvars_parse(const char *path, const char *text, size_t len, tfvars **out, err *e);
/* Reads and parses path. A missing file is ORC_EUSAGE naming it. */
int tfvars_load(const char *path, tfvars **out, err *e);
void tfvars_free(tfvars *t);

size_t tfvars_count(const tfvars *t);
/* The assignment of key, or NULL. */
const tfvars_entry *tfvars_get(const tfvars *t, const char *key);
/* The current text (with any rewrites) and its length. */
const char *tfvars_text(const tfvars *t, size_t *len);

/*
 * Sets key to the string value: the bytes of the old value are replaced by the quoted,
 * escaped new one, nothing else on the line or in the file moves. A key that is not
 * assigned yet gets a new line `key = "value"` at the end. *changed (may be NULL) is 0
 * when the key already had exactly that string value (the text is then untouched).
 */
int tfvars_set_string(tfvars *t, const char *key, const char *value, int *changed, err *e);

/* Appends value as an HCL quoted string literal (quotes included). */
void tfvars_quote(buf *out, const char *value);

#endif
