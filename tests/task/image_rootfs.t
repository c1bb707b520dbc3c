#!/usr/bin/env bash
# The migration image's contents without a Docker engine: docker/rootfs.sh (what the
# Dockerfile's build stage runs) assembles the root filesystem, and the task's command
# runs inside it with chroot as the image's unprivileged user: no shell, no git, only
# the binary, its libraries and the shipped files.
source "$(dirname "$0")/../lib/tap.sh"
source "$(dirname "$0")/../lib/pg.sh"
if [ "$(id -u)" -ne 0 ]; then
	echo "ok 1 # skip chroot needs root"
	t_done
	exit 0
fi
if ldd "$ORC" | grep -q libasan; then
	# An ASan binary reads /proc/self/maps, which the image (and this chroot) lacks.
	echo "ok 1 # skip the sanitizer build cannot run without /proc"
	t_done
	exit 0
fi
rootfs=$T_TMP/rootfs
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T_TMP/ca.key" -out "$T_TMP/bundle.pem" -days 1 \
	-subj /CN=stand-in-rds-ca 2>/dev/null
# The Dockerfile strips the binary it ships; so does this test.
cp "$ORC" "$T_TMP/orchestrator" && strip "$T_TMP/orchestrator"
t_ok "docker/rootfs.sh assembles the image" sh "$ROOT/docker/rootfs.sh" "$T_TMP/orchestrator" "$rootfs" \
	"$T_TMP/bundle.pem" "$ROOT/docker/known_hosts"
size=$(du -sm "$rootfs" | cut -f1)
gz=$(($(tar -C "$rootfs" -cf - . | gzip -6 | wc -c) / 1048576))
echo "# image: ${size} MB uncompressed, ${gz} MB as a gzipped layer"
# libpg_query (PostgreSQL's parser, linked statically) adds 1.9 MB to the stripped binary.
t_ok "the image holds under 30 MB uncompressed (${size} MB; ${gz} MB gzipped)" test "$size" -lt 30
t_is "$(find "$rootfs" -name 'libicudata*' -o -name 'libstdc++*' | wc -l)" 0 \
	"no ICU data and no libstdc++ in the image (libicuuc is docker/icu-stub.c)"
t_is "$(find "$rootfs" -name 'sh' -o -name 'bash' -o -name 'git' -o -name 'ssh' | wc -l)" 0 \
	"no shell, git or ssh binaries in the image"
t_ok "known_hosts at the path the binary defaults to" \
	grep -q '/etc/orchestrator/known_hosts' <(strings "$ORC")
t_ok "the RDS CA bundle at the path the binary defaults to" test -s "$rootfs/etc/orchestrator/rds-global-bundle.pem"
t_is "$(ssh-keygen -lf "$rootfs/etc/orchestrator/known_hosts" | awk '{print $2}' | sort | tr '\n' ' ')" \
	"SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU SHA256:p2QAMXNIC1TJYWeIOttrVc98/R1BUFWu3/LiyKgUfQM SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s " \
	"known_hosts holds exactly github.com's published key fingerprints"

inimage() { chroot --userspec=10001:10001 "$rootfs" /usr/local/bin/orchestrator "$@"; }
t_run inimage --version
t_is "$T_RC" 0 "the binary starts in the image as user 10001"

# The task's command, inside the image, against a repository placed in it.
export GIT_CONFIG_NOSYSTEM=1 HOME=$T_TMP/home
mkdir -p "$HOME" "$T_TMP/src/sql"
git -C "$T_TMP/src" init -q -b release
echo 'CREATE TABLE shipped (id int);' >"$T_TMP/src/sql/V1__shipped.sql"
git -C "$T_TMP/src" add -A
git -C "$T_TMP/src" -c user.name=t -c user.email=t@example.com commit -qm V1
mkdir -p "$rootfs/srv"
git clone -q --bare "$T_TMP/src" "$rootfs/srv/app.git"
# libgit2 refuses to open a local repository another user owns (safe.directory).
chown -R 10001:10001 "$rootfs/srv"
pg_newdb
# As ECS runs it: the command's argv as a task definition gives it, the program found on the
# image's own PATH (the Dockerfile's ENV), no entrypoint in front.
image_path=$(sed -n 's/^ENV PATH=\([^ ]*\).*/\1/p' "$ROOT/docker/Dockerfile")
t_like "$image_path" "/usr/local/bin" "the Dockerfile puts orchestrator on PATH"
t_unlike "$(cat "$ROOT/docker/Dockerfile")" "^ENTRYPOINT" "the image has no entrypoint (a task's command is the whole argv)"
t_run env -i PATH="$image_path" TMPDIR=/tmp HOME=/home/orchestrator "$(command -v chroot)" --userspec=10001:10001 "$rootfs" \
	orchestrator migrate --git-branch release --git-url file:///srv/app.git \
	--url "postgresql://postgres@127.0.0.1:$PGPORT/$PGDATABASE?sslmode=disable"
t_is "$T_RC" 0 "migrate --git-branch runs inside the image"
t_like "$T_OUT" "commit $(git -C "$T_TMP/src" rev-parse HEAD)" "... and prints the commit"
t_is "$(psql -X -Atc "SELECT count(*) FROM flyway_schema_history WHERE success")" 1 "... and applied V1"
t_is "$(ls -A "$rootfs/tmp")" "" "the clone was removed from the image's /tmp"

# libxml2 with the ICU stand-in still parses AWS Query answers (UTF-8 XML): RDS through moto
# with signature checking, from inside the image.
source "$ROOT/tests/lib/moto.sh"
moto_start
moto_aws rds create-db-cluster --db-cluster-identifier imagedb --engine aurora-postgresql \
	--master-username u --master-user-password not-a-real-pw-1 >/dev/null
moto_aws rds create-db-cluster-snapshot --db-cluster-identifier imagedb \
	--db-cluster-snapshot-identifier image-snap >/dev/null
cat >"$rootfs/srv/config.json" <<'JSON'
{"githubOwner": "acme", "githubRepo": "db", "infrastructure": {"us-west-2": {"auroraDB": {
  "dbClusterName": "imagedb", "dbSubnetGroup": "g", "vpcSecurityGroups": "sg"}}}}
JSON
t_run env -i PATH="$image_path" HOME=/home/orchestrator AWS_ENDPOINT_URL="$AWS_ENDPOINT_URL" \
	AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
	AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent \
	"$(command -v chroot)" --userspec=10001:10001 "$rootfs" \
	orchestrator snapshot list --region us-west-2 --config /srv/config.json
t_is "$T_RC" 0 "snapshot list (RDS, an XML answer) runs inside the image"
t_like "$T_OUT" "image-snap" "... and names the snapshot from the parsed answer"

# libgit2 is loaded on first use (orchestrator/core/dl.h): rootfs.sh put it in the image
# from the binary's .orc_dlopen section, which the git migrate above used. Without it, a
# git command stops with one line naming the library and its package.
t_ok "libgit2 (not in ldd's list) is in the image" test "$(find "$rootfs" -name 'libgit2.so.*' | wc -l)" -gt 0
find "$rootfs" -name 'libgit2.so.*' -delete
t_run env -i PATH="$image_path" TMPDIR=/tmp HOME=/home/orchestrator "$(command -v chroot)" --userspec=10001:10001 "$rootfs" \
	orchestrator migrate --git-branch release --git-url file:///srv/app.git \
	--url "postgresql://postgres@127.0.0.1:$PGPORT/$PGDATABASE?sslmode=disable"
t_is "$T_RC" 1 "a missing libgit2 fails the git command with exit code 1"
t_like "$T_ERR" "^error: cannot load libgit2\.so\.[0-9.]+, which this command needs \(.*\); install the libgit2-[0-9.]+ package$" \
	"... in one line naming the library and its package"
t_run inimage --version
t_is "$T_RC" 0 "commands that do not need it still run"
t_done
