/* GitHub's limits on a repository_dispatch event, checked before anything is sent. */
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "net/github.h"

static void test_event_type_length(void **state)
{
	(void)state;
	err e = ERR_INIT;
	char name[GITHUB_EVENT_TYPE_MAX + 2];
	memset(name, 'e', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	assert_int_equal(github_dispatch_check(name, NULL, &e), ORC_EUSAGE);
	assert_non_null(strstr(e.msg, "101 characters"));
	name[GITHUB_EVENT_TYPE_MAX] = '\0';
	err_clear(&e);
	assert_int_equal(github_dispatch_check(name, NULL, &e), 0);
	assert_int_equal(github_dispatch_check("", NULL, &e), ORC_EUSAGE);
}

static void test_payload_keys(void **state)
{
	(void)state;
	err e = ERR_INIT;
	cJSON *p = cJSON_CreateObject();
	char key[16];
	for (int i = 0; i < GITHUB_PAYLOAD_MAX_KEYS; i++) {
		snprintf(key, sizeof key, "k%d", i);
		cJSON_AddStringToObject(p, key, "v");
	}
	assert_int_equal(github_dispatch_check("run-migration", p, &e), 0);
	cJSON_AddStringToObject(p, "one-more", "v");
	assert_int_equal(github_dispatch_check("run-migration", p, &e), ORC_EUSAGE);
	assert_non_null(strstr(e.msg, "11 top-level keys"));
	cJSON_Delete(p);
}

static void test_payload_size(void **state)
{
	(void)state;
	err e = ERR_INIT;
	cJSON *p = cJSON_CreateObject();
	/* {"k":"<v>"} is len(v) + 8 bytes: find the boundary at 64 KB exactly. */
	size_t n = GITHUB_PAYLOAD_MAX_BYTES - 9;
	char *v = malloc(n + 2);
	memset(v, 'x', n);
	v[n] = '\0';
	cJSON_AddStringToObject(p, "k", v);
	assert_int_equal(github_dispatch_check("e", p, &e), 0);
	cJSON_DeleteItemFromObject(p, "k");
	v[n] = 'x';
	v[n + 1] = '\0';
	cJSON_AddStringToObject(p, "k", v);
	assert_int_equal(github_dispatch_check("e", p, &e), ORC_EUSAGE);
	assert_non_null(strstr(e.msg, "under 65536"));
	free(v);
	cJSON_Delete(p);
}

static void test_request_url_escapes(void **state)
{
	(void)state;
	err e = ERR_INIT;
	buf url = BUF_INIT, body = BUF_INIT;
	setenv("GITHUB_API_URL", "https://ghe.example.com/api/v3/", 1);
	github_repo r = {"CHANGE ME", "db/../x", NULL, "T"};
	assert_int_equal(github_dispatch_request(&r, "build-image", NULL, &url, &body, &e), 0);
	assert_string_equal(
	    url.ptr, "https://ghe.example.com/api/v3/repos/CHANGE%20ME/db%2F..%2Fx/dispatches");
	assert_string_equal(body.ptr, "{\"event_type\":\"build-image\"}");
	char *actions = github_actions_url(&r);
	assert_string_equal(actions, "https://ghe.example.com/CHANGE%20ME/db%2F..%2Fx/actions");
	free(actions);
	setenv("GITHUB_API_URL", "ftp://x", 1);
	assert_int_equal(github_dispatch_request(&r, "build-image", NULL, &url, &body, &e),
	                 ORC_EUSAGE);
	assert_non_null(strstr(e.msg, "GITHUB_API_URL=ftp://x"));
	unsetenv("GITHUB_API_URL");
	r.owner = "acme";
	r.repo = "db";
	actions = github_actions_url(&r);
	assert_string_equal(actions, "https://github.com/acme/db/actions");
	free(actions);
	buf_free(&url);
	buf_free(&body);
}

int main(void)
{
	unsetenv("GITHUB_SERVER_URL");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_event_type_length),
	    cmocka_unit_test(test_payload_keys),
	    cmocka_unit_test(test_payload_size),
	    cmocka_unit_test(test_request_url_escapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
