/*
 * rds: the RDS Query calls the snapshot commands need, on aws_query_call (API version
 * 2014-10-31): Aurora clusters (describe, rename, restore from a snapshot, delete, tag)
 * and cluster snapshots (describe, create, share).
 *
 * Answers are copied into plain structs (rds_cluster, rds_snapshot) so that callers, and
 * the restore state machine above all, reason over values and never over XML. A lookup
 * of one resource reports "not found" through *found instead of an error: for the restore
 * the absence of a cluster is state, not failure.
 */
#ifndef ORC_AWS_RDS_H
#define ORC_AWS_RDS_H

#include <stddef.h>

#include "aws/aws.h"

typedef struct rds_tags {
	char **keys;
	char **values;
	size_t n;
	size_t keys_cap, values_cap;
} rds_tags;

typedef struct rds_cluster {
	char *id;     /* DBClusterIdentifier, lowercase as RDS stores it */
	char *arn;    /* DBClusterArn, for tagging */
	char *status; /* "available", "creating", "renaming", "deleting", ... */
	char *engine;
	char *engine_version;
	char *parameter_group; /* DBClusterParameterGroup */
	size_t nmembers;       /* DB instances in the cluster */
	rds_tags tags;
	/* Where the database answers (the migration task connects there). */
	char *endpoint;      /* Endpoint, the writer's DNS name */
	int port;            /* Port */
	char *database_name; /* DatabaseName, "" when none */
	/* The settings a restore carries over (RestoreDBClusterFromSnapshot forgets some). */
	char *secret_arn;    /* MasterUserSecret.SecretArn, "" when RDS manages no secret */
	char *secret_status; /* MasterUserSecret.SecretStatus: "creating", "active", ... */
	int deletion_protection;
	int backup_retention; /* days */
	int copy_tags;        /* CopyTagsToSnapshot */
	int iam_auth;         /* IAMDatabaseAuthenticationEnabled */
	char **log_exports;   /* EnabledCloudwatchLogsExports */
	size_t nlog_exports;
} rds_cluster;

typedef struct rds_snapshot {
	char *id;
	char *arn;
	char *cluster_id; /* the cluster it was taken from */
	char *status;     /* "available", "creating", ... */
	char *engine;
	char *engine_version;
	char *created; /* SnapshotCreateTime, ISO 8601 (sorts as text) */
	char *type;    /* "manual", "automated", ... */
	long storage_gb;
	int percent; /* PercentProgress */
	rds_tags tags;
	int encrypted;    /* StorageEncrypted */
	char *kms_key_id; /* KmsKeyId, the key's ARN; "" when not encrypted */
} rds_snapshot;

/* A DB instance of a cluster (Aurora keeps the data in the cluster; instances compute). */
typedef struct rds_instance {
	char *id;
	char *cluster_id; /* DBClusterIdentifier, "" when none */
	char *status;     /* "available", "creating", "deleting", ... */
	char *klass;      /* DBInstanceClass, e.g. "db.serverless", "db.r6g.large" */
} rds_instance;

void rds_tags_add(rds_tags *t, const char *key, const char *value);
/* The value of key, or NULL. */
const char *rds_tags_get(const rds_tags *t, const char *key);
void rds_tags_free(rds_tags *t);

void rds_cluster_free(rds_cluster *c);
void rds_clusters_free(rds_cluster *list, size_t n);
void rds_snapshot_free(rds_snapshot *s);
void rds_snapshots_free(rds_snapshot *list, size_t n);

/* The DBCluster / DBClusterSnapshot elements of one Describe answer (namespaces stripped,
 * aws_xml_parse), as each page is read: *out is a heap array of the returned count. */
size_t rds_decode_clusters(xmlDocPtr doc, rds_cluster **out);
size_t rds_decode_snapshots(xmlDocPtr doc, rds_snapshot **out);

void rds_instances_free(rds_instance *list, size_t n);

/* Every DB instance of the region (all pages). */
int rds_instance_list(aws_client *c, rds_instance **out, size_t *n, err *e);
/* CreateDBInstance in a cluster (Aurora: no storage or credentials of its own). */
int rds_instance_create(aws_client *c, const char *id, const char *cluster_id, const char *engine,
                        const char *klass, err *e);
/* DeleteDBInstance, without a final snapshot (the cluster keeps the data). */
int rds_instance_delete(aws_client *c, const char *id, err *e);

/* One cluster by identifier; *found 0 (and 0 returned) when RDS says it does not exist. */
int rds_cluster_get(aws_client *c, const char *id, rds_cluster *out, int *found, err *e);
/* Every cluster of the region (all pages), in RDS order. */
int rds_cluster_list(aws_client *c, rds_cluster **out, size_t *n, err *e);
/* ModifyDBCluster NewDBClusterIdentifier with ApplyImmediately. */
int rds_cluster_rename(aws_client *c, const char *id, const char *new_id, err *e);
/* DeleteDBCluster: with a final snapshot named final_snapshot, or none when NULL. */
int rds_cluster_delete(aws_client *c, const char *id, const char *final_snapshot, err *e);

typedef struct rds_restore_args {
	const char *cluster_id;
	const char *snapshot_id;
	const char *engine;
	const char *engine_version; /* NULL: the snapshot's */
	const char *subnet_group;
	const char *parameter_group; /* NULL: the engine's default */
	char **security_group_ids;   /* sg-... */
	size_t nsecurity_groups;
	/* Serverless v1 (EngineMode serverless + ScalingConfiguration) when v1_max > 0;
	 * Serverless v2 (ServerlessV2ScalingConfiguration) when v2_max > 0. */
	double v1_min, v1_max;
	double v2_min, v2_max;
	const rds_tags *tags;
	/* Settings of the cluster it replaces, each sent when set: */
	int port;             /* 0: the snapshot's */
	int backup_retention; /* 0: RDS's default */
	int copy_tags, iam_auth;
	char *const *log_exports;
	size_t nlog_exports;
} rds_restore_args;

/* RestoreDBClusterFromSnapshot; the cluster starts "creating". */
int rds_cluster_restore(aws_client *c, const rds_restore_args *a, err *e);

/* What rds_cluster_modify changes: each field only when set (-1 / 0 / NULL: unchanged). */
typedef struct rds_modify_args {
	int manage_secret;        /* 1: ManageMasterUserPassword=true (RDS creates the secret) */
	int deletion_protection;  /* -1 unchanged, 0 off, 1 on */
	int backup_retention;     /* days; 0 unchanged */
	int copy_tags;            /* -1 unchanged */
	int iam_auth;             /* -1 unchanged */
	int port;                 /* 0 unchanged */
	char *const *enable_logs; /* log types to export as well */
	size_t nenable_logs;
} rds_modify_args;

#define RDS_MODIFY_NONE                                                                            \
	{                                                                                          \
		0, -1, 0, -1, -1, 0, NULL, 0                                                       \
	}

/* ModifyDBCluster with ApplyImmediately; nothing to change is an error-free no-op. */
int rds_cluster_modify(aws_client *c, const char *id, const rds_modify_args *a, err *e);

/* AddTagsToResource / RemoveTagsFromResource on an ARN (cluster or snapshot). */
int rds_tag_resource(aws_client *c, const char *arn, const rds_tags *tags, err *e);
int rds_untag_resource(aws_client *c, const char *arn, const char *const *keys, size_t n, err *e);

/* One cluster snapshot; *found 0 when RDS says it does not exist. */
int rds_snapshot_get(aws_client *c, const char *id, rds_snapshot *out, int *found, err *e);
/* The cluster's snapshots (manual and automated, all pages), in RDS order. */
int rds_snapshot_list(aws_client *c, const char *cluster_id, rds_snapshot **out, size_t *n, err *e);
/* CreateDBClusterSnapshot with tags; the snapshot starts "creating". */
int rds_snapshot_create(aws_client *c, const char *cluster_id, const char *snapshot_id,
                        const rds_tags *tags, err *e);
/* ModifyDBClusterSnapshotAttribute restore += account: another account may restore it. */
int rds_snapshot_share(aws_client *c, const char *snapshot_id, const char *account, err *e);
/* The accounts allowed to restore the snapshot (attribute "restore"); NULL-terminated. */
int rds_snapshot_shared_with(aws_client *c, const char *snapshot_id, char ***accounts, size_t *n,
                             err *e);

/* CopyDBClusterSnapshot: source is an identifier or (shared with this account) an ARN;
 * kms_key (may be NULL: the source's key) re-encrypts the copy; tags tag it. The copy
 * starts "creating" (or "copying"). */
int rds_snapshot_copy(aws_client *c, const char *source, const char *target, const char *kms_key,
                      const rds_tags *tags, err *e);
/* The manual cluster snapshots other accounts share with this one (SnapshotType shared). */
int rds_snapshot_list_shared(aws_client *c, rds_snapshot **out, size_t *n, err *e);

#endif
