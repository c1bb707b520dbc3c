/*
 * log: the secret list under threads (tenant workers and the service's connection threads
 * register credentials while others print). Eight threads each register 300 distinct
 * secrets and redact lines between registrations; afterwards every secret must still be
 * known (no registration lost to a concurrent realloc) and redacted.
 */
#include "tap.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"

#define THREADS 8
#define PER 300

static void *worker(void *arg)
{
	long t = (long)arg;
	char s[64];
	for (int i = 0; i < PER; i++) {
		snprintf(s, sizeof s, "secret-%02ld-%04d-value", t, i);
		log_add_secret(s);
		buf b = BUF_INIT;
		buf_printf(&b, "line with %s inside", s);
		log_redact(&b);
		if (strstr(buf_cstr(&b), s))
			return (void *)1;
		buf_free(&b);
	}
	return NULL;
}

static void test_concurrent_registration_loses_nothing(void **state)
{
	(void)state;
	pthread_t th[THREADS];
	for (long t = 0; t < THREADS; t++)
		assert_int_equal(pthread_create(&th[t], NULL, worker, (void *)t), 0);
	for (int t = 0; t < THREADS; t++) {
		void *r = NULL;
		pthread_join(th[t], &r);
		assert_null(r);
	}
	char s[64];
	for (long t = 0; t < THREADS; t++)
		for (int i = 0; i < PER; i++) {
			snprintf(s, sizeof s, "secret-%02ld-%04d-value", t, i);
			buf b = BUF_INIT;
			buf_puts(&b, s);
			log_redact(&b);
			assert_string_equal(buf_cstr(&b), "***");
			buf_free(&b);
		}
	log_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_concurrent_registration_loses_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
