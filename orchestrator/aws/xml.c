/*
 * xml: Query protocol answers through libxml2.
 *
 * AWS answers carry a default namespace that differs per service and API version.
 * Rather than making every caller register it, parsing drops the namespaces from the
 * tree, so XPath written with local names ("//DBClusterSnapshot/Status") matches.
 * External entities and network access are off: answers are data, never fetch anything.
 */
#include <stdlib.h>
#include <string.h>

#include "aws/internal.h"

static void strip_ns(xmlNodePtr n)
{
	for (; n; n = n->next) {
		if (n->type == XML_ELEMENT_NODE) {
			n->ns = NULL;
			for (xmlAttrPtr a = n->properties; a; a = a->next)
				a->ns = NULL;
		}
		strip_ns(n->children);
	}
}

xmlDocPtr aws_xml_parse(const char *data, size_t len)
{
	xmlDocPtr doc = xmlReadMemory(data, (int)len, "aws.xml", NULL,
	                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc)
		strip_ns(xmlDocGetRootElement(doc));
	return doc;
}

static xmlXPathObjectPtr eval(xmlDocPtr doc, const char *xpath)
{
	if (!doc || !xpath)
		return NULL;
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	if (!ctx)
		return NULL;
	xmlXPathObjectPtr obj = xmlXPathEvalExpression((const xmlChar *)xpath, ctx);
	xmlXPathFreeContext(ctx);
	return obj;
}

static char *node_text(xmlNodePtr n)
{
	xmlChar *t = xmlNodeGetContent(n);
	char *s = xstrdup(t ? (const char *)t : "");
	xmlFree(t);
	return s;
}

char *aws_xml_text(xmlDocPtr doc, const char *xpath)
{
	xmlXPathObjectPtr obj = eval(doc, xpath);
	char *s = NULL;
	if (obj && obj->type == XPATH_NODESET && obj->nodesetval && obj->nodesetval->nodeNr > 0)
		s = node_text(obj->nodesetval->nodeTab[0]);
	else if (obj && obj->type != XPATH_NODESET) {
		xmlChar *t = xmlXPathCastToString(obj);
		s = xstrdup((const char *)t);
		xmlFree(t);
	}
	xmlXPathFreeObject(obj);
	return s;
}

char **aws_xml_texts(xmlDocPtr doc, const char *xpath, size_t *n)
{
	xmlXPathObjectPtr obj = eval(doc, xpath);
	size_t count = 0;
	if (obj && obj->type == XPATH_NODESET && obj->nodesetval)
		count = (size_t)obj->nodesetval->nodeNr;
	char **out = xcalloc(count + 1, sizeof *out);
	for (size_t i = 0; i < count; i++)
		out[i] = node_text(obj->nodesetval->nodeTab[i]);
	xmlXPathFreeObject(obj);
	if (n)
		*n = count;
	return out;
}

void aws_xml_free_texts(char **texts)
{
	if (!texts)
		return;
	for (char **t = texts; *t; t++)
		free(*t);
	free(texts);
}
