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
	O_REGION
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
	int c, rc = 0;
	placeholder_set_from_env(&ph);
	optind = 1;
	opterr = 0; /* one error line, ours */
	while (rc == 0 && (c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case O_URL: o.url = optarg; break;
		case O_LOC: {
			char *copy = xstrdup(optarg), *save = NULL;
			for (char *t = strtok_r(copy, ",", &save); t;
			     t = strtok_r(NULL, ",", &save)) {
				locs = xrealloc(locs, (nlocs + 1) * sizeof *locs);
				locs[nlocs++] = xstrdup(t);
			}
			free(copy);
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
	err e = ERR_INIT;
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
	if (strcmp(op, "migrate") == 0) {
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
	task_free(tk);
	buf_free(&task_url);
	free(ta.ph_secrets);
	for (size_t i = 0; i < nlocs; i++)
		free(locs[i]);
	free(locs);
	placeholder_set_free(&ph);
	return rc;
}
