#!/usr/bin/env bash
# snapshot share with encrypted clusters, and restore from a snapshot ARN, against
# moto_server with SigV4 checking. moto makes every KMS key customer managed: the proxy
# (tests/run_task/proxy.py) rewrites DescribeKey's KeyManager to "AWS" for the key that
# stands in for aws/rds. moto resolves a snapshot ARN by name in the caller's own account,
# so the restore-by-ARN cases use this account's ARNs (a key of another account makes the
# copy necessary); the cross-account permission checks themselves are AWS's. The last
# cases run as the target account itself (an assumed role there, signatures checked): it
# finds the share, and moto then fails the copy from another account's ARN.
source "$(dirname "$0")/../lib/tap.sh"
source "$(dirname "$0")/setup.sh"
cd "$T_TMP" || exit 1
snap_world || { echo "not ok 1 - moto world"; exit 1; }
H() { python3 "$ROOT/tests/snapshot/share.py" "$@"; }

PPORT=$(t_free_port)
mkdir -p "$T_TMP/proxy"
python3 "$ROOT/tests/run_task/proxy.py" "$PPORT" "$AWS_ENDPOINT_URL" "$T_TMP/proxy" 2>"$T_TMP/proxy.err" &
t_defer "kill $! 2>/dev/null"
t_wait_port "$PPORT" 30 || { echo "not ok 1 - proxy"; exit 1; }
orc() { t_run env AWS_ENDPOINT_URL="http://127.0.0.1:$PPORT" "$ORC" "$@"; }
ops() { python3 -c 'import json,sys; print(" ".join(json.loads(l)["op"] for l in open(sys.argv[1])))' "$T_TMP/proxy/requests.jsonl"; }

TARGET=210987654321
ME=$(moto_aws sts get-caller-identity --query Account --output text)
K_AWS=$(H key)              # stands in for aws/rds
K_OK=$(H key "$TARGET")     # a customer key whose policy lets the target use it
K_NOPOL=$(H key)            # a customer key whose policy leaves the target out
printf '{"DescribeKey": {"KeyManager": {"%s": "AWS"}}}' "${K_AWS##*/}" >"$T_TMP/proxy/rewrite.json"

H cluster enc1 "$K_AWS" && H snapshot enc1 encsnap
H cluster cmk1 "$K_NOPOL" && H snapshot cmk1 cmksnap
H cluster cmk2 "$K_OK" && H snapshot cmk2 cmk2snap
H cluster plain1 && H snapshot plain1 plainsnap
snap_config config.json enc1

# --- aws/rds without a key: stop before anything, print the policy
: >"$T_TMP/proxy/requests.jsonl"
orc snapshot share --region us-west-2 --snapshot encsnap --account $TARGET
t_is "$T_RC" 2 "aws/rds-encrypted snapshot without --kms-key: exit 2"
t_like "$T_ERR" "encrypted with the AWS managed key aws/rds .*--kms-key KEY-ARN.*nothing was changed" "says why and what to do"
t_ok "the key policy to add is printed as JSON" python3 -c '
import json, sys
d = json.loads(sys.argv[1].split("\n", 1)[1])
st = d["Statement"]
assert all(s["Principal"]["AWS"] == "arn:aws:iam::%s:root" % sys.argv[2] for s in st), st
acts = [a for s in st for a in s["Action"]]
for a in ("kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:ReEncrypt*", "kms:GenerateDataKey*"):
    assert a in acts, a
assert st[1]["Condition"]["Bool"]["kms:GrantIsForAWSResource"] is True
' "$T_OUT" "$TARGET"
t_unlike "$(ops)" "CopyDBClusterSnapshot|ModifyDBClusterSnapshotAttribute" "no copy, no share attempted"
t_is "$(H show encsnap)" "encrypted=True key=$K_AWS shared=- copied-from=-" "the snapshot is untouched"

# --- --kms-key checks before anything changes
orc snapshot share --region us-west-2 --snapshot encsnap --account $TARGET --kms-key "$K_NOPOL"
t_is "$T_RC" 2 "a customer key the target may not use: exit 2"
t_like "$T_ERR" "--kms-key: the policy of key $K_NOPOL does not let account $TARGET use it" "names the key and the account"
t_like "$T_OUT" "^# key policy statements that let account $TARGET use key $K_NOPOL" "the printed policy names that key"
orc snapshot share --region us-west-2 --snapshot encsnap --account $TARGET --kms-key "$K_AWS"
t_is "$T_RC" 2 "an AWS managed key as --kms-key: exit 2"
t_like "$T_ERR" "an AWS managed key, which cannot be shared" "says so"
orc snapshot share --region us-west-2 --snapshot encsnap --account $TARGET --kms-key arn:aws:kms:us-west-2:$ME:key/00000000-0000-0000-0000-000000000000
t_is "$T_RC" 2 "an unknown --kms-key: exit 2"
t_is "$(H show encsnap-for-$TARGET)" "missing" "no copy was made by the refused runs"

# --- --kms-key: copy re-encrypted, share the copy
: >"$T_TMP/proxy/requests.jsonl"
orc snapshot share --region us-west-2 --snapshot encsnap --account $TARGET --kms-key "$K_OK"
t_is "$T_RC" 0 "share with --kms-key: exit 0"
t_like "$T_OUT" "copying snapshot encsnap to encsnap-for-$TARGET, re-encrypted with $K_OK" "says it copies"
t_like "$T_OUT" "snapshot encsnap-for-$TARGET: account $TARGET may now restore it" "the copy is shared"
t_like "$T_OUT" "snapshot restore --region us-west-2 --snapshot arn:aws:rds:us-west-2:$ME:cluster-snapshot:encsnap-for-$TARGET" "prints the restore command for the target account"
t_is "$(H show encsnap-for-$TARGET)" "encrypted=True key=$K_OK shared=$TARGET copied-from=arn:aws:rds:us-west-2:$ME:cluster-snapshot:encsnap" "the copy: under the customer key, shared, tagged with its source"
t_is "$(H show encsnap)" "encrypted=True key=$K_AWS shared=- copied-from=-" "the original stays unshared"
t_like "$(ops)" "DescribeKey.*GetKeyPolicy.*CopyDBClusterSnapshot.*ModifyDBClusterSnapshotAttribute" "key checked, then copy, then share"

: >"$T_TMP/proxy/requests.jsonl"
orc snapshot share --region us-west-2 --snapshot encsnap --account $TARGET --kms-key "$K_OK"
t_is "$T_RC" 0 "already shared: exit 0"
t_like "$T_OUT" "account $TARGET could already restore it" "says nothing changed"
t_unlike "$(ops)" "CopyDBClusterSnapshot|ModifyDBClusterSnapshotAttribute" "the re-run copies and shares nothing"

# --- a lost CopyDBClusterSnapshot answer: RDS made the copy; RDS is asked before any resend,
#     so exactly one copy exists and it is the one shared
H cluster enc2 "$K_AWS" && H snapshot enc2 encsnap2
: >"$T_TMP/proxy/requests.jsonl"
: >"$T_TMP/proxy/faults.log"
echo "CopyDBClusterSnapshot 1 lost" >"$T_TMP/proxy/fail"
orc snapshot share --region us-west-2 --snapshot encsnap2 --account $TARGET --kms-key "$K_OK"
t_is "$T_RC" 0 "share --kms-key, the copy's answer lost: exit 0"
t_like "$T_OUT$T_ERR" "answer was lost, but RDS has encsnap2-for-$TARGET" "settled by asking RDS, not by resending"
t_is "$(ops | tr ' ' '\n' | grep -c '^CopyDBClusterSnapshot$')" 1 "CopyDBClusterSnapshot sent once"
t_is "$(H show encsnap2-for-$TARGET)" "encrypted=True key=$K_OK shared=$TARGET copied-from=arn:aws:rds:us-west-2:$ME:cluster-snapshot:encsnap2" "the one copy is shared"

# --- a customer key: shared as it is when its policy lets the account in
orc snapshot share --region us-west-2 --snapshot cmksnap --account $TARGET
t_is "$T_RC" 2 "customer key whose policy leaves the account out: exit 2"
t_like "$T_ERR" "cmksnap: the policy of key $K_NOPOL does not let account $TARGET" "names the snapshot's key"
t_is "$(H show cmksnap)" "encrypted=True key=$K_NOPOL shared=- copied-from=-" "not shared"
orc snapshot share --region us-west-2 --snapshot cmk2snap --account $TARGET
t_is "$T_RC" 0 "customer key the account may use: exit 0"
t_is "$(H show cmk2snap)" "encrypted=True key=$K_OK shared=$TARGET copied-from=-" "shared as it is, no copy"
orc snapshot share --region us-west-2 --snapshot plainsnap --account $TARGET
t_is "$T_RC" 0 "an unencrypted snapshot is shared as it is"
t_like "$(H show plainsnap)" "^encrypted=False key=.* shared=$TARGET copied-from=-$" "shared, unencrypted"
orc snapshot share --region us-west-2 --snapshot encsnap --account all --kms-key "$K_OK"
t_is "$T_RC" 2 "an encrypted snapshot cannot be made public"

# --- Deny statements and conditions in the key policy (README "Moving a database to another
#     account"): a Deny that applies to the target refuses before anything, naming it; a
#     condition the check cannot evaluate is a warning. moto's own key-policy check refuses
#     DescribeKey to everyone when any Deny lists "kms:*" or "kms:DescribeKey" (it matches
#     actions case-sensitively and ignores principals and conditions), so the kms:* Denies
#     here are written "Kms:*": IAM action names are case-insensitive, as the check is.
errs() { printf '%s\n' "$T_ERR" | grep -c '^error:'; }
K_DENY=$(H key $TARGET '[{"Sid": "NoTarget", "Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::'$TARGET':root"}, "Action": "Kms:*", "Resource": "*"}]')
: >"$T_TMP/proxy/requests.jsonl"
orc snapshot share --region us-west-2 --snapshot encsnap --account $TARGET --kms-key "$K_DENY"
t_is "$T_RC" 2 "a Deny kms:* for the target account: exit 2"
t_like "$T_ERR" "^error: --kms-key: statement \"NoTarget\" of the policy of key $K_DENY denies account $TARGET kms:CreateGrant: remove it" "one line naming the statement, the key, the account and the action"
t_is "$(errs)" 1 "a single error line"
t_unlike "$T_OUT" "key policy statements that let" "no Allow statements printed: they would not help"
t_unlike "$(ops)" "CopyDBClusterSnapshot|ModifyDBClusterSnapshotAttribute" "refused before any copy or share"

K_FENCE=$(H key $TARGET '[{"Sid": "OnlyOurAccount", "Effect": "Deny", "Principal": "*", "Action": "Kms:*", "Resource": "*", "Condition": {"StringNotEquals": {"kms:CallerAccount": ["'$ME'"]}}}]')
orc snapshot share --region us-west-2 --snapshot encsnap --account $TARGET --kms-key "$K_FENCE"
t_is "$T_RC" 2 "a Deny to every account but ours (kms:CallerAccount): exit 2"
t_like "$T_ERR" "statement \"OnlyOurAccount\" of the policy of key $K_FENCE denies account $TARGET" "the fence is named"

K_NOTACT=$(H key $TARGET '[{"Effect": "Deny", "Principal": {"AWS": "'$TARGET'"}, "NotAction": ["kms:Describe*", "kms:List*"], "Resource": "*"}]')
orc snapshot share --region us-west-2 --snapshot encsnap --account $TARGET --kms-key "$K_NOTACT"
t_is "$T_RC" 2 "a Deny of every action but Describe*/List* (NotAction): exit 2"
t_like "$T_ERR" "statement #4 of the policy of key $K_NOTACT denies account $TARGET kms:CreateGrant" "a statement without Sid is named by its position"
t_is "$(H show encsnap-for-$TARGET)" "encrypted=True key=$K_OK shared=$TARGET copied-from=arn:aws:rds:us-west-2:$ME:cluster-snapshot:encsnap" "the earlier copy is untouched by the refused runs"

# Deny statements whose conditions do not hold for the target's RDS: no refusal, no warning.
K_FENCE_OK=$(H key $TARGET '[{"Sid": "OnlyUs", "Effect": "Deny", "Principal": "*", "Action": "Kms:*", "Resource": "*", "Condition": {"StringNotEquals": {"kms:CallerAccount": ["'$ME'", "'$TARGET'"]}}}, {"Sid": "OnlyThroughRds", "Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringNotLike": {"kms:ViaService": "rds.*.amazonaws.com"}}}]')
H cluster fence1 "$K_FENCE_OK" && H snapshot fence1 fencesnap
orc snapshot share --region us-west-2 --snapshot fencesnap --account $TARGET
t_is "$T_RC" 0 "Deny fences that let the target's RDS through: exit 0"
t_unlike "$T_ERR" "warning" "their conditions are evaluated: no warning"
t_is "$(H show fencesnap)" "encrypted=True key=$K_FENCE_OK shared=$TARGET copied-from=-" "shared"

K_IP=$(H key $TARGET '[{"Sid": "OfficeOnly", "Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]')
H cluster ip1 "$K_IP" && H snapshot ip1 ipsnap
orc snapshot share --region us-west-2 --snapshot ipsnap --account $TARGET
t_is "$T_RC" 0 "a Deny under a condition the check cannot evaluate: not refused"
t_like "$T_ERR" "warning: ipsnap: statement \"OfficeOnly\" of the policy of key $K_IP denies account $TARGET kms:Decrypt only under a condition this check cannot evaluate \(NotIpAddress aws:SourceIp\)" "a warning names the statement and the condition"
t_is "$(H show ipsnap)" "encrypted=True key=$K_IP shared=$TARGET copied-from=-" "and the share goes on"

K_TAG=$(H key "" '[{"Sid": "TeamOnly", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::'$TARGET':root"}, "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:CreateGrant"], "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "db"}}}]')
H cluster tag1 "$K_TAG" && H snapshot tag1 tagsnap
orc snapshot share --region us-west-2 --snapshot tagsnap --account $TARGET
t_is "$T_RC" 0 "the only Allow is under a condition the check cannot evaluate: not refused"
t_like "$T_ERR" "warning: tagsnap: statement \"TeamOnly\" .* allows account $TARGET kms:CreateGrant only under a condition this check cannot evaluate \(StringEquals aws:ResourceTag/team\)" "a warning says so"

# --- restore --snapshot ARN
snap_config r1.json app1
orc snapshot restore --config r1.json --region us-west-2 --snapshot "arn:aws:rds:us-west-2:$ME:cluster-snapshot:plainsnap" --request-id a1
t_is "$T_RC" 0 "restore from this account's snapshot ARN"
t_like "$T_OUT" "is this account's own plainsnap: restoring it as it is" "no copy needed"
t_is "$(snap_rds tag app1 orchestrator:restored-from)" "plainsnap" "restored from the snapshot the ARN names"

# A snapshot under another account's key: copied here first, under our key.
FOREIGN=arn:aws:kms:us-west-2:999999999999:key/11111111-2222-3333-4444-555555555555
H cluster far1 "$FOREIGN" && H snapshot far1 farsnap
snap_config r2.json app2
ARN="arn:aws:rds:us-west-2:$ME:cluster-snapshot:farsnap"
orc snapshot restore --config r2.json --region us-west-2 --snapshot "$ARN" --kms-key "$K_OK" --request-id a2
t_is "$T_RC" 0 "restore from an ARN whose key belongs to another account"
t_like "$T_OUT" "copying snapshot farsnap to farsnap-from-$ME, re-encrypted with $K_OK" "copies it into this account first"
t_is "$(H show farsnap-from-$ME)" "encrypted=True key=$K_OK shared=- copied-from=$ARN" "the local copy, under our key"
t_is "$(snap_rds tag app2 orchestrator:restored-from)" "farsnap-from-$ME" "restored from the local copy"
: >"$T_TMP/proxy/requests.jsonl"
orc snapshot restore --config r2.json --region us-west-2 --snapshot "$ARN" --kms-key "$K_OK" --request-id a2
t_is "$T_RC" 0 "a re-run finds the copy and the restore done"
t_unlike "$(ops)" "CopyDBClusterSnapshot|RestoreDBClusterFromSnapshot" "nothing copied or restored twice"

orc snapshot restore --config r2.json --region us-west-2 --snapshot "arn:aws:rds:us-west-2:$ME:snapshot:farsnap"
t_is "$T_RC" 2 "an instance snapshot ARN: exit 2"
t_like "$T_ERR" "not an RDS cluster snapshot ARN \(expected arn:aws:rds:REGION:ACCOUNT:cluster-snapshot:NAME\)" "says what an ARN looks like"
orc snapshot restore --config r2.json --region us-west-2 --snapshot "arn:aws:rds:eu-west-1:$ME:cluster-snapshot:farsnap"
t_is "$T_RC" 2 "an ARN of another region: exit 2"
t_like "$T_ERR" "the snapshot is in eu-west-1, the restore in us-west-2" "names both regions"
orc snapshot restore --config r2.json --region us-west-2 --snapshot "arn:aws:rds:us-west-2:$TARGET:cluster-snapshot:nosuch"
t_is "$T_RC" 3 "an ARN nobody shared: exit 3"
t_like "$T_ERR" "not shared with this account" "says so"
orc snapshot restore --config r2.json --region us-west-2 --snapshot plainsnap --kms-key "$K_OK"
t_is "$T_RC" 2 "--kms-key with a local snapshot identifier: exit 2"
orc snapshot list --region us-west-2 --kms-key "$K_OK"
t_is "$T_RC" 2 "--kms-key with list: exit 2"

# --- as the target account: its restore finds the share and copies it from the ARN. moto
#     5.2 lists a snapshot shared by another account (SnapshotType=shared) but resolves a
#     source ARN by its name in the caller's own account, so CopyDBClusterSnapshot answers
#     DBClusterSnapshotNotFoundFault: asserted, so the day moto does it this case grows into
#     the whole copy and restore.
read -r B_KEY B_SECRET B_TOKEN <<<"$(H account $TARGET)"
asb() { env AWS_ACCESS_KEY_ID="$B_KEY" AWS_SECRET_ACCESS_KEY="$B_SECRET" AWS_SESSION_TOKEN="$B_TOKEN" "$@"; }
t_is "$(asb aws --endpoint-url "$AWS_ENDPOINT_URL" sts get-caller-identity --query Account --output text)" "$TARGET" "the assumed role's credentials act in the target account"
KB=$(asb python3 "$ROOT/tests/snapshot/share.py" key)
t_like "$KB" "^arn:aws:kms:us-west-2:$TARGET:key/" "a key of the target account"
SHARED="arn:aws:rds:us-west-2:$ME:cluster-snapshot:encsnap-for-$TARGET"
t_like "$(asb aws --endpoint-url "$AWS_ENDPOINT_URL" rds describe-db-cluster-snapshots --snapshot-type shared --include-shared --query 'DBClusterSnapshots[].DBClusterSnapshotArn' --output text | tr '\t' '\n')" "^$SHARED$" "the target account sees the share (what orchestrator reads)"
snap_config rb.json appb
: >"$T_TMP/proxy/requests.jsonl"
t_run asb env AWS_ENDPOINT_URL="http://127.0.0.1:$PPORT" "$ORC" snapshot restore --config rb.json --region us-west-2 --snapshot "$SHARED" --kms-key "$KB" --request-id b1
t_like "$T_OUT" "copying snapshot encsnap-for-$TARGET to encsnap-for-$TARGET-from-$ME, re-encrypted with $KB" "found through the share and copied into the target account, under its key"
t_like "$(ops)" "DescribeDBClusterSnapshots.*DescribeKey.*CopyDBClusterSnapshot" "share found, the target's key checked, then the copy asked for"
t_unlike "$T_ERR" "Signature|InvalidClientTokenId|AccessDenied" "every call signed as the target account's role and accepted"
t_like "$T_ERR" "DBClusterSnapshotNotFoundFault" "moto 5.2 cannot copy from another account's ARN (see above)"
t_unlike "$(ops)" "RestoreDBClusterFromSnapshot" "no restore without the copy"
t_done
