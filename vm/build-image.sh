#!/bin/bash
# Builds the guest image of a guest kernel line for the QEMU tests (see
# vm/README.md):
#   OUTDIR/vmlinuz            Debian's linux-image-KVER of the line (guest-driver/lines.sh)
#   OUTDIR/vmlinux            the same kernel uncompressed (ELF, booted via PVH)
#   OUTDIR/kver               its release (launch.sh checks the modules' line)
#   OUTDIR/initramfs.cpio.gz  busybox + virtio-net/kTLS/AES-NI modules + iperf3,
#                             openssl, ethtool, ip, ss, nginx, redis-server, memcached,
#                             gnutls-cli/-serv, wget (libgnutls rebuilt with
#                             kTLS: gnutls-ktls.sh), perf (Debian 12's linux-perf,
#                             6.1's on every line, for bf-perf: vm/bf-perf.sh)
#                             + $BF_VM_EXTRA_BINS
# Cached: nothing is rebuilt while the stamp of all inputs (these scripts,
# the kernel package, every host binary and library copied, the value of
# $BF_VM_EXTRA_BINS / $BF_VM_EXTRA_MODULES) is unchanged.
# Usage: vm/build-image.sh [--line LINE] [OUTDIR]
#        LINE: the guest kernel line (default $GUEST_LINE, else lines.sh's
#        default); OUTDIR default build/vm/LINE
# Env:   BF_VM_EXTRA_BINS="abs/path/bin ..."   copied to /usr/local/bin with libs
#        BF_VM_EXTRA_MODULES="name ..."        more modules of the kernel package
#                                              (loaded after the default ones)
#        BF_VM_FORCE=1                         rebuild even when cached
#        BF_VM_CACHE=DIR                       kernel package cache (default build/vm/cache)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
. "$ROOT/guest-driver/lines.sh"
. "$HERE/kernel-files.sh"
EXTRA_BINS=${BF_VM_EXTRA_BINS:-}
EXTRA_MODS=${BF_VM_EXTRA_MODULES:-}

die() { echo "build-image: $*" >&2; exit 1; }
LINE_ARG=
if [ "${1:-}" = --line ]; then
	[ -n "${2:-}" ] || die "--line needs a guest kernel line"
	LINE_ARG=$2
	shift 2
fi

# the kernel packages and test certificate are shared by all OUTDIRs
CACHE=${BF_VM_CACHE:-$ROOT/build/vm/cache}
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
export BF_VM_CACHE=$CACHE
bf_line $LINE_ARG || exit 2	# (empty: the default line)
KVER=$LINE_KVER
KDIR=$LINE_KTREE
OUT=${1:-$ROOT/build/vm/$LINE}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

bash "$ROOT/deps/vm.sh" "$CACHE" || die "deps/vm.sh failed"
# Debian's libgnutls30 has no kTLS: the image gets the same version rebuilt
# with --enable-ktls (built once into $CACHE/gnutls-ktls, see gnutls-ktls.sh)
GNUTLS_KTLS=$(bash "$HERE/gnutls-ktls.sh" build "$CACHE" | tail -n1) && [ -s "$GNUTLS_KTLS" ] ||
	die "vm/gnutls-ktls.sh build failed"
[ -f "$KDIR/boot/vmlinuz-$KVER" ] || die "no kernel in $KDIR (deps/vm.sh)"
MODDIR=$KDIR/lib/modules/$KVER
[ -f "$MODDIR/modules.dep" ] || die "no $MODDIR/modules.dep"

# Modules in load order (the PLATFORM-NOTES order); dependencies found in
# modules.dep are put before the module that needs them; the ones the
# kernel has built in (6.12: virtio, virtio_ring, virtio_pci*, virtio_console,
# ctr) are left out.
MODULES="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci
failover net_failover virtio_net virtio_console virtio-rng
gf128mul ghash-generic ctr gcm cryptd crypto_simd aesni-intel ghash-clmulni-intel
tls $EXTRA_MODS"

# Host programs: name -> path. Real tools override the busybox applets; bash
# is /bin/sh because Debian's busybox ash prefers its own applets to $PATH
# (`ip` in an ash script would be busybox's ip, whatever $PATH says).
BINS=(iperf3 openssl ethtool ip ss bash nginx redis-server redis-cli memcached gnutls-cli gnutls-serv wget perf)
BIN_PATHS=()
for b in "${BINS[@]}"; do
	p=$(command -v "$b" || true)
	[ -n "$p" ] || die "host binary '$b' not found (run deps/vm.sh)"
	BIN_PATHS+=("$(readlink -f "$p")")
done
for p in $EXTRA_BINS; do
	case $p in /*) ;; *) die "BF_VM_EXTRA_BINS entry '$p' is not an absolute path";; esac
	[ -x "$p" ] || die "BF_VM_EXTRA_BINS entry '$p' is not an executable file"
done
BUSYBOX=$(command -v busybox || true)
[ -n "$BUSYBOX" ] && "$BUSYBOX" --list-full >/dev/null 2>&1 || die "busybox not found"
file_is_static() { ! ldd "$1" >/dev/null 2>&1; }
file_is_static "$BUSYBOX" || {
	[ -x /bin/busybox ] && BUSYBOX=/bin/busybox
	file_is_static "$BUSYBOX" || die "busybox at $BUSYBOX is not static (install busybox-static)"
}

# libs_of FILE: absolute paths of the shared libraries (and the dynamic
# loader) that FILE needs, one a line.
libs_of() {
	ldd "$1" 2>/dev/null | awk '
		$2 == "=>" && $3 ~ /^\// { print $3; next }
		$1 ~ /^\// { print $1 }' || true
}

# The module list against modules.dep -> ordered list of module paths
# (vm/kernel-files.sh).
# shellcheck disable=SC2086
MOD_RELS=$(kmod_order "$MODDIR" $MODULES) || die "a module of the image is missing from $KVER"

# --- cache check -------------------------------------------------------
inputs() {
	echo "line $LINE kver $KVER"
	echo "extra_bins $EXTRA_BINS"
	echo "extra_mods $EXTRA_MODS"
	local f
	for f in "$HERE/build-image.sh" "$HERE/init.sh" "$HERE/bf-snap.sh" "$HERE/bf-perf.sh" \
		"$HERE/bf-mark.c" "$HERE/bf-mark.h" \
		"$HERE/kernel-files.sh" "$ROOT/guest-driver/lines.sh" \
		"$ROOT/eval/cpu-classes.txt" "$ROOT/deps/vm.sh" "$BUSYBOX" \
		"$HERE/gnutls-ktls.sh" "$GNUTLS_KTLS" \
		"$KDIR/boot/vmlinuz-$KVER" "${BIN_PATHS[@]}" $EXTRA_BINS; do
		stat -L -c '%n %Y %s' "$f"
	done
	for f in "${BIN_PATHS[@]}" $EXTRA_BINS; do libs_of "$f"; done | sort -u |
		while read -r f; do stat -L -c '%n %Y %s' "$f"; done
	for f in $MOD_RELS; do stat -L -c '%n %Y %s' "$MODDIR/$f"; done
}
STAMP=$OUT/.image-stamp
NEW_STAMP=$(inputs)
if [ "${BF_VM_FORCE:-0}" != 1 ] && [ -f "$OUT/vmlinuz" ] && [ -f "$OUT/initramfs.cpio.gz" ] &&
	[ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$NEW_STAMP" ]; then
	echo "build-image: $OUT/vmlinuz and initramfs.cpio.gz are up to date"
	exit 0
fi

echo "build-image: building guest image in $OUT"
STAGE=$(mktemp -d "$OUT/.stage.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT

# --- layout and busybox ------------------------------------------------
mkdir -p "$STAGE"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc/ssl/bf,proc,sys,dev,tmp,run,root,bf,mnt,var/tmp}
mkdir -p "$STAGE/lib/modules/$KVER"
chmod 1777 "$STAGE/tmp" "$STAGE/var/tmp"
# the kernel opens /dev/console for /init before devtmpfs is mounted
mknod -m 600 "$STAGE/dev/console" c 5 1 || die "mknod dev/console failed"
mknod -m 666 "$STAGE/dev/null" c 1 3 || die "mknod dev/null failed"
cp "$BUSYBOX" "$STAGE/bin/busybox"
"$BUSYBOX" --list-full | while read -r a; do
	[ "$a" = bin/busybox ] && continue
	mkdir -p "$STAGE/$(dirname "$a")"
	ln -sf /bin/busybox "$STAGE/$a"
done

# --- programs and their shared libraries -------------------------------
copy_with_libs() { # SRC DEST_IN_STAGE
	local src=$1 dst=$2 l
	mkdir -p "$STAGE/$(dirname "$dst")"
	cp -L "$src" "$STAGE/$dst"
	for l in $(libs_of "$src"); do
		[ -e "$STAGE/$l" ] && continue
		mkdir -p "$STAGE/$(dirname "$l")"
		cp -L "$l" "$STAGE/$l"
	done
}
# under the name they were asked for (redis-server is a link to
# redis-check-rdb and picks its role from argv[0])
for i in "${!BINS[@]}"; do copy_with_libs "${BIN_PATHS[$i]}" "/usr/local/bin/${BINS[$i]}"; done
for p in $EXTRA_BINS; do copy_with_libs "$p" "/usr/local/bin/$(basename "$p")"; done
# GnuTLS's programs load the kTLS build of their library (same version and
# symbols as Debian's, see gnutls-ktls.sh)
n=0
for f in $(find "$STAGE" -name 'libgnutls.so.30*' \( -type f -o -type l \)); do
	rm -f "$f"
	cp "$GNUTLS_KTLS" "$f"
	n=$((n + 1))
done
[ $n -gt 0 ] || die "no libgnutls.so.30 in the image to replace"
ln -sf /usr/local/bin/bash "$STAGE/bin/bash"
ln -sf /usr/local/bin/bash "$STAGE/bin/sh"
# Both library directories are searched whatever ld.so's defaults are.
printf '/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n/lib64\n' > "$STAGE/etc/ld.so.conf"
ldconfig -r "$STAGE" 2>/dev/null || true

# --- kernel modules ----------------------------------------------------
: > "$STAGE/etc/bf-modules"
# plain .ko files (6.12's are .ko.xz): busybox insmod reads no compressed
# module, and init.sh's substitutions match '.ko$'
for r in $MOD_RELS; do
	p=$(kmod_plain "$r")
	mkdir -p "$STAGE/lib/modules/$KVER/$(dirname "$r")"
	kmod_copy "$MODDIR/$r" "$STAGE/lib/modules/$KVER/$p" || die "copying $r failed"
	echo "/lib/modules/$KVER/$p" >> "$STAGE/etc/bf-modules"
done
cp "$MODDIR"/modules.order "$MODDIR"/modules.builtin "$MODDIR"/modules.builtin.modinfo \
	"$STAGE/lib/modules/$KVER/" 2>/dev/null || true
depmod -b "$STAGE" "$KVER" 2>/dev/null || echo "build-image: warning: depmod on the image failed" >&2

# --- configuration files -----------------------------------------------
cat > "$STAGE/etc/passwd" <<'E'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
E
printf 'root:x:0:\nnogroup:x:65534:\n' > "$STAGE/etc/group"
printf '127.0.0.1 localhost\n' > "$STAGE/etc/hosts"
printf 'hosts: files\n' > "$STAGE/etc/nsswitch.conf"
echo bfguest > "$STAGE/etc/hostname"
# OpenSSL: plain default config, and one that turns kTLS on (s_server and
# s_client have no -ktls flag: run them with OPENSSL_CONF=/etc/ssl/openssl-ktls.cnf)
cat > "$STAGE/etc/ssl/openssl.cnf" <<'E'
# plain OpenSSL config of the Bifrost guest (no kTLS)
openssl_conf = openssl_init
[openssl_init]
E
cat > "$STAGE/etc/ssl/openssl-ktls.cnf" <<'E'
# OpenSSL config of the Bifrost guest that turns kernel TLS on
openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
Options = KTLS
E
mkdir -p "$STAGE/usr/lib/ssl"
# GnuTLS: its system configuration file turns kernel TLS on (TX and RX, TLS
# 1.2 and 1.3, AES-GCM) for every GnuTLS user (gnutls-cli, wget). GnuTLS
# 3.7.9 knows only "ktls = true" in [global] (lib/priority.c); it takes
# effect because the image's libgnutls is built with --enable-ktls.
mkdir -p "$STAGE/etc/gnutls"
printf '[global]\nktls = true\n' > "$STAGE/etc/gnutls/config"
# nginx and redis: run as root from test configs; they need these paths
mkdir -p "$STAGE/var/lib/nginx" "$STAGE/var/log/nginx" "$STAGE/var/lib/redis" "$STAGE/run"
ln -sf /etc/ssl/openssl.cnf "$STAGE/usr/lib/ssl/openssl.cnf"
# A self-signed test certificate (generated once, cached) for s_server/bf_tls.
if [ ! -s "$CACHE/bf-cert.pem" ] || [ ! -s "$CACHE/bf-key.pem" ]; then
	timeout 60 openssl req -x509 -newkey rsa:2048 -nodes -days 36500 \
		-subj /CN=bifrost-guest -keyout "$CACHE/bf-key.pem" \
		-out "$CACHE/bf-cert.pem" >/dev/null 2>&1 || die "openssl req (test certificate) failed"
fi
cp "$CACHE/bf-cert.pem" "$STAGE/etc/ssl/bf/cert.pem"
cp "$CACHE/bf-key.pem" "$STAGE/etc/ssl/bf/key.pem"

install -m 755 "$HERE/init.sh" "$STAGE/init"
install -m 755 "$HERE/bf-snap.sh" "$STAGE/bin/bf-snap"
# bf-snap's phase marks for the exact instruction counter (vm/tcg-insn-count.c)
${CC:-gcc} -std=gnu11 -O2 -Wall -Wextra -Werror -static -I"$HERE" -o "$STAGE/bin/bf-mark" \
	"$HERE/bf-mark.c" || die "building bf-mark failed"
# the guest CPU breakdown: the sampler and its documented class lists
install -m 755 "$HERE/bf-perf.sh" "$STAGE/bin/bf-perf"
install -m 644 "$ROOT/eval/cpu-classes.txt" "$STAGE/etc/bf-cpu-classes.txt"

# --- pack ----------------------------------------------------------------
(cd "$STAGE" && find . -mindepth 1 | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --quiet) | gzip -6 > "$OUT/initramfs.cpio.gz.tmp" ||
	die "packing the initramfs failed"
mv "$OUT/initramfs.cpio.gz.tmp" "$OUT/initramfs.cpio.gz"
cp "$KDIR/boot/vmlinuz-$KVER" "$OUT/vmlinuz"
# vmlinux: the uncompressed ELF kernel inside the bzImage (6.1: XZ, 6.12:
# ZSTD). QEMU boots it through its PVH entry point, which skips SeaBIOS and
# the in-guest decompression: about 4 s less per boot under TCG. launch.sh
# prefers it.
vmlinux_extract "$OUT/vmlinuz" "$OUT/vmlinux" || true
[ -f "$OUT/vmlinux" ] || echo "build-image: warning: no vmlinux extracted from vmlinuz (launch.sh will boot vmlinuz)" >&2
echo "$KVER" > "$OUT/kver"
echo "$NEW_STAMP" > "$STAMP"
echo "build-image: line $LINE ($KVER): $OUT/vmlinuz, $OUT/initramfs.cpio.gz ($(du -k "$OUT/initramfs.cpio.gz" | cut -f1) KiB)"
