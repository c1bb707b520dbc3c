/*
 * s3: signed GETs for ListObjectsV2 and GetObject (see s3.h).
 *
 * Each attempt is signed afresh (a new X-Amz-Date) with the payload hash of an empty
 * body in X-Amz-Content-Sha256, as S3 requires. Keys go on the wire encoded once per
 * segment by libcurl's escaper, which is the form S3's signature expects (the signer is
 * told the service is s3 and does not encode the path again). Retries follow the layer's
 * policy for S3's transient answers: at most 3 attempts, full-jitter backoff, for
 * connection failures, 5xx, SlowDown and InternalError.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/internal.h"
#include "aws/s3.h"
#include "core/clock.h"
#include "core/log.h"
#include "net/http.h"

#define S3_MAX_ATTEMPTS 3

static int valid_bucket(const char *b, size_t n)
{
	if (n < 3 || n > 63)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)b[i]) && !isdigit((unsigned char)b[i]) && b[i] != '-' &&
		    b[i] != '.')
			return 0;
	return 1;
}

int s3_parse_url(const char *url, char **bucket, char **prefix, err *e)
{
	*bucket = *prefix = NULL;
	if (strncmp(url, "s3://", 5) != 0)
		return err_set(e, ORC_EUSAGE, "'%s' is not an S3 location (s3://bucket/prefix)",
		               url);
	const char *b = url + 5, *slash = strchr(b, '/');
	size_t bn = slash ? (size_t)(slash - b) : strlen(b);
	if (!valid_bucket(b, bn))
		return err_set(
		    e, ORC_EUSAGE,
		    "'%s': '%.*s' is not an S3 bucket name (3 to 63 characters: a-z, 0-9, "
		    "'.', '-'); write s3://bucket/prefix",
		    url, (int)bn, b);
	buf p = BUF_INIT;
	if (slash) {
		const char *s = slash;
		while (*s == '/')
			s++;
		buf_puts(&p, s);
		while (p.len && p.ptr[p.len - 1] == '/')
			buf_truncate(&p, p.len - 1);
		if (p.len)
			buf_putc(&p, '/');
	}
	*bucket = xstrndup(b, bn);
	*prefix = buf_detach(&p);
	return 0;
}

/* The key encoded per segment: unreserved characters kept, '/' kept. */
static void put_key(buf *b, CURL *cu, const char *key)
{
	const char *p = key;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t seg = slash ? (size_t)(slash - p) : strlen(p);
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

/* The code and message of an S3 error answer; a HEAD-less GET always has a body, but
 * proxies may send none: then the HTTP status stands for the code. */
static void s3_error(const http_response *r, buf *code, buf *msg)
{
	xmlDocPtr doc = r->body.len ? aws_xml_parse(r->body.ptr, r->body.len) : NULL;
	char *c = doc ? aws_xml_text(doc, "//Error/Code") : NULL;
	char *m = doc ? aws_xml_text(doc, "//Error/Message") : NULL;
	if (c)
		buf_puts(code, c);
	else
		buf_printf(code, "HTTP%ld", r->status);
	if (m)
		buf_put(msg, m, strcspn(m, "\r\n") > 300 ? 300 : strcspn(m, "\r\n"));
	free(c);
	free(m);
	if (doc)
		xmlFreeDoc(doc);
}

static int transient(long status, const char *code)
{
	return status >= 500 || status == 429 || strcmp(code, "SlowDown") == 0 ||
	       strcmp(code, "InternalError") == 0 || strcmp(code, "RequestTimeout") == 0;
}

/* One signed GET with retries. On an AWS refusal *code holds S3's error code. */
static int s3_send(aws_client *c, const char *url, http_response *resp, buf *code, buf *msg, err *e)
{
	char *host = NULL;
	{
		CURLU *u = curl_url();
		char *h = NULL, *port = NULL;
		if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
		    curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK) {
			curl_url_cleanup(u);
			return err_set(
			    e, ORC_EUSAGE,
			    "S3 endpoint of '%s' is not a URL (check AWS_ENDPOINT_URL and "
			    "AWS_ENDPOINT_URL_S3)",
			    url);
		}
		curl_url_get(u, CURLUPART_PORT, &port, CURLU_NO_DEFAULT_PORT);
		host = port ? xasprintf("%s:%s", h, port) : xstrdup(h);
		curl_free(h);
		curl_free(port);
		curl_url_cleanup(u);
	}
	char empty_hash[65];
	aws_sha256_hex("", 0, empty_hash);
	int rc = 0;
	for (int i = 0;; i++) {
		err_clear(e);
		buf_clear(code);
		buf_clear(msg);
		http_response_free(resp);
		*resp = (http_response)HTTP_RESPONSE_INIT;
		char date[17];
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(date, sizeof date, "%Y%m%dT%H%M%SZ", &tm);
		aws_header h[4];
		size_t n = 0;
		h[n++] = (aws_header){"Host", host};
		h[n++] = (aws_header){"X-Amz-Date", date};
		h[n++] = (aws_header){"X-Amz-Content-Sha256", empty_hash};
		if (c->creds.session_token)
			h[n++] = (aws_header){"X-Amz-Security-Token", c->creds.session_token};
		struct curl_slist *list = NULL;
		buf line = BUF_INIT;
		for (size_t k = 0; k < n; k++) {
			buf_clear(&line);
			buf_printf(&line, "%s: %s", h[k].name, h[k].value);
			list = curl_slist_append(list, buf_cstr(&line));
		}
		if (c->creds.access_key) {
			buf auth = BUF_INIT;
			rc = aws_sigv4_sign("GET", url, h, n, "", 0, c->region, "s3",
			                    c->creds.access_key, c->creds.secret_key, &auth, e);
			buf_clear(&line);
			buf_printf(&line, "Authorization: %s", buf_cstr(&auth));
			list = curl_slist_append(list, buf_cstr(&line));
			buf_free(&auth);
		}
		buf_free(&line);
		if (rc) {
			curl_slist_free_all(list);
			break;
		}
		http_request req = {.method = "GET", .url = url, .headers = list};
		c->calls++;
		rc = http_perform(&req, resp, e);
		curl_slist_free_all(list);
		int retry;
		if (rc) {
			retry = e->transient;
		} else if (resp->status >= 200 && resp->status < 300) {
			break;
		} else {
			s3_error(resp, code, msg);
			snprintf(c->last_code, sizeof c->last_code, "%s", buf_cstr(code));
			retry = transient(resp->status, buf_cstr(code));
			rc = retry || resp->status >= 500 ? ORC_EFAIL : ORC_EREMOTE;
		}
		if (!retry || i + 1 >= S3_MAX_ATTEMPTS)
			break;
		long wait = http_backoff_ms(i, 1000L, 20000L);
		const char *base = getenv("ORC_AWS_RETRY_BASE_MS");
		if (base && *base)
			wait = http_backoff_ms(i, strtol(base, NULL, 10), 20000L);
		log_verbose("s3: GET attempt %d failed; retrying in %ld ms", i + 1, wait);
		clock_sleep_ms(wait);
	}
	free(host);
	return rc;
}

/* The one line for a refused or failed call: what, the code, and what to grant. */
static int s3_fail(int rc, const char *what, const char *bucket, const char *permission,
                   const char *resource, const buf *code, const buf *msg, err *e)
{
	if (!code->len)
		return err_prefix(e, "s3 %s of bucket '%s'", what, bucket);
	const char *cd = buf_cstr(code);
	if (strcmp(cd, "NoSuchBucket") == 0)
		return err_set(e, ORC_EREMOTE,
		               "s3 %s: bucket '%s' does not exist (NoSuchBucket); check the "
		               "bucket name in --locations and the region",
		               what, bucket);
	if (strcmp(cd, "AccessDenied") == 0 || strcmp(cd, "AllAccessDisabled") == 0 ||
	    strcmp(cd, "HTTP403") == 0)
		return err_set(e, ORC_EREMOTE,
		               "s3 %s: access to bucket '%s' denied (%s: %s); the credentials need "
		               "%s on %s",
		               what, bucket, cd, msg->len ? buf_cstr(msg) : "no message",
		               permission, resource);
	return err_set(e, rc ? rc : ORC_EFAIL, "s3 %s of bucket '%s': %s: %s%s", what, bucket, cd,
	               msg->len ? buf_cstr(msg) : "(no message)",
	               strcmp(cd, "SignatureDoesNotMatch") == 0 ||
	                       strcmp(cd, "InvalidAccessKeyId") == 0
	                   ? "; check the AWS credentials"
	                   : "");
}

static char *endpoint_base(aws_client *c)
{
	char *ep = aws_endpoint("s3", c->region);
	size_t n = strlen(ep);
	while (n && ep[n - 1] == '/')
		ep[--n] = '\0';
	return ep;
}

static void objects_add(s3_objects *o, char *key, char *etag, const char *size)
{
	ARRAY_GROW(o->v, o->n + 1, o->cap);
	o->v[o->n].key = key;
	o->v[o->n].etag = etag ? etag : xstrdup("");
	o->v[o->n].size = size ? strtoll(size, NULL, 10) : 0;
	o->n++;
}

int s3_list(aws_client *c, const char *bucket, const char *prefix, s3_objects *out, err *e)
{
	out->v = NULL;
	out->n = 0;
	http_global_init();
	CURL *cu = curl_easy_init();
	char *ep = endpoint_base(c);
	char *token = NULL;
	char *resource = xasprintf("arn:aws:s3:::%s", bucket);
	int rc = 0;
	do {
		buf url = BUF_INIT, code = BUF_INIT, msg = BUF_INIT;
		/* The trailing '/' stays off the wire and keys are filtered here instead: moto
		 * checks signatures against the decoded query, so an encoded '/' there fails
		 * its check (for the aws CLI too); AWS answers the same either way. */
		size_t plen = strlen(prefix);
		char *p = curl_easy_escape(
		    cu, prefix, (int)(plen && prefix[plen - 1] == '/' ? plen - 1 : plen));
		buf_printf(&url, "%s/%s?list-type=2&prefix=%s", ep, bucket, p);
		curl_free(p);
		if (token) {
			char *t = curl_easy_escape(cu, token, 0);
			buf_printf(&url, "&continuation-token=%s", t);
			curl_free(t);
		}
		http_response resp = HTTP_RESPONSE_INIT;
		rc = s3_send(c, buf_cstr(&url), &resp, &code, &msg, e);
		if (rc) {
			rc = s3_fail(rc, "ListObjectsV2", bucket, "s3:ListBucket", resource, &code,
			             &msg, e);
		} else {
			xmlDocPtr doc =
			    aws_xml_parse(resp.body.ptr ? resp.body.ptr : "", resp.body.len);
			if (!doc) {
				rc = err_set(
				    e, ORC_EFAIL,
				    "s3 ListObjectsV2 of bucket '%s': the answer is not XML",
				    bucket);
			} else {
				size_t nk = 0, ne = 0, ns = 0;
				char **keys = aws_xml_texts(doc, "//Contents/Key", &nk);
				char **etags = aws_xml_texts(doc, "//Contents/ETag", &ne);
				char **sizes = aws_xml_texts(doc, "//Contents/Size", &ns);
				for (size_t i = 0; i < nk; i++)
					if (strncmp(keys[i], prefix, strlen(prefix)) == 0)
						objects_add(out, xstrdup(keys[i]),
						            i < ne ? xstrdup(etags[i]) : NULL,
						            i < ns ? sizes[i] : NULL);
				aws_xml_free_texts(keys);
				aws_xml_free_texts(etags);
				aws_xml_free_texts(sizes);
				char *trunc = aws_xml_text(doc, "//IsTruncated");
				free(token);
				token = NULL;
				if (trunc && strcmp(trunc, "true") == 0) {
					token = aws_xml_text(doc, "//NextContinuationToken");
					if (!token)
						rc = err_set(
						    e, ORC_EFAIL,
						    "s3 ListObjectsV2 of bucket '%s': a truncated "
						    "page without NextContinuationToken",
						    bucket);
				}
				free(trunc);
				xmlFreeDoc(doc);
			}
		}
		http_response_free(&resp);
		buf_free(&url);
		buf_free(&code);
		buf_free(&msg);
	} while (rc == 0 && token);
	free(token);
	free(resource);
	free(ep);
	curl_easy_cleanup(cu);
	if (rc)
		s3_objects_free(out);
	return rc;
}

void s3_objects_free(s3_objects *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->v[i].key);
		free(o->v[i].etag);
	}
	free(o->v);
	o->v = NULL;
	o->n = o->cap = 0;
}

int s3_get(aws_client *c, const char *bucket, const char *key, buf *out, err *e)
{
	http_global_init();
	CURL *cu = curl_easy_init();
	char *ep = endpoint_base(c);
	buf url = BUF_INIT, code = BUF_INIT, msg = BUF_INIT;
	buf_printf(&url, "%s/%s/", ep, bucket);
	put_key(&url, cu, key);
	curl_easy_cleanup(cu);
	http_response resp = HTTP_RESPONSE_INIT;
	int rc = s3_send(c, buf_cstr(&url), &resp, &code, &msg, e);
	if (rc) {
		char *resource = xasprintf("arn:aws:s3:::%s/%s", bucket, key);
		char *what = xasprintf("GetObject %s", key);
		rc = s3_fail(rc, what, bucket, "s3:GetObject", resource, &code, &msg, e);
		free(what);
		free(resource);
	} else {
		buf_put(out, resp.body.ptr ? resp.body.ptr : "", resp.body.len);
	}
	http_response_free(&resp);
	buf_free(&url);
	buf_free(&code);
	buf_free(&msg);
	free(ep);
	return rc;
}
