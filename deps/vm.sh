#!/bin/bash
# Installs what the guest image and the launcher need, from Debian's archive
# only. Idempotent and quiet when everything is present.
#   - host packages: qemu-system-x86, busybox-static, cpio, iperf3, openssl,
#     linux-perf (perf for the guest, bf-perf.sh), ...
#   - the source package of libgnutls30 (gnutls-ktls.sh fetch: apt-get
#     source with private deb-src lists), rebuilt with kTLS for the guest;
#   - QEMU's plugin header from the installed QEMU's source package
#     (qemu-plugin-header.sh), for the instruction counter;
#   - the kernel package linux-image-KVER of every guest kernel line
#     (guest-driver/lines.sh), downloaded with `apt-get download` and
#     unpacked with dpkg-deb -x into $CACHE/kernel-KVER (it is NOT installed
#     into the host's /boot or /lib/modules).
# Usage: deps/vm.sh [CACHE_DIR]   (default build/vm/cache)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
CACHE=${1:-$ROOT/build/vm/cache}
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)

pkgs=(qemu-system-x86 busybox-static cpio gzip xz-utils zstd iperf3 openssl ca-certificates
      ethtool iproute2 iputils-ping kmod coreutils bash
      nginx redis-server redis-tools memcached gnutls-bin wget curl wrk
      # make eval's client for redis and memcached (eval/kvload.py)
      python3 python3-redis python3-pymemcache
      # perf for the guest CPU breakdown (bf-perf.sh): bookworm's is 6.1, the guest's kernel
      linux-perf
      # to rebuild Debian's libgnutls30 with kTLS for the guest (gnutls-ktls.sh)
      dpkg-dev autoconf automake libtool autopoint gperf bison gcc make binutils pkg-config
      nettle-dev libgmp-dev libp11-kit-dev libtasn1-6-dev libunistring-dev libidn2-dev)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
. "$HERE/kernel-pkg.sh"	# apt_update, kernel_pkg_unpack
if [ ${#missing[@]} -gt 0 ]; then
	echo "vm-deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt_update
	# nginx, redis-server and memcached are for the guest image (and the wire side of
	# the tests): their packages must not start services on this host.
	# policy-rc.d (Debian's invoke-rc.d policy) refuses every start while
	# apt runs, unless the admin has one of their own.
	prc=/usr/sbin/policy-rc.d own_prc=0
	if [ ! -e "$prc" ]; then
		printf '#!/bin/sh\nexit 101\n' > "$prc" && chmod 755 "$prc" && own_prc=1
	fi
	rc=0
	timeout 900 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
	[ $own_prc = 0 ] || rm -f "$prc"
	[ $rc = 0 ] || { echo "vm-deps: apt-get install ${missing[*]} failed" >&2; exit 1; }
fi

# The guest kernels: each line's unpacked into its LINE_KTREE,
# $CACHE/kernel-KVER (boot/vmlinuz-KVER, lib/modules/KVER).
. "$ROOT/guest-driver/lines.sh"
export BF_VM_CACHE=$CACHE
for l in $BF_LINES; do
	bf_line "$l"
	kernel_pkg_unpack vm-deps "$LINE_KVER" "$CACHE" "$LINE_KTREE" || exit 1
done
# gnutls-ktls.sh rebuilds the installed libgnutls30's version from source,
# and the archive keeps only the source of its current version: upgrade an
# older installed library to it first
gi=$(dpkg-query -W -f='${Version}' libgnutls30 2>/dev/null || true)
gc=$(apt-cache policy libgnutls30 2>/dev/null | awk '$1 == "Candidate:" {print $2}')
if [ -n "$gc" ] && [ "$gc" != "(none)" ] && [ "$gi" != "$gc" ]; then
	echo "vm-deps: upgrading libgnutls30 $gi -> $gc (its source is the one the archive has)"
	export DEBIAN_FRONTEND=noninteractive
	timeout 600 apt-get install -y -qq --no-install-recommends libgnutls30 gnutls-bin >/dev/null ||
		{ echo "vm-deps: apt-get install libgnutls30 failed" >&2; exit 1; }
fi
bash "$ROOT/vm/gnutls-ktls.sh" fetch "$CACHE" || { echo "vm-deps: fetching gnutls28's source failed" >&2; exit 1; }
# QEMU's plugin header, for the exact instruction counter (vm/tcg-insn-count.c)
bash "$ROOT/vm/qemu-plugin-header.sh" "$CACHE" >/dev/null || { echo "vm-deps: fetching QEMU's plugin header failed" >&2; exit 1; }
exit 0
