/* README splicing: the section body lands in the output, and splicing the output again
 * changes nothing (a second run of schema-docs must not touch the README). */
#include "core/buf.h"
#include "docs/readme.h"
#include "fuzz.h"

static const char BODY[] = "## Schema public\n\n| a | b |\n|---|---|\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	buf out = BUF_INIT, again = BUF_INIT;
	err e = ERR_INIT;
	if (readme_splice("README.md", (const char *)data, size, BODY, &out, &e) == 0) {
		FUZZ_ASSERT(memmem(out.ptr, out.len, BODY, strlen(BODY)) != NULL,
		            "the body is in the output");
		err e2 = ERR_INIT;
		FUZZ_ASSERT(
		    readme_splice("README.md", buf_cstr(&out), out.len, BODY, &again, &e2) == 0,
		    "the output splices again");
		FUZZ_ASSERT(again.len == out.len && memcmp(again.ptr, out.ptr, out.len) == 0,
		            "a second splice changes nothing");
	}
	buf_free(&out);
	buf_free(&again);
	return 0;
}
