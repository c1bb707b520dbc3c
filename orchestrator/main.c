/*
 * orchestrator: the command table. Each verb maps to one cmd_<name> in cmd/; the program
 * started as `trigger_workflow` behaves as `orchestrator trigger`.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/buf.h"
#include "core/log.h"
#include "net/http.h"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
    {"trigger", cmd_trigger, "fire a repository_dispatch event (the trigger_workflow entry)"},
    {"config", cmd_config, "check config.json"},
    {"run-task", cmd_run_task, "run the migration task on ECS and wait for its exit code"},
    {"snapshot", cmd_snapshot, "create, restore, list or share RDS cluster snapshots"},
    {"migrate", cmd_migrate, "apply pending migrations"},
    {"info", cmd_migrate, "show every migration and its state"},
    {"validate", cmd_migrate, "check applied migrations against the files"},
    {"baseline", cmd_migrate, "mark an existing database as migrated up to a version"},
    {"repair", cmd_migrate, "remove failed entries and realign checksums"},
    {"schema-docs", cmd_schema_docs, "render the schema as markdown into README.md"},
    {"db", cmd_db, "compare two databases: row counts and checksums per table"},
    {"bump-image", cmd_bump_image, "set the migration image version in every region's tfvars"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: orchestrator <command> [options]   (orchestrator <command> --help)\n\n");
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
}

int cmd_report(const err *e)
{
	int code = e->code ? e->code : ORC_EFAIL;
	log_error("%s", e->msg[0] ? e->msg : "failed");
	return code;
}

int cmd_usage_error(const char *usage_text, const char *fmt, ...)
{
	buf msg = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	log_error("%s", buf_cstr(&msg));
	fprintf(stderr, "%s", usage_text);
	buf_free(&msg);
	return ORC_EUSAGE;
}

int main(int argc, char **argv)
{
	log_init();
	const char *self = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	int rc;
	if (strcmp(self, "trigger_workflow") == 0) {
		argv[0] = "trigger";
		rc = cmd_trigger(argc, argv);
	} else if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	           strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		rc = argc < 2 ? ORC_EUSAGE : ORC_OK;
	} else if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("orchestrator %s\n", ORC_VERSION);
		rc = ORC_OK;
	} else {
		const struct command *cmd = NULL;
		for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
			if (strcmp(argv[1], commands[i].name) == 0)
				cmd = &commands[i];
		if (!cmd) {
			log_error("unknown command '%s' (run 'orchestrator help' for the list)",
			          argv[1]);
			rc = ORC_EUSAGE;
		} else {
			rc = cmd->fn(argc - 1, argv + 1);
		}
	}
	http_global_cleanup();
	log_shutdown();
	return rc;
}
