#!/bin/sh
# docker/rootfs.sh BINARY DEST RDS_CA_BUNDLE KNOWN_HOSTS
# Assembles the root filesystem of the migration image in DEST: the binary, the shared
# libraries ldd names for it (with the dynamic loader), the system CA certificates, the
# RDS CA bundle and known_hosts under /etc/orchestrator, an unprivileged user 10001 and a
# sticky /tmp. The Dockerfile runs it in its build stage; tests/task/image_rootfs.t runs
# it on the test machine and chroots into the result, so the image's contents are tested
# without a Docker engine.
set -eu
bin=$1 dest=$2 rds=$3 known=$4
mkdir -p "$dest/usr/local/bin" "$dest/etc/ssl/certs" "$dest/etc/orchestrator" "$dest/tmp" \
	"$dest/home/orchestrator"
cp "$bin" "$dest/usr/local/bin/orchestrator"
# Every path ldd prints (libraries and the loader), copied with its directory.
for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
	cp -L --parents "$lib" "$dest/"
done
cp /etc/ssl/certs/ca-certificates.crt "$dest/etc/ssl/certs/"
grep -q 'BEGIN CERTIFICATE' "$rds" || { echo "rootfs.sh: $rds is not a PEM bundle" >&2; exit 1; }
cp "$rds" "$dest/etc/orchestrator/rds-global-bundle.pem"
cp "$known" "$dest/etc/orchestrator/known_hosts"
echo 'orchestrator:x:10001:10001:orchestrator:/home/orchestrator:/nonexistent' >"$dest/etc/passwd"
echo 'orchestrator:x:10001:' >"$dest/etc/group"
chmod 1777 "$dest/tmp"
chown 10001:10001 "$dest/home/orchestrator"
chmod 644 "$dest/etc/orchestrator/"* "$dest/etc/ssl/certs/ca-certificates.crt"
