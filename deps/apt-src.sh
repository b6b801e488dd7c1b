#!/bin/bash
# deps/apt-src.sh - Debian source packages without touching the host's apt
# setup: sourced by the scripts that build from Debian's sources
# (vm/gnutls-ktls.sh, vm/qemu-plugin-header.sh).
#
# apt_src_download TAG CACHE PKG=VERSION DEST
#   Downloads the source package PKG=VERSION (.dsc, orig and debian
#   tarballs; apt checks them against the archive's signed indices) into
#   the new directory DEST (replaced when the download succeeds). The
#   deb-src lists are the host's own Debian archives (sources.list and
#   *.sources entries whose URIs name debian), kept under CACHE/apt-src
#   while it runs. TAG prefixes the error messages. Returns 1 on failure.
apt_src_download() {
	local tag=$1 cache=$2 spec=$3 dest=$4 f
	local apt=$cache/apt-src
	rm -rf "$apt"
	mkdir -p "$apt/lists/partial" "$apt/parts"
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		grep -q -i '^URIs:.*debian' "$f" || continue
		sed 's/^Types:.*/Types: deb-src/' "$f" > "$apt/parts/$(basename "$f")"
	done
	if [ -f /etc/apt/sources.list ]; then
		sed -n 's/^deb \(.*debian.*\)/deb-src \1/p' /etc/apt/sources.list > "$apt/parts/main.list"
	fi
	local o=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$apt/parts"
		-o "Dir::State::Lists=$apt/lists" -o APT::Sandbox::User=root -qq)
	timeout 300 apt-get "${o[@]}" update ||
		{ echo "$tag: apt-get update (deb-src lists) failed" >&2; return 1; }
	rm -rf "$dest.tmp"
	mkdir -p "$dest.tmp"
	(cd "$dest.tmp" && timeout 600 apt-get "${o[@]}" source --download-only "$spec" >/dev/null) ||
		{ echo "$tag: apt-get source $spec failed" >&2; rm -rf "$dest.tmp" "$apt"; return 1; }
	rm -rf "$dest" "$apt"
	mv "$dest.tmp" "$dest"
}
