/* share: snapshots to and from another account, with their KMS keys (see share.h). */
#include "snapshot/share.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "aws/kms.h"
#include "core/log.h"
#include "snapshot/snapshot.h"

void share_result_free(share_result *r)
{
	if (!r)
		return;
	free(r->id);
	free(r->arn);
	memset(r, 0, sizeof *r);
}

static int is_account(const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return n == 12;
}

void share_key_policy(const char *account, const char *key_arn, buf *out)
{
	buf_printf(out,
	           "# key policy statements that let account %s use key %s for shared "
	           "snapshots: add them to the key's policy (KMS console, or aws kms "
	           "put-key-policy), keeping its existing statements\n",
	           account, key_arn);
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "Version", "2012-10-17");
	cJSON *st = cJSON_AddArrayToObject(doc, "Statement");
	char *principal = xasprintf("arn:aws:iam::%s:root", account);
	static const char *const use[] = {"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*",
	                                  "kms:GenerateDataKey*", "kms:DescribeKey"};
	static const char *const grant[] = {"kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"};
	for (int i = 0; i < 2; i++) {
		cJSON *s = cJSON_CreateObject();
		char *sid = xasprintf(i ? "AllowAccount%sToGrantRdsUseOfTheKey"
		                        : "AllowAccount%sToUseTheKeyForSharedSnapshots",
		                      account);
		cJSON_AddStringToObject(s, "Sid", sid);
		free(sid);
		cJSON_AddStringToObject(s, "Effect", "Allow");
		cJSON_AddStringToObject(cJSON_AddObjectToObject(s, "Principal"), "AWS", principal);
		cJSON_AddItemToObject(s, "Action",
		                      i ? cJSON_CreateStringArray(grant, 3)
		                        : cJSON_CreateStringArray(use, 5));
		cJSON_AddStringToObject(s, "Resource", "*");
		if (i)
			cJSON_AddTrueToObject(cJSON_AddObjectToObject(
			                          cJSON_AddObjectToObject(s, "Condition"), "Bool"),
			                      "kms:GrantIsForAWSResource");
		cJSON_AddItemToArray(st, s);
	}
	char *text = cJSON_Print(doc);
	buf_puts(out, text);
	buf_putc(out, '\n');
	cJSON_free(text);
	cJSON_Delete(doc);
	free(principal);
}

/* Does an IAM-style pattern ("kms:*", "kms:ReEncrypt*", "*") cover action? */
static int action_matches(const char *pattern, const char *action)
{
	size_t n = strlen(pattern);
	if (n && pattern[n - 1] == '*')
		return strncasecmp(pattern, action, n - 1) == 0;
	return strcasecmp(pattern, action) == 0;
}

static int principal_is(const cJSON *p, const char *account)
{
	if (cJSON_IsString(p)) {
		const char *v = p->valuestring;
		if (strcmp(v, "*") == 0 || strcmp(v, account) == 0)
			return 1;
		if (strncmp(v, "arn:", 4) != 0)
			return 0;
		/* arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE: the account is the fifth
		 * field, wherever else its digits may appear */
		const char *f = v;
		for (int i = 0; i < 4 && f; i++)
			if ((f = strchr(f, ':')))
				f++;
		size_t n = strlen(account);
		return f && strncmp(f, account, n) == 0 && f[n] == ':';
	}
	const cJSON *i;
	cJSON_ArrayForEach(i, p) if (principal_is(i, account)) return 1;
	return 0;
}

static int allows(const cJSON *actions, const char *action)
{
	if (cJSON_IsString(actions))
		return action_matches(actions->valuestring, action);
	const cJSON *i;
	cJSON_ArrayForEach(i, actions) if (cJSON_IsString(i) &&
	                                   action_matches(i->valuestring, action)) return 1;
	return 0;
}

/* Does statement s name account among its principals (Principal, or not in NotPrincipal)? */
static int statement_principal(const cJSON *s, const char *account)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(s, "Principal");
	const cJSON *np = cJSON_GetObjectItemCaseSensitive(s, "NotPrincipal");
	const cJSON *which = p ? p : np;
	if (!which)
		return 0;
	const cJSON *aws =
	    cJSON_IsObject(which) ? cJSON_GetObjectItemCaseSensitive(which, "AWS") : which;
	int named = aws && principal_is(aws, account);
	return p ? named : !named;
}

/* Does statement s cover action (Action, or not in NotAction)? */
static int statement_action(const cJSON *s, const char *action)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(s, "Action");
	const cJSON *na = cJSON_GetObjectItemCaseSensitive(s, "NotAction");
	return a ? allows(a, action) : na ? !allows(na, action) : 0;
}

/* The request the check stands for: account's RDS using the key for a shared snapshot. */
typedef struct key_use {
	const char *account; /* kms:CallerAccount, aws:PrincipalAccount */
	char *via;           /* kms:ViaService: rds.REGION.amazonaws.com */
} key_use;

enum { COND_FALSE, COND_TRUE, COND_UNKNOWN };

/* The value of a condition key in that request, NULL for a key the check cannot know. */
static const char *use_value(const key_use *u, const char *key)
{
	if (!strcasecmp(key, "kms:CallerAccount") || !strcasecmp(key, "aws:PrincipalAccount"))
		return u->account;
	if (!strcasecmp(key, "kms:ViaService"))
		return u->via;
	if (!strcasecmp(key, "kms:GrantIsForAWSResource"))
		return "true"; /* RDS's grants are for an AWS resource */
	return NULL;
}

static int value_matches(const char *op, const cJSON *v, const char *have)
{
	const char *want = cJSON_IsString(v)  ? v->valuestring
	                   : cJSON_IsTrue(v)  ? "true"
	                   : cJSON_IsFalse(v) ? "false"
	                                      : NULL;
	if (!want)
		return 0;
	if (!strcmp(op, "StringLike") || !strcmp(op, "StringNotLike"))
		return fnmatch(want, have, 0) == 0;
	if (!strcmp(op, "StringEqualsIgnoreCase") || !strcmp(op, "Bool"))
		return strcasecmp(want, have) == 0;
	return strcmp(want, have) == 0;
}

/* A statement's Condition in that request: every operator and key must hold (IAM's AND of
 * keys, OR of a key's values). String and Bool operators on the keys of use_value are
 * evaluated; anything else is COND_UNKNOWN, named in *unknown ("Operator key"). */
static int condition_holds(const cJSON *cond, const key_use *u, buf *unknown)
{
	static const char *const known[] = {"StringEquals",           "StringNotEquals",
	                                    "StringEqualsIgnoreCase", "StringLike",
	                                    "StringNotLike",          "Bool"};
	int result = COND_TRUE;
	const cJSON *op;
	cJSON_ArrayForEach(op, cond)
	{
		int op_known = 0;
		for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
			op_known |= strcmp(op->string, known[i]) == 0;
		const cJSON *key;
		cJSON_ArrayForEach(key, op)
		{
			const char *have = op_known ? use_value(u, key->string) : NULL;
			if (!have) {
				if (!unknown->len)
					buf_printf(unknown, "%s %s", op->string, key->string);
				if (result == COND_TRUE)
					result = COND_UNKNOWN;
				continue;
			}
			int any = 0;
			if (cJSON_IsArray(key)) {
				const cJSON *v;
				cJSON_ArrayForEach(v, key) any |=
				    value_matches(op->string, v, have);
			} else {
				any = value_matches(op->string, key, have);
			}
			int negated = strstr(op->string, "Not") != NULL;
			if (any == negated)
				result = COND_FALSE;
		}
	}
	return result;
}

#define NEED 3
static const char *const need[NEED] = {"kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey"};

/*
 * Does the policy let account use the key for a shared snapshot: kms:CreateGrant,
 * kms:Decrypt and kms:DescribeKey each allowed to the account by some statement, none
 * denied to it? Statements are evaluated for the request the target's RDS makes (its
 * account, kms:ViaService rds.REGION.amazonaws.com, a grant for an AWS resource); a Deny
 * that applies refuses (ORC_EUSAGE, naming the statement), a condition on other keys or
 * operators is a warning: the statement may or may not apply, AWS decides. Grants, IAM
 * policies of the target account and SCPs are not seen: this catches the usual mistakes
 * (the account left out, a Deny fence), not every way AWS can refuse.
 */
static int policy_check(const char *policy, const char *account, const char *region,
                        const char *what, const char *key_arn, int *lets, err *e)
{
	int have[NEED] = {0}, rc = 0, n = 0;
	key_use u = {account, xasprintf("rds.%s.amazonaws.com", region)};
	cJSON *doc = cJSON_Parse(policy);
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(doc, "Statement");
	const cJSON *s;
	cJSON *one = NULL;
	if (cJSON_IsObject(st)) {
		one = cJSON_CreateArray();
		cJSON_AddItemReferenceToArray(one, (cJSON *)st);
		st = one;
	}
	cJSON_ArrayForEach(s, st)
	{
		n++;
		const cJSON *effect = cJSON_GetObjectItemCaseSensitive(s, "Effect");
		const cJSON *sid = cJSON_GetObjectItemCaseSensitive(s, "Sid");
		int deny = cJSON_IsString(effect) && strcmp(effect->valuestring, "Deny") == 0;
		if (!cJSON_IsString(effect) || (!deny && strcmp(effect->valuestring, "Allow")) ||
		    !statement_principal(s, account))
			continue;
		int covers[NEED], any = 0;
		for (int k = 0; k < NEED; k++)
			any |= covers[k] = statement_action(s, need[k]);
		if (!any)
			continue;
		buf name = BUF_INIT, unknown = BUF_INIT;
		if (cJSON_IsString(sid) && *sid->valuestring)
			buf_printf(&name, "\"%s\"", sid->valuestring);
		else
			buf_printf(&name, "#%d", n);
		const cJSON *cond = cJSON_GetObjectItemCaseSensitive(s, "Condition");
		int holds = cond ? condition_holds(cond, &u, &unknown) : COND_TRUE;
		int first = 0;
		while (!covers[first])
			first++;
		if (deny && holds == COND_TRUE && !rc)
			rc =
			    err_set(e, ORC_EUSAGE,
			            "%s: statement %s of the policy of key %s denies account %s "
			            "%s: remove it or leave the account out of it, then run again; "
			            "nothing was changed",
			            what, buf_cstr(&name), key_arn, account, need[first]);
		else if (holds == COND_UNKNOWN)
			log_warn(
			    "%s: statement %s of the policy of key %s %s account %s %s only under "
			    "a condition this check cannot evaluate (%s): AWS decides when the "
			    "target account uses the key",
			    what, buf_cstr(&name), key_arn, deny ? "denies" : "allows", account,
			    need[first], buf_cstr(&unknown));
		if (!deny && holds != COND_FALSE)
			for (int k = 0; k < NEED; k++)
				have[k] |= covers[k];
		buf_free(&name);
		buf_free(&unknown);
	}
	cJSON_Delete(one);
	cJSON_Delete(doc);
	free(u.via);
	*lets = have[0] && have[1] && have[2];
	return rc;
}

int share_policy_lets(const char *policy, const char *account, const char *region)
{
	int lets = 0;
	err e = ERR_INIT;
	return policy_check(policy, account, region, "key policy", "(key)", &lets, &e) == 0 && lets;
}

/* 0 when account may use the key; ORC_EUSAGE with the policy to add when it may not, or
 * naming the Deny statement that refuses it. A policy we may not read is a warning: the
 * share goes on, the target will find out. */
static int check_policy(aws_client *c, const kms_key *k, const char *account, const char *what,
                        buf *policy, err *e)
{
	char *text = NULL;
	err pe = ERR_INIT;
	if (kms_get_key_policy(c, k->arn, &text, &pe)) {
		log_warn("%s: cannot read the policy of key %s (%s); make sure it lets account %s "
		         "use the key (README \"Moving a database to another account\")",
		         what, k->arn, pe.msg, account);
		return 0;
	}
	int ok = 0;
	int rc = policy_check(text, account, aws_client_region(c), what, k->arn, &ok, e);
	free(text);
	if (rc || ok)
		return rc;
	share_key_policy(account, k->arn, policy);
	return err_set(e, ORC_EUSAGE,
	               "%s: the policy of key %s does not let account %s use it (kms:CreateGrant, "
	               "kms:Decrypt, kms:DescribeKey): add the statements printed above to the key "
	               "policy, then run again; nothing was changed",
	               what, k->arn, account);
}

/* The customer key named by --kms-key, checked to be one RDS can share. */
static int usable_key(aws_client *c, const char *key, kms_key *k, err *e)
{
	int found;
	int rc = kms_describe_key(c, key, k, &found, e);
	if (rc)
		return err_prefix(e, "--kms-key %s", key);
	if (!found)
		return err_set(e, ORC_EUSAGE,
		               "--kms-key %s: no such KMS key in %s (give the key's ARN, ID or "
		               "alias, in the snapshot's region)",
		               key, aws_client_region(c));
	if (strcmp(k->manager, "CUSTOMER") != 0)
		return err_set(e, ORC_EUSAGE,
		               "--kms-key %s: an AWS managed key, which cannot be shared: create a "
		               "customer managed key (symmetric, encrypt and decrypt) and pass it",
		               key);
	if (strcmp(k->state, "Enabled") != 0)
		return err_set(e, ORC_EUSAGE, "--kms-key %s: the key is %s, not Enabled", key,
		               k->state);
	if (*k->spec && strcmp(k->spec, "SYMMETRIC_DEFAULT") != 0)
		return err_set(e, ORC_EUSAGE,
		               "--kms-key %s: a %s key; RDS needs a symmetric key "
		               "(SYMMETRIC_DEFAULT)",
		               key, k->spec);
	return 0;
}

/* After a copy request whose answer may have been lost: RDS has target, tagged as the
 * copy of src, so the copy went through (e cleared). */
static int copied_anyway(aws_client *c, const rds_snapshot *src, const char *target, err *e)
{
	err probe = ERR_INIT;
	rds_snapshot seen = {0};
	int found = 0, ours = 0;
	if (rds_snapshot_get(c, target, &seen, &found, &probe) == 0 && found) {
		const char *from = rds_tags_get(&seen.tags, SHARE_TAG_COPIED_FROM);
		ours = from && strcasecmp(from, src->arn) == 0;
		rds_snapshot_free(&seen);
	}
	if (ours) {
		log_info("the copy's answer was lost, but RDS has %s: waiting for it", target);
		err_clear(e);
	}
	return ours;
}

/* The copy target (made or found) of source re-encrypted with key_arn (a key ARN or an
 * alias; NULL: the source's key). */
static int copy_to(aws_client *c, const rds_snapshot *src, const char *source_ref,
                   const char *target, const char *key_arn, const share_opts *o, rds_snapshot *copy,
                   err *e)
{
	int found, rc;
	if ((rc = rds_snapshot_get(c, target, copy, &found, e)))
		return err_prefix(e, "snapshot %s", target);
	if (found) {
		const char *from = rds_tags_get(&copy->tags, SHARE_TAG_COPIED_FROM);
		int ours = from && strcasecmp(from, src->arn) == 0;
		/* An alias (alias/aws/rds) names no ARN to compare with. */
		int same_key = !key_arn || strncmp(key_arn, "arn:", 4) != 0 ||
		               strcasecmp(copy->kms_key_id, key_arn) == 0;
		if (!ours || !same_key) {
			rc = err_set(
			    e, ORC_EUSAGE,
			    "snapshot %s exists but is not the copy of %s%s%s (delete it or "
			    "rename the source)",
			    target, src->arn, key_arn ? " under key " : "", key_arn ? key_arn : "");
			rds_snapshot_free(copy);
			return rc;
		}
		log_info("copy %s of %s exists already; waiting for it", target, src->id);
		rds_snapshot_free(copy);
	} else {
		rds_tags tags = {0};
		rds_tags_add(&tags, SHARE_TAG_COPIED_FROM, src->arn);
		char *who = snapshot_tag_value(o ? o->requested_by : NULL);
		char *rid = snapshot_tag_value(o ? o->request_id : NULL);
		if (*who)
			rds_tags_add(&tags, "orchestrator:requested-by", who);
		if (*rid)
			rds_tags_add(&tags, "orchestrator:request-id", rid);
		free(who);
		free(rid);
		log_info("copying snapshot %s to %s%s%s", src->id, target,
		         key_arn ? ", re-encrypted with " : "", key_arn ? key_arn : "");
		/* Not resent blindly: a lost answer may hide a copy RDS already started, and
		 * RDS is asked before a failure is reported or the request sent again. */
		for (int i = 1;; i++) {
			aws_client_check_before_resend(c);
			rc = rds_snapshot_copy(c, source_ref, target, key_arn, &tags, e);
			int unanswered = rc && aws_last_call_ambiguous(c);
			if (rc && aws_last_call_maybe_done(c) && copied_anyway(c, src, target, e))
				rc = 0;
			if (!rc || !unanswered || !aws_retry_wait(c, i))
				break;
			log_warn("%s; RDS has no snapshot %s: sending the request again", e->msg,
			         target);
		}
		rds_tags_free(&tags);
		if (rc)
			return err_prefix(e, "copying snapshot %s to %s", src->id, target);
	}
	return snapshot_wait(c, target, o ? o->timeout : 3600, copy, e);
}

/* <id>-for-<account>, without the "rds:" of an automated snapshot's identifier. */
static char *copy_name(const char *id, const char *sep, const char *account)
{
	const char *colon = strrchr(id, ':');
	return xasprintf("%s-%s-%s", colon ? colon + 1 : id, sep, account);
}

int share_run(aws_client *c, const share_opts *o, share_result *out, buf *policy, err *e)
{
	memset(out, 0, sizeof *out);
	/* A share is one operation: a brown-out at any of its calls is ridden out (issue 15). */
	aws_client_set_retry_budget(c, AWS_OPERATION_RETRY_BUDGET_S);
	int public = strcmp(o->account, "all") == 0;
	if (!is_account(o->account) && !public)
		return err_set(e, ORC_EUSAGE,
		               "--account %s: expected a 12-digit AWS account ID (or \"all\" to "
		               "make an unencrypted snapshot public)",
		               o->account);
	rds_snapshot s = {0}, copy = {0};
	kms_key sk = {0}, k = {0};
	int found, rc;
	if ((rc = rds_snapshot_get(c, o->snapshot, &s, &found, e)))
		return err_prefix(e, "snapshot %s", o->snapshot);
	if (!found)
		return err_set(e, ORC_EREMOTE,
		               "snapshot %s: not found in %s (`orchestrator snapshot list` shows "
		               "the cluster's snapshots)",
		               o->snapshot, aws_client_region(c));
	const char *share_id = s.id;
	if (!s.encrypted) {
		if (o->kms_key)
			log_info("snapshot %s is not encrypted: shared as it is (--kms-key is not "
			         "needed)",
			         s.id);
		goto share;
	}
	if (public) {
		rc = err_set(
		    e, ORC_EUSAGE,
		    "snapshot %s: encrypted snapshots cannot be made public (--account all); "
		    "name the account",
		    s.id);
		goto out;
	}
	/* Encrypted: whose key? */
	if ((rc = kms_describe_key(c, s.kms_key_id, &sk, &found, e))) {
		err_prefix(e, "snapshot %s: its key %s", s.id, s.kms_key_id);
		goto out;
	}
	int managed = !found || strcmp(sk.manager, "CUSTOMER") != 0;
	int automated = strcmp(s.type, "automated") == 0;
	if (o->kms_key && (rc = usable_key(c, o->kms_key, &k, e)))
		goto out;
	int need_copy = managed || automated || (o->kms_key && strcmp(k.arn, sk.arn) != 0);
	if (need_copy && !o->kms_key) {
		char *placeholder =
		    xasprintf("arn:aws:kms:%s:%s:key/YOUR-CUSTOMER-KEY-ID", aws_client_region(c),
		              *sk.account ? sk.account : "YOUR-ACCOUNT");
		share_key_policy(o->account, placeholder, policy);
		free(placeholder);
		rc = err_set(
		    e, ORC_EUSAGE,
		    "snapshot %s is encrypted with %s%s, which AWS does not let you share: create "
		    "a "
		    "customer managed KMS key, add the statements printed above to its key policy, "
		    "and run again with --kms-key KEY-ARN (the snapshot is copied re-encrypted "
		    "with "
		    "it and the copy shared); nothing was changed",
		    s.id, managed ? "the AWS managed key aws/rds " : "key ",
		    found ? sk.arn : s.kms_key_id);
		goto out;
	}
	const kms_key *key = o->kms_key ? &k : &sk;
	if ((rc = check_policy(c, key, o->account, o->kms_key ? "--kms-key" : s.id, policy, e)))
		goto out;
	if (need_copy) {
		char *target = copy_name(s.id, "for", o->account);
		rc = copy_to(c, &s, s.id, target, k.arn, o, &copy, e);
		free(target);
		if (rc)
			goto out;
		out->copied = 1;
		share_id = copy.id;
	} else if (automated) {
		rc = err_set(
		    e, ORC_EUSAGE,
		    "snapshot %s: automated snapshots cannot be shared (create a manual one "
		    "with `orchestrator snapshot create`, or pass --kms-key to copy it)",
		    s.id);
		goto out;
	}
share:
	if ((rc = snapshot_share(c, share_id, o->account, &out->already, e)))
		goto out;
	out->id = xstrdup(share_id);
	out->arn = xstrdup(out->copied ? copy.arn : s.arn);
out:
	rds_snapshot_free(&s);
	rds_snapshot_free(&copy);
	kms_key_free(&sk);
	kms_key_free(&k);
	return rc;
}

int share_parse_arn(const char *arn, char **region, char **account, char **name)
{
	/* arn:PARTITION:rds:REGION:ACCOUNT:cluster-snapshot:NAME */
	char *copy = xstrdup(arn), *parts[7] = {0}, *p = copy;
	int n = 0;
	while (n < 6 && p) {
		parts[n++] = p;
		p = strchr(p, ':');
		if (p)
			*p++ = '\0';
	}
	parts[n] = p;
	int ok = n == 6 && p && strcmp(parts[0], "arn") == 0 && strncmp(parts[1], "aws", 3) == 0 &&
	         strcmp(parts[2], "rds") == 0 && *parts[3] && is_account(parts[4]) &&
	         strcmp(parts[5], "cluster-snapshot") == 0 && *p && strlen(p) <= 255;
	for (const char *q = p; ok && *q; q++)
		ok = isalnum((unsigned char)*q) || *q == '-';
	if (ok) {
		*region = xstrdup(parts[3]);
		*account = xstrdup(parts[4]);
		*name = xstrdup(p);
	}
	free(copy);
	return ok;
}

/* The snapshot arn names: shared with us, else one of ours. *shared tells which. */
static int find_by_arn(aws_client *c, const char *arn, const char *name, rds_snapshot *out,
                       int *found, int *shared, err *e)
{
	rds_snapshot *list = NULL;
	size_t n = 0;
	*found = *shared = 0;
	int rc = rds_snapshot_list_shared(c, &list, &n, e);
	if (rc)
		return rc;
	for (size_t i = 0; i < n && !*found; i++) {
		if (strcasecmp(list[i].arn, arn) == 0) {
			*out = list[i];
			memset(&list[i], 0, sizeof list[i]);
			*found = *shared = 1;
		}
	}
	rds_snapshots_free(list, n);
	if (*found)
		return 0;
	if ((rc = rds_snapshot_get(c, name, out, found, e)))
		return rc;
	if (*found && strcasecmp(out->arn, arn) != 0) {
		rds_snapshot_free(out);
		*found = 0;
	}
	return 0;
}

static const char *arn_account(const char *arn)
{
	/* arn:aws:kms:REGION:ACCOUNT:key/ID: the fifth field. */
	const char *p = arn;
	for (int i = 0; i < 4 && p; i++) {
		p = strchr(p, ':');
		if (p)
			p++;
	}
	return p;
}

int share_import(aws_client *c, const char *arn, const char *key_opt, int timeout,
                 const char *requested_by, const char *request_id, char **local_id, err *e)
{
	char *region = NULL, *account = NULL, *name = NULL;
	*local_id = NULL;
	aws_client_set_retry_budget(c, AWS_OPERATION_RETRY_BUDGET_S);
	if (!share_parse_arn(arn, &region, &account, &name))
		return err_set(e, ORC_EUSAGE,
		               "--snapshot %s: not an RDS cluster snapshot ARN (expected "
		               "arn:aws:rds:REGION:ACCOUNT:cluster-snapshot:NAME)",
		               arn);
	rds_snapshot s = {0}, copy = {0};
	kms_key k = {0};
	int found, shared, rc = 0;
	if (strcmp(region, aws_client_region(c)) != 0) {
		rc = err_set(
		    e, ORC_EUSAGE,
		    "--snapshot %s: the snapshot is in %s, the restore in %s (copy it to %s "
		    "first, or restore in %s)",
		    arn, region, aws_client_region(c), aws_client_region(c), region);
		goto out;
	}
	if ((rc = find_by_arn(c, arn, name, &s, &found, &shared, e))) {
		err_prefix(e, "--snapshot %s", arn);
		goto out;
	}
	if (!found) {
		rc = err_set(e, ORC_EREMOTE,
		             "--snapshot %s: not shared with this account (the owner runs "
		             "`orchestrator snapshot share --account THIS-ACCOUNT-ID`; check the "
		             "ARN)",
		             arn);
		goto out;
	}
	/* A key of another account: the restored cluster would hang on it. */
	const char *key_account = s.encrypted ? arn_account(s.kms_key_id) : NULL;
	int foreign_key = key_account && strncmp(key_account, account, 12) != 0;
	if (!shared && !foreign_key) {
		log_info("snapshot %s is this account's own %s: restoring it as it is", arn, s.id);
		*local_id = xstrdup(s.id);
		goto out;
	}
	const char *key = key_opt;
	if (key) {
		if ((rc = usable_key(c, key_opt, &k, e)))
			goto out;
		key = k.arn;
	} else if (s.encrypted) {
		key = "alias/aws/rds"; /* this account's own: always usable here */
	}
	char *target = copy_name(name, "from", account);
	share_opts o = {.timeout = timeout, .requested_by = requested_by, .request_id = request_id};
	rc = copy_to(c, &s, arn, target, key, &o, &copy, e);
	free(target);
	if (rc == 0)
		*local_id = xstrdup(copy.id);
out:
	rds_snapshot_free(&s);
	rds_snapshot_free(&copy);
	kms_key_free(&k);
	free(region);
	free(account);
	free(name);
	return rc;
}
