/*
 * markdown: rendering of the catalog model (see markdown.h for the layout).
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

void markdown_text(buf *out, const char *s)
{
	if (!s)
		return;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
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
		default: buf_putc(out, (char)*p);
		}
	}
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

void markdown_mermaid_id(buf *out, const char *s)
{
	if (!s || !*s || isdigit((unsigned char)*s))
		buf_putc(out, '_');
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
		if (*p < 0x80 || *p >= 0xc0) /* one '_' per UTF-8 character, not per byte */
			buf_putc(out, isalnum(*p) || *p == '_' ? (char)*p : '_');
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

typedef struct R {
	const catalog *c;
	buf *o;
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

static void rel_ref(R *r, buf *out, const char *from_schema, const char *schema, const char *name)
{
	(void)r;
	if (schema && strcmp(schema, from_schema) != 0) {
		markdown_text(out, schema);
		buf_putc(out, '.');
	}
	markdown_text(out, name);
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
				rel_ref(r, o, rel->schema, con->ref_schema, con->ref_table);
				buf_putc(o, '(');
				cJSON *rc = cJSON_GetArrayItem(refs[k], at);
				markdown_text(o, cJSON_IsString(rc) ? rc->valuestring : "?");
				buf_putc(o, ')');
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

	/* Constraints the column cells cannot show: multi-column keys, checks, exclusions. */
	int header = 0;
	for (size_t k = 0; k < nk; k++) {
		const catalog_constraint *con = &r->c->cons[rel->con0 + k];
		int single = cJSON_GetArraySize(cols[k]) == 1;
		if (con->type == 'f' ||
		    ((con->type == 'p' || con->type == 'u' || con->type == 'c') && single))
			continue;
		if (!header++)
			buf_puts(o, "Constraints:\n\n| constraint | definition | comment |\n"
			            "|---|---|---|\n");
		row_open(o, con->name);
		buf_puts(o, " | ");
		markdown_code(o, con->def);
		row_cell(o, con->comment);
		buf_puts(o, " |\n");
	}
	if (header)
		buf_putc(o, '\n');
	for (size_t k = 0; k < nk; k++) {
		cJSON_Delete(cols[k]);
		cJSON_Delete(refs[k]);
	}
	free(cols);
	free(refs);
}

/* An index behind a constraint, shown as the constraint: `UNIQUE (a, b)` (constraint c). */
static void index_of_constraint(R *r, const catalog_rel *rel, const char *name)
{
	for (size_t k = 0; k < rel->ncons; k++) {
		const catalog_constraint *con = &r->c->cons[rel->con0 + k];
		if (strcmp(con->name, name) != 0)
			continue;
		buf def = BUF_INIT;
		if (con->def) {
			buf_puts(&def, con->def);
		} else {
			buf_puts(&def, con->type == 'p' ? "PRIMARY KEY (" : "UNIQUE (");
			cJSON *a = cJSON_Parse(con->columns ? con->columns : "[]"), *it;
			int n = 0;
			cJSON_ArrayForEach(it, a)
			{
				if (n++)
					buf_puts(&def, ", ");
				if (cJSON_IsString(it))
					buf_puts(&def, it->valuestring);
			}
			cJSON_Delete(a);
			buf_putc(&def, ')');
		}
		markdown_code(r->o, buf_cstr(&def));
		buf_free(&def);
		buf_puts(r->o, " constraint ");
		markdown_text(r->o, name);
		return;
	}
	buf_puts(r->o, "constraint ");
	markdown_text(r->o, name);
}

static void indexes_triggers(R *r, const catalog_rel *rel)
{
	buf *o = r->o;
	if (rel->nidx) {
		buf_puts(o, "Indexes:\n\n| index | definition | comment |\n|---|---|---|\n");
		for (size_t i = 0; i < rel->nidx; i++) {
			const catalog_index *x = &r->c->idxs[rel->idx0 + i];
			row_open(o, x->name);
			if (x->primary)
				buf_puts(o, " _(pk)_");
			else if (x->unique)
				buf_puts(o, " _(unique)_");
			buf_puts(o, " | ");
			if (x->def) {
				markdown_code(o, x->def);
			} else {
				index_of_constraint(r, rel, x->constraint);
			}
			row_cell(o, x->comment);
			buf_puts(o, " |\n");
		}
		buf_putc(o, '\n');
	}
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

static int is_table(const catalog_rel *rel)
{
	return rel->kind == 'r' || rel->kind == 'p' || rel->kind == 'f';
}

static void table(R *r, const catalog_rel *rel, size_t first, size_t end)
{
	buf *o = r->o;
	buf_puts(o, "#### ");
	markdown_text(o, rel->name);
	buf_puts(o, "\n\n");
	if (rel->kind == 'p') {
		buf_puts(o, "_Partitioned table_, partition key ");
		code_span(o, rel->bound, 0);
		int n = 0;
		for (size_t j = first; j < end; j++) {
			const catalog_rel *p = &r->c->rels[j];
			if (!p->parent_name || strcmp(p->parent_name, rel->name) != 0 ||
			    strcmp(p->parent_schema, rel->schema) != 0)
				continue;
			buf_puts(o, n++ ? ", " : "; partitions: ");
			markdown_text(o, p->name);
		}
		buf_puts(o, ".\n\n");
	} else if (rel->parent_name) {
		buf_puts(o, "_Partition_ of ");
		rel_ref(r, o, rel->schema, rel->parent_schema, rel->parent_name);
		buf_putc(o, ' ');
		code_span(o, rel->bound, 0);
		buf_puts(o, ".\n\n");
	} else if (rel->kind == 'f') {
		buf_puts(o, "_Foreign table_.\n\n");
	}
	if (rel->comment) {
		markdown_text(o, rel->comment);
		buf_puts(o, "\n\n");
	}
	columns_table(r, rel);
	indexes_triggers(r, rel);
}

static void view(R *r, const catalog_rel *rel)
{
	buf *o = r->o;
	buf_puts(o, "#### ");
	markdown_text(o, rel->name);
	buf_puts(o, "\n\n");
	if (rel->kind == 'm')
		buf_puts(o, "_Materialized view_.\n\n");
	if (rel->comment) {
		markdown_text(o, rel->comment);
		buf_puts(o, "\n\n");
	}
	buf_puts(o, "| column | comment | type |\n|---|---|---|\n");
	for (size_t i = 0; i < rel->ncols; i++) {
		const catalog_column *col = &r->c->cols[rel->col0 + i];
		row_open(o, col->name);
		row_cell(o, col->comment);
		row_cell(o, col->type);
		buf_puts(o, " |\n");
	}
	buf_putc(o, '\n');
	if (rel->viewdef)
		fenced(o, "sql", rel->viewdef);
	indexes_triggers(r, rel);
}

static void diagram(R *r, const char *schema, size_t first, size_t end)
{
	buf *o = r->o;
	size_t ntables = 0;
	for (size_t j = first; j < end; j++)
		if (is_table(&r->c->rels[j]) && !r->c->rels[j].parent_name)
			ntables++;
	if (!ntables)
		return;
	if (ntables > DIAGRAM_MAX) {
		buf_printf(o,
		           "_Diagram left out: %zu tables is more than GitHub renders in one "
		           "Mermaid diagram (%d)._\n\n",
		           ntables, DIAGRAM_MAX);
		return;
	}
	int full = ntables <= DIAGRAM_FULL_MAX;
	buf_puts(o, "```mermaid\nerDiagram\n");
	for (size_t j = first; j < end; j++) {
		const catalog_rel *rel = &r->c->rels[j];
		if (!is_table(rel) || rel->parent_name)
			continue;
		buf_puts(o, "    ");
		markdown_mermaid_id(o, rel->name);
		buf_puts(o, " {\n");
		for (size_t i = 0; i < rel->ncols; i++) {
			const catalog_column *col = &r->c->cols[rel->col0 + i];
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
			if (!full && !pk && !fk)
				continue;
			buf_puts(o, "        ");
			for (const unsigned char *t = (const unsigned char *)col->type; *t; t++)
				if (*t < 0x80 || *t >= 0xc0) /* Mermaid types allow [] */
					buf_putc(o, isalnum(*t) || *t == '[' || *t == ']' ? (char)*t
					                                                  : '_');
			buf_putc(o, ' ');
			markdown_mermaid_id(o, col->name);
			if (pk || fk)
				buf_printf(o, " %s", pk && fk ? "PK, FK" : pk ? "PK" : "FK");
			buf_putc(o, '\n');
		}
		buf_puts(o, "    }\n");
	}
	for (size_t j = first; j < end; j++) {
		const catalog_rel *rel = &r->c->rels[j];
		if (!is_table(rel) || rel->parent_name)
			continue;
		for (size_t k = 0; k < rel->ncons; k++) {
			const catalog_constraint *con = &r->c->cons[rel->con0 + k];
			if (!fk_shown(r, con))
				continue;
			/* Mandatory parent when every referencing column is NOT NULL. */
			int mandatory = 1;
			cJSON *a = cJSON_Parse(con->columns ? con->columns : "[]"), *it;
			cJSON_ArrayForEach(it, a)
			{
				for (size_t i = 0; i < rel->ncols; i++) {
					const catalog_column *col = &r->c->cols[rel->col0 + i];
					if (cJSON_IsString(it) &&
					    strcmp(col->name, it->valuestring) == 0 &&
					    !col->notnull)
						mandatory = 0;
				}
			}
			cJSON_Delete(a);
			buf_puts(o, "    ");
			if (strcmp(con->ref_schema, schema) != 0) {
				markdown_mermaid_id(o, con->ref_schema);
				buf_putc(o, '_');
			}
			markdown_mermaid_id(o, con->ref_table);
			buf_puts(o, mandatory ? " ||--o{ " : " |o--o{ ");
			markdown_mermaid_id(o, rel->name);
			buf_puts(o, " : \"");
			for (const char *p = con->name; *p; p++)
				buf_putc(o, *p == '"' ? '\'' : *p == '\n' ? ' ' : *p);
			buf_puts(o, "\"\n");
		}
	}
	buf_puts(o, "```\n\n");
}

static void schema_body(R *r, const catalog_schema *s, size_t first, size_t end)
{
	buf *o = r->o;
	const catalog *c = r->c;
	buf_puts(o, "## Schema ");
	markdown_text(o, s->name);
	buf_puts(o, "\n\n");
	if (s->comment) {
		markdown_text(o, s->comment);
		buf_puts(o, "\n\n");
	}
	diagram(r, s->name, first, end);

	int any = 0;
	for (size_t j = first; j < end; j++)
		if (is_table(&c->rels[j])) {
			if (!any++)
				section(r, "Tables");
			table(r, &c->rels[j], first, end);
		}
	any = 0;
	for (size_t j = first; j < end; j++)
		if (c->rels[j].kind == 'v' || c->rels[j].kind == 'm') {
			if (!any++)
				section(r, "Views");
			view(r, &c->rels[j]);
		}

	any = 0;
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
			row_open(o, rel->name);
			row_cell(o, con->name);
			buf_puts(o, " | ");
			json_list(o, con->columns, ", ", 0);
			buf_puts(o, " | ");
			rel_ref(r, o, rel->schema, con->ref_schema, con->ref_table);
			buf_puts(o, " (");
			json_list(o, con->ref_columns, ", ", 0);
			buf_printf(o, ") | %s | %s |\n", action(con->on_update),
			           action(con->on_delete));
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
}

void markdown_render(const catalog *c, buf *out, buf *fingerprint)
{
	buf body = BUF_INIT;
	R r = {c, &body};
	size_t j = 0, ntables = 0, nviews = 0;
	for (size_t i = 0; i < c->nrels; i++) {
		ntables += is_table(&c->rels[i]);
		nviews += c->rels[i].kind == 'v' || c->rels[i].kind == 'm';
	}
	for (size_t i = 0; i < c->nschemas; i++) {
		const char *name = c->schemas[i].name;
		size_t first = j;
		while (j < c->nrels && strcmp(c->rels[j].schema, name) == 0)
			j++;
		schema_body(&r, &c->schemas[i], first, j);
	}
	while (body.len >= 2 && body.ptr[body.len - 1] == '\n' && body.ptr[body.len - 2] == '\n')
		buf_truncate(&body, body.len - 1);

	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_Digest(body.ptr ? body.ptr : "", body.len, md, &mdlen, EVP_sha256(), NULL);
	buf fp = BUF_INIT;
	buf_puts(&fp, "sha256:");
	buf_put_hex(&fp, md, mdlen);

	buf_puts(out, "<!-- Generated by orchestrator schema-docs from the database catalog: edit "
	              "the SQL in sql/, not this section. -->\n\n");
	buf_printf(out,
	           "Schema fingerprint `%s`: %zu schema%s, %zu table%s, %zu view%s, %zu "
	           "function%s. The fingerprint changes only when the schema does.\n\n",
	           fp.ptr, c->nschemas, c->nschemas == 1 ? "" : "s", ntables,
	           ntables == 1 ? "" : "s", nviews, nviews == 1 ? "" : "s", c->nfuncs,
	           c->nfuncs == 1 ? "" : "s");
	if (body.len)
		buf_put(out, body.ptr, body.len);
	else
		buf_puts(out, "_No tables, views or functions in the documented schemas._\n");
	if (fingerprint)
		buf_puts(fingerprint, fp.ptr);
	buf_free(&fp);
	buf_free(&body);
}
