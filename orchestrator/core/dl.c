/*
 * dl: see dl.h.
 */
#include "core/dl.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/err.h"
#include "core/log.h"

void *dl_open(const char *soname, const char *package)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_GLOBAL);
	if (!h) {
		if (package && *package)
			log_error("cannot load %s, which this command needs (%s); install the %s "
			          "package",
			          soname, dlerror(), package);
		else
			log_error("cannot load %s, which this command needs (%s); install the "
			          "library that provides it",
			          soname, dlerror());
		exit(ORC_EFAIL);
	}
	return h;
}

void *dl_sym(void *h, const char *soname, const char *name)
{
	dlerror();
	void *p = dlsym(h, name);
	if (!p) {
		const char *why = dlerror();
		log_error("%s has no %s (%s); rebuild orchestrator against the installed version",
		          soname, name, why ? why : "a null symbol");
		exit(ORC_EFAIL);
	}
	return p;
}
