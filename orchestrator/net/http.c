/*
 * http: libcurl easy handle per request (requests are few; connection reuse would buy
 * little and complicate ownership), header capture for Retry-After and rate limits,
 * and redacted verbose tracing.
 */
#include "net/http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/log.h"

static int http_ready;

static void register_userinfo(const char *url);

void http_global_init(void)
{
	if (!http_ready) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		http_ready = 1;
	}
}

void http_global_cleanup(void)
{
	if (http_ready) {
		curl_global_cleanup();
		http_ready = 0;
	}
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
	buf_put(ud, data, size * n);
	return size * n;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
	buf *h = ud;
	/* A new status line (redirect or 100-continue) starts a new header block. */
	if (size * n >= 5 && strncmp(data, "HTTP/", 5) == 0)
		buf_clear(h);
	buf_put(h, data, size * n);
	return size * n;
}

static int is_sensitive_header(const char *line)
{
	static const char *names[] = {
	    "authorization:", "x-amz-security-token:", "x-aws-ec2-metadata-token:",
	    "cookie:",        "set-cookie:",           "proxy-authorization:"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strncasecmp(line, names[i], strlen(names[i])) == 0)
			return 1;
	return 0;
}

static void trace_headers(const char *prefix, const char *block)
{
	const char *p = block;
	while (*p) {
		const char *eol = strpbrk(p, "\r\n");
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		if (len) {
			if (is_sensitive_header(p)) {
				const char *colon = memchr(p, ':', len);
				log_verbose("%s%.*s: <redacted>", prefix, (int)(colon - p), p);
			} else {
				log_verbose("%s%.*s", prefix, (int)len, p);
			}
		}
		if (!eol)
			break;
		p = eol + 1;
	}
}

int http_perform(const http_request *req, http_response *resp, err *e)
{
	http_global_init();
	buf_clear(&resp->body);
	buf_clear(&resp->headers);
	resp->status = 0;

	CURL *c = curl_easy_init();
	if (!c)
		return err_set(e, ORC_EFAIL, "cannot initialise libcurl");
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	                 req->connect_timeout_ms ? req->connect_timeout_ms : 10000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, req->timeout_ms ? req->timeout_ms : 60000L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, req->headers);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp->body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &resp->headers);
	if (req->body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	} else if (strcmp(req->method, "GET") == 0) {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(req->method, "POST") == 0 || strcmp(req->method, "PUT") == 0) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
	}

	register_userinfo(req->url);
	static const char *proxies[] = {"http_proxy", "https_proxy", "HTTPS_PROXY", "ALL_PROXY",
	                                "all_proxy"};
	for (size_t i = 0; i < sizeof proxies / sizeof *proxies; i++)
		register_userinfo(getenv(proxies[i]));
	buf shown = BUF_INIT; /* the URL as printed: never its user info */
	http_redact_url(req->url, &shown);
	if (log_is_verbose()) {
		log_verbose("> %s %s", req->method, buf_cstr(&shown));
		for (struct curl_slist *h = req->headers; h; h = h->next)
			trace_headers("> ", h->data);
	}

	CURLcode rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		buf why = BUF_INIT;
		buf_puts(&why, errbuf[0] ? errbuf : curl_easy_strerror(rc));
		log_redact(&why);
		err_set(e, ORC_EFAIL, "%s %s: %s", req->method, buf_cstr(&shown), buf_cstr(&why));
		buf_free(&why);
		buf_free(&shown);
		e->transient = 1;
		curl_easy_cleanup(c);
		return ORC_EFAIL;
	}
	buf_free(&shown);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	curl_easy_cleanup(c);
	if (log_is_verbose())
		trace_headers("< ", buf_cstr(&resp->headers));
	return 0;
}

void http_response_free(http_response *resp)
{
	buf_free(&resp->body);
	buf_free(&resp->headers);
}

int http_header_get(const http_response *resp, const char *name, buf *out)
{
	size_t nlen = strlen(name);
	const char *p = buf_cstr(&resp->headers);
	int found = 0;
	while (*p) {
		const char *eol = strpbrk(p, "\r\n");
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		if (len > nlen && p[nlen] == ':' && strncasecmp(p, name, nlen) == 0) {
			const char *v = p + nlen + 1, *end = p + len;
			while (v < end && (*v == ' ' || *v == '\t'))
				v++;
			while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
				end--;
			buf_clear(out);
			buf_put(out, v, (size_t)(end - v));
			found = 1;
		}
		if (!eol)
			break;
		p = eol + 1;
	}
	return found;
}

long http_retry_after_ms(const http_response *resp)
{
	buf v = BUF_INIT;
	long ms = -1;
	if (http_header_get(resp, "Retry-After", &v)) {
		/* Clamped on parse: seconds * 1000 must not overflow (UBSan) whatever the server
		 * sends; strtol gives LONG_MAX on overflow. */
		char *end;
		long s = strtol(buf_cstr(&v), &end, 10);
		if (end != buf_cstr(&v) && *end == '\0' && s >= 0)
			ms =
			    s > HTTP_RETRY_AFTER_MAX_MS / 1000 ? HTTP_RETRY_AFTER_MAX_MS : s * 1000;
	}
	buf_free(&v);
	return ms;
}

int http_host_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	size_t n = strlen(host);
	if (n > 2 && host[0] == '[' && host[n - 1] == ']') {
		char *inner = xstrndup(host + 1, n - 2);
		int ok = inet_pton(AF_INET6, inner, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
		free(inner);
		return ok;
	}
	return 0;
}

void http_redact_url(const char *url, buf *out)
{
	CURLU *u = curl_url();
	char *clean = NULL;
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_USER, NULL, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_OPTIONS, NULL, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &clean, 0) == CURLUE_OK) {
		buf_puts(out, clean);
	} else {
		const char *auth = strstr(url, "://");
		auth = auth ? auth + 3 : url;
		size_t end = strcspn(auth, "/?#");
		const char *at = NULL;
		for (const char *q = auth; q < auth + end; q++)
			if (*q == '@')
				at = q;
		if (at) {
			buf_put(out, url, (size_t)(auth - url));
			buf_puts(out, "***");
			buf_puts(out, at);
		} else {
			buf_puts(out, url);
		}
	}
	curl_free(clean);
	curl_url_cleanup(u);
}

/* The password of a URL's user info (or of a proxy URL in the environment): registered,
 * so that a libcurl error quoting it is redacted too. */
static void register_userinfo(const char *url)
{
	if (!url || !*url)
		return;
	CURLU *u = curl_url();
	char *pw = NULL;
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME | CURLU_GUESS_SCHEME) ==
	        CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PASSWORD, &pw, 0) == CURLUE_OK) {
		log_add_secret(pw);
		char *dec = curl_easy_unescape(NULL, pw, 0, NULL);
		log_add_secret(dec);
		curl_free(dec);
	}
	curl_free(pw);
	curl_url_cleanup(u);
}

long http_backoff_ms(int attempt, long base_ms, long cap_ms)
{
	long ceiling = base_ms;
	for (int i = 0; i < attempt && ceiling < cap_ms; i++)
		ceiling *= 2;
	if (ceiling > cap_ms)
		ceiling = cap_ms;
	unsigned int r = 0;
	if (RAND_bytes((unsigned char *)&r, sizeof r) != 1)
		r = (unsigned int)time(NULL);
	return ceiling > 0 ? (long)(r % (unsigned long)(ceiling + 1)) : 0;
}
