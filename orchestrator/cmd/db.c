/*
 * db: commands about whole databases. `db compare` proves two databases hold the same
 * data (pg/compare does the work); each side is a URL, or, inside the ECS task, a Secrets
 * Manager secret and/or a DB cluster resolved with the task's role (task/task.c), so no
 * password is ever on a command line.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cmd/cmd.h"
#include "core/buf.h"
#include "core/opt.h"
#include "core/log.h"
#include "pg/compare.h"
#include "task/task.h"

static const char footer[] =
    "Inside the ECS task, a side may be a Secrets Manager secret and/or a DB cluster instead\n"
    "of a URL (read with the task's role), so no password is ever on a command line.\n"
    "Exit: 0 equal; 1 a difference (each one named); 2 usage; 3 a database refused.\n";

typedef struct side_args {
	const char *url, *secret, *cluster;
} side_args;

/* A side's connection string: the URL, or one built from its secret/cluster. */
static int side_url(task **tk, const char *region, const char *name, const side_args *s, buf *out,
                    err *e)
{
	if (s->url) {
		buf_puts(out, s->url);
		return 0;
	}
	if (!*tk) {
		/* DB_HOST/DB_PORT/DB_NAME override the migration task's one database; here
		 * both sides are named explicitly and an override would point both at one. */
		unsetenv("DB_HOST");
		unsetenv("DB_PORT");
		unsetenv("DB_NAME");
		*tk = task_new("", region);
	}
	int rc = task_db_conninfo(*tk, s->secret, s->cluster, out, e);
	return rc ? err_prefix(e, "%s", name) : 0;
}

/* The connection strings may hold passwords. */
static void wipe(buf *b)
{
	if (b->ptr)
		OPENSSL_cleanse(b->ptr, b->cap);
	buf_free(b);
}

static int parse_number(const char *v, double lo, double hi, double *out)
{
	char *end;
	double d = strtod(v, &end);
	if (!*v || *end || !(d > lo && d < hi))
		return -1;
	*out = d;
	return 0;
}

static int sample_option(const opt_option *opt, const char *arg, err *e)
{
	if (parse_number(arg, 0, 100, opt->value))
		return err_set(e, ORC_EUSAGE,
		               "--sample '%s': a percentage above 0 and below 100 (leave it out to "
		               "checksum every row)",
		               arg);
	return 0;
}

static int compare(int argc, char **argv)
{
	compare_opts o = {.source_label = "--source", .target_label = "--target"};
	side_args src = {0}, dst = {0};
	opt_strings schemas = {0}, tables = {0};
	const char *region = NULL;
	int output = OPT_OUTPUT_TEXT, markdown = 0, no_progress = 0, rc = 0;
	long jobs = 1;
	double d;
	static const char *const usage[] = {
	    "orchestrator db compare --source URL --target URL [--schema S]... [--table T]...\n"
	    "                               [--sample PCT] [--jobs N] [--output json|text] "
	    "[--markdown]",
	    NULL};
	const opt_option options[] = {
	    OPT_STRING(0, "source", &src.url, "URL",
	               "the source database: libpq connection string or postgresql:// URI"),
	    OPT_STRING(0, "target", &dst.url, "URL", "the target database, the same way"),
	    OPT_STRING_LIST(0, "schema", &schemas, "S",
	                    "compare schema S (repeatable; default: every non-system schema)"),
	    OPT_STRING_LIST(0, "table", &tables, "T",
	                    "compare table T, NAME or SCHEMA.NAME (repeatable; default: all)"),
	    OPT_CALLBACK(0, "sample", &o.sample_pct, "PCT",
	                 "checksum only PCT percent of each table's rows (0 < PCT < 100),\n"
	                 "the same rows on both sides, chosen by primary-key hash; row counts\n"
	                 "stay exact; tables without a primary key are checksummed in full",
	                 sample_option),
	    OPT_INTEGER(0, "jobs", &jobs, "N", 1, 64,
	                "connections per side (default 1), all in one exported snapshot"),
	    OPT_OUTPUT(&output),
	    OPT_BOOL(0, "markdown", &markdown,
	             "print the result as a markdown table (for a job summary)"),
	    OPT_BOOL(0, "no-progress", &no_progress, "no progress line on stderr"),
	    OPT_VERBOSE("log the snapshot and connections"),
	    OPT_QUIET(),
	    OPT_GROUP("inside the ECS task"),
	    OPT_STRING(0, "source-secret", &src.secret, "NAME",
	               "the source from an RDS-shaped secret {username,password,host,port,\n"
	               "dbname}"),
	    OPT_STRING(0, "source-cluster", &src.cluster, "NAME",
	               "the source DB cluster: endpoint, port, database name and (without\n"
	               "--source-secret) its RDS-managed master user secret"),
	    OPT_STRING(0, "target-secret", &dst.secret, "NAME", "the target's secret"),
	    OPT_STRING(0, "target-cluster", &dst.cluster, "NAME", "the target's DB cluster"),
	    OPT_REGION(&region, "AWS region of the secrets and clusters (default $AWS_REGION)"),
	    OPT_END(),
	};
	const opt_command cmd = {"orchestrator db compare", usage, options, footer};
	if (opt_parse(&cmd, &argc, argv, &rc))
		goto done;
	const side_args *sides[2] = {&src, &dst};
	const char *names[2] = {"source", "target"};
	if (argc > 1)
		rc = opt_error(&cmd, "unexpected argument '%s'", argv[1]);
	else if (output == OPT_OUTPUT_JSON && markdown)
		rc = opt_error(&cmd, "--output json or --markdown, not both");
	for (int i = 0; i < 2 && rc == 0; i++) {
		const side_args *sd = sides[i];
		if (!sd->url && !sd->secret && !sd->cluster)
			rc =
			    opt_error(&cmd,
			              "the %s database is missing: give --%s URL (or --%s-secret / "
			              "--%s-cluster inside AWS)",
			              names[i], names[i], names[i], names[i]);
		else if (sd->url && (sd->secret || sd->cluster))
			rc = opt_error(&cmd, "give --%s or --%s-secret/--%s-cluster, not both",
			               names[i], names[i], names[i]);
	}
	if (rc)
		goto done;
	o.jobs = (int)jobs;
	o.schemas = schemas.v;
	o.nschemas = schemas.n;
	o.tables = tables.v;
	o.ntables = tables.n;
	int json = output == OPT_OUTPUT_JSON;

	err e = ERR_INIT;
	task *tk = NULL;
	buf surl = BUF_INIT, turl = BUF_INIT;
	compare_result *res = NULL;
	if ((rc = side_url(&tk, region, src.url ? "--source" : "--source-secret/--source-cluster",
	                   &src, &surl, &e)) ||
	    (rc = side_url(&tk, region, dst.url ? "--target" : "--target-secret/--target-cluster",
	                   &dst, &turl, &e))) {
		rc = cmd_report(&e);
		goto out;
	}
	o.source_url = buf_cstr(&surl);
	o.target_url = buf_cstr(&turl);
	if (!src.url)
		o.source_label = src.cluster ? src.cluster : src.secret;
	if (!dst.url)
		o.target_label = dst.cluster ? dst.cluster : dst.secret;
	o.progress = !no_progress;
	/* Tuning (and the tests' way to split a small table): pages above which a table is
	 * read in block ranges by several jobs. */
	const char *split = getenv("ORC_COMPARE_SPLIT_PAGES");
	if (split && parse_number(split, 0, 1e15, &d) == 0)
		o.split_pages = (long long)d;
	if ((rc = compare_run(&o, &res, &e))) {
		rc = cmd_report(&e);
		goto out;
	}
	buf text = BUF_INIT, md = BUF_INIT;
	if (json)
		compare_render_json(res, &text);
	else if (markdown)
		compare_render_markdown(res, &text);
	else
		compare_render_text(res, &text);
	log_text(0, buf_cstr(&text)); /* table and column names come from the databases */
	compare_render_markdown(res, &md);
	log_gha_summary(buf_cstr(&md));
	log_gha_output("equal", res->ndifferent ? "false" : "true");
	for (size_t i = 0; i < res->ntables; i++) {
		const compare_table *t = &res->tables[i];
		for (size_t k = 0; k < t->ndifferences; k++)
			log_error("db compare: %s.%s: %s", t->schema, t->name, t->differences[k]);
	}
	rc = res->ndifferent ? ORC_EFAIL : ORC_OK;
	buf_free(&text);
	buf_free(&md);
out:
	compare_result_free(res);
	task_free(tk);
	wipe(&surl);
	wipe(&turl);
done:
	opt_strings_free(&schemas);
	opt_strings_free(&tables);
	return rc;
}

int cmd_db(int argc, char **argv)
{
	static const opt_subcommand subs[] = {
	    {"compare", compare, "row counts and in-server checksums of every table, side by side"},
	};
	return opt_dispatch("orchestrator db", subs, sizeof subs / sizeof *subs, argc, argv);
}
