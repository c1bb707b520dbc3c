/*
 * schema-docs: the database's schema documented in README.md's "Database Documentation"
 * section (pg/catalog reads, pg/markdown renders, docs/readme splices), optionally
 * committed as the gitbot and pushed, with a bounded retry when someone pushed first.
 */
#include <getopt.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "cmd/cmd.h"
#include "config/config.h"
#include "core/buf.h"
#include "core/fs.h"
#include "core/log.h"
#include "docs/readme.h"
#include "git/gitops.h"
#include "pg/catalog.h"
#include "pg/markdown.h"

static const char usage[] =
    "usage: orchestrator schema-docs [--url URL] [--schema S]... [--exclude TABLE]...\n"
    "                                [--readme PATH] [--check] [--commit] [--push]\n"
    "                                [--config PATH] [--verbose]\n"
    "  --url URL        libpq connection string or postgresql:// URI (default: PG* variables)\n"
    "  --schema S       document schema S (repeatable; default: every non-system schema)\n"
    "  --exclude TABLE  leave out a table or view, NAME or SCHEMA.NAME (repeatable)\n"
    "  --readme PATH    the README to update (default: README.md)\n"
    "  --check          change nothing; exit 1 when the section is stale\n"
    "  --commit         commit the README alone as gitbotName <gitbotEmail> from config.json\n"
    "  --push           commit, then push to origin (token: GITHUB_TOKEN); when the push is\n"
    "                   rejected, sync to origin, render again on top and retry\n"
    "  --config PATH    config.json for the gitbot identity (default: config.json)\n"
    "  --verbose        log each catalog query and the totals\n";

static const struct option options[] = {
    {"url", required_argument, NULL, 'u'},
    {"schema", required_argument, NULL, 's'},
    {"exclude", required_argument, NULL, 'x'},
    {"readme", required_argument, NULL, 'r'},
    {"check", no_argument, NULL, 'k'},
    {"commit", no_argument, NULL, 'c'},
    {"push", no_argument, NULL, 'p'},
    {"config", required_argument, NULL, 'C'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

typedef struct opts {
	const char *url, *readme, *config;
	const char **schemas, **exclude;
	size_t nschemas, nexclude;
	int check, commit, push;
} opts;

/* Registers every password the connection may use before anything can print it. */
static void register_secrets(const char *url)
{
	log_add_secret(getenv("PGPASSWORD"));
	if (!url)
		return;
	char *msg = NULL;
	PQconninfoOption *o = PQconninfoParse(url, &msg);
	PQfreemem(msg);
	for (PQconninfoOption *p = o; p && p->keyword; p++)
		if (strcmp(p->keyword, "password") == 0 && p->val)
			log_add_secret(p->val);
	PQconninfoFree(o);
}

/* Connects, reads the catalog and renders the section body. */
static int render(const opts *o, buf *body, buf *fingerprint, err *e)
{
	register_secrets(o->url);
	PGconn *conn = PQconnectdb(o->url ? o->url : "");
	if (PQstatus(conn) != CONNECTION_OK) {
		char *msg = xstrdup(PQerrorMessage(conn));
		msg[strcspn(msg, "\n")] = 0;
		PQfinish(conn);
		err_set(e, ORC_EFAIL,
		        "database connection failed: %s (check --url or the PG* variables)", msg);
		free(msg);
		return ORC_EFAIL;
	}
	catalog *c = NULL;
	catalog_opts co = {o->schemas, o->nschemas, o->exclude, o->nexclude};
	int rc = catalog_load(conn, &co, &c, e);
	if (rc == 0) {
		markdown_render(c, body, fingerprint);
		log_verbose("schema-docs: %d queries sent to %s", c->queries, PQdb(conn));
		catalog_free(c);
	}
	PQfinish(conn);
	return rc;
}

/* README text with the section replaced; *changed when it differs from the file. */
static int splice(const opts *o, const buf *body, buf *out, int *changed, err *e)
{
	buf old = BUF_INIT;
	int rc = 0;
	if (fs_exists(o->readme))
		rc = fs_read_file(o->readme, &old, e);
	if (rc == 0)
		rc = readme_splice(o->readme, buf_cstr(&old), old.len, buf_cstr(body), out, e);
	*changed =
	    rc == 0 && (out->len != old.len || memcmp(buf_cstr(out), buf_cstr(&old), old.len));
	buf_free(&old);
	return rc;
}

static int update(const opts *o, const buf *body, const char *fp, int *changed, err *e)
{
	buf next = BUF_INIT;
	int rc = splice(o, body, &next, changed, e);
	if (rc == 0 && *changed)
		rc = fs_write_atomic(o->readme, buf_cstr(&next), next.len, e);
	if (rc == 0)
		log_info("%s: Database Documentation %s (%s)", o->readme,
		         *changed ? "updated" : "already up to date", fp);
	buf_free(&next);
	return rc;
}

struct docs_make {
	const opts *o;
	const buf *body;
	const char *fp;
};

static int docs_make(void *arg, err *e)
{
	struct docs_make *m = arg;
	int changed = 0;
	return update(m->o, m->body, m->fp, &changed, e);
}

static int publish(const opts *o, const buf *body, const char *fp, err *e)
{
	config *cfg = NULL;
	int rc = config_load(o->config, &cfg, NULL, e);
	if (rc)
		return err_prefix(e, "--commit needs the gitbot identity");
	char *dir_copy = xstrdup(o->readme);
	const char *dir = dirname(dir_copy);
	char *base_copy = xstrdup(o->readme);
	const char *paths[1] = {basename(base_copy)};
	char *message = xasprintf("docs: regenerate the Database Documentation section\n\n"
	                          "Generated by orchestrator schema-docs; schema fingerprint %s.\n",
	                          fp);
	struct docs_make m = {o, body, fp};
	gitops_publish_opts po = {
	    dir, paths, 1, message, cfg->gitbot_name, cfg->gitbot_email, o->push, docs_make, &m};
	int committed = 0;
	buf sha = BUF_INIT;
	rc = gitops_publish(&po, &committed, &sha, e);
	if (rc == 0) {
		if (committed)
			log_info("%s: committed %s as %s <%s>", o->readme, buf_cstr(&sha),
			         cfg->gitbot_name, cfg->gitbot_email);
		else
			log_info("%s: nothing to commit", o->readme);
		if (o->push)
			log_info("%s: pushed to origin", o->readme);
		log_gha_output("committed", committed ? "true" : "false");
		if (committed)
			log_gha_output("commit", buf_cstr(&sha));
	}
	buf_free(&sha);
	free(message);
	free(dir_copy);
	free(base_copy);
	config_free(cfg);
	return rc;
}

int cmd_schema_docs(int argc, char **argv)
{
	opts o = {.readme = "README.md", .config = CONFIG_DEFAULT_PATH};
	o.schemas = xcalloc((size_t)argc + 1, sizeof *o.schemas);
	o.exclude = xcalloc((size_t)argc + 1, sizeof *o.exclude);
	err e = ERR_INIT;
	int rc = 0, ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (ch) {
		case 'u': o.url = optarg; break;
		case 's': o.schemas[o.nschemas++] = optarg; break;
		case 'x': o.exclude[o.nexclude++] = optarg; break;
		case 'r': o.readme = optarg; break;
		case 'k': o.check = 1; break;
		case 'c': o.commit = 1; break;
		case 'p': o.push = o.commit = 1; break;
		case 'C': o.config = optarg; break;
		case 'v': log_set_verbose(1); break;
		case 'h': fputs(usage, stdout); goto out;
		default: rc = cmd_usage_error(usage, "schema-docs: unknown option"); goto out;
		}
	}
	if (optind < argc) {
		rc = cmd_usage_error(usage, "schema-docs: unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (o.check && o.commit) {
		rc = cmd_usage_error(usage, "schema-docs: --check changes nothing; it cannot be "
		                            "combined with --commit or --push");
		goto out;
	}

	buf body = BUF_INIT, fp = BUF_INIT;
	rc = render(&o, &body, &fp, &e);
	if (rc == 0)
		log_gha_output("fingerprint", buf_cstr(&fp));
	if (rc == 0 && o.check) {
		buf next = BUF_INIT;
		int changed = 0;
		rc = splice(&o, &body, &next, &changed, &e);
		if (rc == 0 && changed)
			rc =
			    err_set(&e, ORC_EFAIL,
			            "%s: the Database Documentation section is stale (the schema "
			            "is now %s); run `make docs` or `orchestrator schema-docs` and "
			            "commit %s",
			            o.readme, buf_cstr(&fp), o.readme);
		else if (rc == 0)
			log_info("%s: Database Documentation is up to date (%s)", o.readme,
			         buf_cstr(&fp));
		log_gha_output("stale", rc == 0 ? "false" : "true");
		buf_free(&next);
	} else if (rc == 0 && o.commit) {
		rc = publish(&o, &body, buf_cstr(&fp), &e);
	} else if (rc == 0) {
		int changed = 0;
		rc = update(&o, &body, buf_cstr(&fp), &changed, &e);
		log_gha_output("changed", changed ? "true" : "false");
	}
	if (rc == 0 && log_in_actions()) {
		buf sum = BUF_INIT;
		buf_printf(&sum,
		           "### schema-docs\n\n`%s`: Database Documentation %s, schema "
		           "fingerprint `%s`.\n",
		           o.readme, o.check ? "is up to date" : "regenerated", buf_cstr(&fp));
		log_gha_summary(buf_cstr(&sum));
		buf_free(&sum);
	}
	buf_free(&body);
	buf_free(&fp);
	if (rc)
		rc = cmd_report(&e);
out:
	free(o.schemas);
	free(o.exclude);
	return rc;
}
