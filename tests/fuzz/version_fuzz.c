/* Migration versions (file names): comparison is a total order on valid versions
 * (reflexive, antisymmetric), and every valid version has a display form that is valid. */
#include "fuzz.h"
#include "pg/version.h"

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	size_t na = nl ? (size_t)(nl - (const char *)data) : size;
	char *a = fuzz_cstr(data, na);
	char *b = nl ? fuzz_cstr((const uint8_t *)nl + 1, size - na - 1) : strdup("1");
	int va = version_valid(a, strlen(a)), vb = version_valid(b, strlen(b));
	if (va) {
		FUZZ_ASSERT(version_cmp(a, a) == 0, "a version equals itself");
		char *d = version_display(a, strlen(a));
		FUZZ_ASSERT(d != NULL, "a valid version has a display form");
		free(d);
	}
	if (va && vb)
		FUZZ_ASSERT(sign(version_cmp(a, b)) == -sign(version_cmp(b, a)),
		            "comparison is antisymmetric");
	free(a);
	free(b);
	return 0;
}
