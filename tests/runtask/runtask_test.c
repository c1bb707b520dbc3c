/*
 * runtask unit tests: which container gets the command override, and the command itself.
 */
#include "tap.h"

#include <stdlib.h>
#include <string.h>

#include "runtask/runtask.h"

static const cJSON *pick(const char *json, cJSON **doc)
{
	*doc = cJSON_Parse(json);
	assert_non_null(*doc);
	return runtask_pick_container(*doc);
}

static void test_pick_container(void **state)
{
	(void)state;
	cJSON *d;
	const cJSON *c =
	    pick("{\"containerDefinitions\":[{\"name\":\"only\",\"essential\":false}]}", &d);
	assert_string_equal(cJSON_GetObjectItem(c, "name")->valuestring, "only");
	cJSON_Delete(d);
	c = pick("{\"containerDefinitions\":[{\"name\":\"xray\",\"essential\":false},"
	         "{\"name\":\"router\",\"firelensConfiguration\":{\"type\":\"fluentbit\"}},"
	         "{\"name\":\"flyway\"},{\"name\":\"other\",\"essential\":true}]}",
	         &d);
	assert_string_equal(cJSON_GetObjectItem(c, "name")->valuestring, "flyway");
	cJSON_Delete(d);
	c = pick("{\"containerDefinitions\":[{\"name\":\"a\",\"essential\":false},"
	         "{\"name\":\"b\",\"essential\":false}]}",
	         &d);
	assert_null(c);
	cJSON_Delete(d);
}

static void test_command(void **state)
{
	(void)state;
	config_region r;
	memset(&r, 0, sizeof r);
	size_t n = 0;
	char **argv = runtask_command(&r, "feature/x", &n);
	assert_int_equal(n, 4);
	assert_string_equal(argv[0], "orchestrator");
	assert_string_equal(argv[2], "--git-branch");
	assert_string_equal(argv[3], "feature/x");
	assert_null(argv[4]);
	config_free_list(argv);
	char *custom[] = {"/flyway/scripts/flyway-rds-migration.sh", "{branch}",
	                  "a{branch}{branch}", NULL};
	r.task_command = custom;
	r.task_command_len = 3;
	argv = runtask_command(&r, "main", &n);
	assert_int_equal(n, 3);
	assert_string_equal(argv[1], "main");
	assert_string_equal(argv[2], "amainmain");
	config_free_list(argv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pick_container),
	    cmocka_unit_test(test_command),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
