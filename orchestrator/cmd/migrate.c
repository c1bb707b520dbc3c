/*
 * migrate, info, validate, baseline, repair: one option parser over the engine in
 * pg/migrate.h; argv[0] picks the operation. Placeholder values are registered as
 * secrets before anything runs (they are often passwords).
 *
 * With --git-branch this is also the ECS task's entry point (run-task's default command):
 * task/ clones that branch into a private temporary directory, reads the database
 * credentials and placeholder values from Secrets Manager, and the engine runs on the
 * clone's folders; the commit migrated is printed and set as the `sha` output.
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/buf.h"
#include "core/fs.h"
#include "core/log.h"
#include "pg/locsrc.h"
#include "pg/migrate.h"
#include "pg/tenants.h"
#include "task/task.h"

static const char usage[] =
    "usage: orchestrator migrate|info|validate|baseline|repair [options]\n"
    "  --url URL                 libpq conninfo or postgresql:// URI (default: PG* variables)\n"
    "  --locations DIR|s3://B/P  migrations folder or S3 bucket/prefix, repeatable or\n"
    "                            comma-separated (default sql)\n"
    "  --schema S                schema of the history table and first of search_path\n"
    "                            (default: the current schema)\n"
    "  --table T                 history table (default flyway_schema_history)\n"
    "  --placeholder NAME=VALUE  value for ${NAME}, repeatable (also FLYWAY_PLACEHOLDERS_NAME)\n"
    "  --target V                migrate: apply up to version V (default: latest)\n"
    "  --out-of-order            migrate: apply pending versions below the highest applied\n"
    "  --baseline-version V      baseline: version to record (default 1)\n"
    "  --baseline-description D  baseline: description (default << Flyway Baseline >>)\n"
    "  --baseline-on-migrate     migrate: baseline a schema that holds objects but no history\n"
    "  --installed-by NAME       installed_by of new rows (default: current_user)\n"
    "  --json                    info: print JSON\n"
    "tenant schemas (migrate, info, validate; each tenant its own flyway_schema_history):\n"
    "  --tenants A,B,C           run on these tenant schemas (repeatable)\n"
    "  --tenants-query SQL       the tenant schemas: first column of this query's rows\n"
    "  --tenant X                one tenant schema\n"
    "  --tenant-locations DIR    migrations for every tenant (default: --locations); with\n"
    "                            both, migrate first applies --locations to --schema\n"
    "  --jobs N                  tenants migrated in parallel, one connection each (default 4)\n"
    "  --verbose                 more detail on stderr\n"
    "the migration task (inside ECS; secrets are read with the task's role):\n"
    "  --git-branch B            clone branch B and migrate its sql/ (--locations relative to\n"
    "                            the clone); prints the commit migrated\n"
    "  --git-url URL             repository (default: $REPOSITORY_URL, else\n"
    "                            https://github.com/{githubOwner}/{githubRepo}.git of --config)\n"
    "  --config PATH             config.json for the default repository (default config.json)\n"
    "  --db-secret NAME          connect with an RDS-shaped secret {username,password,host,\n"
    "                            port,dbname}; DB_HOST, DB_NAME, DB_PORT override; TLS from\n"
    "                            PGSSLMODE (default verify-full with the RDS CA bundle)\n"
    "  --db-cluster NAME         connect to this DB cluster: endpoint, port, database name\n"
    "                            and (without --db-secret) its RDS-managed master user secret,\n"
    "                            looked up when the task runs, so a snapshot restore's new\n"
    "                            secret is found; DB_HOST, DB_NAME, DB_PORT override\n"
    "  --placeholder-secret K=NAME[:field]  placeholder K from a secret (a JSON field, or\n"
    "                            the whole string), repeatable\n"
    "  --region R                AWS region of the secrets (default $AWS_REGION)\n"
    "  environment: REPOSITORY_TOKEN_SECRET (HTTPS token), REPOSITORY_DEPLOY_KEY_SECRET (SSH\n"
    "  key), REPOSITORY_KNOWN_HOSTS (default " TASK_KNOWN_HOSTS "); with --git-branch and\n"
    "  neither --db-secret nor --db-cluster nor --url: DB_SECRET and DB_CLUSTER stand for them\n";

enum {
	O_URL = 1,
	O_LOC,
	O_SCHEMA,
	O_TABLE,
	O_PH,
	O_BOM,
	O_TARGET,
	O_OOO,
	O_BV,
	O_BD,
	O_BY,
	O_JSON,
	O_VERB,
	O_HELP,
	O_GIT_BRANCH,
	O_GIT_URL,
	O_CONFIG,
	O_DB_SECRET,
	O_DB_CLUSTER,
	O_PH_SECRET,
	O_REGION,
	O_TENANTS,
	O_TENANTS_QUERY,
	O_TENANT,
	O_TENANT_LOC,
	O_JOBS
};

static const struct option options[] = {
    {"url", required_argument, NULL, O_URL},
    {"locations", required_argument, NULL, O_LOC},
    {"schema", required_argument, NULL, O_SCHEMA},
    {"table", required_argument, NULL, O_TABLE},
    {"placeholder", required_argument, NULL, O_PH},
    {"target", required_argument, NULL, O_TARGET},
    {"out-of-order", no_argument, NULL, O_OOO},
    {"baseline-version", required_argument, NULL, O_BV},
    {"baseline-description", required_argument, NULL, O_BD},
    {"baseline-on-migrate", no_argument, NULL, O_BOM},
    {"installed-by", required_argument, NULL, O_BY},
    {"json", no_argument, NULL, O_JSON},
    {"verbose", no_argument, NULL, O_VERB},
    {"help", no_argument, NULL, O_HELP},
    {"git-branch", required_argument, NULL, O_GIT_BRANCH},
    {"git-url", required_argument, NULL, O_GIT_URL},
    {"config", required_argument, NULL, O_CONFIG},
    {"db-secret", required_argument, NULL, O_DB_SECRET},
    {"db-cluster", required_argument, NULL, O_DB_CLUSTER},
    {"placeholder-secret", required_argument, NULL, O_PH_SECRET},
    {"region", required_argument, NULL, O_REGION},
    {"tenants", required_argument, NULL, O_TENANTS},
    {"tenants-query", required_argument, NULL, O_TENANTS_QUERY},
    {"tenant", required_argument, NULL, O_TENANT},
    {"tenant-locations", required_argument, NULL, O_TENANT_LOC},
    {"jobs", required_argument, NULL, O_JOBS},
    {NULL, 0, NULL, 0},
};

/* The task's options: where the branch comes from and which secrets feed the run. */
struct task_args {
	const char *branch, *git_url, *config, *db_secret, *db_cluster, *region;
	const char **ph_secrets;
	size_t n_ph_secrets;
};

/* Placeholder values from --placeholder-secret; a value given there wins over
 * --placeholder, as the secret is the source of truth for passwords. */
static int task_placeholders(task *t, const struct task_args *a, placeholder_set *ph, err *e)
{
	for (size_t i = 0; i < a->n_ph_secrets; i++) {
		char *key = NULL, *value = NULL;
		int rc = task_placeholder(t, a->ph_secrets[i], &key, &value, e);
		if (rc)
			return rc;
		placeholder_set_put(ph, key, value);
		memset(value, 0, strlen(value));
		free(key);
		free(value);
	}
	return 0;
}

/*
 * Clones the branch (when there is one) and resolves the secrets: locations become paths
 * inside the clone, the URL comes from --db-secret / --db-cluster, placeholders from
 * --placeholder-secret.
 */
static int task_prepare(task *t, const struct task_args *a, char ***locs, size_t *nlocs, buf *url,
                        placeholder_set *ph, err *e)
{
	int rc;
	if (a->branch) {
		if ((rc = task_resolve_url(t, a->git_url, a->config, e)) || (rc = task_clone(t, e)))
			return rc;
		if (*nlocs == 0) {
			*locs = xmalloc(sizeof **locs);
			(*locs)[(*nlocs)++] = xstrdup("sql");
		}
		for (size_t i = 0; i < *nlocs; i++) {
			if (locsrc_is_remote((*locs)[i]))
				continue; /* s3:// is not inside the clone */
			char *in_clone = fs_join(task_checkout(t), (*locs)[i]);
			free((*locs)[i]);
			(*locs)[i] = in_clone;
		}
	}
	if ((a->db_secret || a->db_cluster) &&
	    (rc = task_db_conninfo(t, a->db_secret, a->db_cluster, url, e)))
		return rc;
	return task_placeholders(t, a, ph, e);
}

/* Error text and annotation paths name files as the repository does (sql/V2__x.sql),
 * not by the temporary directory they were cloned into. */
static void strip_clone_path(const task *t, err *e, char **file)
{
	buf b = BUF_INIT, prefix = BUF_INIT;
	buf_printf(&prefix, "%s/", task_checkout(t));
	buf_puts(&b, e->msg);
	buf_replace_all(&b, buf_cstr(&prefix), "");
	snprintf(e->msg, sizeof e->msg, "%s", buf_cstr(&b));
	if (file && *file && strncmp(*file, buf_cstr(&prefix), prefix.len) == 0) {
		char *rel = xstrdup(*file + prefix.len);
		free(*file);
		*file = rel;
	}
	buf_free(&b);
	buf_free(&prefix);
}

/* The commit the run was made from: stdout, $GITHUB_OUTPUT sha, and the summary. */
static void report_commit(const task *t, const char *op)
{
	log_info("%s: branch %s at commit %s (%s)", op, task_branch(t), task_sha(t), task_url(t));
	log_gha_output("sha", task_sha(t));
	buf md = BUF_INIT;
	buf_printf(&md, "Branch `%s` at commit `%s`\n", task_branch(t), task_sha(t));
	log_gha_summary(buf_cstr(&md));
	buf_free(&md);
}

static void add_locations(char ***locs, size_t *n, const char *arg)
{
	char *copy = xstrdup(arg), *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		*locs = xrealloc(*locs, (*n + 1) * sizeof **locs);
		(*locs)[(*n)++] = xstrdup(t);
	}
	free(copy);
}

/* --tenants, --tenants-query, --tenant: which tenant schemas, with which migrations. */
struct tenant_args {
	int given;
	char **names;
	size_t n;
	const char *query;
	char **locs;
	size_t nlocs;
	int jobs;
};

/* One line per tenant, then the summary; exit 1 naming every failed tenant. */
static int report_tenants(const char *op, const tenants_report *r, int json)
{
	if (json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < r->n; i++) {
			const tenant_outcome *t = &r->v[i];
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "tenant", t->name);
			cJSON_AddStringToObject(o, "status", t->rc ? "failed" : "ok");
			if (t->version)
				cJSON_AddStringToObject(o, "schemaVersion", t->version);
			else
				cJSON_AddNullToObject(o, "schemaVersion");
			cJSON_AddNumberToObject(o, "pending", t->pending);
			if (t->error)
				cJSON_AddStringToObject(o, "error", t->error);
			cJSON_AddItemToArray(arr, o);
		}
		char *text = cJSON_Print(arr);
		log_info("%s", text);
		cJSON_free(text);
		cJSON_Delete(arr);
	}
	buf failed = BUF_INIT;
	for (size_t i = 0; i < r->n; i++) {
		const tenant_outcome *t = &r->v[i];
		if (t->rc) {
			log_error("tenant %s: %s", t->name, t->error);
			buf_printf(&failed, "%s%s", failed.len ? ", " : "", t->name);
		} else if (json) {
			continue;
		} else if (strcmp(op, "migrate") == 0) {
			log_info("tenant %s: %d migration%s applied (%.0f ms)", t->name, t->applied,
			         t->applied == 1 ? "" : "s", t->ms);
		} else if (strcmp(op, "info") == 0) {
			log_info("tenant %s: version %s, %d pending", t->name,
			         t->version ? t->version : "<< Empty Schema >>", t->pending);
		} else {
			log_info("tenant %s: valid", t->name);
		}
	}
	int rc = 0;
	if (r->failed) {
		log_error("%s: %zu of %zu tenants failed: %s", op, r->failed, r->n,
		          buf_cstr(&failed));
		rc = ORC_EFAIL;
	} else if (!json) {
		log_info("%s: %zu tenant%s done in %.0f ms", op, r->n, r->n == 1 ? "" : "s", r->ms);
	}
	buf_free(&failed);
	return rc;
}

static int run_tenants(const char *op, migrate_opts *o, struct tenant_args *ten, task *tk)
{
	err e = ERR_INIT;
	int rc = 0;
	if (ten->query && (rc = tenants_query(o->url, ten->query, &ten->names, &ten->n, &e)))
		return cmd_report(&e);
	if (ten->n == 0) {
		log_info("%s: no tenants", op);
		return 0;
	}
	/* Both sets: the shared migrations go to --schema first, as a plain migrate. */
	if (ten->nlocs && o->n_locations && strcmp(op, "migrate") == 0) {
		migrate_result res;
		rc = migrate_run(o, &res, &e);
		migrate_result_free(&res);
		if (rc)
			return cmd_report(&e);
	}
	if (ten->nlocs) {
		for (size_t i = 0; tk && i < ten->nlocs; i++) {
			if (locsrc_is_remote(ten->locs[i]))
				continue;
			char *in_clone = fs_join(task_checkout(tk), ten->locs[i]);
			free(ten->locs[i]);
			ten->locs[i] = in_clone;
		}
		o->locations = (const char *const *)ten->locs;
		o->n_locations = ten->nlocs;
	}
	tenants_op top = strcmp(op, "migrate") == 0 ? TENANTS_MIGRATE
	                 : strcmp(op, "info") == 0  ? TENANTS_INFO
	                                            : TENANTS_VALIDATE;
	tenants_report r;
	tenants_run(top, o, ten->names, ten->n, ten->jobs, &r);
	rc = report_tenants(op, &r, o->json && top == TENANTS_INFO);
	tenants_report_free(&r);
	return rc;
}

int cmd_migrate(int argc, char **argv)
{
	const char *op = argv[0];
	migrate_opts o = {0};
	placeholder_set ph = {0};
	char **locs = NULL;
	size_t nlocs = 0;
	struct task_args ta = {0};
	task *tk = NULL;
	buf task_url = BUF_INIT;
	struct tenant_args ten = {.jobs = 4};
	err e = ERR_INIT;
	int c, rc = 0;
	placeholder_set_from_env(&ph);
	optind = 1;
	opterr = 0; /* one error line, ours */
	while (rc == 0 && (c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case O_URL: o.url = optarg; break;
		case O_LOC: add_locations(&locs, &nlocs, optarg); break;
		case O_TENANT_LOC: add_locations(&ten.locs, &ten.nlocs, optarg); break;
		case O_TENANTS:
		case O_TENANT:
			ten.given = 1;
			if (tenants_parse_list(optarg, &ten.names, &ten.n, &e))
				rc = cmd_usage_error(usage, "%s: %s", op, e.msg);
			if (c == O_TENANT && strchr(optarg, ','))
				rc = cmd_usage_error(usage, "%s: --tenant takes one schema", op);
			break;
		case O_TENANTS_QUERY:
			ten.given = 1;
			ten.query = optarg;
			break;
		case O_JOBS: {
			char *end = NULL;
			long j = strtol(optarg, &end, 10);
			if (!*optarg || *end || j < 1 || j > 256)
				rc = cmd_usage_error(usage,
				                     "%s: --jobs takes a number from 1 to 256", op);
			ten.jobs = (int)j;
			break;
		}
		case O_SCHEMA: o.schema = optarg; break;
		case O_TABLE: o.table = optarg; break;
		case O_PH: {
			const char *eq = strchr(optarg, '=');
			if (!eq || eq == optarg) {
				rc = cmd_usage_error(usage, "%s: --placeholder takes NAME=VALUE",
				                     op);
				break;
			}
			char *name = xstrndup(optarg, (size_t)(eq - optarg));
			log_add_secret(eq + 1);
			placeholder_set_put(&ph, name, eq + 1);
			free(name);
			break;
		}
		case O_TARGET: o.target = strcmp(optarg, "latest") == 0 ? NULL : optarg; break;
		case O_OOO: o.out_of_order = 1; break;
		case O_BV: o.baseline_version = optarg; break;
		case O_BD: o.baseline_description = optarg; break;
		case O_BOM: o.baseline_on_migrate = 1; break;
		case O_BY: o.installed_by = optarg; break;
		case O_JSON: o.json = 1; break;
		case O_VERB: log_set_verbose(1); break;
		case O_GIT_BRANCH: ta.branch = optarg; break;
		case O_GIT_URL: ta.git_url = optarg; break;
		case O_CONFIG: ta.config = optarg; break;
		case O_DB_SECRET: ta.db_secret = optarg; break;
		case O_DB_CLUSTER: ta.db_cluster = optarg; break;
		case O_PH_SECRET:
			ta.ph_secrets =
			    xrealloc(ta.ph_secrets, (ta.n_ph_secrets + 1) * sizeof *ta.ph_secrets);
			ta.ph_secrets[ta.n_ph_secrets++] = optarg;
			break;
		case O_REGION: ta.region = optarg; break;
		case O_HELP:
			fputs(usage, stdout);
			rc = -1;
			break;
		default:
			rc = cmd_usage_error(usage, "%s: unknown option or missing value: %s", op,
			                     argv[optind - 1]);
			break;
		}
	}
	if (rc == 0 && optind < argc)
		rc = cmd_usage_error(usage, "%s: unexpected argument '%s'", op, argv[optind]);
	if (rc == 0 && !ta.branch && (ta.git_url || ta.config))
		rc = cmd_usage_error(usage, "%s: --git-url and --config need --git-branch", op);
	/* The task definition names the database, so run-task's default command suffices:
	 * DB_SECRET and DB_CLUSTER stand for the options when neither option is given (an
	 * option given on the command line is the whole choice: no half from the
	 * environment). */
	if (rc == 0 && ta.branch && !ta.db_secret && !ta.db_cluster && !o.url) {
		const char *v = getenv("DB_SECRET");
		ta.db_secret = v && *v ? v : NULL;
		v = getenv("DB_CLUSTER");
		ta.db_cluster = v && *v ? v : NULL;
	}
	if (rc == 0 && (ta.db_secret || ta.db_cluster) && o.url)
		rc = cmd_usage_error(usage, "%s: give --url or --db-secret/--db-cluster, not both",
		                     op);
	if (rc) {
		rc = rc < 0 ? 0 : rc;
		goto out;
	}
	if (rc == 0 && ten.given && strcmp(op, "migrate") && strcmp(op, "info") &&
	    strcmp(op, "validate"))
		rc = cmd_usage_error(usage, "%s: tenants work with migrate, info and validate", op);
	if (rc == 0 && !ten.given && (ten.nlocs || ten.query))
		rc = cmd_usage_error(usage, "%s: --tenant-locations needs --tenants or --tenant",
		                     op);
	if (rc) {
		rc = rc < 0 ? 0 : rc;
		goto out;
	}
	if (ta.branch || ta.db_secret || ta.db_cluster || ta.n_ph_secrets) {
		tk = task_new(ta.branch ? ta.branch : "", ta.region);
		if ((rc = task_prepare(tk, &ta, &locs, &nlocs, &task_url, &ph, &e))) {
			rc = cmd_report(&e);
			goto out;
		}
		if (task_url.len)
			o.url = buf_cstr(&task_url);
	}
	o.locations = (const char *const *)locs;
	o.n_locations = nlocs;
	o.placeholders = &ph;
	if (ten.given) {
		rc = run_tenants(op, &o, &ten, ta.branch ? tk : NULL);
	} else if (strcmp(op, "migrate") == 0) {
		migrate_result res;
		rc = migrate_run(&o, &res, &e);
		if (rc && ta.branch)
			strip_clone_path(tk, &e, &res.fail_file);
		if (rc && res.fail_file) {
			log_error_at(res.fail_file, res.fail_line, "%s", e.msg);
		} else if (rc) {
			rc = cmd_report(&e);
		}
		migrate_result_free(&res);
	} else {
		if (strcmp(op, "info") == 0)
			rc = migrate_info(&o, &e);
		else if (strcmp(op, "validate") == 0)
			rc = migrate_validate(&o, &e);
		else if (strcmp(op, "baseline") == 0)
			rc = migrate_baseline(&o, &e);
		else if (strcmp(op, "repair") == 0)
			rc = migrate_repair(&o, &e);
		else
			rc = err_set(&e, ORC_EUSAGE, "%s: not a migration command", op);
		if (rc && ta.branch)
			strip_clone_path(tk, &e, NULL);
		if (rc)
			rc = cmd_report(&e);
	}
	if (rc == 0 && ta.branch)
		report_commit(tk, op);
out:
	tenants_free_names(ten.names, ten.n);
	for (size_t i = 0; i < ten.nlocs; i++)
		free(ten.locs[i]);
	free(ten.locs);
	task_free(tk);
	buf_free(&task_url);
	free(ta.ph_secrets);
	for (size_t i = 0; i < nlocs; i++)
		free(locs[i]);
	free(locs);
	placeholder_set_free(&ph);
	return rc;
}
