/*
 * run-task: run the migration task of one region on ECS, wait for it, stream its log
 * lines, and exit with the migration container's exit code (runtask/runtask.c does the work).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtask/runtask.h"
#include "cmd/cmd.h"
#include "config/config.h"
#include "core/log.h"

static const char usage[] =
    "usage: orchestrator run-task --region R [--branch B] [--config PATH] [--timeout S]\n"
    "                             [--no-wait] [--verbose]\n"
    "  -r, --region R    region key of config.json's infrastructure (and the AWS region);\n"
    "                    optional when config.json has exactly one\n"
    "  -b, --branch B    git branch the task migrates ({branch} in the command; default main)\n"
    "  -c, --config PATH config.json (default ./config.json)\n"
    "  -t, --timeout S   seconds to wait for the task to stop (default 3600)\n"
    "      --no-wait     return once the task started\n"
    "  -v, --verbose     log AWS requests (credentials redacted)\n"
    "Exit: the migration container's exit code; 1 when the task stopped without one or\n"
    "did not stop in time; 2 usage or configuration; 3 AWS refused.\n";

static const struct option options[] = {
    {"region", required_argument, NULL, 'r'}, {"branch", required_argument, NULL, 'b'},
    {"config", required_argument, NULL, 'c'}, {"timeout", required_argument, NULL, 't'},
    {"no-wait", no_argument, NULL, 'W'},      {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
};

int cmd_run_task(int argc, char **argv)
{
	const char *region = NULL, *path = CONFIG_DEFAULT_PATH;
	runtask_options o = {.branch = "main", .timeout_s = RUNTASK_DEFAULT_TIMEOUT_S};
	int opt;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "r:b:c:t:vh", options, NULL)) != -1) {
		switch (opt) {
		case 'r': region = optarg; break;
		case 'b': o.branch = optarg; break;
		case 'c': path = optarg; break;
		case 't': {
			char *end;
			o.timeout_s = strtol(optarg, &end, 10);
			if (*end || o.timeout_s <= 0)
				return cmd_usage_error(
				    usage, "--timeout '%s': a number of seconds > 0", optarg);
			break;
		}
		case 'W': o.no_wait = 1; break;
		case 'v': log_set_verbose(1); break;
		case 'h': fputs(usage, stdout); return 0;
		default:
			return cmd_usage_error(usage, "run-task: unknown option '%s'",
			                       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd_usage_error(usage, "run-task: unexpected argument '%s'", argv[optind]);
	if (!*o.branch)
		return cmd_usage_error(usage, "run-task: --branch is empty");

	err e = ERR_INIT;
	config *cfg = NULL;
	config_problems problems = {0};
	if (config_load(path, &cfg, &problems, &e)) {
		for (size_t i = 0; i < problems.n; i++)
			log_error("%s", problems.lines[i]);
		config_problems_free(&problems);
		return cmd_report(&e);
	}
	config_problems_free(&problems);

	const config_region *r = NULL;
	if (region) {
		r = config_region_find(cfg, region);
		if (!r) {
			buf known = BUF_INIT;
			for (size_t i = 0; i < cfg->nregions; i++)
				buf_printf(&known, "%s%s", i ? ", " : "", cfg->regions[i].name);
			err_set(&e, ORC_EUSAGE,
			        "%s: no region '%s' under infrastructure (it has: %s): pass one of "
			        "them to --region or add it",
			        path, region, buf_cstr(&known));
			buf_free(&known);
		}
	} else if (cfg->nregions == 1) {
		r = &cfg->regions[0];
	} else {
		err_set(&e, ORC_EUSAGE, "%s has %zu regions: pass --region", path, cfg->nregions);
	}
	int rc = r ? runtask_run(r, &o, &e) : e.code;
	config_free(cfg);
	return rc ? cmd_report(&e) : 0;
}
