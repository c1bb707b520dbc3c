/*
 * git2: the pointers behind git/git2.h, filled from libgit2 on the first call.
 */
#define ORC_GIT2_NO_MACROS
#include "git/git2.h"

#include <pthread.h>

#include "core/dl.h"

#if !defined ORC_GIT2_SONAME || !defined ORC_GIT2_PACKAGE
#error "ORC_GIT2_SONAME and ORC_GIT2_PACKAGE: the Makefile passes libgit2's soname and package"
#endif
_Static_assert(sizeof ORC_GIT2_SONAME > 1, "the Makefile found no soname for libgit2");

DL_RECORD_SONAME(git2_soname, ORC_GIT2_SONAME);

ORC_GIT2_FUNCTIONS(DL_DEFINE)

static void load(void)
{
	const char *soname = ORC_GIT2_SONAME;
	void *h = dl_open(soname, ORC_GIT2_PACKAGE);
	ORC_GIT2_FUNCTIONS(DL_FILL)
}

void orc_git2_load(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, load);
}
