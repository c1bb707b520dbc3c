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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
