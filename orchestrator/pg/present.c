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
	size_t n = strlen(s);
	buf_put(out, s, n);
	for (; n < width; n++)
		buf_putc(out, ' ');
	if (last)
		buf_putc(out, '\n');
	else
		buf_put(out, " | ", 3);
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
	}
	log_text(0, buf_cstr(&out)); /* names and descriptions come from files */
	buf_free(&out);
}

void present_json(const engine *g)
{
	cJSON *root = cJSON_CreateObject();
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
