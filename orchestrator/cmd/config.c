/*
 * config: `orchestrator config check [--config PATH] [--operation VERB] [--region R]`.
 * Reports every problem of config.json at once, one line each with its JSON path and the
 * fix. With --operation, a CHANGE ME where that operation needs a real value is an error
 * too (workflows run this first); without it such values are listed as warnings.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "config/config.h"
#include "config/infra_check.h"
#include "config/operations.h"
#include "core/log.h"

static const char usage[] =
    "usage: orchestrator config check [--config PATH] [--operation VERB [--region R]]\n"
    "                                 [--infrastructure]\n"
    "  -c, --config PATH     the file to check (default: config.json)\n"
    "  -o, --operation VERB  also require real values (not CHANGE ME) where VERB needs them\n"
    "  -r, --region R        with --operation: only this region's values\n"
    "  -i, --infrastructure  also compare config.json with "
    "infrastructure/*/var-files/<region>.tfvars\n"
    "                        (infrastructure/ beside the config file)\n"
    "Exit 0 when the file is usable, 2 on any problem.\n";

static const struct option options[] = {
    {"config", required_argument, NULL, 'c'}, {"operation", required_argument, NULL, 'o'},
    {"region", required_argument, NULL, 'r'}, {"infrastructure", no_argument, NULL, 'i'},
    {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
};

static void report_problems(const char *path, const config_problems *p)
{
	for (size_t i = 0; i < p->n; i++)
		log_error_at(path, 0, "%s: %s", path, p->lines[i]);
}

int cmd_config(int argc, char **argv)
{
	const char *path = CONFIG_DEFAULT_PATH, *verb = NULL, *region = NULL;
	int infra = 0;
	if (argc < 2 || strcmp(argv[1], "check") != 0) {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
			log_info("%s", usage);
			return 0;
		}
		return cmd_usage_error(usage, "config: expected the subcommand \"check\"");
	}
	argc--;
	argv++;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:o:r:ih", options, NULL)) != -1) {
		switch (opt) {
		case 'c': path = optarg; break;
		case 'o': verb = optarg; break;
		case 'r': region = optarg; break;
		case 'i': infra = 1; break;
		case 'h': log_info("%s", usage); return 0;
		default:
			return cmd_usage_error(usage,
			                       "config check: unknown option or missing value");
		}
	}
	if (optind < argc)
		return cmd_usage_error(usage, "config check: unexpected argument \"%s\"",
		                       argv[optind]);
	if (region && !verb)
		return cmd_usage_error(usage, "config check: --region needs --operation");
	const config_operation *op = NULL;
	if (verb && !(op = config_operation_find(verb)))
		return cmd_usage_error(usage,
		                       "config check: --operation %s: unknown verb (see "
		                       "trigger_workflow --help)",
		                       verb);

	err e = ERR_INIT;
	config *c = NULL;
	config_problems problems = {NULL, 0};
	if (config_load(path, &c, &problems, &e) != 0) {
		if (problems.n == 0)
			return cmd_report(&e); /* missing file or invalid JSON: one line already */
		report_problems(path, &problems);
		log_error("%s: %zu problem%s; fix %s and run again", path, problems.n,
		          problems.n == 1 ? "" : "s", problems.n == 1 ? "it" : "them");
		config_problems_free(&problems);
		return ORC_EUSAGE;
	}

	int rc = 0;
	if (op) {
		if (region && op->keys & OP_REGION && !config_region_find(c, region)) {
			err_set(&e, ORC_EUSAGE, "%s: --region %s: not a key of \"infrastructure\"",
			        path, region);
			config_free(c);
			return cmd_report(&e);
		}
		config_operation_check(c, op, region, 0, &problems);
		report_problems(path, &problems);
		if (problems.n) {
			log_error("%s: %s cannot run until the value%s above %s set", path,
			          op->verb, problems.n == 1 ? "" : "s",
			          problems.n == 1 ? "is" : "are");
			rc = ORC_EUSAGE;
		}
	} else {
		config_operation_unset_all(c, &problems);
		for (size_t i = 0; i < problems.n; i++)
			log_warn("%s: %s", path, problems.lines[i]);
	}
	if (infra) {
		/* infrastructure/ lives beside config.json, at the repository root */
		const char *slash = strrchr(path, '/');
		char *root =
		    slash ? xstrndup(path, (size_t)(slash - path) + (slash == path)) : xstrdup(".");
		config_problems ip = {NULL, 0};
		err ie = ERR_INIT;
		if (config_check_infrastructure(c, root, &ip, &ie) != 0) {
			for (size_t i = 0; i < ip.n; i++)
				log_error("%s", ip.lines[i]);
			log_error("%s", ie.msg);
			rc = ie.code;
		}
		config_problems_free(&ip);
		free(root);
	}
	if (rc == 0) {
		buf regions = BUF_INIT;
		for (size_t i = 0; i < c->nregions; i++)
			buf_printf(&regions, "%s%s", i ? ", " : "", c->regions[i].name);
		log_info("%s: OK (%zu region%s: %s)%s%s", path, c->nregions,
		         c->nregions == 1 ? "" : "s", buf_cstr(&regions), op ? " for " : "",
		         op ? op->verb : "");
		buf_free(&regions);
	}
	config_problems_free(&problems);
	config_free(c);
	return rc;
}
