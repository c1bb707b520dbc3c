/*
 * present: what info prints (Flyway's table, or its JSON field names under --json), and
 * the labels and step-summary rows migrate prints for each migration.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "pg/engine.h"

const char *present_label(const pg_migration *f, buf *b)
{
	buf_clear(b);
	if (f->version)
		buf_printf(b, "%c%s %s", f->baseline ? 'B' : 'V', f->version, f->description);
	else
		buf_printf(b, "R %s", f->description);
	return buf_cstr(b);
}

void present_summary_row(buf *md, const pg_migration *f, int ms)
{
	buf_printf(md, "| %s | %s | %s | %d |\n", f->version ? f->version : "", f->description,
	           f->baseline  ? "Baseline"
	           : f->version ? "Versioned"
	                        : "Repeatable",
	           ms);
}

/* One cell padded to width bytes (printf's %-*s without the formatting cost: info prints
 * seven cells for each of thousands of rows). */
static void cell(buf *out, const char *s, size_t width, int last)
{
	size_t n = strlen(s), pad = n < width ? width - n : 0;
	buf_grow(out, n + pad + 3);
	char *p = out->ptr + out->len;
	memcpy(p, s, n);
	memset(p + n, ' ', pad);
	p += n + pad;
	if (last) {
		*p++ = '\n';
	} else {
		memcpy(p, " | ", 3);
		p += 3;
	}
	*p = 0;
	out->len = (size_t)(p - out->ptr);
}

void present_table(const engine *g)
{
	const char *head[] = {"Category",     "Version",   "Description", "Type",
	                      "Installed On", "Time (ms)", "State"};
	size_t w[7];
	for (int c = 0; c < 7; c++)
		w[c] = strlen(head[c]);
	char ms[16];
	for (size_t i = 0; i < g->n_rows; i++) {
		const info_row *r = &g->rows[i];
		const char *v = info_row_version(r);
		const char *cells[7] = {info_row_category(r),
		                        v ? v : "",
		                        info_row_description(r),
		                        info_row_type(r),
		                        r->row ? r->row->installed_on : "",
		                        "",
		                        r->state};
		for (int c = 0; c < 7; c++)
			if (strlen(cells[c]) > w[c])
				w[c] = strlen(cells[c]);
	}
	buf out = BUF_INIT;
	buf_printf(&out, "Schema %s, table %s, version %s\n", g->h.schema, g->h.table,
	           g->max_applied ? g->max_applied : "<< Empty Schema >>");
	for (int c = 0; c < 7; c++)
		cell(&out, head[c], w[c], c == 6);
	for (size_t i = 0; i < g->n_rows; i++) {
		const info_row *r = &g->rows[i];
		const char *v = info_row_version(r);
		ms[0] = 0;
		if (r->row)
			snprintf(ms, sizeof ms, "%d", r->row->execution_time);
		const char *cells[7] = {info_row_category(r),
		                        v ? v : "",
		                        info_row_description(r),
		                        info_row_type(r),
		                        r->row ? r->row->installed_on : "",
		                        ms,
		                        r->state};
		for (int c = 0; c < 7; c++)
			cell(&out, cells[c], w[c], c == 6);
		/* Printed in pieces of whole lines: buffers that stay in the cache instead of
		 * megabytes copied twice (log_text redacts and escapes a copy). */
		if (out.len >= 65536) {
			log_text(0, buf_cstr(&out)); /* names and descriptions come from files */
			buf_clear(&out);
		}
	}
	if (out.len)
		log_text(0, buf_cstr(&out));
	buf_free(&out);
}

void present_json(const engine *g)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "operation", "info");
	cJSON_AddStringToObject(root, "database", g->database ? g->database : "");
	cJSON_AddStringToObject(root, "schemaName", g->h.schema);
	cJSON_AddStringToObject(root, "table", g->h.table);
	if (g->max_applied)
		cJSON_AddStringToObject(root, "schemaVersion", g->max_applied);
	else
		cJSON_AddNullToObject(root, "schemaVersion");
	cJSON *arr = cJSON_AddArrayToObject(root, "migrations");
	for (size_t i = 0; i < g->n_rows; i++) {
		const info_row *r = &g->rows[i];
		cJSON *o = cJSON_CreateObject();
		const char *v = info_row_version(r);
		cJSON_AddStringToObject(o, "category", info_row_category(r));
		if (v)
			cJSON_AddStringToObject(o, "version", v);
		else
			cJSON_AddNullToObject(o, "version");
		cJSON_AddStringToObject(o, "description", info_row_description(r));
		cJSON_AddStringToObject(o, "type", info_row_type(r));
		cJSON_AddStringToObject(o, "script", info_row_script(r));
		if (r->file)
			cJSON_AddNumberToObject(o, "checksum", r->file->checksum);
		else if (r->row->has_checksum)
			cJSON_AddNumberToObject(o, "checksum", r->row->checksum);
		else
			cJSON_AddNullToObject(o, "checksum");
		cJSON_AddStringToObject(o, "state", r->state);
		if (r->row) {
			cJSON_AddNumberToObject(o, "installedRank", r->row->rank);
			cJSON_AddStringToObject(o, "installedOn", r->row->installed_on);
			cJSON_AddStringToObject(o, "installedBy", r->row->installed_by);
			cJSON_AddNumberToObject(o, "executionTime", r->row->execution_time);
		}
		if (r->file)
			cJSON_AddStringToObject(o, "filepath", r->file->path);
		cJSON_AddItemToArray(arr, o);
	}
	char *s = cJSON_Print(root);
	buf b = BUF_INIT;
	buf_puts(&b, s);
	log_redact(&b);
	if (g->o->json_out)
		buf_puts(g->o->json_out, buf_cstr(&b));
	else {
		buf_putc(&b, '\n');
		log_text(0, buf_cstr(&b));
	}
	buf_free(&b);
	cJSON_free(s);
	cJSON_Delete(root);
}

/* The array name of o->result, created on first use. */
static cJSON *result_array(const engine *g, const char *name)
{
	cJSON *a = cJSON_GetObjectItemCaseSensitive(g->o->result, name);
	return a ? a : cJSON_AddArrayToObject(g->o->result, name);
}

void present_applied(const engine *g, const pg_migration *f, int ms)
{
	if (!g->o->result)
		return;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "category", f->version ? "Versioned" : "Repeatable");
	cJSON_AddStringToObject(o, "version", f->version ? f->version : "");
	cJSON_AddStringToObject(o, "description", f->description);
	cJSON_AddStringToObject(o, "type", "SQL");
	cJSON_AddStringToObject(o, "filepath", f->path);
	cJSON_AddNumberToObject(o, "executionTime", ms);
	cJSON_AddItemToArray(result_array(g, "migrations"), o);
}

/* Flyway's ErrorCode for a validation problem (CoreErrorCode). */
static const char *problem_code(const info_row *r, int problem)
{
	int versioned = info_row_version(r) != NULL;
	switch (problem) {
	case P_CHANGED:
		return !r->row->has_checksum || r->row->checksum != r->file->checksum
		           ? "CHECKSUM_MISMATCH"
		           : "DESCRIPTION_MISMATCH";
	case P_FAILED:
		return versioned ? "FAILED_VERSIONED_MIGRATION" : "FAILED_REPEATABLE_MIGRATION";
	case P_MISSING:
		return versioned ? "APPLIED_VERSIONED_MIGRATION_NOT_RESOLVED"
		                 : "APPLIED_REPEATABLE_MIGRATION_NOT_RESOLVED";
	default:
		return versioned ? "RESOLVED_VERSIONED_MIGRATION_NOT_APPLIED"
		                 : "RESOLVED_REPEATABLE_MIGRATION_NOT_APPLIED";
	}
}

void present_invalid(const engine *g, const info_row *r, int problem, const char *message)
{
	if (!g->o->result)
		return;
	const char *v = info_row_version(r);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "version", v ? v : "");
	cJSON_AddStringToObject(o, "description", info_row_description(r));
	cJSON_AddStringToObject(o, "filepath", r->file ? r->file->path : "");
	cJSON *d = cJSON_AddObjectToObject(o, "errorDetails");
	cJSON_AddStringToObject(d, "errorCode", problem_code(r, problem));
	cJSON_AddStringToObject(d, "errorMessage", message);
	cJSON_AddItemToArray(result_array(g, "invalidMigrations"), o);
}

/* The string field name, or null. */
static void add_str_or_null(cJSON *o, const char *name, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, name, v);
	else
		cJSON_AddNullToObject(o, name);
}

void present_result_start(const engine *g, const char *operation)
{
	cJSON *o = g->o->result;
	if (!o || cJSON_GetObjectItemCaseSensitive(o, "operation"))
		return;
	cJSON_AddStringToObject(o, "operation", operation);
	cJSON_AddStringToObject(o, "database", g->database ? g->database : "");
	if (strcmp(operation, "migrate") == 0) {
		cJSON_AddStringToObject(o, "schemaName", g->h.schema);
		add_str_or_null(o, "initialSchemaVersion", g->max_applied);
		result_array(g, "migrations");
	} else if (strcmp(operation, "validate") == 0) {
		result_array(g, "invalidMigrations");
	} else if (strcmp(operation, "repair") == 0) {
		result_array(g, "repairActions");
		result_array(g, "migrationsRemoved");
		result_array(g, "migrationsDeleted");
		result_array(g, "migrationsAligned");
	}
}

void present_migrate_result(const engine *g, int executed, int rc)
{
	cJSON *o = g->o->result;
	if (!o)
		return;
	const char *target = NULL;
	const cJSON *m;
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(o, "migrations"))
	{
		const char *v =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "version"));
		if (v && *v)
			target = v; /* Flyway's: the last versioned one executed */
	}
	add_str_or_null(o, "targetSchemaVersion", target);
	cJSON_AddNumberToObject(o, "migrationsExecuted", executed);
	cJSON_AddBoolToObject(o, "success", rc == 0);
}

void present_validate_result(const engine *g, size_t count, int rc)
{
	cJSON *o = g->o->result;
	if (!o)
		return;
	int invalid = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "invalidMigrations"));
	if (invalid) {
		cJSON *d = cJSON_AddObjectToObject(o, "errorDetails");
		cJSON_AddStringToObject(d, "errorCode", "VALIDATE_ERROR");
		cJSON_AddStringToObject(d, "errorMessage", "Migrations have failed validation");
	} else {
		cJSON_AddNullToObject(o, "errorDetails");
	}
	cJSON_AddBoolToObject(o, "validationSuccessful", rc == 0);
	cJSON_AddNumberToObject(o, "validateCount", rc == 0 ? (double)count : 0);
}

void present_repaired(const engine *g, const char *list, const pg_applied *a, const char *path)
{
	if (!g->o->result)
		return;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "version", a->version ? a->version : "");
	cJSON_AddStringToObject(o, "description", a->description);
	cJSON_AddStringToObject(o, "filepath", path ? path : "");
	cJSON_AddItemToArray(result_array(g, list), o);
}

void present_repair_action(const engine *g, const char *action)
{
	if (g->o->result)
		cJSON_AddItemToArray(result_array(g, "repairActions"), cJSON_CreateString(action));
}
