/*
 * catalog_json: the model written with cJSON. List-valued fields the server sent as JSON
 * (key columns, enum labels, policies, view sources) are parsed and embedded, not quoted.
 */
#include "pg/catalog_json.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

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

void catalog_json(const catalog *c, buf *out)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "format", CATALOG_JSON_FORMAT);
	cJSON *exts = cJSON_AddArrayToObject(root, "extensions");
	for (size_t i = 0; i < c->nexts; i++) {
		cJSON *x = cJSON_CreateObject();
		str(x, "name", c->exts[i].name);
		str(x, "version", c->exts[i].version);
		str(x, "schema", c->exts[i].schema);
		str(x, "comment", c->exts[i].comment);
		cJSON_AddItemToArray(exts, x);
	}
	cJSON *schemas = cJSON_AddArrayToObject(root, "schemas");
	size_t j = 0;
	for (size_t i = 0; i < c->nschemas; i++) {
		const char *name = c->schemas[i].name;
		cJSON *s = cJSON_CreateObject();
		str(s, "name", name);
		str(s, "comment", c->schemas[i].comment);
		cJSON *rels = cJSON_AddArrayToObject(s, "relations");
		cJSON *seqs = cJSON_AddArrayToObject(s, "sequences");
		while (j < c->nrels && strcmp(c->rels[j].schema, name) == 0) {
			const catalog_rel *r = &c->rels[j++];
			cJSON_AddItemToArray(r->kind == 'S' ? seqs : rels,
			                     r->kind == 'S' ? sequence(r) : relation(c, r));
		}
		cJSON *enums = cJSON_AddArrayToObject(s, "enums");
		cJSON *domains = cJSON_AddArrayToObject(s, "domains");
		for (size_t k = 0; k < c->ntypes; k++) {
			const catalog_type *t = &c->types[k];
			if (strcmp(t->schema, name) != 0)
				continue;
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
			cJSON_AddItemToArray(t->kind == 'e' ? enums : domains, o);
		}
		cJSON *funcs = cJSON_AddArrayToObject(s, "functions");
		for (size_t k = 0; k < c->nfuncs; k++) {
			const catalog_function *f = &c->funcs[k];
			if (strcmp(f->schema, name) != 0)
				continue;
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
			cJSON_AddItemToArray(funcs, o);
		}
		cJSON_AddItemToArray(schemas, s);
	}
	char *text = cJSON_Print(root);
	buf_puts(out, text);
	buf_putc(out, '\n');
	free(text);
	cJSON_Delete(root);
}
