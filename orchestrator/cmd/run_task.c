/*
 * run-task: run the migration task of one region on ECS, wait for it, stream its log
 * lines, and exit with the migration container's exit code (runtask/runtask.c does the work).
 */
#include <cjson/cJSON.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtask/runtask.h"
#include "cmd/cmd.h"
#include "config/config.h"
#include "config/root.h"
#include "core/log.h"
#include "core/opt.h"

static const char *const usage[] = {
    "orchestrator run-task --region R [--branch B] [--config PATH] [--timeout S]\n"
    "                             [--no-wait] [--verbose]",
    "orchestrator run-task --region R [options] -- COMMAND [ARG]...",
    NULL,
};

int cmd_run_task(int argc, char **argv)
{
	const char *region = NULL, *path = NULL;
	runtask_options o = {.branch = "main", .timeout_s = RUNTASK_DEFAULT_TIMEOUT_S};
	int opt_rc, output = OPT_OUTPUT_TEXT;
	const opt_option options[] = {
	    OPT_REGION(&region, "region key of config.json's infrastructure (and the AWS region);\n"
	                        "optional when config.json has exactly one"),
	    OPT_STRING('b', "branch", &o.branch, "B",
	               "git branch the task migrates ({branch} in the command; default main)"),
	    OPT_CONFIG(&path),
	    OPT_INTEGER('t', "timeout", &o.timeout_s, "S", 1, LONG_MAX,
	                "seconds to wait for the task to stop (default 3600)"),
	    OPT_BOOL(0, "no-wait", &o.no_wait, "return once the task started"),
	    OPT_OUTPUT(&output),
	    OPT_VERBOSE("log AWS requests (credentials redacted)"),
	    OPT_QUIET(),
	    OPT_END(),
	};
	const opt_command cmd = {
	    "orchestrator run-task", usage, options,
	    "After --, the container command for this run instead of flywayTask.taskCommand (the\n"
	    "compare-databases workflow runs `orchestrator db compare` in the task this way).\n"
	    "Exit: the migration container's exit code; 1 when the task stopped without one or\n"
	    "did not stop in time; 2 usage or configuration; 3 AWS refused."};
	if (opt_parse(&cmd, &argc, argv, &opt_rc))
		return opt_rc;
	/* Positional arguments (after --) are the container command of this run. */
	char **command = argc > 1 ? argv + 1 : NULL;
	size_t ncommand = argc > 1 ? (size_t)(argc - 1) : 0;
	if (!*o.branch)
		return opt_error(&cmd, "--branch is empty");
	if (output == OPT_OUTPUT_JSON)
		log_set_json(1);

	err e = ERR_INIT;
	config *cfg = NULL;
	config_problems problems = {0};
	char *config_at_root = path ? NULL : root_path(CONFIG_DEFAULT_PATH);
	if (config_at_root)
		path = config_at_root;
	if (config_load(path, &cfg, &problems, &e)) {
		config_problems_print(path, &problems);
		config_problems_free(&problems);
		free(config_at_root);
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
	config_region one;
	if (r && command) {
		one = *r;
		one.task_command = command;
		one.task_command_len = ncommand;
		r = &one;
	}
	int rc = r ? runtask_run(r, &o, &e) : e.code;
	if (output == OPT_OUTPUT_JSON) {
		/* The run's outcome for a script: the container's exit code is ours. */
		cJSON *doc = cJSON_CreateObject();
		if (r)
			cJSON_AddStringToObject(doc, "region", r->name);
		cJSON_AddStringToObject(doc, "branch", o.branch);
		cJSON_AddBoolToObject(doc, "waited", !o.no_wait);
		cJSON_AddBoolToObject(doc, "ok", rc == 0);
		cJSON_AddNumberToObject(doc, "exitCode", rc);
		if (rc)
			cJSON_AddStringToObject(doc, "error", e.msg);
		else
			cJSON_AddNullToObject(doc, "error");
		log_json(doc);
		cJSON_Delete(doc);
	}
	config_free(cfg);
	rc = rc ? cmd_report(&e) : 0;
	free(config_at_root);
	return rc;
}
