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
#include "core/log.h"
#include "pg/compare.h"
#include "task/task.h"

static const char usage[] =
    "usage: orchestrator db compare --source URL --target URL [--schema S]... [--table T]...\n"
    "                               [--sample PCT] [--jobs N] [--json] [--markdown]\n"
    "                               [--no-progress] [--verbose]\n"
    "  --source URL, --target URL  libpq connection strings or postgresql:// URIs\n"
    "  --schema S       compare schema S (repeatable; default: every non-system schema)\n"
    "  --table T        compare table T, NAME or SCHEMA.NAME (repeatable; default: all)\n"
    "  --sample PCT     checksum only PCT percent of each table's rows (0 < PCT < 100),\n"
    "                   the same rows on both sides, chosen by primary-key hash; row counts\n"
    "                   stay exact; tables without a primary key are checksummed in full\n"
    "  --jobs N         connections per side (default 1), all in one exported snapshot\n"
    "  --json           print one JSON object instead of the table\n"
    "  --markdown       print the result as a markdown table (for a job summary)\n"
    "  --no-progress    no progress line on stderr\n"
    "  --verbose        log the snapshot and connections\n"
    "inside the ECS task (secrets are read with the task's role, never passed as URLs):\n"
    "  --source-secret NAME, --target-secret NAME   an RDS-shaped secret {username,password,\n"
    "                   host,port,dbname}\n"
    "  --source-cluster NAME, --target-cluster NAME a DB cluster: endpoint, port, database\n"
    "                   name and (without the secret option) its RDS-managed master secret\n"
    "  --region R       AWS region of the secrets and clusters (default $AWS_REGION)\n"
    "Exit: 0 equal; 1 a difference (each one named); 2 usage; 3 a database refused.\n";

enum {
	O_SOURCE = 1,
	O_TARGET,
	O_SCHEMA,
	O_TABLE,
	O_SAMPLE,
	O_JOBS,
	O_JSON,
	O_MARKDOWN,
	O_NO_PROGRESS,
	O_VERBOSE,
	O_SOURCE_SECRET,
	O_TARGET_SECRET,
	O_SOURCE_CLUSTER,
	O_TARGET_CLUSTER,
	O_REGION,
	O_HELP,
};

static const struct option options[] = {
    {"source", required_argument, NULL, O_SOURCE},
    {"target", required_argument, NULL, O_TARGET},
    {"schema", required_argument, NULL, O_SCHEMA},
    {"table", required_argument, NULL, O_TABLE},
    {"sample", required_argument, NULL, O_SAMPLE},
    {"jobs", required_argument, NULL, O_JOBS},
    {"json", no_argument, NULL, O_JSON},
    {"markdown", no_argument, NULL, O_MARKDOWN},
    {"no-progress", no_argument, NULL, O_NO_PROGRESS},
    {"verbose", no_argument, NULL, O_VERBOSE},
    {"source-secret", required_argument, NULL, O_SOURCE_SECRET},
    {"target-secret", required_argument, NULL, O_TARGET_SECRET},
    {"source-cluster", required_argument, NULL, O_SOURCE_CLUSTER},
    {"target-cluster", required_argument, NULL, O_TARGET_CLUSTER},
    {"region", required_argument, NULL, O_REGION},
    {"help", no_argument, NULL, O_HELP},
    {NULL, 0, NULL, 0},
};

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

static int parse_number(const char *opt, const char *v, double lo, double hi, double *out)
{
	char *end;
	double d = strtod(v, &end);
	if (!*v || *end || !(d > lo && d < hi))
		return -1;
	(void)opt;
	*out = d;
	return 0;
}

static int compare(int argc, char **argv)
{
	compare_opts o = {.source_label = "--source", .target_label = "--target", .jobs = 1};
	side_args src = {0}, dst = {0};
	const char **schemas = NULL, **tables = NULL, *region = NULL;
	int json = 0, markdown = 0, no_progress = 0, c, rc = 0;
	double d;
	optind = 1;
	opterr = 0;
	while (rc == 0 && (c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case O_SOURCE: src.url = optarg; break;
		case O_TARGET: dst.url = optarg; break;
		case O_SOURCE_SECRET: src.secret = optarg; break;
		case O_TARGET_SECRET: dst.secret = optarg; break;
		case O_SOURCE_CLUSTER: src.cluster = optarg; break;
		case O_TARGET_CLUSTER: dst.cluster = optarg; break;
		case O_REGION: region = optarg; break;
		case O_SCHEMA:
			schemas = xrealloc(schemas, (o.nschemas + 1) * sizeof *schemas);
			schemas[o.nschemas++] = optarg;
			break;
		case O_TABLE:
			tables = xrealloc(tables, (o.ntables + 1) * sizeof *tables);
			tables[o.ntables++] = optarg;
			break;
		case O_SAMPLE:
			if (parse_number("--sample", optarg, 0, 100, &o.sample_pct))
				rc = cmd_usage_error(
				    usage,
				    "db compare: --sample '%s': a percentage above 0 "
				    "and below 100 (leave it out to checksum every row)",
				    optarg);
			break;
		case O_JOBS:
			if (parse_number("--jobs", optarg, 0, 65, &d) || d != (int)d)
				rc = cmd_usage_error(
				    usage, "db compare: --jobs '%s': a whole number from 1 to 64",
				    optarg);
			else
				o.jobs = (int)d;
			break;
		case O_JSON: json = 1; break;
		case O_MARKDOWN: markdown = 1; break;
		case O_NO_PROGRESS: no_progress = 1; break;
		case O_VERBOSE: log_set_verbose(1); break;
		case O_HELP:
			fputs(usage, stdout);
			rc = -1;
			break;
		default:
			rc = cmd_usage_error(usage,
			                     "db compare: unknown option or missing value: %s",
			                     argv[optind - 1]);
		}
	}
	if (rc == 0 && optind < argc)
		rc = cmd_usage_error(usage, "db compare: unexpected argument '%s'", argv[optind]);
	if (rc == 0 && json && markdown)
		rc = cmd_usage_error(usage, "db compare: --json or --markdown, not both");
	const side_args *sides[2] = {&src, &dst};
	const char *names[2] = {"source", "target"};
	for (int i = 0; i < 2 && rc == 0; i++) {
		const side_args *s = sides[i];
		if (!s->url && !s->secret && !s->cluster)
			rc =
			    cmd_usage_error(usage,
			                    "db compare: the %s database is missing: give --%s URL "
			                    "(or --%s-secret / --%s-cluster inside AWS)",
			                    names[i], names[i], names[i], names[i]);
		else if (s->url && (s->secret || s->cluster))
			rc = cmd_usage_error(
			    usage,
			    "db compare: give --%s or --%s-secret/--%s-cluster, not "
			    "both",
			    names[i], names[i], names[i]);
	}
	if (rc) {
		free(schemas);
		free(tables);
		return rc < 0 ? 0 : rc;
	}

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
	o.schemas = schemas;
	o.tables = tables;
	o.progress = no_progress ? 0 : isatty(STDERR_FILENO) && !log_in_actions() ? 1 : 2;
	o.progress_seconds = 15;
	const char *every = getenv("ORC_PROGRESS_SECONDS");
	if (every && parse_number("ORC_PROGRESS_SECONDS", every, 0, 86400, &d) == 0)
		o.progress_seconds = d;
	/* Tuning (and the tests' way to split a small table): pages above which a table is
	 * read in block ranges by several jobs. */
	const char *split = getenv("ORC_COMPARE_SPLIT_PAGES");
	if (split && parse_number("ORC_COMPARE_SPLIT_PAGES", split, 0, 1e15, &d) == 0)
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
	fputs(buf_cstr(&text), stdout);
	fflush(stdout);
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
	free(schemas);
	free(tables);
	return rc;
}

int cmd_db(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? ORC_EUSAGE : ORC_OK;
	}
	if (strcmp(argv[1], "compare") == 0)
		return compare(argc - 1, argv + 1);
	return cmd_usage_error(usage, "db: unknown subcommand '%s' (compare)", argv[1]);
}
