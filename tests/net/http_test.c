/*
 * net/http and the GitHub API base: hostile answers and URLs. A Retry-After too large for
 * seconds * 1000 is clamped on parse; only loopback IP literals count as loopback; user
 * info never appears in a printed URL, libcurl's own errors included (a real request to a
 * closed port); a plain-http GITHUB_API_URL is refused unless it is loopback.
 */
#include "tap.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "net/github.h"
#include "net/http.h"

static long retry_after(const char *value)
{
	http_response r = {0, BUF_INIT, BUF_INIT};
	buf_printf(&r.headers, "HTTP/1.1 403 Forbidden\r\nRetry-After: %s\r\n\r\n", value);
	long ms = http_retry_after_ms(&r);
	http_response_free(&r);
	return ms;
}

static void test_retry_after_clamped(void **state)
{
	(void)state;
	assert_int_equal(retry_after("2"), 2000);
	assert_int_equal(retry_after("9223372036854775807"), HTTP_RETRY_AFTER_MAX_MS);
	assert_int_equal(retry_after("99999999999999999999999"), HTTP_RETRY_AFTER_MAX_MS);
	assert_int_equal(retry_after("9223372036854775"), HTTP_RETRY_AFTER_MAX_MS);
	assert_int_equal(retry_after("-5"), -1);
	assert_int_equal(retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), -1);
}

static void test_loopback_literals_only(void **state)
{
	(void)state;
	assert_true(http_host_is_loopback("127.0.0.1"));
	assert_true(http_host_is_loopback("127.8.9.10"));
	assert_true(http_host_is_loopback("[::1]"));
	assert_false(http_host_is_loopback("127.evil.example"));
	assert_false(http_host_is_loopback("127.0.0.1.nip.io"));
	assert_false(http_host_is_loopback("localhost"));
	assert_false(http_host_is_loopback("128.0.0.1"));
	assert_false(http_host_is_loopback("[::2]"));
	assert_false(http_host_is_loopback("::1"));
}

static void test_redact_url(void **state)
{
	(void)state;
	buf b = BUF_INIT;
	http_redact_url("https://user:p%40ss@ghe.example.com/api/v3?x=1", &b);
	assert_string_equal(buf_cstr(&b), "https://ghe.example.com/api/v3?x=1");
	buf_clear(&b);
	http_redact_url("http://tok3n@proxy.example:8080/", &b);
	assert_string_equal(buf_cstr(&b), "http://proxy.example:8080/");
	buf_clear(&b);
	http_redact_url("https://us:pw@[::1/x", &b); /* libcurl cannot parse it */
	assert_string_equal(buf_cstr(&b), "https://***@[::1/x");
	buf_clear(&b);
	http_redact_url("https://api.github.com/repos", &b);
	assert_string_equal(buf_cstr(&b), "https://api.github.com/repos");
	buf_free(&b);
}

static void test_curl_error_without_userinfo(void **state)
{
	(void)state;
	http_request req = {0};
	req.method = "GET";
	req.url = "http://ghe-user:Sup3rS3cretPw@127.0.0.1:1/api/v3";
	req.connect_timeout_ms = 2000;
	http_response resp = {0, BUF_INIT, BUF_INIT};
	err e = ERR_INIT;
	assert_int_equal(http_perform(&req, &resp, &e), ORC_EFAIL);
	assert_null(strstr(e.msg, "Sup3rS3cretPw"));
	assert_null(strstr(e.msg, "ghe-user"));
	assert_non_null(strstr(e.msg, "GET http://127.0.0.1:1/api/v3: "));
	http_response_free(&resp);
	log_shutdown();
}

static int dispatch_with_api(const char *api, err *e)
{
	setenv("GITHUB_API_URL", api, 1);
	github_repo r = {"acme", "db", "tok", "GH_TOKEN"};
	buf url = BUF_INIT, body = BUF_INIT;
	int rc = github_dispatch_request(&r, "run-migration", NULL, &url, &body, e);
	buf_free(&url);
	buf_free(&body);
	unsetenv("GITHUB_API_URL");
	return rc;
}

static void test_plain_http_api_refused(void **state)
{
	(void)state;
	err e = ERR_INIT;
	assert_int_equal(dispatch_with_api("http://ghe.example.com/api/v3", &e), ORC_EUSAGE);
	assert_non_null(strstr(e.msg, "plain http would send the token in cleartext"));
	assert_int_equal(dispatch_with_api("http://127.evil.example:8080", &e), ORC_EUSAGE);
	assert_int_equal(dispatch_with_api("http://u:pw12345@ghe.example.com", &e), ORC_EUSAGE);
	assert_null(strstr(e.msg, "pw12345"));
	err_clear(&e);
	assert_int_equal(dispatch_with_api("http://127.0.0.1:8080", &e), 0);
	assert_int_equal(dispatch_with_api("http://[::1]:8080/", &e), 0);
	assert_int_equal(dispatch_with_api("https://ghe.example.com/api/v3", &e), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_retry_after_clamped),
	    cmocka_unit_test(test_loopback_literals_only),
	    cmocka_unit_test(test_redact_url),
	    cmocka_unit_test(test_curl_error_without_userinfo),
	    cmocka_unit_test(test_plain_http_api_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
