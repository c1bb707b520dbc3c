/* Markdown escaping of names from the catalog (any bytes a quoted identifier may hold):
 * text and code spans stay on one line and never close a table cell; an anchor is
 * schema.name in [a-z0-9_-] only; Mermaid names and strings hold no line break or control character
 * (and strings no double quote). */
#include "core/buf.h"
#include "fuzz.h"
#include "pg/markdown.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	buf t = BUF_INIT, c = BUF_INIT, id = BUF_INIT, ent = BUF_INIT, str = BUF_INIT;
	markdown_text(&t, s);
	markdown_code(&c, s);
	markdown_anchor(&id, "public", s);
	markdown_mermaid_entity(&ent, s);
	markdown_mermaid_string(&str, s);
	for (size_t i = 0; i < ent.len; i++)
		FUZZ_ASSERT((unsigned char)ent.ptr[i] >= 0x20 && ent.ptr[i] != 0x7f,
		            "no control character in a Mermaid entity");
	/* the string comes in its own quotes: none inside */
	FUZZ_ASSERT(str.len >= 2 && str.ptr[0] == '"' && str.ptr[str.len - 1] == '"',
	            "a Mermaid string in quotes");
	for (size_t i = 1; i + 1 < str.len; i++)
		FUZZ_ASSERT((unsigned char)str.ptr[i] >= 0x20 && str.ptr[i] != '"',
		            "no control character or \" inside a Mermaid string");
	for (size_t i = 0; i < t.len; i++) {
		FUZZ_ASSERT(t.ptr[i] != '\n' && t.ptr[i] != '\r', "escaped text on one line");
		FUZZ_ASSERT(t.ptr[i] != '|' || (i > 0 && t.ptr[i - 1] == '\\'),
		            "a | in escaped text is escaped");
	}
	for (size_t i = 0; i < c.len; i++)
		FUZZ_ASSERT(c.ptr[i] != '\n' && c.ptr[i] != '\r', "a code span on one line");
	for (size_t i = 0; i < id.len; i++) {
		char ch = id.ptr[i];
		FUZZ_ASSERT((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
		                ch == '-' || (ch == '.' && i == strlen("public")),
		            "an anchor of [a-z0-9_-], one '.' after the schema");
	}
	buf_free(&t);
	buf_free(&c);
	buf_free(&id);
	buf_free(&ent);
	buf_free(&str);
	free(s);
	return 0;
}
