/*
 * catalog_json: the model written with cJSON. List-valued fields the server sent as JSON
 * (key columns, enum labels, policies, view sources) are parsed and embedded, not quoted.
 */
#include "pg/catalog_json.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/buf.h"

static void str(cJSON *o, const char *key, const char *v)
{
	cJSON_AddItemToObject(o, key, v ? cJSON_CreateString(v) : cJSON_CreateNull());
}

static void boolean(cJSON *o, const char *key, int v)
{
	cJSON_AddBoolToObject(o, key, v);
}

/* A JSON text from the server, embedded; null when absent or unreadable. */
static void embed(cJSON *o, const char *key, const char *json, int empty_list)
{
	cJSON *v = json ? cJSON_Parse(json) : NULL;
	if (!v)
		v = empty_list ? cJSON_CreateArray() : cJSON_CreateNull();
	cJSON_AddItemToObject(o, key, v);
}

static const char *rel_kind(char k)
{
	switch (k) {
	case 'r': return "table";
	case 'p': return "partitioned table";
	case 'f': return "foreign table";
	case 'v': return "view";
	case 'm': return "materialized view";
	default: return "sequence";
	}
}

static const char *con_kind(char t)
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

static const char *fk_action(char a)
{
	switch (a) {
	case 'a': return "NO ACTION";
	case 'r': return "RESTRICT";
	case 'c': return "CASCADE";
	case 'n': return "SET NULL";
	case 'd': return "SET DEFAULT";
	default: return NULL;
	}
}

static cJSON *column(const catalog_column *col)
{
	cJSON *o = cJSON_CreateObject();
	str(o, "name", col->name);
	str(o, "type", col->full_type ? col->full_type : col->type);
	str(o, "default", col->dflt);
	str(o, "identity",
	    !col->identity            ? NULL
	    : col->identity[0] == 'a' ? "always"
	                              : "by default");
	str(o, "generated", col->generated);
	boolean(o, "not_null", col->notnull);
	str(o, "collation", col->collation);
	embed(o, "enum_values", col->enum_labels, 0);
	str(o, "comment", col->comment);
	return o;
}

static cJSON *constraint(const catalog_constraint *k)
{
	cJSON *o = cJSON_CreateObject();
	str(o, "name", k->name);
	str(o, "type", con_kind(k->type));
	str(o, "definition", k->def);
	embed(o, "columns", k->columns, 1);
	if (k->type == 'f') {
		cJSON *ref = cJSON_CreateObject();
		str(ref, "schema", k->ref_schema);
		str(ref, "table", k->ref_table);
		embed(ref, "columns", k->ref_columns, 1);
		cJSON_AddItemToObject(o, "references", ref);
	} else {
		cJSON_AddNullToObject(o, "references");
	}
	str(o, "on_update", k->type == 'f' ? fk_action(k->on_update) : NULL);
	str(o, "on_delete", k->type == 'f' ? fk_action(k->on_delete) : NULL);
	boolean(o, "inherited", k->inherited);
	str(o, "comment", k->comment);
	return o;
}

static cJSON *relation(const catalog *c, const catalog_rel *r)
{
	cJSON *o = cJSON_CreateObject();
	str(o, "name", r->name);
	str(o, "kind", rel_kind(r->kind));
	str(o, "comment", r->comment);
	if (r->parent_name) {
		cJSON *p = cJSON_CreateObject();
		str(p, "schema", r->parent_schema);
		str(p, "name", r->parent_name);
		cJSON_AddItemToObject(o, "partition_of", p);
	} else {
		cJSON_AddNullToObject(o, "partition_of");
	}
	str(o, "partition_bound", r->parent_name ? r->bound : NULL);
	str(o, "partition_key", r->kind == 'p' ? r->bound : NULL);
	boolean(o, "unlogged", r->unlogged);
	boolean(o, "row_level_security", r->rls);
	boolean(o, "row_level_security_forced", r->rls_forced);
	embed(o, "policies", r->policies, 1);
	str(o, "foreign_server", r->fdw_server);
	embed(o, "foreign_options", r->fdw_options, 1);
	str(o, "view_definition", r->viewdef);
	cJSON *reads = cJSON_CreateArray(), *src = r->sources ? cJSON_Parse(r->sources) : NULL, *it;
	cJSON_ArrayForEach(it, src)
	{
		cJSON *x = cJSON_CreateObject();
		str(x, "schema", cJSON_GetStringValue(cJSON_GetArrayItem(it, 0)));
		str(x, "name", cJSON_GetStringValue(cJSON_GetArrayItem(it, 1)));
		cJSON_AddItemToArray(reads, x);
	}
	cJSON_Delete(src);
	cJSON_AddItemToObject(o, "reads", reads);
	cJSON *a = cJSON_AddArrayToObject(o, "columns");
	for (size_t i = 0; i < r->ncols; i++)
		cJSON_AddItemToArray(a, column(&c->cols[r->col0 + i]));
	a = cJSON_AddArrayToObject(o, "constraints");
	for (size_t i = 0; i < r->ncons; i++)
		cJSON_AddItemToArray(a, constraint(&c->cons[r->con0 + i]));
	a = cJSON_AddArrayToObject(o, "indexes");
	for (size_t i = 0; i < r->nidx; i++) {
		const catalog_index *x = &c->idxs[r->idx0 + i];
		cJSON *ix = cJSON_CreateObject();
		str(ix, "name", x->name);
		str(ix, "definition", x->def);
		str(ix, "constraint", x->constraint);
		boolean(ix, "primary", x->primary);
		boolean(ix, "unique", x->unique);
		str(ix, "comment", x->comment);
		cJSON_AddItemToArray(a, ix);
	}
	a = cJSON_AddArrayToObject(o, "triggers");
	for (size_t i = 0; i < r->ntrg; i++) {
		const catalog_trigger *t = &c->trgs[r->trg0 + i];
		cJSON *tx = cJSON_CreateObject();
		str(tx, "name", t->name);
		str(tx, "definition", t->def);
		boolean(tx, "inherited", t->inherited);
		str(tx, "comment", t->comment);
		cJSON_AddItemToArray(a, tx);
	}
	return o;
}

static cJSON *sequence(const catalog_rel *q)
{
	cJSON *o = cJSON_CreateObject();
	str(o, "name", q->name);
	str(o, "type", q->seq_type);
	str(o, "start", q->seq_start);
	str(o, "increment", q->seq_increment);
	str(o, "min", q->seq_min);
	str(o, "max", q->seq_max);
	boolean(o, "cycle", q->seq_cycle);
	str(o, "owned_by", q->seq_owned_by);
	str(o, "comment", q->comment);
	return o;
}

/*
 * Streaming: the document is written piece by piece, one relation's tree at a time, so a
 * 10,000-table model is never a cJSON tree of its own (that tree was larger than the model).
 * Each piece is printed by cJSON and indented to its depth: cJSON's formatted output puts
 * a newline only between structural tokens (a newline inside a string is written \n), so
 * adding the depth's tabs after every newline of a subtree printed on its own gives the
 * bytes cJSON_Print gives for the whole tree.
 */
typedef struct out {
	catalog_json_write fn;
	void *ctx;
	buf b;
	int rc;
} out;

static void put(out *o, const char *s)
{
	buf_puts(&o->b, s);
}

/* The piece so far to the writer (when it grew large, or at the end). */
static void drain(out *o, int always)
{
	if (o->rc == 0 && o->b.len && (always || o->b.len >= 64 * 1024))
		o->rc = o->fn(o->ctx, o->b.ptr, o->b.len);
	if (always || o->b.len >= 64 * 1024)
		buf_clear(&o->b);
}

/* item printed by cJSON at depth (tabs before its inner lines), then freed. */
static void tree(out *o, cJSON *item, int depth)
{
	char *text = cJSON_Print(item);
	for (const char *p = text ? text : "null"; *p; p++) {
		buf_putc(&o->b, *p);
		if (*p == '\n')
			for (int i = 0; i < depth; i++)
				buf_putc(&o->b, '\t');
	}
	free(text);
	cJSON_Delete(item);
	drain(o, 0);
}

/* "key":<tab> at depth, after a comma and newline unless it is the object's first. */
static void key(out *o, const char *k, int depth, int first)
{
	put(o, first ? "\n" : ",\n");
	for (int i = 0; i < depth; i++)
		buf_putc(&o->b, '\t');
	tree(o, cJSON_CreateString(k), depth);
	put(o, ":\t");
}

static cJSON *string_or_null(const char *v)
{
	return v ? cJSON_CreateString(v) : cJSON_CreateNull();
}

static cJSON *function(const catalog_function *f)
{
	cJSON *o = cJSON_CreateObject();
	str(o, "name", f->name);
	str(o, "kind",
	    f->kind == 'p'   ? "procedure"
	    : f->kind == 'a' ? "aggregate"
	    : f->kind == 'w' ? "window"
	                     : "function");
	str(o, "arguments", f->args);
	str(o, "returns", f->result);
	str(o, "language", f->language);
	str(o, "volatility",
	    f->volatility == 'i'   ? "immutable"
	    : f->volatility == 's' ? "stable"
	                           : "volatile");
	boolean(o, "security_definer", f->security_definer);
	str(o, "comment", f->comment);
	return o;
}

static cJSON *type(const catalog_type *t)
{
	cJSON *o = cJSON_CreateObject();
	str(o, "name", t->name);
	if (t->kind == 'e') {
		embed(o, "values", t->labels, 1);
	} else {
		str(o, "type", t->base);
		str(o, "default", t->dflt);
		boolean(o, "not_null", t->notnull);
		embed(o, "checks", t->checks, 1);
	}
	str(o, "comment", t->comment);
	return o;
}

/* A list of the schema's relations of one sort (sequences or the others), element by
 * element. */
static void rel_list(out *o, const catalog *c, size_t first, size_t end, int sequences)
{
	put(o, "[");
	int n = 0;
	for (size_t j = first; j < end; j++) {
		const catalog_rel *r = &c->rels[j];
		if ((r->kind == 'S') != sequences)
			continue;
		if (n++)
			put(o, ", ");
		tree(o, sequences ? sequence(r) : relation(c, r), 4);
	}
	put(o, "]");
}

int catalog_json(const catalog *c, catalog_json_write fn, void *ctx)
{
	out o = {fn, ctx, BUF_INIT, 0};
	put(&o, "{");
	key(&o, "format", 1, 1);
	tree(&o, cJSON_CreateString(CATALOG_JSON_FORMAT), 1);
	key(&o, "extensions", 1, 0);
	cJSON *exts = cJSON_CreateArray();
	for (size_t i = 0; i < c->nexts; i++) {
		cJSON *x = cJSON_CreateObject();
		str(x, "name", c->exts[i].name);
		str(x, "version", c->exts[i].version);
		str(x, "schema", c->exts[i].schema);
		str(x, "comment", c->exts[i].comment);
		cJSON_AddItemToArray(exts, x);
	}
	tree(&o, exts, 1);
	key(&o, "schemas", 1, 0);
	put(&o, "[");
	size_t j = 0;
	for (size_t i = 0; i < c->nschemas; i++) {
		const char *name = c->schemas[i].name;
		size_t first = j;
		while (j < c->nrels && strcmp(c->rels[j].schema, name) == 0)
			j++;
		put(&o, i ? ", {" : "{");
		key(&o, "name", 3, 1);
		tree(&o, string_or_null(name), 3);
		key(&o, "comment", 3, 0);
		tree(&o, string_or_null(c->schemas[i].comment), 3);
		key(&o, "relations", 3, 0);
		rel_list(&o, c, first, j, 0);
		key(&o, "sequences", 3, 0);
		rel_list(&o, c, first, j, 1);
		cJSON *enums = cJSON_CreateArray(), *domains = cJSON_CreateArray();
		for (size_t k = 0; k < c->ntypes; k++)
			if (strcmp(c->types[k].schema, name) == 0)
				cJSON_AddItemToArray(c->types[k].kind == 'e' ? enums : domains,
				                     type(&c->types[k]));
		key(&o, "enums", 3, 0);
		tree(&o, enums, 3);
		key(&o, "domains", 3, 0);
		tree(&o, domains, 3);
		cJSON *funcs = cJSON_CreateArray();
		for (size_t k = 0; k < c->nfuncs; k++)
			if (strcmp(c->funcs[k].schema, name) == 0)
				cJSON_AddItemToArray(funcs, function(&c->funcs[k]));
		key(&o, "functions", 3, 0);
		tree(&o, funcs, 3);
		put(&o, "\n\t\t}");
	}
	put(&o, "]\n}\n");
	drain(&o, 1);
	buf_free(&o.b);
	return o.rc;
}
