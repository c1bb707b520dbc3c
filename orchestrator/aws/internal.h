/*
 * aws internals shared by the layer's own files (aws.c, sigv4.c, creds.c, xml.c) and its
 * unit tests; service files use aws.h only.
 */
#ifndef ORC_AWS_INTERNAL_H
#define ORC_AWS_INTERNAL_H

#include <time.h>

#include "aws/aws.h"
#include "core/buf.h"
#include "core/err.h"

typedef struct aws_creds {
	char *access_key;
	char *secret_key;
	char *session_token; /* NULL for long-term keys */
	time_t expiration;   /* 0: does not expire */
	const char *source;  /* "environment", "web identity", "shared files", "container" */
} aws_creds;

enum aws_retry_mode { AWS_RETRY_STANDARD, AWS_RETRY_ADAPTIVE, AWS_RETRY_LEGACY };

struct aws_client {
	char *region;
	aws_creds creds; /* access_key NULL while resolving: requests go unsigned */
	char last_code[128];
	long calls; /* HTTP attempts made, retries included */

	/* Retry policy (aws.c's opening comment). */
	enum aws_retry_mode retry_mode;
	int max_attempts;     /* per call */
	int max_attempts_set; /* from AWS_MAX_ATTEMPTS / max_attempts: a hard cap */
	double budget_s;      /* the operation's retry budget; 0: none (SDK behaviour) */
	double budget_used_s; /* spent on failed attempts and backoff waits */
	int quota;            /* standard mode's retry quota (tokens) */
	double rate;          /* adaptive: allowed sends per second; 0: not limited yet */
	double next_send;     /* adaptive: monotonic time the next send may go */
	int no_resend;        /* the next call: no resend after a possibly-done failure */
	int ambiguous;        /* the last call failed after AWS may have acted on it */
	int maybe_done;       /* the last call failed and one of its attempts got no answer */
	long skew_s;          /* server clock minus ours, from a skew error's Date */
};

/* Reads AWS_RETRY_MODE / AWS_MAX_ATTEMPTS and the profile's retry_mode / max_attempts. */
int aws_retry_configure(aws_client *c, err *e);

void aws_creds_clear(aws_creds *cr);

/* One signed header: name as sent, value as sent. */
typedef struct aws_header {
	const char *name;
	const char *value;
} aws_header;

/*
 * Signature Version 4. headers are every header to sign (host and x-amz-date among
 * them; the date is read from x-amz-date); url is the full request URL (its path and
 * query are canonicalised). Writes the Authorization header value into auth.
 */
int aws_sigv4_sign(const char *method, const char *url, const aws_header *headers, size_t n,
                   const void *payload, size_t payload_len, const char *region, const char *service,
                   const char *access_key, const char *secret_key, buf *auth, err *e);
/* The canonical request alone (exposed for tests and --verbose debugging). */
int aws_sigv4_canonical_request(const char *method, const char *url, const aws_header *headers,
                                size_t n, const void *payload, size_t payload_len, buf *out,
                                buf *signed_headers, err *e);
/* Lowercase hex SHA-256 of data into out (65 bytes). */
void aws_sha256_hex(const void *data, size_t len, char out[65]);

/* Resolves credentials through the chain into c->creds (c->region already set). */
int aws_creds_resolve(aws_client *c, err *e);

/* creds.c's pieces the other sources use. source must be a static string. */
void aws_creds_set(aws_client *c, const char *ak, const char *sk, const char *token,
                   time_t expiration, const char *source);
int aws_creds_from_container(aws_client *c, err *e);
/* The JSON credential answers: the container endpoint's and IMDS's ({AccessKeyId,
 * SecretAccessKey, Token, Expiration}, IMDS's with a Code that must be Success),
 * credential_process's ({Version: 1, ..., SessionToken}) and SSO GetRoleCredentials'
 * ({roleCredentials: {accessKeyId, ..., expiration in ms}}). */
enum aws_creds_shape { AWS_CREDS_CONTAINER, AWS_CREDS_IMDS, AWS_CREDS_PROCESS, AWS_CREDS_SSO };
struct cJSON;
/* Sets c->creds (the secret key and token registered with the log) from answer; 0, or 1
 * when it holds no non-empty access key and secret key (nothing changed). */
int aws_creds_decode(aws_client *c, const struct cJSON *answer, enum aws_creds_shape shape);
time_t aws_parse_iso8601(const char *s);

/*
 * creds_sources.c: a profile's other sources, tried before its static keys.
 * *used is 1 when the profile configures one of them (role_arn, sso_session or
 * sso_start_url, credential_process), and then rc is the outcome.
 */
int aws_creds_from_profile(aws_client *c, const char *profile, int *used, err *e);
/* EC2 instance metadata (IMDSv2); *used 0 when disabled (AWS_EC2_METADATA_DISABLED). */
int aws_creds_from_imds(aws_client *c, int *used, err *e);

/* Endpoint URL for a signing name: AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, else
 * https://{service}.{region}.amazonaws.com. Heap string. */
char *aws_endpoint(const char *service, const char *region);

/* Parses an XML answer with namespaces stripped, so XPath works on local names. */
xmlDocPtr aws_xml_parse(const char *data, size_t len);

/* The shared files' value of key in the profile's section (credentials file first when
 * from_credentials, then config). NULL when absent; heap string. */
char *aws_profile_value(const char *profile, const char *key, int from_credentials);
/* AWS_PROFILE, else "default". */
const char *aws_profile_name(void);

/* Code and message of an error answer of the JSON (json_protocol 1) or Query protocol,
 * the other shape as fallback: the code without a "namespace#" prefix or ":url" suffix,
 * the message's first line, at most 400 bytes. */
struct http_response;
void aws_error_answer(int json_protocol, const struct http_response *resp, buf *code, buf *msg);
/* True for codes the SDKs' standard mode treats as throttling. */
int aws_is_throttling_code(const char *code);

#endif
