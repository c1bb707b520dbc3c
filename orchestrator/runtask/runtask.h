/*
 * runtask: `orchestrator run-task`'s sequence, the migration task on ECS from
 * config.json's flywayTask to the container's exit code (its own module, apart from the
 * AWS client layer in aws/, which keeps one file per service; task/ is what runs inside
 * the task). Resolves names, starts the task once (clientToken), waits for STOPPED while
 * streaming its CloudWatch log lines, and turns the stopped task into an exit code.
 */
#ifndef ORC_RUNTASK_H
#define ORC_RUNTASK_H

#include "aws/aws.h"
#include "config/config.h"

#define RUNTASK_DEFAULT_TIMEOUT_S 3600L

typedef struct runtask_options {
	const char *branch; /* substituted for {branch} in the command */
	long timeout_s;     /* waiting for STOPPED; 0: RUNTASK_DEFAULT_TIMEOUT_S */
	int no_wait;        /* return once the task started */
} runtask_options;

/* The container command: flywayTask.taskCommand or the default, with {branch}
 * substituted; NULL-terminated heap array (free with config_free_list). */
char **runtask_command(const config_region *r, const char *branch, size_t *n);

/*
 * The container the command override goes to, from a DescribeTaskDefinition answer:
 * the only container, else the first essential one that is not a FireLens log router
 * (sidecars are declared non-essential or as log routers). NULL when none fits.
 */
const cJSON *runtask_pick_container(const cJSON *task_definition);
/* From a DescribeTasks task: 1 when it has a container called name, with *has 1 and *code
 * its exit code when it reported a whole-number one, and *reason its reason (or NULL). */
int runtask_container_exit(const cJSON *task, const char *name, int *has, int *code,
                           const char **reason);

/*
 * Runs the migration task of region r. Returns 0 when the task ran and its migration
 * container exited 0 (or, with no_wait, when it started); the container's own exit
 * code when it exited non-zero; ORC_EFAIL when it stopped without one (stopCode and
 * stoppedReason in e) or did not stop before the timeout; ORC_EUSAGE / ORC_EREMOTE
 * for configuration and AWS refusals.
 */
int runtask_run(const config_region *r, const runtask_options *o, err *e);

#endif
