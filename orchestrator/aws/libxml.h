/*
 * libxml: libxml2, loaded on its first call (see core/dl.h). Include this instead of
 * libxml2's own headers: every libxml2 function orchestrator calls is listed below and
 * becomes a call through a pointer. xmlFree is libxml2's variable holding its free
 * function (this build of libxml2 is not the one where it is a per-thread call).
 */
#ifndef ORC_AWS_LIBXML_H
#define ORC_AWS_LIBXML_H

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "core/dl.h"

/* clang-format off */
#define ORC_XML_FUNCTIONS(X) \
	X(xmlDocGetRootElement) \
	X(xmlFreeDoc) \
	X(xmlInitParser) \
	X(xmlNodeGetContent) \
	X(xmlReadMemory) \
	X(xmlXPathCastToString) \
	X(xmlXPathEvalExpression) \
	X(xmlXPathFreeContext) \
	X(xmlXPathFreeObject) \
	X(xmlXPathNewContext)
/* clang-format on */

ORC_XML_FUNCTIONS(DL_DECLARE)
extern xmlFreeFunc *orc_dl_xmlFree;

/* Loads libxml2 and fills the pointers, once; exits naming the package if it cannot. */
void orc_xml_load(void);

#ifndef ORC_XML_NO_MACROS
/* clang-format off */
#define xmlDocGetRootElement (orc_xml_load(), orc_dl_xmlDocGetRootElement)
#define xmlFreeDoc (orc_xml_load(), orc_dl_xmlFreeDoc)
#define xmlInitParser (orc_xml_load(), orc_dl_xmlInitParser)
#define xmlNodeGetContent (orc_xml_load(), orc_dl_xmlNodeGetContent)
#define xmlReadMemory (orc_xml_load(), orc_dl_xmlReadMemory)
#define xmlXPathCastToString (orc_xml_load(), orc_dl_xmlXPathCastToString)
#define xmlXPathEvalExpression (orc_xml_load(), orc_dl_xmlXPathEvalExpression)
#define xmlXPathFreeContext (orc_xml_load(), orc_dl_xmlXPathFreeContext)
#define xmlXPathFreeObject (orc_xml_load(), orc_dl_xmlXPathFreeObject)
#define xmlXPathNewContext (orc_xml_load(), orc_dl_xmlXPathNewContext)
#define xmlFree (orc_xml_load(), *orc_dl_xmlFree)
/* clang-format on */
#endif

#endif
