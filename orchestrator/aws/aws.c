/*
 * aws: the client, endpoint resolution, the two wire protocols and the retry loop.
 *
 * Both protocols are POSTs to the service endpoint's root and differ only in how the
 * body is shaped and how an error comes back, so one send loop serves both: it signs
 * each attempt afresh (a new X-Amz-Date, credentials refreshed when they are about to
 * expire), classifies the answer, and retries as the SDKs do:
 *
 *   what is retried  throttling codes and 429, 5xx, transient codes, connection failures
 *   backoff          full jitter: random in [0, min(20 s, 1 s * 2^attempt)]; a longer
 *                    Retry-After (up to 20 s) is honoured
 *   modes            AWS_RETRY_MODE or the profile's retry_mode:
 *                    standard (default): 3 attempts per call, and the retry quota (500
 *                      tokens, a retry costs 5, one after a timeout or lost connection 10,
 *                      a success gives back what its retries took, or 1): a service that
 *                      is down stops being hammered
 *                    adaptive: standard plus a client-side send rate that, once a call
 *                      is throttled, drops to 70% of its current value (floor 0.5/s) and
 *                      grows back by 0.5/s per success (the SDKs' CUBIC, simplified)
 *                    legacy: 5 attempts per call, no quota
 *   attempts         AWS_MAX_ATTEMPTS or the profile's max_attempts replaces the mode's
 *                    count and is then a hard cap, even within an operation's budget
 *   budget           an operation that set a retry budget (aws_client_set_retry_budget:
 *                    run-task, snapshot create/share/restore, 120 s) retries a transient
 *                    failure past the mode's attempts while the time spent on its failed
 *                    attempts and backoff waits, added up over all of its calls, stays
 *                    within the budget: a brown-out of seconds does not stop it half-way
 *   clock skew       RequestTimeTooSkewed, RequestExpired, InvalidSignatureException,
 *                    SignatureDoesNotMatch or AuthFailure with a Date header more than
 *                    4 minutes from our clock: later requests are dated by the server's
 *                    clock, and the call is resent once at once
 *
 * A request body is built once, so an idempotency token inside it (RunTask's
 * clientToken) is the same on every attempt. Mutating calls that must not be resent
 * blindly ask for aws_client_check_before_resend, and find out from AWS what happened.
 */
#include <openssl/crypto.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aws/internal.h"
#include "core/clock.h"
#include "core/version.h"
#include "core/log.h"
#include "net/http.h"

#define AWS_STANDARD_ATTEMPTS 3
#define AWS_LEGACY_ATTEMPTS 5
#define AWS_BACKOFF_CAP_MS 20000L
#define AWS_QUOTA_INITIAL 500
#define AWS_QUOTA_RETRY_COST 5
#define AWS_QUOTA_TIMEOUT_COST 10
#define AWS_SKEW_THRESHOLD_S 240
/* Refresh temporary credentials this long before they expire. */
#define AWS_REFRESH_MARGIN_S 300

enum proto { PROTO_JSON, PROTO_QUERY };

static long backoff_base_ms(void)
{
	/* Tests shorten the wait; the policy (attempts, jitter, what is retried) stays. */
	const char *v = getenv("ORC_AWS_RETRY_BASE_MS");
	if (v && *v) {
		long ms = strtol(v, NULL, 10);
		if (ms >= 0)
			return ms;
	}
	return 1000L;
}

void aws_creds_clear(aws_creds *cr)
{
	if (cr->secret_key)
		OPENSSL_cleanse(cr->secret_key, strlen(cr->secret_key));
	if (cr->session_token)
		OPENSSL_cleanse(cr->session_token, strlen(cr->session_token));
	free(cr->access_key);
	free(cr->secret_key);
	free(cr->session_token);
	memset(cr, 0, sizeof *cr);
}

static char *config_region(void)
{
	return aws_profile_value(aws_profile_name(), "region", 0);
}

int aws_client_new(const char *region, aws_client **out, err *e)
{
	*out = NULL;
	char *r = NULL;
	if (region && *region)
		r = xstrdup(region);
	else if (getenv("AWS_REGION") && *getenv("AWS_REGION"))
		r = xstrdup(getenv("AWS_REGION"));
	else if (getenv("AWS_DEFAULT_REGION") && *getenv("AWS_DEFAULT_REGION"))
		r = xstrdup(getenv("AWS_DEFAULT_REGION"));
	else
		r = config_region();
	if (!r || !*r) {
		free(r);
		return err_set(
		    e, ORC_EUSAGE,
		    "no AWS region: pass --region, or set AWS_REGION or AWS_DEFAULT_REGION");
	}
	for (const char *p = r; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-') {
			err_set(
			    e, ORC_EUSAGE,
			    "AWS region '%s' is not a region name (like us-west-2): check --region",
			    r);
			free(r);
			return ORC_EUSAGE;
		}
	aws_client *c = xcalloc(1, sizeof *c);
	c->region = r;
	int rc = aws_retry_configure(c, e);
	if (!rc)
		rc = aws_creds_resolve(c, e);
	if (rc) {
		aws_client_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void aws_client_free(aws_client *c)
{
	if (!c)
		return;
	aws_creds_clear(&c->creds);
	free(c->region);
	free(c);
}

const char *aws_client_region(const aws_client *c)
{
	return c->region;
}

const char *aws_last_error_code(const aws_client *c)
{
	return c->last_code;
}

long aws_client_calls(const aws_client *c)
{
	return c->calls;
}

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *const mode_names[] = {"standard", "adaptive", "legacy"};

int aws_retry_configure(aws_client *c, err *e)
{
	const char *profile = aws_profile_name();
	char *mode = NULL, *attempts = NULL;
	const char *mode_from = "AWS_RETRY_MODE", *attempts_from = "AWS_MAX_ATTEMPTS";
	if (getenv("AWS_RETRY_MODE") && *getenv("AWS_RETRY_MODE"))
		mode = xstrdup(getenv("AWS_RETRY_MODE"));
	else if ((mode = aws_profile_value(profile, "retry_mode", 0)))
		mode_from = "retry_mode in the AWS config file";
	if (getenv("AWS_MAX_ATTEMPTS") && *getenv("AWS_MAX_ATTEMPTS"))
		attempts = xstrdup(getenv("AWS_MAX_ATTEMPTS"));
	else if ((attempts = aws_profile_value(profile, "max_attempts", 0)))
		attempts_from = "max_attempts in the AWS config file";
	int rc = 0;
	c->retry_mode = AWS_RETRY_STANDARD;
	if (mode) {
		size_t i = 0;
		while (i < sizeof mode_names / sizeof *mode_names && strcmp(mode, mode_names[i]))
			i++;
		if (i == sizeof mode_names / sizeof *mode_names)
			rc = err_set(e, ORC_EUSAGE, "%s=%s: expected standard, adaptive or legacy",
			             mode_from, mode);
		else
			c->retry_mode = (enum aws_retry_mode)i;
	}
	c->max_attempts =
	    c->retry_mode == AWS_RETRY_LEGACY ? AWS_LEGACY_ATTEMPTS : AWS_STANDARD_ATTEMPTS;
	if (!rc && attempts) {
		char *end;
		long n = strtol(attempts, &end, 10);
		if (end == attempts || *end || n < 1 || n > 100)
			rc = err_set(e, ORC_EUSAGE,
			             "%s=%s: expected a whole number of attempts from 1 to 100",
			             attempts_from, attempts);
		else {
			c->max_attempts = (int)n;
			c->max_attempts_set = 1;
		}
	}
	c->quota = AWS_QUOTA_INITIAL;
	free(mode);
	free(attempts);
	return rc;
}

void aws_client_set_retry_budget(aws_client *c, double seconds)
{
	c->budget_s = seconds;
}

const char *aws_client_retry_mode(const aws_client *c)
{
	return mode_names[c->retry_mode];
}

int aws_client_max_attempts(const aws_client *c)
{
	return c->max_attempts;
}

void aws_client_check_before_resend(aws_client *c)
{
	c->no_resend = 1;
}

int aws_last_call_ambiguous(const aws_client *c)
{
	return c->ambiguous;
}

int aws_last_call_maybe_done(const aws_client *c)
{
	return c->maybe_done;
}

/* Whether attempt number next (0-based) may be made after a transient failure. */
static int may_retry(const aws_client *c, int next)
{
	if (c->max_attempts_set || c->budget_s <= 0)
		return next < c->max_attempts;
	return next < c->max_attempts || c->budget_used_s < c->budget_s;
}

static long backoff_ms(aws_client *c, int attempt, long retry_after_ms)
{
	long ms = http_backoff_ms(attempt, backoff_base_ms(), AWS_BACKOFF_CAP_MS);
	if (retry_after_ms > ms && retry_after_ms <= AWS_BACKOFF_CAP_MS)
		ms = retry_after_ms;
	if (c->budget_s > 0 && !c->max_attempts_set) {
		/* Never sleep past the budget: the last wait is cut to what is left. */
		double left = c->budget_s - c->budget_used_s;
		if (left < 0)
			left = 0;
		if ((double)ms / 1000.0 > left)
			ms = (long)(left * 1000.0);
	}
	return ms;
}

int aws_retry_wait(aws_client *c, int attempt)
{
	if (!may_retry(c, attempt))
		return 0;
	long ms = backoff_ms(c, attempt > 0 ? attempt - 1 : 0, -1);
	clock_sleep_ms(ms);
	c->budget_used_s += (double)ms / 1000.0;
	return 1;
}

/* adaptive: wait for the client-side rate limiter before sending. */
static void rate_limit(aws_client *c)
{
	if (c->retry_mode != AWS_RETRY_ADAPTIVE || c->rate <= 0)
		return;
	double now = mono_s();
	if (c->next_send > now)
		clock_sleep_ms((long)((c->next_send - now) * 1000.0));
	double base = c->next_send > now ? c->next_send : now;
	c->next_send = base + 1.0 / c->rate;
}

static void rate_update(aws_client *c, int throttled)
{
	if (c->retry_mode != AWS_RETRY_ADAPTIVE)
		return;
	if (throttled) {
		double cur = c->rate > 0 ? c->rate : 10.0;
		c->rate = cur * 0.7 < 0.5 ? 0.5 : cur * 0.7;
	} else if (c->rate > 0) {
		c->rate += 0.5;
		if (c->rate > 50.0)
			c->rate = 0; /* recovered: no limit */
	}
}

/* Seconds the server's Date is ahead of our clock when a skew error says to correct, else
 * 0 (also when the offset is already in use). */
static long skew_from(const aws_client *c, const char *code, const http_response *resp)
{
	static const char *codes[] = {"RequestTimeTooSkewed",  "RequestExpired",
	                              "RequestInTheFuture",    "InvalidSignatureException",
	                              "SignatureDoesNotMatch", "AuthFailure"};
	int skew_code = 0;
	for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
		skew_code |= strcmp(code, codes[i]) == 0;
	buf date = BUF_INIT;
	long skew = 0;
	if (skew_code && http_header_get(resp, "Date", &date)) {
		time_t server = curl_getdate(buf_cstr(&date), NULL);
		if (server > 0) {
			long d = (long)(server - time(NULL));
			if ((d > AWS_SKEW_THRESHOLD_S || d < -AWS_SKEW_THRESHOLD_S) &&
			    (d - c->skew_s > 60 || d - c->skew_s < -60))
				skew = d;
		}
	}
	buf_free(&date);
	return skew;
}

const char *aws_client_credential_source(const aws_client *c)
{
	return c->creds.source ? c->creds.source : "none";
}

/* AWS_ENDPOINT_URL_<SERVICE> uses the service id, not the signing name. */
static const char *service_env_id(const char *service)
{
	static const struct {
		const char *signing, *id;
	} ids[] = {{"logs", "CLOUDWATCH_LOGS"},
	           {"secretsmanager", "SECRETS_MANAGER"},
	           {"monitoring", "CLOUDWATCH"},
	           {"events", "EVENTBRIDGE"}};
	for (size_t i = 0; i < sizeof ids / sizeof *ids; i++)
		if (strcmp(service, ids[i].signing) == 0)
			return ids[i].id;
	return NULL;
}

char *aws_endpoint(const char *service, const char *region)
{
	buf name = BUF_INIT;
	const char *id = service_env_id(service);
	buf_puts(&name, "AWS_ENDPOINT_URL_");
	if (id) {
		buf_puts(&name, id);
	} else {
		for (const char *p = service; *p; p++)
			buf_putc(&name, *p == '-' ? '_' : (char)toupper((unsigned char)*p));
	}
	const char *v = getenv(buf_cstr(&name));
	buf_free(&name);
	if (!v || !*v)
		v = getenv("AWS_ENDPOINT_URL");
	if (v && *v)
		return xstrdup(v);
	return xasprintf("https://%s.%s.amazonaws.com", service, region);
}

/* Host header exactly as libcurl would send it, so that the signed one is the sent one. */
static int url_host(const char *url, char **host, err *e)
{
	CURLU *u = curl_url();
	char *h = NULL, *port = NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK) {
		curl_url_cleanup(u);
		return err_set(e, ORC_EUSAGE,
		               "AWS endpoint '%s' is not a URL (check AWS_ENDPOINT_URL and "
		               "AWS_ENDPOINT_URL_<SERVICE>)",
		               url);
	}
	curl_url_get(u, CURLUPART_PORT, &port, CURLU_NO_DEFAULT_PORT);
	*host = port ? xasprintf("%s:%s", h, port) : xstrdup(h);
	curl_free(h);
	curl_free(port);
	curl_url_cleanup(u);
	return 0;
}

int aws_is_throttling_code(const char *code)
{
	static const char *codes[] = {"Throttling",
	                              "ThrottlingException",
	                              "ThrottledException",
	                              "RequestThrottledException",
	                              "TooManyRequestsException",
	                              "ProvisionedThroughputExceededException",
	                              "TransactionInProgressException",
	                              "RequestLimitExceeded",
	                              "BandwidthLimitExceeded",
	                              "LimitExceededException",
	                              "RequestThrottled",
	                              "SlowDown",
	                              "PriorRequestNotComplete",
	                              "EC2ThrottledException"};
	for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
		if (strcmp(code, codes[i]) == 0)
			return 1;
	return 0;
}

static int is_transient_code(const char *code)
{
	return strcmp(code, "RequestTimeout") == 0 ||
	       strcmp(code, "RequestTimeoutException") == 0 || strcmp(code, "InternalError") == 0 ||
	       strcmp(code, "InternalFailure") == 0 || strcmp(code, "ServiceUnavailable") == 0;
}

static int is_auth_code(const char *code)
{
	static const char *codes[] = {"UnrecognizedClientException", "InvalidClientTokenId",
	                              "SignatureDoesNotMatch",       "IncompleteSignature",
	                              "InvalidSignatureException",   "ExpiredToken",
	                              "ExpiredTokenException",       "AuthFailure",
	                              "MissingAuthenticationToken",  "InvalidAccessKeyId"};
	for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
		if (strcmp(code, codes[i]) == 0)
			return 1;
	return strncmp(code, "AccessDenied", 12) == 0;
}

static void parse_json_error(const http_response *resp, buf *code, buf *msg)
{
	cJSON *j = cJSON_ParseWithLength(resp->body.ptr ? resp->body.ptr : "", resp->body.len);
	const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "__type"));
	buf hdr = BUF_INIT;
	if (!type && http_header_get(resp, "x-amzn-ErrorType", &hdr))
		type = buf_cstr(&hdr);
	if (!type)
		type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "code"));
	if (type) {
		/* "aws.protocoltests#FooError:http://..." -> "FooError" */
		const char *hash = strrchr(type, '#');
		const char *start = hash ? hash + 1 : type;
		buf_put(code, start, strcspn(start, ":"));
	}
	const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "message"));
	if (!m)
		m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "Message"));
	if (m)
		buf_puts(msg, m);
	buf_free(&hdr);
	cJSON_Delete(j);
}

static void parse_xml_error(const http_response *resp, buf *code, buf *msg)
{
	xmlDocPtr doc = resp->body.len ? aws_xml_parse(resp->body.ptr, resp->body.len) : NULL;
	if (!doc)
		return;
	char *c = aws_xml_text(doc, "//Error/Code");
	char *m = aws_xml_text(doc, "//Error/Message");
	if (c)
		buf_puts(code, c);
	if (m)
		buf_puts(msg, m);
	free(c);
	free(m);
	xmlFreeDoc(doc);
}

/*
 * Code and message of an error answer. Each protocol has its shape, but the front
 * doors of AWS (and moto's signature check) answer authentication failures in the
 * Query protocol's XML whatever the service, so the other shape is the fallback.
 */
static void parse_error(enum proto proto, const http_response *resp, buf *code, buf *msg)
{
	buf_clear(code);
	buf_clear(msg);
	if (proto == PROTO_JSON)
		parse_json_error(resp, code, msg);
	else
		parse_xml_error(resp, code, msg);
	if (!code->len) {
		buf_clear(msg);
		if (proto == PROTO_JSON)
			parse_xml_error(resp, code, msg);
		else
			parse_json_error(resp, code, msg);
	}
	/* Message bodies can be long HTML pages from proxies: keep the first line, bounded. */
	size_t line = strcspn(buf_cstr(msg), "\r\n");
	if (line > 400)
		line = 400;
	buf_truncate(msg, line);
}

void aws_error_answer(int json_protocol, const http_response *resp, buf *code, buf *msg)
{
	parse_error(json_protocol ? PROTO_JSON : PROTO_QUERY, resp, code, msg);
}

static void request_id(enum proto proto, const http_response *resp, buf *out)
{
	buf_clear(out);
	if (http_header_get(resp, "x-amzn-RequestId", out) ||
	    http_header_get(resp, "x-amz-request-id", out))
		return;
	if (proto == PROTO_QUERY && resp->body.len) {
		xmlDocPtr doc = aws_xml_parse(resp->body.ptr, resp->body.len);
		if (doc) {
			char *id = aws_xml_text(doc, "//RequestId | //RequestID");
			if (id)
				buf_puts(out, id);
			free(id);
			xmlFreeDoc(doc);
		}
	}
}

static void amz_now(const aws_client *c, char out[17])
{
	/* Not clock_utc: the server's clock offset (clock skew) is added. */
	time_t now = time(NULL) + c->skew_s;
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

static int refresh_creds(aws_client *c, err *e)
{
	if (!c->creds.expiration || !c->creds.access_key)
		return 0;
	if (time(NULL) + AWS_REFRESH_MARGIN_S < c->creds.expiration)
		return 0;
	log_verbose("aws: %s credentials expire soon; refreshing", c->creds.source);
	aws_creds_clear(&c->creds);
	return aws_creds_resolve(c, e);
}

/* One attempt: builds the headers, signs, sends. */
static int attempt(aws_client *c, const char *url, const char *host, const char *service,
                   const char *content_type, const char *target, const char *body, size_t len,
                   http_response *resp, err *e)
{
	char date[17];
	amz_now(c, date);
	aws_header h[6];
	size_t n = 0;
	h[n++] = (aws_header){"Host", host};
	h[n++] = (aws_header){"X-Amz-Date", date};
	h[n++] = (aws_header){"Content-Type", content_type};
	if (target)
		h[n++] = (aws_header){"X-Amz-Target", target};
	if (c->creds.session_token)
		h[n++] = (aws_header){"X-Amz-Security-Token", c->creds.session_token};

	struct curl_slist *list = NULL;
	buf line = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		buf_clear(&line);
		buf_printf(&line, "%s: %s", h[i].name, h[i].value);
		list = curl_slist_append(list, buf_cstr(&line));
	}
	if (c->creds.access_key) {
		buf auth = BUF_INIT;
		int rc = aws_sigv4_sign("POST", url, h, n, body, len, c->region, service,
		                        c->creds.access_key, c->creds.secret_key, &auth, e);
		if (rc) {
			buf_free(&auth);
			buf_free(&line);
			curl_slist_free_all(list);
			return rc;
		}
		buf_clear(&line);
		buf_printf(&line, "Authorization: %s", buf_cstr(&auth));
		list = curl_slist_append(list, buf_cstr(&line));
		buf_free(&auth);
	}
	list = curl_slist_append(list, "User-Agent: orchestrator/" ORC_VERSION);
	list = curl_slist_append(list, "Expect:");
	buf_free(&line);

	http_request req = {
	    .method = "POST", .url = url, .headers = list, .body = body, .body_len = len};
	c->calls++;
	int rc = http_perform(&req, resp, e);
	curl_slist_free_all(list);
	return rc;
}

static int aws_send(aws_client *c, enum proto proto, const char *service, const char *action,
                    const char *target, const char *body, size_t len, http_response *resp, err *e)
{
	const char *ctype = proto == PROTO_JSON
	                        ? "application/x-amz-json-1.1"
	                        : "application/x-www-form-urlencoded; charset=utf-8";
	c->last_code[0] = '\0';
	int no_resend = c->no_resend;
	c->no_resend = 0;
	c->ambiguous = 0;
	c->maybe_done = 0;
	char *url = aws_endpoint(service, c->region);
	char *host = NULL;
	int rc = url_host(url, &host, e);
	if (rc) {
		free(url);
		return rc;
	}
	buf code = BUF_INIT, msg = BUF_INIT, rid = BUF_INIT;
	int attempts = 0, retry_cost = 0, skew_retried = 0;
	for (int i = 0;; i++) {
		err_clear(e);
		rc = refresh_creds(c, e);
		if (rc)
			break;
		http_response_free(resp);
		*resp = (http_response)HTTP_RESPONSE_INIT;
		rate_limit(c);
		double t0 = mono_s();
		rc = attempt(c, url, host, service, ctype, target, body, len, resp, e);
		attempts++;
		int retry = 0, ambiguous = 0, throttled = 0;
		long wait_ms = -1;
		if (rc) {
			retry = e->transient;
			ambiguous = 1; /* the request may have reached AWS before the line went */
			err_prefix(e, "%s %s", service, action);
			snprintf(c->last_code, sizeof c->last_code, "%s", "RequestError");
		} else if (resp->status >= 200 && resp->status < 300) {
			rate_update(c, 0);
			/* A success gives the quota back what this call's retries took. */
			c->quota += retry_cost ? retry_cost : 1;
			if (c->quota > AWS_QUOTA_INITIAL)
				c->quota = AWS_QUOTA_INITIAL;
			break;
		} else {
			parse_error(proto, resp, &code, &msg);
			request_id(proto, resp, &rid);
			if (!code.len)
				buf_printf(&code, "HTTP%ld", resp->status);
			snprintf(c->last_code, sizeof c->last_code, "%s", buf_cstr(&code));
			throttled = aws_is_throttling_code(buf_cstr(&code)) || resp->status == 429;
			retry =
			    throttled || resp->status >= 500 || is_transient_code(buf_cstr(&code));
			ambiguous = !throttled && resp->status >= 500;
			int remote = !throttled && resp->status >= 400 && resp->status < 500;
			rc = err_set(
			    e, remote ? ORC_EREMOTE : ORC_EFAIL, "%s %s: %s: %s%s%s%s%s", service,
			    action, buf_cstr(&code), msg.len ? buf_cstr(&msg) : "(no message)",
			    rid.len ? " (request id " : "", buf_cstr(&rid), rid.len ? ")" : "",
			    is_auth_code(buf_cstr(&code))
			        ? "; check the AWS credentials and their IAM permissions"
			        : "");
			e->transient = retry;
			wait_ms = http_retry_after_ms(resp);
			rate_update(c, throttled);
			long skew = skew_retried ? 0 : skew_from(c, buf_cstr(&code), resp);
			if (skew) {
				log_warn("aws: the clock is %ld s %s AWS's (from its Date header); "
				         "signing with AWS's time from now on",
				         skew > 0 ? skew : -skew, skew > 0 ? "behind" : "ahead of");
				c->skew_s = skew;
				skew_retried = 1;
				i--;
				continue;
			}
		}
		double spent = mono_s() - t0;
		c->maybe_done |= ambiguous;
		if (!retry)
			break;
		if (no_resend && ambiguous) {
			c->ambiguous = 1;
			break;
		}
		if (!may_retry(c, i + 1))
			break;
		if (c->retry_mode != AWS_RETRY_LEGACY) {
			int cost = ambiguous && rc && !throttled ? AWS_QUOTA_TIMEOUT_COST
			                                         : AWS_QUOTA_RETRY_COST;
			if (c->quota < cost) {
				log_verbose("aws: retry quota spent; not retrying %s %s", service,
				            action);
				break;
			}
			c->quota -= cost;
			retry_cost += cost;
		}
		long backoff = backoff_ms(c, i, wait_ms);
		c->budget_used_s += spent + (double)backoff / 1000.0;
		log_verbose("aws: %s %s attempt %d failed (%s); retrying in %ld ms", service,
		            action, i + 1, e->msg, backoff);
		clock_sleep_ms(backoff);
	}
	if (!rc)
		c->maybe_done = 0;
	if (rc && e->transient && !c->ambiguous) {
		size_t used = strlen(e->msg);
		snprintf(e->msg + used, sizeof e->msg - used, " (gave up after %d attempt%s%s%s)",
		         attempts, attempts == 1 ? "" : "s",
		         c->budget_s > 0 && !c->max_attempts_set ? " and the retry budget" : "",
		         strcmp(c->last_code, "RequestError") == 0
		             ? "; check the network, or AWS_ENDPOINT_URL if set"
		             : "");
	}
	buf_free(&code);
	buf_free(&msg);
	buf_free(&rid);
	free(host);
	free(url);
	return rc;
}

int aws_json_call(aws_client *c, const char *service, const char *target, const cJSON *body,
                  cJSON **out, err *e)
{
	*out = NULL;
	char *text = body ? cJSON_PrintUnformatted(body) : xstrdup("{}");
	if (!text)
		return err_set(e, ORC_EFAIL, "%s %s: cannot serialise the request", service,
		               target);
	const char *dot = strrchr(target, '.');
	const char *action = dot ? dot + 1 : target;
	http_response resp = HTTP_RESPONSE_INIT;
	int rc = aws_send(c, PROTO_JSON, service, action, target, text, strlen(text), &resp, e);
	free(text);
	if (!rc) {
		*out = resp.body.len ? cJSON_ParseWithLength(resp.body.ptr, resp.body.len)
		                     : cJSON_CreateObject();
		if (!*out)
			rc = err_set(e, ORC_EFAIL, "%s %s: the answer is not JSON (HTTP %ld)",
			             service, action, resp.status);
	}
	http_response_free(&resp);
	return rc;
}

void aws_params_add(aws_params *p, const char *name, const char *value)
{
	ARRAY_GROW(p->names, p->n + 1, p->names_cap);
	ARRAY_GROW(p->values, p->n + 1, p->values_cap);
	p->names[p->n] = xstrdup(name);
	p->values[p->n] = xstrdup(value ? value : "");
	p->n++;
}

void aws_params_addf(aws_params *p, const char *name, const char *fmt, ...)
{
	buf v = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&v, fmt, ap);
	va_end(ap);
	aws_params_add(p, name, buf_cstr(&v));
	buf_free(&v);
}

void aws_params_free(aws_params *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->names[i]);
		free(p->values[i]);
	}
	free(p->names);
	free(p->values);
	p->names = p->values = NULL;
	p->n = p->names_cap = p->values_cap = 0;
}

/* application/x-www-form-urlencoded as botocore writes it: libcurl's escaping (RFC 3986
 * unreserved characters kept) with spaces as '+'. Servers that re-encode the parsed form
 * to check the signature (moto does) only agree with that spelling. */
static void form_escape(buf *b, CURL *cu, const char *s)
{
	char *esc = curl_easy_escape(cu, s, 0);
	for (const char *p = esc; *p; p++) {
		if (strncmp(p, "%20", 3) == 0) {
			buf_putc(b, '+');
			p += 2;
		} else {
			buf_putc(b, *p);
		}
	}
	curl_free(esc);
}

static void form_put(buf *b, CURL *cu, const char *name, const char *value)
{
	if (b->len)
		buf_putc(b, '&');
	form_escape(b, cu, name);
	buf_putc(b, '=');
	form_escape(b, cu, value);
}

int aws_query_call(aws_client *c, const char *service, const char *action, const char *version,
                   const aws_params *params, xmlDocPtr *out, err *e)
{
	*out = NULL;
	http_global_init();
	CURL *cu = curl_easy_init();
	buf body = BUF_INIT;
	form_put(&body, cu, "Action", action);
	form_put(&body, cu, "Version", version);
	for (size_t i = 0; params && i < params->n; i++)
		form_put(&body, cu, params->names[i], params->values[i]);
	curl_easy_cleanup(cu);

	http_response resp = HTTP_RESPONSE_INIT;
	int rc =
	    aws_send(c, PROTO_QUERY, service, action, NULL, buf_cstr(&body), body.len, &resp, e);
	if (body.ptr)
		OPENSSL_cleanse(body.ptr, body.len); /* may carry a web identity token */
	buf_free(&body);
	if (!rc) {
		*out = aws_xml_parse(resp.body.ptr ? resp.body.ptr : "", resp.body.len);
		if (!*out)
			rc = err_set(e, ORC_EFAIL, "%s %s: the answer is not XML (HTTP %ld)",
			             service, action, resp.status);
	}
	http_response_free(&resp);
	return rc;
}
