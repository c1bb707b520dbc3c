/*
 * trigger/pending.c's group matching, against the run-name lines of the workflows we
 * ship (a run-name changed there without pending.c would make the check blind), and on
 * the names that must not match; github_runs_decode on GitHub's shape.
 */
#include "../lib/tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/fs.h"
#include "net/github.h"
#include "trigger/pending.h"

/* The run name GitHub shows for op's workflow, for these payload values. */
static char *run_name(const char *verb, const char *region, const char *folder)
{
	char *path = xasprintf(".github/workflows/%s.yml", verb);
	buf text = BUF_INIT;
	err e = ERR_INIT;
	assert_int_equal(fs_read_file(path, &text, &e), 0);
	const char *line = strstr(buf_cstr(&text), "\nrun-name: ");
	assert_non_null(line);
	line += strlen("\nrun-name: ");
	buf name = BUF_INIT;
	buf_put(&name, line, strcspn(line, "\n"));
	const char *values[][2] = {{"${{ github.event.client_payload.region }}", region},
	                           {"${{ github.event.client_payload.folder }}", folder},
	                           {"${{ github.event.client_payload.branch }}", "feature/x"},
	                           {"${{ github.event.client_payload.source }}", "cluster:a"},
	                           {"${{ github.event.client_payload.target }}", "cluster:b"}};
	for (size_t i = 0; i < sizeof values / sizeof *values; i++)
		buf_replace_all(&name, values[i][0], values[i][1]);
	assert_null(strstr(buf_cstr(&name), "${{"));
	buf_free(&text);
	free(path);
	return buf_detach(&name);
}

static void shipped_run_names(void **state)
{
	(void)state;
	size_t n;
	const config_operation *ops = config_operations(&n);
	int checked = 0;
	for (size_t i = 0; i < n; i++) {
		const config_operation *op = &ops[i];
		if (!(op->keys & OP_REGION))
			continue;
		char *mine = run_name(op->verb, "us-west-2", "network");
		char *other = run_name(op->verb, "eu-central-1", "network");
		assert_true(pending_same_group(op, "us-west-2", "network", mine));
		assert_false(pending_same_group(op, "us-west-2", "network", other));
		assert_false(pending_same_group(op, "us-west-2-b", "network", mine));
		if (op->keys & OP_FOLDER) {
			char *folder = run_name(op->verb, "us-west-2", "database");
			assert_false(pending_same_group(op, "us-west-2", "network", folder));
			free(folder);
		}
		free(mine);
		free(other);
		checked++;
	}
	assert_int_equal(checked, 6);
	/* deploy and destroy are one group */
	char *destroy = run_name("destroy-infrastructure", "us-west-2", "network");
	assert_true(pending_same_group(config_operation_find("deploy-infrastructure"), "us-west-2",
	                               "network", destroy));
	free(destroy);
}

static void names_that_do_not_match(void **state)
{
	(void)state;
	const config_operation *mig = config_operation_find("run-migration");
	const config_operation *dep = config_operation_find("deploy-infrastructure");
	assert_false(pending_same_group(mig, "us-west-2", NULL, "migrate main in us-west-20"));
	assert_false(pending_same_group(mig, "us-west-2", NULL, "in us-west-2"));
	assert_false(pending_same_group(mig, "us-west-2", NULL, ""));
	assert_true(pending_same_group(mig, "us-west-2", NULL, "migrate x in y in us-west-2"));
	assert_false(pending_same_group(dep, "us-west-2", "net", "deploy network in us-west-2"));
	assert_false(pending_same_group(dep, "us-west-2", "network", "deploy net in us-west-2"));
	assert_false(pending_same_group(dep, "us-west-2", NULL, "deploy network in us-west-2"));
}

static void decode(void **state)
{
	(void)state;
	const char *body = "{\"total_count\":3,\"workflow_runs\":["
	                   "{\"id\":30433642,\"status\":\"pending\",\"display_title\":\"t\","
	                   "\"html_url\":\"https://github.com/o/r/actions/runs/30433642\"},"
	                   "{\"id\":0.5,\"status\":\"queued\"},{\"status\":\"queued\"},"
	                   "{\"id\":9007199254740993e3}]}";
	github_run *runs = NULL;
	size_t n = 0;
	err e = ERR_INIT;
	assert_int_equal(github_runs_decode(body, strlen(body), &runs, &n, &e), 0);
	assert_int_equal(n, 1); /* runs without a positive whole id are left out */
	assert_true(runs[0].id == 30433642LL);
	assert_string_equal(runs[0].status, "pending");
	assert_string_equal(runs[0].title, "t");
	github_runs_free(runs, n);
	assert_int_equal(github_runs_decode("{\"message\":\"Not Found\"}", 23, &runs, &n, &e),
	                 ORC_EFAIL);
	assert_null(runs);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(shipped_run_names),
	    cmocka_unit_test(names_that_do_not_match),
	    cmocka_unit_test(decode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
