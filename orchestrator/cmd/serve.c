/*
 * serve: `orchestrator serve`, the migration service (serve/serve.h).
 *
 * The options mirror migrate's (database, locations, schema, placeholders, tenants); the
 * database credentials come as for the migration task (--db-secret / --db-cluster, or
 * DB_SECRET / DB_CLUSTER in the environment). The bearer token is never an option (argv
 * is visible to every process on the machine): SERVE_TOKEN, or SERVE_TOKEN_SECRET naming
 * a Secrets Manager secret (NAME or NAME:field).
 */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws.h"
#include "aws/secrets.h"
#include "cmd/cmd.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/opt.h"
#include "pg/tenants.h"
#include "serve/serve.h"
#include "task/task.h"

static const char *const usage[] = {"orchestrator serve [options]", NULL};

static const char footer[] =
    "environment: SERVE_TOKEN (the bearer token, at least 16 characters) or\n"
    "SERVE_TOKEN_SECRET (a Secrets Manager secret holding it, NAME or NAME:field); without\n"
    "--url, --db-secret or --db-cluster: DB_SECRET and DB_CLUSTER stand for them";

static int add_tenants(const opt_option *opt, const char *arg, err *e)
{
	serve_config *cfg = opt->value;
	return tenants_parse_list(arg, &cfg->tenants, &cfg->n_tenants, e);
}

/* The token from SERVE_TOKEN or SERVE_TOKEN_SECRET, registered as a secret. */
static int read_token(const char *region, char **token, const char **source, err *e)
{
	const char *env = getenv("SERVE_TOKEN");
	const char *ref = getenv("SERVE_TOKEN_SECRET");
	int rc = 0;
	if (env && *env && ref && *ref)
		return err_set(e, ORC_EUSAGE,
		               "serve: set SERVE_TOKEN or SERVE_TOKEN_SECRET, not both");
	if (env && *env) {
		*token = xstrdup(env);
		*source = "environment SERVE_TOKEN";
		/* Nothing started from here needs it. */
		unsetenv("SERVE_TOKEN");
	} else if (ref && *ref) {
		aws_client *c = NULL;
		rc = aws_client_new(region, &c, e);
		if (rc == 0)
			rc = secrets_get_ref(c, ref, token, e);
		aws_client_free(c);
		if (rc)
			return err_prefix(e, "serve: SERVE_TOKEN_SECRET");
		*source = "Secrets Manager (SERVE_TOKEN_SECRET)";
	} else {
		return err_set(e, ORC_EUSAGE,
		               "serve: no bearer token: set SERVE_TOKEN or SERVE_TOKEN_SECRET (a "
		               "Secrets Manager secret); it is never taken from the command line");
	}
	log_add_secret(*token);
	if (strlen(*token) < 16) {
		OPENSSL_cleanse(*token, strlen(*token));
		free(*token);
		*token = NULL;
		return err_set(e, ORC_EUSAGE,
		               "serve: the bearer token is shorter than 16 characters; use a "
		               "random one (openssl rand -hex 32)");
	}
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	serve_config cfg = {.listen = "127.0.0.1:8080", .path_prefix = ""};
	placeholder_set ph = {0};
	char **locs = NULL, **tlocs = NULL, *prefix = NULL, *token = NULL;
	size_t nlocs = 0, ntlocs = 0;
	const char *db_secret = NULL, *db_cluster = NULL, *region = NULL, *prefix_arg = NULL;
	long jobs = 4;
	buf url = BUF_INIT;
	task *tk = NULL;
	err e = ERR_INIT;
	int rc = 0;
	cmd_locations loc_list = {&locs, &nlocs, &cfg.locations_given};
	cmd_locations tloc_list = {&tlocs, &ntlocs, NULL};
	placeholder_set_from_env(&ph);
	const opt_option options[] = {
	    OPT_STRING(0, "listen", &cfg.listen, "ADDR:PORT",
	               "address to listen on (default 127.0.0.1:8080; in a container\n"
	               "0.0.0.0:8080)"),
	    OPT_STRING(0, "path-prefix", &prefix_arg, "P",
	               "serve every route under P (like /migrator; default none)"),
	    OPT_STRING(0, "url", &cfg.base.url, "URL",
	               "libpq conninfo or postgresql:// URI (default: PG* variables)"),
	    OPT_STRING(0, "db-secret", &db_secret, "NAME",
	               "connect with an RDS-shaped secret (as migrate)"),
	    OPT_STRING(0, "db-cluster", &db_cluster, "NAME",
	               "connect to this DB cluster (as migrate)"),
	    OPT_REGION(&region, "AWS region of the secrets (default $AWS_REGION)"),
	    OPT_CALLBACK(0, "locations", &loc_list, "DIR|s3://B/P",
	                 "migrations, repeatable or comma-separated (default sql)",
	                 cmd_opt_locations),
	    OPT_STRING(0, "schema", &cfg.base.schema, "S",
	               "schema of the history table (default: the current schema)"),
	    OPT_STRING(0, "table", &cfg.base.table, "T",
	               "history table (default flyway_schema_history)"),
	    OPT_CALLBACK(0, "placeholder", &ph, "NAME=VALUE", "value for ${NAME}, repeatable",
	                 cmd_opt_placeholder),
	    OPT_GROUP("tenant schemas:"),
	    OPT_CALLBACK(0, "tenant-locations", &tloc_list, "DIR|s3://B/P",
	                 "migrations of every tenant schema (enables tenant mode)",
	                 cmd_opt_locations),
	    OPT_CALLBACK(0, "tenants", &cfg, "A,B,C", "tenant schemas (POST /v1/tenants adds more)",
	                 add_tenants),
	    OPT_STRING(0, "tenants-query", &cfg.tenants_query, "SQL",
	               "tenant schemas: first column of this query, run each time"),
	    OPT_INTEGER(0, "jobs", &jobs, "N", 1, 256, "tenants migrated in parallel (default 4)"),
	    OPT_VERBOSE("more detail on stderr"),
	    OPT_QUIET(),
	    OPT_END(),
	};
	const opt_command cmd = {"orchestrator serve", usage, options, footer};
	int stop = opt_parse(&cmd, &argc, argv, &rc);
	if (stop)
		goto out;
	cfg.jobs = (int)jobs;
	if (prefix_arg) {
		prefix = xstrdup(prefix_arg);
		size_t n = strlen(prefix);
		while (n && prefix[n - 1] == '/')
			prefix[--n] = '\0';
		if (n && (prefix[0] != '/' || strpbrk(prefix, "?#% ")))
			rc = opt_error(&cmd, "--path-prefix %s: write a path like /migrator",
			               prefix_arg);
	}
	if (rc == 0 && argc > 1)
		rc = opt_error(&cmd, "unexpected argument '%s'", argv[1]);
	if (rc == 0 && !ntlocs && (cfg.n_tenants || cfg.tenants_query))
		rc = opt_error(&cmd, "--tenants and --tenants-query need --tenant-locations");
	if (rc == 0 && !db_secret && !db_cluster && !cfg.base.url) {
		const char *v = getenv("DB_SECRET");
		db_secret = v && *v ? v : NULL;
		v = getenv("DB_CLUSTER");
		db_cluster = v && *v ? v : NULL;
	}
	if (rc == 0 && (db_secret || db_cluster) && cfg.base.url)
		rc = opt_error(&cmd, "give --url or --db-secret/--db-cluster, not both");
	if (rc)
		goto out;
	if ((rc = read_token(region, &token, &cfg.token_source, &e)) != 0) {
		rc = cmd_report(&e);
		goto out;
	}
	if (db_secret || db_cluster) {
		tk = task_new("", region);
		if ((rc = task_db_conninfo(tk, db_secret, db_cluster, &url, &e)) != 0) {
			rc = cmd_report(&e);
			goto out;
		}
		cfg.base.url = buf_cstr(&url);
	}
	cfg.path_prefix = prefix ? prefix : "";
	cfg.base.locations = (const char *const *)locs;
	cfg.base.n_locations = nlocs;
	cfg.base.placeholders = &ph;
	cfg.tenant_locations = (const char *const *)tlocs;
	cfg.n_tenant_locations = ntlocs;
	cfg.token = token;
	if ((rc = serve_run(&cfg, &e)) != 0)
		rc = cmd_report(&e);
out:
	if (token) {
		OPENSSL_cleanse(token, strlen(token));
		free(token);
	}
	task_free(tk);
	if (url.ptr)
		OPENSSL_cleanse(url.ptr, url.len);
	buf_free(&url);
	tenants_free_names(cfg.tenants, cfg.n_tenants);
	for (size_t i = 0; i < nlocs; i++)
		free(locs[i]);
	free(locs);
	for (size_t i = 0; i < ntlocs; i++)
		free(tlocs[i]);
	free(tlocs);
	free(prefix);
	placeholder_set_free(&ph);
	return rc;
}
