/* restore_next and restore_check: every state the restore can find in AWS, and the checks
 * that run before anything changes. Pure functions over rds_cluster values. */
#include "tap.h"

#include <stdlib.h>
#include <string.h>

#include "snapshot/restore.h"

static rds_cluster cluster(const char *id, const char *status, const char *engine)
{
	rds_cluster c;
	memset(&c, 0, sizeof c);
	c.id = xstrdup(id);
	c.arn = xasprintf("arn:aws:rds:us-west-2:123456789012:cluster:%s", id);
	c.status = xstrdup(status);
	c.engine = xstrdup(engine);
	c.engine_version = xstrdup("15.4");
	return c;
}

static restore_opts opts(void)
{
	restore_opts o;
	memset(&o, 0, sizeof o);
	o.cluster = "db";
	o.snapshot = "snap-1";
	o.request_id = "req-1";
	o.timeout = 10;
	return o;
}

static void mark(rds_cluster *c, const char *snapshot, const char *request)
{
	rds_tags_add(&c->tags, RESTORE_TAG_SNAPSHOT, snapshot);
	rds_tags_add(&c->tags, RESTORE_TAG_REQUEST, request);
}

static void restored(rds_cluster *c, const char *snapshot, const char *request)
{
	rds_tags_add(&c->tags, RESTORE_TAG_FROM, snapshot);
	rds_tags_add(&c->tags, RESTORE_TAG_REQUEST, request);
}

static restore_step next(const rds_cluster *live, const rds_cluster *old, err *e)
{
	restore_opts o = opts();
	restore_view v = {live, old};
	return restore_next(&v, &o, NULL, e);
}

static void test_fresh_cluster_is_locked_first(void **state)
{
	(void)state;
	err e = ERR_INIT;
	rds_cluster live = cluster("db", "available", "aurora-postgresql");
	assert_int_equal(next(&live, NULL, &e), RESTORE_LOCK);
	rds_cluster_free(&live);
}

static void test_busy_cluster_is_waited_for(void **state)
{
	(void)state;
	err e = ERR_INIT;
	rds_cluster live = cluster("db", "modifying", "aurora-postgresql");
	restore_opts o = opts();
	restore_view v = {&live, NULL};
	buf w = BUF_INIT;
	assert_int_equal(restore_next(&v, &o, &w, &e), RESTORE_WAIT);
	assert_string_equal(buf_cstr(&w), "cluster db (modifying)");
	buf_free(&w);
	rds_cluster_free(&live);
}

static void test_no_cluster_restores_directly(void **state)
{
	(void)state;
	err e = ERR_INIT;
	assert_int_equal(next(NULL, NULL, &e), RESTORE_RESTORE);
}

static void test_locked_cluster_is_renamed(void **state)
{
	(void)state;
	err e = ERR_INIT;
	rds_cluster live = cluster("db", "available", "aurora-postgresql");
	mark(&live, "snap-1", "req-1");
	assert_int_equal(next(&live, NULL, &e), RESTORE_RENAME);
	free(live.status);
	live.status = xstrdup("renaming");
	assert_int_equal(next(&live, NULL, &e), RESTORE_WAIT);
	rds_cluster_free(&live);
}

static void test_renamed_old_alone_means_restore(void **state)
{
	(void)state;
	err e = ERR_INIT;
	rds_cluster old =
	    cluster("db-pre-restore-20260101-000000", "available", "aurora-postgresql");
	mark(&old, "snap-1", "req-1");
	assert_int_equal(next(NULL, &old, &e), RESTORE_RESTORE);
	free(old.status);
	old.status = xstrdup("renaming");
	assert_int_equal(next(NULL, &old, &e), RESTORE_WAIT);
	rds_cluster_free(&old);
}

static void test_restoring_waits_then_retires(void **state)
{
	(void)state;
	err e = ERR_INIT;
	rds_cluster old =
	    cluster("db-pre-restore-20260101-000000", "available", "aurora-postgresql");
	mark(&old, "snap-1", "req-1");
	rds_cluster live = cluster("db", "creating", "aurora-postgresql");
	restored(&live, "snap-1", "req-1");
	assert_int_equal(next(&live, &old, &e), RESTORE_WAIT);
	free(live.status);
	live.status = xstrdup("available");
	assert_int_equal(next(&live, &old, &e), RESTORE_RETIRE);
	/* The old one being deleted: wait for it to go, never delete twice. */
	free(old.status);
	old.status = xstrdup("deleting");
	assert_int_equal(next(&live, &old, &e), RESTORE_WAIT);
	rds_cluster_free(&old);
	rds_cluster_free(&live);
}

static void test_failed_restore_rolls_back(void **state)
{
	(void)state;
	err e = ERR_INIT;
	rds_cluster old =
	    cluster("db-pre-restore-20260101-000000", "available", "aurora-postgresql");
	mark(&old, "snap-1", "req-1");
	rds_cluster live = cluster("db", "incompatible-restore", "aurora-postgresql");
	restored(&live, "snap-1", "req-1");
	assert_int_equal(next(&live, &old, &e), RESTORE_ROLLBACK);
	rds_cluster_free(&old);
	rds_cluster_free(&live);
}

static void test_done_only_for_this_request(void **state)
{
	(void)state;
	err e = ERR_INIT;
	rds_cluster live = cluster("db", "available", "aurora-postgresql");
	restored(&live, "snap-1", "req-1");
	assert_int_equal(next(&live, NULL, &e), RESTORE_DONE);
	rds_cluster_free(&live);
	/* Restored by an earlier request: a new request restores again. */
	live = cluster("db", "available", "aurora-postgresql");
	restored(&live, "snap-1", "req-0");
	assert_int_equal(next(&live, NULL, &e), RESTORE_LOCK);
	rds_cluster_free(&live);
}

static void test_another_restore_is_refused(void **state)
{
	(void)state;
	err e = ERR_INIT;
	rds_cluster live = cluster("db", "available", "aurora-postgresql");
	mark(&live, "snap-other", "req-9");
	assert_int_equal(next(&live, NULL, &e), RESTORE_CONFLICT);
	assert_int_equal(e.code, ORC_EFAIL);
	assert_non_null(strstr(e.msg, "snap-other"));
	assert_non_null(strstr(e.msg, "req-9"));
	rds_cluster_free(&live);

	err_clear(&e);
	rds_cluster old =
	    cluster("db-pre-restore-20260101-000000", "available", "aurora-postgresql");
	mark(&old, "snap-1", "req-2");
	assert_int_equal(next(NULL, &old, &e), RESTORE_CONFLICT);
	assert_non_null(strstr(e.msg, "req-2"));
	rds_cluster_free(&old);
}

static void test_unknown_cluster_beside_old_is_left_alone(void **state)
{
	(void)state;
	err e = ERR_INIT;
	rds_cluster old =
	    cluster("db-pre-restore-20260101-000000", "available", "aurora-postgresql");
	mark(&old, "snap-1", "req-1");
	rds_cluster live = cluster("db", "available", "aurora-postgresql");
	assert_int_equal(next(&live, &old, &e), RESTORE_CONFLICT);
	assert_non_null(strstr(e.msg, "not restored by this request"));
	rds_cluster_free(&old);
	rds_cluster_free(&live);
}

static rds_instance instance(const char *id, const char *cluster_id, const char *status)
{
	rds_instance in = {(char *)id, (char *)cluster_id, (char *)status, (char *)"db.r6g.large"};
	return in;
}

static void test_instances_before_the_old_cluster_goes(void **state)
{
	(void)state;
	err e = ERR_INIT;
	restore_opts o = opts();
	rds_cluster old =
	    cluster("db-pre-restore-20260101-000000", "available", "aurora-postgresql");
	mark(&old, "snap-1", "req-1");
	rds_cluster live = cluster("db", "available", "aurora-postgresql");
	restored(&live, "snap-1", "req-1");
	rds_instance o1 = instance("db-1", old.id, "available");
	rds_instance o2 = instance("db-2", old.id, "available");
	rds_instance n1 = instance("db-x-1", "db", "creating");
	const rds_instance *olds[] = {&o1, &o2};
	const rds_instance *news[] = {&n1};
	restore_view v = {&live, &old, news, 0, olds, 2};
	buf w = BUF_INIT;

	assert_int_equal(restore_instances_wanted(&v, &o), 2);
	/* No instance yet: add one, even with --keep-old. */
	assert_int_equal(restore_next(&v, &o, &w, &e), RESTORE_INSTANCE);
	o.keep_old = 1;
	assert_int_equal(restore_next(&v, &o, &w, &e), RESTORE_INSTANCE);
	o.keep_old = 0;
	/* One of two, creating: the second still comes first. */
	v.nlive_instances = 1;
	assert_int_equal(restore_next(&v, &o, &w, &e), RESTORE_INSTANCE);
	/* Both there, one creating: wait, the old cluster is not touched. */
	rds_instance n2 = instance("db-x-2", "db", "available");
	const rds_instance *news2[] = {&n1, &n2};
	v.live_instances = news2;
	v.nlive_instances = 2;
	buf_clear(&w);
	assert_int_equal(restore_next(&v, &o, &w, &e), RESTORE_WAIT);
	assert_string_equal(buf_cstr(&w), "instance db-x-1 (creating)");
	/* All available: retire (its instances first). */
	n1.status = (char *)"available";
	assert_int_equal(restore_next(&v, &o, &w, &e), RESTORE_RETIRE);
	/* Old instances all deleting: wait for them before deleting the cluster. */
	o1.status = o2.status = (char *)"deleting";
	buf_clear(&w);
	assert_int_equal(restore_next(&v, &o, &w, &e), RESTORE_WAIT);
	assert_string_equal(buf_cstr(&w), "instance db-1 (deleting)");
	/* Gone: retire (the cluster itself). */
	v.nold_instances = 0;
	assert_int_equal(restore_next(&v, &o, &w, &e), RESTORE_RETIRE);
	buf_free(&w);
	rds_cluster_free(&old);
	rds_cluster_free(&live);
}

static void set_settings(rds_cluster *c, const char *secret, int protection, int retention)
{
	free(c->secret_arn);
	free(c->secret_status);
	c->secret_arn = xstrdup(secret);
	c->secret_status = xstrdup(*secret ? "active" : "");
	c->deletion_protection = protection;
	c->backup_retention = retention;
	c->port = 5432;
}

static void add_log(rds_cluster *c, const char *type)
{
	c->log_exports = xrealloc(c->log_exports, (c->nlog_exports + 1) * sizeof *c->log_exports);
	c->log_exports[c->nlog_exports++] = xstrdup(type);
}

static void test_settings_missing(void **state)
{
	(void)state;
	rds_cluster old =
	    cluster("db-pre-restore-20260101-000000", "available", "aurora-postgresql");
	rds_cluster live = cluster("db", "available", "aurora-postgresql");
	set_settings(&old, "arn:aws:secretsmanager:us-west-2:1:secret:rds!cluster-a", 1, 7);
	set_settings(&live, "", 0, 1);
	old.copy_tags = old.iam_auth = 1;
	old.port = 5433;
	add_log(&old, "postgresql");
	add_log(&old, "instance");
	add_log(&live, "instance");
	rds_modify_args m;
	buf w = BUF_INIT;
	assert_int_equal(restore_settings_missing(&live, &old, &m), 7);
	assert_int_equal(m.manage_secret, 1);
	assert_int_equal(m.deletion_protection, 1);
	assert_int_equal(m.backup_retention, 7);
	assert_int_equal(m.copy_tags, 1);
	assert_int_equal(m.iam_auth, 1);
	assert_int_equal(m.port, 5433);
	assert_int_equal(m.nenable_logs, 1);
	assert_string_equal(m.enable_logs[0], "postgresql");
	restore_settings_describe(&m, &w);
	assert_string_equal(buf_cstr(&w),
	                    "master user secret managed by RDS, deletion protection on, backup "
	                    "retention 7 days, copy tags to snapshots on, IAM database "
	                    "authentication on, port 5433, log export postgresql");
	free((void *)m.enable_logs);
	/* Once the restored cluster has them: nothing; the old cluster's protection going
	 * off (UNPROTECT) does not take the new one's away, nor does a different secret. */
	set_settings(&live, "arn:aws:secretsmanager:us-west-2:1:secret:rds!cluster-b", 1, 7);
	live.copy_tags = live.iam_auth = 1;
	live.port = 5433;
	add_log(&live, "postgresql");
	old.deletion_protection = 0;
	assert_int_equal(restore_settings_missing(&live, &old, &m), 0);
	free((void *)m.enable_logs);
	/* A secret the old cluster did not have is not taken away, nor protection added. */
	set_settings(&old, "", 0, 7);
	old.port = 5433;
	assert_int_equal(restore_settings_missing(&live, &old, &m), 0);
	free((void *)m.enable_logs);
	buf_free(&w);
	rds_cluster_free(&old);
	rds_cluster_free(&live);
}

/* Settings, then the new secret, then the old cluster's protection, then the old cluster:
 * every step found again from what AWS shows. */
static void test_settings_before_the_old_cluster_goes(void **state)
{
	(void)state;
	err e = ERR_INIT;
	restore_opts o = opts();
	rds_cluster old =
	    cluster("db-pre-restore-20260101-000000", "available", "aurora-postgresql");
	mark(&old, "snap-1", "req-1");
	set_settings(&old, "arn:aws:secretsmanager:us-west-2:1:secret:rds!cluster-a", 1, 7);
	rds_cluster live = cluster("db", "available", "aurora-postgresql");
	restored(&live, "snap-1", "req-1");
	set_settings(&live, "", 0, 7);
	rds_instance n1 = instance("db-x-1", "db", "available");
	const rds_instance *news[] = {&n1};
	restore_view v = {&live, &old, news, 1, NULL, 0, 0};
	buf w = BUF_INIT;

	assert_int_equal(restore_next(&v, &o, &w, &e), RESTORE_CONFIGURE);
	o.keep_old = 1;
	assert_int_equal(restore_next(&v, &o, &w, &e), RESTORE_CONFIGURE);
	o.keep_old = 0;
	/* Sent once by this process and not there yet: wait, saying for what. */
	v.configured = 1;
	assert_int_equal(restore_next(&v, &o, &w, &e), RESTORE_WAIT);
	assert_string_equal(buf_cstr(&w), "settings of cluster db (master user secret managed "
	                                  "by RDS, deletion protection on)");
	/* Applied, its secret still being created: wait. */
	set_settings(&live, "arn:aws:secretsmanager:us-west-2:1:secret:rds!cluster-b", 1, 7);
	free(live.secret_status);
	live.secret_status = xstrdup("creating");
	buf_clear(&w);
	assert_int_equal(restore_next(&v, &o, &w, &e), RESTORE_WAIT);
	assert_string_equal(buf_cstr(&w), "master user secret of cluster db (creating)");
	/* Active: the old cluster's protection goes off, unless it is kept. */
	free(live.secret_status);
	live.secret_status = xstrdup("active");
	v.configured = 0;
	assert_int_equal(restore_next(&v, &o, &w, &e), RESTORE_UNPROTECT);
	o.keep_old = 1;
	assert_int_equal(restore_next(&v, &o, &w, &e), RESTORE_RETIRE);
	o.keep_old = 0;
	/* Being modified: wait for it. */
	free(old.status);
	old.status = xstrdup("modifying");
	buf_clear(&w);
	assert_int_equal(restore_next(&v, &o, &w, &e), RESTORE_WAIT);
	assert_string_equal(buf_cstr(&w), "cluster db-pre-restore-20260101-000000 (modifying)");
	/* Off and available: retire. */
	free(old.status);
	old.status = xstrdup("available");
	old.deletion_protection = 0;
	assert_int_equal(restore_next(&v, &o, &w, &e), RESTORE_RETIRE);
	buf_free(&w);
	rds_cluster_free(&old);
	rds_cluster_free(&live);
}

static void test_serverless_v2_needs_one_instance(void **state)
{
	(void)state;
	err e = ERR_INIT;
	restore_opts o = opts();
	o.v2_min = 0.5;
	o.v2_max = 4;
	rds_cluster live = cluster("db", "available", "aurora-postgresql");
	restored(&live, "snap-1", "req-1");
	restore_view v = {&live, NULL, NULL, 0, NULL, 0};
	assert_int_equal(restore_next(&v, &o, NULL, &e), RESTORE_INSTANCE);
	rds_instance n1 = instance("db-x-1", "db", "available");
	const rds_instance *news[] = {&n1};
	v.live_instances = news;
	v.nlive_instances = 1;
	assert_int_equal(restore_next(&v, &o, NULL, &e), RESTORE_DONE);
	o.v2_max = 0;
	v.nlive_instances = 0;
	assert_int_equal(restore_next(&v, &o, NULL, &e), RESTORE_DONE);
	rds_cluster_free(&live);
}

static rds_snapshot snapshot(const char *status, const char *engine)
{
	rds_snapshot s;
	memset(&s, 0, sizeof s);
	s.id = xstrdup("snap-1");
	s.status = xstrdup(status);
	s.engine = xstrdup(engine);
	return s;
}

static void test_checks_before_any_change(void **state)
{
	(void)state;
	restore_opts o = opts();
	rds_cluster live = cluster("db", "available", "aurora-postgresql");
	restore_view v = {&live, NULL};
	err e = ERR_INIT;

	assert_int_equal(restore_check(NULL, &v, &o, "us-west-2", &e), ORC_EREMOTE);
	assert_non_null(strstr(e.msg, "snap-1: not found in us-west-2"));

	rds_snapshot s = snapshot("creating", "aurora-postgresql");
	err_clear(&e);
	assert_int_equal(restore_check(&s, &v, &o, "us-west-2", &e), ORC_EFAIL);
	assert_non_null(strstr(e.msg, "status is creating, not available"));
	rds_snapshot_free(&s);

	s = snapshot("available", "aurora-mysql");
	err_clear(&e);
	assert_int_equal(restore_check(&s, &v, &o, "us-west-2", &e), ORC_EUSAGE);
	assert_non_null(strstr(e.msg, "engine aurora-mysql does not match cluster db"));
	rds_snapshot_free(&s);

	s = snapshot("available", "aurora-postgresql");
	err_clear(&e);
	assert_int_equal(restore_check(&s, &v, &o, "us-west-2", &e), 0);
	restore_view none = {NULL, NULL};
	assert_int_equal(restore_check(&s, &none, &o, "us-west-2", &e), 0);
	rds_snapshot_free(&s);
	rds_cluster_free(&live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fresh_cluster_is_locked_first),
	    cmocka_unit_test(test_busy_cluster_is_waited_for),
	    cmocka_unit_test(test_no_cluster_restores_directly),
	    cmocka_unit_test(test_locked_cluster_is_renamed),
	    cmocka_unit_test(test_renamed_old_alone_means_restore),
	    cmocka_unit_test(test_restoring_waits_then_retires),
	    cmocka_unit_test(test_failed_restore_rolls_back),
	    cmocka_unit_test(test_done_only_for_this_request),
	    cmocka_unit_test(test_another_restore_is_refused),
	    cmocka_unit_test(test_unknown_cluster_beside_old_is_left_alone),
	    cmocka_unit_test(test_checks_before_any_change),
	    cmocka_unit_test(test_instances_before_the_old_cluster_goes),
	    cmocka_unit_test(test_serverless_v2_needs_one_instance),
	    cmocka_unit_test(test_settings_missing),
	    cmocka_unit_test(test_settings_before_the_old_cluster_goes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
