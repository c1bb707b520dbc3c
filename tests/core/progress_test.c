/*
 * progress: what a long wait prints, in a log (stderr to a file) and on a terminal (stderr
 * on a real pseudo-terminal, read back from its master side).
 */
#include "tap.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/progress.h"

static char *dir;

/* Runs fn with stdout and stderr going to a file; returns what they got. */
static char *capture(void (*fn)(void))
{
	char *path = fs_join(dir, "out");
	fflush(stdout), fflush(stderr);
	int saved_out = dup(1), saved_err = dup(2);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 1), dup2(fd, 2);
	close(fd);
	log_init();
	fn();
	fflush(stdout), fflush(stderr);
	dup2(saved_out, 1), dup2(saved_err, 2);
	close(saved_out), close(saved_err);
	buf b = BUF_INIT;
	err e = ERR_INIT;
	assert_int_equal(fs_read_file(path, &b, &e), 0);
	free(path);
	char *s = strdup(buf_cstr(&b));
	buf_free(&b);
	return s;
}

/* Runs fn with stderr on a pseudo-terminal (raw: no CR added at LF); returns what the
 * terminal received. stdout goes to /dev/null. */
static char *capture_pty(void (*fn)(void))
{
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	assert_true(slave >= 0);
	struct termios t;
	assert_int_equal(tcgetattr(slave, &t), 0);
	cfmakeraw(&t);
	assert_int_equal(tcsetattr(slave, TCSANOW, &t), 0);
	fflush(stdout), fflush(stderr);
	int saved_out = dup(1), saved_err = dup(2);
	int null = open("/dev/null", O_WRONLY);
	dup2(null, 1), dup2(slave, 2);
	close(null);
	log_init();
	fn();
	fflush(stdout), fflush(stderr);
	dup2(saved_out, 1), dup2(saved_err, 2);
	close(saved_out), close(saved_err);
	close(slave);
	log_init();
	buf b = BUF_INIT;
	char chunk[4096];
	fcntl(master, F_SETFL, O_NONBLOCK);
	ssize_t n;
	while ((n = read(master, chunk, sizeof chunk)) > 0)
		buf_put(&b, chunk, (size_t)n);
	close(master);
	char *s = strdup(buf_cstr(&b));
	buf_free(&b);
	return s;
}

static int count(const char *s, const char *needle)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void task_states(void)
{
	progress *p = progress_start("task %s", "0123abcd");
	progress_update(p, LOG_TONE_BUSY, "PENDING", NULL);
	progress_update(p, LOG_TONE_BUSY, "PENDING", NULL);
	progress_update(p, LOG_TONE_OK, "RUNNING", NULL);
	log_warn("a line while waiting");
	progress_update(p, LOG_TONE_OK, "RUNNING", NULL);
	progress_update(p, LOG_TONE_NONE, "STOPPED", NULL);
	progress_end(p);
	log_info("result");
}

/* In a log: one line per change of state, nothing in between within ORC_PROGRESS_SECONDS,
 * nothing rewritten in place. */
static void test_log_lines_per_state(void **state)
{
	(void)state;
	setenv("ORC_PROGRESS_SECONDS", "3600", 1);
	char *got = capture(task_states);
	assert_int_equal(count(got, "task 0123abcd: PENDING ("), 1);
	assert_int_equal(count(got, "task 0123abcd: RUNNING ("), 1);
	assert_int_equal(count(got, "task 0123abcd: STOPPED ("), 1);
	assert_non_null(strstr(got, "task 0123abcd: PENDING (0 s)\n"));
	const char *pending = strstr(got, "PENDING"), *running = strstr(got, "RUNNING"),
	           *warn = strstr(got, "warning: a line while waiting\n"),
	           *stopped = strstr(got, "STOPPED"), *result = strstr(got, "result\n");
	assert_true(pending && running && warn && stopped && result);
	assert_true(pending < running && running < warn && warn < stopped && stopped < result);
	assert_null(strchr(got, '\r'));
	assert_null(strchr(got, '\x1b'));
	free(got);
}

static void snapshot_percent(void)
{
	progress *p = progress_start("snapshot %s", "orc-1");
	progress_update(p, LOG_TONE_BUSY, "creating", "%d%%", 0);
	for (int i = 10; i <= 90; i += 10)
		progress_update(p, LOG_TONE_BUSY, "creating", "%d%%", i);
	progress_end(p);
}

/* A detail without a change of state: held back within the interval, the last one shown
 * at the end of a wait that printed anything; every one with an interval of 0. */
static void test_log_rate_bounded(void **state)
{
	(void)state;
	setenv("ORC_PROGRESS_SECONDS", "3600", 1);
	char *got = capture(snapshot_percent);
	assert_int_equal(count(got, "\n"), 2);
	assert_non_null(strstr(got, "snapshot orc-1: creating 0% ("));
	assert_non_null(strstr(got, "snapshot orc-1: creating 90% ("));
	free(got);
	setenv("ORC_PROGRESS_SECONDS", "0", 1);
	got = capture(snapshot_percent);
	assert_int_equal(count(got, "\n"), 10);
	assert_int_equal(count(got, "snapshot orc-1: creating "), 10);
	free(got);
	setenv("ORC_PROGRESS_SECONDS", "3600", 1);
}

static void stateless_short(void)
{
	progress *p = progress_start("db compare");
	progress_update(p, LOG_TONE_NONE, NULL, "%d/%d tables", 1, 2);
	progress_update(p, LOG_TONE_NONE, NULL, "%d/%d tables", 2, 2);
	progress_end(p);
}

/* Without states, a wait shorter than the interval prints nothing in a log. */
static void test_short_wait_silent(void **state)
{
	(void)state;
	setenv("ORC_PROGRESS_SECONDS", "3600", 1);
	char *got = capture(stateless_short);
	assert_string_equal(got, "");
	free(got);
}

static void quiet_states(void)
{
	log_set_quiet(1);
	task_states();
	log_error("an error");
	log_set_quiet(0);
}

/* --quiet: only errors and the result. */
static void test_quiet(void **state)
{
	(void)state;
	char *got = capture(quiet_states);
	assert_string_equal(got, "result\nerror: an error\n");
	free(got);
	got = capture_pty(quiet_states);
	assert_null(strstr(got, "task"));
	assert_non_null(strstr(got, "an error"));
	free(got);
}

static void hostile_states(void)
{
	log_add_secret("hunter2-secret");
	progress *p = progress_start("push to %s", "https://x:hunter2-secret@example.com");
	progress_update(p, LOG_TONE_BUSY, "attempt\r1\x1b[2J", "::error::x %s", "hunter2-secret");
	progress_end(p);
	log_shutdown();
}

/* Redaction and escaping of core/log apply to progress lines, in a log and in place. */
static void test_redacted_and_escaped(void **state)
{
	(void)state;
	char *got = capture(hostile_states);
	assert_null(strstr(got, "hunter2"));
	assert_non_null(strstr(got, "push to https://x:***@example.com: attempt\\r1\\x1b[2J"));
	assert_null(strchr(got, '\x1b'));
	assert_null(strchr(got, '\r'));
	free(got);
	setenv("TERM", "xterm", 1);
	unsetenv("NO_COLOR");
	got = capture_pty(hostile_states);
	assert_null(strstr(got, "hunter2"));
	assert_non_null(strstr(got, "\\x1b[2J"));
	assert_null(strstr(got, "\x1b[2J"));
	free(got);
}

/* On a terminal: one line rewritten in place (CR, erase to the end), the state in colour,
 * another line printed above it and the line drawn again, cleared at the end. */
static void test_terminal_in_place(void **state)
{
	(void)state;
	setenv("TERM", "xterm", 1);
	unsetenv("NO_COLOR");
	unsetenv("GITHUB_ACTIONS");
	char *got = capture_pty(task_states);
	const char *want = "\r"
	                   "task 0123abcd: \x1b[36mPENDING\x1b[0m (0 s)\x1b[K"
	                   "\r"
	                   "task 0123abcd: \x1b[1;32mRUNNING\x1b[0m (0 s)\x1b[K"
	                   "\r\x1b[K"
	                   "\x1b[1;33mwarning:\x1b[0m a line while waiting\n"
	                   "\r"
	                   "task 0123abcd: \x1b[1;32mRUNNING\x1b[0m (0 s)\x1b[K"
	                   "\r"
	                   "task 0123abcd: STOPPED (0 s)\x1b[K"
	                   "\r\x1b[K";
	assert_string_equal(got, want);
	assert_int_equal(count(got, "\n"), 1);
	free(got);
}

/* NO_COLOR keeps the line in place without colour; TERM=dumb gets plain lines. */
static void test_terminal_no_colour_dumb(void **state)
{
	(void)state;
	setenv("TERM", "xterm", 1);
	setenv("NO_COLOR", "1", 1);
	char *got = capture_pty(task_states);
	assert_non_null(strstr(got, "\rtask 0123abcd: PENDING (0 s)\x1b[K"));
	assert_null(strstr(got, "\x1b[3"));
	assert_null(strstr(got, "\x1b[1"));
	free(got);
	unsetenv("NO_COLOR");
	setenv("TERM", "dumb", 1);
	got = capture_pty(task_states);
	assert_null(strchr(got, '\r'));
	assert_null(strchr(got, '\x1b'));
	assert_non_null(strstr(got, "task 0123abcd: PENDING (0 s)\n"));
	free(got);
	setenv("TERM", "xterm", 1);
}

static void long_line(void)
{
	progress *p = progress_start("%0300d", 7);
	progress_update(p, LOG_TONE_BUSY, "x", NULL);
	progress_end(p);
}

/* A line wider than the terminal would wrap: it is cut to the width. */
static void test_terminal_width(void **state)
{
	(void)state;
	setenv("TERM", "xterm", 1);
	char *got = capture_pty(long_line);
	/* The pty's width is 0 (unset): 80 columns are assumed, 79 written. */
	const char *start = strchr(got, '\r'), *end = strstr(got, "\x1b[K");
	assert_true(start && end);
	assert_int_equal(end - start - 1, 79);
	free(got);
}

static void test_elapsed(void **state)
{
	(void)state;
	buf b = BUF_INIT;
	progress_elapsed(&b, 0.2);
	buf_puts(&b, "|");
	progress_elapsed(&b, 59.4);
	buf_puts(&b, "|");
	progress_elapsed(&b, 65);
	buf_puts(&b, "|");
	progress_elapsed(&b, 3725);
	assert_string_equal(buf_cstr(&b), "0 s|59 s|1 min 05 s|1 h 02 min");
	buf_free(&b);
}

static int setup(void **state)
{
	(void)state;
	err e = ERR_INIT;
	unsetenv("GITHUB_ACTIONS");
	unsetenv("NO_COLOR");
	return fs_mkdtemp("progress-test", &dir, &e);
}

static int teardown(void **state)
{
	(void)state;
	fs_remove_tree(dir);
	free(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_log_lines_per_state),
	    cmocka_unit_test(test_log_rate_bounded),
	    cmocka_unit_test(test_short_wait_silent),
	    cmocka_unit_test(test_quiet),
	    cmocka_unit_test(test_redacted_and_escaped),
	    cmocka_unit_test(test_terminal_in_place),
	    cmocka_unit_test(test_terminal_no_colour_dumb),
	    cmocka_unit_test(test_terminal_width),
	    cmocka_unit_test(test_elapsed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
