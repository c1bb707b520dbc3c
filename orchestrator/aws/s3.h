/*
 * s3: Amazon S3, read-only: ListObjectsV2 (every page) and GetObject, for migrations
 * kept in a bucket.
 *
 * S3 speaks neither of the layer's POST protocols (aws_json_call, aws_query_call): a
 * read is a signed GET of /<bucket>/<key>, so this file builds those requests on the
 * layer's signer, endpoint resolution and credential chain. Path-style URLs
 * (https://s3.<region>.amazonaws.com/<bucket>/...) work for every bucket name and for
 * local endpoints alike. A refusal is ORC_EREMOTE naming the bucket (and the key) and the
 * IAM permission the caller lacks.
 */
#ifndef ORC_AWS_S3_H
#define ORC_AWS_S3_H

#include <stddef.h>

#include "aws/aws.h"
#include "core/buf.h"
#include "core/err.h"

typedef struct s3_object {
	char *key;
	char *etag; /* as S3 sends it, quotes included */
	long long size;
} s3_object;

typedef struct s3_objects {
	s3_object *v;
	size_t n, cap;
} s3_objects;

/* "s3://bucket/prefix" -> bucket and prefix (heap; prefix "" when absent, otherwise
 * ending in '/'). Anything else is ORC_EUSAGE naming the text. */
int s3_parse_url(const char *url, char **bucket, char **prefix, err *e);

/* Every object under prefix, in key order, through as many pages as S3 returns. */
int s3_list(aws_client *c, const char *bucket, const char *prefix, s3_objects *out, err *e);
void s3_objects_free(s3_objects *o);

/* The object's bytes, appended to out. */
int s3_get(aws_client *c, const char *bucket, const char *key, buf *out, err *e);

#endif
