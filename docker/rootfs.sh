#!/bin/sh
# docker/rootfs.sh BINARY DEST RDS_CA_BUNDLE KNOWN_HOSTS
# Assembles the root filesystem of the migration image in DEST: the binary, the shared
# libraries ldd names for it and for the ones it loads on first use (with the dynamic
# loader; ICU replaced by a stand-in, see below), the system CA certificates, the
# RDS CA bundle and known_hosts under /etc/orchestrator, an unprivileged user 10001 and a
# sticky /tmp. The Dockerfile runs it in its build stage; tests/task/image_rootfs.t runs
# it on the test machine and chroots into the result, so the image's contents are tested
# without a Docker engine.
set -eu
bin=$1 dest=$2 rds=$3 known=$4
mkdir -p "$dest/usr/local/bin" "$dest/etc/ssl/certs" "$dest/etc/orchestrator" "$dest/tmp" \
	"$dest/home/orchestrator"
cp "$bin" "$dest/usr/local/bin/orchestrator"
# ICU: libxml2 links it only to convert encodings AWS never sends (its answers are UTF-8),
# and it brings 35 MB (libicudata, libstdc++). The image gets docker/icu-stub.c under
# libicuuc's soname instead, which defines every converter libxml2 imports as unavailable.
# ORC_IMAGE_ICU=real keeps the real ICU.
here=$(cd "$(dirname "$0")" && pwd)
# The libraries the binary loads on first use (orchestrator/core/dl.h) are not in its
# NEEDED list, so ldd does not show them: their sonames are in its .orc_dlopen section,
# found through the loader's cache. libs prints ldd's lines for the binary and for each
# of them (the library itself, then what it needs).
lazy=$(objcopy -O binary --only-section=.orc_dlopen "$bin" /dev/stdout | tr '\0' '\n' | grep . || true)
ldconfig=$(command -v ldconfig || echo /sbin/ldconfig)
libs() {
	ldd "$bin"
	for so in $lazy; do
		path=$("$ldconfig" -p | awk -v s="$so" '$1 == s {print $NF; exit}')
		if [ -z "$path" ]; then
			echo "rootfs.sh: $so (loaded on first use) is not installed" >&2
			return 1
		fi
		printf '\t%s => %s (0x0)\n' "$so" "$path"
		ldd "$path"
	done
}
all=$(libs)
stubdir=$(mktemp -d)
trap 'rm -rf "$stubdir"' EXIT
icu=$(echo "$all" | sort -u | sed -n 's/^[[:space:]]*\(libicuuc\.so\.[0-9]*\) => \([^ ]*\).*/\1 \2/p')
icu_dir=
if [ -n "$icu" ] && [ "${ORC_IMAGE_ICU:-stub}" = stub ]; then
	soname=${icu%% *} real=${icu#* }
	icu_dir=$(dirname "$real")
	${CC:-cc} -shared -fPIC -O2 -Wall -Werror -Wl,-soname,"$soname" -DICU_SUFFIX="_${soname##*.}" \
		-o "$stubdir/$soname" "$here/icu-stub.c"
	strip "$stubdir/$soname"
	# Every ICU symbol a linked library imports must be in the stub, or the loader fails.
	for user in $(echo "$all" | grep -o '/[^ ]*' | sort -u); do
		for sym in $(nm -D --undefined-only "$user" 2>/dev/null | awk -v v="_${soname##*.}" \
			'$2 ~ v"$" {print $2}'); do
			nm -D --defined-only "$stubdir/$soname" | grep -q " $sym\$" ||
				{ echo "rootfs.sh: $user needs ICU's $sym, which icu-stub.c lacks" >&2; exit 1; }
		done
	done
fi
# Every path ldd prints (libraries and the loader), copied with its directory; the stub to
# the real libicuuc's directory.
all=$(LD_LIBRARY_PATH="$stubdir" libs)
for lib in $(echo "$all" | grep -o '/[^ ]*' | sort -u); do
	case $lib in
	"$stubdir"/*) mkdir -p "$dest$icu_dir" && cp "$lib" "$dest$icu_dir/" ;;
	*) cp -L --parents "$lib" "$dest/" ;;
	esac
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
