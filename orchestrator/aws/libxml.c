/*
 * libxml: the pointers behind aws/libxml.h, filled from libxml2 on the first call.
 */
#define ORC_XML_NO_MACROS
#include "aws/libxml.h"

#include <pthread.h>

#include "core/dl.h"

#if !defined ORC_XML_SONAME || !defined ORC_XML_PACKAGE
#error "ORC_XML_SONAME and ORC_XML_PACKAGE: the Makefile passes libxml2's soname and package"
#endif
_Static_assert(sizeof ORC_XML_SONAME > 1, "the Makefile found no soname for libxml2");

DL_RECORD_SONAME(xml_soname, ORC_XML_SONAME);

ORC_XML_FUNCTIONS(DL_DEFINE)
xmlFreeFunc *orc_dl_xmlFree;

static void load(void)
{
	const char *soname = ORC_XML_SONAME;
	void *h = dl_open(soname, ORC_XML_PACKAGE);
	ORC_XML_FUNCTIONS(DL_FILL)
	orc_dl_xmlFree = (xmlFreeFunc *)dl_sym(h, soname, "xmlFree");
}

void orc_xml_load(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, load);
}
