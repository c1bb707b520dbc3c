/* Placeholders: a value never appears in an error message (they may be secrets); with no
 * values set, a script that applies is unchanged except for ${flyway:filename}. */
#include "core/buf.h"
#include "fuzz.h"
#include "pg/placeholder.h"

#define SECRET "S3cr3t-Pl4ceh0lder-V4lue"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	placeholder_set s = {0};
	placeholder_set_put(&s, "password", SECRET);
	placeholder_set_put(&s, "a.b:c-d", "x");
	buf out = BUF_INIT;
	err e = ERR_INIT;
	if (placeholder_apply(&s, "V1__f.sql", text, size, &out, &e) != 0) {
		/* (the script itself may hold the same bytes, as a placeholder's name) */
		FUZZ_ASSERT(!strstr(e.msg, SECRET) || memmem(text, size, SECRET, strlen(SECRET)),
		            "a placeholder value in an error message");
		FUZZ_ASSERT(e.code == ORC_EUSAGE, "a missing placeholder is a usage error");
	}
	buf_free(&out);
	placeholder_set_free(&s);

	placeholder_set none = {0};
	buf same = BUF_INIT;
	err e2 = ERR_INIT;
	int has_filename = memmem(text, size, "${", 2) != NULL;
	if (placeholder_apply(&none, "V1__f.sql", text, size, &same, &e2) == 0 && !has_filename)
		FUZZ_ASSERT(same.len == size && (size == 0 || memcmp(same.ptr, text, size) == 0),
		            "a script without placeholders is unchanged");
	buf_free(&same);
	placeholder_set_free(&none);
	return 0;
}
