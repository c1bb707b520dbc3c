/* conn: connecting and running commands with one-line errors (see conn.h). */
#include "pg/conn.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <stdio.h>
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

/*
 * Registers as secrets whatever could be a password in a connection string libpq may not
 * be able to parse (its parse error quotes the URI): the user info of a URI after its
 * first ':' (as written and percent-decoded), and the value of password=... in key=value
 * form. Run before parsing; the pieces are found by shape only, since parsing failed.
 */
static void register_url_secrets(const char *url)
{
	const char *scheme = strstr(url, "://");
	if (scheme) {
		const char *user = scheme + 3;
		size_t end = strcspn(user, "/?#");
		const char *at = NULL;
		for (const char *q = user; q < user + end; q++)
			if (*q == '@')
				at = q; /* the last '@' of the authority ends the user info */
		const char *colon = at ? memchr(user, ':', (size_t)(at - user)) : NULL;
		if (colon) {
			char *pw = xstrndup(colon + 1, (size_t)(at - colon - 1));
			log_add_secret(pw);
			/* decoded as libpq would (a bad %-sequence is kept as written) */
			char *dec = xstrdup(pw);
			char *w = dec;
			for (const char *r = pw; *r; r++) {
				unsigned int v;
				if (r[0] == '%' && isxdigit((unsigned char)r[1]) &&
				    isxdigit((unsigned char)r[2]) &&
				    sscanf(r + 1, "%2x", &v) == 1) {
					*w++ = (char)v;
					r += 2;
				} else {
					*w++ = *r;
				}
			}
			*w = '\0';
			log_add_secret(dec);
			OPENSSL_cleanse(pw, strlen(pw));
			OPENSSL_cleanse(dec, strlen(dec));
			free(pw);
			free(dec);
		}
		/* ?password=... in the query */
		const char *q = strstr(url, "password=");
		if (q) {
			char *v = xstrndup(q + 9, strcspn(q + 9, "&#"));
			log_add_secret(v);
			OPENSSL_cleanse(v, strlen(v));
			free(v);
		}
		return;
	}
	for (const char *q = strstr(url, "password"); q; q = strstr(q + 1, "password")) {
		const char *v = q + 8;
		while (*v == ' ')
			v++;
		if (*v++ != '=')
			continue;
		while (*v == ' ')
			v++;
		size_t n = *v == '\'' ? strcspn(v + 1, "'") : strcspn(v, " ");
		char *val = xstrndup(*v == '\'' ? v + 1 : v, n);
		log_add_secret(val);
		OPENSSL_cleanse(val, strlen(val));
		free(val);
	}
}

int conn_open(const char *url, PGconn **out, err *e)
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
		register_url_secrets(url);
		char *perr = NULL;
		PQconninfoOption *opts = PQconninfoParse(url, &perr);
		if (!opts) {
			/* libpq's message quotes the URI or the password: never shown */
			PQfreemem(perr);
			return err_set(
			    e, ORC_EUSAGE,
			    "--url: not a PostgreSQL connection string or URI (libpq cannot "
			    "parse it; write postgresql://USER:PASSWORD@HOST:PORT/DB with "
			    "%%XX for reserved characters in the password and [ ] around an "
			    "IPv6 host, or key=value pairs)");
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
		        "cannot connect to PostgreSQL: %s; check --url or the PG* variables",
		        buf_cstr(&m));
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
