#!/bin/bash
# The headers and the exact source of every guest kernel line
# (guest-driver/lines.sh), which guest-driver/build.sh builds the guest
# modules from. Idempotent and quiet when everything is present.
#   - apt lines (6.1): linux-headers-KVER and the linux-source package are
#     Debian packages deps/base.sh installs; here they are only checked.
#   - cache lines (6.12): linux-headers-KVER, its -common and linux-kbuild
#     packages (their pinned version) are downloaded with `apt-get download`
#     and unpacked together with dpkg-deb -x into CACHE/headers-KVER; the
#     headers' Makefile includes its -common Makefile by absolute path
#     (/usr/src/...): that include is pointed at the unpacked copy, and a
#     small module is built against the result once. They are NOT installed:
#     linux-headers-KVER depends on linux-image-KVER, which would put a
#     kernel into the host's /boot and run its initramfs hooks. The pinned
#     linux-source package is unpacked the same way into
#     CACHE/source-VERSION (150 MB: its tarball usr/src/linux-source-*.tar.xz).
# The tools the unpacked linux-kbuild needs (it is not installed, so its
# dependencies are not either: gcc-12, pahole) come from deps/base.sh;
# a missing one is reported.
# Usage: deps/guest-kernel.sh [CACHE_DIR] [LINE...]   (default build/vm/cache, every line)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
CACHE=${1:-$ROOT/build/vm/cache}
shift || true
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
export BF_VM_CACHE=$CACHE
. "$ROOT/guest-driver/lines.sh"
. "$HERE/kernel-pkg.sh"	# apt_update, debs_unpack
lines=${*:-$BF_LINES}
die() { echo "guest-kernel-deps: $*" >&2; exit 1; }

# headers_check KDIR KVER: a module that does nothing builds against KDIR
# and gets KVER's vermagic.
headers_check() {
	local t rc=0
	t=$(mktemp -d /tmp/bfhdr-check.XXXXXX)
	printf '%s\n' '#include <linux/module.h>' '#include <linux/init.h>' \
		'static int __init bf_check_init(void) { return 0; }' 'module_init(bf_check_init);' \
		'MODULE_LICENSE("GPL");' > "$t/bf_check.c"
	echo 'obj-m := bf_check.o' > "$t/Kbuild"
	make -s -C "$1" M="$t" modules > "$t/log" 2>&1 || rc=$?
	if [ $rc = 0 ] && ! modinfo -F vermagic "$t/bf_check.ko" | grep -q "^$2 "; then
		echo "vermagic '$(modinfo -F vermagic "$t/bf_check.ko")', not $2" >> "$t/log"
		rc=1
	fi
	[ $rc = 0 ] || { echo "guest-kernel-deps: a module does not build against $1:" >&2; tail -n 15 "$t/log" >&2; }
	rm -rf "$t"
	return $rc
}

# headers_unpack: LINE's headers into the directory above its KDIR; the
# amd64 Makefile's include of the -common one pointed at DIR (again when the
# cache has moved since: .bf-checked holds the DIR it was checked in).
headers_unpack() {
	local dir=${LINE_KDIR%/usr/src/*} base=${LINE_KVER%-*} mk
	[ "$(cat "$dir/.bf-checked" 2>/dev/null)" = "$dir" ] && return 0
	if [ ! -f "$dir/.bf-checked" ]; then
		debs_unpack guest-kernel-deps "$CACHE" "$dir" "linux-headers-$LINE_KVER=$LINE_HDR_VER" \
			"linux-headers-$base-common=$LINE_HDR_VER" "linux-kbuild-$base=$LINE_HDR_VER" || exit 1
		rm -rf "$dir"
		mv "$dir.tmp" "$dir"
	fi
	mk=$dir/usr/src/linux-headers-$LINE_KVER/Makefile
	grep -q "^include .*/usr/src/linux-headers-$base-common/Makefile\$" "$mk" ||
		die "$mk: no 'include /usr/src/linux-headers-$base-common/Makefile' to point at the unpacked headers"
	sed -i "s|^include .*/usr/src/linux-headers-$base-common/Makefile\$|include $dir/usr/src/linux-headers-$base-common/Makefile|" "$mk"
	headers_check "$LINE_KDIR" "$LINE_KVER" || { rm -rf "$dir"; exit 1; }
	echo "$dir" > "$dir/.bf-checked"
}

# source_unpack: LINE's pinned linux-source package into the directory
# above its tarball.
source_unpack() {
	local dir=${LINE_TAR%/usr/src/*}
	[ -f "$LINE_TAR" ] && return 0
	debs_unpack guest-kernel-deps "$CACHE" "$dir" "$LINE_SRC_PKG=$LINE_SRC_VER" || exit 1
	[ -f "$dir.tmp/usr/src/${LINE_TAR##*/}" ] || die "$LINE_SRC_PKG=$LINE_SRC_VER has no usr/src/${LINE_TAR##*/}"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
}

for l in $lines; do
	bf_line "$l" || exit 2
	case $LINE_FETCH in
	apt)
		[ -f "$LINE_TAR" ] || die "line $l: no $LINE_TAR: run 'make deps' (deps/base.sh: $LINE_SRC_PKG)"
		[ -d "$LINE_KDIR" ] || die "line $l: no $LINE_KDIR: run 'make deps' (deps/base.sh: linux-headers-$LINE_KVER)";;
	cache)
		for t in dpkg-deb make gcc-12 pahole modinfo; do
			command -v $t >/dev/null || die "line $l: no $t: run 'make deps' (deps/base.sh)"
		done
		headers_unpack
		source_unpack;;
	*) die "line $l: unknown FETCH '$LINE_FETCH' in guest-driver/lines.sh";;
	esac
done
exit 0
