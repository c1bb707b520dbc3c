/*
 * ecs: DescribeTaskDefinition, RunTask and DescribeTasks, and nothing else; the
 * sequencing (resolve, start, wait, exit code) lives in task.c.
 */
#include "aws/ecs.h"

#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

#define ECS_TARGET(op) "AmazonEC2ContainerServiceV20141113." op

static const char *str(const cJSON *o, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
	return s ? s : "";
}

int ecs_describe_task_definition(aws_client *c, const char *family, cJSON **td, err *e)
{
	*td = NULL;
	cJSON *req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "taskDefinition", family);
	cJSON *out = NULL;
	int rc = aws_json_call(c, "ecs", ECS_TARGET("DescribeTaskDefinition"), req, &out, e);
	cJSON_Delete(req);
	if (rc)
		return rc;
	*td = cJSON_DetachItemFromObjectCaseSensitive(out, "taskDefinition");
	cJSON_Delete(out);
	if (!cJSON_IsObject(*td)) {
		cJSON_Delete(*td);
		*td = NULL;
		return err_set(e, ORC_EFAIL,
		               "ecs DescribeTaskDefinition %s: no taskDefinition in "
		               "the answer",
		               family);
	}
	return 0;
}

/* "arn (reason: detail)" for each failure, joined with "; ". */
static void describe_failures(const cJSON *failures, buf *out)
{
	const cJSON *f;
	cJSON_ArrayForEach(f, failures)
	{
		buf_printf(out, "%s%s%s%s%s%s", out->len ? "; " : "", str(f, "arn"),
		           *str(f, "arn") ? " " : "", str(f, "reason"),
		           *str(f, "detail") ? ": " : "", str(f, "detail"));
	}
}

int ecs_run_task_answer(const cJSON *out, char **task_arn, err *e)
{
	int rc = 0;
	*task_arn = NULL;
	const cJSON *failures = cJSON_GetObjectItemCaseSensitive(out, "failures");
	const cJSON *task = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(out, "tasks"), 0);
	if (cJSON_GetArraySize(failures) > 0) {
		buf why = BUF_INIT;
		describe_failures(failures, &why);
		rc = err_set(e, ORC_EFAIL,
		             "ecs RunTask: the task did not start: %s (see 'API failure reasons' "
		             "in the ECS documentation; capacity and AGENT failures pass on a "
		             "re-run)",
		             buf_cstr(&why));
		buf_free(&why);
	} else if (!task || !*str(task, "taskArn")) {
		rc = err_set(e, ORC_EFAIL, "ecs RunTask: the answer has no task and no failure");
	} else {
		*task_arn = xstrdup(str(task, "taskArn"));
	}
	return rc;
}

int ecs_run_task(aws_client *c, const cJSON *request, char **task_arn, err *e)
{
	*task_arn = NULL;
	if (!*str(request, "clientToken"))
		return err_set(e, ORC_EFAIL,
		               "ecs RunTask: the request has no clientToken, so a retry could "
		               "start a second task; nothing was sent");
	cJSON *out = NULL;
	int rc = aws_json_call(c, "ecs", ECS_TARGET("RunTask"), request, &out, e);
	if (rc)
		return rc;
	rc = ecs_run_task_answer(out, task_arn, e);
	cJSON_Delete(out);
	return rc;
}

int ecs_find_started_by(aws_client *c, const char *cluster, const char *started_by, char **arn,
                        err *e)
{
	*arn = NULL;
	static const char *const statuses[] = {"RUNNING", "STOPPED"};
	for (size_t i = 0; i < 2 && !*arn; i++) {
		cJSON *req = cJSON_CreateObject();
		cJSON_AddStringToObject(req, "cluster", cluster);
		cJSON_AddStringToObject(req, "startedBy", started_by);
		cJSON_AddStringToObject(req, "desiredStatus", statuses[i]);
		cJSON *out = NULL;
		int rc = aws_json_call(c, "ecs", ECS_TARGET("ListTasks"), req, &out, e);
		cJSON_Delete(req);
		if (rc)
			return rc;
		const char *a = cJSON_GetStringValue(
		    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(out, "taskArns"), 0));
		if (a)
			*arn = xstrdup(a);
		cJSON_Delete(out);
	}
	return 0;
}

int ecs_describe_task(aws_client *c, const char *cluster, const char *task_arn, cJSON **task,
                      err *e)
{
	*task = NULL;
	cJSON *req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "cluster", cluster);
	cJSON *arns = cJSON_AddArrayToObject(req, "tasks");
	cJSON_AddItemToArray(arns, cJSON_CreateString(task_arn));
	cJSON *out = NULL;
	int rc = aws_json_call(c, "ecs", ECS_TARGET("DescribeTasks"), req, &out, e);
	cJSON_Delete(req);
	if (rc)
		return rc;
	cJSON *tasks = cJSON_GetObjectItemCaseSensitive(out, "tasks");
	if (cJSON_GetArraySize(tasks) > 0) {
		*task = cJSON_DetachItemFromArray(tasks, 0);
	} else {
		buf why = BUF_INIT;
		describe_failures(cJSON_GetObjectItemCaseSensitive(out, "failures"), &why);
		rc = err_set(e, ORC_EREMOTE,
		             "ecs DescribeTasks: task %s is unknown in cluster %s%s%s (tasks are "
		             "kept about an hour after they stop)",
		             task_arn, cluster, why.len ? ": " : "", buf_cstr(&why));
		buf_free(&why);
	}
	cJSON_Delete(out);
	return rc;
}

char *ecs_client_token(void)
{
	unsigned char raw[16];
	if (RAND_bytes(raw, sizeof raw) != 1)
		return NULL;
	buf b = BUF_INIT;
	buf_puts(&b, "orc-");
	buf_put_hex(&b, raw, sizeof raw);
	return buf_detach(&b);
}
