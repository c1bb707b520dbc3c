/*
 * orchestrator: the entry. Each command of the table in cmd/cmd.c maps to one cmd_<name>
 * in cmd/ and is dispatched once through core/opt (help, `help CMD`, an unknown command with a
 * did-you-mean); the program started as `trigger_workflow` behaves as `orchestrator trigger`.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/log.h"
#include "core/opt.h"
#include "net/http.h"

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
		rc = opt_dispatch("orchestrator", cmd_commands, cmd_ncommands, argc, argv);
	}
	http_global_cleanup();
	log_shutdown();
	return rc;
}
