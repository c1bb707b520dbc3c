/*
 * restore: the resumable restore (see restore.h for the states). restore_next is the
 * whole decision table, kept pure so that unit tests can walk every state; restore_run
 * is the loop around it: describe, decide, act, describe again. Acting never assumes the
 * previous round's view: every step starts from a fresh DescribeDBClusters, so the one
 * irreversible step (deleting the old cluster) is only ever taken right after RDS said
 * the restored cluster is available.
 *
 * A step whose call fails after an attempt that got no answer may still have been done by
 * AWS (a lost answer: the resend of a rename then meets DBClusterNotFoundFault, of a
 * restore DBClusterAlreadyExistsFault). So such a step is never reported from the error
 * alone: the clusters are described
 * again, and when AWS shows a different state than before the step (its fingerprint:
 * clusters, statuses, markers, instances), the loop goes on from what AWS shows (at most
 * RESTORE_MAX_SETTLES times). The calls that must not be resent blindly (rename,
 * restore, instance create and delete, cluster delete) are not resent underneath after a
 * lost answer: when RDS shows no change, the step is taken again within the retry budget. A restore
 * that stops while no cluster answers under the application's name says exactly what to run: the
 * same command to resume, or the rename that puts the old cluster back.
 *
 * Test hook: ORC_TEST_CRASH_AT=<point> makes the process SIGKILL itself at that point
 * (locked, renamed, before-restore, restoring, instance-added, configured, unprotected,
 * restored, old-instances-deleting, retired, rolled-back), so that the crash tests can stop
 * the restore between every pair of steps; nothing else reads it.
 */
#include "snapshot/restore.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/progress.h"

#define RESTORE_MAX_SETTLES 30

const char *restore_step_name(restore_step s)
{
	static const char *const names[] = {"lock",      "rename", "restore",   "instance",
	                                    "configure", "wait",   "unprotect", "retire",
	                                    "rollback",  "done",   "conflict"};
	return s <= RESTORE_CONFLICT ? names[s] : "?";
}

static int same(const char *a, const char *b)
{
	return a && b && strcasecmp(a, b) == 0;
}

static const char *request_of(const restore_opts *o)
{
	return o->request_id && *o->request_id ? o->request_id : "-";
}

static int is_failed(const char *status)
{
	static const char *const failed[] = {"failed",
	                                     "incompatible-restore",
	                                     "incompatible-parameters",
	                                     "incompatible-network",
	                                     "inaccessible-encryption-credentials",
	                                     NULL};
	for (const char *const *f = failed; *f; f++)
		if (strcmp(status, *f) == 0)
			return 1;
	return 0;
}

static int is_available(const rds_cluster *c)
{
	return c && strcmp(c->status, "available") == 0;
}

/* The live cluster was restored by this very request. */
static int restored_by_us(const rds_cluster *c, const restore_opts *o)
{
	return same(rds_tags_get(&c->tags, RESTORE_TAG_FROM), o->snapshot) &&
	       same(rds_tags_get(&c->tags, RESTORE_TAG_REQUEST), request_of(o));
}

/* A marker for another snapshot or request: that restore owns the cluster. */
static int foreign_marker(const rds_cluster *c, const restore_opts *o, err *e)
{
	const char *snap = rds_tags_get(&c->tags, RESTORE_TAG_SNAPSHOT);
	const char *req = rds_tags_get(&c->tags, RESTORE_TAG_REQUEST);
	if (same(snap, o->snapshot) && same(req ? req : "-", request_of(o)))
		return 0;
	err_set(e, ORC_EFAIL,
	        "cluster %s: a restore of snapshot %s (request %s) is running or was interrupted "
	        "(re-run that request to finish it, or remove the tag %s from %s once it is "
	        "settled)",
	        c->id, snap ? snap : "?", req ? req : "-", RESTORE_TAG_SNAPSHOT, c->id);
	return 1;
}

static restore_step wait_cluster_step(const rds_cluster *k, buf *waiting)
{
	if (waiting)
		buf_printf(waiting, "cluster %s (%s)", k->id, k->status);
	return RESTORE_WAIT;
}

size_t restore_instances_wanted(const restore_view *v, const restore_opts *o)
{
	size_t want = v->old ? v->nold_instances : 0;
	if (want == 0 && o->v2_max > 0)
		want = 1;
	return want;
}

static int has_secret(const rds_cluster *k)
{
	return k->secret_arn && *k->secret_arn;
}

static int has_log(const rds_cluster *k, const char *type)
{
	for (size_t i = 0; i < k->nlog_exports; i++)
		if (strcmp(k->log_exports[i], type) == 0)
			return 1;
	return 0;
}

int restore_settings_missing(const rds_cluster *live, const rds_cluster *old, rds_modify_args *out)
{
	rds_modify_args none = RDS_MODIFY_NONE;
	*out = none;
	int n = 0;
	if (has_secret(old) && !has_secret(live))
		n += out->manage_secret = 1;
	if (old->deletion_protection && !live->deletion_protection)
		n += out->deletion_protection = 1;
	if (old->backup_retention > 0 && old->backup_retention != live->backup_retention) {
		out->backup_retention = old->backup_retention;
		n++;
	}
	if (old->copy_tags != live->copy_tags) {
		out->copy_tags = old->copy_tags;
		n++;
	}
	if (old->iam_auth != live->iam_auth) {
		out->iam_auth = old->iam_auth;
		n++;
	}
	if (old->port > 0 && old->port != live->port) {
		out->port = old->port;
		n++;
	}
	char **logs = NULL;
	size_t logs_cap = 0;
	for (size_t i = 0; i < old->nlog_exports; i++) {
		if (has_log(live, old->log_exports[i]))
			continue;
		ARRAY_GROW(logs, out->nenable_logs + 1, logs_cap);
		logs[out->nenable_logs++] = old->log_exports[i];
	}
	out->enable_logs = logs;
	return n + (out->nenable_logs > 0);
}

void restore_settings_describe(const rds_modify_args *a, buf *out)
{
	const char *sep = "";
	if (a->manage_secret) {
		buf_printf(out, "%smaster user secret managed by RDS", sep);
		sep = ", ";
	}
	if (a->deletion_protection >= 0) {
		buf_printf(out, "%sdeletion protection %s", sep,
		           a->deletion_protection ? "on" : "off");
		sep = ", ";
	}
	if (a->backup_retention > 0) {
		buf_printf(out, "%sbackup retention %d days", sep, a->backup_retention);
		sep = ", ";
	}
	if (a->copy_tags >= 0) {
		buf_printf(out, "%scopy tags to snapshots %s", sep, a->copy_tags ? "on" : "off");
		sep = ", ";
	}
	if (a->iam_auth >= 0) {
		buf_printf(out, "%sIAM database authentication %s", sep,
		           a->iam_auth ? "on" : "off");
		sep = ", ";
	}
	if (a->port > 0) {
		buf_printf(out, "%sport %d", sep, a->port);
		sep = ", ";
	}
	for (size_t i = 0; i < a->nenable_logs; i++) {
		buf_printf(out, "%slog export %s", sep, a->enable_logs[i]);
		sep = ", ";
	}
}

/* The restored cluster is available: its instances, its settings, then the old cluster. */
static restore_step after_restore(const restore_view *v, const restore_opts *o, buf *waiting)
{
	if (v->nlive_instances < restore_instances_wanted(v, o))
		return RESTORE_INSTANCE;
	for (size_t i = 0; i < v->nlive_instances; i++) {
		const rds_instance *in = v->live_instances[i];
		if (strcmp(in->status, "available") != 0) {
			if (waiting)
				buf_printf(waiting, "instance %s (%s)", in->id, in->status);
			return RESTORE_WAIT;
		}
	}
	if (!v->old)
		return RESTORE_DONE;
	if (strcmp(v->old->status, "deleting") == 0)
		return wait_cluster_step(v->old, waiting);
	rds_modify_args m;
	int differ = restore_settings_missing(v->live, v->old, &m);
	if (differ) {
		if (v->configured && waiting) {
			buf_printf(waiting, "settings of cluster %s (", v->live->id);
			restore_settings_describe(&m, waiting);
			buf_printf(waiting, ")");
		}
		free((void *)m.enable_logs);
		return v->configured ? RESTORE_WAIT : RESTORE_CONFIGURE;
	}
	free((void *)m.enable_logs);
	if (has_secret(v->live) && same(v->live->secret_status, "creating")) {
		if (waiting)
			buf_printf(waiting, "master user secret of cluster %s (creating)",
			           v->live->id);
		return RESTORE_WAIT;
	}
	if (o->keep_old)
		return RESTORE_RETIRE;
	if (!is_available(v->old))
		return wait_cluster_step(v->old, waiting);
	if (v->old->deletion_protection)
		return RESTORE_UNPROTECT;
	int all_deleting = v->nold_instances > 0;
	for (size_t i = 0; i < v->nold_instances; i++)
		all_deleting &= strcmp(v->old_instances[i]->status, "deleting") == 0;
	if (all_deleting) {
		if (waiting)
			buf_printf(waiting, "instance %s (deleting)", v->old_instances[0]->id);
		return RESTORE_WAIT;
	}
	return RESTORE_RETIRE;
}

restore_step restore_next(const restore_view *v, const restore_opts *o, buf *waiting, err *e)
{
	const rds_cluster *live = v->live, *old = v->old;

	if (old) {
		if (foreign_marker(old, o, e))
			return RESTORE_CONFLICT;
		if (!live) {
			if (strcmp(old->status, "deleting") == 0) {
				err_set(e, ORC_EFAIL,
				        "cluster %s: the old cluster %s is being deleted but no "
				        "cluster %s exists (restore it from its final snapshot "
				        "%s-final)",
				        o->cluster, old->id, o->cluster, old->id);
				return RESTORE_CONFLICT;
			}
			if (!is_available(old))
				return wait_cluster_step(old, waiting);
			return RESTORE_RESTORE;
		}
		if (rds_tags_get(&live->tags, RESTORE_TAG_SNAPSHOT) || !restored_by_us(live, o)) {
			err_set(e, ORC_EFAIL,
			        "cluster %s exists but was not restored by this request while the "
			        "old cluster %s waits (check both clusters by hand; nothing was "
			        "changed)",
			        live->id, old->id);
			return RESTORE_CONFLICT;
		}
		if (is_failed(live->status))
			return RESTORE_ROLLBACK;
		if (!is_available(live))
			return wait_cluster_step(live, waiting);
		return after_restore(v, o, waiting);
	}
	if (!live)
		return RESTORE_RESTORE;
	if (rds_tags_get(&live->tags, RESTORE_TAG_SNAPSHOT)) {
		if (foreign_marker(live, o, e))
			return RESTORE_CONFLICT;
		if (!is_available(live))
			return wait_cluster_step(live, waiting);
		return RESTORE_RENAME;
	}
	if (restored_by_us(live, o)) {
		if (is_failed(live->status))
			return RESTORE_ROLLBACK;
		if (!is_available(live))
			return wait_cluster_step(live, waiting);
		return after_restore(v, o, waiting);
	}
	if (!is_available(live))
		return wait_cluster_step(live, waiting);
	return RESTORE_LOCK;
}

/* ---- the loop ---- */

static void crash_point(const char *name)
{
	const char *at = getenv("ORC_TEST_CRASH_AT");
	if (at && strcmp(at, name) == 0) {
		log_warn("ORC_TEST_CRASH_AT=%s: stopping hard (test hook)", name);
		raise(SIGKILL);
	}
}

typedef struct view_store {
	rds_cluster *all;
	size_t n;
	rds_instance *instances;
	size_t ninstances;
	const rds_instance **live_instances, **old_instances;
	restore_view v;
} view_store;

static void view_free(view_store *s)
{
	rds_clusters_free(s->all, s->n);
	rds_instances_free(s->instances, s->ninstances);
	free(s->live_instances);
	free(s->old_instances);
	memset(s, 0, sizeof *s);
}

/* The instances of cluster id, the writer's class first is not known here: RDS lists
 * them in creation order, which is what a copy needs. */
static const rds_instance **instances_of(view_store *s, const char *id, size_t *n)
{
	const rds_instance **list = xcalloc(s->ninstances + 1, sizeof *list);
	*n = 0;
	for (size_t i = 0; id && i < s->ninstances; i++)
		if (strcasecmp(s->instances[i].cluster_id, id) == 0)
			list[(*n)++] = &s->instances[i];
	return list;
}

static int discover(aws_client *c, const restore_opts *o, view_store *s, err *e)
{
	view_free(s);
	int rc = rds_cluster_list(c, &s->all, &s->n, e);
	if (rc)
		return err_prefix(e, "listing the clusters of %s", aws_client_region(c));
	if ((rc = rds_instance_list(c, &s->instances, &s->ninstances, e)))
		return err_prefix(e, "listing the DB instances of %s", aws_client_region(c));
	char *prefix = xasprintf("%s%s", o->cluster, RESTORE_OLD_INFIX);
	for (size_t i = 0; i < s->n; i++) {
		rds_cluster *k = &s->all[i];
		if (strcasecmp(k->id, o->cluster) == 0) {
			s->v.live = k;
		} else if (strncasecmp(k->id, prefix, strlen(prefix)) == 0 &&
		           rds_tags_get(&k->tags, RESTORE_TAG_SNAPSHOT)) {
			if (s->v.old) {
				rc = err_set(e, ORC_EFAIL,
				             "clusters %s and %s both carry the restore marker %s "
				             "(keep one: remove the tag from the other)",
				             s->v.old->id, k->id, RESTORE_TAG_SNAPSHOT);
				break;
			}
			s->v.old = k;
		}
	}
	free(prefix);
	s->live_instances =
	    instances_of(s, s->v.live ? s->v.live->id : NULL, &s->v.nlive_instances);
	s->old_instances = instances_of(s, s->v.old ? s->v.old->id : NULL, &s->v.nold_instances);
	s->v.live_instances = s->live_instances;
	s->v.old_instances = s->old_instances;
	return rc;
}

static int cluster_exists(const view_store *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcasecmp(s->all[i].id, id) == 0)
			return 1;
	return 0;
}

static char *utc_stamp(void)
{
	char s[32];
	clock_utc(s, sizeof s, "%Y%m%d-%H%M%S");
	return xstrdup(s);
}

/* RDS identifiers: at most 63 characters, no trailing hyphen. */
static char *final_snapshot_name(const char *old_id)
{
	char *name = xasprintf("%s-final", old_id);
	if (strlen(name) > 63) {
		size_t keep = 63 - strlen("-final");
		while (keep > 0 && old_id[keep - 1] == '-')
			keep--;
		free(name);
		name = xasprintf("%.*s-final", (int)keep, old_id);
	}
	return name;
}

static int untag_marker(aws_client *c, const rds_cluster *k, err *e)
{
	const char *keys[] = {RESTORE_TAG_SNAPSHOT, RESTORE_TAG_REQUEST};
	return rds_untag_resource(c, k->arn, keys, 2, e);
}

/* Polls until the named cluster is available (want_gone 0) or gone (want_gone 1). */
static int wait_cluster_polls(aws_client *c, const char *id, int want_gone, int timeout,
                              progress *shown, err *e)
{
	long delay = 500, waited = 0;
	for (;;) {
		rds_cluster k;
		int found;
		int rc = rds_cluster_get(c, id, &k, &found, e);
		if (rc)
			return rc;
		int ok = want_gone ? !found : found && is_available(&k);
		char *status = xstrdup(found ? k.status : "gone");
		rds_cluster_free(&k);
		if (ok) {
			free(status);
			return 0;
		}
		if (waited / 1000 >= timeout) {
			err_set(e, ORC_EFAIL, "cluster %s: still %s after %ds (raise --timeout)",
			        id, status, timeout);
			free(status);
			return ORC_EFAIL;
		}
		progress_update(shown, LOG_TONE_BUSY, status, NULL);
		free(status);
		clock_sleep_ms(delay);
		waited += delay;
		delay = delay * 2 > 30000 ? 30000 : delay * 2;
	}
}

static int wait_cluster(aws_client *c, const char *id, int want_gone, int timeout, err *e)
{
	progress *shown = progress_start("cluster %s", id);
	int rc = wait_cluster_polls(c, id, want_gone, timeout, shown, e);
	progress_end(shown);
	return rc;
}

/* The restore failed: remove the failed cluster (when there is one), put the old one
 * back under its name and unmark it. Always ends in ORC_EFAIL with why. */
static int rollback(aws_client *c, const restore_opts *o, const restore_view *v, const char *why,
                    err *e)
{
	err e2 = ERR_INIT;
	log_warn("cluster %s: restore failed (%s); rolling back", o->cluster, why);
	if (v->live && !rds_tags_get(&v->live->tags, RESTORE_TAG_SNAPSHOT)) {
		log_info("deleting the failed cluster %s (no final snapshot: it holds no data of "
		         "its own)",
		         v->live->id);
		if (rds_cluster_delete(c, v->live->id, NULL, &e2) ||
		    wait_cluster(c, v->live->id, 1, o->timeout, &e2))
			return err_set(
			    e, ORC_EFAIL,
			    "cluster %s: restore failed (%s) and the failed cluster could "
			    "not be removed (%s); the old cluster %s is untouched",
			    o->cluster, why, e2.msg, v->old ? v->old->id : "(none)");
	}
	if (!v->old)
		return err_set(e, ORC_EFAIL, "cluster %s: restore from %s failed: %s", o->cluster,
		               o->snapshot, why);
	log_info("renaming %s back to %s", v->old->id, o->cluster);
	rds_cluster back;
	int found = 0;
	int rc = rds_cluster_rename(c, v->old->id, o->cluster, &e2);
	if (rc) {
		/* The rename may have been done and its answer lost: ask RDS. */
		err ge = ERR_INIT;
		rds_cluster k;
		int there = 0;
		if (rds_cluster_get(c, o->cluster, &k, &there, &ge) == 0) {
			if (there && rds_tags_get(&k.tags, RESTORE_TAG_SNAPSHOT))
				rc = 0;
			rds_cluster_free(&k);
		}
	}
	if (rc || wait_cluster(c, o->cluster, 0, o->timeout, &e2) ||
	    rds_cluster_get(c, o->cluster, &back, &found, &e2))
		return err_set(e, ORC_EFAIL,
		               "cluster %s: restore failed (%s) and renaming %s back failed (%s); "
		               "rename it back with 'aws rds modify-db-cluster --region %s "
		               "--db-cluster-identifier %s --new-db-cluster-identifier %s "
		               "--apply-immediately'",
		               o->cluster, why, v->old->id, e2.msg, aws_client_region(c),
		               v->old->id, o->cluster);
	if (found && untag_marker(c, &back, &e2))
		log_warn("cluster %s: could not remove the restore marker (%s)", o->cluster,
		         e2.msg);
	rds_cluster_free(&back);
	crash_point("rolled-back");
	return err_set(e, ORC_EFAIL,
	               "cluster %s: restore from %s failed (%s); the old cluster is back under its "
	               "name, nothing was lost",
	               o->cluster, o->snapshot, why);
}

/* The old cluster, its instances gone: kept (unmarked) or deleted as asked. */
static int retire_cluster(aws_client *c, const restore_opts *o, const rds_cluster *old,
                          char **final_snapshot, err *e)
{
	if (o->keep_old) {
		log_info("keeping the old cluster %s (--keep-old)", old->id);
		return untag_marker(c, old, e);
	}
	if (o->skip_final_snapshot) {
		log_info("deleting the old cluster %s without a final snapshot "
		         "(--skip-final-snapshot)",
		         old->id);
		aws_client_check_before_resend(c);
		return rds_cluster_delete(c, old->id, NULL, e);
	}
	char *fin = final_snapshot_name(old->id);
	log_info("deleting the old cluster %s with final snapshot %s", old->id, fin);
	free(*final_snapshot);
	*final_snapshot = fin;
	aws_client_check_before_resend(c);
	return rds_cluster_delete(c, old->id, fin, e);
}

/* The old cluster (NULL when none) lends its parameter group, port, IAM authentication,
 * log exports, copy-tags and backup retention: the application's database settings
 * survive the restore. Deletion protection waits for CONFIGURE: a restore that fails must
 * stay deletable by the rollback. */
static int do_restore(aws_client *c, const restore_opts *o, const rds_snapshot *snap,
                      const rds_cluster *old, err *e)
{
	rds_tags tags = {0};
	rds_tags_add(&tags, RESTORE_TAG_FROM, o->snapshot);
	rds_tags_add(&tags, RESTORE_TAG_REQUEST, request_of(o));
	if (o->requested_by && *o->requested_by)
		rds_tags_add(&tags, RESTORE_TAG_BY, o->requested_by);
	rds_restore_args a = {
	    .cluster_id = o->cluster,
	    .snapshot_id = o->snapshot,
	    .engine = snap->engine,
	    .engine_version = snap->engine_version,
	    .subnet_group = o->subnet_group,
	    .parameter_group =
	        old && strcmp(old->engine, snap->engine) == 0 ? old->parameter_group : NULL,
	    .security_group_ids = o->security_group_ids,
	    .nsecurity_groups = o->nsecurity_groups,
	    .v1_min = o->v1_min,
	    .v1_max = o->v1_max,
	    .v2_min = o->v2_min,
	    .v2_max = o->v2_max,
	    .tags = &tags,
	};
	if (old) {
		a.port = old->port;
		a.backup_retention = old->backup_retention;
		a.copy_tags = old->copy_tags;
		a.iam_auth = old->iam_auth;
		a.log_exports = old->log_exports;
		a.nlog_exports = old->nlog_exports;
	}
	log_info("restoring %s from snapshot %s (%s %s)", o->cluster, o->snapshot, snap->engine,
	         snap->engine_version);
	aws_client_check_before_resend(c);
	int rc = rds_cluster_restore(c, &a, e);
	rds_tags_free(&tags);
	return rc;
}

/* What a step can change, as one string: compared before and after a failed step. */
static void fingerprint(const view_store *s, buf *out)
{
	buf_clear(out);
	for (size_t i = 0; i < s->n; i++) {
		const rds_cluster *k = &s->all[i];
		if (k != s->v.live && k != s->v.old)
			continue;
		buf_printf(out, "%s:%s:%s:%d:%d;", k == s->v.live ? "live" : "old", k->id,
		           k->status, rds_tags_get(&k->tags, RESTORE_TAG_SNAPSHOT) != NULL,
		           k->deletion_protection);
	}
	for (size_t i = 0; i < s->v.nlive_instances; i++)
		buf_printf(out, "li:%s:%s;", s->v.live_instances[i]->id,
		           s->v.live_instances[i]->status);
	for (size_t i = 0; i < s->v.nold_instances; i++)
		buf_printf(out, "oi:%s:%s;", s->v.old_instances[i]->id,
		           s->v.old_instances[i]->status);
}

/*
 * A step failed with e: describe again and compare with the fingerprint taken before it.
 * 1: AWS shows a change (the step took effect, its answer was lost): e is cleared and the
 * loop goes on from the new view. 0: nothing changed, e stands. -1: AWS could not be
 * asked; e stands, with that said.
 */
static int settle_failed_step(aws_client *c, const restore_opts *o, view_store *s,
                              const buf *before, int *settles, err *e)
{
	/* A refusal at the first attempt is AWS saying it did nothing. */
	if (!aws_last_call_maybe_done(c))
		return 0;
	int unanswered = aws_last_call_ambiguous(c); /* not resent: ours to resend */
	err de = ERR_INIT;
	view_store fresh = {0};
	if (discover(c, o, &fresh, &de)) {
		view_free(&fresh);
		size_t used = strlen(e->msg);
		snprintf(e->msg + used, sizeof e->msg - used,
		         "; and RDS could not be asked what happened (%s)", de.msg);
		return -1;
	}
	buf now = BUF_INIT;
	fingerprint(&fresh, &now);
	int changed = strcmp(buf_cstr(&now), buf_cstr(before)) != 0;
	buf_free(&now);
	if (++*settles > RESTORE_MAX_SETTLES ||
	    (!changed && !(unanswered && aws_retry_wait(c, *settles)))) {
		view_free(&fresh); /* the caller's view stays valid for its message */
		return 0;
	}
	view_free(s);
	*s = fresh;
	/* The view's pointers into its own arrays stay right: only the struct moved. */
	if (changed)
		log_warn("%s; but RDS shows the clusters changed (its answer was lost): going "
		         "on from what RDS shows",
		         e->msg);
	else
		log_warn("%s; RDS shows no change: taking the step again", e->msg);
	err_clear(e);
	return 1;
}

/* The restore stops with e: when no cluster answers under the application's name, say
 * what to run (the view is described again first; on failure the last one is used). */
static void stop_hint(aws_client *c, const restore_opts *o, view_store *s, err *e)
{
	err de = ERR_INIT;
	view_store fresh = {0};
	if (discover(c, o, &fresh, &de) == 0) {
		view_free(s);
		*s = fresh;
	} else {
		view_free(&fresh); /* RDS cannot be asked: what it said last */
	}
	if (s->v.live || !s->v.old || strcmp(s->v.old->status, "deleting") == 0)
		return;
	size_t used = strlen(e->msg);
	snprintf(e->msg + used, sizeof e->msg - used,
	         ". No cluster answers as %s now: re-run the same command (with --request-id "
	         "%s) to finish the restore, or put the old cluster back with 'aws rds "
	         "modify-db-cluster --region %s --db-cluster-identifier %s "
	         "--new-db-cluster-identifier %s --apply-immediately'",
	         o->cluster, request_of(o), aws_client_region(c), s->v.old->id, o->cluster);
}

int restore_check(const rds_snapshot *snap, const restore_view *v, const restore_opts *o,
                  const char *region, err *e)
{
	if (!snap)
		return err_set(e, ORC_EREMOTE,
		               "snapshot %s: not found in %s (check --snapshot or metadata.json; "
		               "`orchestrator snapshot list` shows the cluster's snapshots)",
		               o->snapshot, region);
	if (strcmp(snap->status, "available") != 0)
		return err_set(e, ORC_EFAIL,
		               "snapshot %s: status is %s, not available (wait until it is, then "
		               "re-run)",
		               o->snapshot, snap->status);
	const rds_cluster *ref = v->old ? v->old : v->live;
	if (!ref || !*ref->engine || restored_by_us(ref, o))
		return 0;
	if (strcmp(ref->engine, snap->engine) != 0)
		return err_set(e, ORC_EUSAGE,
		               "snapshot %s: engine %s does not match cluster %s (%s); pick a "
		               "snapshot of a %s cluster",
		               o->snapshot, snap->engine, ref->id, ref->engine, ref->engine);
	return 0;
}

int restore_run(aws_client *c, const restore_opts *o, char **old_id, char **final_snapshot, err *e)
{
	rds_snapshot snap;
	view_store s = {0};
	buf waiting = BUF_INIT;
	progress *shown = NULL;
	*old_id = NULL;
	*final_snapshot = NULL;
	aws_client_set_retry_budget(c, AWS_OPERATION_RETRY_BUDGET_S);
	int found;
	buf before = BUF_INIT;
	int hint = 1;
	int rc = rds_snapshot_get(c, o->snapshot, &snap, &found, e);
	if (rc) {
		err_prefix(e, "snapshot %s", o->snapshot);
		goto out;
	}
	if ((rc = discover(c, o, &s, e)) ||
	    (rc = restore_check(found ? &snap : NULL, &s.v, o, aws_client_region(c), e)))
		goto out;

	long delay = 500, waited = 0;
	int configured = 0, settles = 0;
	for (;;) {
		s.v.configured = configured;
		buf_clear(&waiting);
		fingerprint(&s, &before);
		restore_step step = restore_next(&s.v, o, &waiting, e);
		log_verbose("restore %s: next step %s", o->cluster, restore_step_name(step));
		if (step != RESTORE_WAIT) {
			delay = 500;
			waited = 0;
			progress_end(shown); /* elapsed time per wait, as the timeout */
			shown = NULL;
		}
		switch (step) {
		case RESTORE_DONE:
			log_info("cluster %s: restored from %s and available", o->cluster,
			         o->snapshot);
			rc = 0;
			goto out;
		case RESTORE_CONFLICT:
			rc = e->code ? e->code : ORC_EFAIL;
			hint = 0; /* the conflict's message says what to do */
			goto out;
		case RESTORE_LOCK: {
			rds_tags marker = {0};
			rds_tags_add(&marker, RESTORE_TAG_SNAPSHOT, o->snapshot);
			rds_tags_add(&marker, RESTORE_TAG_REQUEST, request_of(o));
			log_info("cluster %s: marking it for the restore from %s", o->cluster,
			         o->snapshot);
			rc = rds_tag_resource(c, s.v.live->arn, &marker, e);
			rds_tags_free(&marker);
			if (rc) {
				if (settle_failed_step(c, o, &s, &before, &settles, e) == 1) {
					rc = 0;
					continue;
				}
				err_prefix(e, "cluster %s: could not tag it (RDS shows no change)",
				           o->cluster);
				goto out;
			}
			crash_point("locked");
			break;
		}
		case RESTORE_RENAME: {
			char *stamp = utc_stamp();
			char *to = xasprintf("%s%s%s", o->cluster, RESTORE_OLD_INFIX, stamp);
			/* A kept cluster from a restore in the same second has this name. */
			for (int k = 2; cluster_exists(&s, to); k++) {
				free(to);
				to =
				    xasprintf("%s%s%s-%d", o->cluster, RESTORE_OLD_INFIX, stamp, k);
			}
			free(stamp);
			log_info("renaming %s to %s", o->cluster, to);
			aws_client_check_before_resend(c);
			rc = rds_cluster_rename(c, o->cluster, to, e);
			if (rc) {
				int settled = settle_failed_step(c, o, &s, &before, &settles, e);
				if (settled == 1) {
					rc = 0;
					free(*old_id);
					*old_id = to;
					continue;
				}
				err_prefix(e,
				           settled == 0
				               ? "cluster %s: rename to %s failed (RDS shows "
				                 "the cluster unchanged; re-run to retry)"
				               : "cluster %s: rename to %s failed",
				           o->cluster, to);
				free(to);
				goto out;
			}
			free(*old_id);
			*old_id = to;
			crash_point("renamed");
			break;
		}
		case RESTORE_RESTORE:
			crash_point("before-restore");
			if (do_restore(c, o, &snap, s.v.old, e)) {
				/* Roll back only when RDS shows that no restore started. */
				int settled = settle_failed_step(c, o, &s, &before, &settles, e);
				if (settled == 1)
					continue;
				if (settled < 0) {
					rc = e->code ? e->code : ORC_EFAIL;
					goto out;
				}
				char *why = xstrdup(e->msg);
				err_clear(e);
				rc = rollback(c, o, &s.v, why, e);
				free(why);
				goto out;
			}
			crash_point("restoring");
			break;
		case RESTORE_WAIT:
			if (waited / 1000 >= o->timeout) {
				rc = err_set(e, ORC_EFAIL,
				             "restore of %s: still waiting for %s after %ds (the "
				             "restore is not finished: re-run the same command to "
				             "resume it)",
				             o->cluster, buf_cstr(&waiting), o->timeout);
				goto out;
			}
			if (!shown)
				shown = progress_start("restore of %s", o->cluster);
			progress_update(shown, LOG_TONE_BUSY, buf_cstr(&waiting), NULL);
			clock_sleep_ms(delay);
			waited += delay;
			delay = delay * 2 > 30000 ? 30000 : delay * 2;
			break;
		case RESTORE_INSTANCE: {
			size_t k = s.v.nlive_instances;
			/* Copy the old cluster's classes in order; Serverless v2 alone: one. */
			const char *klass =
			    k < s.v.nold_instances ? s.v.old_instances[k]->klass : "db.serverless";
			char *stamp = utc_stamp();
			char *id = xasprintf("%.40s-%s-%zu", o->cluster, stamp, k + 1);
			free(stamp);
			log_info("adding DB instance %s (%s) to %s", id, klass, o->cluster);
			aws_client_check_before_resend(c);
			rc = rds_instance_create(c, id, o->cluster, snap.engine, klass, e);
			if (rc) {
				if (settle_failed_step(c, o, &s, &before, &settles, e) == 1) {
					rc = 0;
					free(id);
					continue;
				}
				err_prefix(e,
				           "cluster %s: restored, but adding instance %s failed "
				           "(the old cluster is untouched; re-run to retry)",
				           o->cluster, id);
				free(id);
				goto out;
			}
			free(id);
			crash_point("instance-added");
			break;
		}
		case RESTORE_CONFIGURE: {
			rds_modify_args m;
			buf what = BUF_INIT;
			restore_settings_missing(s.v.live, s.v.old, &m);
			restore_settings_describe(&m, &what);
			log_info("cluster %s: carrying over from %s: %s", o->cluster, s.v.old->id,
			         buf_cstr(&what));
			rc = rds_cluster_modify(c, o->cluster, &m, e);
			free((void *)m.enable_logs);
			if (rc) {
				if (settle_failed_step(c, o, &s, &before, &settles, e) == 1) {
					rc = 0;
					buf_free(&what);
					continue;
				}
				err_prefix(e,
				           "cluster %s: restored, but setting %s failed (the old "
				           "cluster %s is untouched; re-run to retry)",
				           o->cluster, buf_cstr(&what), s.v.old->id);
				buf_free(&what);
				goto out;
			}
			buf_free(&what);
			configured = 1;
			crash_point("configured");
			break;
		}
		case RESTORE_UNPROTECT: {
			log_info(
			    "cluster %s: turning deletion protection off on the old cluster %s "
			    "(the restored cluster is available and protected)",
			    o->cluster, s.v.old->id);
			rds_modify_args m = RDS_MODIFY_NONE;
			m.deletion_protection = 0;
			rc = rds_cluster_modify(c, s.v.old->id, &m, e);
			if (rc) {
				if (settle_failed_step(c, o, &s, &before, &settles, e) == 1) {
					rc = 0;
					continue;
				}
				err_prefix(
				    e,
				    "cluster %s: restored, but turning deletion protection off "
				    "on the old cluster %s failed (pass --keep-old to keep it, "
				    "or re-run to retry)",
				    o->cluster, s.v.old->id);
				goto out;
			}
			crash_point("unprotected");
			break;
		}
		case RESTORE_RETIRE: {
			crash_point("restored");
			const rds_cluster *old = s.v.old;
			free(*old_id);
			*old_id = xstrdup(old->id);
			size_t dropping = 0;
			for (size_t i = 0; !o->keep_old && rc == 0 && i < s.v.nold_instances; i++) {
				const rds_instance *in = s.v.old_instances[i];
				if (strcmp(in->status, "deleting") == 0)
					continue;
				log_info(
				    "deleting DB instance %s of the old cluster %s (the cluster "
				    "keeps the data)",
				    in->id, old->id);
				aws_client_check_before_resend(c);
				rc = rds_instance_delete(c, in->id, e);
				dropping++;
			}
			if (dropping && rc == 0) {
				crash_point("old-instances-deleting");
				break; /* the cluster goes once its instances are gone */
			}
			if (rc == 0)
				rc = retire_cluster(c, o, old, final_snapshot, e);
			if (rc) {
				if (settle_failed_step(c, o, &s, &before, &settles, e) == 1) {
					rc = 0;
					continue;
				}
				err_prefix(e,
				           "cluster %s: restored, but retiring the old cluster %s "
				           "failed (pass --keep-old to keep it, or re-run the same "
				           "command to retry)",
				           o->cluster, old->id);
				goto out;
			}
			crash_point("retired");
			break;
		}
		case RESTORE_ROLLBACK: {
			char *why = xasprintf("the restored cluster is %s", s.v.live->status);
			rc = rollback(c, o, &s.v, why, e);
			free(why);
			goto out;
		}
		}
		if ((rc = discover(c, o, &s, e)))
			goto out;
	}
out:
	progress_end(shown);
	if (rc && hint)
		stop_hint(c, o, &s, e);
	buf_free(&before);
	buf_free(&waiting);
	view_free(&s);
	rds_snapshot_free(&snap);
	return rc;
}
