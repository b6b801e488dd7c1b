#!/bin/bash
# Builds the guest kernel modules out of tree against Debian's headers for the
# guest kernel (see guest-driver/README.md):
#   OUT/bifrost_zced.ko          our module (pool, policy, AEAD, counters)
#   OUT/bifrost_virtio_ring.ko   \
#   OUT/bifrost_virtio_net.ko     } Debian's linux-source-6.1 files with
#   OUT/bifrost_tls.ko           /  guest-driver/patches/*.patch applied
# Only the files the series touches are taken from the source tarball (one
# tar pass, cached in OUT/pristine); OUT/tree is pristine + the series.
# usage: guest-driver/build.sh OUT KDIR
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$1 KDIR=$2
TAR=${BF_KSRC_TAR:-/usr/src/linux-source-6.1.tar.xz}
die() { echo "guest-driver/build.sh: $*" >&2; exit 1; }
[ -f "$TAR" ] || die "no $TAR: run 'make deps' (package linux-source-6.1)"
[ -d "$KDIR" ] || die "no $KDIR: run 'make deps' (linux-headers for the guest kernel)"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

FILES="drivers/virtio/virtio_ring.c drivers/net/virtio_net.c net/tls
scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch
scripts/kernel-doc"
key="$(stat -c '%s %Y' "$TAR") $FILES"
if [ "$(cat "$OUT/pristine/.key" 2>/dev/null)" != "$key" ]; then
	rm -rf "$OUT/pristine" && mkdir -p "$OUT/pristine"
	# shellcheck disable=SC2086
	tar xJf "$TAR" -C "$OUT/pristine" --strip-components=1 \
		$(for f in $FILES; do echo "linux-source-6.1/$f"; done)
	echo "$key" > "$OUT/pristine/.key"
fi
rm -rf "$OUT/tree" && cp -a "$OUT/pristine" "$OUT/tree"
for p in "$HERE"/patches/*.patch; do
	[ -e "$p" ] || continue
	patch -d "$OUT/tree" -p1 -s -F0 --no-backup-if-mismatch < "$p" ||
		die "patch $(basename "$p") does not apply to $TAR"
done

# build_mod DIR NAME FILE... : FILEs or directories' contents (relative to
# OUT/tree, or absolute) into OUT/DIR, with guest-driver/kbuild/NAME.Kbuild
# as its Kbuild unless they brought their own (bifrost_zced's sits with it),
# then make.
build_mod() {
	local dir=$OUT/$1 name=$2 f extra=
	shift 2
	rm -rf "$dir" && mkdir -p "$dir"
	for f in "$@"; do
		case $f in /*) ;; *) f=$OUT/tree/$f;; esac
		if [ -d "$f" ]; then cp -a "$f"/. "$dir/"; else cp -a "$f" "$dir/"; fi
	done
	[ -f "$dir/Kbuild" ] || cp "$HERE/kbuild/$name.Kbuild" "$dir/Kbuild"
	# the patched modules use bifrost_zced's symbols
	[ "$name" = bifrost_zced ] || extra="$OUT/zced/Module.symvers"
	make -s -C "$KDIR" M="$dir" ${extra:+KBUILD_EXTRA_SYMBOLS="$extra"} \
		BF_ZCED_INC="$HERE/bifrost_zced" BF_INC="$(dirname "$HERE")/include" modules
	cp "$dir/$name.ko" "$OUT/"
}

build_mod zced bifrost_zced "$HERE/bifrost_zced"
build_mod virtio_ring bifrost_virtio_ring drivers/virtio/virtio_ring.c
build_mod virtio_net bifrost_virtio_net drivers/net/virtio_net.c
build_mod tls bifrost_tls net/tls
