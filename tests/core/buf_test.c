#include "tap.h"

#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"

static void test_printf_grows(void **state)
{
	(void)state;
	buf b = BUF_INIT;
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i);
	assert_int_equal(b.len, strlen(b.ptr));
	assert_true(strncmp(b.ptr, "0,1,2,", 6) == 0);
	assert_non_null(strstr(b.ptr, "999,"));
	buf_free(&b);
	assert_string_equal(buf_cstr(&b), "");
}

static void test_replace_all(void **state)
{
	(void)state;
	buf b = BUF_INIT;
	buf_puts(&b, "token=abc; again abc; abcabc");
	buf_replace_all(&b, "abc", "***");
	assert_string_equal(b.ptr, "token=***; again ***; ******");
	buf_free(&b);
}

static void test_redact_longest_first(void **state)
{
	(void)state;
	log_add_secret("secret");
	log_add_secret("supersecret-value");
	buf b = BUF_INIT;
	buf_puts(&b, "a supersecret-value and a secret");
	log_redact(&b);
	assert_string_equal(b.ptr, "a *** and a ***");
	buf_free(&b);
	log_shutdown();
}

static void test_err_prefix(void **state)
{
	(void)state;
	err e = ERR_INIT;
	assert_int_equal(err_set(&e, ORC_EREMOTE, "not found"), ORC_EREMOTE);
	err_prefix(&e, "region %s", "us-west-2");
	assert_string_equal(e.msg, "region us-west-2: not found");
	assert_int_equal(e.code, ORC_EREMOTE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_printf_grows),
	    cmocka_unit_test(test_replace_all),
	    cmocka_unit_test(test_redact_longest_first),
	    cmocka_unit_test(test_err_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
