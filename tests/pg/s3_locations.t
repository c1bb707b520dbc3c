#!/usr/bin/env bash
# --locations s3://bucket/prefix against moto's S3 with signature checking on: mixed with
# a folder, paginated listings (moto made to answer 2 keys a page), script names relative
# to the prefix, checksums equal to the same files on disk, info/validate/repair on S3,
# a failing migration named by its S3 URL, and every refusal (no bucket, no
# s3:ListBucket, no s3:GetObject, a wrong secret) exit 3 naming the bucket and what to
# grant. The private mirror is gone after each run.
source "$(dirname "$0")/../lib/tap.sh"
source "$ROOT/tests/lib/moto.sh"
source "$ROOT/tests/lib/pg.sh"
export MOTO_S3_DEFAULT_MAX_KEYS=2
moto_start || { t_fail "moto_server started"; t_done; exit 1; }
pg_newdb
export TMPDIR=$T_TMP/tmp
mkdir -p "$TMPDIR"
D=$T_TMP/sql L=$T_TMP/local
mkdir -p "$D/sub" "$L"
echo 'CREATE TABLE a (id int);' >"$D/V1__create_a.sql"
printf -- '-- second\nCREATE TABLE b (id int);\n' >"$D/sub/V2__create_b.sql"
echo 'CREATE TABLE c (id int);' >"$D/V3__create_c.sql"
echo 'CREATE TABLE d (id int);' >"$D/sub/V4__create_d.sql"
echo 'CREATE OR REPLACE VIEW va AS SELECT id FROM a;' >"$D/R__view_a.sql"
echo 'not a migration' >"$D/README.md"
echo 'CREATE TABLE e (id int);' >"$L/V5__create_e.sql"
moto_aws s3 mb s3://migrations-bucket >/dev/null
moto_aws s3 cp --recursive "$D" s3://migrations-bucket/app/ >/dev/null
moto_aws s3 cp "$D/V1__create_a.sql" s3://migrations-bucket/application/V9__outside_prefix.sql >/dev/null
q() { psql -X -q -At -c "$1"; }
S3=s3://migrations-bucket/app

t_ok "info lists an S3 location and a folder together" "$ORC" info --url "$PG_URL" --locations "$S3,$L"
t_like "$T_OUT" 'create b.*Pending' "a key in a nested prefix is found"
t_unlike "$T_OUT" 'outside prefix' "a key of a sibling prefix (application/) is not under app/"
t_is "$(printf '%s\n' "$T_OUT" | grep -c Pending)" 6 "every page of the listing was read (5 in S3 over 3 pages, 1 on disk)"
t_ok "migrate from S3 and a folder" "$ORC" migrate --url "$PG_URL" --locations "$S3" --locations "$L"
t_is "$(q "select string_agg(script, ',' order by installed_rank) from flyway_schema_history where version is not null or type = 'SQL'")" \
	"V1__create_a.sql,sub/V2__create_b.sql,V3__create_c.sql,sub/V4__create_d.sql,V5__create_e.sql,R__view_a.sql" \
	"script names are relative to the prefix, as with folders"
t_ok "validate against the same files on disk: checksums identical" "$ORC" validate --url "$PG_URL" --locations "$D,$L"
t_ok "validate against S3" "$ORC" validate --url "$PG_URL" --locations "$S3,$L"
t_is "$(ls "$TMPDIR" | grep -c orc-s3)" 0 "the private mirror is removed when the run ends"

# Disk-migrated twin: the same checksums row for row.
DISK_URL=$PG_URL
pg_newdb
"$ORC" migrate --url "$PG_URL" --locations "$D,$L" >/dev/null
t_is "$(q "select string_agg(coalesce(version,'R')||':'||checksum, ',' order by installed_rank) from flyway_schema_history")" \
	"$(psql -X -q -At -d "$DISK_URL" -c "select string_agg(coalesce(version,'R')||':'||checksum, ',' order by installed_rank) from flyway_schema_history")" \
	"history rows written from S3 equal those written from disk"

# A changed object is seen by the next run; repair realigns the checksum.
printf 'CREATE TABLE c (id int);\n-- edited\n' >"$T_TMP/V3__create_c.sql"
moto_aws s3 cp "$T_TMP/V3__create_c.sql" s3://migrations-bucket/app/V3__create_c.sql >/dev/null
t_run "$ORC" validate --url "$DISK_URL" --locations "$S3,$L"
t_is "$T_RC" 1 "validate sees the edited object"
t_like "$T_ERR" 's3://migrations-bucket/app/V3__create_c.sql' "and names it by its S3 URL"
t_ok "repair on S3" "$ORC" repair --url "$DISK_URL" --locations "$S3,$L"
t_ok "then validate passes" "$ORC" validate --url "$DISK_URL" --locations "$S3,$L"

# A failing migration from S3 is named by its URL and line.
printf 'CREATE TABLE f (id int);\nSELECT no_such_column FROM f;\n' >"$T_TMP/V6__broken.sql"
moto_aws s3 cp "$T_TMP/V6__broken.sql" s3://migrations-bucket/app/V6__broken.sql >/dev/null
t_run "$ORC" migrate --url "$DISK_URL" --locations "$S3,$L"
t_is "$T_RC" 1 "a failing migration from S3: exit 1"
t_like "$T_ERR" 's3://migrations-bucket/app/V6__broken.sql:2: migration V6 broken failed' "named by its S3 URL and line"

# Refusals: exit 3, the bucket, and what to grant.
t_run "$ORC" info --url "$PG_URL" --locations s3://no-such-bucket/app
t_is "$T_RC" 3 "a missing bucket: exit 3"
t_like "$T_ERR" "bucket 'no-such-bucket' does not exist" "naming the bucket"
t_run "$ORC" info --url "$PG_URL" --locations s3://Not_A_Bucket/app
t_is "$T_RC" 2 "an invalid bucket name: usage error"
moto_aws iam create-user --user-name getonly >/dev/null
moto_aws iam put-user-policy --user-name getonly --policy-name p --policy-document \
	'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'
GK=$(moto_aws iam create-access-key --user-name getonly --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text)
t_run env AWS_ACCESS_KEY_ID="$(echo "$GK" | cut -f1)" AWS_SECRET_ACCESS_KEY="$(echo "$GK" | cut -f2)" \
	"$ORC" info --url "$PG_URL" --locations "$S3"
t_is "$T_RC" 3 "no s3:ListBucket: exit 3"
t_like "$T_ERR" "access to bucket 'migrations-bucket' denied.*s3:ListBucket on arn:aws:s3:::migrations-bucket" "naming the bucket and the permission"
moto_aws iam create-user --user-name listonly >/dev/null
moto_aws iam put-user-policy --user-name listonly --policy-name p --policy-document \
	'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}'
LK=$(moto_aws iam create-access-key --user-name listonly --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text)
t_run env AWS_ACCESS_KEY_ID="$(echo "$LK" | cut -f1)" AWS_SECRET_ACCESS_KEY="$(echo "$LK" | cut -f2)" \
	"$ORC" info --url "$PG_URL" --locations "$S3"
t_is "$T_RC" 3 "no s3:GetObject: exit 3"
t_like "$T_ERR" "s3:GetObject on arn:aws:s3:::migrations-bucket/app/" "naming the object and the permission"
t_run env AWS_SECRET_ACCESS_KEY=wrong-secret-value "$ORC" info --url "$PG_URL" --locations "$S3"
t_is "$T_RC" 3 "a wrong secret: moto refuses the signature, exit 3"
t_like "$T_ERR" 'SignatureDoesNotMatch' "naming the signature failure"
t_unlike "$T_ERR$T_OUT" 'wrong-secret-value' "the secret never printed"
t_is "$(ls "$TMPDIR" | grep -c orc-s3)" 0 "no mirror left behind by failed runs"
# Tenants from S3: the workers share one mirror, listed once for the run.
moto_aws s3 cp "$D/V1__create_a.sql" s3://migrations-bucket/tenant/V1__create_a.sql >/dev/null
t_ok "tenant migrations from S3 over 3 connections" "$ORC" migrate --url "$PG_URL" \
	--tenant-locations s3://migrations-bucket/tenant --tenants ta,tb,tc,td,te --jobs 3
t_is "$(q "select count(*) from pg_tables where tablename = 'a' and schemaname in ('ta','tb','tc','td','te')")" 5 "every tenant got the S3 migration"
t_is "$(q "select script from te.flyway_schema_history where version = '1'")" "V1__create_a.sql" "named relative to the tenant prefix"

# serve with an S3 location: each request lists the bucket again.
TOKEN=tok-$(openssl rand -hex 16)
PORT=$(t_free_port)
SERVE_TOKEN=$TOKEN "$ORC" serve --listen 127.0.0.1:$PORT --url "$PG_URL" --locations "$S3" >"$T_TMP/serve.out" 2>"$T_TMP/serve.err" &
SP=$!
t_defer "kill $SP 2>/dev/null; wait $SP 2>/dev/null"
t_wait_port "$PORT" 30
src() { curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/v1/migrations/source" | python3 -c 'import json,sys; print(",".join(m["location"] for m in json.load(sys.stdin)["migrations"] if m["version"] in ("1","7")))'; }
t_is "$(src)" "s3://migrations-bucket/app/V1__create_a.sql" "serve: source lists the S3 objects by URL"
echo 'CREATE TABLE g (id int);' >"$T_TMP/V7__create_g.sql"
moto_aws s3 cp "$T_TMP/V7__create_g.sql" s3://migrations-bucket/app/V7__create_g.sql >/dev/null
t_is "$(src)" "s3://migrations-bucket/app/V1__create_a.sql,s3://migrations-bucket/app/V7__create_g.sql" "serve: an object uploaded since is seen by the next request"
kill -TERM $SP
wait $SP
t_is "$?" 0 "serve stops cleanly"
t_is "$(ls "$TMPDIR" | grep -c orc-s3)" 0 "and leaves no mirror behind"
t_done
