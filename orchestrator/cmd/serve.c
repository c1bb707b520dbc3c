/*
 * serve: `orchestrator serve`, the migration service (serve/serve.h).
 *
 * The options mirror migrate's (database, locations, schema, placeholders, tenants); the
 * database credentials come as for the migration task (--db-secret / --db-cluster, or
 * DB_SECRET / DB_CLUSTER in the environment). The bearer token is never an option (argv
 * is visible to every process on the machine): SERVE_TOKEN, or SERVE_TOKEN_SECRET naming
 * a Secrets Manager secret (NAME or NAME:field).
 */
#include <getopt.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws.h"
#include "aws/secrets.h"
#include "cmd/cmd.h"
#include "core/buf.h"
#include "core/log.h"
#include "pg/tenants.h"
#include "serve/serve.h"
#include "task/task.h"

static const char usage[] =
    "usage: orchestrator serve [options]\n"
    "  --listen ADDR:PORT        address to listen on (default 127.0.0.1:8080; in a\n"
    "                            container 0.0.0.0:8080)\n"
    "  --path-prefix P           serve every route under P (like /migrator; default none)\n"
    "  --url URL                 libpq conninfo or postgresql:// URI (default: PG* variables)\n"
    "  --db-secret NAME          connect with an RDS-shaped secret (as migrate)\n"
    "  --db-cluster NAME         connect to this DB cluster (as migrate); without --url,\n"
    "                            --db-secret or --db-cluster: DB_SECRET and DB_CLUSTER\n"
    "  --region R                AWS region of the secrets (default $AWS_REGION)\n"
    "  --locations DIR|s3://B/P  migrations, repeatable or comma-separated (default sql)\n"
    "  --schema S                schema of the history table (default: the current schema)\n"
    "  --table T                 history table (default flyway_schema_history)\n"
    "  --placeholder NAME=VALUE  value for ${NAME}, repeatable\n"
    "  --tenant-locations DIR    migrations of every tenant schema (enables tenant mode)\n"
    "  --tenants A,B,C           tenant schemas (POST /v1/tenants adds more)\n"
    "  --tenants-query SQL       tenant schemas: first column of this query, run each time\n"
    "  --jobs N                  tenants migrated in parallel (default 4)\n"
    "  --verbose                 more detail on stderr\n"
    "environment: SERVE_TOKEN (the bearer token, at least 16 characters) or\n"
    "SERVE_TOKEN_SECRET (a Secrets Manager secret holding it, NAME or NAME:field)\n";

enum {
	O_LISTEN = 1,
	O_PREFIX,
	O_URL,
	O_DB_SECRET,
	O_DB_CLUSTER,
	O_REGION,
	O_LOC,
	O_SCHEMA,
	O_TABLE,
	O_PH,
	O_TENANT_LOC,
	O_TENANTS,
	O_TENANTS_QUERY,
	O_JOBS,
	O_VERB,
	O_HELP
};

static const struct option options[] = {
    {"listen", required_argument, NULL, O_LISTEN},
    {"path-prefix", required_argument, NULL, O_PREFIX},
    {"url", required_argument, NULL, O_URL},
    {"db-secret", required_argument, NULL, O_DB_SECRET},
    {"db-cluster", required_argument, NULL, O_DB_CLUSTER},
    {"region", required_argument, NULL, O_REGION},
    {"locations", required_argument, NULL, O_LOC},
    {"schema", required_argument, NULL, O_SCHEMA},
    {"table", required_argument, NULL, O_TABLE},
    {"placeholder", required_argument, NULL, O_PH},
    {"tenant-locations", required_argument, NULL, O_TENANT_LOC},
    {"tenants", required_argument, NULL, O_TENANTS},
    {"tenants-query", required_argument, NULL, O_TENANTS_QUERY},
    {"jobs", required_argument, NULL, O_JOBS},
    {"verbose", no_argument, NULL, O_VERB},
    {"help", no_argument, NULL, O_HELP},
    {NULL, 0, NULL, 0},
};

static void add_locations(char ***locs, size_t *n, const char *arg)
{
	char *copy = xstrdup(arg), *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		*locs = xrealloc(*locs, (*n + 1) * sizeof **locs);
		(*locs)[(*n)++] = xstrdup(t);
	}
	free(copy);
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
	serve_config cfg = {.listen = "127.0.0.1:8080", .path_prefix = "", .jobs = 4};
	placeholder_set ph = {0};
	char **locs = NULL, **tlocs = NULL, *prefix = NULL, *token = NULL;
	size_t nlocs = 0, ntlocs = 0;
	const char *db_secret = NULL, *db_cluster = NULL, *region = NULL;
	buf url = BUF_INIT;
	task *tk = NULL;
	err e = ERR_INIT;
	int c, rc = 0;
	placeholder_set_from_env(&ph);
	optind = 1;
	opterr = 0;
	while (rc == 0 && (c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case O_LISTEN: cfg.listen = optarg; break;
		case O_PREFIX: {
			free(prefix);
			prefix = xstrdup(optarg);
			size_t n = strlen(prefix);
			while (n && prefix[n - 1] == '/')
				prefix[--n] = '\0';
			if (n && (prefix[0] != '/' || strpbrk(prefix, "?#% ")))
				rc = cmd_usage_error(usage,
				                     "serve: --path-prefix %s: write a path like "
				                     "/migrator",
				                     optarg);
			break;
		}
		case O_URL: cfg.base.url = optarg; break;
		case O_DB_SECRET: db_secret = optarg; break;
		case O_DB_CLUSTER: db_cluster = optarg; break;
		case O_REGION: region = optarg; break;
		case O_LOC:
			add_locations(&locs, &nlocs, optarg);
			cfg.locations_given = 1;
			break;
		case O_TENANT_LOC: add_locations(&tlocs, &ntlocs, optarg); break;
		case O_SCHEMA: cfg.base.schema = optarg; break;
		case O_TABLE: cfg.base.table = optarg; break;
		case O_PH: {
			const char *eq = strchr(optarg, '=');
			if (!eq || eq == optarg) {
				rc =
				    cmd_usage_error(usage, "serve: --placeholder takes NAME=VALUE");
				break;
			}
			char *name = xstrndup(optarg, (size_t)(eq - optarg));
			log_add_secret(eq + 1);
			placeholder_set_put(&ph, name, eq + 1);
			free(name);
			break;
		}
		case O_TENANTS:
			if (tenants_parse_list(optarg, &cfg.tenants, &cfg.n_tenants, &e))
				rc = cmd_usage_error(usage, "serve: %s", e.msg);
			break;
		case O_TENANTS_QUERY: cfg.tenants_query = optarg; break;
		case O_JOBS: {
			char *end = NULL;
			long j = strtol(optarg, &end, 10);
			if (!*optarg || *end || j < 1 || j > 256)
				rc = cmd_usage_error(usage,
				                     "serve: --jobs takes a number from 1 to 256");
			cfg.jobs = (int)j;
			break;
		}
		case O_VERB: log_set_verbose(1); break;
		case O_HELP:
			fputs(usage, stdout);
			rc = -1;
			break;
		default:
			rc = cmd_usage_error(usage, "serve: unknown option or missing value: %s",
			                     argv[optind - 1]);
		}
	}
	if (rc == 0 && optind < argc)
		rc = cmd_usage_error(usage, "serve: unexpected argument '%s'", argv[optind]);
	if (rc == 0 && !ntlocs && (cfg.n_tenants || cfg.tenants_query))
		rc = cmd_usage_error(usage, "serve: --tenants and --tenants-query need "
		                            "--tenant-locations");
	if (rc == 0 && !db_secret && !db_cluster && !cfg.base.url) {
		const char *v = getenv("DB_SECRET");
		db_secret = v && *v ? v : NULL;
		v = getenv("DB_CLUSTER");
		db_cluster = v && *v ? v : NULL;
	}
	if (rc == 0 && (db_secret || db_cluster) && cfg.base.url)
		rc = cmd_usage_error(usage,
		                     "serve: give --url or --db-secret/--db-cluster, not both");
	if (rc) {
		rc = rc < 0 ? 0 : rc;
		goto out;
	}
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
