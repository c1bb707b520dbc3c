#!/usr/bin/env bash
# The migration task as ECS runs it: `orchestrator migrate --git-branch B` with the
# environment a Fargate container gets. Real parts only: a bare repository over file://,
# `git http-backend` behind token auth, a local sshd with a deploy key and known_hosts,
# container credentials (temporary, from moto's STS) served by a local endpoint, secrets in
# moto's Secrets Manager with signature checking on, and a PostgreSQL that checks
# passwords (scram-sha-256 on TCP), so the password from the secret is what connects.
source "$(dirname "$0")/../lib/tap.sh"
source "$(dirname "$0")/../lib/moto.sh"
HERE=$ROOT/tests/task
export GIT_CONFIG_NOSYSTEM=1 HOME=$T_TMP/home
mkdir -p "$HOME"
git config --global user.name test && git config --global user.email test@example.com
git config --global init.defaultBranch main

# ---- the repository: main (V1), feature (V1, V2 using a placeholder), broken (V3 fails)
src=$T_TMP/src
git init -q "$src" && mkdir -p "$src/sql"
echo 'CREATE TABLE accounts (id int PRIMARY KEY);' >"$src/sql/V1__accounts.sql"
git -C "$src" add -A && git -C "$src" commit -qm V1
git -C "$src" checkout -qb feature
cat >"$src/sql/V2__readers.sql" <<'EOF'
CREATE TABLE readers (name text, secret_md5 text);
INSERT INTO readers VALUES ('read_only', md5('${READ_ONLY_PASSWORD}'));
EOF
git -C "$src" add -A && git -C "$src" commit -qm V2
FEATURE_SHA=$(git -C "$src" rev-parse HEAD)
git -C "$src" checkout -qb broken
printf 'CREATE TABLE ok3 (id int);\nSELECT 1/0;\n' >"$src/sql/V3__broken.sql"
git -C "$src" add -A && git -C "$src" commit -qm V3
# main moves on by two commits, so that a shallow clone (one commit) differs from main's history
git -C "$src" checkout -q main && git -C "$src" commit -q --allow-empty -m "main: 2" &&
	git -C "$src" commit -q --allow-empty -m "main: 3" && git -C "$src" checkout -q broken
git clone -q --bare "$src" "$T_TMP/repos/app.git"
REPO=$T_TMP/repos/app.git

# ---- PostgreSQL with password authentication on TCP (trust on its socket for setup)
pgdir=$(mktemp -d "${TMPDIR:-/tmp}/orc-task-pg.XXXXXX")
chmod 755 "$pgdir"
t_defer "'$ROOT/scripts/local-pg' stop '$pgdir/pg' >/dev/null 2>&1; rm -rf '$pgdir'"
"$ROOT/scripts/local-pg" start "$pgdir/pg" >&2 || { t_fail "PostgreSQL starts"; t_done; exit 1; }
PGP=$(cat "$pgdir/pg/port")
sed -i -E 's/^(host[[:space:]].*)trust$/\1scram-sha-256/' "$pgdir/pg/data/pg_hba.conf"
DB_PASSWORD="Db-pw:$RANDOM/x@y z$RANDOM"
psqlsock() { psql -X -q -v ON_ERROR_STOP=1 -h "$pgdir/pg" -p "$PGP" -U postgres "$@"; }
psqlsock -d postgres -c "SELECT pg_reload_conf()" \
	-c "CREATE ROLE app_owner LOGIN PASSWORD '$DB_PASSWORD'" >/dev/null
newdb() { psqlsock -d postgres -c "CREATE DATABASE $1 OWNER app_owner" >/dev/null; }
unset PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD

# ---- AWS: moto with signature checking, secrets, and a role the task runs as
moto_start || { t_fail "moto starts"; t_done; exit 1; }
RO_PASSWORD="ro-pass-$RANDOM$RANDOM"
GIT_TOKEN="ghs_token$RANDOM$RANDOM"
secret() { moto_aws secretsmanager create-secret --name "$1" --secret-string "$2" >/dev/null; }
db_secret_json() { # user password host port dbname
	printf '{"username":"%s","password":"%s","host":"%s","port":%s,"dbname":"%s","engine":"postgres"}' "$@"
}
secret app/db "$(db_secret_json app_owner "$DB_PASSWORD" 127.0.0.1 "$PGP" appdb)"
secret app/db-wrong-password "$(db_secret_json app_owner "not-$DB_PASSWORD" 127.0.0.1 "$PGP" appdb)"
# The same database as a connection URL (the form Atlas's ECS guide stores), and bad shapes.
DB_PASSWORD_URL=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$DB_PASSWORD")
secret app/db-url "postgres://app_owner:$DB_PASSWORD_URL@127.0.0.1:$PGP/appdb_url?sslmode=disable&connect_timeout=10"
secret app/db-url-default "postgresql://app_owner:$DB_PASSWORD_URL@127.0.0.1:$PGP/appdb_url"
secret app/db-url-bad "postgres://app_owner:bad%zz$DB_PASSWORD_URL@127.0.0.1:$PGP/appdb_url"
secret app/db-garbage "not json, not a URL $DB_PASSWORD"
# What RDS itself writes for a cluster with a managed master password: username and
# password only, named rds!cluster-<id>, passed by ARN (the Terraform does so).
MASTER_ARN=$(moto_aws secretsmanager create-secret --name 'rds!cluster-0f3a9c' --query ARN --output text \
	--secret-string "{\"username\":\"app_owner\",\"password\":\"$DB_PASSWORD\"}")
RO_ARN=$(moto_aws secretsmanager create-secret --name app/read-only --query ARN --output text \
	--secret-string "{\"username\":\"read_only\",\"password\":\"$RO_PASSWORD\"}")
secret app/git-token "$GIT_TOKEN"
secret app/git-token-wrong "ghs_wrong$RANDOM"
ssh=$T_TMP/ssh # the deploy key and the host keys of the sshd below
mkdir -p "$ssh" /run/sshd && chmod 700 "$ssh"
ssh-keygen -q -t ed25519 -N '' -f "$ssh/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$ssh/impostor_host_key"
ssh-keygen -q -t ed25519 -N '' -C deploy -f "$ssh/deploy"
secret app/deploy-key "file://$ssh/deploy"
# DB clusters the task finds by name (DB_CLUSTER / --db-cluster): one with an RDS-managed
# master secret, on the test server's port and with its database name; one without. moto
# writes a fixed username/password into the managed secret: as RDS does with the password
# it generates, the secret gets the one the database has.
moto_aws rds create-db-cluster --db-cluster-identifier app-cluster --engine aurora-postgresql \
	--master-username app_owner --manage-master-user-password --port "$PGP" \
	--database-name appdb_cluster >/dev/null
CLUSTER_SECRET=$(moto_aws rds describe-db-clusters --db-cluster-identifier app-cluster \
	--query 'DBClusters[0].MasterUserSecret.SecretArn' --output text)
moto_aws secretsmanager put-secret-value --secret-id "$CLUSTER_SECRET" \
	--secret-string "{\"username\":\"app_owner\",\"password\":\"$DB_PASSWORD\"}" >/dev/null
moto_aws rds create-db-cluster --db-cluster-identifier plain-cluster --engine aurora-postgresql \
	--master-username app_owner --master-user-password not-managed-1 >/dev/null
# The operator's keys, for the snapshot restore below (the task itself never has them).
OPERATOR=(env -u AWS_CONTAINER_CREDENTIALS_FULL_URI -u AWS_CONTAINER_AUTHORIZATION_TOKEN
	AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY")
moto_aws iam create-role --role-name migration-task --assume-role-policy-document \
	'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/orc-test"},"Action":"sts:AssumeRole"}]}' >/dev/null
# The task role may read secrets and describe DB clusters (the Terraform scopes both to the
# cluster; moto checks the action against "*" only, so the test policy says "*").
moto_aws iam put-role-policy --role-name migration-task --policy-name read-secrets --policy-document \
	'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*"},
	{"Effect":"Allow","Action":"rds:DescribeDBClusters","Resource":"*"}]}'
moto_aws sts assume-role --role-arn arn:aws:iam::123456789012:role/migration-task \
	--role-session-name ecs-task --query Credentials --output json |
	python3 -c 'import json,sys; c=json.load(sys.stdin); json.dump({"RoleArn":"arn:aws:iam::123456789012:role/migration-task","AccessKeyId":c["AccessKeyId"],"SecretAccessKey":c["SecretAccessKey"],"Token":c["SessionToken"],"Expiration":c["Expiration"]},sys.stdout)' \
	>"$T_TMP/task-creds.json"
TASK_SECRET_KEY=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["SecretAccessKey"])' "$T_TMP/task-creds.json")
CREDS_PORT=$(t_free_port)
CREDS_TOKEN="ecs-agent-token-$RANDOM"
python3 "$HERE/container_creds_server.py" "$CREDS_PORT" "$CREDS_TOKEN" "$T_TMP/task-creds.json" 2>"$T_TMP/creds.log" &
t_defer "kill $! 2>/dev/null"
t_wait_port "$CREDS_PORT" 10
# From here on the process has what a Fargate container has: no keys, an endpoint.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
export AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:$CREDS_PORT/v2/credentials/task
export AWS_CONTAINER_AUTHORIZATION_TOKEN=$CREDS_TOKEN
export PGSSLMODE=disable # the test server has no TLS; verify-full is checked below

# ---- git over HTTP behind the token
HTTP_PORT=$(t_free_port)
python3 "$HERE/git_http_server.py" "$HTTP_PORT" "$T_TMP/repos" "$GIT_TOKEN" 2>"$T_TMP/http.log" &
t_defer "kill $! 2>/dev/null"
t_wait_port "$HTTP_PORT" 10

# ---- and over HTTPS, with a certificate for localhost that only SSL_CERT_FILE trusts
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T_TMP/tls.key" -out "$T_TMP/tls.crt" -days 2 \
	-subj /CN=localhost -addext subjectAltName=DNS:localhost 2>/dev/null
HTTPS_PORT=$(t_free_port)
python3 "$HERE/git_http_server.py" "$HTTPS_PORT" "$T_TMP/repos" "$GIT_TOKEN" "$T_TMP/tls.crt" "$T_TMP/tls.key" \
	2>"$T_TMP/https.log" &
t_defer "kill $! 2>/dev/null"
t_wait_port "$HTTPS_PORT" 10

# ---- git over SSH: sshd with the deploy key authorized, known_hosts with its host key
cp "$ssh/deploy.pub" "$ssh/authorized_keys"
SSH_PORT=$(t_free_port)
cat >"$ssh/sshd_config" <<EOF
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $ssh/host_key
AuthorizedKeysFile $ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PidFile none
EOF
/usr/sbin/sshd -D -e -f "$ssh/sshd_config" 2>"$T_TMP/sshd.log" &
t_defer "kill $! 2>/dev/null"
t_wait_port "$SSH_PORT" 10
echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$ssh/host_key.pub")" >"$ssh/known_hosts"
echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$ssh/impostor_host_key.pub")" >"$ssh/known_hosts_changed"
SSH_URL="ssh://$(id -un)@127.0.0.1:$SSH_PORT$REPO"
# libgit2 1.5.1 (Debian 12) leaks 32 bytes inside every SSH connect (a ten-line program
# calling only git_remote_connect shows it). Under `make asan`, the SSH runs suppress that
# one stack on top of the project's suppressions; everything else stays checked.
ssh_env=()
if ldd "$ORC" | grep -q libasan; then
	{ cat "$ROOT/tests/lsan.supp" 2>/dev/null; echo "leak:git_remote_connect_ext"; } >"$T_TMP/lsan-ssh.supp"
	# Full unwinding (libgit2 has no frame pointers), so that the suppression sees the
	# git_remote_connect_ext frame and nothing outside that call is hidden.
	ssh_env=(LSAN_OPTIONS="suppressions=$T_TMP/lsan-ssh.supp:print_suppressions=0"
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0")
fi

# Every run gets its own TMPDIR so that we can see the clone was removed.
export TMPDIR=$T_TMP/tasktmp
mkdir -p "$TMPDIR"
SECRETS=("$DB_PASSWORD" "$RO_PASSWORD" "$GIT_TOKEN" "$TASK_SECRET_KEY" "$CREDS_TOKEN"
	"$(sed -n 2p "$ssh/deploy")")
no_secret_in_output() {
	local s leaked=""
	for s in "${SECRETS[@]}"; do
		if printf '%s\n%s' "$T_OUT" "$T_ERR" | grep -qF -- "$s"; then leaked="$leaked ${s:0:4}..."; fi
	done
	t_is "$leaked" "" "$1: no secret value in stdout or stderr"
}
one_line_error() {
	t_is "$(printf '%s\n' "$T_ERR" | grep -c .)" 1 "$1: one line on stderr"
}
clone_removed() {
	t_is "$(ls -A "$TMPDIR")" "" "$1: the clone's temporary directory is removed"
}

# 1. file://, the DB secret, a placeholder secret: the branch's migrations and its SHA
newdb appdb
t_run "$ORC" migrate --git-branch feature --git-url "file://$REPO" --db-secret app/db \
	--placeholder-secret READ_ONLY_PASSWORD=app/read-only:password
t_is "$T_RC" 0 "file://: migrate --git-branch feature exits 0"
t_like "$T_OUT" "commit $FEATURE_SHA" "file://: the migrated commit's SHA is printed"
t_like "$T_OUT" "applied 2 migrations" "file://: V1 and V2 of feature applied"
got=$(psqlsock -d appdb -Atc "SELECT tableowner FROM pg_tables WHERE tablename = 'readers'")
t_is "$got" app_owner "the migrations ran as the secret's user, with its password (scram)"
got=$(psqlsock -d appdb -Atc "SELECT secret_md5 = md5('$RO_PASSWORD') FROM readers")
t_is "$got" t "the placeholder got the secret's JSON field"
no_secret_in_output "file://"
clone_removed "file://"
t_like "$(cat "$T_TMP/creds.log")" "authorized=True" "credentials came from the container endpoint"

# 2. the same again, the placeholder secret named by its ARN: nothing to do, exit 0
t_run "$ORC" migrate --git-branch feature --git-url "file://$REPO" --db-secret app/db \
	--placeholder-secret "READ_ONLY_PASSWORD=$RO_ARN:password"
t_is "$T_RC" 0 "second run (placeholder secret by ARN:field): exit 0"
t_like "$T_OUT" "up to date" "second run: nothing to do"

# 3. a wrong password in the secret: the server refuses it (so the password is what connects)
newdb appdb_wrongpw
t_run env DB_NAME=appdb_wrongpw "$ORC" migrate --git-branch main --git-url "file://$REPO" \
	--db-secret app/db-wrong-password
t_unlike "$T_RC" '^0$' "wrong DB password: fails"
t_like "$T_ERR" "127.0.0.1.*password authentication failed for user \"app_owner\"" \
	"wrong DB password: the server's refusal is reported, host and user readable"
no_secret_in_output "wrong DB password"

# 4. an RDS-managed master secret (username+password only) with DB_HOST/DB_NAME/DB_PORT
newdb appdb_env
t_run env DB_HOST=127.0.0.1 DB_PORT="$PGP" DB_NAME=appdb_env "$ORC" migrate \
	--git-branch main --git-url "file://$REPO" --db-secret "$MASTER_ARN"
t_is "$T_RC" 0 "DB_HOST/DB_NAME/DB_PORT with an RDS-managed master secret (by ARN): exit 0"
t_is "$(psqlsock -d appdb_env -Atc "SELECT count(*) FROM accounts")" 0 "DB_NAME chose the database"
t_run "$ORC" migrate --git-branch main --git-url "file://$REPO" --db-secret "$MASTER_ARN"
t_is "$T_RC" 2 "a secret without host and no DB_HOST: exit 2"
t_like "$T_ERR" "rds!cluster-0f3a9c.*no \"host\".*DB_HOST" "... saying to set DB_HOST"

# 5. HTTPS-style token auth over HTTP with git http-backend; the DB secret named by
#    DB_SECRET in the environment (run-task's default command has no --db-secret)
newdb appdb_http
t_run env REPOSITORY_TOKEN_SECRET=app/git-token REPOSITORY_URL="http://127.0.0.1:$HTTP_PORT/app.git" \
	DB_SECRET=app/db DB_NAME=appdb_http "$ORC" migrate --git-branch feature \
	--placeholder-secret READ_ONLY_PASSWORD=app/read-only:password
t_is "$T_RC" 0 "HTTP + token from REPOSITORY_TOKEN_SECRET, DB_SECRET: exit 0"
t_is "$(psqlsock -d appdb_http -Atc "SELECT count(*) FROM readers")" 1 "DB_SECRET: migrated the database it names"
t_like "$T_OUT" "commit $FEATURE_SHA" "HTTP: SHA printed"
t_like "$(cat "$T_TMP/http.log")" "POST /app.git/git-upload-pack authorized=True" "HTTP: the server saw the token"
no_secret_in_output "HTTP"
clone_removed "HTTP"

# 6. a wrong token
t_run env REPOSITORY_TOKEN_SECRET=app/git-token-wrong REPOSITORY_URL="http://127.0.0.1:$HTTP_PORT/app.git" \
	"$ORC" migrate --git-branch feature --db-secret app/db
t_is "$T_RC" 3 "wrong token: exit 3"
t_like "$T_ERR" "refused the token" "wrong token: says the token was refused"
one_line_error "wrong token"
no_secret_in_output "wrong token"
t_run env REPOSITORY_URL="http://127.0.0.1:$HTTP_PORT/app.git" "$ORC" migrate --git-branch feature --db-secret app/db
t_is "$T_RC" 3 "no token for a private repository: exit 3"
t_like "$T_ERR" "asks for credentials.*REPOSITORY_TOKEN_SECRET" "no token: names REPOSITORY_TOKEN_SECRET"

# 6b. HTTPS: verified against the CA bundle, the token sent only to a trusted server
newdb appdb_https
t_run env SSL_CERT_FILE="$T_TMP/tls.crt" REPOSITORY_TOKEN_SECRET=app/git-token DB_NAME=appdb_https \
	"$ORC" migrate --git-branch feature --git-url "https://localhost:$HTTPS_PORT/app.git" --db-secret app/db \
	--placeholder-secret READ_ONLY_PASSWORD=app/read-only:password
t_is "$T_RC" 0 "HTTPS with the server's CA in SSL_CERT_FILE: exit 0"
t_like "$T_OUT" "commit $FEATURE_SHA" "HTTPS: SHA printed"
https_mark=$(wc -l <"$T_TMP/https.log")
t_run env REPOSITORY_TOKEN_SECRET=app/git-token "$ORC" migrate --git-branch feature \
	--git-url "https://localhost:$HTTPS_PORT/app.git" --db-secret app/db
t_is "$T_RC" 3 "HTTPS with an untrusted certificate: exit 3"
t_like "$T_ERR" "TLS certificate of localhost is not trusted" "untrusted certificate: says so"
t_is "$(tail -n +$((https_mark + 1)) "$T_TMP/https.log")" "" "untrusted certificate: no request reached the server"

# 6b'. the fetch is shallow where the linked libgit2 can (1.7+ over HTTP(S)): the clone
#      holds one commit, counted in the clone by --verbose; before 1.7, main's history.
# libgit2 is loaded on first use (core/dl.h): its soname is in the binary's .orc_dlopen
# section, not in what ldd lists.
GIT2_MINOR=$(objcopy -O binary --only-section=.orc_dlopen "$ORC" /dev/stdout | tr '\0' '\n' |
	sed -nE 's/^libgit2\.so\.1\.([0-9]+).*/\1/p' | head -1)
MAIN_COMMITS=$(git -C "$REPO" rev-list --count main)
want_http=$MAIN_COMMITS want_ssh=$MAIN_COMMITS
[ "${GIT2_MINOR:-0}" -ge 7 ] && want_http=1
[ "${GIT2_MINOR:-0}" -ge 9 ] && want_ssh=1
newdb appdb_shallow
t_run env DB_NAME=appdb_shallow "$ORC" migrate --git-branch main --verbose \
	--git-url "http://x-access-token:$GIT_TOKEN@127.0.0.1:$HTTP_PORT/app.git" --db-secret app/db
t_is "$T_RC" 0 "HTTP, --verbose: exit 0"
t_like "$T_ERR$T_OUT" "branch main into .*: $want_http commits? fetched" \
	"HTTP with libgit2 1.${GIT2_MINOR:-?}: $want_http commit(s) of main's $MAIN_COMMITS in the clone"

# 6c. a token written into the URL works and is redacted like a secret
t_run env DB_NAME=appdb_https "$ORC" migrate --git-branch feature \
	--git-url "http://x-access-token:$GIT_TOKEN@127.0.0.1:$HTTP_PORT/app.git" --db-secret app/db \
	--placeholder-secret READ_ONLY_PASSWORD=app/read-only:password
t_is "$T_RC" 0 "token in the URL: exit 0"
t_like "$T_OUT" "x-access-token:\*\*\*@127.0.0.1" "token in the URL: redacted where the URL is printed"
no_secret_in_output "token in the URL"

# 7. an unknown branch
t_run "$ORC" migrate --git-branch no-such-branch --git-url "file://$REPO" --db-secret app/db
t_is "$T_RC" 3 "unknown branch: exit 3"
t_like "$T_ERR" "branch 'no-such-branch' not found .*broken, feature, main" "unknown branch: lists the branches"
one_line_error "unknown branch"
clone_removed "unknown branch"

# 8. a missing secret
t_run "$ORC" migrate --git-branch feature --git-url "file://$REPO" --db-secret app/nope
t_is "$T_RC" 3 "missing DB secret: exit 3"
t_like "$T_ERR" "secret 'app/nope' not found" "missing DB secret: names it"
one_line_error "missing DB secret"
t_run "$ORC" migrate --git-branch feature --git-url "file://$REPO" --db-secret app/db \
	--placeholder-secret READ_ONLY_PASSWORD=app/read-only:nofield
t_is "$T_RC" 2 "placeholder secret without that field: exit 2"
t_like "$T_ERR" "READ_ONLY_PASSWORD.*app/read-only.*no text field 'nofield'" "... names key, secret and field"

# 9. SSH with the deploy key, host key checked against known_hosts
newdb appdb_ssh
t_run env ${ssh_env[@]+"${ssh_env[@]}"} REPOSITORY_DEPLOY_KEY_SECRET=app/deploy-key REPOSITORY_KNOWN_HOSTS="$ssh/known_hosts" \
	REPOSITORY_URL="$SSH_URL" DB_NAME=appdb_ssh "$ORC" migrate --git-branch main --db-secret app/db
t_is "$T_RC" 0 "SSH + deploy key + known host: exit 0"
t_like "$T_OUT" "commit $(git -C "$src" rev-parse main)" "SSH: main's SHA printed"
no_secret_in_output "SSH"
clone_removed "SSH"
newdb appdb_ssh_v
t_run env ${ssh_env[@]+"${ssh_env[@]}"} REPOSITORY_DEPLOY_KEY_SECRET=app/deploy-key REPOSITORY_KNOWN_HOSTS="$ssh/known_hosts" \
	REPOSITORY_URL="$SSH_URL" DB_NAME=appdb_ssh_v "$ORC" migrate --git-branch main --db-secret app/db --verbose
t_is "$T_RC" 0 "SSH, --verbose: exit 0"
t_like "$T_ERR$T_OUT" "branch main into .*: $want_ssh commits? fetched" \
	"SSH with libgit2 1.${GIT2_MINOR:-?}: $want_ssh commit(s) of main's $MAIN_COMMITS in the clone (shallow from 1.9)"

# 10. the host key differs from known_hosts: refused before authenticating
sshd_mark=$(wc -l <"$T_TMP/sshd.log")
t_run env ${ssh_env[@]+"${ssh_env[@]}"} REPOSITORY_DEPLOY_KEY_SECRET=app/deploy-key REPOSITORY_KNOWN_HOSTS="$ssh/known_hosts_changed" \
	REPOSITORY_URL="$SSH_URL" "$ORC" migrate --git-branch main --db-secret app/db
t_is "$T_RC" 3 "changed host key: exit 3"
t_like "$T_ERR" "host key SHA256:[A-Za-z0-9+/]+ of 127.0.0.1 does not match known_hosts" "changed host key: refused, fingerprint shown"
one_line_error "changed host key"
echo "[127.0.0.2]:$SSH_PORT $(cut -d' ' -f1,2 "$ssh/host_key.pub")" >"$ssh/known_hosts_other"
t_run env ${ssh_env[@]+"${ssh_env[@]}"} REPOSITORY_DEPLOY_KEY_SECRET=app/deploy-key REPOSITORY_KNOWN_HOSTS="$ssh/known_hosts_other" \
	REPOSITORY_URL="$SSH_URL" "$ORC" migrate --git-branch main --db-secret app/db
t_is "$T_RC" 3 "host not in known_hosts: exit 3 (no trust on first use)"
t_like "$T_ERR" "is not in known_hosts" "unknown host: says so"
t_unlike "$(tail -n +$((sshd_mark + 1)) "$T_TMP/sshd.log")" "Accepted publickey|authenticating user" \
	"the deploy key was never offered to a refused host"
t_run env ${ssh_env[@]+"${ssh_env[@]}"} REPOSITORY_DEPLOY_KEY_SECRET=app/deploy-key REPOSITORY_KNOWN_HOSTS="$ssh/impostor_host_key.pub" \
	REPOSITORY_URL="ssh://$(id -un)@127.0.0.1:$SSH_PORT/nonexistent.git" "$ORC" migrate --git-branch main --db-secret app/db
t_is "$T_RC" 3 "a file without the host: exit 3"

# 11. a failing migration: exit 1, the file named as in the repository
newdb appdb_broken
t_run env DB_NAME=appdb_broken "$ORC" migrate --git-branch broken --git-url "file://$REPO" \
	--db-secret app/db --placeholder-secret READ_ONLY_PASSWORD=app/read-only:password
t_is "$T_RC" 1 "failing migration: exit 1"
t_like "$T_ERR" "sql/V3__broken.sql" "failing migration: named by its path in the repository"
t_unlike "$T_ERR" "orchestrator-task" "failing migration: no temporary path in the message"
t_unlike "$T_OUT" "commit [0-9a-f]{40}" "failing migration: no SHA reported as migrated"
t_is "$(psqlsock -d appdb_broken -Atc "SELECT max(version) FROM flyway_schema_history WHERE success")" 2 \
	"failing migration: V1 and V2 stay applied"
no_secret_in_output "failing migration"
clone_removed "failing migration"

# 12. TLS: verify-full by default needs the CA bundle; missing bundle is a clear exit 2
t_run env -u PGSSLMODE PGSSLROOTCERT="$T_TMP/no-bundle.pem" "$ORC" migrate --git-branch main \
	--git-url "file://$REPO" --db-secret app/db
t_is "$T_RC" 2 "verify-full without the CA bundle: exit 2"
t_like "$T_ERR" "no-bundle.pem: the CA bundle for sslmode=verify-full is missing" "... names the bundle"

# 13. in GitHub Actions: the SHA in $GITHUB_OUTPUT, secrets masked with ::add-mask::
newdb appdb_gha
: >"$T_TMP/gh-output"; : >"$T_TMP/gh-summary"
t_run env GITHUB_ACTIONS=true GITHUB_OUTPUT="$T_TMP/gh-output" GITHUB_STEP_SUMMARY="$T_TMP/gh-summary" \
	DB_NAME=appdb_gha "$ORC" migrate --git-branch feature --git-url "file://$REPO" --db-secret app/db \
	--placeholder-secret READ_ONLY_PASSWORD=app/read-only:password
t_is "$T_RC" 0 "Actions: exit 0"
t_like "$(cat "$T_TMP/gh-output")" "^sha=$FEATURE_SHA" "Actions: sha output"
t_like "$(cat "$T_TMP/gh-summary")" "$FEATURE_SHA" "Actions: SHA in the step summary"
t_like "$T_OUT$T_ERR" "::add-mask::" "Actions: secret values are masked"
t_is "$(printf '%s\n%s\n' "$T_OUT" "$T_ERR" | grep -v '^::add-mask::' | grep -cF -- "$RO_PASSWORD")" 0 \
	"Actions: the placeholder value appears only in ::add-mask::"

# 14. the database found by its cluster (DB_CLUSTER, what the Terraform sets): the port and
#     database name come from DescribeDBClusters, the credentials from the cluster's
#     RDS-managed master secret. moto reports an endpoint no resolver knows, so DB_HOST
#     points at the test server where a real task would use the endpoint.
newdb appdb_cluster
t_run env DB_CLUSTER=app-cluster DB_HOST=127.0.0.1 "$ORC" migrate --git-branch main \
	--git-url "file://$REPO"
t_is "$T_RC" 0 "DB_CLUSTER: exit 0"
t_is "$(psqlsock -d appdb_cluster -Atc "SELECT count(*) FROM flyway_schema_history WHERE success")" 1 \
	"DB_CLUSTER: the cluster's port and database name, its secret's credentials"
no_secret_in_output "DB_CLUSTER"
t_run env DB_CLUSTER=app-cluster "$ORC" migrate --git-branch main --git-url "file://$REPO"
t_like "$T_ERR" "app-cluster\.cluster-[a-z0-9]+\.us-west-2\.rds\.amazonaws\.com" \
	"without DB_HOST it connects to the cluster's endpoint"
t_run env DB_SECRET=app/nope DB_HOST=127.0.0.1 "$ORC" migrate --git-branch main \
	--git-url "file://$REPO" --db-cluster app-cluster
t_is "$T_RC" 0 "--db-cluster on the command line: the environment's DB_SECRET is not read"
t_run env DB_SECRET=app/db DB_CLUSTER=app-cluster DB_HOST=127.0.0.1 "$ORC" migrate \
	--git-branch main --git-url "file://$REPO" --verbose
t_is "$T_RC" 0 "DB_SECRET and DB_CLUSTER: exit 0"
t_like "$T_ERR" "database: app_owner@127.0.0.1:$PGP/appdb_cluster" \
	"... credentials from DB_SECRET, port and database name from the cluster"
t_run "$ORC" migrate --git-branch main --git-url "file://$REPO" --db-cluster no-such-cluster
t_is "$T_RC" 3 "unknown cluster: exit 3"
t_like "$T_ERR" "--db-cluster 'no-such-cluster': no such DB cluster in us-west-2" "... named"
one_line_error "unknown cluster"
t_run "$ORC" migrate --git-branch main --git-url "file://$REPO" --db-cluster plain-cluster
t_is "$T_RC" 2 "a cluster without a managed secret: exit 2"
t_like "$T_ERR" "plain-cluster.*no RDS-managed master user secret.*--db-secret or DB_SECRET" \
	"... says to name the secret"
t_run "$ORC" migrate --git-branch main --url "host=127.0.0.1" --db-cluster app-cluster
t_is "$T_RC" 2 "--url with --db-cluster: exit 2"

# 15. after `orchestrator snapshot restore` the cluster's managed secret is a new one (the
#     old went with the old cluster): the ARN fixed at terraform apply (DB_SECRET) is gone,
#     DB_CLUSTER finds the new secret with no redeploy. The snapshot is of another cluster
#     with the same database name (moto 5.2 fails to restore a snapshot of a cluster
#     created with a managed password: KeyError '_master_user_password' in get_cfg).
"${OPERATOR[@]}" python3 - "$T_TMP/restore.json" <<'PY' # one botocore process, not a CLI per call
import boto3, json, os, sys
def client(service):
    return boto3.client(service, endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-west-2")
rds, ec2 = client("rds"), client("ec2")
rds.create_db_cluster(DBClusterIdentifier="app-source", Engine="aurora-postgresql",
                      MasterUsername="app_owner", MasterUserPassword="not-managed-2",
                      DatabaseName="appdb_cluster")
rds.create_db_cluster_snapshot(DBClusterIdentifier="app-source", DBClusterSnapshotIdentifier="app-golden")
vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
subnets = [s["SubnetId"] for s in ec2.describe_subnets(
    Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]]
rds.create_db_subnet_group(DBSubnetGroupName="app-subnets", DBSubnetGroupDescription="test",
                           SubnetIds=subnets)
ec2.create_security_group(GroupName="app-db-sg", Description="test", VpcId=vpc)
# moto lists the cluster's automated snapshot under the name the restored cluster would
# take in the same minute (see tests/snapshot/setup.sh): drop it.
for snap in rds.describe_db_cluster_snapshots(DBClusterIdentifier="app-cluster",
                                              SnapshotType="automated")["DBClusterSnapshots"]:
    rds.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier=snap["DBClusterSnapshotIdentifier"])
json.dump({"githubOwner": "acme", "githubRepo": "db", "gitbotName": "bot",
           "gitbotEmail": "bot@example.com",
           "infrastructure": {"us-west-2": {"auroraDB": {
               "dbClusterName": "app-cluster", "dbSubnetGroup": "app-subnets",
               "vpcSecurityGroups": "app-db-sg"}}}}, open(sys.argv[1], "w"))
PY
t_run "${OPERATOR[@]}" "$ORC" snapshot restore --config "$T_TMP/restore.json" --region us-west-2 \
	--snapshot app-golden --request-id r-task --skip-final-snapshot
t_is "$T_RC" 0 "snapshot restore of app-cluster: exit 0"
t_like "$T_OUT" "carrying over from app-cluster-pre-restore-[0-9-]+: master user secret managed by RDS" \
	"... which gave the restored cluster a managed secret of its own"
NEW_SECRET=$("${OPERATOR[@]}" aws --endpoint-url "$AWS_ENDPOINT_URL" rds describe-db-clusters \
	--db-cluster-identifier app-cluster --query 'DBClusters[0].MasterUserSecret.SecretArn' --output text)
t_like "$NEW_SECRET" "rds!cluster-" "the restored cluster has a managed secret"
t_ok "... a new one" test "$NEW_SECRET" != "$CLUSTER_SECRET"
"${OPERATOR[@]}" aws --endpoint-url "$AWS_ENDPOINT_URL" secretsmanager put-secret-value --secret-id "$NEW_SECRET" \
	--secret-string "{\"username\":\"app_owner\",\"password\":\"$DB_PASSWORD\"}" >/dev/null
t_run env DB_SECRET="$CLUSTER_SECRET" DB_HOST=127.0.0.1 DB_PORT="$PGP" DB_NAME=appdb_cluster \
	"$ORC" migrate --git-branch feature --git-url "file://$REPO" \
	--placeholder-secret READ_ONLY_PASSWORD=app/read-only:password
t_is "$T_RC" 3 "after the restore the old secret's ARN (DB_SECRET) fails: exit 3"
t_like "$T_ERR" "not found" "... the secret is gone"
t_run env DB_CLUSTER=app-cluster DB_HOST=127.0.0.1 "$ORC" migrate --git-branch feature \
	--git-url "file://$REPO" --placeholder-secret READ_ONLY_PASSWORD=app/read-only:password
t_is "$T_RC" 0 "after the restore DB_CLUSTER still works: exit 0"
t_like "$T_OUT" "commit $FEATURE_SHA" "... and migrated the feature branch"
t_is "$(psqlsock -d appdb_cluster -Atc "SELECT max(version) FROM flyway_schema_history WHERE success")" 2 \
	"... into the database the cluster names"
no_secret_in_output "after the restore"

# 15b. a secret whose value is a connection URL (Atlas's ECS guide stores it so): the same
#      redaction, the URL's own sslmode kept, the TLS default when it names none
SECRETS+=("$DB_PASSWORD_URL")
newdb appdb_url
t_run env -u PGSSLMODE "$ORC" migrate --git-branch feature --git-url "file://$REPO" --db-secret app/db-url \
	--placeholder-secret READ_ONLY_PASSWORD=app/read-only:password
t_is "$T_RC" 0 "URL-shaped DB secret (percent-encoded password, sslmode=disable in the URL): exit 0"
t_is "$(psqlsock -d appdb_url -Atc "SELECT count(*) FROM flyway_schema_history WHERE success")" 2 \
	"... migrated the database the URL names"
no_secret_in_output "URL-shaped secret"
t_run env -u PGSSLMODE PGSSLROOTCERT="$T_TMP/no-bundle.pem" "$ORC" migrate --git-branch main \
	--git-url "file://$REPO" --db-secret app/db-url-default
t_is "$T_RC" 2 "URL secret without sslmode: the verify-full default applies (no CA bundle: exit 2)"
t_like "$T_ERR" "no-bundle.pem.*sslmode=verify-full" "... and says which bundle is missing"
t_run "$ORC" migrate --git-branch main --git-url "file://$REPO" --db-secret app/db-url-bad
t_is "$T_RC" 2 "a malformed URL secret: exit 2"
t_like "$T_ERR" "app/db-url-bad.*postgres:// URL that libpq cannot parse" "... names the secret and the problem"
one_line_error "malformed URL secret"
t_unlike "$T_ERR" "bad%zz|app_owner:" "... without echoing the value"
no_secret_in_output "malformed URL secret"
t_run "$ORC" migrate --git-branch main --git-url "file://$REPO" --db-secret app/db-garbage
t_is "$T_RC" 2 "a secret neither JSON nor URL: exit 2"
t_like "$T_ERR" "neither a JSON object .* nor a postgres:// URL" "... says what shapes it takes"
no_secret_in_output "secret neither JSON nor URL"

# 16. usage errors
t_run "$ORC" migrate --git-url "file://$REPO"
t_is "$T_RC" 2 "--git-url without --git-branch: exit 2"
t_run "$ORC" migrate --git-branch 'bad..name' --git-url "file://$REPO" --db-secret app/db
t_is "$T_RC" 2 "invalid branch name: exit 2"
t_run env -u REPOSITORY_URL "$ORC" migrate --git-branch main --config "$T_TMP/none.json"
t_is "$T_RC" 2 "no repository anywhere: exit 2"
t_done
