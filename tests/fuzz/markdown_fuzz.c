/* Markdown escaping of names from the catalog (any bytes a quoted identifier may hold):
 * text and code spans stay on one line and never close a table cell; a Mermaid id is
 * letters, digits and underscores only. */
#include "core/buf.h"
#include "fuzz.h"
#include "pg/markdown.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	buf t = BUF_INIT, c = BUF_INIT, id = BUF_INIT;
	markdown_text(&t, s);
	markdown_code(&c, s);
	markdown_mermaid_id(&id, s);
	for (size_t i = 0; i < t.len; i++) {
		FUZZ_ASSERT(t.ptr[i] != '\n' && t.ptr[i] != '\r', "escaped text on one line");
		FUZZ_ASSERT(t.ptr[i] != '|' || (i > 0 && t.ptr[i - 1] == '\\'),
		            "a | in escaped text is escaped");
	}
	for (size_t i = 0; i < c.len; i++)
		FUZZ_ASSERT(c.ptr[i] != '\n' && c.ptr[i] != '\r', "a code span on one line");
	for (size_t i = 0; i < id.len; i++) {
		char ch = id.ptr[i];
		FUZZ_ASSERT((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		                (ch >= '0' && ch <= '9') || ch == '_',
		            "a Mermaid id of [A-Za-z0-9_]");
	}
	buf_free(&t);
	buf_free(&c);
	buf_free(&id);
	free(s);
	return 0;
}
