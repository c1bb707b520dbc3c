/*
 * secrets: Secrets Manager GetSecretValue (see secrets.h).
 *
 * Registration with the log happens here, once, as soon as the value is held: callers
 * cannot forget it. Multi-line values (deploy keys) are also registered line by line,
 * because a library may print one line of them; JSON secrets have each string field
 * registered (except the few that only locate the database), numbers too (a PIN), because
 * a caller hands the password on alone; a field a caller asks for by name is registered
 * whatever its type. (The log module ignores values under 4 bytes.)
 */
#include <stdlib.h>
#include <string.h>

#include "aws/secrets.h"
#include "core/buf.h"
#include "core/log.h"

/* Fields of the RDS secret shape that say where, not how to get in. Masking them would
 * blank "127.0.0.1" or "postgres" out of every later line (and, in Actions, out of the
 * whole job log) for no protection. Every other field is treated as secret. */
static int public_field(const char *name)
{
	static const char *const names[] = {"username",
	                                    "host",
	                                    "port",
	                                    "dbname",
	                                    "engine",
	                                    "dbClusterIdentifier",
	                                    "dbInstanceIdentifier"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strcmp(name, names[i]) == 0)
			return 1;
	return 0;
}

void secrets_register(const char *value)
{
	log_add_secret(value);
	const char *p = value;
	while (strchr(p, '\n')) {
		const char *nl = strchr(p, '\n');
		char *line = xstrndup(p, (size_t)(nl - p));
		size_t n = strlen(line);
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		/* A PEM header line is not secret and too common to redact usefully. */
		if (strncmp(line, "-----", 5) != 0)
			log_add_secret(line);
		free(line);
		p = nl + 1;
	}
	if (p != value && strncmp(p, "-----", 5) != 0)
		log_add_secret(p);
	cJSON *j = cJSON_Parse(value);
	if (cJSON_IsObject(j)) {
		const cJSON *f;
		cJSON_ArrayForEach(f, j)
		{
			if (public_field(f->string))
				continue;
			if (cJSON_IsString(f)) {
				log_add_secret(f->valuestring);
			} else if (cJSON_IsNumber(f)) {
				/* a PIN or a numeric password, as it would be printed */
				char *text = cJSON_PrintUnformatted(f);
				log_add_secret(text);
				free(text);
			}
		}
	}
	cJSON_Delete(j);
}

int secrets_get_string(aws_client *c, const char *secret_id, char **value, err *e)
{
	cJSON *req = cJSON_CreateObject(), *resp = NULL;
	cJSON_AddStringToObject(req, "SecretId", secret_id);
	int rc = aws_json_call(c, "secretsmanager", "secretsmanager.GetSecretValue", req, &resp, e);
	cJSON_Delete(req);
	if (rc) {
		const char *code = aws_last_error_code(c);
		if (strcmp(code, "ResourceNotFoundException") == 0)
			return err_set(
			    e, ORC_EREMOTE,
			    "secret '%s' not found in Secrets Manager (region %s): check "
			    "the name and the region the task runs in",
			    secret_id, aws_client_region(c));
		return err_prefix(e, "secret '%s'", secret_id);
	}
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(resp, "SecretString");
	if (!cJSON_IsString(s)) {
		cJSON_Delete(resp);
		return err_set(e, ORC_EUSAGE,
		               "secret '%s' has no SecretString (binary secrets are not supported: "
		               "store the value as text)",
		               secret_id);
	}
	secrets_register(s->valuestring);
	*value = xstrdup(s->valuestring);
	cJSON_Delete(resp);
	return 0;
}

int secrets_get_json(aws_client *c, const char *secret_id, cJSON **out, err *e)
{
	char *value = NULL;
	int rc = secrets_get_string(c, secret_id, &value, e);
	if (rc)
		return rc;
	cJSON *j = cJSON_Parse(value);
	free(value);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		/* Never quote the value: it is the secret. */
		return err_set(e, ORC_EUSAGE,
		               "secret '%s' is not a JSON object (expected the shape RDS writes: "
		               "{\"username\",\"password\",\"host\",\"port\",\"dbname\"})",
		               secret_id);
	}
	*out = j;
	return 0;
}

/* Splits "NAME:field" without breaking an ARN (arn:aws:secretsmanager:R:A:secret:N). */
static void split_ref(const char *ref, char **name, char **field)
{
	const char *colon = NULL;
	if (strncmp(ref, "arn:", 4) == 0) {
		int n = 0;
		for (const char *p = ref; *p; p++)
			if (*p == ':' && ++n == 7)
				colon = p;
	} else {
		colon = strchr(ref, ':');
	}
	*name = colon ? xstrndup(ref, (size_t)(colon - ref)) : xstrdup(ref);
	*field = colon ? xstrdup(colon + 1) : NULL;
}

int secrets_get_ref(aws_client *c, const char *ref, char **value, err *e)
{
	char *name, *field;
	split_ref(ref, &name, &field);
	int rc;
	if (!field) {
		rc = secrets_get_string(c, name, value, e);
	} else {
		cJSON *j = NULL;
		rc = secrets_get_json(c, name, &j, e);
		if (!rc) {
			const cJSON *f = cJSON_GetObjectItemCaseSensitive(j, field);
			if (cJSON_IsString(f)) {
				log_add_secret(f->valuestring);
				*value = xstrdup(f->valuestring);
			} else if (f && !cJSON_IsNull(f) && !cJSON_IsObject(f) &&
			           !cJSON_IsArray(f)) {
				/* a number or boolean the caller uses is a secret like any text */
				*value = cJSON_PrintUnformatted(f);
				log_add_secret(*value);
			} else {
				rc =
				    err_set(e, ORC_EUSAGE,
				            "secret '%s' has no text field '%s' (write it as "
				            "NAME:field with a field of the secret's JSON, or NAME "
				            "for the whole string)",
				            name, field);
			}
		}
		cJSON_Delete(j);
	}
	free(name);
	free(field);
	return rc;
}
