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
	const rds_cluster *w = NULL;
	assert_int_equal(restore_next(&v, &o, &w, &e), RESTORE_WAIT);
	assert_ptr_equal(w, &live);
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
	rds_cluster old = cluster("db-pre-restore-20260101-000000", "available", "aurora-postgresql");
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
	rds_cluster old = cluster("db-pre-restore-20260101-000000", "available", "aurora-postgresql");
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
	rds_cluster old = cluster("db-pre-restore-20260101-000000", "available", "aurora-postgresql");
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
	rds_cluster old = cluster("db-pre-restore-20260101-000000", "available", "aurora-postgresql");
	mark(&old, "snap-1", "req-2");
	assert_int_equal(next(NULL, &old, &e), RESTORE_CONFLICT);
	assert_non_null(strstr(e.msg, "req-2"));
	rds_cluster_free(&old);
}

static void test_unknown_cluster_beside_old_is_left_alone(void **state)
{
	(void)state;
	err e = ERR_INIT;
	rds_cluster old = cluster("db-pre-restore-20260101-000000", "available", "aurora-postgresql");
	mark(&old, "snap-1", "req-1");
	rds_cluster live = cluster("db", "available", "aurora-postgresql");
	assert_int_equal(next(&live, &old, &e), RESTORE_CONFLICT);
	assert_non_null(strstr(e.msg, "not restored by this request"));
	rds_cluster_free(&old);
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
