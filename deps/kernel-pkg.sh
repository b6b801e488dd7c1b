# Debian kernel packages for the VMs and the guest modules (sourced by
# deps/vm.sh, the guest kernels, deps/hostkernels.sh, the host-matrix
# kernels, and deps/guest-kernel.sh, the headers and source of the guest
# kernel lines that are not installed with apt). Each package is downloaded
# once with `apt-get download` into the cache and unpacked there with
# dpkg-deb -x: nothing is installed into the host's /boot, /lib/modules or
# /usr/src, and no package's maintainer scripts run.

# apt_update: `apt-get update` once per run of the sourcing script.
BF_APT_UPDATED=${BF_APT_UPDATED:-0}
apt_update() {
	[ "$BF_APT_UPDATED" = 1 ] && return 0
	timeout 300 apt-get update -qq || { echo "kernel-pkg: apt-get update failed" >&2; return 1; }
	BF_APT_UPDATED=1
}

# deb_get TAG PKG[=VERSION] CACHE: prints the path of PKG's .deb (of
# VERSION, else any version already there or apt's candidate), downloaded
# once into CACHE. Messages (prefixed TAG) go to standard error; 0 or 1.
deb_get() {
	local tag=$1 spec=$2 cache=$3 name=${2%%=*} ver='*' deb dl
	case $spec in *=*) ver=${spec#*=};; esac
	mkdir -p "$cache"
	deb=$(ls "$cache/${name}_"$ver"_"*.deb 2>/dev/null | head -n1 || true)
	if [ -z "$deb" ]; then
		echo "$tag: downloading $spec" >&2
		apt_update || return 1
		# into a directory the _apt user may write (apt's sandbox)
		dl=$(mktemp -d /tmp/bfkpkg-dl.XXXXXX)
		chmod 755 "$dl"
		id _apt >/dev/null 2>&1 && chown _apt "$dl"
		(cd "$dl" && timeout 900 apt-get download -qq "$spec") ||
			{ rm -rf "$dl"; echo "$tag: apt-get download $spec failed" >&2; return 1; }
		mv "$dl/${name}_"*.deb "$cache"/ 2>/dev/null || true
		rm -rf "$dl"
		deb=$(ls "$cache/${name}_"$ver"_"*.deb 2>/dev/null | head -n1 || true)
		[ -n "$deb" ] || { echo "$tag: no .deb for $spec in $cache" >&2; return 1; }
	fi
	echo "$deb"
}

# debs_unpack TAG CACHE DIR SPEC...: the packages SPEC (PKG[=VERSION])
# fetched by deb_get into CACHE and unpacked together into DIR.tmp, which
# replaces DIR only when all went well (the caller may finish DIR.tmp
# first: it is still there when this returns). 0 or 1.
debs_unpack() {
	local tag=$1 cache=$2 dir=$3 spec deb
	shift 3
	rm -rf "$dir.tmp"
	for spec in "$@"; do
		deb=$(deb_get "$tag" "$spec" "$cache") || return 1
		dpkg-deb -x "$deb" "$dir.tmp" || { echo "$tag: dpkg-deb -x $deb failed" >&2; return 1; }
	done
}

# kernel_pkg_unpack TAG KVER CACHE DIR: linux-image-KVER unpacked into DIR
# (boot/vmlinuz-KVER, lib/modules/KVER) and depmod'ed there (the .deb ships
# no modules.dep: its postinst runs depmod). Does nothing when DIR has it
# already; takes over CACHE/kernel, where the guest kernel used to be.
kernel_pkg_unpack() {
	local tag=$1 kv=$2 cache=$3 dir=$4
	[ -f "$dir/boot/vmlinuz-$kv" ] && [ -f "$dir/lib/modules/$kv/modules.dep" ] && return 0
	if [ ! -e "$dir" ] && [ -f "$cache/kernel/boot/vmlinuz-$kv" ]; then
		mv "$cache/kernel" "$dir" && return 0
	fi
	debs_unpack "$tag" "$cache" "$dir" "linux-image-$kv" || return 1
	depmod -b "$dir.tmp" "$kv" || { echo "$tag: depmod -b $dir.tmp $kv failed" >&2; return 1; }
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
}
