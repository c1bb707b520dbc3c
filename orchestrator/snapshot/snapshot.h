/*
 * snapshot: the cluster-snapshot operations other than the restore: create one and wait
 * until it is available, list a cluster's snapshots newest first, share one with another
 * account, and resolve the configured security group names for the restore.
 *
 * Kept apart from cmd/snapshot.c so that each operation is usable (and testable) without
 * option parsing; kept apart from aws/rds.c because waiting, naming and ordering are
 * product rules, not RDS calls.
 */
#ifndef ORC_SNAPSHOT_SNAPSHOT_H
#define ORC_SNAPSHOT_SNAPSHOT_H

#include "aws/rds.h"

/* The template's identifier shape: <cluster>-snapshot-<UTC yyyymmdd-HHMMSS>Z. */
char *snapshot_default_id(const char *cluster);

/* A tag value RDS accepts (at most 256 characters of letters, digits, white space and
 * _ . : / = + - @): other ASCII characters become '_'; heap string. */
char *snapshot_tag_value(const char *value);

/* Lowercases an RDS identifier in place (RDS stores them lowercase). */
void snapshot_lowercase(char *id);

/*
 * CreateDBClusterSnapshot of cluster tagged with requested_by / request_id (when set),
 * then waits (backoff, timeout seconds) until it is available; *out gets it as RDS
 * reports it. A snapshot of that name that already exists for the same cluster is waited
 * for instead of created again (a re-run); for another cluster it is ORC_EUSAGE.
 */
int snapshot_create(aws_client *c, const char *cluster, const char *id, const char *requested_by,
                    const char *request_id, int timeout, rds_snapshot *out, err *e);

/* Waits (backoff, timeout seconds) until snapshot id is available; *out gets it. */
int snapshot_wait(aws_client *c, const char *id, int timeout, rds_snapshot *out, err *e);

/* The cluster's snapshots, newest first. */
int snapshot_list(aws_client *c, const char *cluster, rds_snapshot **out, size_t *n, err *e);

/* Lets account (12 digits) restore the snapshot; *already is 1 when it could before. */
int snapshot_share(aws_client *c, const char *id, const char *account, int *already, err *e);

/* Comma-separated security group names or sg- IDs -> IDs (ec2_resolve_security_groups;
 * free with aws_xml_free_texts). An unknown name is ORC_EUSAGE naming it and the key. */
int snapshot_security_group_ids(aws_client *c, const char *list, char ***ids, size_t *n, err *e);

#endif
