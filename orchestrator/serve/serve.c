/*
 * serve: the HTTP service (see serve.h).
 *
 * Each request carries a small state from its first callback (headers known, body not
 * yet read) to the completion callback that writes its access log line. Everything that
 * can refuse a request without work (stopping, unknown path, authentication, declared
 * body size) is decided on that first callback; the route runs once the body is in.
 * Routes turn the engine's results into JSON: info's JSON (collected through
 * migrate_opts.json_out) is the one source for applied, pending and listed migrations,
 * so the service and the command line never disagree about a migration's state.
 */
#include "serve/serve.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <libpq-fe.h>
#include <microhttpd.h>
#include <netdb.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/version.h"
#include "core/buf.h"
#include "core/log.h"
#include "pg/conn.h"
#include "pg/discover.h"
#include "pg/locsrc.h"
#include "pg/tenants.h"

typedef struct metrics {
	long applied, runs_ok, runs_failed, tenant_failures;
	double last_duration_s;
	long tenants;
	int codes[16];
	long counts[16];
	int n_codes;
} metrics;

typedef struct server {
	serve_config *cfg;
	size_t prefix_len;
	unsigned char token_hash[32];
	int access_fd;
	volatile sig_atomic_t stopping;
	pthread_mutex_t lock; /* in_flight, metrics, the tenant list, access log writes */
	size_t tenants_cap;   /* cfg->tenants' capacity (it comes filled: its count) */
	pthread_cond_t idle;
	int in_flight;
	pthread_mutex_t run_lock; /* one migration run at a time */
	metrics m;
} server;

typedef struct request {
	double t0;
	char method[16];
	char *path;
	buf body;
	int too_big;
	int responded;
	int status;
	size_t bytes;
} request;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void sha256(const void *data, size_t len, unsigned char out[32])
{
	unsigned int n = 32;
	EVP_Digest(data, len, out, &n, EVP_sha256(), NULL);
}

/* ---- responses ---- */

static enum MHD_Result respond(struct MHD_Connection *c, request *r, int status, const char *body,
                               const char *ctype)
{
	buf b = BUF_INIT;
	buf_puts(&b, body);
	log_redact(&b);
	struct MHD_Response *resp = MHD_create_response_from_buffer(
	    b.len, b.ptr ? b.ptr : (void *)"", MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(resp, "Content-Type", ctype);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	enum MHD_Result ok = MHD_queue_response(c, (unsigned int)status, resp);
	MHD_destroy_response(resp);
	r->responded = 1;
	r->status = status;
	r->bytes = b.len;
	buf_free(&b);
	return ok;
}

static enum MHD_Result respond_json(struct MHD_Connection *c, request *r, int status, cJSON *json)
{
	char *text = cJSON_PrintUnformatted(json);
	enum MHD_Result ok = respond(c, r, status, text, "application/json");
	cJSON_free(text);
	cJSON_Delete(json);
	return ok;
}

static enum MHD_Result respond_error(struct MHD_Connection *c, request *r, int status,
                                     const char *msg)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "error", msg);
	return respond_json(c, r, status, j);
}

/* ---- the engine as JSON ---- */

static int info_json(const migrate_opts *base, cJSON **out, err *e)
{
	migrate_opts o = *base;
	buf json = BUF_INIT;
	o.json = 1;
	o.json_out = &json;
	int rc = migrate_info(&o, e);
	*out = rc ? NULL : cJSON_Parse(buf_cstr(&json));
	if (rc == 0 && !*out)
		rc = err_set(e, ORC_EFAIL, "info produced no JSON");
	buf_free(&json);
	return rc;
}

static double max_rank(const cJSON *info)
{
	double max = 0;
	const cJSON *m;
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(info, "migrations"))
	{
		const cJSON *rk = cJSON_GetObjectItemCaseSensitive(m, "installedRank");
		if (cJSON_IsNumber(rk) && rk->valuedouble > max)
			max = rk->valuedouble;
	}
	return max;
}

/* The migrations of info whose state is `state`, or whose rank is above `above`. */
static cJSON *pick(const cJSON *info, const char *state, double above)
{
	cJSON *arr = cJSON_CreateArray();
	const cJSON *m;
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(info, "migrations"))
	{
		const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "state"));
		const cJSON *rk = cJSON_GetObjectItemCaseSensitive(m, "installedRank");
		if ((state && st && strcmp(st, state) == 0) ||
		    (!state && cJSON_IsNumber(rk) && rk->valuedouble > above))
			cJSON_AddItemToArray(arr, cJSON_Duplicate(m, 1));
	}
	return arr;
}

static int tenant_mode(const server *s)
{
	return s->cfg->n_tenant_locations > 0;
}

/* The tenant names: --tenants (and those POSTed), then --tenants-query's, deduplicated. */
static int tenant_names(server *s, char ***names, size_t *n, err *e)
{
	size_t cap = 0;
	*names = NULL;
	*n = 0;
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->cfg->n_tenants; i++) {
		ARRAY_GROW(*names, *n + 1, cap);
		(*names)[(*n)++] = xstrdup(s->cfg->tenants[i]);
	}
	pthread_mutex_unlock(&s->lock);
	if (s->cfg->tenants_query) {
		char **q = NULL;
		size_t nq = 0;
		int rc = tenants_query(s->cfg->base.url, s->cfg->tenants_query, &q, &nq, e);
		if (rc) {
			tenants_free_names(q, nq);
			return rc;
		}
		for (size_t i = 0; i < nq; i++) {
			int dup = 0;
			for (size_t k = 0; k < *n && !dup; k++)
				dup = strcmp((*names)[k], q[i]) == 0;
			if (dup) {
				free(q[i]);
				continue;
			}
			ARRAY_GROW(*names, *n + 1, cap);
			(*names)[(*n)++] = q[i];
		}
		free(q);
	}
	pthread_mutex_lock(&s->lock);
	s->m.tenants = (long)*n;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

static migrate_opts tenant_opts(const server *s)
{
	migrate_opts o = s->cfg->base;
	o.locations = s->cfg->tenant_locations;
	o.n_locations = s->cfg->n_tenant_locations;
	o.schema = NULL;
	return o;
}

/* {"total","applied","failed":[{"tenant","error"}]} of a tenants run. */
static cJSON *tenants_json(const tenants_report *r, int list)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "total", (double)r->n);
	long applied = 0, pending = 0;
	cJSON *failed = cJSON_CreateArray(), *each = list ? cJSON_CreateArray() : NULL;
	for (size_t i = 0; i < r->n; i++) {
		applied += r->v[i].applied;
		pending += r->v[i].pending;
		if (r->v[i].rc) {
			cJSON *f = cJSON_CreateObject();
			cJSON_AddStringToObject(f, "tenant", r->v[i].name);
			cJSON_AddStringToObject(f, "error", r->v[i].error);
			cJSON_AddItemToArray(failed, f);
		}
		if (each) {
			cJSON *t = cJSON_CreateObject();
			cJSON_AddStringToObject(t, "tenant", r->v[i].name);
			cJSON_AddStringToObject(t, "status", r->v[i].rc ? "failed" : "ok");
			cJSON_AddNumberToObject(t, "applied", r->v[i].applied);
			cJSON_AddNumberToObject(t, "pending", r->v[i].pending);
			cJSON_AddItemToArray(each, t);
		}
	}
	cJSON_AddNumberToObject(j, "applied", (double)applied);
	cJSON_AddNumberToObject(j, "pending", (double)pending);
	cJSON_AddItemToObject(j, "failed", failed);
	if (each)
		cJSON_AddItemToObject(j, "tenants", each);
	return j;
}

/* ---- routes ---- */

static enum MHD_Result route_health(server *s, struct MHD_Connection *c, request *r)
{
	const char *keys[4] = {0}, *vals[4] = {0};
	int k = 0;
	if (s->cfg->base.url) {
		keys[k] = "dbname";
		vals[k++] = s->cfg->base.url;
	}
	keys[k] = "connect_timeout";
	vals[k++] = "3";
	keys[k] = "fallback_application_name";
	vals[k++] = "orchestrator-health";
	PGconn *pg = PQconnectdbParams(keys, vals, 1);
	int ok = PQstatus(pg) == CONNECTION_OK;
	if (ok) {
		PGresult *res = PQexec(pg, "SELECT 1");
		ok = PQresultStatus(res) == PGRES_TUPLES_OK;
		PQclear(res);
	}
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "status", ok ? "ok" : "unavailable");
	if (!ok) {
		/* The reason goes to the log, not to an unauthenticated caller: it names hosts
		 * and ports inside the VPC. */
		buf why = BUF_INIT;
		buf_puts(&why, PQerrorMessage(pg));
		buf_truncate(&why, strcspn(buf_cstr(&why), "\n"));
		log_warn("serve: health: the database does not answer: %s", buf_cstr(&why));
		buf_free(&why);
	}
	PQfinish(pg);
	return respond_json(c, r, ok ? 200 : 503, j);
}

static void put_metric(buf *b, const char *name, const char *type, const char *help, double v)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s %.17g\n", name, help, name, type, name, v);
}

static enum MHD_Result route_metrics(server *s, struct MHD_Connection *c, request *r)
{
	buf b = BUF_INIT;
	pthread_mutex_lock(&s->lock);
	metrics m = s->m;
	pthread_mutex_unlock(&s->lock);
	put_metric(&b, "orchestrator_migrations_applied_total", "counter",
	           "Migrations applied by this service (tenant schemas included).",
	           (double)m.applied);
	buf_puts(&b, "# HELP orchestrator_migration_runs_total Migration runs by result.\n"
	             "# TYPE orchestrator_migration_runs_total counter\n");
	buf_printf(&b, "orchestrator_migration_runs_total{result=\"success\"} %ld\n", m.runs_ok);
	buf_printf(&b, "orchestrator_migration_runs_total{result=\"failure\"} %ld\n",
	           m.runs_failed);
	put_metric(&b, "orchestrator_migration_failures_total", "counter",
	           "Migration runs that failed.", (double)m.runs_failed);
	put_metric(&b, "orchestrator_tenant_failures_total", "counter",
	           "Tenant schemas whose migration failed.", (double)m.tenant_failures);
	put_metric(&b, "orchestrator_last_migration_duration_seconds", "gauge",
	           "Wall time of the last migration run.", m.last_duration_s);
	put_metric(&b, "orchestrator_tenants", "gauge", "Tenant schemas known at the last look.",
	           (double)m.tenants);
	buf_puts(&b, "# HELP orchestrator_http_requests_total Requests answered, by status.\n"
	             "# TYPE orchestrator_http_requests_total counter\n");
	for (int i = 0; i < m.n_codes; i++)
		buf_printf(&b, "orchestrator_http_requests_total{code=\"%d\"} %ld\n", m.codes[i],
		           m.counts[i]);
	enum MHD_Result ok = respond(c, r, 200, buf_cstr(&b), "text/plain; version=0.0.4");
	buf_free(&b);
	return ok;
}

static cJSON *string_array(const char *const *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return a;
}

static enum MHD_Result route_config(server *s, struct MHD_Connection *c, request *r)
{
	const serve_config *cfg = s->cfg;
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "version", ORC_VERSION);
	cJSON_AddStringToObject(j, "listen", cfg->listen);
	cJSON_AddStringToObject(j, "pathPrefix", cfg->path_prefix);
	cJSON *db = cJSON_AddObjectToObject(j, "database");
	if (cfg->base.url) {
		PQconninfoOption *opts = PQconninfoParse(cfg->base.url, NULL);
		for (PQconninfoOption *o = opts; o && o->keyword; o++)
			if (o->val && *o->val && strcmp(o->keyword, "password") != 0 &&
			    (!strcmp(o->keyword, "host") || !strcmp(o->keyword, "hostaddr") ||
			     !strcmp(o->keyword, "port") || !strcmp(o->keyword, "dbname") ||
			     !strcmp(o->keyword, "user") || !strcmp(o->keyword, "sslmode")))
				cJSON_AddStringToObject(db, o->keyword, o->val);
		PQconninfoFree(opts);
	} else {
		cJSON_AddStringToObject(db, "from", "PG* environment variables");
	}
	static const char *const sql[] = {"sql"};
	cJSON_AddItemToObject(j, "locations",
	                      cfg->base.n_locations
	                          ? string_array(cfg->base.locations, cfg->base.n_locations)
	                          : string_array(sql, 1));
	cJSON_AddItemToObject(j, "tenantLocations",
	                      string_array(cfg->tenant_locations, cfg->n_tenant_locations));
	if (cfg->base.schema)
		cJSON_AddStringToObject(j, "schema", cfg->base.schema);
	else
		cJSON_AddNullToObject(j, "schema");
	cJSON_AddStringToObject(j, "table",
	                        cfg->base.table ? cfg->base.table : "flyway_schema_history");
	cJSON *ph = cJSON_AddObjectToObject(j, "placeholders");
	for (size_t i = 0; cfg->base.placeholders && i < cfg->base.placeholders->n; i++)
		cJSON_AddStringToObject(ph, cfg->base.placeholders->items[i].name, "***");
	pthread_mutex_lock(&s->lock);
	cJSON_AddItemToObject(j, "tenants",
	                      string_array((const char *const *)cfg->tenants, cfg->n_tenants));
	pthread_mutex_unlock(&s->lock);
	if (cfg->tenants_query)
		cJSON_AddStringToObject(j, "tenantsQuery", cfg->tenants_query);
	cJSON_AddNumberToObject(j, "jobs", cfg->jobs);
	cJSON_AddNumberToObject(j, "maxBodyBytes", SERVE_MAX_BODY);
	cJSON_AddStringToObject(j, "tokenSource", cfg->token_source);
	return respond_json(c, r, 200, j);
}

static enum MHD_Result route_source(server *s, struct MHD_Connection *c, request *r)
{
	static const char *const sql[] = {"sql"};
	err e = ERR_INIT;
	locsrc_expire();
	cJSON *j = cJSON_CreateObject();
	struct {
		const char *key;
		const char *const *locs;
		size_t n;
	} sets[2] = {{"migrations", s->cfg->base.n_locations ? s->cfg->base.locations : sql,
	              s->cfg->base.n_locations ? s->cfg->base.n_locations : 1},
	             {"tenantMigrations", s->cfg->tenant_locations, s->cfg->n_tenant_locations}};
	for (int k = 0; k < 2; k++) {
		if (k == 0 && tenant_mode(s) && !s->cfg->locations_given)
			continue;
		if (k == 1 && !tenant_mode(s))
			continue;
		pg_migrations m = {0};
		if (discover_scan(sets[k].locs, sets[k].n, &m, &e)) {
			discover_free(&m);
			cJSON_Delete(j);
			return respond_error(c, r, e.code == ORC_EREMOTE ? 502 : 500, e.msg);
		}
		cJSON *arr = cJSON_AddArrayToObject(j, sets[k].key);
		for (size_t i = 0; i < m.n; i++) {
			cJSON *o = cJSON_CreateObject();
			if (m.v[i].version)
				cJSON_AddStringToObject(o, "version", m.v[i].version);
			else
				cJSON_AddNullToObject(o, "version");
			cJSON_AddStringToObject(o, "description", m.v[i].description);
			cJSON_AddStringToObject(o, "type",
			                        m.v[i].version ? "versioned" : "repeatable");
			cJSON_AddStringToObject(o, "script", m.v[i].script);
			cJSON_AddStringToObject(o, "location", m.v[i].path);
			cJSON_AddNumberToObject(o, "checksum", m.v[i].checksum);
			cJSON_AddItemToArray(arr, o);
		}
		discover_free(&m);
	}
	return respond_json(c, r, 200, j);
}

static enum MHD_Result route_applied(server *s, struct MHD_Connection *c, request *r)
{
	err e = ERR_INIT;
	locsrc_expire();
	cJSON *info = NULL;
	if (tenant_mode(s) && !s->cfg->locations_given) {
		char **names = NULL;
		size_t n = 0;
		if (tenant_names(s, &names, &n, &e))
			return respond_error(c, r, 503, e.msg);
		tenants_report rep;
		migrate_opts o = tenant_opts(s);
		tenants_run(TENANTS_INFO, &o, names, n, s->cfg->jobs, &rep);
		cJSON *j = tenants_json(&rep, 1);
		tenants_report_free(&rep);
		tenants_free_names(names, n);
		return respond_json(c, r, 200, j);
	}
	if (info_json(&s->cfg->base, &info, &e))
		return respond_error(c, r, e.code == ORC_EUSAGE ? 500 : 503, e.msg);
	return respond_json(c, r, 200, info);
}

static void count_run(server *s, int ok, long applied, long tenant_failures, double ms)
{
	pthread_mutex_lock(&s->lock);
	if (ok)
		s->m.runs_ok++;
	else
		s->m.runs_failed++;
	s->m.applied += applied;
	s->m.tenant_failures += tenant_failures;
	s->m.last_duration_s = ms / 1000.0;
	pthread_mutex_unlock(&s->lock);
}

/* POST /v1/migrations: the shared schema (unless only tenants are configured), then every
 * tenant. Called holding run_lock. */
static enum MHD_Result run_migrations(server *s, struct MHD_Connection *c, request *r,
                                      const char *mode, int list)
{
	err e = ERR_INIT;
	double t0 = now_ms();
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "mode", mode);
	int failed = 0, status = 200;
	long applied = 0, tenant_failed = 0;
	int apply = strcmp(mode, "apply") == 0;
	if (!tenant_mode(s) || s->cfg->locations_given) {
		cJSON *before = NULL, *after = NULL;
		int rc = 0;
		if (strcmp(mode, "validate") == 0) {
			rc = migrate_validate(&s->cfg->base, &e);
		} else if (strcmp(mode, "dry-run") == 0) {
			rc = info_json(&s->cfg->base, &before, &e);
			if (rc == 0) {
				cJSON *p = pick(before, "Pending", 0);
				cJSON_AddNumberToObject(j, "pending", cJSON_GetArraySize(p));
				if (list)
					cJSON_AddItemToObject(j, "migrations", p);
				else
					cJSON_Delete(p);
			}
		} else {
			migrate_result res;
			err ie = ERR_INIT;
			if (list)
				info_json(&s->cfg->base, &before, &ie);
			rc = migrate_run(&s->cfg->base, &res, &e);
			applied += res.applied;
			cJSON_AddNumberToObject(j, "applied", res.applied);
			migrate_result_free(&res);
			if (list && info_json(&s->cfg->base, &after, &ie) == 0)
				cJSON_AddItemToObject(
				    j, "migrations",
				    pick(after, NULL, before ? max_rank(before) : 0));
		}
		cJSON_Delete(before);
		cJSON_Delete(after);
		if (rc) {
			failed = 1;
			status = rc == ORC_EFAIL ? 422 : rc == ORC_EUSAGE ? 500 : 503;
			cJSON_AddStringToObject(j, "error", e.msg);
		}
	}
	if (tenant_mode(s) && !failed) {
		char **names = NULL;
		size_t n = 0;
		if (tenant_names(s, &names, &n, &e)) {
			failed = 1;
			status = 503;
			cJSON_AddStringToObject(j, "error", e.msg);
		} else {
			tenants_report rep;
			migrate_opts o = tenant_opts(s);
			tenants_op op = apply                           ? TENANTS_MIGRATE
			                : strcmp(mode, "validate") == 0 ? TENANTS_VALIDATE
			                                                : TENANTS_INFO;
			tenants_run(op, &o, names, n, s->cfg->jobs, &rep);
			for (size_t i = 0; i < rep.n; i++)
				applied += rep.v[i].applied;
			tenant_failed = (long)rep.failed;
			if (rep.failed) {
				failed = 1;
				status = 422;
				cJSON_AddStringToObject(j, "error", "one or more tenants failed");
			}
			cJSON_AddItemToObject(j, "tenants", tenants_json(&rep, list));
			tenants_report_free(&rep);
			tenants_free_names(names, n);
		}
	}
	double ms = now_ms() - t0;
	cJSON_AddStringToObject(j, "status", failed ? "failed" : "ok");
	cJSON_AddNumberToObject(j, "durationMs", (double)(long)ms);
	if (apply)
		count_run(s, !failed, applied, tenant_failed, ms);
	return respond_json(c, r, status, j);
}

/* The body as a JSON object; on failure answers 400 with one line and returns NULL. */
static cJSON *body_object(struct MHD_Connection *c, request *r, enum MHD_Result *ret)
{
	const char *end = NULL;
	cJSON *j = r->body.len ? cJSON_ParseWithLengthOpts(r->body.ptr, r->body.len, &end, 0)
	                       : cJSON_CreateObject();
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		char msg[160];
		snprintf(msg, sizeof msg,
		         "request body is not a JSON object (error near byte %ld); send "
		         "{\"mode\": ..., \"response\": ...}",
		         end && r->body.ptr ? (long)(end - r->body.ptr) : 0L);
		*ret = respond_error(c, r, 400, msg);
		return NULL;
	}
	return j;
}

/* A string member among allowed values (NULL: the default); 0 when bad. */
static int choice(const cJSON *j, const char *key, const char *const *allowed, const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
	if (!v) {
		*out = allowed[0];
		return 1;
	}
	for (size_t i = 0; cJSON_IsString(v) && allowed[i]; i++)
		if (strcmp(v->valuestring, allowed[i]) == 0) {
			*out = allowed[i];
			return 1;
		}
	return 0;
}

static enum MHD_Result route_post_migrations(server *s, struct MHD_Connection *c, request *r)
{
	enum MHD_Result ret;
	cJSON *j = body_object(c, r, &ret);
	if (!j)
		return ret;
	static const char *const modes[] = {"apply", "dry-run", "validate", NULL};
	static const char *const resps[] = {"summary", "list", NULL};
	const char *mode, *resp;
	if (!choice(j, "mode", modes, &mode)) {
		cJSON_Delete(j);
		return respond_error(c, r, 400,
		                     "\"mode\" must be \"apply\", \"dry-run\" or \"validate\"");
	}
	if (!choice(j, "response", resps, &resp)) {
		cJSON_Delete(j);
		return respond_error(c, r, 400, "\"response\" must be \"summary\" or \"list\"");
	}
	cJSON_Delete(j);
	if (pthread_mutex_trylock(&s->run_lock) != 0)
		return respond_error(c, r, 409,
		                     "a migration run is in progress in this service; retry when "
		                     "it has finished");
	locsrc_expire();
	ret = run_migrations(s, c, r, mode, strcmp(resp, "list") == 0);
	pthread_mutex_unlock(&s->run_lock);
	return ret;
}

static enum MHD_Result route_get_tenants(server *s, struct MHD_Connection *c, request *r)
{
	err e = ERR_INIT;
	char **names = NULL;
	size_t n = 0;
	if (tenant_names(s, &names, &n, &e))
		return respond_error(c, r, 503, e.msg);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddItemToObject(j, "tenants", string_array((const char *const *)names, n));
	tenants_free_names(names, n);
	return respond_json(c, r, 200, j);
}

static enum MHD_Result route_post_tenants(server *s, struct MHD_Connection *c, request *r)
{
	enum MHD_Result ret;
	cJSON *j = body_object(c, r, &ret);
	if (!j)
		return ret;
	if (!tenant_mode(s)) {
		cJSON_Delete(j);
		return respond_error(
		    c, r, 400,
		    "this service has no --tenant-locations: start it with them to "
		    "add tenants");
	}
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "name"));
	err e = ERR_INIT;
	if (!name || tenants_check_name(name, &e)) {
		cJSON_Delete(j);
		return respond_error(c, r, 400,
		                     name ? e.msg : "send {\"name\": \"<tenant schema>\"}");
	}
	char *tenant = xstrdup(name);
	cJSON_Delete(j);
	if (pthread_mutex_trylock(&s->run_lock) != 0) {
		free(tenant);
		return respond_error(c, r, 409,
		                     "a migration run is in progress in this service; retry when "
		                     "it has finished");
	}
	locsrc_expire();
	double t0 = now_ms();
	tenants_report rep;
	migrate_opts o = tenant_opts(s);
	tenants_run(TENANTS_MIGRATE, &o, &tenant, 1, 1, &rep);
	int ok = rep.failed == 0;
	count_run(s, ok, rep.v[0].applied, (long)rep.failed, now_ms() - t0);
	cJSON *out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "tenant", tenant);
	cJSON_AddStringToObject(out, "status", ok ? "ok" : "failed");
	cJSON_AddNumberToObject(out, "applied", rep.v[0].applied);
	if (!ok)
		cJSON_AddStringToObject(out, "error", rep.v[0].error);
	tenants_report_free(&rep);
	if (ok) {
		pthread_mutex_lock(&s->lock);
		int known = 0;
		for (size_t i = 0; i < s->cfg->n_tenants && !known; i++)
			known = strcmp(s->cfg->tenants[i], tenant) == 0;
		if (!known) {
			ARRAY_GROW(s->cfg->tenants, s->cfg->n_tenants + 1, s->tenants_cap);
			s->cfg->tenants[s->cfg->n_tenants++] = xstrdup(tenant);
		}
		pthread_mutex_unlock(&s->lock);
	}
	pthread_mutex_unlock(&s->run_lock);
	free(tenant);
	return respond_json(c, r, ok ? 201 : 422, out);
}

/* ---- the request cycle ---- */

static int authorized(server *s, struct MHD_Connection *c)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return 0;
	/* Digests of equal length, compared in constant time: neither the token's bytes nor
	 * its length leak through timing. */
	unsigned char got[32];
	sha256(h + 7, strlen(h + 7), got);
	int ok = CRYPTO_memcmp(got, s->token_hash, 32) == 0;
	OPENSSL_cleanse(got, sizeof got);
	return ok;
}

static enum MHD_Result dispatch(server *s, struct MHD_Connection *c, request *r, const char *rel)
{
	int get = strcmp(r->method, "GET") == 0, post = strcmp(r->method, "POST") == 0;
	struct {
		const char *path;
		int get_ok, post_ok;
	} known[] = {{"/", 1, 0},
	             {"/health", 1, 0},
	             {"/metrics", 1, 0},
	             {"/v1/config", 1, 0},
	             {"/v1/migrations/source", 1, 0},
	             {"/v1/migrations/applied", 1, 0},
	             {"/v1/migrations", 0, 1},
	             {"/v1/tenants", 1, 1}};
	for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
		if (strcmp(rel, known[i].path) != 0)
			continue;
		if (!(get && known[i].get_ok) && !(post && known[i].post_ok))
			return respond_error(c, r, 405, "method not allowed on this path");
		if (strcmp(rel, "/") == 0) {
			cJSON *j = cJSON_CreateObject();
			cJSON_AddStringToObject(j, "service", "orchestrator");
			cJSON_AddStringToObject(j, "version", ORC_VERSION);
			return respond_json(c, r, 200, j);
		}
		if (strcmp(rel, "/health") == 0)
			return route_health(s, c, r);
		if (strcmp(rel, "/metrics") == 0)
			return route_metrics(s, c, r);
		if (strcmp(rel, "/v1/config") == 0)
			return route_config(s, c, r);
		if (strcmp(rel, "/v1/migrations/source") == 0)
			return route_source(s, c, r);
		if (strcmp(rel, "/v1/migrations/applied") == 0)
			return route_applied(s, c, r);
		if (strcmp(rel, "/v1/migrations") == 0)
			return route_post_migrations(s, c, r);
		return get ? route_get_tenants(s, c, r) : route_post_tenants(s, c, r);
	}
	return respond_error(c, r, 404, "no such path");
}

/* The path below the prefix ("/" for the prefix itself), or NULL when outside it. */
static const char *relative(const server *s, const char *url)
{
	if (strncmp(url, s->cfg->path_prefix, s->prefix_len) != 0)
		return NULL;
	const char *rel = url + s->prefix_len;
	if (!*rel)
		return "/";
	return *rel == '/' ? rel : NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
	(void)version;
	server *s = cls;
	request *r = *con_cls;
	if (!r) {
		r = xcalloc(1, sizeof *r);
		r->t0 = now_ms();
		snprintf(r->method, sizeof r->method, "%s", method);
		r->path = xstrdup(url);
		*con_cls = r;
		pthread_mutex_lock(&s->lock);
		s->in_flight++;
		pthread_mutex_unlock(&s->lock);
		if (s->stopping)
			return respond_error(c, r, 503, "the service is stopping");
		const char *rel = relative(s, url);
		if (!rel)
			return respond_error(c, r, 404, "no such path");
		if (strncmp(rel, "/v1/", 4) == 0 && !authorized(s, c))
			return respond_error(c, r, 401,
			                     "missing or wrong bearer token (Authorization: Bearer "
			                     "<token>)");
		const char *cl =
		    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > SERVE_MAX_BODY)
			return respond_error(c, r, 413,
			                     "request body too large (limit 65536 bytes)");
		return MHD_YES;
	}
	if (*upload_size) {
		if (!r->responded && r->body.len + *upload_size <= SERVE_MAX_BODY)
			buf_put(&r->body, upload, *upload_size);
		else
			r->too_big = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->responded)
		return MHD_YES;
	if (r->too_big)
		return respond_error(c, r, 413, "request body too large (limit 65536 bytes)");
	return dispatch(s, c, r, relative(s, url));
}

static void count_status(metrics *m, int status)
{
	for (int i = 0; i < m->n_codes; i++)
		if (m->codes[i] == status) {
			m->counts[i]++;
			return;
		}
	if (m->n_codes < 16) {
		m->codes[m->n_codes] = status;
		m->counts[m->n_codes++] = 1;
	}
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	(void)toe;
	server *s = cls;
	request *r = *con_cls;
	if (!r)
		return;
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char addr[INET6_ADDRSTRLEN] = "";
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, addr,
			          sizeof addr);
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, addr,
			          sizeof addr);
	}
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	const char *ua = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "User-Agent");
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "time", ts);
	cJSON_AddStringToObject(j, "remote", addr);
	cJSON_AddStringToObject(j, "method", r->method);
	cJSON_AddStringToObject(j, "path", r->path);
	cJSON_AddNumberToObject(j, "status", r->responded ? r->status : 0);
	cJSON_AddNumberToObject(j, "bytes", (double)r->bytes);
	cJSON_AddNumberToObject(j, "durationMs", (double)(long)(now_ms() - r->t0));
	if (ua)
		cJSON_AddStringToObject(j, "userAgent", ua);
	char *text = cJSON_PrintUnformatted(j);
	buf line = BUF_INIT;
	buf_puts(&line, text);
	log_redact(&line);
	buf_putc(&line, '\n');
	cJSON_free(text);
	cJSON_Delete(j);
	pthread_mutex_lock(&s->lock);
	if (r->responded)
		count_status(&s->m, r->status);
	for (size_t off = 0; off < line.len;) {
		ssize_t w = write(s->access_fd, line.ptr + off, line.len - off);
		if (w <= 0 && errno != EINTR)
			break;
		off += w > 0 ? (size_t)w : 0;
	}
	s->in_flight--;
	pthread_cond_broadcast(&s->idle);
	pthread_mutex_unlock(&s->lock);
	buf_free(&line);
	buf_free(&r->body);
	free(r->path);
	free(r);
	*con_cls = NULL;
}

/* "ADDR:PORT" or "[ADDR]:PORT" into a socket address (numeric only: no DNS at start). */
static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len, int *v6,
                        err *e)
{
	const char *colon = strrchr(listen, ':');
	if (!colon || colon == listen || !colon[1])
		return err_set(e, ORC_EUSAGE, "--listen %s: write ADDR:PORT (like 0.0.0.0:8080)",
		               listen);
	char *host = xstrndup(listen, (size_t)(colon - listen));
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	struct addrinfo hints = {0}, *ai = NULL;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	hints.ai_socktype = SOCK_STREAM;
	int rc = getaddrinfo(host, colon + 1, &hints, &ai);
	free(host);
	if (rc != 0 || !ai)
		return err_set(e, ORC_EUSAGE,
		               "--listen %s: not a numeric address and port (like 0.0.0.0:8080)",
		               listen);
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	*v6 = ai->ai_family == AF_INET6;
	freeaddrinfo(ai);
	return 0;
}

int serve_run(serve_config *cfg, err *e)
{
	server s = {0};
	s.cfg = cfg;
	s.tenants_cap = cfg->n_tenants;
	s.prefix_len = strlen(cfg->path_prefix);
	sha256(cfg->token, strlen(cfg->token), s.token_hash);
	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.idle, NULL);
	pthread_mutex_init(&s.run_lock, NULL);
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	int v6 = 0;
	int rc = parse_listen(cfg->listen, &ss, &sslen, &v6, e);
	if (rc)
		return rc;
	/* Every form of the password joins the log's secret list before any thread reads the
	 * list: conn_open registers them (also when the database is down now). */
	PGconn *probe = NULL;
	err pe = ERR_INIT;
	if (conn_open(cfg->base.url, &probe, &pe) == 0)
		PQfinish(probe);
	else
		log_warn("serve: the database does not answer yet: %s", pe.msg);
	locsrc_init_threads(cfg->base.locations, cfg->base.n_locations);
	locsrc_init_threads(cfg->tenant_locations, cfg->n_tenant_locations);
	/* Standard output becomes the access log alone; the engine's lines go to stderr. */
	fflush(stdout);
	s.access_fd = dup(STDOUT_FILENO);
	dup2(STDERR_FILENO, STDOUT_FILENO);
	/* SIGTERM/SIGINT are taken by sigwait below, never by a connection thread. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
	                     MHD_USE_ITC | (v6 ? MHD_USE_IPv6 : 0);
	struct MHD_Daemon *d = MHD_start_daemon(
	    flags, 0, NULL, NULL, on_request, &s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, &s, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned int)64, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120, MHD_OPTION_END);
	if (!d) {
		rc =
		    err_set(e, ORC_EUSAGE,
		            "--listen %s: cannot listen there (%s); pick a free port or an address "
		            "of this machine",
		            cfg->listen, strerror(errno));
		goto out;
	}
	log_info("serve: listening on %s%s/ (token from %s)", cfg->listen, cfg->path_prefix,
	         cfg->token_source);
	int sig = 0;
	sigwait(&sigs, &sig);
	log_info("serve: %s received: finishing the requests in flight, accepting no new ones",
	         sig == SIGTERM ? "SIGTERM" : "SIGINT");
	s.stopping = 1;
	MHD_socket lfd = MHD_quiesce_daemon(d);
	if (lfd != MHD_INVALID_SOCKET)
		close(lfd);
	pthread_mutex_lock(&s.lock);
	while (s.in_flight > 0)
		pthread_cond_wait(&s.idle, &s.lock);
	pthread_mutex_unlock(&s.lock);
	MHD_stop_daemon(d);
	log_info("serve: stopped");
out:
	close(s.access_fd);
	OPENSSL_cleanse(s.token_hash, sizeof s.token_hash);
	pthread_mutex_destroy(&s.run_lock);
	pthread_cond_destroy(&s.idle);
	pthread_mutex_destroy(&s.lock);
	return rc;
}
