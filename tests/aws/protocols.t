#!/usr/bin/env bash
# The AWS layer against moto_server with SigV4 checking on: env credentials, the JSON 1.1
# and Query protocols, AWS errors (code, message, request id, exit code), endpoint
# variables. Drives the layer through the aws_test binary's driver mode.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/moto.sh"
DRV=${ORC_TEST_BIN_DIR:-$ROOT/build/tests}/aws/aws_test
moto_start || { t_fail "moto_server started"; t_done; exit 1; }

t_ok "JSON 1.1: signed ECS CreateCluster accepted" \
	"$DRV" json ecs AmazonEC2ContainerServiceV20141113.CreateCluster '{"clusterName":"c1"}'
t_like "$T_OUT" '"clusterName":"c1"' "JSON 1.1: answer parsed"
t_ok "JSON 1.1: ListClusters" "$DRV" json ecs AmazonEC2ContainerServiceV20141113.ListClusters '{}'
t_like "$T_OUT" 'cluster/c1' "JSON 1.1: the cluster the reference CLI sees too"
t_is "$(moto_aws ecs list-clusters --query 'clusterArns[0]' --output text)" \
	"$(echo "$T_OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["clusterArns"][0])')" \
	"JSON 1.1: same answer as the aws CLI"

t_ok "Query: signed EC2 CreateVpc accepted" \
	"$DRV" query ec2 CreateVpc 2016-11-15 //vpc/vpcId CidrBlock=10.9.0.0/16
VPC=$T_OUT
t_like "$VPC" '^vpc-' "Query: XPath over the namespaced answer"
t_ok "Query: DescribeVpcs with a filter" \
	"$DRV" query ec2 DescribeVpcs 2016-11-15 //vpcSet/item/cidrBlock \
	Filter.1.Name=vpc-id "Filter.1.Value.1=$VPC"
t_is "$T_OUT" "10.9.0.0/16" "Query: filter parameters encoded"
# Form bodies are encoded as botocore does (space as '+'): a tag value with a space, '+',
# '&' and '=' must survive signing and come back as written.
t_ok "Query: a value with a space and reserved characters is signed and accepted" \
	"$DRV" query ec2 CreateTags 2016-11-15 //return ResourceId.1="$VPC" \
	Tag.1.Key=Owner "Tag.1.Value=Jane Doe+1 & co=x"
t_is "$(moto_aws ec2 describe-tags --filters Name=resource-id,Values="$VPC" \
	--query 'Tags[?Key==`Owner`].Value' --output text)" "Jane Doe+1 & co=x" \
	"Query: the value arrives exactly as given"
t_ok "Query: STS GetCallerIdentity" "$DRV" query sts GetCallerIdentity 2011-06-15 //Arn
t_like "$T_OUT" 'user/orc-test' "Query: the signing identity is the test user"

t_run "$DRV" json ecs AmazonEC2ContainerServiceV20141113.DescribeClusters '{"clusters":"notalist"}'
t_run "$DRV" json ecs AmazonEC2ContainerServiceV20141113.DescribeTaskDefinition '{"taskDefinition":"nope:1"}'
t_is "$T_RC" 3 "JSON error: a refusal is exit 3"
t_like "$T_ERR" '^ecs DescribeTaskDefinition: ClientException: .+' "JSON error: service, action, code, message"
t_like "$T_ERR" 'code=ClientException' "JSON error: aws_last_error_code"
t_like "$T_ERR" 'calls=1$' "JSON error: a client error is not retried"

t_run "$DRV" query ec2 DescribeSubnets 2016-11-15 //subnetId SubnetId.1=subnet-00000000
t_is "$T_RC" 3 "Query error: a refusal is exit 3"
t_like "$T_ERR" '^ec2 DescribeSubnets: InvalidSubnetID.NotFound: .+\(request id [^)]+\)' \
	"Query error: code, message and request id"

t_run env AWS_SECRET_ACCESS_KEY=wrong "$DRV" json ecs AmazonEC2ContainerServiceV20141113.ListClusters '{}'
t_is "$T_RC" 3 "wrong secret: refused (moto checks the signature)"
t_like "$T_ERR" 'SignatureDoesNotMatch|InvalidSignature|UnrecognizedClient' "wrong secret: the code says why"
t_like "$T_ERR" 'check the AWS credentials' "wrong secret: says what to do"
t_unlike "$T_ERR" 'wrong' "wrong secret: the secret is not printed"
t_run env AWS_SECRET_ACCESS_KEY=wrong "$DRV" query sts GetCallerIdentity 2011-06-15 //Arn
t_is "$T_RC" 3 "Query, wrong secret: refused"

t_run env AWS_ENDPOINT_URL=http://127.0.0.1:1 "AWS_ENDPOINT_URL_ECS=$AWS_ENDPOINT_URL" \
	"$DRV" json ecs AmazonEC2ContainerServiceV20141113.ListClusters '{}'
t_is "$T_RC" 0 "AWS_ENDPOINT_URL_ECS overrides AWS_ENDPOINT_URL"
t_run env "AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL" AWS_ENDPOINT_URL_ECS=http://127.0.0.1:1 \
	ORC_AWS_RETRY_BASE_MS=1 "$DRV" json ecs AmazonEC2ContainerServiceV20141113.ListClusters '{}'
t_is "$T_RC" 1 "connection refused: exit 1 (not a refusal by AWS)"
t_like "$T_ERR" 'after 3 attempts' "connection refused: retried up to 3 attempts"
t_like "$T_ERR" 'calls=3$' "connection refused: exactly 3 attempts"

t_run env ORC_VERBOSE=1 AWS_SESSION_TOKEN=session-token-value-123 "$DRV" json ecs AmazonEC2ContainerServiceV20141113.ListClusters '{}'
t_like "$T_ERR" '> X-Amz-Date: [0-9]{8}T[0-9]{6}Z' "verbose: request headers traced"
t_like "$T_ERR" '> Authorization: <redacted>' "verbose: the Authorization header is redacted"
t_unlike "$T_ERR" "$AWS_SECRET_ACCESS_KEY|session-token-value-123|Signature=" "verbose: no secret key, session token or signature"

t_run env -u AWS_REGION -u AWS_DEFAULT_REGION "$DRV" whoami
t_is "$T_RC" 2 "no region: usage error"
t_like "$T_ERR" 'pass --region' "no region: names --region"
t_run env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$DRV" whoami
t_is "$T_RC" 2 "no credentials: usage error"
t_like "$T_ERR" 'no AWS credentials' "no credentials: says so"
t_run env -u AWS_SECRET_ACCESS_KEY "$DRV" whoami
t_like "$T_ERR" 'AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not' "half env credentials: named"
# Secrets Manager: every field used is registered, whatever its JSON type (a PIN stored as a
# number was used unregistered and could be printed).
moto_aws secretsmanager create-secret --name app/pins \
	--secret-string '{"pin":48213579,"pass":"Pw-7Hq2-xx","ok":true,"note":"hello"}' >/dev/null
for ref in app/pins:pin app/pins:pass; do
	t_ok "secret $ref is read" "$DRV" secret "$ref"
	t_is "$T_OUT" "secret $ref = ***" "secret $ref: the value is registered, printed as ***"
done
t_run "$DRV" secret app/pins:missing
t_is "$T_RC" 2 "a field the secret lacks is a usage error"
t_unlike "$T_OUT$T_ERR" "48213579|Pw-7Hq2" "and nothing of the secret is printed"
t_done
