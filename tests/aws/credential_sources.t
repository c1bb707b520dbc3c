#!/usr/bin/env bash
# The credential sources beyond environment, web identity, static keys and containers,
# each against a real endpoint with SigV4 checking: AssumeRole profiles (source_profile,
# chained, credential_source, external_id, duration_seconds, mfa_serial refused) through
# moto's STS; credential_process; IAM Identity Center (sso_session and legacy forms, the
# token cached by `aws sso login`) and EC2 instance metadata (IMDSv2) through
# tests/aws/metadata_server.py, which hands out credentials moto's STS made. Every source
# is proven by a signed GetCallerIdentity that moto accepts, and a wrong one is refused.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/moto.sh"
DRV=${ORC_TEST_BIN_DIR:-$ROOT/build/tests}/aws/aws_test
moto_start || { t_fail "moto_server started"; t_done; exit 1; }
AK=$AWS_ACCESS_KEY_ID SK=$AWS_SECRET_ACCESS_KEY
noenv=(env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN AWS_EC2_METADATA_DISABLED=true)
who() { t_run "${noenv[@]}" "$@" "$DRV" query sts GetCallerIdentity 2011-06-15 //Arn; }
ALLOW='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
# moto evaluates the trust policy; an allow-all one, as in credentials.t
role() {
	moto_aws iam create-role --role-name "$1" --assume-role-policy-document "$ALLOW" --query Role.Arn --output text
	moto_aws iam put-role-policy --role-name "$1" --policy-name all --policy-document "$ALLOW"
}
DEPLOY=$(role deploy) ADMIN=$(role admin) META=$(role ec2-runner)

printf '[base]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$AK" "$SK" >"$AWS_SHARED_CREDENTIALS_FILE"
cat >"$AWS_CONFIG_FILE" <<CFG
[profile deploy]
role_arn = $DEPLOY
source_profile = base
role_session_name = ci-deploy
external_id = ext-42
duration_seconds = 1800
[profile admin]
role_arn = $ADMIN
source_profile = deploy
role_session_name = chained
[profile fromenv]
role_arn = $DEPLOY
credential_source = Environment
role_session_name = from-env
[profile mfa]
role_arn = $DEPLOY
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/jane
[profile loop1]
role_arn = $DEPLOY
source_profile = loop2
[profile loop2]
role_arn = $DEPLOY
source_profile = loop1
[profile both]
role_arn = $DEPLOY
source_profile = base
credential_source = Environment
[profile wrongrole]
role_arn = arn:aws:iam::123456789012:role/does-not-exist
source_profile = badkeys
[profile badkeys]
aws_access_key_id = $AK
aws_secret_access_key = not-the-secret
[profile proc]
credential_process = "$T_TMP/cred helper" --account 123456789012
[profile proc-fails]
credential_process = $T_TMP/fails
[profile proc-garbage]
credential_process = /bin/echo not json
[profile sso-new]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Dev
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
[profile sso-legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 123456789012
sso_role_name = Dev
[profile sso-expired]
sso_session = old
sso_account_id = 123456789012
sso_role_name = Dev
[sso-session old]
sso_start_url = https://old.awsapps.com/start
sso_region = us-east-1
[profile sso-nologin]
sso_start_url = https://never.awsapps.com/start
sso_region = us-east-1
sso_account_id = 123456789012
sso_role_name = Dev
CFG

# ---- AssumeRole
who AWS_PROFILE=deploy
t_is "$T_RC" 0 "role_arn + source_profile: AssumeRole, then a signed call accepted"
t_like "$T_OUT" 'assumed-role/deploy/ci-deploy' "role_arn + source_profile: moto sees the role and role_session_name"
t_run "${noenv[@]}" AWS_PROFILE=deploy "$DRV" creds
t_like "$T_OUT" '^assumed role [0-9]+$' "source: assumed role"
exp=$(echo "$T_OUT" | awk '{ print $3 }')
t_ok "duration_seconds = 1800: the credentials expire in about 30 minutes ($exp s)" test "$exp" -gt 1700 -a "$exp" -le 1800
who AWS_PROFILE=admin
t_like "$T_OUT" 'assumed-role/admin/chained' "chained: admin's role assumed with deploy's credentials"
who AWS_PROFILE=fromenv AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK
t_like "$T_ERR$T_OUT" 'user/orc-test' "environment keys come first in the chain, before AWS_PROFILE"
t_run env -u AWS_SESSION_TOKEN AWS_EC2_METADATA_DISABLED=true AWS_PROFILE=fromenv bash -c \
	"$(printf '%q ' "$DRV") query sts GetCallerIdentity 2011-06-15 //Arn"
t_like "$T_OUT" 'user/orc-test' "(the environment wins even when the profile names it as its source)"
who AWS_PROFILE=mfa
t_is "$T_RC" 2 "mfa_serial: refused (usage error)"
t_like "$T_ERR" 'profile mfa: role .*deploy needs an MFA code \(mfa_serial = arn:aws:iam::123456789012:mfa/jane\), which an unattended run cannot give' \
	"mfa_serial: says why and what to do instead"
who AWS_PROFILE=loop1
t_is "$T_RC" 2 "a source_profile loop: usage error"
t_like "$T_ERR" 'more than 5 roles chained' "a source_profile loop: named"
who AWS_PROFILE=both
t_like "$T_ERR" 'profile both: both source_profile and credential_source are set' "source_profile and credential_source: refused"
who AWS_PROFILE=wrongrole
t_is "$T_RC" 3 "AssumeRole with a wrong secret: refused by STS (exit 3)"
t_like "$T_ERR" 'profile wrongrole: assuming role .*does-not-exist: sts AssumeRole: ' "wrong source credentials: the profile and role named"
t_unlike "$T_ERR" 'not-the-secret' "the wrong secret is not printed"

# ---- credential_process
cat >"$T_TMP/cred helper" <<SH
#!/bin/sh
[ "\$1 \$2" = "--account 123456789012" ] || exit 9
printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s"}\n' "$AK" "$SK"
SH
printf '#!/bin/sh\necho "token expired" >&2\nexit 4\n' >"$T_TMP/fails"
chmod +x "$T_TMP/cred helper" "$T_TMP/fails"
who AWS_PROFILE=proc
t_is "$T_RC" 0 "credential_process (a quoted path with a space, arguments): signed call accepted"
t_like "$T_OUT" 'user/orc-test' "credential_process: moto sees its keys"
t_unlike "$T_ERR$T_OUT" "$SK" "credential_process: the secret is not printed"
who AWS_PROFILE=proc-fails
t_is "$T_RC" 3 "credential_process exiting 4: refused (exit 3)"
t_like "$T_ERR" 'profile proc-fails: credential_process .*fails exited with 4' "credential_process failing: names the profile and the exit"
who AWS_PROFILE=proc-garbage
t_is "$T_RC" 3 "credential_process printing no credentials JSON: exit 3"
t_like "$T_ERR" 'credential_process printed no \{"Version": 1' "credential_process: says what it expected"

# ---- IAM Identity Center and EC2 instance metadata: the local endpoint
mkdir -p "$T_TMP/meta"
MPORT=$(t_free_port)
python3 "$ROOT/tests/aws/metadata_server.py" "$MPORT" "$T_TMP/meta" "$META" 2>"$T_TMP/meta.err" &
t_defer "kill $! 2>/dev/null"
t_wait_port "$MPORT" 30
export HOME=$T_TMP/home
mkdir -p "$HOME/.aws/sso/cache"
cache() { # KEY TOKEN EXPIRES
	local f
	f=$HOME/.aws/sso/cache/$(printf '%s' "$1" | sha1sum | cut -d' ' -f1).json
	printf '{"startUrl": "x", "region": "us-east-1", "accessToken": "%s", "expiresAt": "%s"}\n' "$2" "$3" >"$f"
}
later=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ) earlier=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)
cache corp sso-token-valid "$later"
cache https://legacy.awsapps.com/start sso-token-valid "$later"
cache old sso-token-valid "$earlier"
SSOEP=(AWS_ENDPOINT_URL_SSO=http://127.0.0.1:$MPORT)
who AWS_PROFILE=sso-new "${SSOEP[@]}"
t_is "$T_RC" 0 "SSO (sso_session): the cached token exchanged, signed call accepted"
t_like "$T_OUT" 'assumed-role/ec2-runner/metadata' "SSO: moto sees the role credentials the portal gave"
t_like "$(cat "$T_TMP/meta/requests.log")" 'GET /federation/credentials token' "SSO: GetRoleCredentials with the bearer token"
t_unlike "$T_ERR" 'sso-token-valid' "SSO: the token never reaches the log"
who AWS_PROFILE=sso-legacy "${SSOEP[@]}"
t_like "$T_OUT" 'assumed-role/ec2-runner/metadata' "SSO (legacy sso_start_url in the profile): works too"
who AWS_PROFILE=sso-expired "${SSOEP[@]}"
t_is "$T_RC" 3 "SSO, expired token: refused (exit 3)"
t_like "$T_ERR" "profile sso-expired: the IAM Identity Center token has expired: run 'aws sso login --profile sso-expired'" \
	"SSO, expired token: says to run aws sso login --profile"
who AWS_PROFILE=sso-nologin "${SSOEP[@]}"
t_like "$T_ERR" "no cached IAM Identity Center token: run 'aws sso login --profile sso-nologin'" "SSO, never logged in: the same advice"
cache corp sso-token-revoked "$later"
who AWS_PROFILE=sso-new "${SSOEP[@]}"
t_is "$T_RC" 3 "SSO, a token the portal refuses: exit 3"
t_like "$T_ERR" "refused the cached token: run 'aws sso login --profile sso-new'" "SSO, refused token: aws sso login"

# ---- EC2 instance metadata (IMDSv2): last in the chain
: >"$T_TMP/meta/requests.log"
t_run env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$MPORT/ \
	"$DRV" query sts GetCallerIdentity 2011-06-15 //Arn
t_is "$T_RC" 0 "IMDSv2: credentials from instance metadata, signed call accepted"
t_like "$T_OUT" 'assumed-role/ec2-runner/metadata' "IMDSv2: moto sees the instance role"
t_is "$(cat "$T_TMP/meta/requests.log")" "PUT /latest/api/token token
GET /latest/meta-data/iam/security-credentials/ token
GET /latest/meta-data/iam/security-credentials/ec2-runner token" "IMDSv2: a session token first, then every read carries it"
t_unlike "$T_ERR" 'imds-session-token' "IMDSv2: the session token is not printed"
touch "$T_TMP/meta/hang"
: >"$T_TMP/meta/requests.log"
t_run env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$MPORT \
	"$DRV" whoami
rm -f "$T_TMP/meta/hang"
t_is "$T_RC" 2 "IMDS that does not answer (a laptop): no credentials, usage error"
t_like "$T_ERR" 'no AWS credentials found.*no EC2 instance metadata either' "IMDS not answering: the chain's end says so"
t_is "$(cat "$T_TMP/meta/requests.log")" "PUT /latest/api/token token" \
	"IMDS not answering: one attempt with a 1 s timeout, not retried"
: >"$T_TMP/meta/requests.log"
t_run env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_EC2_METADATA_DISABLED=true \
	AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$MPORT "$DRV" whoami
t_is "$T_RC" 2 "AWS_EC2_METADATA_DISABLED=true: no credentials"
t_is "$(cat "$T_TMP/meta/requests.log")" "" "AWS_EC2_METADATA_DISABLED=true: not asked at all"
t_done
