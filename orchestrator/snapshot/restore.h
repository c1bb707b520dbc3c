/*
 * restore: replaces an Aurora cluster with one restored from a snapshot, without ever
 * losing the cluster the application used.
 *
 * The restore is a state machine whose state lives in AWS only, never in a local file:
 * each round describes the clusters, works out the one next step from what it sees
 * (restore_next, a pure function) and takes it. A crash at any point, or a re-run of the
 * workflow, therefore resumes where it stopped without repeating or undoing work:
 *
 *   LOCK     the live cluster gets the marker tags (snapshot, request id): from now on
 *            another restore of this cluster is refused
 *   RENAME   the live cluster becomes <cluster>-pre-restore-<yyyymmdd-hhmmss>
 *   RESTORE  RestoreDBClusterFromSnapshot under the configured name, tagged with the
 *            snapshot and the request id that made it, with the old cluster's
 *            parameter group, port, IAM authentication, log exports, copy-tags and
 *            backup retention (what the call accepts)
 *   INSTANCE the restored cluster gets as many DB instances as the old one had (same
 *            classes, writer first), at least one db.serverless with Serverless v2
 *   CONFIGURE the restored cluster and its instances are available: ModifyDBCluster gives
 *            it what the restore cannot carry and the old cluster has (an RDS-managed
 *            master user secret, deletion protection) or what did not take (backup
 *            retention, copy-tags, IAM authentication, port, log exports); the
 *            difference between the two clusters is the state, so a re-run finds it
 *   WAIT     something is creating/renaming/deleting/modifying, the new secret is being
 *            created: poll with backoff (--timeout)
 *   UNPROTECT the old cluster has deletion protection and is to be deleted: turn it off,
 *            only now that the restored cluster is available and protected itself
 *   RETIRE   only when the restored cluster and its instances are available: delete the
 *            old cluster's instances, then the cluster with a final snapshot (default) or
 *            without one (asked for), or keep it all (untagged)
 *   ROLLBACK the restore failed: delete the failed cluster, rename the old one back
 *   DONE     the configured name is a cluster restored by this request, available, and
 *            no marked pre-restore cluster is left
 *
 * The marker tags are the "two restores never run at once" check: a restore finding a
 * marked cluster with another snapshot or request id stops with exit 1 and names it.
 */
#ifndef ORC_SNAPSHOT_RESTORE_H
#define ORC_SNAPSHOT_RESTORE_H

#include "aws/rds.h"

/* Tags the restore writes (and reads back to find where it is). */
#define RESTORE_TAG_SNAPSHOT "orchestrator:restore-snapshot" /* on the cluster being replaced */
#define RESTORE_TAG_REQUEST "orchestrator:restore-request"   /* on both: the request id */
#define RESTORE_TAG_FROM "orchestrator:restored-from"        /* on the restored cluster */
#define RESTORE_TAG_BY "orchestrator:requested-by"           /* on the restored cluster */
#define RESTORE_OLD_INFIX "-pre-restore-"

typedef struct restore_opts {
	const char *cluster;  /* the configured cluster identifier, lowercase */
	const char *snapshot; /* snapshot identifier, lowercase */
	const char *subnet_group;
	char **security_group_ids; /* resolved sg-... IDs */
	size_t nsecurity_groups;
	double v1_min, v1_max, v2_min, v2_max; /* capacity (rds_restore_args) */
	int keep_old;            /* keep the old cluster (untagged) instead of deleting it */
	int skip_final_snapshot; /* delete the old cluster without a final snapshot */
	int timeout;             /* seconds one wait may take */
	const char *request_id;  /* "" when none: then a re-run after success restores again */
	const char *requested_by;
} restore_opts;

typedef enum restore_step {
	RESTORE_LOCK,
	RESTORE_RENAME,
	RESTORE_RESTORE,
	RESTORE_INSTANCE,
	RESTORE_CONFIGURE,
	RESTORE_WAIT,
	RESTORE_UNPROTECT,
	RESTORE_RETIRE,
	RESTORE_ROLLBACK,
	RESTORE_DONE,
	RESTORE_CONFLICT, /* another restore holds the cluster, or a state we must not touch */
} restore_step;

/* What AWS shows: the cluster under the configured name and the marked pre-restore
 * cluster, each NULL when absent, and the DB instances of each. */
typedef struct restore_view {
	const rds_cluster *live;
	const rds_cluster *old;
	const rds_instance *const *live_instances;
	size_t nlive_instances;
	const rds_instance *const *old_instances;
	size_t nold_instances;
	int configured; /* this process already sent CONFIGURE: a difference left is waited for */
} restore_view;

const char *restore_step_name(restore_step s);

/* The next step. RESTORE_CONFLICT fills e (ORC_EFAIL) with what was found and what to do;
 * RESTORE_WAIT writes what it waits for into waiting (may be NULL), e.g.
 * "cluster db (creating)". */
restore_step restore_next(const restore_view *v, const restore_opts *o, buf *waiting, err *e);

/* What the restored cluster (live) lacks of the old cluster's settings, as the
 * ModifyDBCluster that gives it to it; returns how many settings differ. The master user
 * secret and deletion protection are only ever added (the old cluster's protection is
 * turned off before it goes); log types only enabled. out->enable_logs borrows old's
 * strings: free() the array. */
int restore_settings_missing(const rds_cluster *live, const rds_cluster *old, rds_modify_args *out);
/* The changes of a, for logs: "master user secret, deletion protection, ...". */
void restore_settings_describe(const rds_modify_args *a, buf *out);

/* How many DB instances the restored cluster needs: the old cluster's, and at least one
 * with Serverless v2 capacity configured. */
size_t restore_instances_wanted(const restore_view *v, const restore_opts *o);

/* The checks before any change: the snapshot (NULL: not found, ORC_EREMOTE) is
 * available (else ORC_EFAIL) and has the engine of the cluster it replaces (else
 * ORC_EUSAGE). */
int restore_check(const rds_snapshot *snap, const restore_view *v, const restore_opts *o,
                  const char *region, err *e);

/* Checks the snapshot (exists, available, same engine as the cluster it replaces), then
 * runs the machine to DONE. Fills *old_id / *final_snapshot (heap, may stay NULL) with
 * what happened to the old cluster. */
int restore_run(aws_client *c, const restore_opts *o, char **old_id, char **final_snapshot, err *e);

#endif
