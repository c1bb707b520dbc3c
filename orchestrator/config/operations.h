/*
 * operations: the one table of operations a user can ask GitHub Actions for.
 *
 * Each operation is a repository_dispatch event: its verb is the event_type, its payload
 * keys are what the workflow may read from github.event.client_payload, and its needs are
 * the config.json values that must be real (not CHANGE ME) before the operation can run.
 * trigger_workflow builds payloads from this table, `config check --operation` checks
 * needs from it, and the workflow contract test reads it back through the binary
 * (`orchestrator trigger --list-events`), so verbs, payloads and workflows cannot drift.
 */
#ifndef ORC_OPERATIONS_H
#define ORC_OPERATIONS_H

#include "config/config.h"

/* Payload keys an operation carries besides requested_by and request_id. */
enum {
	OP_REGION = 1 << 0,
	OP_BRANCH = 1 << 1,
	OP_SNAPSHOT = 1 << 2, /* optional: omitted when the user gives none */
	OP_FOLDER = 1 << 3,
	OP_SOURCE = 1 << 4, /* a database by name: cluster:NAME, secret:NAME or NAME (cluster) */
	OP_TARGET = 1 << 5,
};

typedef struct config_operation {
	const char *verb;  /* the event_type, e.g. "run-migration" */
	const char *alias; /* the template's spelling, e.g. "run_migration" */
	const char *summary;
	unsigned keys; /* OP_* */
	/* config.json values this operation needs, as JSON paths; "R" stands for the region.
	 * NULL-terminated. */
	const char *const *needs;
	/* What cannot be undone, for the confirmation trigger_workflow asks before sending;
	 * NULL when the operation destroys nothing. */
	const char *destroys;
} config_operation;

/* Every operation, in menu order; *n gets the count. */
const config_operation *config_operations(size_t *n);
/* By verb or alias; NULL when unknown. */
const config_operation *config_operation_find(const char *name);
/* The payload key name of one OP_* bit ("region", "branch", "snapshot", "folder",
 * "source", "target"). */
const char *config_operation_key_name(unsigned bit);

/*
 * Adds a problem for every value op needs (plus githubOwner and githubRepo when
 * for_dispatch is set) that still says CHANGE ME or is empty. region may be NULL for
 * operations without a region, or to check every configured region. Returns the number
 * of problems added.
 */
size_t config_operation_check(const config *c, const config_operation *op, const char *region,
                              int for_dispatch, config_problems *p);

/* Adds a note for every value still CHANGE ME that some operation needs, naming those
 * operations. Returns the number added. */
size_t config_operation_unset_all(const config *c, config_problems *p);

#endif
