/* The operation table: verbs and aliases, payload keys, and CHANGE ME where needed. */
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/operations.h"
#include "trigger/trigger.h"

static config *load(const char *json)
{
	char path[] = "/tmp/orc-ops-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, json, strlen(json)), (ssize_t)strlen(json));
	close(fd);
	config *c = NULL;
	err e = ERR_INIT;
	assert_int_equal(config_load(path, &c, NULL, &e), 0);
	unlink(path);
	return c;
}

static void test_find(void **state)
{
	(void)state;
	size_t n;
	config_operations(&n);
	assert_int_equal(n, 8);
	assert_ptr_equal(config_operation_find("run_migration"),
	                 config_operation_find("run-migration"));
	assert_null(config_operation_find("run-migrations"));
	assert_int_equal(config_operation_find("deploy-infrastructure")->keys,
	                 OP_REGION | OP_FOLDER);
	assert_int_equal(config_operation_find("compare_databases")->keys,
	                 OP_REGION | OP_SOURCE | OP_TARGET);
}

static void test_needs(void **state)
{
	(void)state;
	config *c = load("{\"githubOwner\":\"acme\",\"infrastructure\":{"
	                 "\"us-west-2\":{},\"eu-west-1\":{\"terraformBucket\":\"tf\"}}}");
	config_problems p = {NULL, 0};
	const config_operation *deploy = config_operation_find("deploy-infrastructure");
	assert_int_equal(config_operation_check(c, deploy, "eu-west-1", 0, &p), 0);
	assert_int_equal(config_operation_check(c, deploy, NULL, 0, &p), 1);
	assert_non_null(strstr(p.lines[0], "infrastructure[\"us-west-2\"].terraformBucket"));
	config_problems_free(&p);
	/* For a dispatch the repository must be named too: githubRepo is still CHANGE ME. */
	assert_int_equal(
	    config_operation_check(c, config_operation_find("generate-markdown"), NULL, 1, &p), 1);
	assert_non_null(strstr(p.lines[0], "githubRepo: still \"CHANGE ME\""));
	config_problems_free(&p);
	config_free(c);
}

static void test_payload(void **state)
{
	(void)state;
	trigger_values v = {"us-west-2", "main", NULL, NULL, "me", "00ff"};
	cJSON *p = trigger_payload(config_operation_find("create-snapshot"), &v);
	char *text = cJSON_PrintUnformatted(p);
	assert_string_equal(
	    text, "{\"region\":\"us-west-2\",\"requested_by\":\"me\",\"request_id\":\"00ff\"}");
	free(text);
	cJSON_Delete(p);
	char *id = trigger_request_id(), *id2 = trigger_request_id();
	assert_int_equal(strlen(id), 32);
	assert_int_equal(strspn(id, "0123456789abcdef"), 32);
	assert_string_not_equal(id, id2);
	free(id);
	free(id2);
}

static void test_names(void **state)
{
	(void)state;
	err e = ERR_INIT;
	assert_int_equal(trigger_check_snapshot("a", &e), 0);
	assert_int_equal(trigger_check_snapshot("a-1-b", &e), 0);
	assert_int_equal(trigger_check_snapshot("a--b", &e), ORC_EUSAGE);
	assert_int_equal(trigger_check_branch("release/2024.1", &e), 0);
	assert_int_equal(trigger_check_branch("HEAD@{1}", &e), ORC_EUSAGE);
	assert_true(config_region_name_ok("us-gov-west-1"));
	assert_false(config_region_name_ok("US-WEST-2"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_find),
	    cmocka_unit_test(test_needs),
	    cmocka_unit_test(test_payload),
	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
