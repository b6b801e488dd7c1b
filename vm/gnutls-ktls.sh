#!/bin/bash
# GnuTLS with kernel TLS for the guest image.
#
# Debian 12's libgnutls30 (3.7.9) is built WITHOUT kTLS: its configure never
# got --enable-ktls (Debian bug #1034350 says so; the library has only the
# stubs of lib/system/ktls.c, so "ktls = true" in /etc/gnutls/config is
# parsed and then changes nothing). The guest's GnuTLS programs (gnutls-cli,
# gnutls-serv, wget) are Debian's, unmodified; only their library is rebuilt
# here from Debian's own source package of the same version (Debian's
# patches applied, Debian's configure options for libgnutls30, plus
# --enable-ktls). It exports the same symbols as Debian's library.
#
#   vm/gnutls-ktls.sh fetch CACHE   download the source package (apt-get
#                                          source, private deb-src lists under
#                                          CACHE: the host's apt setup is not
#                                          touched); run by deps/vm.sh
#   vm/gnutls-ktls.sh build CACHE   build CACHE/gnutls-ktls/libgnutls.so.30
#                                          (stripped) unless it is up to date;
#                                          prints its path
# Build dependencies (autoconf, automake, libtool, autopoint, gperf, bison,
# dpkg-dev, nettle-dev, libgmp-dev, libp11-kit-dev, libtasn1-6-dev,
# libunistring-dev, libidn2-dev, pkg-config) are installed by deps/vm.sh.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
CMD=${1:-}
CACHE=${2:-$ROOT/build/vm/cache}
# absolute: apt reads relative Dir:: paths under /etc/apt
mkdir -p "$CACHE" && CACHE=$(cd "$CACHE" && pwd)
SRC=$CACHE/gnutls-src
OUT=$CACHE/gnutls-ktls
# bump when the build below changes (the built library is kept while
# "$VER rev $REV" is unchanged)
REV=1
die() { echo "gnutls-ktls: $*" >&2; exit 1; }
. "$ROOT/deps/apt-src.sh"	# apt_src_download

# the version of the host's library, which the guest image copies
VER=$(dpkg-query -W -f='${Version}' libgnutls30 2>/dev/null) || die "libgnutls30 is not installed"

fetch() {
	local dsc
	dsc=$(ls "$SRC"/gnutls28_*.dsc 2>/dev/null | head -n1 || true)
	if [ -n "$dsc" ] && [ "$(sed -n 's/^Version: //p' "$dsc")" = "$VER" ]; then
		return 0
	fi
	echo "gnutls-ktls: downloading Debian's source package gnutls28 $VER"
	apt_src_download gnutls-ktls "$CACHE" "gnutls28=$VER" "$SRC" || exit 1
}

build() {
	local lib=$OUT/libgnutls.so.30 stamp="$VER rev $REV"
	if [ -s "$lib" ] && [ "$(cat "$OUT/.stamp" 2>/dev/null)" = "$stamp" ]; then
		echo "$lib"
		return 0
	fi
	fetch
	local dsc w
	dsc=$(ls "$SRC"/gnutls28_*.dsc | head -n1)
	echo "gnutls-ktls: building libgnutls $VER with --enable-ktls (a few minutes, once)" >&2
	w=$(mktemp -d "$CACHE/.gnutls-build.XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$w'" EXIT
	# (no keyring here to check the .dsc signature: apt checked the
	# archive's Release file and the files' hashes when it downloaded them)
	dpkg-source --no-check -x "$dsc" "$w/src" >/dev/null 2>&1 || die "dpkg-source -x $dsc failed"
	(
		cd "$w/src"
		# as debian/rules does: regenerate the build system (Debian's
		# patches change configure.ac and Makefile.am), without gtk-doc
		rm -f $(grep -rl gettext-0.20 m4/ || true)
		GTKDOCIZE="echo DISABLED running gtkdocize" autoreconf -fi
		# Debian's libgnutls30 options (debian/rules), without the parts
		# that are other packages, plus --enable-ktls
		./configure --prefix=/usr --sysconfdir=/etc --libdir=/usr/lib/x86_64-linux-gnu \
			--localstatedir=/var --enable-ld-version-script --disable-cxx --disable-rpath \
			--disable-libdane --without-tpm --without-tpm2 --without-zlib --without-brotli \
			--without-zstd --disable-doc --disable-gtk-doc --disable-guile --disable-tests \
			--disable-tools --disable-full-test-suite --disable-maintainer-mode \
			--with-default-trust-store-file=/etc/ssl/certs/ca-certificates.crt \
			--with-packager=Debian --enable-ktls
		grep -q '^#define ENABLE_KTLS 1' config.h || { echo "configure did not enable kTLS" >&2; exit 1; }
		make -j"$(nproc)" -C gl
		make -j"$(nproc)" -C lib
	) > "$w/build.log" 2>&1 || { tail -30 "$w/build.log" >&2; die "building libgnutls failed"; }
	local so
	so=$(readlink -f "$w/src/lib/.libs/libgnutls.so.30")
	# same exported symbols as the host's library, or the guest's programs
	# could not load it
	nm -D --defined-only "$so" | awk '{print $3}' | sort > "$w/new.sym"
	nm -D --defined-only "$(readlink -f /usr/lib/x86_64-linux-gnu/libgnutls.so.30)" | awk '{print $3}' | sort > "$w/host.sym"
	cmp -s "$w/new.sym" "$w/host.sym" || die "the rebuilt libgnutls exports other symbols than Debian's"
	mkdir -p "$OUT"
	strip --strip-unneeded -o "$lib.tmp" "$so"
	mv "$lib.tmp" "$lib"
	echo "$stamp" > "$OUT/.stamp"
	echo "$lib"
}

case $CMD in
fetch) fetch;;
build) build;;
*) echo "usage: vm/gnutls-ktls.sh fetch|build [CACHE]" >&2; exit 2;;
esac
