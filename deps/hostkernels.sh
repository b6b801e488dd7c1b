#!/bin/bash
# Fetches the Debian kernels that `make test-host-matrix` boots as the *host*
# (vm/hostkernel.sh), from Debian's archive only: each
# linux-image-KVER is downloaded with `apt-get download`, unpacked with
# dpkg-deb -x into CACHE/kernel-KVER and depmod'ed there. Nothing goes into
# the host's /boot or /lib/modules. The guest kernels (deps/vm.sh) are
# unpacked there too: a kernel that is both is fetched once.
# Idempotent and quiet when everything is present.
# Usage: deps/hostkernels.sh [--dir KVER] CACHE_DIR KVER...
#   --dir KVER: print the directory that holds KVER (after fetching it)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
print_dir=
if [ "${1:-}" = --dir ]; then print_dir=$2; shift 2; fi
CACHE=${1:-$ROOT/build/vm/cache}
shift || true
kvers=("$@")
[ -n "$print_dir" ] && kvers+=("$print_dir")
[ ${#kvers[@]} -gt 0 ] || { echo "usage: $0 [--dir KVER] CACHE_DIR KVER..." >&2; exit 2; }
# Standard output carries only the directory (--dir); everything else,
# the package tools' output too, goes to standard error.
exec 3>&1 1>&2

# kdir KVER: the unpacked tree that has KVER (may not exist yet)
kdir() { echo "$CACHE/kernel-$1"; }

for p in qemu-system-x86 busybox-static cpio gzip kmod; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		{ echo "hostkernel-deps: $p is missing: run 'make deps' (deps/vm.sh)" >&2; exit 1; }
done

. "$HERE/kernel-pkg.sh"
for kv in "${kvers[@]}"; do
	case $kv in *[!A-Za-z0-9.+_-]*|'') echo "hostkernel-deps: bad KVER '$kv'" >&2; exit 2;; esac
	kernel_pkg_unpack hostkernel-deps "$kv" "$CACHE" "$(kdir "$kv")" || exit 1
done
[ -z "$print_dir" ] || kdir "$print_dir" >&3
exit 0
