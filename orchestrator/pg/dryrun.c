/*
 * dryrun: see dryrun.h. Everything printed goes through log_info, so registered secrets
 * are redacted a second time on the way out.
 */
#include "pg/dryrun.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/fs.h"
#include "core/log.h"
#include "pg/discover.h"
#include "pg/parse.h"
#include "pg/sqlsplit.h"

/* The placeholders to show: the caller's masked, Flyway's built-ins as they are. */
static void display_set(const migrate_opts *o, const placeholder_set *all, placeholder_set *out)
{
	for (size_t i = 0; i < all->n; i++) {
		int callers = 0;
		for (size_t j = 0; o->placeholders && j < o->placeholders->n && !callers; j++)
			callers = strcmp(o->placeholders->items[j].name, all->items[i].name) == 0;
		placeholder_set_put(out, all->items[i].name, callers ? "***" : all->items[i].value);
	}
}

/* The first statement that refuses a transaction, or NULL. */
static const char *no_transaction(const buf *text, int server_version)
{
	sql_stmt *st = NULL;
	size_t n = sqlsplit(buf_cstr(text), text->len, &st);
	const char *what = NULL;
	for (size_t i = 0; i < n && !what; i++)
		sqlsplit_no_transaction(buf_cstr(text) + st[i].off, st[i].len, server_version,
		                        &what);
	free(st);
	return what;
}

int dryrun_migrate(const migrate_opts *o, cJSON *json, err *e)
{
	migrate_plan p;
	int rc = migrate_plan_read(o, &p, e);
	if (rc)
		return rc;
	placeholder_set shown = {0};
	display_set(o, &p.placeholders, &shown);
	buf out = BUF_INIT, raw = BUF_INIT, real = BUF_INIT, text = BUF_INIT;
	cJSON *doc = json ? json : cJSON_CreateObject(), *migs = cJSON_CreateArray(),
	      *rows = cJSON_CreateArray();
	cJSON_AddStringToObject(doc, "schema", p.schema);
	cJSON_AddStringToObject(doc, "table", p.table);
	cJSON_AddBoolToObject(doc, "tableExists", p.table_exists);
	cJSON_AddItemToObject(doc, "migrations", migs);
	cJSON_AddItemToObject(doc, "historyRows", rows);
	buf_printf(&out,
	           "dry run: %zu pending migration%s for schema %s (history table %s%s); nothing "
	           "is locked or written\n",
	           p.n, p.n == 1 ? "" : "s", p.schema, p.table,
	           p.table_exists ? "" : ", which migrate would create first");
	buf unresolved = BUF_INIT; /* as migrate: every missing value listed in one run */
	size_t n_unresolved = 0;
	for (size_t i = 0; rc == 0 && i < p.n; i++) {
		const migrate_step *s = &p.steps[i];
		buf_clear(&raw);
		buf_clear(&real);
		buf_clear(&text);
		if ((rc = fs_read_file(s->path, &raw, e)))
			break;
		/* The mode comes from the real text (a placeholder may hold SQL); the text
		 * shown has the caller's values masked. */
		if (placeholder_apply(&p.placeholders, s->path, buf_cstr(&raw), raw.len, &real,
		                      e)) {
			n_unresolved += placeholder_report_missing(
			    &p.placeholders, s->path, buf_cstr(&raw), raw.len, &unresolved);
			err_clear(e);
			continue;
		}
		if (n_unresolved)
			continue; /* nothing more to show: the run fails below */
		if (rc == 0)
			rc = placeholder_apply(&shown, s->path, buf_cstr(&raw), raw.len, &text, e);
		if (rc)
			break;
		const char *no_tx = no_transaction(&real, p.server_version);
		cJSON *m = cJSON_CreateObject();
		if (s->version)
			cJSON_AddStringToObject(m, "version", s->version);
		else
			cJSON_AddNullToObject(m, "version");
		cJSON_AddStringToObject(m, "description", s->description);
		cJSON_AddStringToObject(m, "type",
		                        strcmp(s->type, "SQL") != 0 ? "Baseline"
		                        : s->version                ? "Versioned"
		                                                    : "Repeatable");
		cJSON_AddStringToObject(m, "filepath", s->path);
		cJSON_AddBoolToObject(m, "transaction", no_tx == NULL);
		if (no_tx)
			cJSON_AddStringToObject(m, "noTransactionBecause", no_tx);
		cJSON_AddStringToObject(m, "sql", buf_cstr(&text));
		cJSON_AddItemToArray(migs, m);
		buf_printf(&out, "\n-- %zu. %s%s %s (%s): ", i + 1,
		           strcmp(s->type, "SQL") != 0 ? "B"
		           : s->version                ? "V"
		                                       : "R",
		           s->version ? s->version : "", s->description, s->path);
		if (no_tx)
			buf_printf(&out, "runs WITHOUT a transaction (it holds %s)\n", no_tx);
		else
			buf_puts(&out, "in a transaction\n");
		buf_puts(&out, buf_cstr(&text));
		if (text.len && text.ptr[text.len - 1] != '\n')
			buf_putc(&out, '\n');
		cJSON *r = cJSON_CreateObject();
		cJSON_AddNumberToObject(r, "installed_rank", p.next_rank + (int)i);
		if (s->version)
			cJSON_AddStringToObject(r, "version", s->version);
		else
			cJSON_AddNullToObject(r, "version");
		cJSON_AddStringToObject(r, "description", s->description);
		cJSON_AddStringToObject(r, "type", s->type);
		cJSON_AddStringToObject(r, "script", s->script);
		cJSON_AddNumberToObject(r, "checksum", s->checksum);
		cJSON_AddStringToObject(r, "installed_by", p.installed_by);
		cJSON_AddBoolToObject(r, "success", 1);
		cJSON_AddItemToArray(rows, r);
	}
	if (rc == 0 && n_unresolved)
		rc = placeholder_missing_error(&unresolved, n_unresolved, e);
	buf_free(&unresolved);
	if (rc == 0 && !json) {
		buf_printf(&out, "\nhistory rows migrate would write to %s.%s:\n", p.schema,
		           p.table);
		buf_puts(&out,
		         "installed_rank | version | description | type | script | checksum | "
		         "installed_by | success\n");
		for (size_t i = 0; i < p.n; i++) {
			const migrate_step *s = &p.steps[i];
			buf_printf(&out, "%d | %s | %s | %s | %s | %d | %s | true\n",
			           p.next_rank + (int)i, s->version ? s->version : "",
			           s->description, s->type, s->script, (int)s->checksum,
			           p.installed_by);
		}
		if (p.n == 0)
			buf_puts(&out, "(none: schema is up to date)\n");
		log_info("%s", buf_cstr(&out));
	}
	if (!json)
		cJSON_Delete(doc);
	buf_free(&out);
	buf_free(&raw);
	buf_free(&real);
	buf_free(&text);
	placeholder_set_free(&shown);
	migrate_plan_free(&p);
	return rc;
}

/* "file:line:col: message", the line, and a caret under the column. */
static void report_syntax(const char *path, const char *text, size_t off, const char *msg)
{
	int line, col;
	parse_line_col(text, off, &line, &col);
	const char *bol = text + off;
	while (bol > text && bol[-1] != '\n')
		bol--;
	size_t len = strcspn(bol, "\r\n");
	buf caret = BUF_INIT;
	for (const char *c = bol; c < text + off; c++)
		if (((unsigned char)*c & 0xC0) != 0x80)
			buf_putc(&caret, *c == '\t' ? '\t' : ' ');
	buf_putc(&caret, '^');
	log_error_at(path, line, "%s:%d:%d: %s", path, line, col, msg);
	/* the line is the migration's text: printed safe like any log line */
	buf shown = BUF_INIT;
	buf_printf(&shown, "    %.*s\n    %s\n", (int)len, bol, buf_cstr(&caret));
	log_text(1, buf_cstr(&shown));
	buf_free(&shown);
	buf_free(&caret);
}

int dryrun_syntax(const migrate_opts *o, err *e)
{
	static const char *const default_locations[] = {"sql"};
	pg_migrations m = {0};
	int rc = discover_scan(o->n_locations ? o->locations : default_locations,
	                       o->n_locations ? o->n_locations : 1, &m, e);
	if (rc)
		return rc;
	/* Flyway's built-ins have no database to come from: stand-ins of the right shape. */
	placeholder_set ph = {0};
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	strftime(ts, sizeof ts, "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
	placeholder_set_put(&ph, "flyway:defaultSchema", o->schema ? o->schema : "public");
	placeholder_set_put(&ph, "flyway:user", o->installed_by ? o->installed_by : "postgres");
	placeholder_set_put(&ph, "flyway:database", "postgres");
	placeholder_set_put(&ph, "flyway:timestamp", ts);
	placeholder_set_put(&ph, "flyway:table", o->table ? o->table : "flyway_schema_history");
	for (size_t i = 0; o->placeholders && i < o->placeholders->n; i++)
		placeholder_set_put(&ph, o->placeholders->items[i].name,
		                    o->placeholders->items[i].value);
	size_t errors = 0, files = 0;
	buf raw = BUF_INIT, text = BUF_INIT, missing = BUF_INIT;
	for (size_t i = 0; i < m.n; i++) {
		buf_clear(&raw);
		buf_clear(&text);
		err fe = ERR_INIT;
		if (fs_read_file(m.v[i].path, &raw, &fe)) {
			log_error("%s", fe.msg);
			errors++;
			files++;
			continue;
		}
		if (placeholder_apply(&ph, m.v[i].path, buf_cstr(&raw), raw.len, &text, &fe)) {
			/* each use of a placeholder without a value, as migrate lists them */
			errors += placeholder_report_missing(&ph, m.v[i].path, buf_cstr(&raw),
			                                     raw.len, &missing);
			files++;
			continue;
		}
		parse_script s;
		parse_script_text(buf_cstr(&text), text.len, &s);
		size_t n = parse_script_errors(&s);
		for (size_t j = 0; j < s.n; j++)
			if (s.v[j].error)
				report_syntax(m.v[i].path, buf_cstr(&text), s.v[j].error_off,
				              s.v[j].error);
		errors += n;
		files += n > 0;
		parse_script_free(&s);
	}
	if (errors)
		rc = err_set(e, ORC_EFAIL,
		             "validate --syntax: %zu syntax error%s in %zu of %zu file%s", errors,
		             errors == 1 ? "" : "s", files, m.n, m.n == 1 ? "" : "s");
	else
		log_info("validate --syntax: %zu file%s parsed without error", m.n,
		         m.n == 1 ? "" : "s");
	buf_free(&raw);
	buf_free(&text);
	buf_free(&missing);
	placeholder_set_free(&ph);
	discover_free(&m);
	return rc;
}
