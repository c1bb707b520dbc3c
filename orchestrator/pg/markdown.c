/*
 * markdown: rendering of the catalog model (see markdown.h for the layout).
 *
 * Nothing from the catalog reaches the output unescaped, because a name or comment is
 * whatever its author typed, carriage returns included: CommonMark ends a line at CR as
 * at LF, so one raw CR inside a fence would close the fence and let the rest of the name
 * write headings and links. Mermaid names are quoted (entities) or reduced to one word
 * (attributes), and its strings lose their quotes and control characters.
 *
 * Escaping is per destination, because one rule cannot serve all of them: cell text gets
 * backslash escapes for markdown and entities for HTML; inline code cannot hold entities
 * or <br>, so it gets a backtick fence longer than any run inside and newlines as spaces
 * (GitHub honours `\|` inside code in a table cell); fenced SQL blocks need only a fence
 * longer than the backtick runs in the text; Mermaid identifiers are reduced to
 * [A-Za-z0-9_]. Bytes >= 0x80 pass through untouched, so UTF-8 names stay as they are.
 */
#include "pg/markdown.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

/* Diagrams list every column up to this many tables, only key columns beyond it, and
 * are left out past the size GitHub still renders. */
#define DIAGRAM_FULL_MAX 40
#define DIAGRAM_MAX 150

static int word_byte(int c)
{
	return c >= 0x80 || isalnum(c);
}

/* At the start of a paragraph: what would open an indented code block or an ordered list. */
static const unsigned char *text_start(buf *out, const unsigned char *p)
{
	if (*p == ' ' || *p == '\t') {
		buf_puts(out, "&#32;");
		while (*p == ' ' || *p == '\t')
			p++;
		return p;
	}
	const unsigned char *d = p;
	while (isdigit(*d))
		d++;
	if (d > p && (*d == '.' || *d == ')')) {
		buf_put(out, p, (size_t)(d - p));
		buf_putc(out, '\\');
		buf_putc(out, (char)*d);
		return d + 1;
	}
	return p;
}

static void text(buf *out, const char *s, int paragraph)
{
	if (!s)
		return;
	const unsigned char *p = (const unsigned char *)s;
	if (paragraph)
		p = text_start(out, p);
	for (; *p; p++) {
		switch (*p) {
		case ':': /* http://, https://, ftp:// would become links (GFM autolinks) */
			if (p[1] == '/' && p[2] == '/')
				buf_putc(out, '\\');
			buf_putc(out, ':');
			break;
		case '.': /* and www. */
			if (p - (const unsigned char *)s >= 3 &&
			    strncasecmp((const char *)p - 3, "www", 3) == 0)
				buf_putc(out, '\\');
			buf_putc(out, '.');
			break;
		case '@': /* an e-mail autolink (a@b.c, mailto:, xmpp:): GFM finds it after
		           * the escapes are resolved, so only a node between the local part and
		           * the '@' stops it; an empty HTML comment is one and shows nothing */
			if (p != (const unsigned char *)s)
				buf_puts(out, "<!-- -->");
			buf_putc(out, '@');
			break;
		case '#':
		case '-':
		case '+': /* a heading or list item only at the start */
			if (p == (const unsigned char *)s)
				buf_putc(out, '\\');
			buf_putc(out, (char)*p);
			break;
		case '\\':
		case '`':
		case '*':
		case '|':
		case '[':
		case ']':
		case '~':
		case '$':
			buf_putc(out, '\\');
			buf_putc(out, (char)*p);
			break;
		case '_':
			if (p == (const unsigned char *)s || !word_byte(p[-1]) || !word_byte(p[1]))
				buf_putc(out, '\\');
			buf_putc(out, '_');
			break;
		case '<': buf_puts(out, "&lt;"); break;
		case '>': buf_puts(out, "&gt;"); break;
		case '&': buf_puts(out, "&amp;"); break;
		case '\r':
			if (p[1] != '\n')
				buf_puts(out, "<br>");
			break;
		case '\n': buf_puts(out, "<br>"); break;
		default:
			if (*p < 0x20 || *p == 0x7f) /* other control characters: nothing to show */
				buf_printf(out, "&#%d;", *p == '\t' ? 9 : 0xfffd);
			else
				buf_putc(out, (char)*p);
		}
	}
}

void markdown_text(buf *out, const char *s)
{
	text(out, s, 0);
}

void markdown_paragraph(buf *out, const char *s)
{
	text(out, s, 1);
}

/* Table cells: row_open starts a row with its first cell, row_cell adds the next one; both
 * escape the text for a cell. The caller ends the row with " |\n". */
static void row_open(buf *o, const char *text)
{
	buf_puts(o, "| ");
	markdown_text(o, text);
}

static void row_cell(buf *o, const char *text)
{
	buf_puts(o, " | ");
	markdown_text(o, text);
}

/* Longest run of backticks in s. */
static size_t tick_run(const char *s)
{
	size_t best = 0, cur = 0;
	for (; *s; s++) {
		cur = *s == '`' ? cur + 1 : 0;
		if (cur > best)
			best = cur;
	}
	return best;
}

/* in_table: `|` must be `\|` inside a table row, and must stay `|` anywhere else. */
static void code_span(buf *out, const char *s, int in_table)
{
	if (!s || !*s)
		return;
	size_t n = tick_run(s) + 1;
	size_t len = strlen(s);
	int pad = s[0] == '`' || s[len - 1] == '`' || s[0] == ' ' || s[len - 1] == ' ';
	for (size_t i = 0; i < n; i++)
		buf_putc(out, '`');
	if (pad)
		buf_putc(out, ' ');
	for (const char *p = s; *p; p++) {
		if (*p == '|' && in_table)
			buf_puts(out, "\\|");
		else if (*p == '\n' || *p == '\t')
			buf_putc(out, ' ');
		else if (*p != '\r')
			buf_putc(out, *p);
	}
	if (pad)
		buf_putc(out, ' ');
	for (size_t i = 0; i < n; i++)
		buf_putc(out, '`');
}

void markdown_code(buf *out, const char *s)
{
	code_span(out, s, 1);
}

static void fenced(buf *out, const char *lang, const char *s)
{
	size_t n = tick_run(s) + 1;
	if (n < 3)
		n = 3;
	for (size_t i = 0; i < n; i++)
		buf_putc(out, '`');
	buf_printf(out, "%s\n", lang);
	size_t len = strlen(s);
	while (len && (s[len - 1] == '\n' || s[len - 1] == ' '))
		len--;
	buf_put(out, s, len);
	buf_putc(out, '\n');
	for (size_t i = 0; i < n; i++)
		buf_putc(out, '`');
	buf_puts(out, "\n\n");
}

void markdown_anchor(buf *out, const char *schema, const char *name)
{
	for (int part = 0; part < 2; part++) {
		const char *s = part ? name : schema;
		if (part)
			buf_putc(out, '.');
		for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
			if ((*p >= 'a' && *p <= 'z') || isdigit(*p) || *p == '_')
				buf_putc(out, (char)*p);
			else
				buf_printf(out, "-%02x", *p);
		}
	}
}

/* One name inside a quoted Mermaid entity: what the quoted form cannot hold, '#' (the
 * escape itself) and '.' (the schema separator) as Mermaid's #NN; entity codes. */
static void mermaid_name(buf *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '%' || *p == '\\' || *p == '#' || *p == '.' || *p < 0x20 ||
		    *p == 0x7f)
			buf_printf(out, "#%d;", *p);
		else
			buf_putc(out, (char)*p);
	}
}

/* "name", or "schema.name" for a table of another schema. */
static void mermaid_entity(buf *out, const char *schema, const char *name)
{
	buf_putc(out, '"');
	if (schema) {
		mermaid_name(out, schema);
		buf_putc(out, '.');
	}
	mermaid_name(out, name);
	buf_putc(out, '"');
}

void markdown_mermaid_entity(buf *out, const char *s)
{
	mermaid_entity(out, NULL, s ? s : "");
}

/* A UTF-8 sequence Mermaid's word pattern takes (U+00C0 and up): its length, else 0. */
static size_t utf8_word_char(const unsigned char *p)
{
	size_t n = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc3 ? 2 : 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

int markdown_mermaid_word(buf *out, const char *s, int brackets)
{
	int changed = 0;
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	if (!*p || isdigit(*p) || *p == '[' ||
	    ((!strncasecmp((const char *)p, "pk", 2) || !strncasecmp((const char *)p, "fk", 2) ||
	      !strncasecmp((const char *)p, "uk", 2)) &&
	     !(isalnum(p[2]) || p[2] == '_'))) {
		buf_putc(out, '_'); /* Mermaid reads these as a key or cannot start a word so */
		changed = 1;
	}
	while (*p) {
		size_t n = utf8_word_char(p);
		if (n) {
			buf_put(out, p, n);
			p += n;
			continue;
		}
		if (isalnum(*p) || *p == '_' || (brackets && (*p == '[' || *p == ']'))) {
			buf_putc(out, (char)*p);
		} else {
			buf_putc(out, '_');
			changed = 1;
			while ((p[1] & 0xc0) == 0x80) /* one '_' per character, not per byte */
				p++;
		}
		p++;
	}
	return changed;
}

void markdown_mermaid_string(buf *out, const char *s)
{
	buf_putc(out, '"');
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
		buf_putc(out, *p == '"' ? '\'' : *p < 0x20 || *p == 0x7f ? ' ' : (char)*p);
	buf_putc(out, '"');
}

int markdown_check_values(buf *out, const char *def)
{
	/* Only the one shape PostgreSQL deparses `col IN (...)` to, nothing combined. */
	const char *any = def ? strstr(def, "= ANY (") : NULL;
	if (!any || strstr(any + 7, "ANY") || strstr(def, " AND ") || strstr(def, " OR "))
		return 0;
	const char *p = strstr(any, "ARRAY[");
	if (!p || strstr(p + 1, "ARRAY["))
		return 0;
	p += 6;
	size_t start = out->len;
	int n = 0;
	buf item = BUF_INIT;
	for (;;) {
		while (*p == ' ')
			p++;
		buf_clear(&item);
		if (*p == '\'') {
			for (p++; *p; p++) {
				if (*p == '\'' && p[1] == '\'')
					buf_putc(&item, *p++);
				else if (*p == '\'')
					break;
				else
					buf_putc(&item, *p);
			}
			if (*p != '\'')
				goto bad;
			p++;
			if (p[0] == ':' && p[1] == ':') /* the cast after the literal */
				while (*p && *p != ',' && *p != ']')
					p++;
		} else {
			const char *b = p;
			while (*p && *p != ',' && *p != ']')
				p++;
			if (p == b)
				goto bad;
			buf_put(&item, b, (size_t)(p - b));
		}
		if (n++)
			buf_puts(out, ", ");
		markdown_text(out, buf_cstr(&item));
		if (*p == ']')
			break;
		if (*p != ',')
			goto bad;
		p++;
	}
	buf_free(&item);
	return 1;
bad:
	buf_free(&item);
	buf_truncate(out, start);
	return 0;
}

/* ---- rendering ---- */

/*
 * Where things go. The layout is decided before anything is written, so a link from one
 * file can name the file its target lands in: a relation lives in the README, in its
 * schema's file, or (schemas split per table) in a file of its own.
 */
enum { IN_README, IN_SCHEMA_FILE, IN_TABLE_FILE };

typedef struct ref {
	size_t rel, con; /* a foreign key: the relation declaring it and the constraint */
} ref;

typedef struct R {
	const catalog *c;
	const markdown_opts *opts;
	buf *o;           /* where text is written now */
	const char *here; /* the file being written, relative to the README's folder */
	int split;
	unsigned char *per_table; /* by schema index: one file per table and view */
	size_t *schema_of;        /* by relation: its schema's index */
	size_t *refby0;           /* by relation: where its referencing keys start in refby */
	ref *refby;
	/* measuring pass (see markdown_render) */
	EVP_MD_CTX *md;
	size_t mark, total, limit;
	int over;
	/* writing pass: what is written goes to write in pieces */
	markdown_write write;
	void *wctx;
	int wrc;
	err *we;
} R;

static void json_list(buf *out, const char *json, const char *sep, int code)
{
	cJSON *a = json ? cJSON_Parse(json) : NULL;
	int i = 0;
	cJSON *it;
	cJSON_ArrayForEach(it, a)
	{
		if (!cJSON_IsString(it))
			continue;
		if (i++)
			buf_puts(out, sep);
		if (code)
			markdown_code(out, it->valuestring);
		else
			markdown_text(out, it->valuestring);
	}
	cJSON_Delete(a);
}

static int is_table(const catalog_rel *rel)
{
	return rel->kind == 'r' || rel->kind == 'p' || rel->kind == 'f';
}

static int is_view(const catalog_rel *rel)
{
	return rel->kind == 'v' || rel->kind == 'm';
}

static int is_history(const catalog_rel *rel)
{
	return strcmp(rel->name, "flyway_schema_history") == 0;
}

/* One name as a path component: the anchor encoding, so any name is a safe file name. */
static void path_part(buf *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || isdigit(*p) || *p == '_')
			buf_putc(out, (char)*p);
		else
			buf_printf(out, "-%02x", *p);
	}
}

static const char *docs_dir(const R *r)
{
	return r->opts && r->opts->docs_dir ? r->opts->docs_dir : MARKDOWN_DOCS_DIR_DEFAULT;
}

static void schema_path(const R *r, buf *out, const char *schema)
{
	buf_printf(out, "%s/", docs_dir(r));
	path_part(out, schema);
	buf_puts(out, ".md");
}

static void rel_path(const R *r, buf *out, const catalog_rel *rel)
{
	buf_printf(out, "%s/", docs_dir(r));
	path_part(out, rel->schema);
	buf_putc(out, '/');
	path_part(out, rel->name);
	buf_puts(out, ".md");
}

static int location(const R *r, size_t j)
{
	if (!r->split)
		return IN_README;
	const catalog_rel *rel = &r->c->rels[j];
	if (r->per_table[r->schema_of[j]] && (is_table(rel) || is_view(rel)))
		return IN_TABLE_FILE;
	return IN_SCHEMA_FILE;
}

/* Appends the path of to, relative to the folder of from (both relative to the README). */
static void relative(buf *out, const char *from, const char *to)
{
	size_t common = 0;
	for (size_t i = 0; from[i] && from[i] == to[i]; i++)
		if (from[i] == '/')
			common = i + 1;
	for (const char *p = from + common; *p; p++)
		if (*p == '/')
			buf_puts(out, "../");
	buf_puts(out, to + common);
}

/* The link target of relation j from the file being written. */
static void href(const R *r, buf *out, size_t j)
{
	const catalog_rel *rel = &r->c->rels[j];
	buf file = BUF_INIT;
	int where = location(r, j);
	if (where == IN_SCHEMA_FILE)
		schema_path(r, &file, rel->schema);
	else if (where == IN_TABLE_FILE)
		rel_path(r, &file, rel);
	if (strcmp(buf_cstr(&file), r->here) != 0)
		relative(out, r->here, buf_cstr(&file));
	buf_free(&file);
	buf_putc(out, '#');
	markdown_anchor(out, rel->schema, rel->name);
}

/* [schema.]name, a link when the relation is documented here. */
static void rel_ref(R *r, buf *out, const char *from_schema, const char *schema, const char *name,
                    const char *suffix)
{
	long j = schema && name ? catalog_find_rel(r->c, schema, name) : -1;
	if (j >= 0)
		buf_putc(out, '[');
	if (schema && strcmp(schema, from_schema) != 0) {
		markdown_text(out, schema);
		buf_putc(out, '.');
	}
	markdown_text(out, name);
	if (suffix)
		buf_puts(out, suffix);
	if (j >= 0) {
		buf_puts(out, "](");
		href(r, out, (size_t)j);
		buf_putc(out, ')');
	}
}

/* A foreign key cloned onto the partitions of a referenced partitioned table repeats the
 * one declared on the partitioned table: documenting it once is enough. */
static int fk_shown(const R *r, const catalog_constraint *k)
{
	if (k->type != 'f')
		return 0;
	if (!k->inherited)
		return 1;
	long t = catalog_find_rel(r->c, k->ref_schema, k->ref_table);
	return t < 0 || !r->c->rels[t].parent_name;
}

static int json_index_of(const cJSON *a, const char *s)
{
	int i = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, a)
	{
		if (cJSON_IsString(it) && strcmp(it->valuestring, s) == 0)
			return i;
		i++;
	}
	return -1;
}

static const char *action(char a)
{
	switch (a) {
	case 'a': return "NO ACTION";
	case 'r': return "RESTRICT";
	case 'c': return "CASCADE";
	case 'n': return "SET NULL";
	case 'd': return "SET DEFAULT";
	default: return "";
	}
}

static const char *contype(char t)
{
	switch (t) {
	case 'p': return "primary key";
	case 'u': return "unique";
	case 'f': return "foreign key";
	case 'c': return "check";
	case 'x': return "exclusion";
	case 't': return "constraint trigger";
	default: return "other";
	}
}

/*
 * The measuring pass hashes and counts what was written since the last flush and drops
 * it. The writing pass gives it to the writer, all but the newlines it ends with (the
 * last piece ends with exactly one). Passes that write files keep writing.
 */
static void flush(R *r)
{
	if (r->md) {
		size_t n = r->o->len - r->mark;
		EVP_DigestUpdate(r->md, r->o->ptr ? r->o->ptr + r->mark : "", n);
		r->total += n;
		r->over |= r->total > r->limit;
		buf_clear(r->o);
		r->mark = 0;
		return;
	}
	if (!r->write)
		return;
	size_t n = r->o->len;
	while (n && r->o->ptr[n - 1] == '\n')
		n--;
	if (n && r->wrc == 0)
		r->wrc = r->write(r->wctx, r->o->ptr, n, r->we);
	memmove(r->o->ptr, r->o->ptr + n, r->o->len - n + 1);
	buf_truncate(r->o, r->o->len - n);
}

static void section(R *r, const char *title)
{
	buf_printf(r->o, "### %s\n\n", title);
}

static void sep(buf *o, const char *s, int *n)
{
	if ((*n)++)
		buf_puts(o, s);
}

static void columns_table(R *r, const catalog_rel *rel)
{
	buf *o = r->o;
	size_t nk = rel->ncons;
	cJSON **cols = xcalloc(nk + 1, sizeof *cols), **refs = xcalloc(nk + 1, sizeof *refs);
	for (size_t k = 0; k < nk; k++) {
		const catalog_constraint *con = &r->c->cons[rel->con0 + k];
		cols[k] = con->columns ? cJSON_Parse(con->columns) : NULL;
		refs[k] = con->ref_columns ? cJSON_Parse(con->ref_columns) : NULL;
	}
	buf_puts(o, "| column | comment | type | length | default | constraints | values |\n"
	            "|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < rel->ncols; i++) {
		const catalog_column *col = &r->c->cols[rel->col0 + i];
		int pk = 0;
		for (size_t k = 0; k < nk; k++)
			if (r->c->cons[rel->con0 + k].type == 'p' &&
			    json_index_of(cols[k], col->name) >= 0)
				pk = 1;
		buf_puts(o, "| ");
		if (pk) {
			buf_puts(o, "**");
			markdown_text(o, col->name);
			buf_puts(o, "** _(pk)_");
		} else {
			markdown_text(o, col->name);
		}
		row_cell(o, col->comment);
		row_cell(o, col->type);
		row_cell(o, col->length);
		buf_puts(o, " | ");
		if (col->identity) {
			buf_puts(o, col->identity[0] == 'a' ? "generated always as identity"
			                                    : "generated by default as identity");
		} else if (col->generated) {
			buf_puts(o, "generated always as ");
			markdown_code(o, col->generated);
		} else {
			markdown_code(o, col->dflt);
		}
		buf_puts(o, " | ");
		int n = 0;
		buf vals = BUF_INIT;
		if (pk) {
			sep(o, ", ", &n);
			buf_puts(o, "PK");
		}
		for (size_t k = 0; k < nk; k++) {
			const catalog_constraint *con = &r->c->cons[rel->con0 + k];
			int at = json_index_of(cols[k], col->name);
			if (at < 0)
				continue;
			int single = cJSON_GetArraySize(cols[k]) == 1;
			if (con->type == 'f' && fk_shown(r, con)) {
				sep(o, ", ", &n);
				buf_puts(o, "FK -&gt; ");
				cJSON *rc = cJSON_GetArrayItem(refs[k], at);
				buf suffix = BUF_INIT;
				buf_putc(&suffix, '(');
				markdown_text(&suffix, cJSON_IsString(rc) ? rc->valuestring : "?");
				buf_putc(&suffix, ')');
				rel_ref(r, o, rel->schema, con->ref_schema, con->ref_table,
				        buf_cstr(&suffix));
				buf_free(&suffix);
			} else if (con->type == 'u' && single) {
				sep(o, ", ", &n);
				buf_puts(o, "UNIQUE");
			} else if (con->type == 'c' && single) {
				sep(o, ", ", &n);
				markdown_code(o, con->def);
				if (vals.len)
					buf_puts(&vals, ", ");
				markdown_check_values(&vals, con->def);
			}
		}
		if (col->notnull) {
			sep(o, ", ", &n);
			buf_puts(o, "NOT NULL");
		}
		if (col->collation) {
			sep(o, ", ", &n);
			buf_puts(o, "COLLATE ");
			markdown_code(o, col->collation);
		}
		buf_puts(o, " | ");
		if (col->enum_labels)
			json_list(o, col->enum_labels, ", ", 0);
		if (col->enum_labels && vals.len)
			buf_puts(o, "; ");
		buf_put(o, vals.ptr ? vals.ptr : "", vals.len);
		buf_free(&vals);
		buf_puts(o, " |\n");
	}
	buf_putc(o, '\n');
	for (size_t k = 0; k < nk; k++) {
		cJSON_Delete(cols[k]);
		cJSON_Delete(refs[k]);
	}
	free(cols);
	free(refs);
}

/* Every constraint by its name (what an error message names), with PostgreSQL's own
 * definition. A primary key, unique or exclusion constraint is listed here only: its index
 * has its name and is not listed again under Indexes. */
static void constraints_table(R *r, const catalog_rel *rel)
{
	buf *o = r->o;
	int header = 0;
	for (size_t k = 0; k < rel->ncons; k++) {
		const catalog_constraint *con = &r->c->cons[rel->con0 + k];
		if (con->type == 'f' && !fk_shown(r, con))
			continue;
		if (!header++)
			buf_puts(o, "Constraints:\n\n| constraint | type | definition | comment |\n"
			            "|---|---|---|---|\n");
		row_open(o, con->name);
		buf_printf(o, " | %s", contype(con->type));
		if (con->inherited)
			buf_puts(o, " (inherited)");
		buf_puts(o, " | ");
		markdown_code(o, con->def);
		row_cell(o, con->comment);
		buf_puts(o, " |\n");
	}
	if (header)
		buf_putc(o, '\n');
}

static void indexes_triggers(R *r, const catalog_rel *rel)
{
	buf *o = r->o;
	int header = 0;
	for (size_t i = 0; i < rel->nidx; i++) {
		const catalog_index *x = &r->c->idxs[rel->idx0 + i];
		if (x->constraint)
			continue; /* listed under Constraints */
		if (!header++)
			buf_puts(o,
			         "Indexes:\n\n| index | definition | comment |\n|---|---|---|\n");
		row_open(o, x->name);
		if (x->unique)
			buf_puts(o, " _(unique)_");
		buf_puts(o, " | ");
		markdown_code(o, x->def);
		row_cell(o, x->comment);
		buf_puts(o, " |\n");
	}
	if (header)
		buf_putc(o, '\n');
	if (rel->ntrg) {
		buf_puts(o, "Triggers:\n\n| trigger | definition | comment |\n|---|---|---|\n");
		for (size_t i = 0; i < rel->ntrg; i++) {
			const catalog_trigger *t = &r->c->trgs[rel->trg0 + i];
			row_open(o, t->name);
			buf_puts(o, " | ");
			markdown_code(o, t->def);
			row_cell(o, t->comment);
			buf_puts(o, " |\n");
		}
		buf_putc(o, '\n');
	}
}

static void policies(R *r, const catalog_rel *rel)
{
	cJSON *a = rel->policies ? cJSON_Parse(rel->policies) : NULL, *p;
	if (cJSON_GetArraySize(a) == 0) {
		cJSON_Delete(a);
		return;
	}
	buf *o = r->o;
	buf_puts(o, "Policies:\n\n| policy | command | type | roles | using | with check |\n"
	            "|---|---|---|---|---|---|\n");
	cJSON_ArrayForEach(p, a)
	{
		row_open(o, cJSON_GetStringValue(cJSON_GetObjectItem(p, "name")));
		row_cell(o, cJSON_GetStringValue(cJSON_GetObjectItem(p, "command")));
		buf_printf(o, " | %s | ",
		           cJSON_IsTrue(cJSON_GetObjectItem(p, "permissive")) ? "permissive"
		                                                              : "restrictive");
		cJSON *roles = cJSON_GetObjectItem(p, "roles"), *role;
		int n = 0;
		cJSON_ArrayForEach(role, roles)
		{
			sep(o, ", ", &n);
			markdown_text(o, cJSON_GetStringValue(role));
		}
		buf_puts(o, " | ");
		markdown_code(o, cJSON_GetStringValue(cJSON_GetObjectItem(p, "using")));
		buf_puts(o, " | ");
		markdown_code(o, cJSON_GetStringValue(cJSON_GetObjectItem(p, "with_check")));
		buf_puts(o, " |\n");
	}
	buf_putc(o, '\n');
	cJSON_Delete(a);
}

/* "Referenced by": each relation whose foreign key points here, with the key's name. */
static void referenced_by(R *r, size_t j)
{
	buf *o = r->o;
	size_t n = r->refby0[j + 1] - r->refby0[j];
	if (!n)
		return;
	buf_puts(o, "Referenced by: ");
	for (size_t i = 0; i < n; i++) {
		const ref *f = &r->refby[r->refby0[j] + i];
		const catalog_rel *from = &r->c->rels[f->rel];
		if (i)
			buf_puts(o, ", ");
		rel_ref(r, o, r->c->rels[j].schema, from->schema, from->name, NULL);
		buf_puts(o, " (");
		markdown_text(o, r->c->cons[f->con].name);
		buf_putc(o, ')');
	}
	buf_puts(o, ".\n\n");
}

static void anchor_line(R *r, const catalog_rel *rel)
{
	buf_puts(r->o, "<a id=\"");
	markdown_anchor(r->o, rel->schema, rel->name);
	buf_puts(r->o, "\"></a>\n\n");
}

static void diagram_attr(R *r, const catalog_rel *rel, const catalog_column *col, int keys_only)
{
	buf *o = r->o;
	int pk = 0, fk = 0;
	for (size_t k = 0; k < rel->ncons; k++) {
		const catalog_constraint *con = &r->c->cons[rel->con0 + k];
		if (con->type != 'p' && !fk_shown(r, con))
			continue;
		cJSON *a = cJSON_Parse(con->columns ? con->columns : "[]");
		if (json_index_of(a, col->name) >= 0)
			*(con->type == 'p' ? &pk : &fk) = 1;
		cJSON_Delete(a);
	}
	if (keys_only && !pk && !fk)
		return;
	buf_puts(o, "        ");
	markdown_mermaid_word(o, col->type, 1);
	buf_putc(o, ' ');
	int changed = markdown_mermaid_word(o, col->name, 0);
	if (pk || fk)
		buf_printf(o, " %s", pk && fk ? "PK, FK" : pk ? "PK" : "FK");
	if (changed) { /* the real name, where Mermaid can hold it */
		buf_putc(o, ' ');
		markdown_mermaid_string(o, col->name);
	}
	buf_putc(o, '\n');
}

static void diagram_entity(R *r, const char *schema, const catalog_rel *rel, int keys_only)
{
	buf *o = r->o;
	buf_puts(o, "    ");
	mermaid_entity(o, strcmp(rel->schema, schema) ? rel->schema : NULL, rel->name);
	buf_puts(o, " {\n");
	for (size_t i = 0; i < rel->ncols; i++)
		diagram_attr(r, rel, &r->c->cols[rel->col0 + i], keys_only);
	buf_puts(o, "    }\n");
}

/* One relationship line for foreign key con of rel. */
static void diagram_fk(R *r, const char *schema, const catalog_rel *rel,
                       const catalog_constraint *con)
{
	buf *o = r->o;
	/* Mandatory parent when every referencing column is NOT NULL. */
	int mandatory = 1;
	cJSON *a = cJSON_Parse(con->columns ? con->columns : "[]"), *it;
	cJSON_ArrayForEach(it, a)
	{
		for (size_t i = 0; i < rel->ncols; i++) {
			const catalog_column *col = &r->c->cols[rel->col0 + i];
			if (cJSON_IsString(it) && strcmp(col->name, it->valuestring) == 0 &&
			    !col->notnull)
				mandatory = 0;
		}
	}
	cJSON_Delete(a);
	buf_puts(o, "    ");
	mermaid_entity(o, strcmp(con->ref_schema, schema) ? con->ref_schema : NULL, con->ref_table);
	buf_puts(o, mandatory ? " ||--o{ " : " |o--o{ ");
	mermaid_entity(o, strcmp(rel->schema, schema) ? rel->schema : NULL, rel->name);
	buf_puts(o, " : ");
	markdown_mermaid_string(o, con->name);
	buf_putc(o, '\n');
}

static int in_diagram(const R *r, const catalog_rel *rel)
{
	return is_table(rel) && !rel->parent_name &&
	       (!is_history(rel) || (r->opts && r->opts->diagram_history));
}

/* The schema's diagram; 0 when it has too many tables to draw one. */
static int diagram(R *r, const char *schema, size_t first, size_t end)
{
	buf *o = r->o;
	size_t ntables = 0;
	for (size_t j = first; j < end; j++)
		ntables += in_diagram(r, &r->c->rels[j]);
	if (!ntables)
		return 1;
	if (ntables > DIAGRAM_MAX) {
		buf_printf(o,
		           "_%zu tables are more than GitHub renders in one Mermaid diagram (%d): "
		           "each table has a diagram of its neighbourhood instead._\n\n",
		           ntables, DIAGRAM_MAX);
		return 0;
	}
	int keys_only = ntables > DIAGRAM_FULL_MAX;
	buf_puts(o, "```mermaid\nerDiagram\n");
	for (size_t j = first; j < end; j++)
		if (in_diagram(r, &r->c->rels[j]))
			diagram_entity(r, schema, &r->c->rels[j], keys_only);
	for (size_t j = first; j < end; j++) {
		const catalog_rel *rel = &r->c->rels[j];
		if (!in_diagram(r, rel))
			continue;
		for (size_t k = 0; k < rel->ncons; k++) {
			const catalog_constraint *con = &r->c->cons[rel->con0 + k];
			if (fk_shown(r, con))
				diagram_fk(r, schema, rel, con);
		}
	}
	buf_puts(o, "```\n\n");
	return 1;
}

/* A table and the tables its foreign keys touch, both ways, with their key columns. */
static void neighbourhood(R *r, size_t j)
{
	const catalog_rel *rel = &r->c->rels[j];
	size_t nin = r->refby0[j + 1] - r->refby0[j];
	int any = nin > 0;
	for (size_t k = 0; k < rel->ncons && !any; k++)
		any = fk_shown(r, &r->c->cons[rel->con0 + k]);
	if (!any)
		return;
	buf *o = r->o;
	buf_puts(o, "```mermaid\nerDiagram\n");
	diagram_entity(r, rel->schema, rel, 1);
	for (size_t k = 0; k < rel->ncons; k++) {
		const catalog_constraint *con = &r->c->cons[rel->con0 + k];
		if (fk_shown(r, con))
			diagram_fk(r, rel->schema, rel, con);
	}
	for (size_t i = 0; i < nin; i++) {
		const ref *f = &r->refby[r->refby0[j] + i];
		if (f->rel != j)
			diagram_fk(r, rel->schema, &r->c->rels[f->rel], &r->c->cons[f->con]);
	}
	buf_puts(o, "```\n\n");
}

static void table(R *r, size_t j, size_t first, size_t end, int neighbours)
{
	const catalog_rel *rel = &r->c->rels[j];
	buf *o = r->o;
	anchor_line(r, rel);
	buf_puts(o, "#### ");
	markdown_text(o, rel->name);
	buf_puts(o, "\n\n");
	int notes = 0;
	if (rel->kind == 'p') {
		buf_puts(o, "_Partitioned table_, partition key ");
		code_span(o, rel->bound, 0);
		int n = 0;
		for (size_t i = first; i < end; i++) {
			const catalog_rel *p = &r->c->rels[i];
			if (!p->parent_name || strcmp(p->parent_name, rel->name) != 0 ||
			    strcmp(p->parent_schema, rel->schema) != 0)
				continue;
			buf_puts(o, n++ ? ", " : "; partitions: ");
			rel_ref(r, o, rel->schema, p->schema, p->name, NULL);
		}
		buf_puts(o, ".");
		notes++;
	} else if (rel->parent_name) {
		buf_puts(o, "_Partition_ of ");
		rel_ref(r, o, rel->schema, rel->parent_schema, rel->parent_name, NULL);
		buf_putc(o, ' ');
		code_span(o, rel->bound, 0);
		buf_puts(o, ".");
		notes++;
	} else if (rel->kind == 'f') {
		buf_puts(o, "_Foreign table_ on server ");
		markdown_code(o, rel->fdw_server);
		if (rel->fdw_options) {
			buf_puts(o, ", options ");
			json_list(o, rel->fdw_options, ", ", 1);
		}
		buf_puts(o, ".");
		notes++;
	}
	if (rel->unlogged) {
		buf_puts(o, notes++ ? " " : "");
		buf_puts(o, "_Unlogged_.");
	}
	if (rel->rls) {
		buf_puts(o, notes++ ? " " : "");
		buf_puts(o, rel->rls_forced ? "_Row-level security enabled and forced_ (the owner "
		                              "is subject to it too)."
		                            : "_Row-level security enabled_.");
	}
	if (notes)
		buf_puts(o, "\n\n");
	if (rel->comment) {
		markdown_paragraph(o, rel->comment);
		buf_puts(o, "\n\n");
	}
	columns_table(r, rel);
	constraints_table(r, rel);
	indexes_triggers(r, rel);
	policies(r, rel);
	referenced_by(r, j);
	if (neighbours && !rel->parent_name)
		neighbourhood(r, j);
}

static void view(R *r, size_t j)
{
	const catalog_rel *rel = &r->c->rels[j];
	buf *o = r->o;
	anchor_line(r, rel);
	buf_puts(o, "#### ");
	markdown_text(o, rel->name);
	buf_puts(o, "\n\n");
	if (rel->kind == 'm')
		buf_puts(o, "_Materialized view_.\n\n");
	if (rel->comment) {
		markdown_paragraph(o, rel->comment);
		buf_puts(o, "\n\n");
	}
	cJSON *src = rel->sources ? cJSON_Parse(rel->sources) : NULL, *it;
	if (cJSON_GetArraySize(src) > 0) {
		buf_puts(o, "Reads: ");
		int n = 0;
		cJSON_ArrayForEach(it, src)
		{
			sep(o, ", ", &n);
			rel_ref(r, o, rel->schema, cJSON_GetStringValue(cJSON_GetArrayItem(it, 0)),
			        cJSON_GetStringValue(cJSON_GetArrayItem(it, 1)), NULL);
		}
		buf_puts(o, ".\n\n");
	}
	cJSON_Delete(src);
	buf_puts(o, "| column | comment | type |\n|---|---|---|\n");
	for (size_t i = 0; i < rel->ncols; i++) {
		const catalog_column *col = &r->c->cols[rel->col0 + i];
		row_open(o, col->name);
		row_cell(o, col->comment);
		row_cell(o, col->full_type ? col->full_type : col->type);
		buf_puts(o, " |\n");
	}
	buf_putc(o, '\n');
	if (rel->viewdef)
		fenced(o, "sql", rel->viewdef);
	indexes_triggers(r, rel);
}

/* The schema's tables and views in split-per-table mode: a list linking to their files. */
static void rel_list(R *r, const char *title, size_t first, size_t end, int views)
{
	buf *o = r->o;
	int any = 0;
	for (size_t j = first; j < end; j++) {
		const catalog_rel *rel = &r->c->rels[j];
		if (views ? !is_view(rel) : !is_table(rel))
			continue;
		if (!any++) {
			section(r, title);
			buf_puts(o, "| name | comment |\n|---|---|\n");
		}
		buf_puts(o, "| ");
		rel_ref(r, o, rel->schema, rel->schema, rel->name, NULL);
		row_cell(o, rel->comment);
		buf_puts(o, " |\n");
		flush(r);
	}
	if (any)
		buf_putc(o, '\n');
}

static void schema_body(R *r, size_t si, size_t first, size_t end, int per_table)
{
	buf *o = r->o;
	const catalog *c = r->c;
	const catalog_schema *s = &c->schemas[si];
	buf_puts(o, "## Schema ");
	markdown_text(o, s->name);
	buf_puts(o, "\n\n");
	if (s->comment) {
		markdown_paragraph(o, s->comment);
		buf_puts(o, "\n\n");
	}
	int drawn = diagram(r, s->name, first, end);
	flush(r);
	o = r->o;

	if (per_table) {
		rel_list(r, "Tables", first, end, 0);
		rel_list(r, "Views", first, end, 1);
	} else {
		int any = 0;
		for (size_t j = first; j < end; j++)
			if (is_table(&c->rels[j])) {
				if (!any++)
					section(r, "Tables");
				table(r, j, first, end, !drawn);
				flush(r);
			}
		any = 0;
		for (size_t j = first; j < end; j++)
			if (is_view(&c->rels[j])) {
				if (!any++)
					section(r, "Views");
				view(r, j);
				flush(r);
			}
	}
	o = r->o;

	int any = 0;
	for (size_t j = first; j < end; j++) {
		const catalog_rel *rel = &c->rels[j];
		if (!is_table(rel))
			continue;
		for (size_t k = 0; k < rel->ncons; k++) {
			const catalog_constraint *con = &c->cons[rel->con0 + k];
			if (!fk_shown(r, con))
				continue;
			if (!any++) {
				section(r, "Foreign keys");
				buf_puts(o,
				         "| table | foreign key | columns | references | on update "
				         "| on delete |\n|---|---|---|---|---|---|\n");
			}
			buf_puts(o, "| ");
			rel_ref(r, o, rel->schema, rel->schema, rel->name, NULL);
			row_cell(o, con->name);
			buf_puts(o, " | ");
			json_list(o, con->columns, ", ", 0);
			buf_puts(o, " | ");
			buf suffix = BUF_INIT;
			buf_puts(&suffix, " (");
			json_list(&suffix, con->ref_columns, ", ", 0);
			buf_putc(&suffix, ')');
			rel_ref(r, o, rel->schema, con->ref_schema, con->ref_table,
			        buf_cstr(&suffix));
			buf_free(&suffix);
			buf_printf(o, " | %s | %s |\n", action(con->on_update),
			           action(con->on_delete));
			flush(r);
			o = r->o;
		}
	}
	if (any)
		buf_putc(o, '\n');

	any = 0;
	for (size_t j = first; j < end; j++) {
		const catalog_rel *q = &c->rels[j];
		if (q->kind != 'S')
			continue;
		if (!any++) {
			section(r, "Sequences");
			buf_puts(o, "| sequence | type | start | increment | min | max | cycle | "
			            "owned by |\n|---|---|---|---|---|---|---|---|\n");
		}
		row_open(o, q->name);
		row_cell(o, q->seq_type);
		row_cell(o, q->seq_start);
		row_cell(o, q->seq_increment);
		row_cell(o, q->seq_min);
		row_cell(o, q->seq_max);
		buf_printf(o, " | %s | ", q->seq_cycle ? "yes" : "no");
		markdown_text(o, q->seq_owned_by);
		buf_puts(o, " |\n");
		flush(r);
		o = r->o;
	}
	if (any)
		buf_putc(o, '\n');

	any = 0;
	for (size_t j = 0; j < c->ntypes; j++) {
		const catalog_type *t = &c->types[j];
		if (t->kind != 'e' || strcmp(t->schema, s->name) != 0)
			continue;
		if (!any++) {
			section(r, "Enum types");
			buf_puts(o, "| enum | values | comment |\n|---|---|---|\n");
		}
		row_open(o, t->name);
		buf_puts(o, " | ");
		json_list(o, t->labels, ", ", 0);
		row_cell(o, t->comment);
		buf_puts(o, " |\n");
	}
	if (any)
		buf_putc(o, '\n');

	any = 0;
	for (size_t j = 0; j < c->ntypes; j++) {
		const catalog_type *t = &c->types[j];
		if (t->kind != 'd' || strcmp(t->schema, s->name) != 0)
			continue;
		if (!any++) {
			section(r, "Domains");
			buf_puts(o, "| domain | type | default | constraints | comment |\n"
			            "|---|---|---|---|---|\n");
		}
		row_open(o, t->name);
		row_cell(o, t->base);
		buf_puts(o, " | ");
		markdown_code(o, t->dflt);
		buf_puts(o, " | ");
		int n = 0;
		if (t->notnull) {
			sep(o, ", ", &n);
			buf_puts(o, "NOT NULL");
		}
		if (t->checks) {
			sep(o, ", ", &n);
			json_list(o, t->checks, ", ", 1);
		}
		row_cell(o, t->comment);
		buf_puts(o, " |\n");
	}
	if (any)
		buf_putc(o, '\n');
	flush(r);
	o = r->o;

	any = 0;
	for (size_t j = 0; j < c->nfuncs; j++) {
		const catalog_function *f = &c->funcs[j];
		if (strcmp(f->schema, s->name) != 0)
			continue;
		if (!any++) {
			section(r, "Functions and procedures");
			buf_puts(o, "| name | arguments | returns | language | kind | comment |\n"
			            "|---|---|---|---|---|---|\n");
		}
		row_open(o, f->name);
		buf_puts(o, " | ");
		markdown_code(o, f->args);
		buf_puts(o, " | ");
		markdown_code(o, f->result);
		row_cell(o, f->language);
		buf_printf(o, " | %s",
		           f->kind == 'p'   ? "procedure"
		           : f->kind == 'a' ? "aggregate"
		           : f->kind == 'w' ? "window"
		                            : "function");
		if (f->kind != 'p' && f->kind != 'a')
			buf_printf(o, ", %s",
			           f->volatility == 'i'   ? "immutable"
			           : f->volatility == 's' ? "stable"
			                                  : "volatile");
		if (f->security_definer)
			buf_puts(o, ", security definer");
		row_cell(o, f->comment);
		buf_puts(o, " |\n");
	}
	if (any)
		buf_putc(o, '\n');
	flush(r);
}

static void extensions(R *r)
{
	const catalog *c = r->c;
	if (!c->nexts)
		return;
	buf *o = r->o;
	buf_puts(o, "## Extensions\n\n| extension | version | schema | comment |\n"
	            "|---|---|---|---|\n");
	for (size_t i = 0; i < c->nexts; i++) {
		row_open(o, c->exts[i].name);
		row_cell(o, c->exts[i].version);
		row_cell(o, c->exts[i].schema);
		row_cell(o, c->exts[i].comment);
		buf_puts(o, " |\n");
	}
	buf_putc(o, '\n');
	flush(r);
}

int markdown_counts_for_coverage(const catalog_rel *rel)
{
	return is_table(rel) && !rel->parent_name && !is_history(rel);
}

void markdown_coverage_of(const catalog *c, markdown_coverage *cov)
{
	*cov = (markdown_coverage){0};
	for (size_t j = 0; j < c->nrels; j++) {
		const catalog_rel *rel = &c->rels[j];
		if (!markdown_counts_for_coverage(rel))
			continue;
		cov->tables++;
		cov->tables_commented += rel->comment != NULL;
		for (size_t i = 0; i < rel->ncols; i++) {
			cov->columns++;
			cov->columns_commented += c->cols[rel->col0 + i].comment != NULL;
		}
	}
}

static void header(const catalog *c, const char *fp, buf *out)
{
	size_t ntables = 0, nviews = 0;
	for (size_t i = 0; i < c->nrels; i++) {
		ntables += is_table(&c->rels[i]);
		nviews += is_view(&c->rels[i]);
	}
	markdown_coverage cov;
	markdown_coverage_of(c, &cov);
	buf_puts(out, "<!-- Generated by orchestrator schema-docs from the database catalog: edit "
	              "the SQL in sql/, not this section. -->\n\n");
	buf_printf(out,
	           "Schema fingerprint `%s`: %zu schema%s, %zu table%s, %zu view%s, %zu "
	           "function%s. The fingerprint changes only when the schema does.\n\n",
	           fp, c->nschemas, c->nschemas == 1 ? "" : "s", ntables, ntables == 1 ? "" : "s",
	           nviews, nviews == 1 ? "" : "s", c->nfuncs, c->nfuncs == 1 ? "" : "s");
	buf_printf(out,
	           "Comment coverage: %zu of %zu table%s and %zu of %zu column%s have a "
	           "comment.\n\n",
	           cov.tables_commented, cov.tables, cov.tables == 1 ? "" : "s",
	           cov.columns_commented, cov.columns, cov.columns == 1 ? "" : "s");
}

/* The foreign keys pointing at each relation, for "Referenced by" and neighbourhoods. */
static void index_references(R *r)
{
	const catalog *c = r->c;
	size_t *count = xcalloc(c->nrels + 1, sizeof *count);
	r->schema_of = xcalloc(c->nrels + 1, sizeof *r->schema_of);
	size_t si = 0;
	for (size_t j = 0; j < c->nrels; j++) {
		while (si + 1 < c->nschemas && strcmp(c->schemas[si].name, c->rels[j].schema) != 0)
			si++;
		r->schema_of[j] = si;
	}
	size_t total = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t j = 0; j < c->nrels; j++) {
			const catalog_rel *rel = &c->rels[j];
			for (size_t k = 0; k < rel->ncons; k++) {
				const catalog_constraint *con = &c->cons[rel->con0 + k];
				if (!fk_shown(r, con))
					continue;
				long t = catalog_find_rel(c, con->ref_schema, con->ref_table);
				if (t < 0)
					continue;
				if (pass == 0) {
					count[t]++;
					total++;
				} else {
					r->refby[r->refby0[t] + count[t]++] =
					    (ref){j, rel->con0 + k};
				}
			}
		}
		if (pass == 0) {
			r->refby0 = xcalloc(c->nrels + 2, sizeof *r->refby0);
			for (size_t j = 0; j < c->nrels; j++)
				r->refby0[j + 1] = r->refby0[j] + count[j];
			r->refby = xcalloc(total + 1, sizeof *r->refby);
			memset(count, 0, (c->nrels + 1) * sizeof *count);
		}
	}
	free(count);
}

static void file_start(buf *f)
{
	buf_puts(f, "<!-- Generated by orchestrator schema-docs from the database catalog: edit "
	            "the SQL in sql/, not this file. -->\n\n");
}

/* Ends a file with exactly one newline. */
static void trim(buf *b, size_t from)
{
	while (b->len >= from + 2 && b->ptr[b->len - 1] == '\n' && b->ptr[b->len - 2] == '\n')
		buf_truncate(b, b->len - 1);
}

/* The split layout: the README's summary, one file per schema, and per table where the
 * schema alone passes the size. */
static int write_split(R *r, const size_t *sizes, const char *fp, buf *out, markdown_sink sink,
                       void *ctx, err *e)
{
	const catalog *c = r->c;
	int rc = 0;
	r->split = 1;
	r->per_table = xcalloc(c->nschemas + 1, 1);
	for (size_t i = 0; i < c->nschemas; i++)
		r->per_table[i] = sizes[i] > r->limit;

	r->o = out;
	r->here = "";
	header(c, fp, out);
	extensions(r);
	buf_printf(out,
	           "## Schemas\n\nThe documentation is larger than the split size (%zu bytes; "
	           "GitHub stops rendering a README at about 512 KB): each schema has its own "
	           "file under `%s/`",
	           r->limit, docs_dir(r));
	buf_puts(out, " (and a schema that alone passes that size, one file per table and view "
	              "in a folder of its own).\n\n"
	              "| schema | tables | views | functions | comment |\n|---|---|---|---|---|\n");
	size_t j = 0;
	buf path = BUF_INIT, f = BUF_INIT;
	for (size_t i = 0; i < c->nschemas && rc == 0; i++) {
		size_t first = j, nt = 0, nv = 0, nf = 0;
		while (j < c->nrels && strcmp(c->rels[j].schema, c->schemas[i].name) == 0) {
			nt += is_table(&c->rels[j]);
			nv += is_view(&c->rels[j]);
			j++;
		}
		for (size_t k = 0; k < c->nfuncs; k++)
			nf += strcmp(c->funcs[k].schema, c->schemas[i].name) == 0;
		buf_clear(&path);
		schema_path(r, &path, c->schemas[i].name);
		buf_puts(out, "| [");
		markdown_text(out, c->schemas[i].name);
		buf_printf(out, "](%s) | %zu | %zu | %zu | ", buf_cstr(&path), nt, nv, nf);
		markdown_text(out, c->schemas[i].comment);
		buf_puts(out, " |\n");

		buf_clear(&f);
		file_start(&f);
		r->o = &f;
		r->here = buf_cstr(&path);
		schema_body(r, i, first, j, r->per_table[i]);
		trim(&f, 0);
		rc = sink(ctx, buf_cstr(&path), buf_cstr(&f), f.len, e);
		if (!r->per_table[i])
			continue;
		buf back = BUF_INIT;
		schema_path(r, &back, c->schemas[i].name);
		for (size_t k = first; k < j && rc == 0; k++) {
			const catalog_rel *rel = &c->rels[k];
			if (!is_table(rel) && !is_view(rel))
				continue;
			buf_clear(&path);
			rel_path(r, &path, rel);
			buf_clear(&f);
			file_start(&f);
			buf_puts(&f, "[Schema ");
			markdown_text(&f, rel->schema);
			buf_puts(&f, "](");
			relative(&f, buf_cstr(&path), buf_cstr(&back));
			buf_puts(&f, ")\n\n");
			r->o = &f;
			r->here = buf_cstr(&path);
			if (is_table(rel))
				table(r, k, first, j, 1);
			else
				view(r, k);
			trim(&f, 0);
			rc = sink(ctx, buf_cstr(&path), buf_cstr(&f), f.len, e);
		}
		buf_free(&back);
	}
	buf_free(&path);
	buf_free(&f);
	return rc;
}

int markdown_write_to(const catalog *c, const markdown_opts *opts, markdown_write write, void *wctx,
                      buf *fingerprint, markdown_sink sink, void *ctx, int *split, err *e)
{
	buf piece = BUF_INIT;
	R r = {.c = c, .opts = opts, .o = &piece, .here = ""};
	r.limit = opts && opts->split_bytes ? opts->split_bytes : MARKDOWN_SPLIT_DEFAULT;
	if (!sink) /* nowhere to put files: one README, whatever its size */
		r.limit = (size_t)-1;
	index_references(&r);
	size_t *sizes = xcalloc(c->nschemas + 1, sizeof *sizes);

	/* The measuring pass renders the one-README layout and keeps nothing of it: the
	 * fingerprint is its hash, whatever the layout written, and its size decides the
	 * layout. Rendering again costs less than holding a big README. */
	r.md = EVP_MD_CTX_new();
	EVP_DigestInit_ex(r.md, EVP_sha256(), NULL);
	extensions(&r);
	size_t j = 0, body = r.total;
	for (size_t i = 0; i < c->nschemas; i++) {
		size_t first = j, before = r.total;
		while (j < c->nrels && strcmp(c->rels[j].schema, c->schemas[i].name) == 0)
			j++;
		schema_body(&r, i, first, j, 0);
		sizes[i] = r.total - before;
	}
	body = r.total - body;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_DigestFinal_ex(r.md, md, &mdlen);
	EVP_MD_CTX_free(r.md);
	r.md = NULL;
	buf fp = BUF_INIT;
	buf_puts(&fp, "sha256:");
	buf_put_hex(&fp, md, mdlen);

	int rc = 0;
	*split = r.over;
	buf_clear(&piece);
	if (!r.over) { /* the writing pass: the same text, after the header */
		r.write = write;
		r.wctx = wctx;
		r.we = e;
		header(c, fp.ptr, &piece);
		extensions(&r);
		j = 0;
		for (size_t i = 0; i < c->nschemas; i++) {
			size_t first = j;
			while (j < c->nrels && strcmp(c->rels[j].schema, c->schemas[i].name) == 0)
				j++;
			schema_body(&r, i, first, j, 0);
		}
		if (!body)
			buf_puts(&piece,
			         "_No tables, views or functions in the documented schemas._\n");
		trim(&piece, 0);
		if (r.wrc == 0)
			r.wrc = write(wctx, piece.ptr, piece.len, e);
		rc = r.wrc;
	} else {
		rc = write_split(&r, sizes, fp.ptr, &piece, sink, ctx, e);
		trim(&piece, 0);
		if (rc == 0)
			rc = write(wctx, piece.ptr, piece.len, e);
	}
	if (fingerprint)
		buf_puts(fingerprint, fp.ptr);
	buf_free(&fp);
	buf_free(&piece);
	free(sizes);
	free(r.per_table);
	free(r.schema_of);
	free(r.refby0);
	free(r.refby);
	return rc;
}

static int to_buf(void *ctx, const char *text, size_t len, err *e)
{
	(void)e;
	buf_put(ctx, text, len);
	return 0;
}

int markdown_render(const catalog *c, const markdown_opts *opts, buf *out, buf *fingerprint,
                    markdown_sink sink, void *ctx, int *split, err *e)
{
	return markdown_write_to(c, opts, to_buf, out, fingerprint, sink, ctx, split, e);
}
