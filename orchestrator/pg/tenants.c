/*
 * tenants: parallel runs of the engine over tenant schemas (see tenants.h).
 *
 * Workers take the next tenant from a shared index, so a slow tenant never holds up
 * the queue behind it. The engine opens its own connection per run; anything the log
 * must redact (the password) is registered before the workers start, so that the
 * workers only ever read the log's secret list.
 */
#include "pg/tenants.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "pg/conn.h"
#include "pg/locsrc.h"

int tenants_check_name(const char *name, err *e)
{
	size_t n = strlen(name);
	int ok = n > 0 && n <= 63 && (isalpha((unsigned char)name[0]) || name[0] == '_');
	for (size_t i = 0; ok && i < n; i++)
		ok = isalnum((unsigned char)name[i]) || name[i] == '_';
	if (!ok)
		return err_set(e, ORC_EUSAGE,
		               "tenant '%.80s': not a tenant schema name (a letter or '_', then up "
		               "to 62 letters, digits or '_')",
		               name);
	return 0;
}

/* cap: of *names, starting at *n (the caller's list may be filled already). */
static void add_name(char ***names, size_t *n, size_t *cap, const char *s, size_t len)
{
	ARRAY_GROW(*names, *n + 1, *cap);
	(*names)[(*n)++] = xstrndup(s, len);
}

int tenants_parse_list(const char *csv, char ***names, size_t *n, err *e)
{
	const char *p = csv;
	size_t cap = *n;
	for (;;) {
		size_t len = strcspn(p, ",");
		while (len && isspace((unsigned char)*p)) {
			p++;
			len--;
		}
		while (len && isspace((unsigned char)p[len - 1]))
			len--;
		if (len) {
			add_name(names, n, &cap, p, len);
			int rc = tenants_check_name((*names)[*n - 1], e);
			if (rc)
				return err_prefix(e, "--tenants");
		}
		p += strcspn(p, ",");
		if (!*p)
			break;
		p++;
	}
	return 0;
}

int tenants_query(const char *url, const char *sql, char ***names, size_t *n, err *e)
{
	PGconn *c = NULL;
	PGresult *r = NULL;
	size_t cap = *n;
	int rc = conn_open(url, &c, e);
	if (rc == 0)
		rc = conn_exec(c, sql, &r, e);
	if (rc == 0 && PQnfields(r) < 1)
		rc = err_set(e, ORC_EUSAGE,
		             "--tenants-query returns no column; select the tenant "
		             "schema names");
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		if (PQgetisnull(r, i, 0))
			continue;
		add_name(names, n, &cap, PQgetvalue(r, i, 0), strlen(PQgetvalue(r, i, 0)));
		rc = tenants_check_name((*names)[*n - 1], e);
	}
	if (rc)
		err_prefix(e, "--tenants-query");
	PQclear(r);
	if (c)
		PQfinish(c);
	return rc;
}

void tenants_free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

typedef struct shared {
	tenants_op op;
	const migrate_opts *base;
	char *const *names;
	size_t n;
	size_t next;
	pthread_mutex_t lock;
	tenants_report *out;
} shared;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* info as JSON, reduced to the schema version and the count of pending migrations. */
static void read_info(const buf *json, tenant_outcome *t)
{
	cJSON *j = cJSON_Parse(buf_cstr(json));
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "schemaVersion"));
	t->version = v ? xstrdup(v) : NULL;
	const cJSON *m;
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(j, "migrations"))
	{
		const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "state"));
		if (s && strcmp(s, "Pending") == 0)
			t->pending++;
	}
	cJSON_Delete(j);
}

static void run_one(shared *s, size_t i)
{
	tenant_outcome *t = &s->out->v[i];
	migrate_opts o = *s->base;
	placeholder_set ph = {0};
	if (s->base->placeholders)
		for (size_t k = 0; k < s->base->placeholders->n; k++)
			placeholder_set_put(&ph, s->base->placeholders->items[k].name,
			                    s->base->placeholders->items[k].value);
	placeholder_set_put(&ph, "tenant", s->names[i]);
	o.placeholders = &ph;
	o.schema = s->names[i];
	err e = ERR_INIT;
	double t0 = now_ms();
	if (s->op == TENANTS_MIGRATE) {
		migrate_result res;
		t->rc = migrate_run(&o, &res, &e);
		t->applied = res.applied;
		migrate_result_free(&res);
	} else if (s->op == TENANTS_VALIDATE) {
		t->rc = migrate_validate(&o, &e);
	} else {
		buf json = BUF_INIT;
		o.json = 1;
		o.json_out = &json;
		t->rc = migrate_info(&o, &e);
		if (t->rc == 0)
			read_info(&json, t);
		buf_free(&json);
	}
	t->ms = now_ms() - t0;
	if (t->rc)
		t->error = xstrdup(e.msg[0] ? e.msg : "failed");
	placeholder_set_free(&ph);
}

static void *worker(void *arg)
{
	shared *s = arg;
	for (;;) {
		pthread_mutex_lock(&s->lock);
		size_t i = s->next < s->n ? s->next++ : s->n;
		pthread_mutex_unlock(&s->lock);
		if (i >= s->n)
			return NULL;
		run_one(s, i);
	}
}

int tenants_run(tenants_op op, const migrate_opts *base, char *const *names, size_t n, int jobs,
                tenants_report *out)
{
	memset(out, 0, sizeof *out);
	out->v = xcalloc(n ? n : 1, sizeof *out->v);
	out->n = n;
	for (size_t i = 0; i < n; i++)
		out->v[i].name = xstrdup(names[i]);
	/* Every form of the password reaches the log's secret list here, before any worker
	 * reads it: conn_open registers them (also when the connection fails). */
	PGconn *probe = NULL;
	err pe = ERR_INIT;
	if (conn_open(base->url, &probe, &pe) == 0)
		PQfinish(probe);
	locsrc_init_threads(base->locations, base->n_locations);
	shared s = {.op = op, .base = base, .names = names, .n = n, .out = out};
	pthread_mutex_init(&s.lock, NULL);
	if (jobs < 1)
		jobs = 1;
	if ((size_t)jobs > n)
		jobs = n ? (int)n : 1;
	double t0 = now_ms();
	pthread_t *th = xcalloc((size_t)jobs, sizeof *th);
	int started = 0;
	for (int k = 1; k < jobs; k++)
		if (pthread_create(&th[k], NULL, worker, &s) == 0)
			started = k;
		else
			break;
	worker(&s); /* the calling thread is worker 0 */
	for (int k = 1; k <= started; k++)
		pthread_join(th[k], NULL);
	free(th);
	pthread_mutex_destroy(&s.lock);
	out->ms = now_ms() - t0;
	for (size_t i = 0; i < n; i++)
		if (out->v[i].rc)
			out->failed++;
	return out->failed ? ORC_EFAIL : 0;
}

void tenants_report_free(tenants_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].name);
		free(r->v[i].version);
		free(r->v[i].error);
	}
	free(r->v);
	memset(r, 0, sizeof *r);
}
