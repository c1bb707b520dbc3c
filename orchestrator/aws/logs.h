/*
 * logs: CloudWatch Logs, read side: the events of one stream, page by page.
 */
#ifndef ORC_AWS_LOGS_H
#define ORC_AWS_LOGS_H

#include "aws/aws.h"

/*
 * One GetLogEvents page of group/stream after token (NULL: from the head).
 * *events: the answer's events array (caller frees); *next: its nextForwardToken (heap),
 * equal to token when nothing new arrived. A stream that does not exist yet (the
 * container has not started) is not an error: no events, *next NULL.
 */
int logs_get_events(aws_client *c, const char *group, const char *stream, const char *token,
                    cJSON **events, char **next, err *e);

#endif
