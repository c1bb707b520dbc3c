/*
 * github: the GitHub REST client the product needs: create a repository_dispatch event
 * (POST /repos/{owner}/{repo}/dispatches), and list a workflow's runs of one status
 * (GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs), which trigger reads
 * before sending (trigger/pending.c).
 *
 * The client owns GitHub's limits on an event (event_type at most 100 characters,
 * client_payload at most 10 top-level keys and under 64 KB), its headers (API version
 * 2022-11-28, bearer token, our User-Agent) and its retry policy: connection errors, 5xx,
 * and 403/429 answers that say they are throttling (Retry-After, or
 * x-ratelimit-remaining: 0) are retried, at most GITHUB_MAX_ATTEMPTS attempts in all,
 * with full-jitter exponential backoff and Retry-After honoured up to a cap; any other
 * 4xx is final. Each answer is turned into one line that says what it means for the user.
 *
 * The API base is $GITHUB_API_URL (default https://api.github.com): that is how GitHub
 * Enterprise Server and the tests' local stand-in are reached.
 */
#ifndef ORC_GITHUB_H
#define ORC_GITHUB_H

#include <cjson/cJSON.h>

#include "core/buf.h"
#include "core/err.h"

#define GITHUB_API_VERSION "2022-11-28"
#define GITHUB_DEFAULT_API_URL "https://api.github.com"
#define GITHUB_MAX_ATTEMPTS 3
#define GITHUB_EVENT_TYPE_MAX 100
#define GITHUB_PAYLOAD_MAX_KEYS 10
#define GITHUB_PAYLOAD_MAX_BYTES 65536

typedef struct github_repo {
	const char *owner;
	const char *repo;
	const char *token;      /* NULL for a dry run */
	const char *token_name; /* the variable the token came from, for messages */
} github_repo;

/* $GITHUB_API_URL without trailing slashes, or the default; heap string. */
char *github_api_url(void);
/* The repository's Actions page (https://github.com/OWNER/REPO/actions on github.com;
 * $GITHUB_SERVER_URL or the API host otherwise); heap string. */
char *github_actions_url(const github_repo *r);

/* Checks GitHub's limits on an event: ORC_EUSAGE naming the limit when broken. */
int github_dispatch_check(const char *event_type, const cJSON *client_payload, err *e);

/* The request, built but not sent: URL (owner and repo escaped) and JSON body. */
int github_dispatch_request(const github_repo *r, const char *event_type,
                            const cJSON *client_payload, buf *url, buf *body, err *e);
/* The request headers as "Name: value" lines; the token is shown as "Bearer <$NAME>". */
void github_dispatch_headers_shown(const github_repo *r, buf *out);

/*
 * Sends the event, retrying as described above. 0 when GitHub answered 204; otherwise
 * ORC_EREMOTE for a refusal (401, 403, 404, 422, rate limit) and ORC_EFAIL when GitHub
 * could not be reached or kept failing, with one line in e saying what to do.
 * *attempts (may be NULL) gets the number of requests made.
 */
int github_dispatch(const github_repo *r, const char *event_type, const cJSON *client_payload,
                    int *attempts, err *e);

/* One workflow run as the runs list gives it (strings never NULL). */
typedef struct github_run {
	long long id;
	char *status;   /* queued, in_progress, pending, waiting, requested, completed */
	char *title;    /* display_title: the workflow's run-name */
	char *html_url; /* its page */
} github_run;

/* Decodes a list-workflow-runs answer ({"total_count", "workflow_runs": [...]}); runs
 * without a positive whole id are left out. ORC_EFAIL when it is not that shape (nothing
 * decoded). */
int github_runs_decode(const char *body, size_t len, github_run **runs, size_t *n, err *e);
void github_runs_free(github_run *runs, size_t n);

/*
 * The newest 100 runs of workflow (its file name, e.g. "run-migration.yml") whose status
 * is status, retried like a dispatch on connection errors, 5xx and throttling. Any other
 * answer than 200 is ORC_EREMOTE with GitHub's message (a fine-grained token needs
 * "Actions: read" for this call).
 */
int github_workflow_runs(const github_repo *r, const char *workflow, const char *status,
                         github_run **runs, size_t *n, err *e);

#endif
