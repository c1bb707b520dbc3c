#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/buf.h"
#include "core/opt.h"

/* The command table through the library alone (no main.o): every command's option table,
 * in describe mode, is well formed: no long or short name twice, help on every option, -h
 * built in, and verbs for the commands that have them. */

static char *describe(const opt_subcommand *c)
{
	buf out = BUF_INIT;
	char *args[] = {(char *)c->name, NULL};
	opt_set_describe(OPT_DESCRIBE_WORDS, &out);
	int rc = c->fn(1, args);
	opt_set_describe(OPT_DESCRIBE_NONE, NULL);
	assert_int_equal(rc, ORC_OK);
	return buf_detach(&out);
}

/* Checks one table's lines (up to the next VERB line); returns how many options. */
static size_t check_table(const char *cmd, const char **text)
{
	char seen[4096] = " ";
	size_t n = 0;
	const char *p = *text;
	while (*p && strncmp(p, "VERB ", 5) != 0) {
		size_t len = strcspn(p, "\n");
		char *line = strndup(p, len);
		p += len + (p[len] == '\n');
		if (line[0] != '-') {
			free(line);
			continue;
		}
		char *tab = strchr(line, '\t');
		assert_non_null(tab);
		if (tab[1] == '\0')
			fail_msg("%s: option '%s' has no help line", cmd, line);
		*tab = '\0';
		for (char *name = strtok(line, " "); name; name = strtok(NULL, " ")) {
			char key[128];
			snprintf(key, sizeof key, " %.*s ", (int)strcspn(name, "="), name);
			if (strstr(seen, key))
				fail_msg("%s: option%s appears twice", cmd, key);
			strncat(seen, key + 1, sizeof seen - strlen(seen) - 1);
		}
		free(line);
		n++;
	}
	*text = p;
	assert_non_null(strstr(seen, " -h "));
	assert_non_null(strstr(seen, " --help "));
	return n;
}

static void test_every_table_is_well_formed(void **state)
{
	(void)state;
	size_t tables = 0;
	for (size_t i = 0; i < cmd_ncommands; i++) {
		char *text = describe(&cmd_commands[i]);
		const char *p = text;
		if (strncmp(p, "VERB ", 5) == 0) {
			while (*p) {
				char verb[64];
				snprintf(verb, sizeof verb, "%s %.*s", cmd_commands[i].name,
				         (int)strcspn(p + 5, "\t\n"), p + 5);
				p += strcspn(p, "\n") + 1;
				check_table(verb, &p);
				tables++;
			}
		} else {
			check_table(cmd_commands[i].name, &p);
			tables++;
		}
		free(text);
	}
	assert_true(tables >= cmd_ncommands);
}

static void test_common_flags_mean_the_same(void **state)
{
	(void)state;
	/* Where a command has --verbose, --quiet, --config or --region, they have the
	 * common short names. */
	const char *pairs[] = {"-v --verbose", "-q --quiet", "-c --config=", "-r --region="};
	for (size_t i = 0; i < cmd_ncommands; i++) {
		char *text = describe(&cmd_commands[i]);
		for (size_t k = 0; k < sizeof pairs / sizeof *pairs; k++) {
			const char *lng = strchr(pairs[k], ' ') + 1;
			char with_tab[64];
			snprintf(with_tab, sizeof with_tab, "\n%s\t", lng);
			if (strstr(text, with_tab) || strncmp(text, lng, strlen(lng)) == 0)
				fail_msg("%s: %s without its short name", cmd_commands[i].name,
				         lng);
		}
		/* completion and manpage print generated text and take nothing else. */
		if (strcmp(cmd_commands[i].name, "completion") != 0 &&
		    strcmp(cmd_commands[i].name, "manpage") != 0)
			assert_non_null(strstr(text, "-q --quiet\t"));
		free(text);
	}
}

static void test_commands_named_once(void **state)
{
	(void)state;
	for (size_t i = 0; i < cmd_ncommands; i++)
		for (size_t j = i + 1; j < cmd_ncommands; j++)
			assert_string_not_equal(cmd_commands[i].name, cmd_commands[j].name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_table_is_well_formed),
	    cmocka_unit_test(test_common_flags_mean_the_same),
	    cmocka_unit_test(test_commands_named_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
