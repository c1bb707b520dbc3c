/* SQL splitter: statements lie inside the script, in order, never overlap, and their
 * line is the line of their offset; COPY data lies after its statement. */
#include <unistd.h>

#include "fuzz.h"
#include "pg/sqlsplit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	sql_stmt *st = NULL;
	size_t n = sqlsplit(text, size, &st);
	size_t end = 0;
	for (size_t i = 0; i < n; i++) {
		FUZZ_ASSERT(st[i].off >= end, "statements in order, not overlapping");
		FUZZ_ASSERT(st[i].off + st[i].len <= size, "statement inside the script");
		FUZZ_ASSERT(st[i].line >= 1, "line is 1-based");
		end = st[i].off + st[i].len;
		if (st[i].copy) {
			FUZZ_ASSERT(st[i].copy_off >= end, "COPY data after its statement");
			FUZZ_ASSERT(st[i].copy_off + st[i].copy_len <= size, "COPY data inside");
			end = st[i].copy_off + st[i].copy_len;
		}
		const char *what = NULL;
		sqlsplit_no_transaction(text + st[i].off, st[i].len, 150000, &what);
	}
	free(st);
	return 0;
}
