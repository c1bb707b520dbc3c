/*
 * libFuzzer harnesses (tests/fuzz/NAME_fuzz.c), one per parser of outside input. Each asserts
 * properties of the result, not only "no crash": FUZZ_ASSERT aborts, which libFuzzer
 * reports as a crash with the input that broke the property. Built by `make fuzz` with
 * clang -fsanitize=fuzzer,address,undefined; seeds in tests/fuzz/corpus/<name>/.
 */
#ifndef ORC_FUZZ_H
#define ORC_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FUZZ_ASSERT(cond, what)                                                                    \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "property broken: %s (%s:%d)\n", what, __FILE__,           \
			        __LINE__);                                                         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* The input as a NUL-terminated heap string (cut at its first NUL). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A private file path for this process, for parsers that read files. */
static inline const char *fuzz_tmp_path(const char *name)
{
	static char path[256];
	const char *dir = getenv("TMPDIR");
	snprintf(path, sizeof path, "%s/orc-fuzz-%ld-%s", dir && *dir ? dir : "/tmp",
	         (long)getpid(), name);
	return path;
}

static inline void fuzz_write_file(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
