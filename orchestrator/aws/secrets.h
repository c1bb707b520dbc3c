/*
 * secrets: AWS Secrets Manager, read-only (GetSecretValue) on the JSON 1.1 protocol.
 *
 * Every value read here is registered with log_add_secret before it is returned (the
 * whole string, each of its lines, and each string field of a JSON secret but those that
 * only locate a database: username, host, port, dbname, engine), so that neither a
 * password nor a line of a deploy key can reach any output afterwards.
 */
#ifndef ORC_AWS_SECRETS_H
#define ORC_AWS_SECRETS_H

#include "aws/aws.h"
#include "core/err.h"

/* The SecretString of secret_id (a name or an ARN), heap copy in *value. A binary-only
 * secret is ORC_EUSAGE; a missing secret or a denied read is ORC_EREMOTE naming it. */
int secrets_get_string(aws_client *c, const char *secret_id, char **value, err *e);

/* The secret parsed as a JSON object (RDS writes {"username","password","host",...});
 * a value that is not a JSON object is ORC_EUSAGE naming the secret. */
int secrets_get_json(aws_client *c, const char *secret_id, cJSON **out, err *e);

/*
 * "NAME" or "NAME:field" (an ARN may be given for NAME; its own colons are recognised):
 * the whole string, or that field of the JSON object (strings as they are, numbers in
 * their JSON spelling). A missing field is ORC_EUSAGE naming the secret and the field.
 */
int secrets_get_ref(aws_client *c, const char *ref, char **value, err *e);
/* What every read registers with the log (see the opening comment): the value, each of its
 * lines but PEM headers, and each field of a JSON object (strings and numbers) but the
 * public ones. */
void secrets_register(const char *value);

#endif
