/*
 * A stand-in for ICU's libicuuc in the migration image. Debian's libxml2 links ICU only to
 * convert documents in encodings that neither libxml2 itself (UTF-8, UTF-16, ISO-8859-1,
 * ASCII) nor iconv handles; the task parses AWS Query answers, which are always UTF-8.
 * The real library drags in 35 MB (libicudata, libstdc++). This one has the same soname
 * and defines exactly the converter functions libxml2 imports, each reporting that no
 * converter is available, so libxml2 refuses such a document with its own "unsupported
 * encoding" error instead of converting it. docker/rootfs.sh compiles it with
 * -DICU_SUFFIX=_NN (ICU versions its symbol names) and checks that it defines every ICU
 * symbol libxml2 imports.
 */
#include <stddef.h>

#define ICU_CAT2(a, b) a##b
#define ICU_CAT(a, b) ICU_CAT2(a, b)
#define ICU(name) ICU_CAT(name, ICU_SUFFIX)

/* ICU's UErrorCode for "not supported"; any value above zero is a failure to callers. */
enum { STUB_U_UNSUPPORTED_ERROR = 16 };

static void fail(int *status)
{
	if (status && *status <= 0)
		*status = STUB_U_UNSUPPORTED_ERROR;
}

void *ICU(ucnv_open)(const char *name, int *status);
void ICU(ucnv_close)(void *converter);
void ICU(ucnv_convertEx)(void *to, void *from, char **target, const char *target_limit,
                         const char **source, const char *source_limit, void *pivot_start,
                         void **pivot_source, void **pivot_target, const void *pivot_limit,
                         signed char reset, signed char flush, int *status);
void ICU(ucnv_setFromUCallBack)(void *converter, void *action, const void *context,
                                void **old_action, const void **old_context, int *status);
void ICU(ucnv_setToUCallBack)(void *converter, void *action, const void *context,
                              void **old_action, const void **old_context, int *status);
void ICU(UCNV_FROM_U_CALLBACK_STOP)(void);
void ICU(UCNV_TO_U_CALLBACK_STOP)(void);

void *ICU(ucnv_open)(const char *name, int *status)
{
	(void)name;
	fail(status);
	return NULL;
}

void ICU(ucnv_close)(void *converter)
{
	(void)converter;
}

void ICU(ucnv_convertEx)(void *to, void *from, char **target, const char *target_limit,
                         const char **source, const char *source_limit, void *pivot_start,
                         void **pivot_source, void **pivot_target, const void *pivot_limit,
                         signed char reset, signed char flush, int *status)
{
	(void)to, (void)from, (void)target, (void)target_limit, (void)source, (void)source_limit;
	(void)pivot_start, (void)pivot_source, (void)pivot_target, (void)pivot_limit;
	(void)reset, (void)flush;
	fail(status);
}

void ICU(ucnv_setFromUCallBack)(void *converter, void *action, const void *context,
                                void **old_action, const void **old_context, int *status)
{
	(void)converter, (void)action, (void)context, (void)old_action, (void)old_context;
	fail(status);
}

void ICU(ucnv_setToUCallBack)(void *converter, void *action, const void *context,
                              void **old_action, const void **old_context, int *status)
{
	(void)converter, (void)action, (void)context, (void)old_action, (void)old_context;
	fail(status);
}

/* Only their addresses are taken (as callback arguments); never called here. */
void ICU(UCNV_FROM_U_CALLBACK_STOP)(void) {}
void ICU(UCNV_TO_U_CALLBACK_STOP)(void) {}
