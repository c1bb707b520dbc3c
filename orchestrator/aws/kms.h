/*
 * kms: the two KMS calls snapshot sharing needs (JSON 1.1, target TrentService.*):
 * DescribeKey, to tell the AWS-managed aws/rds key (KeyManager AWS: never shareable) from
 * a customer-managed one, and GetKeyPolicy, to check that the key lets the target account
 * use it before anything is copied or shared.
 */
#ifndef ORC_AWS_KMS_H
#define ORC_AWS_KMS_H

#include "aws/aws.h"

typedef struct kms_key {
	char *arn;     /* KeyMetadata.Arn */
	char *id;      /* KeyMetadata.KeyId */
	char *account; /* KeyMetadata.AWSAccountId */
	char *manager; /* KeyMetadata.KeyManager: "AWS" or "CUSTOMER" */
	char *state;   /* KeyMetadata.KeyState: "Enabled", "Disabled", "PendingDeletion", ... */
	char *spec;    /* KeyMetadata.KeySpec, "SYMMETRIC_DEFAULT" for RDS */
	char *usage;   /* KeyMetadata.KeyUsage, "ENCRYPT_DECRYPT" for RDS */
} kms_key;

void kms_key_free(kms_key *k);

/* DescribeKey of a key ID, key ARN, alias name or alias ARN; *found 0 (and 0 returned)
 * when KMS says NotFoundException. */
int kms_describe_key(aws_client *c, const char *key, kms_key *out, int *found, err *e);

/* GetKeyPolicy "default" of a key: the policy document (heap JSON text). */
int kms_get_key_policy(aws_client *c, const char *key_id, char **policy, err *e);

#endif
