# shellcheck shell=bash disable=SC2034
# guest-driver/lines.sh - the guest kernel lines: the one table of them.
# One variable picks the line the guest runs: GUEST_LINE (make GUEST_LINE=6.12;
# the scripts read it from the environment, which make exports), default
# BF_LINE_DEFAULT below. Everything else comes from this table.
#
# Sourced by the shell scripts (build.sh, deps/, vm/, tests/, eval/):
#   . guest-driver/lines.sh
#   bf_line [LINE]   sets the LINE_* fields of LINE (default $GUEST_LINE, else
#                    BF_LINE_DEFAULT); 1 and a message for an unknown line
# Run (mk/guest.mk reads it so):
#   bash guest-driver/lines.sh --list       the lines
#   bash guest-driver/lines.sh --default    the default line
#   bash guest-driver/lines.sh LINE FIELD   one field (KVER, KDIR, MODS, ...)
#
# Fields (LINE_NAME):
#   KVER        the guest kernel's release: Debian's linux-image-KVER
#   FETCH       apt: its headers and source are Debian packages deps/base.sh
#               installs; cache: downloaded with `apt-get download` into the
#               VM cache and unpacked there by deps/guest-src.sh, never
#               installed (linux-headers-6.12 depends on linux-image-6.12:
#               installed, it would put a kernel into the host's /boot)
#   SRC_PKG     the source package of exactly that kernel; SRC_VER its pinned
#               version (empty: the version apt has)
#   TAR         the source tarball; TAR_PREFIX the members' top directory
#   KDIR        the headers the out-of-tree modules build against
#   HDR_VER     (cache lines) the pinned version of the headers packages
#   MODS        the guest modules build.sh builds (6.12 has virtio_ring built
#               in: no bifrost_virtio_ring there)
#   KTREE       Debian's linux-image-KVER unpacked (boot/, lib/modules/KVER/;
#               deps/vm.sh)
# Paths in the cache are under BF_VM_CACHE (default build/vm/cache).

BF_LINES="6.1 6.12"
BF_LINE_DEFAULT=6.12

bf_line() {
	local cache=${BF_VM_CACHE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/vm/cache}
	LINE=${1:-${GUEST_LINE:-$BF_LINE_DEFAULT}}
	case $LINE in
	6.1)
		LINE_KVER=6.1.0-56-amd64 LINE_FETCH=apt
		LINE_SRC_PKG=linux-source-6.1 LINE_SRC_VER='' LINE_HDR_VER=''
		LINE_TAR=/usr/src/linux-source-6.1.tar.xz LINE_TAR_PREFIX=linux-source-6.1/
		LINE_KDIR=/lib/modules/$LINE_KVER/build
		LINE_MODS="bifrost_zced bifrost_virtio_ring bifrost_virtio_net bifrost_tls";;
	6.12)
		LINE_KVER=6.12.118+deb12-amd64 LINE_FETCH=cache
		LINE_SRC_PKG=linux-source-6.12 LINE_SRC_VER=6.12.118-1~deb12u1
		LINE_HDR_VER=6.12.118-1~deb12u1
		LINE_TAR=$cache/source-$LINE_SRC_VER/usr/src/linux-source-6.12.tar.xz
		LINE_TAR_PREFIX=linux-source-6.12/
		LINE_KDIR=$cache/headers-$LINE_KVER/usr/src/linux-headers-$LINE_KVER
		LINE_MODS="bifrost_zced bifrost_virtio_net bifrost_tls";;
	*)
		echo "guest kernel line '$LINE' unknown (guest-driver/lines.sh has: $BF_LINES)" >&2
		return 1;;
	esac
	LINE_KTREE=$cache/kernel-$LINE_KVER
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	case ${1:-} in
	--list) echo "$BF_LINES";;
	--default) echo "$BF_LINE_DEFAULT";;
	*)
		[ $# = 2 ] || { echo "usage: $0 --list | --default | LINE FIELD" >&2; exit 2; }
		bf_line "$1" || exit 1
		v=LINE_$2
		[ -n "${!v+set}" ] || { echo "$0: no field '$2'" >&2; exit 2; }
		echo "${!v}";;
	esac
fi
