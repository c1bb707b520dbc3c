/*
 * http: one HTTP exchange over libcurl, and the pieces retry loops are built from.
 *
 * http_perform makes exactly one attempt; callers (GitHub, AWS) own their retry policy
 * because they differ in what is worth retrying and must re-sign or re-stamp each
 * attempt. TLS verification is always on. With --verbose the request and response lines
 * and headers are logged with credentials redacted; bodies never are.
 */
#ifndef ORC_HTTP_H
#define ORC_HTTP_H

#include <curl/curl.h>

#include "core/buf.h"
#include "core/err.h"

typedef struct http_request {
	const char *method; /* "GET", "POST", ... */
	const char *url;
	struct curl_slist *headers; /* "Name: value" lines, owned by the caller */
	const char *body;           /* may be NULL */
	size_t body_len;
	long connect_timeout_ms; /* 0: 10 s */
	long timeout_ms;         /* 0: 60 s */
} http_request;

typedef struct http_response {
	long status;
	buf body;
	buf headers; /* raw header block of the final response */
} http_response;

#define HTTP_RESPONSE_INIT                                                                         \
	{                                                                                          \
		0, BUF_INIT, BUF_INIT                                                              \
	}

/* curl_global_init once per process; safe to call repeatedly. */
void http_global_init(void);
void http_global_cleanup(void);

/* One attempt. Returns 0 when any HTTP status came back (check resp->status); on a
 * transport failure returns ORC_EFAIL with e->transient set and the curl error text. */
int http_perform(const http_request *req, http_response *resp, err *e);
void http_response_free(http_response *resp);
/* Copies the value of the last header called name (case-insensitive) into out; 1 if found. */
int http_header_get(const http_response *resp, const char *name, buf *out);
/* Retry-After in milliseconds (delta-seconds form), or -1 when absent or unparsable. */
long http_retry_after_ms(const http_response *resp);
/* Longest Retry-After http_retry_after_ms returns (larger values are clamped to it). */
#define HTTP_RETRY_AFTER_MAX_MS (3600L * 1000L)

/* Whether host (as libcurl's URL API gives it: IPv6 literals in brackets) is an IP literal
 * of the loopback: 127.0.0.0/8 or ::1. Names are not (127.evil.example resolves anywhere). */
int http_host_is_loopback(const char *host);

/* url with its user info (user:password@) removed, for printing; a URL libcurl cannot
 * parse has everything between "://" and the last '@' of its authority masked. */
void http_redact_url(const char *url, buf *out);
/* Full-jitter exponential backoff: random in [0, min(cap, base * 2^attempt)]. */
long http_backoff_ms(int attempt, long base_ms, long cap_ms);

#endif
