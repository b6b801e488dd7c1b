# Debian kernel packages for the VMs (sourced by deps/vm.sh, the guest
# kernel, and deps/hostkernels.sh, the host-matrix kernels).
# Nothing is installed into the host's /boot or /lib/modules.

# apt_update: `apt-get update` once per run of the sourcing script.
BF_APT_UPDATED=${BF_APT_UPDATED:-0}
apt_update() {
	[ "$BF_APT_UPDATED" = 1 ] && return 0
	timeout 300 apt-get update -qq || { echo "kernel-pkg: apt-get update failed" >&2; return 1; }
	BF_APT_UPDATED=1
}

# kernel_pkg_unpack TAG KVER CACHE DIR: linux-image-KVER, downloaded once
# with `apt-get download` into CACHE, unpacked with dpkg-deb -x into DIR
# (boot/vmlinuz-KVER, lib/modules/KVER) and depmod'ed there (the .deb ships
# no modules.dep: its postinst runs depmod). Does nothing when DIR has it
# already. Messages (prefixed TAG) go to standard error; 0 or 1.
kernel_pkg_unpack() {
	local tag=$1 kv=$2 cache=$3 dir=$4 deb dl
	[ -f "$dir/boot/vmlinuz-$kv" ] && [ -f "$dir/lib/modules/$kv/modules.dep" ] && return 0
	mkdir -p "$cache"
	deb=$(ls "$cache"/linux-image-"$kv"_*.deb 2>/dev/null | head -n1 || true)
	if [ -z "$deb" ]; then
		echo "$tag: downloading linux-image-$kv" >&2
		apt_update || return 1
		# into a directory the _apt user may write (apt's sandbox)
		dl=$(mktemp -d /tmp/bfkpkg-dl.XXXXXX)
		chmod 755 "$dl"
		id _apt >/dev/null 2>&1 && chown _apt "$dl"
		(cd "$dl" && timeout 600 apt-get download -qq "linux-image-$kv") ||
			{ rm -rf "$dl"; echo "$tag: apt-get download linux-image-$kv failed" >&2; return 1; }
		mv "$dl"/linux-image-"$kv"_*.deb "$cache"/ 2>/dev/null || true
		rm -rf "$dl"
		deb=$(ls "$cache"/linux-image-"$kv"_*.deb 2>/dev/null | head -n1 || true)
		[ -n "$deb" ] || { echo "$tag: no .deb for linux-image-$kv in $cache" >&2; return 1; }
	fi
	rm -rf "$dir.tmp"
	dpkg-deb -x "$deb" "$dir.tmp" || { echo "$tag: dpkg-deb -x $deb failed" >&2; return 1; }
	depmod -b "$dir.tmp" "$kv" || { echo "$tag: depmod -b $dir.tmp $kv failed" >&2; return 1; }
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
}
