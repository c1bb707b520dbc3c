/* AWS Query answers: any bytes parse or fail cleanly, and XPath lookups on what parsed
 * return well-formed results (texts NULL-terminated, each a string). */
#include <libxml/parser.h>

#include "aws/aws.h"
#include "aws/internal.h"
#include "fuzz.h"

static void quiet(void *ctx, const char *msg, ...)
{
	(void)ctx, (void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	xmlSetGenericErrorFunc(NULL, quiet);
	xmlDocPtr doc = aws_xml_parse((const char *)data, size);
	if (!doc)
		return 0;
	static const char *paths[] = {"//Error/Code", "//Error/Message", "//DBCluster/Status",
	                              "//Marker", "//item/vpcId"};
	for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
		char **t = aws_xml_texts(doc, paths[i], NULL);
		FUZZ_ASSERT(t != NULL, "a texts array");
		for (char **s = t; *s; s++)
			FUZZ_ASSERT(strlen(*s) < size + 1, "a text no longer than the answer");
		aws_xml_free_texts(t);
		free(aws_xml_text(doc, paths[i]));
	}
	xmlFreeDoc(doc);
	return 0;
}
