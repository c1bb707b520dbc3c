/* conn: connecting and running commands with one-line errors (see conn.h). */
#include "pg/conn.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"

/* Server notices and warnings go through the one output path (redacted), not libpq's
 * default of printing them to stderr. */
static void on_notice(void *arg, const char *message)
{
	(void)arg;
	buf m = BUF_INIT;
	buf_puts(&m, message);
	while (m.len && (m.ptr[m.len - 1] == '\n' || m.ptr[m.len - 1] == ' '))
		buf_truncate(&m, m.len - 1);
	buf_replace_all(&m, "\n", "; ");
	log_warn("server: %s", buf_cstr(&m));
	buf_free(&m);
}

int conn_open(const char *url, PGconn **out, err *e)
{
	return conn_open_as(url, "--url", out, e);
}

int conn_open_as(const char *url, const char *label, PGconn **out, err *e)
{
	const char *keys[3] = {0}, *vals[3] = {0};
	int k = 0;
	if (url && *url) {
		keys[k] = "dbname";
		vals[k++] = url;
	}
	keys[k] = "fallback_application_name";
	vals[k++] = "orchestrator";
	if (url && *url) {
		char *perr = NULL;
		PQconninfoOption *opts = PQconninfoParse(url, &perr);
		if (!opts) {
			err_set(e, ORC_EUSAGE, "%s: not a PostgreSQL connection string or URI: %s",
			        label, perr ? perr : "parse error");
			PQfreemem(perr);
			return ORC_EUSAGE;
		}
		for (PQconninfoOption *o = opts; o->keyword; o++)
			if (o->val && strcmp(o->keyword, "password") == 0)
				log_add_secret(o->val);
		PQconninfoFree(opts);
	}
	const char *envpw = getenv("PGPASSWORD");
	if (envpw)
		log_add_secret(envpw);
	PGconn *c = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(c) != CONNECTION_OK) {
		buf m = BUF_INIT;
		buf_puts(&m, PQerrorMessage(c));
		while (m.len && (m.ptr[m.len - 1] == '\n' || m.ptr[m.len - 1] == ' '))
			buf_truncate(&m, m.len - 1);
		buf_replace_all(&m, "\n", "; ");
		log_redact(&m);
		err_set(e, ORC_EREMOTE,
		        "%s: cannot connect to PostgreSQL: %s; check %s or the PG* variables",
		        label, buf_cstr(&m), label);
		buf_free(&m);
		PQfinish(c);
		return ORC_EREMOTE;
	}
	PQsetNoticeProcessor(c, on_notice, NULL);
	*out = c;
	return 0;
}

void conn_describe_error(const PGresult *r, PGconn *c, buf *out)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL) : NULL;
	size_t start = out->len;
	if (state)
		buf_printf(out, "SQLSTATE %s: ", state);
	if (msg)
		buf_puts(out, msg);
	else
		buf_puts(out, PQerrorMessage(c));
	if (detail)
		buf_printf(out, " (%s)", detail);
	for (size_t i = start; i < out->len; i++)
		if (out->ptr[i] == '\n' || out->ptr[i] == '\r')
			out->ptr[i] = ' ';
	while (out->len > start && out->ptr[out->len - 1] == ' ')
		buf_truncate(out, out->len - 1);
}

int conn_execp(PGconn *c, const char *sql, int n, const char *const *params, PGresult **res, err *e)
{
	PGresult *r = n ? PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0) : PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		if (res)
			*res = r;
		else
			PQclear(r);
		return 0;
	}
	buf m = BUF_INIT;
	conn_describe_error(r, c, &m);
	log_redact(&m);
	err_set(e, ORC_EFAIL, "%s", buf_cstr(&m));
	buf_free(&m);
	PQclear(r);
	return ORC_EFAIL;
}

int conn_exec(PGconn *c, const char *sql, PGresult **res, err *e)
{
	return conn_execp(c, sql, 0, NULL, res, e);
}
