#!/bin/bash
# Builds the guest kernel modules of one guest kernel line (lines.sh) out of
# tree against Debian's headers for that line's kernel (see
# guest-driver/README.md):
#   OUT/bifrost_zced.ko          our module (pool, policy, AEAD, counters)
#   OUT/bifrost_virtio_ring.ko   \  (6.1 only: 6.12 has virtio_ring built in)
#   OUT/bifrost_virtio_net.ko     } Debian's linux-source of the line with
#   OUT/bifrost_tls.ko           /  guest-driver/patches/LINE/*.patch applied
# (the line's MODS say which). Only the files the series touches and the
# kernel's style scripts (checkpatch.pl, kernel-doc) are taken from the
# source tarball (one tar pass, cached in OUT/pristine); OUT/tree is
# pristine + the series.
# usage: guest-driver/build.sh [--pristine] LINE OUT [KDIR]
#   OUT is the line's own directory (make: build/guest/LINE); KDIR default
#   the line's headers; --pristine: only OUT/pristine (no headers needed)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lines.sh"
die() { echo "guest-driver/build.sh: $*" >&2; exit 1; }
PRISTINE_ONLY=0
if [ "${1:-}" = --pristine ]; then PRISTINE_ONLY=1; shift; fi
[ $# = 2 ] || [ $# = 3 ] || die "usage: build.sh [--pristine] LINE OUT [KDIR]"
bf_line "$1" || exit 1
OUT=$2 KDIR=${3:-$LINE_KDIR} TAR=$LINE_TAR
[ -f "$TAR" ] || die "no $TAR: run 'make deps' (line $LINE: package $LINE_SRC_PKG)"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

FILES="drivers/virtio/virtio_ring.c drivers/net/virtio_net.c net/tls
scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch
scripts/kernel-doc"
key="$(stat -c '%s %Y' "$TAR") $LINE_TAR_PREFIX $FILES"
if [ "$(cat "$OUT/pristine/.key" 2>/dev/null)" != "$key" ]; then
	rm -rf "$OUT/pristine" && mkdir -p "$OUT/pristine"
	# shellcheck disable=SC2086
	tar xJf "$TAR" -C "$OUT/pristine" --strip-components=1 \
		$(for f in $FILES; do echo "$LINE_TAR_PREFIX$f"; done)
	echo "$key" > "$OUT/pristine/.key"
fi
[ $PRISTINE_ONLY = 0 ] || exit 0
[ -d "$KDIR" ] || die "no $KDIR: run 'make deps' (line $LINE: linux-headers-$LINE_KVER)"
rm -rf "$OUT/tree" && cp -a "$OUT/pristine" "$OUT/tree"
for p in "$HERE/patches/$LINE"/*.patch; do
	[ -e "$p" ] || continue
	patch -d "$OUT/tree" -p1 -s -F0 --no-backup-if-mismatch < "$p" ||
		die "patch $LINE/$(basename "$p") does not apply to $TAR"
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

# the line's modules, bifrost_zced first
for m in $LINE_MODS; do
	case $m in
	bifrost_zced) build_mod zced bifrost_zced "$HERE/bifrost_zced";;
	bifrost_virtio_ring) build_mod virtio_ring bifrost_virtio_ring drivers/virtio/virtio_ring.c;;
	bifrost_virtio_net) build_mod virtio_net bifrost_virtio_net drivers/net/virtio_net.c;;
	bifrost_tls) build_mod tls bifrost_tls net/tls;;
	*) die "lines.sh: line $LINE has a module build.sh does not know: $m";;
	esac
done
