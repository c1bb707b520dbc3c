/* kms: DescribeKey and GetKeyPolicy (see kms.h). */
#include "aws/kms.h"

#include <stdlib.h>
#include <string.h>

static char *field(const cJSON *o, const char *name)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, name);
	return xstrdup(cJSON_IsString(f) ? f->valuestring : "");
}

void kms_key_free(kms_key *k)
{
	if (!k)
		return;
	free(k->arn);
	free(k->id);
	free(k->account);
	free(k->manager);
	free(k->state);
	free(k->spec);
	free(k->usage);
	memset(k, 0, sizeof *k);
}

int kms_describe_key(aws_client *c, const char *key, kms_key *out, int *found, err *e)
{
	memset(out, 0, sizeof *out);
	*found = 0;
	cJSON *req = cJSON_CreateObject(), *resp = NULL;
	cJSON_AddStringToObject(req, "KeyId", key);
	int rc = aws_json_call(c, "kms", "TrentService.DescribeKey", req, &resp, e);
	cJSON_Delete(req);
	if (rc) {
		if (strcmp(aws_last_error_code(c), "NotFoundException") == 0) {
			err_clear(e);
			return 0;
		}
		return rc;
	}
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(resp, "KeyMetadata");
	out->arn = field(m, "Arn");
	out->id = field(m, "KeyId");
	out->account = field(m, "AWSAccountId");
	out->manager = field(m, "KeyManager");
	out->state = field(m, "KeyState");
	out->spec = field(m, "KeySpec");
	out->usage = field(m, "KeyUsage");
	*found = 1;
	cJSON_Delete(resp);
	return 0;
}

int kms_get_key_policy(aws_client *c, const char *key_id, char **policy, err *e)
{
	*policy = NULL;
	cJSON *req = cJSON_CreateObject(), *resp = NULL;
	cJSON_AddStringToObject(req, "KeyId", key_id);
	cJSON_AddStringToObject(req, "PolicyName", "default");
	int rc = aws_json_call(c, "kms", "TrentService.GetKeyPolicy", req, &resp, e);
	cJSON_Delete(req);
	if (rc)
		return rc;
	*policy = field(resp, "Policy");
	cJSON_Delete(resp);
	return 0;
}
