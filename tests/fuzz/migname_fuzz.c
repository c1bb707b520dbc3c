/*
 * Migration file names through the real scanner (pg/discover.c), and migration versions.
 * The input is NAME\nA\nB: NAME (which may hold newlines) is a file created in an empty
 * location and scanned (with and without validate_naming); A and B are versions.
 * Properties:
 *   - a name that parses as V<version>__<description>.sql or R__<description>.sql (and
 *     holds no control character) is found, with that script name, a valid version
 *     (for V) and a description without underscores;
 *   - no note and no error holds a control character, and what the scan and a migration
 *     run print of it (notes, "applied ..."), inside GitHub Actions, has no line that the
 *     runner reads as a workflow command: none starting with "::" (after blanks) but the
 *     annotations we send, no "##[" anywhere;
 *   - versions compare as a total order: reflexive, antisymmetric, transitive, and two
 *     equal versions compare alike with any third.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "fuzz.h"
#include "pg/discover.h"
#include "pg/version.h"

static int out_fd = -1;

/* What was printed since the last call: no line the runner would read as a command. */
static void check_printed(void)
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
		const char *p = line + strspn(line, " \t");
		for (const char *c = line; *c; c++)
			FUZZ_ASSERT((unsigned char)*c >= 0x20 && *c != 0x7f || *c == '\t',
			            "no control character printed");
		if (strncmp(p, "::", 2) == 0)
			FUZZ_ASSERT(p == line && (strncmp(p, "::warning::", 11) == 0 ||
			                          strncmp(p, "::error::", 9) == 0),
			            "no workflow command from a name");
		else
			FUZZ_ASSERT(!strstr(line, "##["), "no ##[command] from a name");
		line = nl ? nl + 1 : line + strlen(line);
	}
	if (ftruncate(out_fd, 0) != 0)
		abort();
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

/* V<version>__<description>.sql or R__<description>.sql, by the rules, independently. */
static int is_migration_name(const char *name, char **version)
{
	size_t n = strlen(name);
	*version = NULL;
	if (n < 4 || strcasecmp(name + n - 4, ".sql") != 0 || (name[0] != 'V' && name[0] != 'R'))
		return 0;
	const char *sep = strstr(name + 1, "__");
	if (sep && sep > name + n - 4)
		sep = NULL;
	size_t vlen = (size_t)((sep ? sep : name + n - 4) - (name + 1));
	if (name[0] == 'R')
		return vlen == 0;
	if (!vlen || !version_valid(name + 1, vlen))
		return 0;
	*version = version_display(name + 1, vlen);
	return 1;
}

static void scan(const char *dir, const char *name, int validate)
{
	discover_opts o = {.keep_notes = 1, .validate_naming = validate};
	pg_migrations m = {0};
	err e = ERR_INIT;
	const char *loc[] = {dir};
	int rc = discover_scan_opts(loc, 1, &o, &m, &e);
	FUZZ_ASSERT(!has_control(e.msg), "no control character in an error");
	for (size_t i = 0; i < m.n_notes; i++)
		FUZZ_ASSERT(!has_control(m.notes[i].text), "no control character in a note");
	discover_log_notes(&m);
	if (rc)
		log_error("%s", e.msg);
	char *version = NULL;
	/* (Flyway's callbacks and B baselines never start with V or R) */
	int want = !has_control(name) && is_migration_name(name, &version);
	if (rc == 0 && want) {
		FUZZ_ASSERT(m.n == 1, "a migration name is found");
		FUZZ_ASSERT(strcmp(m.v[0].script, name) == 0, "with its name as script");
		FUZZ_ASSERT(!strchr(m.v[0].description, '_'), "a description without underscores");
		FUZZ_ASSERT(!version == !m.v[0].version, "versioned exactly when V");
		if (version) {
			FUZZ_ASSERT(version_valid(m.v[0].version, strlen(m.v[0].version)),
			            "a valid version");
			FUZZ_ASSERT(version_cmp(m.v[0].version, version) == 0,
			            "the name's version");
		}
		log_info("applied %s (%s) in 1 ms", m.v[0].script, m.v[0].description);
	} else if (rc == 0) {
		FUZZ_ASSERT(m.n == 0, "anything else is not a migration");
	}
	free(version);
	discover_free(&m);
	check_printed();
}

static void versions(const char *a, const char *b, const char *c)
{
	const char *v[] = {a, b, c};
	for (int i = 0; i < 3; i++)
		if (!v[i] || !version_valid(v[i], strlen(v[i])))
			return;
	for (int i = 0; i < 3; i++) {
		FUZZ_ASSERT(version_cmp(v[i], v[i]) == 0, "reflexive");
		for (int j = 0; j < 3; j++) {
			int ij = sign(version_cmp(v[i], v[j]));
			FUZZ_ASSERT(ij == -sign(version_cmp(v[j], v[i])), "antisymmetric");
			for (int k = 0; k < 3; k++) {
				int jk = sign(version_cmp(v[j], v[k]));
				int ik = sign(version_cmp(v[i], v[k]));
				if (ij <= 0 && jk <= 0)
					FUZZ_ASSERT(ik <= 0, "transitive");
				if (ij == 0)
					FUZZ_ASSERT(ik == jk, "equal versions compare alike");
			}
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[256];
	if (out_fd < 0) {
		out_fd =
		    open(fuzz_tmp_path("printed"), O_RDWR | O_CREAT | O_TRUNC | O_APPEND, 0600);
		unlink(fuzz_tmp_path("printed"));
		dup2(out_fd, 1);
		snprintf(dir, sizeof dir, "%s", fuzz_tmp_path("loc"));
		setenv("GITHUB_ACTIONS", "true", 1);
		log_init();
	}
	char *text = fuzz_cstr(data, size);
	/* NAME\nA\nB: the versions are the last two lines, so the name may hold newlines */
	char *lines[3] = {text, NULL, NULL};
	char *last = strrchr(text, '\n');
	if (last) {
		*last = '\0';
		char *before = strrchr(text, '\n');
		if (before) {
			*before = '\0';
			lines[1] = before + 1;
			lines[2] = last + 1;
		} else {
			*last = '\n';
		}
	}
	const char *name = lines[0];
	/* one path component a file system takes */
	if (*name && !strchr(name, '/') && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
	    strlen(name) < 200) {
		mkdir(dir, 0700);
		int dfd = open(dir, O_RDONLY | O_DIRECTORY);
		int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			if (write(fd, "select 1;\n", 10) != 10)
				abort();
			close(fd);
			scan(dir, name, 0);
			scan(dir, name, 1);
			unlinkat(dfd, name, 0);
		}
		close(dfd);
	}
	char *v = NULL;
	is_migration_name(name, &v);
	versions(lines[1], lines[2], v ? v : lines[1]);
	free(v);
	free(text);
	return 0;
}
