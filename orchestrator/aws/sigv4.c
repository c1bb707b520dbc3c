/*
 * sigv4: AWS Signature Version 4 over OpenSSL (SHA-256, HMAC).
 *
 * The signer takes the request exactly as it will be sent (URL, headers, payload) and
 * derives everything from it, so that what is signed and what goes on the wire cannot
 * drift apart: the caller builds one header list and uses it for both. Percent-encoding
 * uses libcurl's escaper, which keeps exactly RFC 3986's unreserved set, as SigV4 asks.
 * The path is encoded once more on top of its wire form (SigV4's double encoding for
 * every service but S3); for S3 the wire path, already encoded once, is the canonical one.
 */
#include <openssl/crypto.h>
#include <ctype.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/internal.h"

void aws_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	buf hex = BUF_INIT;
	buf_put_hex(&hex, md, mdlen < 32 ? mdlen : 32);
	snprintf(out, 65, "%s", buf_cstr(&hex));
	buf_free(&hex);
}

static void hmac(const void *key, size_t klen, const char *msg, unsigned char out[32])
{
	unsigned int len = 32;
	HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, strlen(msg), out, &len);
}

static void put_escaped(buf *b, CURL *cu, const char *s, size_t len, int keep_slash)
{
	if (!keep_slash) {
		char *esc = curl_easy_escape(cu, s, (int)len);
		buf_puts(b, esc);
		curl_free(esc);
		return;
	}
	const char *p = s, *end = s + len;
	while (p < end) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		size_t seg = slash ? (size_t)(slash - p) : (size_t)(end - p);
		if (seg) {
			char *esc = curl_easy_escape(cu, p, (int)seg);
			buf_puts(b, esc);
			curl_free(esc);
		}
		if (!slash)
			break;
		buf_putc(b, '/');
		p = slash + 1;
	}
}

typedef struct kv {
	char *k;
	char *v;
} kv;

static int kv_cmp(const void *a, const void *b)
{
	const kv *x = a, *y = b;
	int c = strcmp(x->k, y->k);
	return c ? c : strcmp(x->v, y->v);
}

/* Query parameters: decoded from their wire form, re-encoded strictly, sorted. */
static void canonical_query(CURL *cu, const char *query, buf *out)
{
	if (!query || !*query)
		return;
	size_t n = 0, cap = 8;
	kv *items = xmalloc(cap * sizeof *items);
	const char *p = query;
	while (*p) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		if (len) {
			const char *eq = memchr(p, '=', len);
			size_t klen = eq ? (size_t)(eq - p) : len;
			int dk = 0, dv = 0;
			char *k = curl_easy_unescape(cu, p, (int)klen, &dk);
			char *v =
			    eq ? curl_easy_unescape(cu, eq + 1, (int)(len - klen - 1), &dv) : NULL;
			buf ek = BUF_INIT, ev = BUF_INIT;
			put_escaped(&ek, cu, k, (size_t)dk, 0);
			if (v)
				put_escaped(&ev, cu, v, (size_t)dv, 0);
			curl_free(k);
			curl_free(v);
			ARRAY_GROW(items, n + 1, cap);
			items[n].k = buf_detach(&ek);
			items[n].v = buf_detach(&ev);
			n++;
		}
		if (!amp)
			break;
		p = amp + 1;
	}
	qsort(items, n, sizeof *items, kv_cmp);
	for (size_t i = 0; i < n; i++) {
		buf_printf(out, "%s%s=%s", i ? "&" : "", items[i].k, items[i].v);
		free(items[i].k);
		free(items[i].v);
	}
	free(items);
}

/* Header value: trimmed, inner runs of spaces collapsed to one. */
static char *canonical_value(const char *v)
{
	buf b = BUF_INIT;
	while (*v == ' ' || *v == '\t')
		v++;
	int space = 0;
	for (; *v; v++) {
		if (*v == ' ' || *v == '\t') {
			space = 1;
			continue;
		}
		if (space && b.len)
			buf_putc(&b, ' ');
		space = 0;
		buf_putc(&b, *v);
	}
	return buf_detach(&b);
}

static int hdr_cmp(const void *a, const void *b)
{
	return strcmp(((const kv *)a)->k, ((const kv *)b)->k);
}

static int canonical_request(const char *method, const char *url, const aws_header *headers,
                             size_t n, const void *payload, size_t payload_len, int single_encode,
                             buf *out, buf *signed_headers, err *e)
{
	CURLU *u = curl_url();
	char *path = NULL, *query = NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
		curl_url_cleanup(u);
		return err_set(e, ORC_EUSAGE,
		               "AWS endpoint '%s' is not a URL (check AWS_ENDPOINT_URL)", url);
	}
	curl_url_get(u, CURLUPART_PATH, &path, 0);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	CURL *cu = curl_easy_init();

	buf_clear(out);
	buf_printf(out, "%s\n", method);
	if (!path || !*path)
		buf_putc(out, '/');
	else if (single_encode)
		buf_puts(out, path);
	else
		put_escaped(out, cu, path, strlen(path), 1);
	buf_putc(out, '\n');
	canonical_query(cu, query, out);
	buf_putc(out, '\n');

	kv *h = xcalloc(n ? n : 1, sizeof *h);
	for (size_t i = 0; i < n; i++) {
		h[i].k = xstrdup(headers[i].name);
		for (char *c = h[i].k; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		h[i].v = canonical_value(headers[i].value);
	}
	qsort(h, n, sizeof *h, hdr_cmp);
	buf_clear(signed_headers);
	for (size_t i = 0; i < n; i++) {
		/* Repeated names join their values with commas, in order. */
		if (i && strcmp(h[i].k, h[i - 1].k) == 0) {
			buf_truncate(out, out->len - 1);
			buf_printf(out, ",%s\n", h[i].v);
			continue;
		}
		buf_printf(out, "%s:%s\n", h[i].k, h[i].v);
		buf_printf(signed_headers, "%s%s", signed_headers->len ? ";" : "", h[i].k);
	}
	buf_putc(out, '\n');
	buf_puts(out, buf_cstr(signed_headers));
	buf_putc(out, '\n');
	char hash[65];
	aws_sha256_hex(payload ? payload : "", payload ? payload_len : 0, hash);
	buf_puts(out, hash);

	for (size_t i = 0; i < n; i++) {
		free(h[i].k);
		free(h[i].v);
	}
	free(h);
	curl_easy_cleanup(cu);
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(u);
	return 0;
}

int aws_sigv4_canonical_request(const char *method, const char *url, const aws_header *headers,
                                size_t n, const void *payload, size_t payload_len, buf *out,
                                buf *signed_headers, err *e)
{
	return canonical_request(method, url, headers, n, payload, payload_len, 0, out,
	                         signed_headers, e);
}

int aws_sigv4_sign(const char *method, const char *url, const aws_header *headers, size_t n,
                   const void *payload, size_t payload_len, const char *region, const char *service,
                   const char *access_key, const char *secret_key, buf *auth, err *e)
{
	const char *amz_date = NULL;
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(headers[i].name, "x-amz-date") == 0)
			amz_date = headers[i].value;
	if (!amz_date || strlen(amz_date) != 16)
		return err_set(e, ORC_EFAIL, "SigV4: the request has no X-Amz-Date header");

	buf creq = BUF_INIT, signed_headers = BUF_INIT;
	int rc = canonical_request(method, url, headers, n, payload, payload_len,
	                           strcmp(service, "s3") == 0, &creq, &signed_headers, e);
	if (rc) {
		buf_free(&creq);
		buf_free(&signed_headers);
		return rc;
	}
	char date[9];
	memcpy(date, amz_date, 8);
	date[8] = '\0';
	char creq_hash[65];
	aws_sha256_hex(creq.ptr, creq.len, creq_hash);

	buf scope = BUF_INIT, sts = BUF_INIT;
	buf_printf(&scope, "%s/%s/%s/aws4_request", date, region, service);
	buf_printf(&sts, "AWS4-HMAC-SHA256\n%s\n%s\n%s", amz_date, buf_cstr(&scope), creq_hash);

	buf k = BUF_INIT;
	buf_printf(&k, "AWS4%s", secret_key);
	unsigned char kdate[32], kregion[32], kservice[32], ksigning[32], sig[32];
	hmac(k.ptr, k.len, date, kdate);
	hmac(kdate, 32, region, kregion);
	hmac(kregion, 32, service, kservice);
	hmac(kservice, 32, "aws4_request", ksigning);
	hmac(ksigning, 32, buf_cstr(&sts), sig);
	OPENSSL_cleanse(k.ptr, k.len);

	buf_clear(auth);
	buf_printf(auth,
	           "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=", access_key,
	           buf_cstr(&scope), buf_cstr(&signed_headers));
	buf_put_hex(auth, sig, 32);

	OPENSSL_cleanse(kdate, sizeof kdate);
	OPENSSL_cleanse(kregion, sizeof kregion);
	OPENSSL_cleanse(kservice, sizeof kservice);
	OPENSSL_cleanse(ksigning, sizeof ksigning);
	buf_free(&k);
	buf_free(&scope);
	buf_free(&sts);
	buf_free(&creq);
	buf_free(&signed_headers);
	return 0;
}
