#!/bin/bash
# vm/qemu-plugin-header.sh - QEMU's plugin API header (include/qemu/
# qemu-plugin.h), which Debian ships in no binary package, from Debian's
# source package of the installed QEMU, for the instruction counter
# (vm/tcg-insn-count.c).
#   vm/qemu-plugin-header.sh CACHE   prints the directory that holds
#                                    qemu-plugin.h (CACHE/qemu-plugin),
#                                    downloading the source package once per
#                                    QEMU version (deps/apt-src.sh); the
#                                    tarballs are removed after the header is
#                                    taken out
# Exit 1 (with the reason) when qemu-system-x86 is not installed or the
# source cannot be had.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
CACHE=${1:-$ROOT/build/vm/cache}
mkdir -p "$CACHE" && CACHE=$(cd "$CACHE" && pwd)
OUT=$CACHE/qemu-plugin
die() { echo "qemu-plugin-header: $*" >&2; exit 1; }
. "$ROOT/deps/apt-src.sh"	# apt_src_download

# the source version of the installed QEMU (a binNMU's "+bN" is not in it)
VER=$(dpkg-query -W -f='${source:Version}' qemu-system-x86 2>/dev/null) ||
	die "qemu-system-x86 is not installed (make deps)"
if [ -s "$OUT/qemu-plugin.h" ] && [ "$(cat "$OUT/.version" 2>/dev/null)" = "$VER" ]; then
	echo "$OUT"
	exit 0
fi
echo "qemu-plugin-header: downloading Debian's source package qemu $VER (~24 MB, once)" >&2
# the archive keeps only the current source of a suite: an older installed
# QEMU takes the header of the current one (the API version is checked below)
apt_src_download qemu-plugin-header "$CACHE" "qemu=$VER" "$CACHE/qemu-src" >&2 ||
	apt_src_download qemu-plugin-header "$CACHE" qemu "$CACHE/qemu-src" >&2 ||
	die "no QEMU source package"
orig=$(ls "$CACHE"/qemu-src/qemu_*.orig.tar.* 2>/dev/null | head -n1)
[ -n "$orig" ] || die "no orig tarball in the QEMU source package"
rm -rf "$OUT.tmp" && mkdir -p "$OUT.tmp"
tar -xf "$orig" -C "$OUT.tmp" --wildcards --strip-components=3 '*/include/qemu/qemu-plugin.h' ||
	die "no include/qemu/qemu-plugin.h in $orig"
grep -q '^#define QEMU_PLUGIN_VERSION ' "$OUT.tmp/qemu-plugin.h" || die "qemu-plugin.h has no QEMU_PLUGIN_VERSION"
echo "$VER" > "$OUT.tmp/.version"
rm -rf "$OUT" "$CACHE/qemu-src"
mv "$OUT.tmp" "$OUT"
echo "$OUT"
