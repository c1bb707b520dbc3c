/*
 * snapshot: create (and wait), list, share, and the security group lookup the restore
 * needs (aws/ec2.c's, shared with run-task). Waiting polls DescribeDBClusterSnapshots with a
 * doubling delay (0.5 s up to 30 s) until the snapshot is available or the timeout passes; the AWS
 * layer already retries throttling and transient faults of each call, within the
 * operation's retry budget (AWS_OPERATION_RETRY_BUDGET_S, set by each operation here).
 * When CreateDBClusterSnapshot fails, its answer may only have been lost (the resend then
 * meets DBClusterSnapshotAlreadyExistsFault): RDS is asked whether the snapshot exists
 * before anything is reported, so a snapshot RDS made is never called a failure.
 */
#include "snapshot/snapshot.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aws/ec2.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/progress.h"

char *snapshot_default_id(const char *cluster)
{
	char stamp[32];
	clock_utc(stamp, sizeof stamp, "%Y%m%d-%H%M%S");
	return xasprintf("%s-snapshot-%sZ", cluster, stamp);
}

char *snapshot_tag_value(const char *value)
{
	char *v = xstrndup(value ? value : "", 256);
	for (unsigned char *p = (unsigned char *)v; *p; p++)
		if (*p < 0x80 && !isalnum(*p) && !strchr(" _.:/=+-@", *p))
			*p = '_';
	return v;
}

void snapshot_lowercase(char *id)
{
	for (char *p = id; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
}

static int wait_polls(aws_client *c, const char *id, int timeout, rds_snapshot *out,
                      progress *shown, err *e)
{
	long delay = 500, waited = 0;
	for (;;) {
		int found;
		int rc = rds_snapshot_get(c, id, out, &found, e);
		if (rc)
			return err_prefix(e, "snapshot %s", id);
		if (!found)
			return err_set(e, ORC_EFAIL,
			               "snapshot %s: disappeared while waiting for it (check the "
			               "cluster's events in the RDS console)",
			               id);
		if (strcmp(out->status, "available") == 0)
			return 0;
		if (strcmp(out->status, "failed") == 0 || strcmp(out->status, "deleted") == 0 ||
		    strcmp(out->status, "deleting") == 0)
			return err_set(e, ORC_EFAIL, "snapshot %s: status %s (create it again)", id,
			               out->status);
		if (waited / 1000 >= timeout)
			return err_set(
			    e, ORC_EFAIL,
			    "snapshot %s: still %s (%d%%) after %ds (raise --timeout; the "
			    "snapshot keeps going and a re-run waits for it)",
			    id, out->status, out->percent, timeout);
		progress_update(shown, LOG_TONE_BUSY, out->status, "%d%%", out->percent);
		rds_snapshot_free(out);
		clock_sleep_ms(delay);
		waited += delay;
		delay = delay * 2 > 30000 ? 30000 : delay * 2;
	}
}

/* Polls until the snapshot is available, showing its status and PercentProgress. */
static int wait_available(aws_client *c, const char *id, int timeout, rds_snapshot *out, err *e)
{
	progress *shown = progress_start("snapshot %s", id);
	int rc = wait_polls(c, id, timeout, out, shown, e);
	progress_end(shown);
	return rc;
}

/* CreateDBClusterSnapshot failed: whether RDS has the snapshot of cluster all the same
 * (the answer was lost). When RDS cannot be asked either, e says so and what to check. */
static int created_anyway(aws_client *c, const char *cluster, const char *id, err *e)
{
	rds_snapshot s;
	int found = 0;
	err le = ERR_INIT;
	if (rds_snapshot_get(c, id, &s, &found, &le)) {
		size_t used = strlen(e->msg);
		snprintf(e->msg + used, sizeof e->msg - used,
		         "; RDS could not be asked whether the snapshot was made (%s): check "
		         "with 'aws rds describe-db-cluster-snapshots "
		         "--db-cluster-snapshot-identifier %s' before re-running",
		         le.msg, id);
		return 0;
	}
	int ours = found && strcasecmp(s.cluster_id, cluster) == 0;
	if (found)
		rds_snapshot_free(&s);
	if (ours) {
		log_warn("%s; RDS has snapshot %s of %s all the same (the answer was lost): "
		         "waiting for it",
		         e->msg, id, cluster);
		err_clear(e);
	}
	return ours;
}

int snapshot_create(aws_client *c, const char *cluster, const char *id, const char *requested_by,
                    const char *request_id, int timeout, rds_snapshot *out, err *e)
{
	memset(out, 0, sizeof *out);
	aws_client_set_retry_budget(c, AWS_OPERATION_RETRY_BUDGET_S);
	rds_snapshot existing;
	int found;
	int rc = rds_snapshot_get(c, id, &existing, &found, e);
	if (rc)
		return err_prefix(e, "snapshot %s", id);
	if (found) {
		int ours = strcasecmp(existing.cluster_id, cluster) == 0;
		char *other = xstrdup(existing.cluster_id);
		rds_snapshot_free(&existing);
		if (!ours) {
			err_set(
			    e, ORC_EUSAGE,
			    "snapshot %s: already exists for cluster %s, not %s (choose another "
			    "--snapshot)",
			    id, other, cluster);
			free(other);
			return ORC_EUSAGE;
		}
		free(other);
		log_info("snapshot %s of %s exists already; waiting for it", id, cluster);
	} else {
		rds_cluster k;
		rc = rds_cluster_get(c, cluster, &k, &found, e);
		rds_cluster_free(&k);
		if (rc)
			return err_prefix(e, "cluster %s", cluster);
		if (!found)
			return err_set(
			    e, ORC_EREMOTE,
			    "cluster %s: not found in %s (check "
			    "infrastructure[\"%s\"].auroraDB.dbClusterName in config.json)",
			    cluster, aws_client_region(c), aws_client_region(c));
		rds_tags tags = {0};
		rds_tags_add(&tags, "orchestrator:created-by", "orchestrator");
		char *who = snapshot_tag_value(requested_by), *rid = snapshot_tag_value(request_id);
		if (*who)
			rds_tags_add(&tags, "orchestrator:requested-by", who);
		if (*rid)
			rds_tags_add(&tags, "orchestrator:request-id", rid);
		free(who);
		free(rid);
		log_info("creating snapshot %s of cluster %s", id, cluster);
		for (int i = 1;; i++) {
			aws_client_check_before_resend(c);
			rc = rds_snapshot_create(c, cluster, id, &tags, e);
			int unanswered = rc && aws_last_call_ambiguous(c);
			if (rc && aws_last_call_maybe_done(c) && created_anyway(c, cluster, id, e))
				rc = 0;
			if (!rc || !unanswered || !aws_retry_wait(c, i))
				break;
			log_warn("%s; RDS has no snapshot %s: sending the request again", e->msg,
			         id);
		}
		rds_tags_free(&tags);
		if (rc)
			return err_prefix(e, "snapshot %s of %s", id, cluster);
	}
	return wait_available(c, id, timeout, out, e);
}

int snapshot_wait(aws_client *c, const char *id, int timeout, rds_snapshot *out, err *e)
{
	memset(out, 0, sizeof *out);
	return wait_available(c, id, timeout, out, e);
}

static int newest_first(const void *a, const void *b)
{
	const rds_snapshot *x = a, *y = b;
	int d = strcmp(y->created, x->created);
	return d ? d : strcmp(x->id, y->id);
}

int snapshot_list(aws_client *c, const char *cluster, rds_snapshot **out, size_t *n, err *e)
{
	int rc = rds_snapshot_list(c, cluster, out, n, e);
	if (rc)
		return err_prefix(e, "snapshots of %s", cluster);
	qsort(*out, *n, sizeof **out, newest_first);
	return 0;
}

int snapshot_share(aws_client *c, const char *id, const char *account, int *already, err *e)
{
	*already = 0;
	size_t len = strlen(account);
	int digits = len == 12;
	for (size_t i = 0; i < len; i++)
		digits &= isdigit((unsigned char)account[i]) != 0;
	if (!digits && strcmp(account, "all") != 0)
		return err_set(e, ORC_EUSAGE,
		               "--account %s: expected a 12-digit AWS account ID (or \"all\" to "
		               "make the snapshot public)",
		               account);
	aws_client_set_retry_budget(c, AWS_OPERATION_RETRY_BUDGET_S);
	rds_snapshot s;
	int found;
	int rc = rds_snapshot_get(c, id, &s, &found, e);
	if (rc)
		return err_prefix(e, "snapshot %s", id);
	if (!found)
		return err_set(e, ORC_EREMOTE,
		               "snapshot %s: not found in %s (`orchestrator snapshot list` shows "
		               "the cluster's snapshots)",
		               id, aws_client_region(c));
	int automated = strcmp(s.type, "automated") == 0;
	rds_snapshot_free(&s);
	if (automated)
		return err_set(e, ORC_EUSAGE,
		               "snapshot %s: automated snapshots cannot be shared (create a manual "
		               "one with `orchestrator snapshot create`)",
		               id);
	char **accounts;
	size_t na;
	if ((rc = rds_snapshot_shared_with(c, id, &accounts, &na, e)))
		return err_prefix(e, "snapshot %s", id);
	for (size_t i = 0; i < na; i++)
		*already |= strcmp(accounts[i], account) == 0;
	for (size_t i = 0; i < na; i++)
		free(accounts[i]);
	free(accounts);
	if (*already)
		return 0;
	rc = rds_snapshot_share(c, id, account, e);
	int shared = 0;
	if (rc && aws_last_call_maybe_done(c)) {
		/* The attribute may have been set and only the answer lost: ask RDS. */
		err le = ERR_INIT;
		if (rds_snapshot_shared_with(c, id, &accounts, &na, &le) == 0) {
			for (size_t i = 0; i < na; i++) {
				shared |= strcmp(accounts[i], account) == 0;
				free(accounts[i]);
			}
			free(accounts);
		}
	}
	if (rc && !shared)
		return err_prefix(e, "sharing snapshot %s with %s", id, account);
	if (rc) {
		log_warn("%s; RDS shows snapshot %s shared with %s all the same", e->msg, id,
		         account);
		err_clear(e);
	}
	return 0;
}

int snapshot_security_group_ids(aws_client *c, const char *list, char ***ids, size_t *n, err *e)
{
	size_t count;
	char **items = config_split_list(list, &count);
	*ids = NULL;
	*n = 0;
	int rc = ec2_resolve_security_groups(c, items, count, ids, e);
	config_free_list(items);
	if (rc)
		return err_prefix(e, "infrastructure[\"%s\"].auroraDB.vpcSecurityGroups",
		                  aws_client_region(c));
	*n = count;
	return 0;
}
