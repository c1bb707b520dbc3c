/*
 * task: the migration task's preparation (see task.h).
 *
 * Secrets are read lazily through one AWS client, made on first use, so that a run that
 * needs none (a public repository over file:// and --url) works without AWS at all. The
 * clone lives in a 0700 temporary directory that task_free removes whatever happened,
 * so a deploy key's repository never outlives the task.
 *
 * The connection string is built as a postgresql:// URI with libcurl's URL API, which
 * does the percent-encoding of user, password and database name that libpq undoes.
 */
#include <openssl/crypto.h>
#include <curl/curl.h>
#include <libpq-fe.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws.h"
#include "aws/rds.h"
#include "aws/secrets.h"
#include "config/config.h"
#include "core/fs.h"
#include "core/log.h"
#include "git/gitops.h"
#include "task/task.h"

struct task {
	char *branch;
	char *region;
	char *url;
	char *workdir;
	char *checkout;
	buf sha;
	aws_client *aws;
};

task *task_new(const char *branch, const char *region)
{
	task *t = xcalloc(1, sizeof *t);
	t->branch = xstrdup(branch);
	t->region = region ? xstrdup(region) : NULL;
	return t;
}

void task_free(task *t)
{
	if (!t)
		return;
	if (t->workdir && fs_remove_tree(t->workdir) != 0)
		log_warn("%s: could not remove the clone; remove it by hand", t->workdir);
	free(t->workdir);
	free(t->checkout);
	free(t->branch);
	free(t->region);
	free(t->url);
	buf_free(&t->sha);
	aws_client_free(t->aws);
	free(t);
}

const char *task_url(const task *t)
{
	return t->url ? t->url : "";
}
const char *task_checkout(const task *t)
{
	return t->checkout ? t->checkout : "";
}
const char *task_branch(const task *t)
{
	return t->branch;
}
const char *task_sha(const task *t)
{
	return buf_cstr(&t->sha);
}

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

static int aws(task *t, aws_client **out, err *e)
{
	if (!t->aws) {
		int rc = aws_client_new(t->region, &t->aws, e);
		if (rc)
			return err_prefix(e, "reading secrets from Secrets Manager");
	}
	*out = t->aws;
	return 0;
}

/* A token written into the URL (https://x-access-token:TOKEN@github.com/...) still works,
 * but it is a secret from here on, like one read from Secrets Manager. */
static void register_url_password(const char *url)
{
	CURLU *u = curl_url();
	char *pw = NULL;
	if (u && curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PASSWORD, &pw, 0) == CURLUE_OK && pw) {
		log_add_secret(pw);
		char *decoded = NULL;
		if (curl_url_get(u, CURLUPART_PASSWORD, &decoded, CURLU_URLDECODE) == CURLUE_OK)
			log_add_secret(decoded);
		curl_free(decoded);
	}
	curl_free(pw);
	curl_url_cleanup(u);
}

int task_resolve_url(task *t, const char *git_url, const char *config_path, err *e)
{
	free(t->url);
	t->url = NULL;
	if (git_url && *git_url) {
		register_url_password(git_url);
		t->url = xstrdup(git_url);
		return 0;
	}
	if (env("REPOSITORY_URL")) {
		register_url_password(env("REPOSITORY_URL"));
		t->url = xstrdup(env("REPOSITORY_URL"));
		return 0;
	}
	const char *path = config_path ? config_path : CONFIG_DEFAULT_PATH;
	config *cfg = NULL;
	if (!config_path && !fs_exists(path))
		return err_set(e, ORC_EUSAGE,
		               "no repository to clone: pass --git-url, set REPOSITORY_URL in the "
		               "task definition, or run where %s names githubOwner and githubRepo",
		               path);
	int rc = config_load(path, &cfg, NULL, e);
	if (rc)
		return rc;
	if (config_is_unset(cfg->github_owner) || config_is_unset(cfg->github_repo)) {
		rc = err_set(e, ORC_EUSAGE,
		             "%s: githubOwner/githubRepo still say CHANGE ME, so there is no "
		             "repository to clone (set them, pass --git-url or set REPOSITORY_URL)",
		             cfg->path ? cfg->path : path);
	} else {
		t->url =
		    xasprintf("https://github.com/%s/%s.git", cfg->github_owner, cfg->github_repo);
	}
	config_free(cfg);
	return rc;
}

int task_clone(task *t, err *e)
{
	gitops_clone_auth auth = {0};
	char *token = NULL, *key = NULL;
	aws_client *c = NULL;
	int rc = 0;

	if (!t->url)
		return err_set(e, ORC_EUSAGE,
		               "no repository URL resolved (internal: call "
		               "task_resolve_url first)");
	auth.known_hosts =
	    env("REPOSITORY_KNOWN_HOSTS") ? env("REPOSITORY_KNOWN_HOSTS") : TASK_KNOWN_HOSTS;
	if (gitops_url_is_ssh(t->url) && env("REPOSITORY_DEPLOY_KEY_SECRET")) {
		if ((rc = aws(t, &c, e)) ||
		    (rc = secrets_get_ref(c, env("REPOSITORY_DEPLOY_KEY_SECRET"), &key, e)))
			return err_prefix(e, "REPOSITORY_DEPLOY_KEY_SECRET");
		auth.ssh_key = key;
	} else if (!gitops_url_is_ssh(t->url) && env("REPOSITORY_TOKEN_SECRET")) {
		if ((rc = aws(t, &c, e)) ||
		    (rc = secrets_get_ref(c, env("REPOSITORY_TOKEN_SECRET"), &token, e)))
			return err_prefix(e, "REPOSITORY_TOKEN_SECRET");
		/* A token stored with a trailing newline (echo > file) would be refused. */
		token[strcspn(token, "\r\n")] = '\0';
		auth.token = token;
	}

	if ((rc = fs_mkdtemp("orchestrator-task", &t->workdir, e)))
		goto out;
	t->checkout = fs_join(t->workdir, "repo");
	buf_clear(&t->sha);
	rc = gitops_clone_branch(t->url, t->branch, t->checkout, &auth, &t->sha, e);
out:
	if (key) {
		OPENSSL_cleanse(key, strlen(key));
		free(key);
	}
	if (token) {
		OPENSSL_cleanse(token, strlen(token));
		free(token);
	}
	return rc;
}

static const char *json_text(const cJSON *j, const char *name, char *num, size_t n)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(j, name);
	if (cJSON_IsString(f) && *f->valuestring)
		return f->valuestring;
	if (cJSON_IsNumber(f)) {
		snprintf(num, n, "%.0f", f->valuedouble);
		return num;
	}
	return NULL;
}

/* The cluster as RDS describes it now; not found is ORC_EREMOTE. */
static int db_cluster(task *t, const char *cluster_id, rds_cluster *k, err *e)
{
	aws_client *c = NULL;
	int found = 0, rc;
	if ((rc = aws(t, &c, e)) || (rc = rds_cluster_get(c, cluster_id, k, &found, e)))
		return err_prefix(e, "--db-cluster '%s'", cluster_id);
	if (!found)
		return err_set(
		    e, ORC_EREMOTE,
		    "--db-cluster '%s': no such DB cluster in %s (check DB_CLUSTER in the "
		    "task definition, or --region)",
		    cluster_id, aws_client_region(c));
	log_verbose("cluster %s: %s:%d, database '%s', master user secret %s", cluster_id,
	            k->endpoint, k->port, k->database_name,
	            *k->secret_arn ? k->secret_arn : "(none)");
	return 0;
}

static int is_pg_url(const char *v)
{
	v += strspn(v, " \t\r\n");
	return strncmp(v, "postgres://", 11) == 0 || strncmp(v, "postgresql://", 13) == 0;
}

/*
 * A secret whose value is a connection URI (postgres://user:pass@host:port/db?sslmode=...,
 * the form Atlas's ECS guide stores) as the fields of the RDS JSON shape, so that the rest
 * of task_db_conninfo treats both alike (DB_* and the cluster still override host, port
 * and database). libpq parses it (PQconninfoParse); its error text is never shown, since it
 * can quote the URI. Parameters other than the five fields (sslmode, sslrootcert,
 * connect_timeout, ...) go to params as "k=v" query pairs; sslmode given there replaces
 * the default, as a URI's sslmode overrides PGSSLMODE in libpq.
 */
static int secret_url_fields(const char *value, const char *label, cJSON **out, buf *params, err *e)
{
	char *errmsg = NULL;
	PQconninfoOption *opts = PQconninfoParse(value, &errmsg);
	if (!opts) {
		if (errmsg) {
			OPENSSL_cleanse(errmsg, strlen(errmsg));
			PQfreemem(errmsg);
		}
		return err_set(e, ORC_EUSAGE,
		               "%s: the secret holds a postgres:// URL that libpq cannot parse "
		               "(value not shown): store it as "
		               "postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=verify-full, with "
		               "special characters in the password percent-encoded",
		               label);
	}
	static const char *const fields[][2] = {{"user", "username"},
	                                        {"password", "password"},
	                                        {"host", "host"},
	                                        {"port", "port"},
	                                        {"dbname", "dbname"}};
	cJSON *j = cJSON_CreateObject();
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val || !*o->val)
			continue;
		const char *field = NULL;
		for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
			if (strcmp(o->keyword, fields[i][0]) == 0)
				field = fields[i][1];
		if (strcmp(o->keyword, "password") == 0)
			log_add_secret(o->val);
		if (field) {
			cJSON_AddStringToObject(j, field, o->val);
		} else {
			char *k = curl_easy_escape(NULL, o->keyword, 0),
			     *v = curl_easy_escape(NULL, o->val, 0);
			buf_printf(params, "%s%s=%s", params->len ? "&" : "", k, v);
			curl_free(k);
			curl_free(v);
		}
		OPENSSL_cleanse(o->val, strlen(o->val));
	}
	PQconninfoFree(opts);
	*out = j;
	return 0;
}

int task_conninfo_from_secret(const char *raw, const char *label, const rds_cluster *cluster,
                              buf *conninfo, err *e)
{
	static const rds_cluster none = {0};
	const rds_cluster k = cluster ? *cluster : none;
	cJSON *s = NULL;
	buf params = BUF_INIT; /* a URL secret's other parameters, as query pairs */
	int rc = 0;
	if (is_pg_url(raw)) {
		if ((rc = secret_url_fields(raw, label, &s, &params, e)))
			goto out;
	} else if (!cJSON_IsObject(s = cJSON_Parse(raw))) {
		/* Never quote the value: it is the secret. */
		rc = err_set(e, ORC_EUSAGE,
		             "%s: the secret is neither a JSON object (the shape RDS writes: "
		             "{\"username\",\"password\",\"host\",\"port\",\"dbname\"}) nor a "
		             "postgres:// URL",
		             label);
		goto out;
	}

	char usernum[32], hostnum[32], dbnum[32], portnum[32];
	const char *user = json_text(s, "username", usernum, sizeof usernum);
	const char *password = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(s, "password"))
	                           ? cJSON_GetObjectItemCaseSensitive(s, "password")->valuestring
	                           : NULL;
	char clusterport[16];
	snprintf(clusterport, sizeof clusterport, "%d", k.port);
	const char *host = env("DB_HOST") ? env("DB_HOST")
	                   : k.endpoint && *k.endpoint
	                       ? k.endpoint
	                       : json_text(s, "host", hostnum, sizeof hostnum);
	const char *dbname = env("DB_NAME") ? env("DB_NAME")
	                     : k.database_name && *k.database_name
	                         ? k.database_name
	                         : json_text(s, "dbname", dbnum, sizeof dbnum);
	const char *port = env("DB_PORT") ? env("DB_PORT")
	                   : k.port > 0   ? clusterport
	                                  : json_text(s, "port", portnum, sizeof portnum);
	const char *sslmode = env("PGSSLMODE") ? env("PGSSLMODE") : "verify-full";
	const char *url_sslmode = strstr(buf_cstr(&params), "sslmode=");
	char url_mode[32] = "";
	if (url_sslmode && (url_sslmode == params.ptr || url_sslmode[-1] == '&')) {
		snprintf(url_mode, sizeof url_mode, "%.*s", (int)strcspn(url_sslmode + 8, "&"),
		         url_sslmode + 8);
		sslmode = url_mode;
	}
	const char *rootcert = env("PGSSLROOTCERT") ? env("PGSSLROOTCERT") : TASK_RDS_CA;

	if (!user || !password) {
		rc = err_set(e, ORC_EUSAGE,
		             "%s: the secret has no %s (expected the shape RDS writes: "
		             "{\"username\",\"password\",\"host\",\"port\",\"dbname\"})",
		             label, !user ? "\"username\"" : "\"password\"");
		goto out;
	}
	if (!host) {
		rc = err_set(e, ORC_EUSAGE,
		             "%s: the secret has no \"host\" (an RDS-managed master secret holds "
		             "only username and password): set DB_CLUSTER (or DB_HOST) in the task "
		             "definition",
		             label);
		goto out;
	}

	CURLU *u = curl_url();
	char *path = xasprintf("/%s", dbname ? dbname : "postgres");
	char *out = NULL;
	CURLUcode uc = CURLUE_OK;
	if (!u)
		abort();
	if (!uc)
		uc = curl_url_set(u, CURLUPART_SCHEME, "postgresql", CURLU_NON_SUPPORT_SCHEME);
	if (!uc)
		uc = curl_url_set(u, CURLUPART_HOST, host, 0);
	if (!uc && port)
		uc = curl_url_set(u, CURLUPART_PORT, port, 0);
	if (!uc)
		uc = curl_url_set(u, CURLUPART_USER, user, CURLU_URLENCODE);
	if (!uc)
		uc = curl_url_set(u, CURLUPART_PASSWORD, password, CURLU_URLENCODE);
	if (!uc)
		uc = curl_url_set(u, CURLUPART_PATH, path, CURLU_URLENCODE);
	char *q = xasprintf("sslmode=%s", sslmode);
	if (!uc)
		uc = curl_url_set(u, CURLUPART_QUERY, q, CURLU_APPENDQUERY | CURLU_URLENCODE);
	free(q);
	/* A URL secret's own parameters, sslmode excepted (set above), already encoded. */
	if (!uc && params.len) {
		char *pairs = xstrdup(buf_cstr(&params));
		for (char *save = NULL, *pair = strtok_r(pairs, "&", &save); pair && !uc;
		     pair = strtok_r(NULL, "&", &save))
			if (strncmp(pair, "sslmode=", 8) != 0)
				uc = curl_url_set(u, CURLUPART_QUERY, pair, CURLU_APPENDQUERY);
		free(pairs);
	}
	if (!uc && strcmp(sslmode, "disable") != 0 && strcmp(sslmode, "allow") != 0 &&
	    strcmp(sslmode, "prefer") != 0 && !strstr(buf_cstr(&params), "sslrootcert=")) {
		if (strncmp(sslmode, "verify-", 7) == 0 && !fs_exists(rootcert)) {
			rc = err_set(e, ORC_EUSAGE,
			             "%s: the CA bundle for sslmode=%s is missing (the image ships "
			             "it at %s; set PGSSLROOTCERT to another bundle)",
			             rootcert, sslmode, TASK_RDS_CA);
			goto url_out;
		}
		q = xasprintf("sslrootcert=%s", rootcert);
		uc = curl_url_set(u, CURLUPART_QUERY, q, CURLU_APPENDQUERY | CURLU_URLENCODE);
		free(q);
	}
	if (!uc)
		uc = curl_url_get(u, CURLUPART_URL, &out, CURLU_NON_SUPPORT_SCHEME);
	if (uc) {
		/* The host or port came from the secret or DB_*: name them, not the password. */
		rc = err_set(e, ORC_EUSAGE,
		             "%s: cannot build a connection from host '%s' port '%s' (%s): check "
		             "the secret, the cluster or DB_HOST/DB_PORT",
		             label, host, port ? port : "5432", curl_url_strerror(uc));
		goto url_out;
	}
	log_add_secret(out);
	char *encoded = NULL;
	/* The password as it appears inside the URI, percent-encoded, is a secret too. */
	if (curl_url_get(u, CURLUPART_PASSWORD, &encoded, 0) == CURLUE_OK && encoded)
		log_add_secret(encoded);
	curl_free(encoded);
	buf_puts(conninfo, out);
	log_verbose("database: %s@%s:%s/%s sslmode=%s", user, host, port ? port : "5432",
	            dbname ? dbname : "postgres", sslmode);
url_out:
	curl_free(out);
	free(path);
	curl_url_cleanup(u);
out:
	cJSON_Delete(s);
	buf_free(&params);
	return rc;
}

int task_db_conninfo(task *t, const char *secret_id, const char *cluster_id, buf *conninfo, err *e)
{
	aws_client *c = NULL;
	rds_cluster k = {0};
	char *label = NULL, *raw = NULL;
	int rc;
	if (cluster_id) {
		if ((rc = db_cluster(t, cluster_id, &k, e)))
			goto out;
		if (!secret_id && !*k.secret_arn) {
			rc =
			    err_set(e, ORC_EUSAGE,
			            "--db-cluster '%s': the cluster has no RDS-managed master user "
			            "secret (ManageMasterUserPassword is off): name the database "
			            "secret with --db-secret or DB_SECRET",
			            cluster_id);
			goto out;
		}
	}
	label = secret_id ? xasprintf("--db-secret '%s'", secret_id)
	                  : xasprintf("--db-cluster '%s' (its master user secret)", cluster_id);
	if ((rc = aws(t, &c, e)) ||
	    (rc = secrets_get_string(c, secret_id ? secret_id : k.secret_arn, &raw, e))) {
		err_prefix(e, "%s", secret_id ? "--db-secret" : label);
		goto out;
	}
	rc = task_conninfo_from_secret(raw, label, &k, conninfo, e);
out:
	rds_cluster_free(&k);
	free(label);
	if (raw) {
		OPENSSL_cleanse(raw, strlen(raw));
		free(raw);
	}
	return rc;
}

int task_placeholder(task *t, const char *spec, char **key, char **value, err *e)
{
	const char *eq = strchr(spec, '=');
	if (!eq || eq == spec || !eq[1])
		return err_set(e, ORC_EUSAGE,
		               "--placeholder-secret '%s': expected KEY=NAME or KEY=NAME:field",
		               spec);
	aws_client *c = NULL;
	int rc;
	if ((rc = aws(t, &c, e)) || (rc = secrets_get_ref(c, eq + 1, value, e)))
		return err_prefix(e, "--placeholder-secret %.*s", (int)(eq - spec), spec);
	*key = xstrndup(spec, (size_t)(eq - spec));
	return 0;
}
