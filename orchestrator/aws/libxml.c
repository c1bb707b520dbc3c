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

#define ORC_XML_DEFINE(f) __typeof__(f) *orc_dl_##f;
ORC_XML_FUNCTIONS(ORC_XML_DEFINE)
#undef ORC_XML_DEFINE
xmlFreeFunc *orc_dl_xmlFree;

static void load(void)
{
	void *h = dl_open(ORC_XML_SONAME, ORC_XML_PACKAGE);
#define ORC_XML_FILL(f) orc_dl_##f = (__typeof__(orc_dl_##f))dl_sym(h, ORC_XML_SONAME, #f);
	ORC_XML_FUNCTIONS(ORC_XML_FILL)
#undef ORC_XML_FILL
	orc_dl_xmlFree = (xmlFreeFunc *)dl_sym(h, ORC_XML_SONAME, "xmlFree");
}

void orc_xml_load(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, load);
}
