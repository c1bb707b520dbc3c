#!/usr/bin/env bash
# Each credential source against moto_server with SigV4 checking on: environment,
# shared files (AWS_PROFILE, credentials and config files), web identity through moto's
# STS AssumeRoleWithWebIdentity, and ECS container credentials from a local endpoint
# that checks the authorization token. Every source is proven by a signed call that
# moto accepts and by the identity moto reports for it.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/moto.sh"
DRV=${ORC_TEST_BIN_DIR:-$ROOT/build/tests}/aws/aws_test
moto_start || { t_fail "moto_server started"; t_done; exit 1; }
AK=$AWS_ACCESS_KEY_ID SK=$AWS_SECRET_ACCESS_KEY
who() { "$DRV" query sts GetCallerIdentity 2011-06-15 //Arn; }
noenv=(env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN)

# environment
t_ok "environment: signed call accepted" "$DRV" whoami
t_is "$T_OUT" environment "environment: first in the chain"

# shared files
printf '[default]\nregion = eu-west-1\n[ci]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
	"$AK" "$SK" >"$AWS_SHARED_CREDENTIALS_FILE"
printf '[profile fromconfig]\naws_access_key_id=%s\naws_secret_access_key=%s\nregion=us-west-2\n[profile nokeys]\nregion=us-west-2\n' \
	"$AK" "$SK" >"$AWS_CONFIG_FILE"
t_run "${noenv[@]}" AWS_PROFILE=ci "$DRV" whoami
t_is "$T_OUT" "shared files" "AWS_PROFILE=ci: keys from the credentials file"
t_run "${noenv[@]}" AWS_PROFILE=ci bash -c "$(declare -f who); DRV=$DRV who"
t_like "$T_OUT" 'user/orc-test' "AWS_PROFILE=ci: moto accepts the signature"
t_run "${noenv[@]}" -u AWS_REGION -u AWS_DEFAULT_REGION AWS_PROFILE=fromconfig "$DRV" query sts GetCallerIdentity 2011-06-15 //Arn
t_like "$T_OUT" 'user/orc-test' "profile in the config file: keys and region from it"
t_run "${noenv[@]}" AWS_PROFILE=missing "$DRV" whoami
t_is "$T_RC" 2 "AWS_PROFILE naming no profile: usage error"
t_like "$T_ERR" 'AWS_PROFILE=missing: no such profile' "AWS_PROFILE naming no profile: says so"
t_run "${noenv[@]}" AWS_PROFILE=nokeys "$DRV" whoami
t_like "$T_ERR" 'nokeys: the profile has no static keys' "profile without keys: says so"
t_run "${noenv[@]}" AWS_PROFILE=ci AWS_SHARED_CREDENTIALS_FILE=$T_TMP/none "$DRV" whoami
t_is "$T_RC" 2 "AWS_SHARED_CREDENTIALS_FILE honoured (an empty location has no profile)"
t_run env AWS_PROFILE=missing "$DRV" whoami
t_is "$T_OUT" environment "environment comes before shared files"

# web identity (moto's STS; AssumeRoleWithWebIdentity is unsigned, as in AWS, so moto
# lets exactly that one call through unchecked)
TRUST='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}'
ALLOW='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
ROLE=$(moto_aws iam create-role --role-name gha --assume-role-policy-document "$TRUST" --query Role.Arn --output text)
moto_aws iam put-role-policy --role-name gha --policy-name all --policy-document "$ALLOW"
printf 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOm8vcjpyZWYifQ.c2lnbmF0dXJlLXdlYi1pZGVudGl0eQ\n' >"$T_TMP/oidc-token"
curl -s -H "Content-Type: text/plain" -X POST -d 1 "$AWS_ENDPOINT_URL/moto-api/reset-auth" >/dev/null
t_run "${noenv[@]}" AWS_WEB_IDENTITY_TOKEN_FILE=$T_TMP/oidc-token AWS_ROLE_ARN=$ROLE \
	AWS_ROLE_SESSION_NAME=gha-run AWS_PROFILE=ci ORC_VERBOSE=1 \
	"$DRV" query sts GetCallerIdentity 2011-06-15 //Arn
t_is "$T_RC" 0 "web identity: exchanged, then a signed call accepted"
t_like "$T_OUT" 'assumed-role/gha/gha-run' "web identity: moto sees the assumed role and session name"
t_unlike "$T_ERR" 'c2lnbmF0dXJlLXdlYi1pZGVudGl0eQ' "web identity: the token never reaches the log"
t_like "$T_ERR" 'calls=2' "web identity: one STS exchange, one call (before shared files)"
t_run "${noenv[@]}" AWS_WEB_IDENTITY_TOKEN_FILE=$T_TMP/oidc-token "$DRV" whoami
t_like "$T_ERR" 'AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not' "web identity: half-configured is named"
t_run "${noenv[@]}" AWS_WEB_IDENTITY_TOKEN_FILE=$T_TMP/nope AWS_ROLE_ARN=$ROLE "$DRV" whoami
t_is "$T_RC" 2 "web identity: missing token file is a usage error"

# ECS container credentials: a local endpoint hands out temporary credentials from
# moto's STS AssumeRole and answers 401 unless the authorization token matches.
TASKROLE=$(moto_aws iam create-role --role-name task --assume-role-policy-document "$ALLOW" --query Role.Arn --output text)
moto_aws iam put-role-policy --role-name task --policy-name all --policy-document "$ALLOW"
moto_aws sts assume-role --role-arn "$TASKROLE" --role-session-name fargate \
	--query 'Credentials.{AccessKeyId:AccessKeyId,SecretAccessKey:SecretAccessKey,Token:SessionToken,Expiration:Expiration}' \
	--output json >"$T_TMP/task-creds.json"
CPORT=$(t_free_port)
cat >"$T_TMP/creds_server.py" <<'PY'
import http.server, json, sys
port, token, path, log = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        ok = self.headers.get("Authorization") == token and self.path == "/v2/credentials/abc"
        with open(log, "a") as f:
            f.write("%s %s\n" % (self.path, "authorized" if ok else "refused"))
        body = open(path).read().encode() if ok else b'{"message":"unauthorized"}'
        self.send_response(200 if ok else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
PY
python3 "$T_TMP/creds_server.py" "$CPORT" "container-token-1234" "$T_TMP/task-creds.json" "$T_TMP/creds.log" &
CPID=$!
t_defer "kill $CPID 2>/dev/null"
t_wait_port "$CPORT" 10
t_run "${noenv[@]}" AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:$CPORT/v2/credentials/abc \
	AWS_CONTAINER_AUTHORIZATION_TOKEN=container-token-1234 ORC_VERBOSE=1 \
	"$DRV" query sts GetCallerIdentity 2011-06-15 //Arn
t_is "$T_RC" 0 "container: credentials fetched, signed call accepted"
t_like "$T_OUT" 'assumed-role/task/fargate' "container: moto sees the task role (session token signed)"
t_unlike "$T_ERR" 'container-token-1234' "container: the authorization token never reaches the log"
t_is "$(cat "$T_TMP/creds.log")" "/v2/credentials/abc authorized" "container: the endpoint saw the token"
printf 'container-token-1234\n' >"$T_TMP/ctok"
t_run "${noenv[@]}" AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:$CPORT/v2/credentials/abc \
	AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$T_TMP/ctok "$DRV" query sts GetCallerIdentity 2011-06-15 //Arn
t_like "$T_OUT" 'assumed-role/task/fargate' "container: AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
# Temporary credentials about to expire are fetched again before the next request.
: >"$T_TMP/creds.log"
python3 - "$T_TMP/task-creds.json" <<'PY'
import datetime, json, sys
c = json.load(open(sys.argv[1]))
c["Expiration"] = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=120)).strftime("%Y-%m-%dT%H:%M:%SZ")
json.dump(c, open(sys.argv[1], "w"))
PY
t_run "${noenv[@]}" AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:$CPORT/v2/credentials/abc \
	AWS_CONTAINER_AUTHORIZATION_TOKEN=container-token-1234 AWS_TEST_REPEAT=2 \
	"$DRV" query sts GetCallerIdentity 2011-06-15 //Arn
t_is "$T_RC" 0 "container: credentials expiring within 5 minutes still work"
t_is "$(grep -c authorized "$T_TMP/creds.log")" 3 "container: expiring credentials refreshed before each request"
t_run "${noenv[@]}" AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:$CPORT/v2/credentials/abc \
	AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong-token "$DRV" whoami
t_is "$T_RC" 3 "container: a wrong token is refused (exit 3)"
t_like "$T_ERR" 'HTTP 401' "container: the error names the answer"
t_run "${noenv[@]}" AWS_CONTAINER_CREDENTIALS_FULL_URI=http://10.1.2.3/creds "$DRV" whoami
t_is "$T_RC" 2 "container: plain http to a foreign host is refused"
# only IP literals count as loopback: a name starting with 127. resolves anywhere
for uri in http://127.evil.example/creds http://127.0.0.1.nip.io/creds http://localhost.evil/creds; do
	t_run "${noenv[@]}" AWS_CONTAINER_CREDENTIALS_FULL_URI=$uri AWS_CONTAINER_AUTHORIZATION_TOKEN=container-token-1234 "$DRV" whoami
	t_is "$T_RC" 2 "container: $uri is not loopback, refused"
	t_unlike "$T_OUT$T_ERR" "container-token-1234" "container: and the token is not sent or shown ($uri)"
done
t_done
