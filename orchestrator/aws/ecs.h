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
 * never start a second task; a request without one is refused, nothing sent). Every entry of
 * failures[] is reported, and a task must have started: *task_arn (heap) is its ARN. */
int ecs_run_task(aws_client *c, const cJSON *request, char **task_arn, err *e);
/* RunTask's answer: 0 with *task_arn (heap) the started task's ARN, or ORC_EFAIL naming
 * every failure (*task_arn NULL). */
int ecs_run_task_answer(const cJSON *answer, char **task_arn, err *e);

/* The task of cluster that RunTask started with startedBy (RUNNING or STOPPED), or *arn
 * NULL when ECS lists none: how a RunTask whose answer was lost is found. */
int ecs_find_started_by(aws_client *c, const char *cluster, const char *started_by, char **arn,
                        err *e);

/* DescribeTasks for one task; *task is its object (caller frees). A task ECS does not
 * know (failures[], reason MISSING) is ORC_EREMOTE. */
int ecs_describe_task(aws_client *c, const char *cluster, const char *task_arn, cJSON **task,
                      err *e);

/* A fresh RunTask clientToken (random, hex, 36 characters: it fits startedBy too), or
 * NULL when the random source fails. Heap string. */
char *ecs_client_token(void);

#endif
