/*
 * aws: the AWS client layer. Credentials (the SDKs' chain), region, endpoint resolution
 * (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>), Signature Version 4, the JSON 1.1
 * and Query protocols, and the SDKs' standard retry mode live here; service files
 * (ecs.c, ec2.c, rds.c, logs.c, secrets.c, sts.c) build requests on top of the two
 * call functions below.
 *
 * An AWS error comes back as ORC_EREMOTE (4xx other than throttling: the remote refused)
 * or ORC_EFAIL, with "Service Action: Code: Message (request id ...)" in err.msg.
 * The opaque aws_client owns the resolved credentials; the secret key and session
 * token are registered with log_add_secret and never printed.
 */
#ifndef ORC_AWS_H
#define ORC_AWS_H

#include <cjson/cJSON.h>
#include "aws/libxml.h"

#include "core/buf.h"
#include "core/err.h"

typedef struct aws_client aws_client;

/* Resolves credentials and region (region: the argument, else AWS_REGION, else
 * AWS_DEFAULT_REGION; a missing region is ORC_EUSAGE naming --region). */
int aws_client_new(const char *region, aws_client **out, err *e);
void aws_client_free(aws_client *c);
const char *aws_client_region(const aws_client *c);

/* Last AWS error code of the client's most recent failed call ("DBClusterNotFoundFault"),
 * "" when none; lets callers branch on a specific fault without parsing err.msg. */
const char *aws_last_error_code(const aws_client *c);

/*
 * Retries (aws.c's opening comment, README "Retries"). An operation that is long and
 * resumable (run-task, snapshot create/share/restore) gives its client a retry budget in
 * seconds: a call that keeps failing transiently is then retried, with the standard
 * backoff, while the time spent on failed attempts and waits stays within the budget,
 * instead of stopping after max_attempts. AWS_MAX_ATTEMPTS / max_attempts, when the user
 * sets them, stay a hard cap per call.
 */
#define AWS_OPERATION_RETRY_BUDGET_S 120.0
void aws_client_set_retry_budget(aws_client *c, double seconds);
/* "standard", "adaptive" or "legacy", and the attempts per call. */
const char *aws_client_retry_mode(const aws_client *c);
int aws_client_max_attempts(const aws_client *c);

/*
 * For a mutating call that must not be sent twice blindly: the next call is not resent
 * after a failure that AWS may have acted on (a connection lost after sending, a
 * timeout, a 5xx); it fails at once and aws_last_call_ambiguous says so, so that the
 * caller asks AWS what happened before sending again. Throttling and other refusals are
 * still retried underneath. Reset by every call.
 */
void aws_client_check_before_resend(aws_client *c);
int aws_last_call_ambiguous(const aws_client *c);
/* The last call failed, and one of its attempts (not necessarily the last) ended without
 * AWS's answer (connection lost, timeout, 5xx): AWS may have done it, and a later
 * attempt's refusal (NotFound, AlreadyExists) may be the proof. A caller that must not
 * report the opposite of AWS's state asks AWS before reporting. */
int aws_last_call_maybe_done(const aws_client *c);
/* Waits the standard backoff before the caller's own attempt number attempt (0-based)
 * and charges it to the budget; 0 when the budget (or max attempts) is spent. */
int aws_retry_wait(aws_client *c, int attempt);

/* HTTP attempts the client made so far, retries included (for benchmarks and --verbose). */
long aws_client_calls(const aws_client *c);
/* Where the credentials came from: "environment", "web identity", "shared files",
 * "assumed role", "sso", "credential process", "container", "EC2 instance metadata";
 * for messages and tests, never the values. */
const char *aws_client_credential_source(const aws_client *c);

/*
 * JSON 1.1 protocol (ECS, CloudWatch Logs, Secrets Manager).
 * service: the endpoint prefix and signing name ("ecs", "logs", "secretsmanager");
 * target: the X-Amz-Target value ("AmazonEC2ContainerServiceV20141113.RunTask").
 * On success *out is the parsed answer (caller frees with cJSON_Delete).
 */
int aws_json_call(aws_client *c, const char *service, const char *target, const cJSON *body,
                  cJSON **out, err *e);

/* Query protocol parameters, in the form AWS documents them ("Filter.1.Name"). */
typedef struct aws_params {
	char **names;
	char **values;
	size_t n;
	size_t names_cap, values_cap;
} aws_params;

void aws_params_add(aws_params *p, const char *name, const char *value);
void aws_params_addf(aws_params *p, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void aws_params_free(aws_params *p);

/*
 * Query protocol (EC2, RDS, STS): POST form-encoded Action, Version and params.
 * service: "ec2", "rds", "sts"; version: the API version ("2016-11-15" for EC2,
 * "2014-10-31" for RDS, "2011-06-15" for STS). *out is the parsed XML answer (caller
 * frees with xmlFreeDoc); read it with the XPath helpers below.
 */
int aws_query_call(aws_client *c, const char *service, const char *action, const char *version,
                   const aws_params *params, xmlDocPtr *out, err *e);

/* XPath over an answer, namespace-agnostic: write paths with local names only
 * ("//DBClusterSnapshot/Status"). aws_xml_text: text of the first match (heap) or NULL.
 * aws_xml_texts: every match, NULL-terminated heap array (free with aws_xml_free_texts). */
char *aws_xml_text(xmlDocPtr doc, const char *xpath);
char **aws_xml_texts(xmlDocPtr doc, const char *xpath, size_t *n);
void aws_xml_free_texts(char **texts);

#endif
