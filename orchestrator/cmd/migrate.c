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
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/cmd.h"
#include "config/flyway_conf.h"
#include "config/flyway_toml.h"
#include "config/root.h"
#include "core/buf.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/opt.h"
#include "pg/jdbc.h"
#include "pg/dryrun.h"
#include "pg/locsrc.h"
#include "pg/migrate.h"
#include "pg/tenants.h"
#include "task/task.h"

static const char footer[] =
    "environment: REPOSITORY_TOKEN_SECRET (HTTPS token), REPOSITORY_DEPLOY_KEY_SECRET (SSH\n"
    "key), REPOSITORY_KNOWN_HOSTS (default " TASK_KNOWN_HOSTS "); with --git-branch and\n"
    "neither --db-secret nor --db-cluster nor --url: DB_SECRET and DB_CLUSTER stand for them";

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
		OPENSSL_cleanse(value, strlen(value));
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

/* A Flyway setting: the FLYWAY_<NAME> variable, else the flyway.conf key; NULL when
 * neither is set (or empty). */
static const char *fw(const flyway_conf *conf, const char *env, const char *key)
{
	const char *v = getenv(env);
	if (!v || !*v)
		v = flyway_conf_get(conf, key);
	return v && *v ? v : NULL;
}

static int fw_bool(const flyway_conf *conf, const char *env, const char *key, int *out, err *e)
{
	const char *v = fw(conf, env, key);
	if (!v || *out)
		return 0;
	if (strcasecmp(v, "true") == 0)
		*out = 1;
	else if (strcasecmp(v, "false") != 0)
		return err_set(e, ORC_EUSAGE, "%s / %s = %s: expected true or false", env, key, v);
	return 0;
}

/*
 * Flyway's settings, with Flyway's precedence: the command line, then the environment,
 * then flyway.conf. FLYWAY_URL / flyway.url (jdbc:postgresql:// or a libpq URI), USER
 * and PASSWORD (as libpq's PGUSER/PGPASSWORD; the password is a secret), LOCATIONS,
 * SCHEMAS (its first schema) or DEFAULT_SCHEMA, TABLE, TARGET, OUT_OF_ORDER,
 * BASELINE_ON_MIGRATE, BASELINE_VERSION, BASELINE_DESCRIPTION, INSTALLED_BY, MIXED,
 * VALIDATE_MIGRATION_NAMING, FAIL_ON_MISSING_LOCATIONS, ENVIRONMENT; placeholders from
 * flyway.placeholders.NAME when no other source gave them.
 */
static int flyway_settings(migrate_opts *o, cmd_locations *locs, buf *url, struct task_args *ta,
                           placeholder_set *ph, const flyway_conf *conf, char *schema,
                           size_t schema_size, err *e)
{
	const char *v;
	if ((v = fw(conf, "FLYWAY_PASSWORD", "flyway.password"))) {
		log_add_secret(v);
		setenv("PGPASSWORD", v, 1);
	}
	if ((v = fw(conf, "FLYWAY_USER", "flyway.user")))
		setenv("PGUSER", v, 1);
	if (!o->url && !ta->db_secret && !ta->db_cluster &&
	    (v = fw(conf, "FLYWAY_URL", "flyway.url"))) {
		if (jdbc_is_url(v)) {
			if (jdbc_to_libpq(v, url, e))
				return e->code;
			o->url = buf_cstr(url);
		} else {
			o->url = v;
		}
	}
	if (*locs->n == 0 && (v = fw(conf, "FLYWAY_LOCATIONS", "flyway.locations")))
		cmd_opt_locations(&(opt_option){.value = locs}, v, e);
	if (!o->schema && (v = fw(conf, "FLYWAY_DEFAULT_SCHEMA", "flyway.defaultSchema")))
		o->schema = v;
	if (!o->schema && (v = fw(conf, "FLYWAY_SCHEMAS", "flyway.schemas"))) {
		snprintf(schema, schema_size, "%.*s", (int)strcspn(v, ","), v);
		o->schema = schema;
	}
	const struct {
		const char *env, *key;
		const char **field;
	} strs[] = {
	    {"FLYWAY_TABLE", "flyway.table", &o->table},
	    {"FLYWAY_TARGET", "flyway.target", &o->target},
	    {"FLYWAY_BASELINE_VERSION", "flyway.baselineVersion", &o->baseline_version},
	    {"FLYWAY_BASELINE_DESCRIPTION", "flyway.baselineDescription", &o->baseline_description},
	    {"FLYWAY_INSTALLED_BY", "flyway.installedBy", &o->installed_by},
	    {"FLYWAY_ENVIRONMENT", "flyway.environment", &o->environment},
	};
	for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
		if (!*strs[i].field && (v = fw(conf, strs[i].env, strs[i].key)))
			*strs[i].field = v;
	if (o->target && strcmp(o->target, "latest") == 0)
		o->target = NULL;
	if (fw_bool(conf, "FLYWAY_OUT_OF_ORDER", "flyway.outOfOrder", &o->out_of_order, e) ||
	    fw_bool(conf, "FLYWAY_BASELINE_ON_MIGRATE", "flyway.baselineOnMigrate",
	            &o->baseline_on_migrate, e) ||
	    fw_bool(conf, "FLYWAY_MIXED", "flyway.mixed", &o->mixed, e) ||
	    fw_bool(conf, "FLYWAY_VALIDATE_MIGRATION_NAMING", "flyway.validateMigrationNaming",
	            &o->validate_migration_naming, e) ||
	    fw_bool(conf, "FLYWAY_FAIL_ON_MISSING_LOCATIONS", "flyway.failOnMissingLocations",
	            &o->fail_on_missing_locations, e))
		return e->code;
	for (size_t i = 0; conf && i < conf->n; i++) {
		const char *name = conf->keys[i] + strlen("flyway.placeholders.");
		if (strncmp(conf->keys[i], "flyway.placeholders.", 20) != 0)
			continue;
		int given = 0;
		for (size_t k = 0; k < ph->n && !given; k++)
			given = strcasecmp(ph->items[k].name, name) == 0;
		if (!given) {
			log_add_secret(conf->values[i]);
			placeholder_set_put(ph, name, conf->values[i]);
		}
	}
	return 0;
}

/* One configuration file: a .toml name is read as flyway.toml, any other as flyway.conf. */
static int load_one(const char *path, flyway_conf *conf, flyway_toml *toml, err *e)
{
	size_t n = strlen(path);
	if (n >= 5 && strcasecmp(path + n - 5, ".toml") == 0)
		return flyway_toml_load(toml, path, e);
	return flyway_conf_load(conf, path, e);
}

/* Relative locations of a file found at the repository root (prefix "../..") are relative
 * to that root, as the file's own folders are. */
static void rebase_locations(flyway_conf *conf, const char *prefix)
{
	const char *v = flyway_conf_get(conf, "flyway.locations");
	if (!*prefix || !v)
		return;
	buf out = BUF_INIT;
	char *copy = xstrdup(v), *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		const char *path = strncmp(t, "filesystem:", 11) == 0 ? t + 11 : t;
		int relative = *path && *path != '/' && !strstr(t, "://");
		buf_printf(&out, "%s%.*s%s%s", out.len ? "," : "", (int)(path - t), t,
		           relative ? prefix : "", path);
	}
	flyway_conf_set(conf, "flyway.locations", buf_cstr(&out));
	free(copy);
	buf_free(&out);
}

/*
 * Flyway's configuration files: --config-files (comma-separated, a later file wins), else
 * FLYWAY_CONFIG_FILES, else flyway.conf, flyway.toml and flyway.user.toml in the working
 * directory, or at the repository root (config/root.h) when the working directory holds
 * none of them. A
 * flyway.conf key wins over the same setting from flyway.toml. The TOML environment is
 * --environment, FLYWAY_ENVIRONMENT (or flyway_environment), flyway.environment of the
 * files, else "default"; o->environment is set to it (${flyway:environment}).
 */
static int load_conf(const char *files, migrate_opts *o, flyway_conf *conf, flyway_toml *toml,
                     err *e)
{
	static const char *const names[] = {"flyway.conf", "flyway.toml", "flyway.user.toml"};
	int rc = 0, any_toml = 0;
	char *prefix = NULL; /* the files' folder when found at the repository root */
	if (!files || !*files)
		files = getenv("FLYWAY_CONFIG_FILES"); /* Flyway's variable for -configFiles */
	if (files && *files) {
		char *copy = xstrdup(files), *save = NULL;
		for (char *f = strtok_r(copy, ",", &save); f && rc == 0;
		     f = strtok_r(NULL, ",", &save)) {
			size_t n = strlen(f);
			any_toml |= n >= 5 && strcasecmp(f + n - 5, ".toml") == 0;
			rc = load_one(f, conf, toml, e);
		}
		free(copy);
	} else {
		int here = 0;
		for (size_t i = 0; i < sizeof names / sizeof *names; i++)
			here |= fs_exists(names[i]);
		if (!here)
			prefix = root_path(""); /* "" when the root is the working directory */
		for (size_t i = 0; i < sizeof names / sizeof *names && rc == 0; i++) {
			char *path = xasprintf("%s%s", prefix ? prefix : "", names[i]);
			if (fs_exists(path)) {
				any_toml |= i > 0;
				rc = load_one(path, conf, toml, e);
			}
			free(path);
		}
	}
	const char *env = o->environment;
	if (!env || !*env)
		env = getenv("FLYWAY_ENVIRONMENT");
	if (!env || !*env)
		env = getenv("flyway_environment");
	if (!env || !*env)
		env = flyway_conf_get(conf, "flyway.environment");
	if (!env || !*env)
		env = flyway_toml_get(toml, "flyway.environment");
	if (env && *env)
		o->environment = env;
	if (rc == 0 && any_toml)
		rc = flyway_toml_apply(toml, o->environment, conf, e);
	if (rc == 0 && prefix)
		rebase_locations(conf, prefix);
	free(prefix);
	return rc;
}

/* --tenants, --tenants-query, --tenant: which tenant schemas, with which migrations. */
struct tenant_args {
	int given;
	char **names;
	size_t n;
	const char *query;
	char **locs;
	size_t nlocs;
	long jobs;
};

/* --tenants A,B,C (repeatable) and --tenant X: names checked as they come. */
static int add_tenants(const opt_option *opt, const char *arg, err *e)
{
	struct tenant_args *t = opt->value;
	if (strcmp(opt->long_name, "tenant") == 0 && strchr(arg, ','))
		return err_set(e, ORC_EUSAGE, "--tenant takes one schema (--tenants takes a list)");
	t->given = 1;
	return tenants_parse_list(arg, &t->names, &t->n, e);
}

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
		log_json(arr);
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
	tenants_run(top, o, ten->names, ten->n, (int)ten->jobs, &r);
	rc = report_tenants(op, &r, o->json && top == TENANTS_INFO);
	tenants_report_free(&r);
	return rc;
}

/*
 * clean's settings: --clean-disabled (choice index: 0 true, 1 false; -1 not given), else
 * FLYWAY_CLEAN_DISABLED / flyway.cleanDisabled, else Flyway's default true; and the
 * managed schemas after the first of FLYWAY_SCHEMAS / flyway.schemas.
 */
static int clean_settings(migrate_opts *o, int given, const flyway_conf *conf, opt_strings *schemas,
                          err *e)
{
	int disabled = 1;
	if (given >= 0) {
		disabled = given == 0;
	} else {
		const char *v = fw(conf, "FLYWAY_CLEAN_DISABLED", "flyway.cleanDisabled");
		if (v && strcasecmp(v, "false") == 0)
			disabled = 0;
		else if (v && strcasecmp(v, "true") != 0)
			return err_set(
			    e, ORC_EUSAGE,
			    "FLYWAY_CLEAN_DISABLED / flyway.cleanDisabled = %s: expected true "
			    "or false",
			    v);
	}
	o->clean_enabled = !disabled;
	const char *list = fw(conf, "FLYWAY_SCHEMAS", "flyway.schemas");
	for (const char *p = list ? strchr(list, ',') : NULL; p; p = strchr(p + 1, ',')) {
		size_t n = strcspn(p + 1, ",");
		if (n)
			opt_strings_push(schemas, xstrndup(p + 1, n));
	}
	o->schemas = schemas->v;
	o->n_schemas = schemas->n;
	return 0;
}

/* clean, and its result for --output json (Flyway's schemasCleaned, schemasDropped). */
static int run_clean(const migrate_opts *o, cJSON *result, err *e)
{
	migrate_clean_result res;
	int rc = migrate_clean(o, &res, e);
	if (result) {
		cJSON_AddStringToObject(result, "operation", "clean");
		cJSON *c = cJSON_AddArrayToObject(result, "schemasCleaned");
		cJSON *d = cJSON_AddArrayToObject(result, "schemasDropped");
		for (size_t i = 0; i < res.n_cleaned; i++)
			cJSON_AddItemToArray(c, cJSON_CreateString(res.cleaned[i]));
		for (size_t i = 0; i < res.n_dropped; i++)
			cJSON_AddItemToArray(d, cJSON_CreateString(res.dropped[i]));
	}
	migrate_clean_result_free(&res);
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
	buf task_url = BUF_INIT, flyway_url = BUF_INIT;
	flyway_conf conf = {0};
	flyway_toml toml = {0};
	const char *config_files = NULL;
	char conf_schema[256]; /* a schema name is at most 63 bytes */
	int rc = 0, output = OPT_OUTPUT_TEXT, dry_run = 0, syntax = 0;
	opt_strings ph_secrets = {0};
	static const char *const clean_choices[] = {"true", "false", NULL};
	int clean_disabled = -1;         /* --clean-disabled: index in clean_choices */
	opt_strings clean_schemas = {0}; /* heap copies, freed below */
	cJSON *result = NULL;
	cmd_locations loc_list = {&locs, &nlocs};
	struct tenant_args ten = {.jobs = 4};
	cmd_locations tloc_list = {&ten.locs, &ten.nlocs};
	placeholder_set_from_env(&ph);
	const opt_option options[] = {
	    OPT_STRING(0, "url", &o.url, "URL",
	               "libpq conninfo or postgresql:// URI (default: PG* variables)"),
	    OPT_CALLBACK(0, "locations", &loc_list, "DIR|s3://B/P",
	                 "migrations folder or S3 bucket/prefix, repeatable or\n"
	                 "comma-separated (default sql)",
	                 cmd_opt_locations),
	    OPT_STRING(0, "schema", &o.schema, "S",
	               "schema of the history table and first of search_path\n"
	               "(default: the current schema)"),
	    OPT_STRING(0, "table", &o.table, "T", "history table (default flyway_schema_history)"),
	    OPT_CALLBACK(0, "placeholder", &ph, "NAME=VALUE",
	                 "value for ${NAME}, repeatable (also FLYWAY_PLACEHOLDERS_NAME)",
	                 cmd_opt_placeholder),
	    OPT_CALLBACK(0, "placeholders-file", &ph, "FILE",
	                 "NAME=VALUE lines (.env style) for the placeholders no\n"
	                 "--placeholder or FLYWAY_PLACEHOLDERS_NAME gives, repeatable",
	                 cmd_opt_placeholders_file),
	    OPT_STRING(0, "target", &o.target, "V",
	               "migrate: apply up to version V, latest (default), current\n"
	               "(nothing newer than applied) or next (one version)"),
	    OPT_BOOL(0, "out-of-order", &o.out_of_order,
	             "migrate: apply pending versions below the highest applied"),
	    OPT_STRING(0, "baseline-version", &o.baseline_version, "V",
	               "baseline: version to record (default 1)"),
	    OPT_STRING(0, "baseline-description", &o.baseline_description, "D",
	               "baseline: description (default << Flyway Baseline >>)"),
	    OPT_BOOL(0, "baseline-on-migrate", &o.baseline_on_migrate,
	             "migrate: baseline a schema that holds objects but no history"),
	    OPT_STRING(0, "installed-by", &o.installed_by, "NAME",
	               "installed_by of new rows (default: current_user)"),
	    OPT_BOOL(0, "validate-migration-naming", &o.validate_migration_naming,
	             "a .sql file whose name is not a migration's or a callback's\n"
	             "is an error (default: near misses such as V6_x.sql warn)"),
	    OPT_BOOL(0, "mixed", &o.mixed,
	             "migrate: allow a file that mixes statements refusing a\n"
	             "transaction with others (run outside one, statement by statement)"),
	    OPT_BOOL(0, "fail-on-missing-locations", &o.fail_on_missing_locations,
	             "a location that does not exist is an error (default: a warning)"),
	    OPT_CHOICE(0, "clean-disabled", &clean_disabled, "true|false", clean_choices,
	               "clean: refused unless false (Flyway's cleanDisabled, default true;\n"
	               "also FLYWAY_CLEAN_DISABLED, flyway.cleanDisabled)"),
	    OPT_STRING(0, "config-files", &config_files, "FILES",
	               "Flyway configuration files (flyway.conf properties or .toml),\n"
	               "comma-separated (default: $FLYWAY_CONFIG_FILES, else\n"
	               "flyway.conf, flyway.toml, flyway.user.toml here, else at\n"
	               "the repository root); FLYWAY_* variables and options win"),
	    OPT_STRING(0, "environment", &o.environment, "NAME",
	               "flyway.toml environment ([environments.NAME]; default\n"
	               "$FLYWAY_ENVIRONMENT, flyway.environment, else default)"),
	    OPT_BOOL(0, "dry-run", &dry_run,
	             "migrate: print the pending migrations (transaction mode, SQL with\n"
	             "placeholders replaced, caller values masked) and the history rows\n"
	             "it would write; takes no lock, writes nothing"),
	    OPT_BOOL(0, "syntax", &syntax,
	             "validate: parse every migration offline (no database) and report\n"
	             "each syntax error with file, line and caret"),
	    OPT_OUTPUT(&output),
	    OPT_VERBOSE("more detail on stderr"),
	    OPT_QUIET(),
	    OPT_GROUP("tenant schemas (migrate, info, validate; each its own history table):"),
	    OPT_CALLBACK(0, "tenant", &ten, "X", "one tenant schema", add_tenants),
	    OPT_CALLBACK(0, "tenants", &ten, "A,B,C", "run on these tenant schemas (repeatable)",
	                 add_tenants),
	    OPT_STRING(0, "tenants-query", &ten.query, "SQL",
	               "the tenant schemas: first column of this query's rows"),
	    OPT_CALLBACK(0, "tenant-locations", &tloc_list, "DIR|s3://B/P",
	                 "migrations of every tenant (default: --locations); with\n"
	                 "both, migrate first applies --locations to --schema",
	                 cmd_opt_locations),
	    OPT_INTEGER(0, "jobs", &ten.jobs, "N", 1, 256,
	                "tenants migrated in parallel, one connection each (default 4)"),
	    OPT_GROUP("the migration task (inside ECS; secrets are read with the task's role):"),
	    OPT_STRING(0, "git-branch", &ta.branch, "B",
	               "clone branch B and migrate its sql/ (--locations relative to\n"
	               "the clone); prints the commit migrated"),
	    OPT_STRING(0, "git-url", &ta.git_url, "URL",
	               "repository (default: $REPOSITORY_URL, else\n"
	               "https://github.com/{githubOwner}/{githubRepo}.git of --config)"),
	    OPT_STRING('c', "config", &ta.config, "PATH",
	               "config.json for the default repository (default config.json)"),
	    OPT_STRING(0, "db-secret", &ta.db_secret, "NAME",
	               "connect with an RDS-shaped secret {username,password,host,\n"
	               "port,dbname}; DB_HOST, DB_NAME, DB_PORT override; TLS from\n"
	               "PGSSLMODE (default verify-full with the RDS CA bundle)"),
	    OPT_STRING(0, "db-cluster", &ta.db_cluster, "NAME",
	               "connect to this DB cluster: endpoint, port, database name\n"
	               "and (without --db-secret) its RDS-managed master user secret,\n"
	               "looked up when the task runs, so a snapshot restore's new\n"
	               "secret is found; DB_HOST, DB_NAME, DB_PORT override"),
	    OPT_STRING_LIST(0, "placeholder-secret", &ph_secrets, "K=NAME[:field]",
	                    "placeholder K from a secret (a JSON field, or\n"
	                    "the whole string), repeatable"),
	    OPT_REGION(&ta.region, "AWS region of the secrets (default $AWS_REGION)"),
	    OPT_END(),
	};
	char *name = xasprintf("orchestrator %s", op);
	char *usage_line = xasprintf("%s [options]", name);
	const char *const usage[] = {usage_line, NULL};
	const opt_command cmd = {name, usage, options, footer};
	int stop = opt_parse(&cmd, &argc, argv, &rc);
	ta.ph_secrets = ph_secrets.v;
	ta.n_ph_secrets = ph_secrets.n;
	o.json = output == OPT_OUTPUT_JSON;
	if (o.json && !stop) {
		log_set_json(1);
		/* info prints its own document; the others end with this one. */
		if (strcmp(op, "info") != 0)
			result = cJSON_CreateObject();
	}
	if (o.target && strcmp(o.target, "latest") == 0)
		o.target = NULL;
	if (!stop && argc > 1)
		rc = opt_error(&cmd, "unexpected argument '%s'", argv[1]);
	if (!stop && rc == 0 && dry_run && strcmp(op, "migrate") != 0)
		rc = opt_error(&cmd, "--dry-run is an option of migrate");
	if (!stop && rc == 0 && syntax && strcmp(op, "validate") != 0)
		rc = opt_error(&cmd, "--syntax is an option of validate");
	if (!stop && rc == 0 && !ta.branch && (ta.git_url || ta.config))
		rc = opt_error(&cmd, "--git-url and --config need --git-branch");
	if (ten.query)
		ten.given = 1;
	if (!stop && rc == 0 && ten.given && strcmp(op, "migrate") && strcmp(op, "info") &&
	    strcmp(op, "validate"))
		rc = opt_error(&cmd, "tenants work with migrate, info and validate");
	if (!stop && rc == 0 && ten.given && (dry_run || syntax))
		rc = opt_error(&cmd, "--dry-run and --syntax do not take tenants");
	if (!stop && rc == 0 && !ten.given && ten.nlocs)
		rc = opt_error(&cmd,
		               "--tenant-locations needs --tenants, --tenants-query or --tenant");
	if (stop || rc)
		goto out;
	/* The task definition names the database, so run-task's default command suffices:
	 * DB_SECRET and DB_CLUSTER stand for the options when neither option is given (an
	 * option given on the command line is the whole choice: no half from the
	 * environment). */
	if (ta.branch && !ta.db_secret && !ta.db_cluster && !o.url) {
		const char *v = getenv("DB_SECRET");
		ta.db_secret = v && *v ? v : NULL;
		v = getenv("DB_CLUSTER");
		ta.db_cluster = v && *v ? v : NULL;
	}
	if ((ta.db_secret || ta.db_cluster) && o.url) {
		rc = opt_error(&cmd, "give --url or --db-secret/--db-cluster, not both");
		goto out;
	}
	err e = ERR_INIT;
	if ((rc = load_conf(config_files, &o, &conf, &toml, &e)) ||
	    (rc = flyway_settings(&o, &loc_list, &flyway_url, &ta, &ph, &conf, conf_schema,
	                          sizeof conf_schema, &e)) ||
	    (rc = clean_settings(&o, clean_disabled, &conf, &clean_schemas, &e))) {
		rc = cmd_report(&e);
		goto done;
	}
	if (ta.branch || ta.db_secret || ta.db_cluster || ta.n_ph_secrets) {
		tk = task_new(ta.branch ? ta.branch : "", ta.region);
		if ((rc = task_prepare(tk, &ta, &locs, &nlocs, &task_url, &ph, &e))) {
			rc = cmd_report(&e);
			goto done;
		}
		if (task_url.len)
			o.url = buf_cstr(&task_url);
	}
	/* sql/ at the repository root, also from a subdirectory; not with --tenant-locations,
	 * where no --locations means no shared migrations. */
	if (nlocs == 0 && !(ten.given && ten.nlocs)) {
		locs = xmalloc(sizeof *locs);
		locs[nlocs++] = root_path("sql");
	}
	o.locations = (const char *const *)locs;
	o.n_locations = nlocs;
	o.placeholders = &ph;
	if (ten.given) {
		rc = run_tenants(op, &o, &ten, ta.branch ? tk : NULL);
	} else if (dry_run || syntax) {
		rc = dry_run ? dryrun_migrate(&o, result, &e) : dryrun_syntax(&o, &e);
		if (rc && ta.branch)
			strip_clone_path(tk, &e, NULL);
		if (rc)
			rc = cmd_report(&e);
	} else if (strcmp(op, "migrate") == 0) {
		migrate_result res;
		o.result = result;
		rc = migrate_run(&o, &res, &e);
		if (result && !cJSON_GetObjectItemCaseSensitive(result, "migrationsExecuted")) {
			cJSON_AddNumberToObject(result, "migrationsExecuted", res.applied);
			cJSON_AddBoolToObject(result, "success", 0);
		}
		if (rc && ta.branch)
			strip_clone_path(tk, &e, &res.fail_file);
		if (result && rc && res.fail_file) {
			cJSON_AddStringToObject(result, "file", res.fail_file);
			cJSON_AddNumberToObject(result, "line", res.fail_line);
		}
		if (rc && res.fail_file) {
			log_error_at(res.fail_file, res.fail_line, "%s", e.msg);
		} else if (rc) {
			rc = cmd_report(&e);
		}
		migrate_result_free(&res);
	} else {
		o.result = result;
		if (strcmp(op, "info") == 0)
			rc = migrate_info(&o, &e);
		else if (strcmp(op, "validate") == 0)
			rc = migrate_validate(&o, &e);
		else if (strcmp(op, "baseline") == 0)
			rc = migrate_baseline(&o, &e);
		else if (strcmp(op, "repair") == 0)
			rc = migrate_repair(&o, &e);
		else if (strcmp(op, "clean") == 0)
			rc = run_clean(&o, result, &e);
		else
			rc = err_set(&e, ORC_EUSAGE, "%s: not a migration command", op);
		if (rc && ta.branch)
			strip_clone_path(tk, &e, NULL);
		if (rc)
			rc = cmd_report(&e);
	}
	if (rc == 0 && ta.branch)
		report_commit(tk, op);
done:
	if (result) {
		if (!cJSON_GetObjectItemCaseSensitive(result, "operation"))
			cJSON_AddStringToObject(result, "operation", op);
		cJSON_AddBoolToObject(result, "ok", rc == 0);
		cJSON_AddNumberToObject(result, "exitCode", rc);
		if (rc)
			cJSON_AddStringToObject(result, "error", e.msg);
		else
			cJSON_AddNullToObject(result, "error");
		if (ta.branch && tk && rc == 0)
			cJSON_AddStringToObject(result, "commit", task_sha(tk));
		log_json(result);
	}
out:
	tenants_free_names(ten.names, ten.n);
	for (size_t i = 0; i < ten.nlocs; i++)
		free(ten.locs[i]);
	free(ten.locs);
	cJSON_Delete(result);
	free(usage_line);
	free(name);
	task_free(tk);
	buf_free(&task_url);
	buf_free(&flyway_url);
	flyway_conf_free(&conf);
	flyway_toml_free(&toml);
	free(ta.ph_secrets);
	for (size_t i = 0; i < clean_schemas.n; i++)
		free((char *)clean_schemas.v[i]);
	free(clean_schemas.v);
	for (size_t i = 0; i < nlocs; i++)
		free(locs[i]);
	free(locs);
	placeholder_set_free(&ph);
	return rc;
}
