/*
 * buf: growable byte buffer. Growth doubles, so appending n bytes one at a time is
 * amortised O(n); every writer keeps a terminating NUL after len.
 */
#include "core/buf.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(void)
{
	fputs("orchestrator: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return buf_detach(&b);
}

void buf_grow(buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1) {
		if (cap > (size_t)-1 / 2)
			oom();
		cap *= 2;
	}
	b->ptr = xrealloc(b->ptr, cap);
	b->cap = cap;
}

void buf_put(buf *b, const void *data, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->ptr + b->len, data, n);
	b->len += n;
	b->ptr[b->len] = '\0';
}

void buf_puts(buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

void buf_putc(buf *b, char c)
{
	buf_put(b, &c, 1);
}

void buf_vprintf(buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	buf_grow(b, 64);
	int n = vsnprintf(b->ptr + b->len, b->cap - b->len, fmt, copy);
	va_end(copy);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		buf_grow(b, (size_t)n);
		vsnprintf(b->ptr + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void buf_printf(buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void buf_clear(buf *b)
{
	buf_truncate(b, 0);
}

void buf_truncate(buf *b, size_t n)
{
	if (n < b->len) {
		b->len = n;
		b->ptr[n] = '\0';
	}
}

void buf_free(buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
}

const char *buf_cstr(const buf *b)
{
	return b->ptr ? b->ptr : "";
}

char *buf_detach(buf *b)
{
	char *p = b->ptr ? b->ptr : xstrdup("");
	b->ptr = NULL;
	b->len = b->cap = 0;
	return p;
}

void buf_replace_all(buf *b, const char *needle, const char *repl)
{
	size_t nlen = strlen(needle);
	if (!nlen || !b->len || !strstr(b->ptr, needle))
		return;
	buf out = BUF_INIT;
	const char *p = b->ptr, *end = b->ptr + b->len, *hit;
	while ((hit = memmem(p, (size_t)(end - p), needle, nlen)) != NULL) {
		buf_put(&out, p, (size_t)(hit - p));
		buf_puts(&out, repl);
		p = hit + nlen;
	}
	buf_put(&out, p, (size_t)(end - p));
	buf_free(b);
	*b = out;
}

void buf_put_hex(buf *b, const void *data, size_t n)
{
	if (n == 0)
		return;
	size_t len = 2 * n + 1, at = b->len;
	buf_grow(b, len);
	if (OPENSSL_buf2hexstr_ex(b->ptr + at, len, NULL, data, (long)n, '\0') != 1)
		abort(); /* the buffer is sized for it: cannot happen */
	for (size_t i = 0; i < 2 * n; i++)
		b->ptr[at + i] = (char)tolower((unsigned char)b->ptr[at + i]);
	b->len = at + 2 * n;
	b->ptr[b->len] = '\0';
}
