/* The log module with any name in a message (file names, identifiers, a container's log):
 * no printed line starts a workflow command ("::" after blanks) or holds the runner's older
 * "##[command]" form anywhere, no CR or other control character but LF and TAB reaches the
 * output, inside GitHub Actions or not. stdout is
 * captured (in Actions, warnings and errors go there as annotations); stderr stays
 * libFuzzer's. */
#include <fcntl.h>
#include <unistd.h>

#include "core/log.h"
#include "fuzz.h"

static int out_fd = -1;

static void check_output(void)
{
	static char got[1 << 17];
	fflush(stdout);
	fflush(stderr);
	ssize_t n = pread(out_fd, got, sizeof got - 1, 0);
	if (n < 0)
		abort();
	got[n] = '\0';
	for (char *line = got; *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		for (const char *c = line; *c; c++)
			FUZZ_ASSERT(*c == '\t' || ((unsigned char)*c >= 0x20 && *c != 0x7f),
			            "no control character printed");
		const char *p = line + strspn(line, " \t");
		if (strncmp(p, "::", 2) == 0)
			/* only the commands the code sends: annotations and the group (their
			 * data may hold anything: the runner parses the "::" form first) */
			FUZZ_ASSERT(p == line && (strncmp(p, "::error::", 9) == 0 ||
			                          strncmp(p, "::warning::", 11) == 0 ||
			                          strncmp(p, "::group::", 9) == 0 ||
			                          strncmp(p, "::endgroup::", 12) == 0),
			            "no workflow command from a name");
		else
			FUZZ_ASSERT(
			    !strstr(line, "##["),
			    "no ##[command] (the runner's older form, read anywhere in a line)");
		line = nl ? nl + 1 : line + strlen(line);
	}
	if (ftruncate(out_fd, 0) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (out_fd < 0) {
		out_fd =
		    open(fuzz_tmp_path("log.out"), O_RDWR | O_CREAT | O_TRUNC | O_APPEND, 0600);
		unlink(fuzz_tmp_path("log.out"));
		dup2(out_fd, 1);
	}
	char *name = fuzz_cstr(data, size);
	for (int actions = 0; actions < 2; actions++) {
		if (actions)
			setenv("GITHUB_ACTIONS", "true", 1);
		else
			unsetenv("GITHUB_ACTIONS");
		log_init();
		log_info("applied V1__%s.sql (3 ms)", name);
		if (actions) {
			log_warn("skipped %s", name);
			log_error("%s: failed", name);
			log_group_begin(name);
			log_group_end();
		}
		check_output();
	}
	free(name);
	return 0;
}
