/* jdbc: pgjdbc URLs turned into libpq URIs (see jdbc.h). */
#include "pg/jdbc.h"

#include <curl/curl.h>
#include <string.h>
#include <strings.h>

/* pgjdbc names with a libpq equivalent: {pgjdbc, libpq, fixed value or NULL}. */
static const struct {
	const char *jdbc, *libpq, *value;
} renamed[] = {
    {"ssl", "sslmode", "verify-full"}, /* pgjdbc's ssl=true verifies host and chain */
    {"connectTimeout", "connect_timeout", NULL},
    {"ApplicationName", "application_name", NULL},
    {"sslfactory", NULL, NULL}, /* Java only: nothing to do in libpq */
};

/* libpq's own parameters accepted as they are. */
static const char *const passthrough[] = {
    "user",   "password",         "sslmode",         "sslrootcert", "sslcert",
    "sslkey", "application_name", "connect_timeout", "options",     "target_session_attrs",
    "sslcrl", "gssencmode",       "channel_binding", "keepalives",  "service",
};

int jdbc_is_url(const char *url)
{
	return url && strncmp(url, "jdbc:", 5) == 0;
}

static int add_param(CURLU *u, const char *name, const char *value)
{
	char *v = curl_easy_escape(NULL, value, 0);
	buf q = BUF_INIT;
	buf_printf(&q, "%s=%s", name, v ? v : "");
	curl_free(v);
	CURLUcode rc = curl_url_set(u, CURLUPART_QUERY, buf_cstr(&q), CURLU_APPENDQUERY);
	buf_free(&q);
	return rc != CURLUE_OK;
}

int jdbc_to_libpq(const char *url, buf *out, err *e)
{
	if (!jdbc_is_url(url) || strncmp(url + 5, "postgresql://", 13) != 0)
		return err_set(e, ORC_EUSAGE,
		               "FLYWAY_URL / flyway.url: only jdbc:postgresql://host:port/db URLs "
		               "are understood");
	CURLU *u = curl_url();
	char *query = NULL, *full = NULL;
	int rc = 0;
	if (curl_url_set(u, CURLUPART_URL, url + 5, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
		rc = err_set(e, ORC_EUSAGE, "FLYWAY_URL: not a valid jdbc:postgresql:// URL");
		goto out;
	}
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	curl_url_set(u, CURLUPART_QUERY, NULL, 0);
	char *save = NULL;
	for (char *kv = query ? strtok_r(query, "&", &save) : NULL; kv && rc == 0;
	     kv = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(kv, '=');
		if (eq)
			*eq = 0;
		int vlen = 0;
		char *value = curl_easy_unescape(NULL, eq ? eq + 1 : "", 0, &vlen);
		const char *name = kv, *libpq = NULL, *fixed = NULL;
		int known = 0;
		for (size_t i = 0; !known && i < sizeof renamed / sizeof *renamed; i++)
			if (strcmp(name, renamed[i].jdbc) == 0) {
				known = 1;
				libpq = renamed[i].libpq;
				fixed = renamed[i].value;
			}
		for (size_t i = 0; !known && i < sizeof passthrough / sizeof *passthrough; i++)
			if (strcmp(name, passthrough[i]) == 0) {
				known = 1;
				libpq = name;
			}
		if (strcmp(name, "ssl") == 0 && value && strcasecmp(value, "true") != 0)
			libpq = NULL; /* ssl=false: libpq's default (prefer) */
		if (strcmp(name, "currentSchema") == 0) {
			known = 1;
			buf opt = BUF_INIT;
			buf_printf(&opt, "-csearch_path=%s", value ? value : "");
			rc = add_param(u, "options", buf_cstr(&opt));
			buf_free(&opt);
		} else if (!known) {
			rc = err_set(e, ORC_EUSAGE,
			             "FLYWAY_URL: the JDBC parameter '%s' has no libpq equivalent; "
			             "remove it (or set the matching PG* variable)",
			             name);
		} else if (libpq) {
			rc = add_param(u, libpq, fixed ? fixed : value ? value : "");
		}
		curl_free(value);
	}
	if (rc == 0 && curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK)
		rc = err_set(e, ORC_EUSAGE, "FLYWAY_URL: cannot rebuild the URL");
	if (rc == 0)
		buf_puts(out, full);
out:
	curl_free(query);
	curl_free(full);
	curl_url_cleanup(u);
	return rc;
}
