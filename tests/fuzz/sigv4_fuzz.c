/* SigV4 canonicalisation of any URL: the canonical request has its fixed shape (method,
 * path, query, one header, blank line, signed headers, payload hash: six newlines) and the
 * path and query lines hold no raw space or control character. */
#include "aws/internal.h"
#include "core/buf.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *url = fuzz_cstr(data, size);
	aws_header h[] = {{"host", "example.amazonaws.com"}};
	buf out = BUF_INIT, signed_headers = BUF_INIT;
	err e = ERR_INIT;
	if (aws_sigv4_canonical_request("GET", url, h, 1, "", 0, &out, &signed_headers, &e) == 0) {
		size_t nl = 0;
		const char *p = buf_cstr(&out);
		const char *line2 = strchr(p, '\n');
		for (size_t i = 0; i < out.len; i++)
			nl += out.ptr[i] == '\n';
		FUZZ_ASSERT(nl == 6, "six newlines in the canonical request");
		FUZZ_ASSERT(line2 != NULL, "a path line");
		const char *end = strchr(strchr(line2 + 1, '\n') + 1, '\n');
		for (const char *q = line2 + 1; q < end; q++)
			FUZZ_ASSERT(*q == '\n' || ((unsigned char)*q > 0x20 && *q != 0x7f),
			            "path and query are encoded");
	}
	buf_free(&out);
	buf_free(&signed_headers);
	free(url);
	return 0;
}
