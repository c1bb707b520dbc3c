/*
 * task: what `orchestrator migrate --git-branch B` does inside the ECS Fargate task
 * before the migration engine runs: find the repository, clone the branch into a private
 * temporary directory, and turn Secrets Manager secrets into the database connection and
 * placeholders. The engine itself knows nothing of git or AWS.
 *
 * Environment, as the task definition sets it (README "migrate --git-branch"):
 *   REPOSITORY_URL                 repository (else --git-url, else config.json's GitHub repo)
 *   REPOSITORY_TOKEN_SECRET        secret holding an HTTPS token (NAME or NAME:field)
 *   REPOSITORY_DEPLOY_KEY_SECRET   secret holding an SSH private key (NAME or NAME:field)
 *   REPOSITORY_KNOWN_HOSTS         known_hosts file (default TASK_KNOWN_HOSTS)
 *   DB_HOST, DB_NAME, DB_PORT      override the cluster's / database secret's host, dbname, port
 *   PGSSLMODE, PGSSLROOTCERT       TLS to the database (default verify-full, TASK_RDS_CA)
 */
#ifndef ORC_TASK_H
#define ORC_TASK_H

#include <stddef.h>

#include "core/buf.h"
#include "aws/rds.h"
#include "core/err.h"

/* What the image ships (docker/Dockerfile). */
#define TASK_KNOWN_HOSTS "/etc/orchestrator/known_hosts"
#define TASK_RDS_CA "/etc/orchestrator/rds-global-bundle.pem"

typedef struct task task;

/* A task for branch; region may be NULL (AWS_REGION, as ECS sets it). AWS is only
 * contacted when a secret has to be read. */
task *task_new(const char *branch, const char *region);
void task_free(task *t); /* also removes the clone */

/* The repository URL: git_url, else $REPOSITORY_URL, else
 * https://github.com/{githubOwner}/{githubRepo}.git from config_path. */
int task_resolve_url(task *t, const char *git_url, const char *config_path, err *e);
const char *task_url(const task *t);

/* Clones the branch (credentials from the environment above) into a private temporary
 * directory, removed by task_free. */
int task_clone(task *t, err *e);
const char *task_checkout(const task *t); /* the clone's work tree */
const char *task_sha(const task *t);      /* the commit cloned */
const char *task_branch(const task *t);

/*
 * A libpq connection string from an RDS-shaped secret ({"username","password","host",
 * "port","dbname"}) and/or a cluster, and sslmode from PGSSLMODE (default verify-full
 * with the RDS CA bundle). Appended to conninfo; the password in it is registered as a
 * secret.
 *
 * cluster_id (may be NULL): DescribeDBClusters now, at run time, gives the cluster's
 * endpoint, port and database name, and, when secret_id is NULL, the secret: its
 * RDS-managed master user secret (MasterUserSecret.SecretArn). A snapshot restore
 * replaces that secret, so the task asks every time instead of carrying its ARN.
 * Each of host, port, dbname: DB_HOST / DB_PORT / DB_NAME, else the cluster's, else the
 * secret's.
 */
int task_db_conninfo(task *t, const char *secret_id, const char *cluster_id, buf *conninfo, err *e);
/* task_db_conninfo's second half: the postgresql:// URI from raw (the SecretString, JSON
 * or a postgres:// URL), cluster (NULL or its endpoint, port and database) and DB_HOST /
 * DB_PORT / DB_NAME / PGSSLMODE / PGSSLROOTCERT. label names the secret in errors. The
 * URI, and the password in it, are registered as secrets. */
int task_conninfo_from_secret(const char *raw, const char *label, const rds_cluster *cluster,
                              buf *conninfo, err *e);

/* "KEY=NAME[:field]" (--placeholder-secret): *key and *value are heap strings; the value
 * is registered as a secret. */
int task_placeholder(task *t, const char *spec, char **key, char **value, err *e);

#endif
