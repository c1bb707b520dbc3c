/*
 * migrate, info, validate, baseline, repair: one option parser over the engine in
 * pg/migrate.h; argv[0] picks the operation. Placeholder values are registered as
 * secrets before anything runs (they are often passwords).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/buf.h"
#include "core/log.h"
#include "pg/migrate.h"

static const char usage[] =
	"usage: orchestrator migrate|info|validate|baseline|repair [options]\n"
	"  --url URL                 libpq conninfo or postgresql:// URI (default: PG* variables)\n"
	"  --locations DIR           migrations folder, repeatable or comma-separated (default sql)\n"
	"  --schema S                schema of the history table and first of search_path\n"
	"                            (default: the current schema)\n"
	"  --table T                 history table (default flyway_schema_history)\n"
	"  --placeholder NAME=VALUE  value for ${NAME}, repeatable (also FLYWAY_PLACEHOLDERS_NAME)\n"
	"  --target V                migrate: apply up to version V (default: latest)\n"
	"  --out-of-order            migrate: apply pending versions below the highest applied\n"
	"  --baseline-version V      baseline: version to record (default 1)\n"
	"  --baseline-description D  baseline: description (default << Flyway Baseline >>)\n"
	"  --installed-by NAME       installed_by of new rows (default: current_user)\n"
	"  --json                    info: print JSON\n"
	"  --verbose                 more detail on stderr\n";

enum { O_URL = 1, O_LOC, O_SCHEMA, O_TABLE, O_PH, O_TARGET, O_OOO, O_BV, O_BD, O_BY, O_JSON, O_VERB, O_HELP };

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
	{"installed-by", required_argument, NULL, O_BY},
	{"json", no_argument, NULL, O_JSON},
	{"verbose", no_argument, NULL, O_VERB},
	{"help", no_argument, NULL, O_HELP},
	{NULL, 0, NULL, 0},
};

int cmd_migrate(int argc, char **argv)
{
	const char *op = argv[0];
	migrate_opts o = {0};
	placeholder_set ph = {0};
	char **locs = NULL;
	size_t nlocs = 0;
	int c, rc = 0;
	placeholder_set_from_env(&ph);
	optind = 1;
	while (rc == 0 && (c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case O_URL:
			o.url = optarg;
			break;
		case O_LOC: {
			char *copy = xstrdup(optarg), *save = NULL;
			for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
				locs = xrealloc(locs, (nlocs + 1) * sizeof *locs);
				locs[nlocs++] = xstrdup(t);
			}
			free(copy);
			break;
		}
		case O_SCHEMA:
			o.schema = optarg;
			break;
		case O_TABLE:
			o.table = optarg;
			break;
		case O_PH: {
			const char *eq = strchr(optarg, '=');
			if (!eq || eq == optarg) {
				rc = cmd_usage_error(usage, "%s: --placeholder takes NAME=VALUE", op);
				break;
			}
			char *name = xstrndup(optarg, (size_t)(eq - optarg));
			log_add_secret(eq + 1);
			placeholder_set_put(&ph, name, eq + 1);
			free(name);
			break;
		}
		case O_TARGET:
			o.target = strcmp(optarg, "latest") == 0 ? NULL : optarg;
			break;
		case O_OOO:
			o.out_of_order = 1;
			break;
		case O_BV:
			o.baseline_version = optarg;
			break;
		case O_BD:
			o.baseline_description = optarg;
			break;
		case O_BY:
			o.installed_by = optarg;
			break;
		case O_JSON:
			o.json = 1;
			break;
		case O_VERB:
			log_set_verbose(1);
			break;
		case O_HELP:
			fputs(usage, stdout);
			rc = -1;
			break;
		default:
			rc = cmd_usage_error(usage, "%s: unknown option", op);
			break;
		}
	}
	if (rc == 0 && optind < argc)
		rc = cmd_usage_error(usage, "%s: unexpected argument '%s'", op, argv[optind]);
	if (rc) {
		rc = rc < 0 ? 0 : rc;
		goto out;
	}
	o.locations = (const char *const *)locs;
	o.n_locations = nlocs;
	o.placeholders = &ph;
	err e = ERR_INIT;
	if (strcmp(op, "migrate") == 0) {
		migrate_result res;
		rc = migrate_run(&o, &res, &e);
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
		if (rc)
			rc = cmd_report(&e);
	}
out:
	for (size_t i = 0; i < nlocs; i++)
		free(locs[i]);
	free(locs);
	placeholder_set_free(&ph);
	return rc;
}
