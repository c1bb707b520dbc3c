# tests/lib/moto.sh: moto_server with SigV4 checking on, one per test file.
#   moto_start   starts it on a free port, creates an IAM user with an allow-all policy
#                and an access key through the first unchecked calls, then exports
#                AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION.
#                From then on every request must carry a valid signature with that key.
#   moto_aws ... the reference client (aws CLI v1) against the same moto
moto_start() {
	MOTO_PORT=$(t_free_port)
	INITIAL_NO_AUTH_ACTION_COUNT=3 moto_server -H 127.0.0.1 -p "$MOTO_PORT" >"$T_TMP/moto.log" 2>&1 &
	MOTO_PID=$!
	t_defer "kill $MOTO_PID 2>/dev/null; wait $MOTO_PID 2>/dev/null"
	t_wait_port "$MOTO_PORT" 60 || { echo "# moto_server did not start" >&2; return 1; }
	export AWS_ENDPOINT_URL=http://127.0.0.1:$MOTO_PORT
	export AWS_REGION=${AWS_REGION:-us-west-2} AWS_DEFAULT_REGION=${AWS_REGION:-us-west-2}
	unset AWS_PROFILE AWS_SESSION_TOKEN AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN \
		AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_CREDENTIALS_FULL_URI
	export AWS_CONFIG_FILE=$T_TMP/aws-config AWS_SHARED_CREDENTIALS_FILE=$T_TMP/aws-credentials
	: >"$AWS_CONFIG_FILE"; : >"$AWS_SHARED_CREDENTIALS_FILE"
	export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7BOOTSTRP AWS_SECRET_ACCESS_KEY=bootstrap
	aws --endpoint-url "$AWS_ENDPOINT_URL" iam create-user --user-name orc-test >/dev/null || return 1
	local key
	key=$(aws --endpoint-url "$AWS_ENDPOINT_URL" iam create-access-key --user-name orc-test \
		--query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text) || return 1
	aws --endpoint-url "$AWS_ENDPOINT_URL" iam put-user-policy --user-name orc-test --policy-name all \
		--policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}' >/dev/null || return 1
	AWS_ACCESS_KEY_ID=$(echo "$key" | cut -f1)
	AWS_SECRET_ACCESS_KEY=$(echo "$key" | cut -f2)
	export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
}
moto_aws() { aws --endpoint-url "$AWS_ENDPOINT_URL" "$@"; }
