/*
 * buf: the one growable byte buffer used for all text building.
 *
 * A buf is a plain value (pointer, length, capacity) so it can live on the stack or
 * inside other structs; it is always NUL-terminated once anything was written, so
 * b.ptr can be handed to C string functions. Allocation failure aborts: this is a
 * command-line tool, and there is nothing sensible to do half-way through a request.
 */
#ifndef ORC_BUF_H
#define ORC_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct buf {
	char *ptr;
	size_t len;
	size_t cap;
} buf;

#define BUF_INIT                                                                                   \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

void buf_grow(buf *b, size_t extra);
void buf_put(buf *b, const void *data, size_t n);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(buf *b, const char *fmt, va_list ap);
/* Length back to 0, memory kept. */
void buf_clear(buf *b);
/* Keep the first n bytes. */
void buf_truncate(buf *b, size_t n);
void buf_free(buf *b);
/* Never NULL: "" for an empty buffer. */
const char *buf_cstr(const buf *b);
/* Hands the heap string to the caller (never NULL) and resets the buffer. */
char *buf_detach(buf *b);
/* Replaces every occurrence of needle (non-empty) with repl. */
void buf_replace_all(buf *b, const char *needle, const char *repl);
/* Appends data as lowercase hex (OpenSSL's OPENSSL_buf2hexstr_ex does the work). */
void buf_put_hex(buf *b, const void *data, size_t n);

/* Allocation helpers that abort on failure, for the rest of the program. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The one growable-array helper (git's ALLOC_GROW): makes the heap array ptr, of cap
 * elements (a size_t), hold at least need, doubling so n appends cost O(n). */
#define ARRAY_GROW(ptr, need, cap)                                                                 \
	do {                                                                                       \
		if ((size_t)(need) > (cap)) {                                                      \
			(cap) = (cap) ? 2 * (cap) : 8;                                             \
			if ((cap) < (size_t)(need))                                                \
				(cap) = (size_t)(need);                                            \
			(ptr) = xrealloc((ptr), (cap) * sizeof *(ptr));                            \
		}                                                                                  \
	} while (0)

#endif
