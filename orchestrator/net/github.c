/*
 * github: repository_dispatch over net/http, with GitHub's limits, headers, retry
 * policy and the meaning of each answer in one place.
 *
 * Retrying a send is safe enough for dispatches: a 5xx or dropped connection almost
 * always means no event was created, and every payload carries a request_id that stays
 * the same across attempts, so a workflow can recognise a duplicate if one ever slips
 * through.
 */
#include "net/github.h"

#include <openssl/crypto.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/version.h"
#include "core/log.h"
#include "net/http.h"

#define BACKOFF_BASE_MS 500L
#define BACKOFF_CAP_MS 8000L
/* Longest wait we accept from Retry-After or a rate-limit reset before giving up. */
#define RETRY_AFTER_CAP_MS 60000L

char *github_api_url(void)
{
	const char *v = getenv("GITHUB_API_URL");
	buf u = BUF_INIT;
	buf_puts(&u, v && *v ? v : GITHUB_DEFAULT_API_URL);
	while (u.len > 1 && u.ptr[u.len - 1] == '/')
		buf_truncate(&u, u.len - 1);
	return buf_detach(&u);
}

char *github_actions_url(const github_repo *r)
{
	const char *server = getenv("GITHUB_SERVER_URL");
	buf base = BUF_INIT;
	if (server && *server) {
		buf_puts(&base, server);
	} else {
		char *api = github_api_url();
		if (strcmp(api, GITHUB_DEFAULT_API_URL) == 0) {
			buf_puts(&base, "https://github.com");
		} else {
			buf_puts(&base, api);
			/* GitHub Enterprise Server: https://HOST/api/v3 serves https://HOST. */
			if (base.len > 7 && strcmp(base.ptr + base.len - 7, "/api/v3") == 0)
				buf_truncate(&base, base.len - 7);
		}
		free(api);
	}
	while (base.len > 1 && base.ptr[base.len - 1] == '/')
		buf_truncate(&base, base.len - 1);
	char *o = curl_easy_escape(NULL, r->owner, 0), *n = curl_easy_escape(NULL, r->repo, 0);
	buf_printf(&base, "/%s/%s/actions", o, n);
	curl_free(o);
	curl_free(n);
	return buf_detach(&base);
}

int github_dispatch_check(const char *event_type, const cJSON *client_payload, err *e)
{
	size_t len = strlen(event_type);
	if (len == 0 || len > GITHUB_EVENT_TYPE_MAX)
		return err_set(e, ORC_EUSAGE,
		               "event_type \"%.40s...\" is %zu characters; GitHub accepts 1 to %d",
		               event_type, len, GITHUB_EVENT_TYPE_MAX);
	if (!client_payload)
		return 0;
	if (!cJSON_IsObject(client_payload))
		return err_set(e, ORC_EUSAGE, "client_payload must be a JSON object");
	int keys = cJSON_GetArraySize(client_payload);
	if (keys > GITHUB_PAYLOAD_MAX_KEYS)
		return err_set(
		    e, ORC_EUSAGE,
		    "client_payload of %s has %d top-level keys; GitHub accepts at most %d",
		    event_type, keys, GITHUB_PAYLOAD_MAX_KEYS);
	char *text = cJSON_PrintUnformatted(client_payload);
	size_t size = text ? strlen(text) : 0;
	free(text);
	if (size >= GITHUB_PAYLOAD_MAX_BYTES)
		return err_set(
		    e, ORC_EUSAGE,
		    "client_payload of %s is %zu bytes; GitHub needs it under %d (shorten "
		    "the values)",
		    event_type, size, GITHUB_PAYLOAD_MAX_BYTES);
	return 0;
}

/* url (built on api, GITHUB_API_URL) is http(s), and plain http only to loopback. */
static int check_api_url(const char *api, const char *full, err *e)
{
	/* Let libcurl's URL parser judge GITHUB_API_URL rather than guessing here. */
	CURLU *u = curl_url();
	CURLUcode uc = curl_url_set(u, CURLUPART_URL, full, 0);
	char *scheme = NULL, *host = NULL;
	if (uc == CURLUE_OK) {
		curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
		curl_url_get(u, CURLUPART_HOST, &host, 0);
	}
	int ok = uc == CURLUE_OK && scheme &&
	         (strcmp(scheme, "https") == 0 || strcmp(scheme, "http") == 0);
	/* The token goes in a header: plain http only where it cannot leave the machine. */
	int cleartext = ok && strcmp(scheme, "http") == 0 && !(host && http_host_is_loopback(host));
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	if (!ok || cleartext) {
		buf shown = BUF_INIT;
		http_redact_url(api, &shown);
		if (!ok)
			err_set(e, ORC_EUSAGE,
			        "GITHUB_API_URL=%s: not an http(s) URL (unset it to use %s)",
			        buf_cstr(&shown), GITHUB_DEFAULT_API_URL);
		else
			err_set(
			    e, ORC_EUSAGE,
			    "GITHUB_API_URL=%s: plain http would send the token in cleartext; use "
			    "https (http is accepted for 127.0.0.1 and [::1] only)",
			    buf_cstr(&shown));
		buf_free(&shown);
		return ORC_EUSAGE;
	}
	return 0;
}

int github_dispatch_request(const github_repo *r, const char *event_type,
                            const cJSON *client_payload, buf *url, buf *body, err *e)
{
	if (github_dispatch_check(event_type, client_payload, e) != 0)
		return e->code;
	char *api = github_api_url();
	char *o = curl_easy_escape(NULL, r->owner, 0), *n = curl_easy_escape(NULL, r->repo, 0);
	buf_clear(url);
	buf_printf(url, "%s/repos/%s/%s/dispatches", api, o, n);
	curl_free(o);
	curl_free(n);
	if (check_api_url(api, buf_cstr(url), e) != 0) {
		free(api);
		return ORC_EUSAGE;
	}
	free(api);

	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "event_type", event_type);
	if (client_payload)
		cJSON_AddItemToObject(doc, "client_payload", cJSON_Duplicate(client_payload, 1));
	char *text = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	if (!text)
		abort();
	buf_clear(body);
	buf_puts(body, text);
	free(text);
	return 0;
}

static void headers_into(const github_repo *r, int shown, struct curl_slist **list, buf *out)
{
	char *lines[] = {
	    xstrdup("Accept: application/vnd.github+json"),
	    shown || !r->token
	        ? xasprintf("Authorization: Bearer <$%s>", r->token_name ? r->token_name : "TOKEN")
	        : xasprintf("Authorization: Bearer %s", r->token),
	    xstrdup("X-GitHub-Api-Version: " GITHUB_API_VERSION),
	    xstrdup("User-Agent: orchestrator/" ORC_VERSION " (trigger_workflow)"),
	    xstrdup("Content-Type: application/json"),
	};
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
		if (list)
			*list = curl_slist_append(*list, lines[i]);
		if (out)
			buf_printf(out, "%s\n", lines[i]);
		OPENSSL_cleanse(lines[i], strlen(lines[i]));
		free(lines[i]);
	}
}

void github_dispatch_headers_shown(const github_repo *r, buf *out)
{
	headers_into(r, 1, NULL, out);
}

/* GitHub's "message" from an error body, on one line, or "" when there is none. */
static void answer_message(const http_response *resp, buf *out)
{
	buf_clear(out);
	cJSON *doc = cJSON_ParseWithLength(buf_cstr(&resp->body), resp->body.len);
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(doc, "message");
	if (cJSON_IsString(m)) {
		for (const char *p = m->valuestring; *p && out->len < 300; p++) {
			int space = isspace((unsigned char)*p);
			if (!space)
				buf_putc(out, *p);
			else if (out->len && out->ptr[out->len - 1] != ' ')
				buf_putc(out, ' ');
		}
	}
	const cJSON *errs = cJSON_GetObjectItemCaseSensitive(doc, "errors");
	const cJSON *item;
	cJSON_ArrayForEach(item, errs)
	{
		const cJSON *em =
		    cJSON_IsString(item) ? item : cJSON_GetObjectItemCaseSensitive(item, "message");
		if (cJSON_IsString(em) && out->len < 300)
			buf_printf(out, "%s%.200s", out->len ? "; " : "", em->valuestring);
	}
	cJSON_Delete(doc);
}

/* How long a throttling answer asks us to wait: ms >= 0, or -1 when it is not throttling. */
static long throttle_wait_ms(const http_response *resp)
{
	if (resp->status != 403 && resp->status != 429)
		return -1;
	long ra = http_retry_after_ms(resp);
	if (ra >= 0)
		return ra;
	buf v = BUF_INIT;
	long wait = -1;
	if (http_header_get(resp, "x-ratelimit-remaining", &v) && strcmp(buf_cstr(&v), "0") == 0) {
		wait = 0;
		if (http_header_get(resp, "x-ratelimit-reset", &v)) {
			long reset = strtol(buf_cstr(&v), NULL, 10);
			long now = (long)time(NULL);
			if (reset > now)
				wait = (reset - now) * 1000L;
		}
	}
	buf_free(&v);
	return wait;
}

static int final_answer(const github_repo *r, const char *event_type, const http_response *resp,
                        err *e)
{
	buf msg = BUF_INIT;
	answer_message(resp, &msg);
	const char *gh = buf_cstr(&msg);
	int rc;
	switch (resp->status) {
	case 401:
		rc = err_set(e, ORC_EREMOTE,
		             "GitHub refused the token in $%s (401 %s): it is wrong, expired or "
		             "revoked; create a new token with access to %s/%s and export it as %s",
		             r->token_name, *gh ? gh : "Bad credentials", r->owner, r->repo,
		             r->token_name);
		break;
	case 403:
		rc = err_set(
		    e, ORC_EREMOTE,
		    "GitHub forbade the dispatch to %s/%s (403%s%s): the token in $%s lacks "
		    "permission; a fine-grained token needs \"Contents: read and write\" on "
		    "this repository, a classic token the repo scope",
		    r->owner, r->repo, *gh ? " " : "", gh, r->token_name);
		break;
	case 404:
		rc = err_set(
		    e, ORC_EREMOTE,
		    "GitHub answered 404 for %s/%s: usually the token in $%s has no access "
		    "to this repository, or githubOwner/githubRepo in config.json are wrong; "
		    "check both",
		    r->owner, r->repo, r->token_name);
		break;
	case 422:
		rc = err_set(e, ORC_EREMOTE, "GitHub rejected the %s event for %s/%s (422): %s",
		             event_type, r->owner, r->repo, *gh ? gh : "validation failed");
		break;
	default:
		if (resp->status >= 400 && resp->status < 500)
			rc = err_set(e, ORC_EREMOTE,
			             "GitHub refused the %s event for %s/%s (%ld%s%s)", event_type,
			             r->owner, r->repo, resp->status, *gh ? " " : "", gh);
		else
			rc =
			    err_set(e, ORC_EFAIL,
			            "GitHub answered %ld to the %s event for %s/%s (expected 204); "
			            "check https://www.githubstatus.com and run again",
			            resp->status, event_type, r->owner, r->repo);
	}
	buf_free(&msg);
	return rc;
}

int github_dispatch(const github_repo *r, const char *event_type, const cJSON *client_payload,
                    int *attempts, err *e)
{
	buf url = BUF_INIT, body = BUF_INIT;
	int made = 0, rc;
	if (attempts)
		*attempts = 0;
	if (!r->token || !*r->token)
		return err_set(e, ORC_EUSAGE,
		               "%s is not set: export a GitHub token with access to "
		               "%s/%s (githubTokenName in config.json names the variable)",
		               r->token_name, r->owner, r->repo);
	log_add_secret(r->token);
	if ((rc = github_dispatch_request(r, event_type, client_payload, &url, &body, e)) != 0) {
		buf_free(&url);
		buf_free(&body);
		return rc;
	}

	struct curl_slist *headers = NULL;
	headers_into(r, 0, &headers, NULL);
	http_request req = {"POST", buf_cstr(&url), headers, body.ptr, body.len, 10000L, 30000L};
	http_response resp = HTTP_RESPONSE_INIT;
	for (;;) {
		err_clear(e);
		made++;
		long wait = -1;
		rc = http_perform(&req, &resp, e);
		if (rc != 0) {
			err_prefix(e, "cannot reach GitHub (check the network, or GITHUB_API_URL)");
			wait = http_backoff_ms(made - 1, BACKOFF_BASE_MS, BACKOFF_CAP_MS);
		} else if (resp.status == 204) {
			break;
		} else if (resp.status >= 500) {
			final_answer(r, event_type, &resp, e);
			long ra = http_retry_after_ms(&resp);
			wait = ra >= 0 ? ra
			               : http_backoff_ms(made - 1, BACKOFF_BASE_MS, BACKOFF_CAP_MS);
			rc = ORC_EFAIL;
		} else if ((wait = throttle_wait_ms(&resp)) >= 0) {
			char at[32];
			clock_utc_in(at, sizeof at, "%H:%M:%S UTC", wait);
			rc = err_set(
			    e, ORC_EREMOTE,
			    "GitHub is rate-limiting the token in $%s (%ld); wait until %s and "
			    "run again",
			    r->token_name, resp.status, at);
			if (wait > RETRY_AFTER_CAP_MS)
				break;
		} else {
			rc = final_answer(r, event_type, &resp, e);
			break;
		}
		if (made >= GITHUB_MAX_ATTEMPTS)
			break;
		if (wait > RETRY_AFTER_CAP_MS)
			wait = RETRY_AFTER_CAP_MS;
		log_verbose("attempt %d of %d failed (%s); retrying in %ld ms", made,
		            GITHUB_MAX_ATTEMPTS, e->msg, wait);
		clock_sleep_ms(wait);
	}
	if (rc != 0 && made > 1)
		err_prefix(e, "after %d attempts", made);
	http_response_free(&resp);
	for (struct curl_slist *h = headers; h; h = h->next)
		OPENSSL_cleanse(h->data, strlen(h->data)); /* the Authorization line */
	curl_slist_free_all(headers);
	if (attempts)
		*attempts = made;
	buf_free(&url);
	buf_free(&body);
	return rc;
}

void github_runs_free(github_run *runs, size_t n)
{
	for (size_t i = 0; runs && i < n; i++) {
		free(runs[i].status);
		free(runs[i].title);
		free(runs[i].html_url);
	}
	free(runs);
}

static char *text_of(const cJSON *o, const char *name)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
	return xstrdup(v ? v : "");
}

int github_runs_decode(const char *body, size_t len, github_run **runs, size_t *n, err *e)
{
	*runs = NULL;
	*n = 0;
	cJSON *doc = cJSON_ParseWithLength(body ? body : "", len);
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "workflow_runs");
	if (!cJSON_IsArray(list)) {
		cJSON_Delete(doc);
		return err_set(e, ORC_EFAIL,
		               "GitHub's list of workflow runs has no workflow_runs array");
	}
	github_run *out = xcalloc((size_t)cJSON_GetArraySize(list) + 1, sizeof *out);
	size_t k = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, list)
	{
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(item, "id");
		/* a positive whole number that a double holds exactly */
		if (!cJSON_IsNumber(id) ||
		    !(id->valuedouble >= 1 && id->valuedouble <= 9007199254740992.0) ||
		    id->valuedouble != (double)(long long)id->valuedouble)
			continue;
		out[k].id = (long long)id->valuedouble;
		out[k].status = text_of(item, "status");
		out[k].title = text_of(item, "display_title");
		out[k].html_url = text_of(item, "html_url");
		k++;
	}
	cJSON_Delete(doc);
	*runs = out;
	*n = k;
	return 0;
}

int github_workflow_runs(const github_repo *r, const char *workflow, const char *status,
                         github_run **runs, size_t *n, err *e)
{
	*runs = NULL;
	*n = 0;
	char *api = github_api_url();
	char *o = curl_easy_escape(NULL, r->owner, 0), *nm = curl_easy_escape(NULL, r->repo, 0),
	     *w = curl_easy_escape(NULL, workflow, 0), *st = curl_easy_escape(NULL, status, 0);
	char *url = xasprintf("%s/repos/%s/%s/actions/workflows/%s/runs?status=%s&per_page=100",
	                      api, o, nm, w, st);
	curl_free(o);
	curl_free(nm);
	curl_free(w);
	curl_free(st);
	int rc = check_api_url(api, url, e);
	free(api);
	if (rc) {
		free(url);
		return rc;
	}
	log_add_secret(r->token);
	struct curl_slist *headers = NULL;
	headers_into(r, 0, &headers, NULL);
	http_request req = {"GET", url, headers, NULL, 0, 10000L, 30000L};
	http_response resp = HTTP_RESPONSE_INIT;
	for (int made = 1;; made++) {
		err_clear(e);
		long wait = -1;
		rc = http_perform(&req, &resp, e);
		if (rc != 0) {
			err_prefix(e, "cannot reach GitHub (check the network, or GITHUB_API_URL)");
			wait = http_backoff_ms(made - 1, BACKOFF_BASE_MS, BACKOFF_CAP_MS);
		} else if (resp.status == 200) {
			rc = github_runs_decode(resp.body.ptr, resp.body.len, runs, n, e);
			break;
		} else if (resp.status >= 500 || (wait = throttle_wait_ms(&resp)) >= 0) {
			rc = err_set(e, ORC_EFAIL, "GitHub answered %ld to the list of %s runs",
			             resp.status, workflow);
			if (wait < 0)
				wait = http_backoff_ms(made - 1, BACKOFF_BASE_MS, BACKOFF_CAP_MS);
		} else {
			buf msg = BUF_INIT;
			answer_message(&resp, &msg);
			rc = err_set(e, ORC_EREMOTE,
			             "GitHub answered %ld to the list of %s runs%s%s", resp.status,
			             workflow, msg.len ? ": " : "", buf_cstr(&msg));
			buf_free(&msg);
			break;
		}
		if (made >= GITHUB_MAX_ATTEMPTS || wait > RETRY_AFTER_CAP_MS)
			break;
		clock_sleep_ms(wait);
	}
	http_response_free(&resp);
	for (struct curl_slist *h = headers; h; h = h->next)
		OPENSSL_cleanse(h->data, strlen(h->data));
	curl_slist_free_all(headers);
	free(url);
	return rc;
}
