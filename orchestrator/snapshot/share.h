/*
 * share: moving a snapshot to another AWS account, both ends.
 *
 * Sending (share_run): AWS refuses to share a snapshot encrypted with the AWS-managed key
 * aws/rds, and a snapshot encrypted with a customer key is useless to an account the key
 * policy leaves out. So before anything changes, the snapshot's key is described (KMS
 * DescribeKey) and the policy of the key the target will need is read (GetKeyPolicy); a
 * key the target cannot use stops the run with the exact policy statements to add
 * (share_key_policy). With --kms-key, a snapshot under aws/rds is copied re-encrypted with
 * that customer key (CopyDBClusterSnapshot, waited for) as <snapshot>-for-<account>, and the
 * copy is shared. A re-run finds the copy (tag orchestrator:copied-from) and the share, and
 * changes nothing.
 *
 * Receiving (share_import): `snapshot restore --snapshot arn:aws:rds:R:ACCOUNT:cluster-
 * snapshot:NAME`. A snapshot shared from another account, or encrypted with another
 * account's key, is first copied into this account as <NAME>-from-<ACCOUNT> (re-encrypted
 * with --kms-key, else this account's aws/rds key): the restored cluster then depends on
 * neither the other account's share nor its key, and the restore's crash-safe steps run on
 * a snapshot of our own. A snapshot of this account named by its ARN is used as it is.
 */
#ifndef ORC_SNAPSHOT_SHARE_H
#define ORC_SNAPSHOT_SHARE_H

#include "aws/rds.h"
#include "core/buf.h"

#define SHARE_TAG_COPIED_FROM "orchestrator:copied-from"

typedef struct share_opts {
	const char *snapshot; /* identifier in this account */
	const char *account;  /* the 12-digit account to share with */
	const char *kms_key;  /* --kms-key: customer key for the copy; NULL: none */
	int timeout;          /* seconds the copy may take */
	const char *requested_by, *request_id; /* tag values (may be NULL) */
} share_opts;

typedef struct share_result {
	char *id;    /* the snapshot the account may now restore: the original or the copy */
	char *arn;   /* its ARN, what the target account passes to `snapshot restore` */
	int already; /* it was shared with the account before: nothing changed */
	int copied;  /* a re-encrypted copy was made (or found) */
} share_result;

void share_result_free(share_result *r);

/*
 * Shares o->snapshot with o->account, copying it first when its key requires (see above).
 * When the key will not do, returns ORC_EUSAGE and appends to policy the statements the
 * key policy needs (JSON), for the caller to print before the error line.
 */
int share_run(aws_client *c, const share_opts *o, share_result *out, buf *policy, err *e);

/* The key policy statements that let account use key_arn for shared snapshots (JSON). */
void share_key_policy(const char *account, const char *key_arn, buf *out);

/* Does a KMS key policy (GetKeyPolicy's JSON text) let account (12 digits) use the key for
 * a shared snapshot made in region: kms:CreateGrant, kms:Decrypt and kms:DescribeKey each
 * allowed to it ("*", the account, or an ARN whose account field is it), none denied (the
 * check share_run makes, warnings about conditions it cannot evaluate logged)? */
int share_policy_lets(const char *policy, const char *account, const char *region);

/* An RDS cluster snapshot ARN? Fills region, account and name (heap) when it is. */
int share_parse_arn(const char *arn, char **region, char **account, char **name);

/*
 * The local snapshot to restore for arn (see above): *local_id (heap) is NAME when the
 * snapshot is this account's own and usable, else the copy <NAME>-from-<ACCOUNT>, made
 * and waited for (or found). key_opt (--kms-key) may be NULL.
 */
int share_import(aws_client *c, const char *arn, const char *key_opt, int timeout,
                 const char *requested_by, const char *request_id, char **local_id, err *e);

#endif
