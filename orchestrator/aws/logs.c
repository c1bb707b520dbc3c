/*
 * logs: GetLogEvents with nextForwardToken. The log stream of a task appears only once
 * its container starts, so ResourceNotFoundException means "nothing yet", not failure.
 */
#include "aws/logs.h"

#include <string.h>

#include "core/buf.h"

int logs_get_events(aws_client *c, const char *group, const char *stream, const char *token,
                    cJSON **events, char **next, err *e)
{
	*events = NULL;
	*next = NULL;
	cJSON *req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "logGroupName", group);
	cJSON_AddStringToObject(req, "logStreamName", stream);
	cJSON_AddTrueToObject(req, "startFromHead");
	if (token)
		cJSON_AddStringToObject(req, "nextToken", token);
	cJSON *out = NULL;
	int rc = aws_json_call(c, "logs", "Logs_20140328.GetLogEvents", req, &out, e);
	cJSON_Delete(req);
	if (rc) {
		if (strcmp(aws_last_error_code(c), "ResourceNotFoundException") == 0) {
			err_clear(e);
			*events = cJSON_CreateArray();
			return 0;
		}
		return rc;
	}
	*events = cJSON_DetachItemFromObjectCaseSensitive(out, "events");
	if (!*events)
		*events = cJSON_CreateArray();
	const char *n =
	    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(out, "nextForwardToken"));
	*next = n ? xstrdup(n) : (token ? xstrdup(token) : NULL);
	cJSON_Delete(out);
	return 0;
}
