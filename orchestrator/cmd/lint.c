/*
 * lint: dangerous operations in migrations, from PostgreSQL's parse tree (lint/lint.h).
 *
 * Which files: the ones named on the command line; else, with --url, the pending ones
 * (what migrate would apply, pg/migrate.h's plan); else every migration in the
 * locations. What exists already: the database given with --url, else the migrations
 * that come before the linted ones. Rule switches come from config.json's lint.rules
 * when that file is there (--config names another). Findings go to stdout as
 * "file:line: severity [rule] message", with the reason and the safe alternative; in
 * GitHub Actions each is also an annotation on the file and line, and the summary gets a
 * table. Exit 1 when any finding is an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "config/config.h"
#include "config/root.h"
#include "core/buf.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/opt.h"
#include "lint/lint.h"
#include "pg/discover.h"
#include "pg/migrate.h"

static const char *const usage[] = {
    "orchestrator lint [FILE...] [--locations DIR] [--url URL] [options]",
    "orchestrator lint --rules",
    NULL,
};

static const char footer[] =
    "FILE...: the migrations to lint; default: the pending ones with --url, else every\n"
    "migration in the locations. Exit status: 0 no error finding, 1 at least one error\n"
    "finding, 2 usage or configuration error.";

static void print_rules(void)
{
	size_t n;
	const lint_rule *r = lint_rules(&n);
	for (size_t i = 0; i < n; i++)
		printf("%-28s %-8s %s\n%28s          safe: %s\n", r[i].id,
		       lint_severity_name(r[i].severity), r[i].reason, "", r[i].fix);
}

/* config.json's lint.rules: the named file must load; the default one only when present. */
static int apply_config(lint *l, const char *path, err *e)
{
	char *at_root = path ? NULL : root_path(CONFIG_DEFAULT_PATH);
	if (at_root && !fs_exists(at_root)) {
		free(at_root);
		return 0;
	}
	config *c = NULL;
	int rc = config_load(path ? path : at_root, &c, NULL, e);
	for (size_t i = 0; rc == 0 && i < c->n_lint_rules; i++)
		rc = lint_set_severity(
		    l, c->lint_rules[i].rule,
		    (lint_severity)lint_severity_parse(c->lint_rules[i].severity), e);
	config_free(c);
	free(at_root);
	return rc;
}

/* The text lint reads: placeholders replaced when every one has a value (else the raw
 * text: a statement holding ${x} does not parse and is skipped). */
static void read_text(const char *path, const placeholder_set *ph, buf *out, err *e)
{
	buf raw = BUF_INIT;
	if (fs_read_file(path, &raw, e) == 0) {
		err pe = ERR_INIT;
		if (placeholder_apply(ph, path, buf_cstr(&raw), raw.len, out, &pe) != 0) {
			buf_clear(out);
			buf_put(out, buf_cstr(&raw), raw.len);
		}
	}
	buf_free(&raw);
}

/* Whether two names are the same file (sql/V1__a.sql and ./sql/V1__a.sql are). */
static int same_file(const char *a, const char *b)
{
	if (strcmp(a, b) == 0)
		return 1;
	char *ra = realpath(a, NULL), *rb = realpath(b, NULL);
	int same = ra && rb && strcmp(ra, rb) == 0;
	free(ra);
	free(rb);
	return same;
}

static int is_named(const char *path, char **files, int nfiles)
{
	for (int i = 0; i < nfiles; i++)
		if (same_file(files[i], path))
			return 1;
	return 0;
}

static void report(const lint *l)
{
	size_t n;
	const lint_finding *f = lint_findings(l, &n);
	buf md = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		const char *sev = lint_severity_name(f[i].severity);
		log_info("%s:%d: %s [%s] %s\n    why: %s\n    instead: %s", f[i].file, f[i].line,
		         sev, f[i].rule->id, f[i].message, f[i].rule->reason, f[i].rule->fix);
		if (log_in_actions()) {
			if (f[i].severity == LINT_ERROR)
				log_error_at(f[i].file, f[i].line, "[%s] %s: %s (instead: %s)",
				             f[i].rule->id, f[i].message, f[i].rule->reason,
				             f[i].rule->fix);
			else
				log_warn_at(f[i].file, f[i].line, "[%s] %s: %s (instead: %s)",
				            f[i].rule->id, f[i].message, f[i].rule->reason,
				            f[i].rule->fix);
		}
		if (i == 0)
			buf_puts(&md, "### Lint\n\n| | File | Line | Rule | Finding | Instead |\n"
			              "|---|---|---|---|---|---|\n");
		buf_printf(&md, "| %s | `%s` | %d | `%s` | %s | %s |\n",
		           f[i].severity == LINT_ERROR ? "error" : "warning", f[i].file, f[i].line,
		           f[i].rule->id, f[i].message, f[i].rule->fix);
	}
	size_t ne = lint_count(l, LINT_ERROR), nw = lint_count(l, LINT_WARNING);
	buf_puts(&md, n == 0 ? "### Lint\n\nNo findings.\n\n" : "\n");
	log_gha_summary(buf_cstr(&md));
	log_info("lint: %zu error%s, %zu warning%s", ne, ne == 1 ? "" : "s", nw,
	         nw == 1 ? "" : "s");
	buf_free(&md);
}

int cmd_lint(int argc, char **argv)
{
	migrate_opts o = {0};
	placeholder_set ph = {0};
	char **locs = NULL;
	size_t nlocs = 0;
	const char *config_path = NULL;
	int rc = 0, list = 0;
	cmd_locations loc_list = {&locs, &nlocs};
	placeholder_set_from_env(&ph);
	const opt_option options[] = {
	    OPT_CALLBACK(0, "locations", &loc_list, "DIR",
	                 "migrations folder, repeatable or comma-separated (default sql)",
	                 cmd_opt_locations),
	    OPT_STRING(0, "url", &o.url, "URL",
	               "database that says which tables exist and what is pending\n"
	               "(libpq conninfo or postgresql:// URI; \"\": the PG* variables)"),
	    OPT_STRING(0, "schema", &o.schema, "S", "schema of the history table (with --url)"),
	    OPT_STRING(0, "table", &o.table, "T",
	               "history table (with --url; default flyway_schema_history)"),
	    OPT_CALLBACK(0, "placeholder", &ph, "NAME=VALUE",
	                 "value for ${NAME} before parsing, repeatable", cmd_opt_placeholder),
	    OPT_CALLBACK(0, "placeholders-file", &ph, "FILE",
	                 "NAME=VALUE lines (.env style) for the placeholders not given\n"
	                 "otherwise, repeatable",
	                 cmd_opt_placeholders_file),
	    OPT_STRING('c', "config", &config_path, "PATH",
	               "config.json with lint.rules (default: config.json, if present)"),
	    OPT_BOOL(0, "rules", &list, "list the rules and exit"),
	    OPT_VERBOSE("more detail on stderr"),
	    OPT_QUIET(),
	    OPT_END(),
	};
	const opt_command cmd = {"orchestrator lint", usage, options, footer};
	if (opt_parse(&cmd, &argc, argv, &rc))
		goto out;
	if (list) {
		print_rules();
		goto out;
	}
	char **files = argv + 1;
	int nfiles = argc - 1;
	for (int i = 0; i < nfiles; i++)
		if (!fs_exists(files[i])) {
			rc = opt_error(&cmd, "%s: no such file", files[i]);
			goto out;
		}
	if (nlocs == 0) { /* sql/ at the repository root, also from a subdirectory */
		locs = xmalloc(sizeof *locs);
		locs[nlocs++] = root_path("sql");
	}
	o.locations = (const char *const *)locs;
	o.n_locations = nlocs;
	o.placeholders = &ph;
	err e = ERR_INIT;
	lint *l = lint_new();
	pg_migrations m = {0};
	migrate_plan plan = {0};
	static const char *const default_locations[] = {"sql"};
	const char *const *scan = nlocs ? (const char *const *)locs : default_locations;
	rc = apply_config(l, config_path, &e);
	if (rc == 0 && (nfiles == 0 || !o.url))
		rc = discover_scan(scan, nlocs ? nlocs : 1, &m, &e);
	if (rc == 0 && o.url)
		rc = lint_load_database(l, o.url, &e);
	if (rc == 0 && o.url && nfiles == 0)
		rc = migrate_plan_read(&o, &plan, &e);
	buf text = BUF_INIT;
	if (rc == 0 && o.url) {
		/* The database says what exists: lint the named files, or the pending ones. */
		for (int i = 0; i < nfiles; i++) {
			buf_clear(&text);
			read_text(files[i], &ph, &text, &e);
			lint_check(l, files[i], buf_cstr(&text), text.len);
		}
		for (size_t i = 0; nfiles == 0 && i < plan.n; i++) {
			buf_clear(&text);
			read_text(plan.steps[i].path, &plan.placeholders, &text, &e);
			lint_check(l, plan.steps[i].path, buf_cstr(&text), text.len);
		}
	} else if (rc == 0) {
		/* The files before say what exists: learn the others, lint the named ones in
		 * their place in the migration order (all of them when none is named). */
		for (size_t i = 0; i < m.n; i++) {
			buf_clear(&text);
			read_text(m.v[i].path, &ph, &text, &e);
			if (nfiles == 0 || is_named(m.v[i].path, files, nfiles))
				lint_check(l, m.v[i].path, buf_cstr(&text), text.len);
			else
				lint_learn(l, m.v[i].path, buf_cstr(&text), text.len);
		}
		for (int i = 0; i < nfiles; i++) {
			int seen = 0;
			for (size_t j = 0; j < m.n && !seen; j++)
				seen = same_file(m.v[j].path, files[i]);
			if (seen)
				continue;
			buf_clear(&text);
			read_text(files[i], &ph, &text, &e);
			lint_check(l, files[i], buf_cstr(&text), text.len);
		}
	}
	buf_free(&text);
	if (rc) {
		rc = cmd_report(&e);
	} else {
		report(l);
		rc = lint_count(l, LINT_ERROR) ? ORC_EFAIL : 0;
	}
	migrate_plan_free(&plan);
	discover_free(&m);
	lint_free(l);
out:
	for (size_t i = 0; i < nlocs; i++)
		free(locs[i]);
	free(locs);
	placeholder_set_free(&ph);
	return rc;
}
