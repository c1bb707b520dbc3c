/*
 * aws layer unit tests (no network): SigV4 against reference signatures, endpoint
 * resolution, XPath helpers on namespaced answers, the shared-files reader.
 *
 * The reference signatures come from AWS's own SigV4 test suite (get-vanilla) and from
 * botocore's signer (the AWS CLI's) for the same inputs, not from this code.
 *
 * With arguments the binary is a small driver for the shell tests in tests/aws/,
 * which talk to moto_server:
 *   aws_test json SERVICE TARGET BODY            prints the JSON answer
 *   aws_test query SERVICE ACTION VERSION XPATH [NAME=VALUE...]
 *                                                prints each XPath match on a line
 *   aws_test whoami                              prints the credential source
 *   aws_test secret REF                          logs "secret REF = <value>" through the
 *                                                log module (so registered secrets show as ***)
 * (AWS_TEST_REPEAT=N makes the query call N times on one client)
 * and exits with the call's code (the error line on stderr, and the error code after
 * "code=").
 */
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aws/ecs.h"
#include "aws/secrets.h"
#include "aws/internal.h"
#include "core/log.h"
#include "net/http.h"

#define AK "AKIDEXAMPLE"
#define SK "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

static void sign_expect(const char *method, const char *url, const aws_header *h, size_t n,
                        const char *payload, const char *region, const char *service,
                        const char *want)
{
	buf auth = BUF_INIT;
	err e = ERR_INIT;
	assert_int_equal(aws_sigv4_sign(method, url, h, n, payload, strlen(payload), region,
	                                service, AK, SK, &auth, &e),
	                 0);
	assert_string_equal(buf_cstr(&auth), want);
	buf_free(&auth);
}

static void test_sigv4_get_vanilla(void **state)
{
	(void)state;
	aws_header h[] = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
	sign_expect("GET", "https://example.amazonaws.com/", h, 2, "", "us-east-1", "service",
	            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
	            "aws4_request, SignedHeaders=host;x-amz-date, "
	            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

static void test_sigv4_json_with_token(void **state)
{
	(void)state;
	/* Unsorted, mixed case, padded: the signer sorts, lowercases and trims. */
	aws_header h[] = {{"X-Amz-Target", "AmazonEC2ContainerServiceV20141113.ListClusters"},
	                  {"Content-Type", "  application/x-amz-json-1.1"},
	                  {"X-Amz-Security-Token", "SESSIONTOKEN"},
	                  {"host", "ecs.us-west-2.amazonaws.com"},
	                  {"X-Amz-Date", "20150830T123600Z"}};
	sign_expect("POST", "https://ecs.us-west-2.amazonaws.com/", h, 5, "{}", "us-west-2", "ecs",
	            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-west-2/ecs/aws4_request, "
	            "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, "
	            "Signature=bd723c26c11d258a57a5067b5fa2745d717260f66fb509abeb1fc5207521f39d");
}

static void test_sigv4_path_and_query(void **state)
{
	(void)state;
	aws_header h[] = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
	sign_expect("GET", "https://example.amazonaws.com/a%20b/c?Z=1&a=x%2By&A=sp%20ace&b", h, 2,
	            "", "us-east-1", "service",
	            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
	            "aws4_request, SignedHeaders=host;x-amz-date, "
	            "Signature=e360da7f49a9298709aa3fc0ecb6457f8348cd6cba19f8b1af5cf49b82af04bb");
	buf creq = BUF_INIT, sh = BUF_INIT;
	err e = ERR_INIT;
	aws_sigv4_canonical_request(
	    "GET", "https://example.amazonaws.com/a%20b/c?Z=1&a=x%2By&A=sp%20ace&b", h, 2, "", 0,
	    &creq, &sh, &e);
	/* Path encoded twice, query sorted by code point and strictly re-encoded. */
	assert_non_null(strstr(creq.ptr, "\n/a%2520b/c\nA=sp%20ace&Z=1&a=x%2By&b=\n"));
	buf_free(&creq);
	buf_free(&sh);
}

static void test_endpoints(void **state)
{
	(void)state;
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_ENDPOINT_URL_ECS");
	unsetenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS");
	char *u = aws_endpoint("ecs", "eu-west-1");
	assert_string_equal(u, "https://ecs.eu-west-1.amazonaws.com");
	free(u);
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1", 1);
	setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "http://127.0.0.1:2", 1);
	u = aws_endpoint("logs", "eu-west-1");
	assert_string_equal(u, "http://127.0.0.1:2");
	free(u);
	u = aws_endpoint("ecs", "eu-west-1");
	assert_string_equal(u, "http://127.0.0.1:1");
	free(u);
	setenv("AWS_ENDPOINT_URL_ECS", "http://127.0.0.1:3", 1);
	u = aws_endpoint("ecs", "eu-west-1");
	assert_string_equal(u, "http://127.0.0.1:3");
	free(u);
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_ENDPOINT_URL_ECS");
	unsetenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS");
}

static void test_xpath_namespaced(void **state)
{
	(void)state;
	const char *xml =
	    "<?xml version=\"1.0\"?>"
	    "<DescribeSubnetsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
	    "<requestId>r-1</requestId><subnetSet>"
	    "<item><subnetId>subnet-1</subnetId></item>"
	    "<item><subnetId>subnet-2</subnetId></item>"
	    "</subnetSet></DescribeSubnetsResponse>";
	xmlDocPtr doc = aws_xml_parse(xml, strlen(xml));
	assert_non_null(doc);
	char *first = aws_xml_text(doc, "//subnetSet/item/subnetId");
	assert_string_equal(first, "subnet-1");
	free(first);
	size_t n = 0;
	char **all = aws_xml_texts(doc, "//subnetSet/item/subnetId", &n);
	assert_int_equal(n, 2);
	assert_string_equal(all[1], "subnet-2");
	assert_null(all[2]);
	aws_xml_free_texts(all);
	assert_null(aws_xml_text(doc, "//nothing"));
	char *count = aws_xml_text(doc, "count(//item)");
	assert_string_equal(count, "2");
	free(count);
	xmlFreeDoc(doc);
	assert_null(aws_xml_parse("not xml", 7));
}

static void test_throttling_codes(void **state)
{
	(void)state;
	assert_true(aws_is_throttling_code("ThrottlingException"));
	assert_true(aws_is_throttling_code("RequestLimitExceeded"));
	assert_true(aws_is_throttling_code("Throttling"));
	assert_false(aws_is_throttling_code("ClientException"));
	assert_false(aws_is_throttling_code("AccessDeniedException"));
}

static void test_profiles(void **state)
{
	(void)state;
	char dir[] = "/tmp/orc-aws-test.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *cred = xasprintf("%s/credentials", dir), *conf = xasprintf("%s/config", dir);
	FILE *f = fopen(cred, "w");
	fputs("# comment\n[default]\naws_access_key_id = AKIADEFAULT\n"
	      "[dev]\n  aws_access_key_id=AKIADEV  \n; x\naws_secret_access_key = s/e=cret\n",
	      f);
	fclose(f);
	f = fopen(conf, "w");
	fputs("[default]\nregion = eu-central-1\n[profile dev]\nregion = ap-south-1\n", f);
	fclose(f);
	setenv("AWS_SHARED_CREDENTIALS_FILE", cred, 1);
	setenv("AWS_CONFIG_FILE", conf, 1);
	char *v = aws_profile_value("dev", "aws_secret_access_key", 1);
	assert_string_equal(v, "s/e=cret");
	free(v);
	v = aws_profile_value("dev", "region", 0);
	assert_string_equal(v, "ap-south-1");
	free(v);
	v = aws_profile_value("default", "region", 0);
	assert_string_equal(v, "eu-central-1");
	free(v);
	assert_null(aws_profile_value("nope", "region", 1));
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	unsetenv("AWS_CONFIG_FILE");
	remove(cred);
	remove(conf);
	rmdir(dir);
	free(cred);
	free(conf);
}

/* RunTask without its clientToken is refused before anything is sent. */
static void test_run_task_needs_token(void **state)
{
	(void)state;
	setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1", 1);
	aws_client *c = NULL;
	err e = ERR_INIT;
	assert_int_equal(aws_client_new("us-west-2", &c, &e), 0);
	cJSON *req = cJSON_Parse("{\"cluster\":\"c\",\"taskDefinition\":\"f:1\"}");
	char *arn = NULL;
	assert_int_equal(ecs_run_task(c, req, &arn, &e), ORC_EFAIL);
	assert_non_null(strstr(e.msg, "no clientToken"));
	assert_null(arn);
	assert_int_equal(aws_client_calls(c), 0);
	cJSON_AddStringToObject(req, "clientToken", "");
	assert_int_equal(ecs_run_task(c, req, &arn, &e), ORC_EFAIL);
	assert_int_equal(aws_client_calls(c), 0);
	cJSON_Delete(req);
	aws_client_free(c);
	unsetenv("AWS_ENDPOINT_URL");
}

static int driver(int argc, char **argv)
{
	log_init();
	log_set_verbose(getenv("ORC_VERBOSE") != NULL);
	aws_client *c = NULL;
	err e = ERR_INIT;
	int rc = aws_client_new(NULL, &c, &e);
	if (!rc && getenv("AWS_TEST_BUDGET"))
		aws_client_set_retry_budget(c, strtod(getenv("AWS_TEST_BUDGET"), NULL));
	if (!rc && strcmp(argv[1], "whoami") == 0) {
		printf("%s\n", aws_client_credential_source(c));
	} else if (!rc && strcmp(argv[1], "creds") == 0) {
		printf("%s %ld\n", aws_client_credential_source(c),
		       c->creds.expiration ? (long)(c->creds.expiration - time(NULL)) : 0L);
	} else if (!rc && strcmp(argv[1], "retry") == 0) {
		printf("%s %d\n", aws_client_retry_mode(c), aws_client_max_attempts(c));
	} else if (!rc && strcmp(argv[1], "json") == 0 && argc >= 5) {
		cJSON *body = cJSON_Parse(argv[4]), *out = NULL;
		rc = aws_json_call(c, argv[2], argv[3], body, &out, &e);
		if (!rc) {
			char *s = cJSON_PrintUnformatted(out);
			printf("%s\n", s);
			free(s);
		}
		cJSON_Delete(body);
		cJSON_Delete(out);
	} else if (!rc && strcmp(argv[1], "query") == 0 && argc >= 6) {
		aws_params p = {0};
		for (int i = 6; i < argc; i++) {
			char *eq = strchr(argv[i], '=');
			if (!eq)
				continue;
			*eq = '\0';
			aws_params_add(&p, argv[i], eq + 1);
		}
		xmlDocPtr doc = NULL;
		long repeat =
		    getenv("AWS_TEST_REPEAT") ? strtol(getenv("AWS_TEST_REPEAT"), NULL, 10) : 1;
		for (long i = 0; i < repeat && !rc; i++) {
			xmlFreeDoc(doc);
			doc = NULL;
			rc = aws_query_call(c, argv[2], argv[3], argv[4], &p, &doc, &e);
		}
		if (!rc) {
			char **t = aws_xml_texts(doc, argv[5], NULL);
			for (char **s = t; *s; s++)
				printf("%s\n", *s);
			aws_xml_free_texts(t);
		}
		aws_params_free(&p);
		xmlFreeDoc(doc);
	} else if (!rc && strcmp(argv[1], "secret") == 0 && argc >= 3) {
		char *v = NULL;
		rc = secrets_get_ref(c, argv[2], &v, &e);
		if (!rc)
			log_info("secret %s = %s", argv[2], v);
		free(v);
	} else if (!rc) {
		rc = err_set(&e, ORC_EUSAGE, "usage: aws_test json|query|whoami|secret ...");
	}
	if (rc)
		fprintf(stderr, "%s\ncode=%s\n", e.msg, c ? aws_last_error_code(c) : "");
	if (c)
		fprintf(stderr, "calls=%ld\n", aws_client_calls(c));
	aws_client_free(c);
	http_global_cleanup();
	log_shutdown();
	return rc;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return driver(argc, argv);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sigv4_get_vanilla),
	    cmocka_unit_test(test_sigv4_json_with_token),
	    cmocka_unit_test(test_sigv4_path_and_query),
	    cmocka_unit_test(test_endpoints),
	    cmocka_unit_test(test_xpath_namespaced),
	    cmocka_unit_test(test_throttling_codes),
	    cmocka_unit_test(test_profiles),
	    cmocka_unit_test(test_run_task_needs_token),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
