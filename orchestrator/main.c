/*
 * orchestrator: the command table. Each command maps to one cmd_<name> in cmd/ and is
 * dispatched once through core/opt (help, `help CMD`, an unknown command with a
 * did-you-mean); the program started as `trigger_workflow` behaves as `orchestrator trigger`.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/log.h"
#include "core/opt.h"
#include "net/http.h"

static const opt_subcommand commands[] = {
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
    {"bump-image", cmd_bump_image, "set the migration image version in every region's tfvars"},
};

int main(int argc, char **argv)
{
	log_init();
	const char *self = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	int rc;
	if (strcmp(self, "trigger_workflow") == 0) {
		argv[0] = "trigger_workflow";
		rc = cmd_trigger(argc, argv);
	} else if (argc == 2 &&
	           (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0)) {
		printf("orchestrator %s\n", ORC_VERSION);
		rc = ORC_OK;
	} else {
		rc = opt_dispatch("orchestrator", commands, sizeof commands / sizeof *commands,
		                  argc, argv);
	}
	http_global_cleanup();
	log_shutdown();
	return rc;
}
