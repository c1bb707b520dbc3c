/* history: Flyway's history table, read, created, locked and appended to (see history.h). */
#include "pg/history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "pg/conn.h"

static char *quote_ident(PGconn *c, const char *s)
{
	char *q = PQescapeIdentifier(c, s, strlen(s));
	char *r = xstrdup(q ? q : s);
	PQfreemem(q);
	return r;
}

int history_open(pg_history *h, PGconn *c, const char *schema, const char *table, err *e)
{
	memset(h, 0, sizeof *h);
	h->conn = c;
	h->table = xstrdup(table && *table ? table : "flyway_schema_history");
	if (schema && *schema) {
		h->schema = xstrdup(schema);
	} else {
		PGresult *r;
		if (conn_exec(c, "SELECT current_schema()", &r, e))
			return err_prefix(e, "reading the current schema");
		if (PQgetisnull(r, 0, 0)) {
			PQclear(r);
			return err_set(
			    e, ORC_EUSAGE,
			    "no schema of search_path exists in this database; pass --schema");
		}
		h->schema = xstrdup(PQgetvalue(r, 0, 0));
		PQclear(r);
	}
	char *qs = quote_ident(c, h->schema), *qt = quote_ident(c, h->table);
	h->qualified = xasprintf("%s.%s", qs, qt);
	free(qs);
	free(qt);
	return history_refresh(h, e);
}

int history_refresh(pg_history *h, err *e)
{
	PGresult *r;
	const char *p[] = {h->qualified};
	if (conn_execp(h->conn, "SELECT pg_catalog.to_regclass($1) IS NOT NULL", 1, p, &r, e))
		return err_prefix(e, "looking for %s", h->qualified);
	h->exists = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	return 0;
}

static void free_rows(pg_history *h)
{
	free(h->text);
	free(h->rows);
	h->text = NULL;
	h->rows = NULL;
	h->n = 0;
}

void history_close(pg_history *h)
{
	free_rows(h);
	free(h->schema);
	free(h->table);
	free(h->qualified);
	memset(h, 0, sizeof *h);
}

/* Flyway's lock number: a magic constant plus Java's String.hashCode of the quoted name. */
static long long lock_key(const pg_history *h)
{
	int32_t hash = 0;
	for (const unsigned char *p = (const unsigned char *)h->qualified; *p; p++)
		hash = (int32_t)((uint32_t)hash * 31u + *p);
	return 77431708279161LL + hash;
}

int history_lock(pg_history *h, err *e)
{
	char sql[96];
	snprintf(sql, sizeof sql, "SELECT pg_catalog.pg_advisory_lock(%lld)", lock_key(h));
	if (conn_exec(h->conn, sql, NULL, e))
		return err_prefix(e, "locking %s against other runners", h->qualified);
	return 0;
}

void history_unlock(pg_history *h)
{
	char sql[96];
	snprintf(sql, sizeof sql, "SELECT pg_catalog.pg_advisory_unlock(%lld)", lock_key(h));
	PQclear(PQexec(h->conn, sql));
}

int history_create(pg_history *h, err *e)
{
	/* Another runner may have created it while this one waited for the lock. */
	if (history_refresh(h, e))
		return e->code;
	if (h->exists)
		return 0;
	PGresult *r;
	const char *p[] = {h->schema};
	if (conn_execp(h->conn, "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1", 1, p,
	               &r, e))
		return err_prefix(e, "looking for schema %s", h->schema);
	int schema_exists = PQntuples(r) > 0;
	PQclear(r);
	char *qs = quote_ident(h->conn, h->schema);
	char *pk = xasprintf("%s_pk", h->table), *idx = xasprintf("%s_s_idx", h->table);
	char *qpk = quote_ident(h->conn, pk), *qidx = quote_ident(h->conn, idx);
	buf sql = BUF_INIT;
	buf_puts(&sql, "BEGIN;\n");
	if (!schema_exists)
		buf_printf(&sql, "CREATE SCHEMA %s;\n", qs);
	buf_printf(&sql,
	           "CREATE TABLE %s (\n"
	           "    \"installed_rank\" INT NOT NULL,\n"
	           "    \"version\" VARCHAR(50),\n"
	           "    \"description\" VARCHAR(200) NOT NULL,\n"
	           "    \"type\" VARCHAR(20) NOT NULL,\n"
	           "    \"script\" VARCHAR(1000) NOT NULL,\n"
	           "    \"checksum\" INTEGER,\n"
	           "    \"installed_by\" VARCHAR(100) NOT NULL,\n"
	           "    \"installed_on\" TIMESTAMP NOT NULL DEFAULT now(),\n"
	           "    \"execution_time\" INTEGER NOT NULL,\n"
	           "    \"success\" BOOLEAN NOT NULL\n"
	           ");\n"
	           "ALTER TABLE %s ADD CONSTRAINT %s PRIMARY KEY (\"installed_rank\");\n"
	           "CREATE INDEX %s ON %s (\"success\");\n",
	           h->qualified, h->qualified, qpk, qidx, h->qualified);
	if (!schema_exists) {
		/* Flyway's marker: the schemas it created, so that `clean` knows to drop them. */
		char *lit = PQescapeLiteral(h->conn, qs, strlen(qs));
		buf_printf(
		    &sql,
		    "INSERT INTO %s (installed_rank, version, description, type, script, checksum, "
		    "installed_by, execution_time, success) VALUES (0, NULL, '<< Flyway Schema "
		    "Creation >>', 'SCHEMA', %s, NULL, current_user, 0, true);\n",
		    h->qualified, lit);
		PQfreemem(lit);
	}
	buf_puts(&sql, "COMMIT;");
	int rc = conn_exec(h->conn, buf_cstr(&sql), NULL, e);
	if (rc) {
		PQclear(PQexec(h->conn, "ROLLBACK"));
		err_prefix(e, "creating %s", h->qualified);
	} else {
		h->exists = 1;
	}
	buf_free(&sql);
	free(qs);
	free(pk);
	free(idx);
	free(qpk);
	free(qidx);
	return rc;
}

/* A column's integer: the server's canonical text ("-123"), read without strtol's
 * locale machinery (three per row). */
static long col_int(PGresult *r, int row, int col)
{
	const char *s = PQgetvalue(r, row, col);
	int neg = *s == '-';
	long v = 0;
	for (s += neg; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (*s - '0');
	return neg ? -v : v;
}

/* Copies a column's text into the block at *at (NULL for SQL NULL). */
static char *take(PGresult *r, int row, int col, char **at)
{
	if (PQgetisnull(r, row, col))
		return NULL;
	size_t n = (size_t)PQgetlength(r, row, col);
	char *s = *at;
	memcpy(s, PQgetvalue(r, row, col), n + 1);
	*at += n + 1;
	return s;
}

int history_read(pg_history *h, err *e)
{
	free_rows(h);
	if (!h->exists)
		return 0;
	char *sql =
	    xasprintf("SELECT installed_rank, version, description, type, script, checksum, "
	              "installed_by, to_char(installed_on, 'YYYY-MM-DD HH24:MI:SS'), "
	              "execution_time, success FROM %s ORDER BY installed_rank",
	              h->qualified);
	PGresult *r;
	int rc = conn_exec(h->conn, sql, &r, e);
	free(sql);
	if (rc)
		return err_prefix(e, "reading %s", h->qualified);
	int n = PQntuples(r);
	h->rows = xcalloc((size_t)n + 1, sizeof *h->rows);
	/* The strings go into one block: a malloc and a free per string cost more than
	 * reading the row on a large history. */
	static const int text_cols[] = {1, 2, 3, 4, 6, 7};
	size_t size = 1;
	for (int i = 0; i < n; i++)
		for (size_t k = 0; k < sizeof text_cols / sizeof *text_cols; k++)
			size += (size_t)PQgetlength(r, i, text_cols[k]) + 1;
	char *at = h->text = xmalloc(size);
	for (int i = 0; i < n; i++) {
		pg_applied *a = &h->rows[i];
		a->rank = (int)col_int(r, i, 0);
		a->version = take(r, i, 1, &at);
		a->description = take(r, i, 2, &at);
		a->type = take(r, i, 3, &at);
		a->script = take(r, i, 4, &at);
		a->has_checksum = !PQgetisnull(r, i, 5);
		a->checksum = a->has_checksum ? (int32_t)col_int(r, i, 5) : 0;
		a->installed_by = take(r, i, 6, &at);
		a->installed_on = take(r, i, 7, &at);
		a->execution_time = (int)col_int(r, i, 8);
		a->success = strcmp(PQgetvalue(r, i, 9), "t") == 0;
	}
	h->n = (size_t)n;
	PQclear(r);
	return 0;
}

char *history_insert_sql(const pg_history *h)
{
	return xasprintf(
	    "INSERT INTO %s (installed_rank, version, description, type, script, checksum, "
	    "installed_by, execution_time, success) "
	    "SELECT COALESCE(pg_catalog.max(installed_rank), 0) + 1, $1, $2, $3, $4, "
	    "$5::int, $6, COALESCE($7::int, (pg_catalog.date_part('epoch', "
	    "pg_catalog.clock_timestamp() - pg_catalog.now()) * 1000)::int), $8::boolean FROM %s "
	    "RETURNING execution_time",
	    h->qualified, h->qualified);
}

/* The byte offset of UTF-16 unit `units` in s (a 4-byte UTF-8 sequence is two units),
 * and the number of units in s in *total. */
static size_t unit_offset(const char *s, size_t units, size_t *total)
{
	size_t u = 0, off = SIZE_MAX, i = 0;
	while (s[i]) {
		if (u >= units && off == SIZE_MAX)
			off = i;
		unsigned char c = (unsigned char)s[i];
		size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		u += len == 4 ? 2 : 1;
		for (size_t k = 0; k < len && s[i]; k++)
			i++;
	}
	*total = u;
	return off == SIZE_MAX ? i : off;
}

const char *history_abbrev_description(const char *s, buf *tmp)
{
	size_t total, cut = unit_offset(s, 197, &total);
	if (total <= 200)
		return s;
	buf_clear(tmp);
	buf_put(tmp, s, cut);
	buf_puts(tmp, "...");
	return buf_cstr(tmp);
}

const char *history_abbrev_script(const char *s, buf *tmp)
{
	size_t total, from = unit_offset(s, 3, &total), to = unit_offset(s, 1000, &total);
	if (total <= 1000)
		return s;
	buf_clear(tmp);
	buf_puts(tmp, "...");
	buf_put(tmp, s + from, to - from);
	return buf_cstr(tmp);
}

int history_insert(pg_history *h, const char *version, const char *description, const char *type,
                   const char *script, const int32_t *checksum, const char *installed_by,
                   int execution_time, int success, err *e)
{
	char cs[16], et[16];
	if (checksum)
		snprintf(cs, sizeof cs, "%d", (int)*checksum);
	snprintf(et, sizeof et, "%d", execution_time);
	buf d = BUF_INIT, sc = BUF_INIT;
	const char *p[] = {version,
	                   history_abbrev_description(description, &d),
	                   type,
	                   history_abbrev_script(script, &sc),
	                   checksum ? cs : NULL,
	                   installed_by,
	                   et,
	                   success ? "true" : "false"};
	char *sql = history_insert_sql(h);
	int rc = conn_execp(h->conn, sql, 8, p, NULL, e);
	free(sql);
	buf_free(&d);
	buf_free(&sc);
	if (rc)
		return err_prefix(e, "recording %s in %s", script, h->qualified);
	return 0;
}
