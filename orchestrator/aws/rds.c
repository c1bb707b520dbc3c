/*
 * rds: RDS Query calls for clusters, their instances and cluster snapshots. Requests are built with
 * aws_params; answers are read by walking the parsed XML under each DBCluster or
 * DBClusterSnapshot element (local names, so the namespace does not matter) and copied
 * into structs. Lists follow Marker until the last page.
 */
#include "aws/rds.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RDS_VERSION "2014-10-31"

void rds_tags_add(rds_tags *t, const char *key, const char *value)
{
	ARRAY_GROW(t->keys, t->n + 1, t->keys_cap);
	ARRAY_GROW(t->values, t->n + 1, t->values_cap);
	t->keys[t->n] = xstrdup(key);
	t->values[t->n] = xstrdup(value ? value : "");
	t->n++;
}

const char *rds_tags_get(const rds_tags *t, const char *key)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->keys[i], key) == 0)
			return t->values[i];
	return NULL;
}

void rds_tags_free(rds_tags *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->keys[i]);
		free(t->values[i]);
	}
	free(t->keys);
	free(t->values);
	memset(t, 0, sizeof *t);
}

void rds_cluster_free(rds_cluster *c)
{
	if (!c)
		return;
	free(c->id);
	free(c->arn);
	free(c->status);
	free(c->engine);
	free(c->engine_version);
	free(c->parameter_group);
	rds_tags_free(&c->tags);
	free(c->endpoint);
	free(c->database_name);
	free(c->secret_arn);
	free(c->secret_status);
	for (size_t i = 0; i < c->nlog_exports; i++)
		free(c->log_exports[i]);
	free(c->log_exports);
	memset(c, 0, sizeof *c);
}

void rds_clusters_free(rds_cluster *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rds_cluster_free(&list[i]);
	free(list);
}

void rds_snapshot_free(rds_snapshot *s)
{
	if (!s)
		return;
	free(s->id);
	free(s->arn);
	free(s->cluster_id);
	free(s->status);
	free(s->engine);
	free(s->engine_version);
	free(s->created);
	free(s->type);
	free(s->kms_key_id);
	rds_tags_free(&s->tags);
	memset(s, 0, sizeof *s);
}

void rds_snapshots_free(rds_snapshot *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rds_snapshot_free(&list[i]);
	free(list);
}

void rds_instances_free(rds_instance *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(list[i].id);
		free(list[i].cluster_id);
		free(list[i].status);
		free(list[i].klass);
	}
	free(list);
}

/* ---- XML reading ---- */

static int is_elem(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static const xmlNode *child(const xmlNode *n, const char *name)
{
	for (const xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (is_elem(c, name))
			return c;
	return NULL;
}

/* Text of the named child, heap, "" when absent. */
static char *child_text(const xmlNode *n, const char *name)
{
	const xmlNode *c = child(n, name);
	if (!c)
		return xstrdup("");
	xmlChar *t = xmlNodeGetContent(c);
	char *s = xstrdup(t ? (const char *)t : "");
	xmlFree(t);
	return s;
}

static long child_long(const xmlNode *n, const char *name)
{
	char *t = child_text(n, name);
	long v = strtol(t, NULL, 10);
	free(t);
	return v;
}

/* A whole number of the named child within [lo, hi]; 0 when absent or out of range (a
 * Port of 4294972592 would otherwise wrap to 5296 in an int). */
static int child_int(const xmlNode *n, const char *name, long lo, long hi)
{
	long v = child_long(n, name);
	return v >= lo && v <= hi ? (int)v : 0;
}

static int child_bool(const xmlNode *n, const char *name)
{
	char *t = child_text(n, name);
	int v = strcmp(t, "true") == 0;
	free(t);
	return v;
}

/* Every element with the local name, depth first, not descending into matches. */
static void collect(const xmlNode *n, const char *name, const xmlNode ***out, size_t *count,
                    size_t *cap)
{
	for (const xmlNode *c = n; c; c = c->next) {
		if (is_elem(c, name)) {
			ARRAY_GROW(*out, *count + 1, *cap);
			(*out)[(*count)++] = c;
		} else if (c->children) {
			collect(c->children, name, out, count, cap);
		}
	}
}

static void read_tags(const xmlNode *n, rds_tags *t)
{
	const xmlNode *list = child(n, "TagList");
	for (const xmlNode *c = list ? list->children : NULL; c; c = c->next) {
		if (!is_elem(c, "Tag"))
			continue;
		char *k = child_text(c, "Key"), *v = child_text(c, "Value");
		rds_tags_add(t, k, v);
		free(k);
		free(v);
	}
}

static void read_cluster(const xmlNode *n, rds_cluster *c)
{
	memset(c, 0, sizeof *c);
	c->id = child_text(n, "DBClusterIdentifier");
	c->arn = child_text(n, "DBClusterArn");
	c->status = child_text(n, "Status");
	c->engine = child_text(n, "Engine");
	c->engine_version = child_text(n, "EngineVersion");
	c->parameter_group = child_text(n, "DBClusterParameterGroup");
	const xmlNode *members = child(n, "DBClusterMembers");
	for (const xmlNode *m = members ? members->children : NULL; m; m = m->next)
		c->nmembers += is_elem(m, "DBClusterMember");
	read_tags(n, &c->tags);
	c->endpoint = child_text(n, "Endpoint");
	c->port = child_int(n, "Port", 0, 65535);
	c->database_name = child_text(n, "DatabaseName");
	const xmlNode *secret = child(n, "MasterUserSecret");
	c->secret_arn = child_text(secret, "SecretArn");
	c->secret_status = child_text(secret, "SecretStatus");
	c->deletion_protection = child_bool(n, "DeletionProtection");
	c->backup_retention = child_int(n, "BackupRetentionPeriod", 0, 35);
	c->copy_tags = child_bool(n, "CopyTagsToSnapshot");
	c->iam_auth = child_bool(n, "IAMDatabaseAuthenticationEnabled");
	const xmlNode *logs = child(n, "EnabledCloudwatchLogsExports");
	size_t logs_cap = c->nlog_exports;
	for (const xmlNode *m = logs ? logs->children : NULL; m; m = m->next) {
		if (m->type != XML_ELEMENT_NODE)
			continue;
		xmlChar *t = xmlNodeGetContent(m);
		ARRAY_GROW(c->log_exports, c->nlog_exports + 1, logs_cap);
		c->log_exports[c->nlog_exports++] = xstrdup(t ? (const char *)t : "");
		xmlFree(t);
	}
}

static void read_snapshot(const xmlNode *n, rds_snapshot *s)
{
	memset(s, 0, sizeof *s);
	s->id = child_text(n, "DBClusterSnapshotIdentifier");
	s->arn = child_text(n, "DBClusterSnapshotArn");
	s->cluster_id = child_text(n, "DBClusterIdentifier");
	s->status = child_text(n, "Status");
	s->engine = child_text(n, "Engine");
	s->engine_version = child_text(n, "EngineVersion");
	s->created = child_text(n, "SnapshotCreateTime");
	s->type = child_text(n, "SnapshotType");
	s->storage_gb = child_int(n, "AllocatedStorage", 0, INT_MAX);
	s->percent = child_int(n, "PercentProgress", 0, 100);
	read_tags(n, &s->tags);
	s->encrypted = child_bool(n, "StorageEncrypted");
	s->kms_key_id = child_text(n, "KmsKeyId");
}

size_t rds_decode_clusters(xmlDocPtr doc, rds_cluster **out)
{
	const xmlNode **found = NULL;
	size_t n = 0, cap = 0;
	collect(xmlDocGetRootElement(doc), "DBCluster", &found, &n, &cap);
	*out = xcalloc(n + 1, sizeof **out);
	for (size_t i = 0; i < n; i++)
		read_cluster(found[i], &(*out)[i]);
	free(found);
	return n;
}

size_t rds_decode_snapshots(xmlDocPtr doc, rds_snapshot **out)
{
	const xmlNode **found = NULL;
	size_t n = 0, cap = 0;
	collect(xmlDocGetRootElement(doc), "DBClusterSnapshot", &found, &n, &cap);
	*out = xcalloc(n + 1, sizeof **out);
	for (size_t i = 0; i < n; i++)
		read_snapshot(found[i], &(*out)[i]);
	free(found);
	return n;
}

static int call(aws_client *c, const char *action, const aws_params *p, xmlDocPtr *doc, err *e)
{
	return aws_query_call(c, "rds", action, RDS_VERSION, p, doc, e);
}

static int is_code(aws_client *c, const char *code)
{
	return strcmp(aws_last_error_code(c), code) == 0;
}

/* ---- clusters ---- */

/*
 * Every page of one Describe* action (the Marker loop): each element named elem is read by
 * read() into the next item of an array of item_size-byte items. On failure the items read
 * so far are released with free_list and *out is NULL.
 */
static int describe_all(aws_client *c, const char *action, const aws_params *args, const char *elem,
                        size_t item_size, void (*read)(const xmlNode *, void *),
                        void (*free_list)(void *, size_t), void **out, size_t *n, err *e)
{
	*out = NULL;
	*n = 0;
	char *marker = NULL, *sent = NULL;
	char *marker_path = xasprintf("//%sResult/Marker", action);
	int rc = 0;
	size_t page = 0;
	do {
		aws_params p = {0};
		for (size_t i = 0; args && i < args->n; i++)
			aws_params_add(&p, args->names[i], args->values[i]);
		if (marker)
			aws_params_add(&p, "Marker", marker);
		free(sent);
		sent = marker; /* an answer naming it again would restart the same page forever */
		marker = NULL;
		page++;
		xmlDocPtr doc = NULL;
		rc = call(c, action, &p, &doc, e);
		aws_params_free(&p);
		if (rc)
			break;
		const xmlNode **found = NULL;
		size_t nf = 0, found_cap = 0;
		collect(xmlDocGetRootElement(doc), elem, &found, &nf, &found_cap);
		*out = xrealloc(*out, (*n + nf + 1) * item_size);
		for (size_t i = 0; i < nf; i++) {
			char *item = (char *)*out + (*n)++ * item_size;
			memset(item, 0, item_size);
			read(found[i], item);
		}
		free(found);
		marker = aws_xml_text(doc, marker_path);
		if (marker && !*marker) {
			free(marker);
			marker = NULL;
		}
		xmlFreeDoc(doc);
		if (marker && sent && strcmp(marker, sent) == 0) {
			/* What the SDKs' paginators refuse too ("the same next token was received
			 * twice"): the listing would never end. */
			rc =
			    err_set(e, ORC_EFAIL,
			            "RDS %s: page %zu repeats the Marker it was asked for, so the "
			            "listing would never end; try again later, or report it to AWS",
			            action, page);
			free(marker);
			marker = NULL;
		}
	} while (marker);
	free(sent);
	free(marker_path);
	if (rc && *out) {
		free_list(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

static void read_cluster_item(const xmlNode *n, void *item)
{
	read_cluster(n, item);
}

static void free_clusters(void *list, size_t n)
{
	rds_clusters_free(list, n);
}

/* DescribeDBClusters, all pages; id NULL lists every cluster. */
static int describe_clusters(aws_client *c, const char *id, rds_cluster **out, size_t *n, err *e)
{
	aws_params args = {0};
	if (id)
		aws_params_add(&args, "DBClusterIdentifier", id);
	void *list;
	int rc = describe_all(c, "DescribeDBClusters", &args, "DBCluster", sizeof **out,
	                      read_cluster_item, free_clusters, &list, n, e);
	aws_params_free(&args);
	*out = list;
	return rc;
}

int rds_cluster_get(aws_client *c, const char *id, rds_cluster *out, int *found, err *e)
{
	rds_cluster *list;
	size_t n;
	memset(out, 0, sizeof *out);
	*found = 0;
	int rc = describe_clusters(c, id, &list, &n, e);
	if (rc) {
		if (is_code(c, "DBClusterNotFoundFault")) {
			err_clear(e);
			return 0;
		}
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		if (!*found && strcasecmp(list[i].id, id) == 0) {
			*out = list[i];
			memset(&list[i], 0, sizeof list[i]);
			*found = 1;
		}
	}
	rds_clusters_free(list, n);
	return 0;
}

int rds_cluster_list(aws_client *c, rds_cluster **out, size_t *n, err *e)
{
	return describe_clusters(c, NULL, out, n, e);
}

static int simple_call(aws_client *c, const char *action, aws_params *p, err *e)
{
	xmlDocPtr doc = NULL;
	int rc = call(c, action, p, &doc, e);
	aws_params_free(p);
	if (doc)
		xmlFreeDoc(doc);
	return rc;
}

int rds_cluster_rename(aws_client *c, const char *id, const char *new_id, err *e)
{
	aws_params p = {0};
	aws_params_add(&p, "DBClusterIdentifier", id);
	aws_params_add(&p, "NewDBClusterIdentifier", new_id);
	aws_params_add(&p, "ApplyImmediately", "true");
	return simple_call(c, "ModifyDBCluster", &p, e);
}

int rds_cluster_delete(aws_client *c, const char *id, const char *final_snapshot, err *e)
{
	aws_params p = {0};
	aws_params_add(&p, "DBClusterIdentifier", id);
	if (final_snapshot) {
		aws_params_add(&p, "SkipFinalSnapshot", "false");
		aws_params_add(&p, "FinalDBSnapshotIdentifier", final_snapshot);
	} else {
		aws_params_add(&p, "SkipFinalSnapshot", "true");
	}
	return simple_call(c, "DeleteDBCluster", &p, e);
}

static void add_tag_params(aws_params *p, const rds_tags *t)
{
	for (size_t i = 0; t && i < t->n; i++) {
		char *k = xasprintf("Tags.Tag.%zu.Key", i + 1);
		char *v = xasprintf("Tags.Tag.%zu.Value", i + 1);
		aws_params_add(p, k, t->keys[i]);
		aws_params_add(p, v, t->values[i]);
		free(k);
		free(v);
	}
}

/* A Query list: prefix.1, prefix.2, ... */
static void add_list(aws_params *p, const char *prefix, char *const *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *name = xasprintf("%s.%zu", prefix, i + 1);
		aws_params_add(p, name, items[i]);
		free(name);
	}
}

static void add_number(aws_params *p, const char *name, double v)
{
	aws_params_addf(p, name, "%g", v);
}

int rds_cluster_restore(aws_client *c, const rds_restore_args *a, err *e)
{
	aws_params p = {0};
	aws_params_add(&p, "DBClusterIdentifier", a->cluster_id);
	aws_params_add(&p, "SnapshotIdentifier", a->snapshot_id);
	aws_params_add(&p, "Engine", a->engine);
	if (a->engine_version && *a->engine_version)
		aws_params_add(&p, "EngineVersion", a->engine_version);
	if (a->subnet_group && *a->subnet_group)
		aws_params_add(&p, "DBSubnetGroupName", a->subnet_group);
	if (a->parameter_group && *a->parameter_group)
		aws_params_add(&p, "DBClusterParameterGroupName", a->parameter_group);
	for (size_t i = 0; i < a->nsecurity_groups; i++) {
		char *name = xasprintf("VpcSecurityGroupIds.VpcSecurityGroupId.%zu", i + 1);
		aws_params_add(&p, name, a->security_group_ids[i]);
		free(name);
	}
	if (a->v1_max > 0) {
		aws_params_add(&p, "EngineMode", "serverless");
		add_number(&p, "ScalingConfiguration.MinCapacity", a->v1_min);
		add_number(&p, "ScalingConfiguration.MaxCapacity", a->v1_max);
	}
	if (a->v2_max > 0) {
		add_number(&p, "ServerlessV2ScalingConfiguration.MinCapacity", a->v2_min);
		add_number(&p, "ServerlessV2ScalingConfiguration.MaxCapacity", a->v2_max);
	}
	add_tag_params(&p, a->tags);
	if (a->port > 0)
		aws_params_addf(&p, "Port", "%d", a->port);
	if (a->backup_retention > 0)
		aws_params_addf(&p, "BackupRetentionPeriod", "%d", a->backup_retention);
	if (a->copy_tags)
		aws_params_add(&p, "CopyTagsToSnapshot", "true");
	if (a->iam_auth)
		aws_params_add(&p, "EnableIAMDatabaseAuthentication", "true");
	add_list(&p, "EnableCloudwatchLogsExports.member", a->log_exports, a->nlog_exports);
	return simple_call(c, "RestoreDBClusterFromSnapshot", &p, e);
}

int rds_cluster_modify(aws_client *c, const char *id, const rds_modify_args *a, err *e)
{
	aws_params p = {0};
	aws_params_add(&p, "DBClusterIdentifier", id);
	size_t base = p.n;
	if (a->manage_secret)
		aws_params_add(&p, "ManageMasterUserPassword", "true");
	if (a->deletion_protection >= 0)
		aws_params_add(&p, "DeletionProtection", a->deletion_protection ? "true" : "false");
	if (a->backup_retention > 0)
		aws_params_addf(&p, "BackupRetentionPeriod", "%d", a->backup_retention);
	if (a->copy_tags >= 0)
		aws_params_add(&p, "CopyTagsToSnapshot", a->copy_tags ? "true" : "false");
	if (a->iam_auth >= 0)
		aws_params_add(&p, "EnableIAMDatabaseAuthentication",
		               a->iam_auth ? "true" : "false");
	if (a->port > 0)
		aws_params_addf(&p, "Port", "%d", a->port);
	add_list(&p, "CloudwatchLogsExportConfiguration.EnableLogTypes.member", a->enable_logs,
	         a->nenable_logs);
	if (p.n == base) {
		aws_params_free(&p);
		return 0;
	}
	aws_params_add(&p, "ApplyImmediately", "true");
	return simple_call(c, "ModifyDBCluster", &p, e);
}

int rds_tag_resource(aws_client *c, const char *arn, const rds_tags *tags, err *e)
{
	aws_params p = {0};
	aws_params_add(&p, "ResourceName", arn);
	add_tag_params(&p, tags);
	return simple_call(c, "AddTagsToResource", &p, e);
}

int rds_untag_resource(aws_client *c, const char *arn, const char *const *keys, size_t n, err *e)
{
	aws_params p = {0};
	aws_params_add(&p, "ResourceName", arn);
	for (size_t i = 0; i < n; i++) {
		char *name = xasprintf("TagKeys.member.%zu", i + 1);
		aws_params_add(&p, name, keys[i]);
		free(name);
	}
	return simple_call(c, "RemoveTagsFromResource", &p, e);
}

/* ---- instances ---- */

static void read_instance(const xmlNode *n, void *item)
{
	rds_instance *in = item;
	in->id = child_text(n, "DBInstanceIdentifier");
	in->cluster_id = child_text(n, "DBClusterIdentifier");
	in->status = child_text(n, "DBInstanceStatus");
	in->klass = child_text(n, "DBInstanceClass");
}

static void free_instances(void *list, size_t n)
{
	rds_instances_free(list, n);
}

int rds_instance_list(aws_client *c, rds_instance **out, size_t *n, err *e)
{
	void *list;
	int rc = describe_all(c, "DescribeDBInstances", NULL, "DBInstance", sizeof **out,
	                      read_instance, free_instances, &list, n, e);
	*out = list;
	return rc;
}

int rds_instance_create(aws_client *c, const char *id, const char *cluster_id, const char *engine,
                        const char *klass, err *e)
{
	aws_params p = {0};
	aws_params_add(&p, "DBInstanceIdentifier", id);
	aws_params_add(&p, "DBClusterIdentifier", cluster_id);
	aws_params_add(&p, "Engine", engine);
	aws_params_add(&p, "DBInstanceClass", klass);
	return simple_call(c, "CreateDBInstance", &p, e);
}

int rds_instance_delete(aws_client *c, const char *id, err *e)
{
	aws_params p = {0};
	aws_params_add(&p, "DBInstanceIdentifier", id);
	aws_params_add(&p, "SkipFinalSnapshot", "true");
	return simple_call(c, "DeleteDBInstance", &p, e);
}

/* ---- snapshots ---- */

static void read_snapshot_item(const xmlNode *n, void *item)
{
	read_snapshot(n, item);
}

static void free_snapshots(void *list, size_t n)
{
	rds_snapshots_free(list, n);
}

static int describe_snapshots(aws_client *c, const char *cluster_id, const char *snapshot_id,
                              rds_snapshot **out, size_t *n, err *e)
{
	aws_params args = {0};
	if (cluster_id)
		aws_params_add(&args, "DBClusterIdentifier", cluster_id);
	if (snapshot_id)
		aws_params_add(&args, "DBClusterSnapshotIdentifier", snapshot_id);
	void *list;
	int rc = describe_all(c, "DescribeDBClusterSnapshots", &args, "DBClusterSnapshot",
	                      sizeof **out, read_snapshot_item, free_snapshots, &list, n, e);
	aws_params_free(&args);
	*out = list;
	return rc;
}

int rds_snapshot_get(aws_client *c, const char *id, rds_snapshot *out, int *found, err *e)
{
	rds_snapshot *list;
	size_t n;
	memset(out, 0, sizeof *out);
	*found = 0;
	int rc = describe_snapshots(c, NULL, id, &list, &n, e);
	if (rc) {
		if (is_code(c, "DBClusterSnapshotNotFoundFault")) {
			err_clear(e);
			return 0;
		}
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		if (!*found && strcasecmp(list[i].id, id) == 0) {
			*out = list[i];
			memset(&list[i], 0, sizeof list[i]);
			*found = 1;
		}
	}
	rds_snapshots_free(list, n);
	return 0;
}

int rds_snapshot_list(aws_client *c, const char *cluster_id, rds_snapshot **out, size_t *n, err *e)
{
	return describe_snapshots(c, cluster_id, NULL, out, n, e);
}

int rds_snapshot_create(aws_client *c, const char *cluster_id, const char *snapshot_id,
                        const rds_tags *tags, err *e)
{
	aws_params p = {0};
	aws_params_add(&p, "DBClusterIdentifier", cluster_id);
	aws_params_add(&p, "DBClusterSnapshotIdentifier", snapshot_id);
	add_tag_params(&p, tags);
	return simple_call(c, "CreateDBClusterSnapshot", &p, e);
}

int rds_snapshot_share(aws_client *c, const char *snapshot_id, const char *account, err *e)
{
	aws_params p = {0};
	aws_params_add(&p, "DBClusterSnapshotIdentifier", snapshot_id);
	aws_params_add(&p, "AttributeName", "restore");
	aws_params_add(&p, "ValuesToAdd.AttributeValue.1", account);
	return simple_call(c, "ModifyDBClusterSnapshotAttribute", &p, e);
}

int rds_snapshot_shared_with(aws_client *c, const char *snapshot_id, char ***accounts, size_t *n,
                             err *e)
{
	aws_params p = {0};
	aws_params_add(&p, "DBClusterSnapshotIdentifier", snapshot_id);
	xmlDocPtr doc = NULL;
	*accounts = NULL;
	*n = 0;
	int rc = call(c, "DescribeDBClusterSnapshotAttributes", &p, &doc, e);
	aws_params_free(&p);
	if (rc)
		return rc;
	const xmlNode **attrs = NULL;
	size_t na = 0, attrs_cap = 0;
	collect(xmlDocGetRootElement(doc), "DBClusterSnapshotAttribute", &attrs, &na, &attrs_cap);
	*accounts = xcalloc(1, sizeof **accounts);
	size_t accounts_cap = 1;
	for (size_t i = 0; i < na; i++) {
		char *name = child_text(attrs[i], "AttributeName");
		const xmlNode *vals = child(attrs[i], "AttributeValues");
		if (strcmp(name, "restore") == 0) {
			for (const xmlNode *v = vals ? vals->children : NULL; v; v = v->next) {
				if (v->type != XML_ELEMENT_NODE)
					continue;
				xmlChar *t = xmlNodeGetContent(v);
				ARRAY_GROW(*accounts, *n + 2, accounts_cap); /* and the NULL */
				(*accounts)[(*n)++] = xstrdup(t ? (const char *)t : "");
				(*accounts)[*n] = NULL;
				xmlFree(t);
			}
		}
		free(name);
	}
	free(attrs);
	xmlFreeDoc(doc);
	return 0;
}

int rds_snapshot_copy(aws_client *c, const char *source, const char *target, const char *kms_key,
                      const rds_tags *tags, err *e)
{
	aws_params p = {0};
	aws_params_add(&p, "SourceDBClusterSnapshotIdentifier", source);
	aws_params_add(&p, "TargetDBClusterSnapshotIdentifier", target);
	if (kms_key)
		aws_params_add(&p, "KmsKeyId", kms_key);
	add_tag_params(&p, tags);
	return simple_call(c, "CopyDBClusterSnapshot", &p, e);
}

int rds_snapshot_list_shared(aws_client *c, rds_snapshot **out, size_t *n, err *e)
{
	aws_params args = {0};
	aws_params_add(&args, "SnapshotType", "shared");
	aws_params_add(&args, "IncludeShared", "true");
	void *list;
	int rc = describe_all(c, "DescribeDBClusterSnapshots", &args, "DBClusterSnapshot",
	                      sizeof **out, read_snapshot_item, free_snapshots, &list, n, e);
	aws_params_free(&args);
	*out = list;
	return rc;
}
