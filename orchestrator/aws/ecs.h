/*
 * ecs: the ECS calls the migration task needs (JSON 1.1 protocol).
 */
#ifndef ORC_AWS_ECS_H
#define ORC_AWS_ECS_H

#include "aws/aws.h"

/* The task definition (family, family:revision or ARN); *td is the "taskDefinition"
 * object of the answer (caller frees with cJSON_Delete). */
int ecs_describe_task_definition(aws_client *c, const char *family, cJSON **td, err *e);

/* RunTask with a request built by the caller (it carries the clientToken, so retries
 * never start a second task). Every entry of failures[] is reported, and a task must
 * have started: *task_arn (heap) is its ARN. */
int ecs_run_task(aws_client *c, const cJSON *request, char **task_arn, err *e);

/* DescribeTasks for one task; *task is its object (caller frees). A task ECS does not
 * know (failures[], reason MISSING) is ORC_EREMOTE. */
int ecs_describe_task(aws_client *c, const char *cluster, const char *task_arn, cJSON **task,
                      err *e);

/* A fresh RunTask clientToken (random, hex). Heap string. */
char *ecs_client_token(void);

#endif
