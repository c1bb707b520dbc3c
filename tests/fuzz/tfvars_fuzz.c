/* tfvars: a file that parses keeps its text byte for byte; setting app_version to any
 * string rewrites it so that the result parses again and holds exactly that string. */
#include "config/tfvars.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tfvars *t = NULL;
	err e = ERR_INIT;
	if (tfvars_parse("f.tfvars", (const char *)data, size, &t, &e) != 0)
		return 0;
	size_t len;
	const char *text = tfvars_text(t, &len);
	FUZZ_ASSERT(len == size && memcmp(text, data, size) == 0, "parsing keeps the text");
	static const char value[] = "1.2.3 \"quoted\" \\ ${x} %{y}\n\ttab";
	err e2 = ERR_INIT;
	if (tfvars_set_string(t, "app_version", value, NULL, &e2) == 0) {
		text = tfvars_text(t, &len);
		tfvars *t2 = NULL;
		err e3 = ERR_INIT;
		FUZZ_ASSERT(tfvars_parse("f.tfvars", text, len, &t2, &e3) == 0,
		            "the rewritten file parses");
		const tfvars_entry *en = tfvars_get(t2, "app_version");
		FUZZ_ASSERT(en && en->kind == TFVARS_STRING && strcmp(en->value, value) == 0,
		            "app_version holds the string set");
		tfvars_free(t2);
	}
	tfvars_free(t);
	return 0;
}
