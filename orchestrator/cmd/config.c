/*
 * config: `orchestrator config check [--config PATH] [--operation VERB] [--region R]`.
 * Reports every problem of config.json at once, one line each with its JSON path and the
 * fix. With --operation, a CHANGE ME where that operation needs a real value is an error
 * too (workflows run this first); without it such values are listed as warnings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "config/config.h"
#include "config/infra_check.h"
#include "config/operations.h"
#include "config/root.h"
#include <cjson/cJSON.h>

#include "core/fs.h"
#include "core/log.h"
#include "core/opt.h"

static const char *const usage[] = {
    "orchestrator config check [--config PATH] [--operation VERB [--region R]]\n"
    "                                 [--infrastructure]",
    NULL,
};

/* With --output json, the document the run ends with: {"file", "ok", "exitCode",
 * "operation", "regions", "problems", "warnings"}. */
static cJSON *result;

static void add_lines(const char *key, const config_problems *p)
{
	if (!result)
		return;
	cJSON *arr = cJSON_GetObjectItem(result, key);
	for (size_t i = 0; i < p->n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(p->lines[i]));
}

static void report_problems(const char *path, const config_problems *p)
{
	config_problems_print(path, p);
	add_lines("problems", p);
}

static int check(const char *path, const config_operation *op, const char *region, int infra);

static int config_check(int argc, char **argv)
{
	const char *path = NULL, *verb = NULL, *region = NULL;
	int infra = 0, output = OPT_OUTPUT_TEXT, rc;
	const opt_option options[] = {
	    OPT_STRING('c', "config", &path, "PATH", "the file to check (default: config.json)"),
	    OPT_STRING('o', "operation", &verb, "VERB",
	               "also require real values (not CHANGE ME) where VERB needs them"),
	    OPT_REGION(&region, "with --operation: only this region's values"),
	    OPT_BOOL('i', "infrastructure", &infra,
	             "also compare config.json with infrastructure/*/var-files/<region>.tfvars\n"
	             "(infrastructure/ beside the config file)"),
	    OPT_OUTPUT(&output),
	    OPT_VERBOSE("more detail on stderr"),
	    OPT_QUIET(),
	    OPT_END(),
	};
	const opt_command cmd = {"orchestrator config check", usage, options,
	                         "Exit 0 when the file is usable, 2 on any problem."};
	if (opt_parse(&cmd, &argc, argv, &rc))
		return rc;
	if (argc > 1)
		return opt_error(&cmd, "unexpected argument \"%s\"", argv[1]);
	if (output == OPT_OUTPUT_JSON)
		log_set_json(1);
	if (region && !verb)
		return opt_error(&cmd, "--region needs --operation");
	const config_operation *op = NULL;
	if (verb && !(op = config_operation_find(verb)))
		return opt_error(&cmd, "--operation %s: unknown verb (see trigger_workflow --help)",
		                 verb);

	char *config_at_root = path ? NULL : root_path(CONFIG_DEFAULT_PATH);
	if (config_at_root)
		path = config_at_root;
	if (output == OPT_OUTPUT_JSON) {
		result = cJSON_CreateObject();
		cJSON_AddStringToObject(result, "file", path);
		if (op)
			cJSON_AddStringToObject(result, "operation", op->verb);
		else
			cJSON_AddNullToObject(result, "operation");
		cJSON_AddArrayToObject(result, "regions");
		cJSON_AddArrayToObject(result, "problems");
		cJSON_AddArrayToObject(result, "warnings");
	}
	rc = check(path, op, region, infra);
	if (result) {
		cJSON_AddBoolToObject(result, "ok", rc == 0);
		cJSON_AddNumberToObject(result, "exitCode", rc);
		log_json(result);
		cJSON_Delete(result);
		result = NULL;
	}
	free(config_at_root);
	return rc;
}

static int check(const char *path, const config_operation *op, const char *region, int infra)
{
	int rc;
	err e = ERR_INIT;
	config *c = NULL;
	config_problems problems = {NULL, 0};
	if (config_load(path, &c, &problems, &e) != 0) {
		if (problems.n == 0) {
			if (result)
				cJSON_AddItemToArray(cJSON_GetObjectItem(result, "problems"),
				                     cJSON_CreateString(e.msg));
			return cmd_report(&e); /* missing file or invalid JSON: one line already */
		}
		report_problems(path, &problems);
		log_error("%s: %zu problem%s; fix %s and run again", path, problems.n,
		          problems.n == 1 ? "" : "s", problems.n == 1 ? "it" : "them");
		config_problems_free(&problems);
		return ORC_EUSAGE;
	}

	rc = 0;
	if (op) {
		if (region && op->keys & OP_REGION && !config_region_find(c, region)) {
			err_set(&e, ORC_EUSAGE, "%s: --region %s: not a key of \"infrastructure\"",
			        path, region);
			if (result)
				cJSON_AddItemToArray(cJSON_GetObjectItem(result, "problems"),
				                     cJSON_CreateString(e.msg));
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
		add_lines("warnings", &problems);
	}
	if (infra) {
		/* infrastructure/ lives beside config.json, at the repository root */
		char *root = fs_dir(path);
		config_problems ip = {NULL, 0};
		err ie = ERR_INIT;
		if (config_check_infrastructure(c, root, &ip, &ie) != 0) {
			for (size_t i = 0; i < ip.n; i++)
				log_error("%s", ip.lines[i]);
			log_error("%s", ie.msg);
			add_lines("problems", &ip);
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
	if (result)
		for (size_t i = 0; i < c->nregions; i++)
			cJSON_AddItemToArray(cJSON_GetObjectItem(result, "regions"),
			                     cJSON_CreateString(c->regions[i].name));
	config_problems_free(&problems);
	config_free(c);
	return rc;
}

int cmd_config(int argc, char **argv)
{
	static const opt_subcommand verbs[] = {
	    {"check", config_check, "report every problem of config.json at once"},
	};
	return opt_dispatch("orchestrator config", verbs, sizeof verbs / sizeof *verbs, argc, argv);
}
