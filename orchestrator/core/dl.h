/*
 * dl: shared libraries loaded on first use instead of at start.
 *
 * libgit2 and libxml2 (with what they pull in: ICU, libstdc++, pcre2, http-parser) are a
 * third of the libraries the loader maps, and about 6 ms of every start on a 2-core
 * machine, while most commands (info, validate, migrate from a folder, trigger's menus)
 * never call them. Their callers include git/git2.h or aws/libxml.h instead of the
 * libraries' own headers: the same names, each a macro through a pointer that the first
 * call fills (every symbol at once, under pthread_once). The binary is linked with
 * --as-needed, so a direct call that bypassed the wrappers would put the library back
 * into the binary's NEEDED list; tests/style/dlopen.t fails then.
 *
 * The sonames are kept in the binary's .orc_dlopen section (docker/rootfs.sh reads it
 * with objcopy to put the libraries into the image, as it does for what ldd lists).
 * A library that cannot be loaded is a one-line error naming it and the Debian package
 * that provides it, and exit code 1.
 */
#ifndef ORC_DL_H
#define ORC_DL_H

/* Opens soname (RTLD_NOW) or exits with an error naming it and package (the Debian
 * package that provides it; "" when the build could not tell). */
void *dl_open(const char *soname, const char *package);
/* The address of name in h, or exits with an error naming soname and name. */
void *dl_sym(void *h, const char *soname, const char *name);

/* For a library's X-macro list of function names: the pointer behind each name, declared
 * (in its header) and defined (in its loader); DL_FILL(f) fills one, inside a loader
 * where h is the dlopen handle and soname the library's soname. */
#define DL_DECLARE(f) extern __typeof__(f) *orc_dl_##f;
#define DL_DEFINE(f) __typeof__(f) *orc_dl_##f;
#define DL_FILL(f) orc_dl_##f = (__typeof__(orc_dl_##f))dl_sym(h, soname, #f);

/* Records soname in the binary's .orc_dlopen section (NUL-separated names). */
#define DL_RECORD_SONAME(id, soname)                                                               \
	__attribute__((section(".orc_dlopen"), used)) static const char id[] = soname

#endif
