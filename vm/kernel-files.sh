# vm/kernel-files.sh - the modules and the kernel image of an unpacked
# Debian kernel package (deps/kernel-pkg.sh), shared by build-image.sh (the
# guest's initramfs) and hostkernel.sh (the host-kernel VMs) (sourced).
# Debian 6.1 ships plain .ko files and an XZ bzImage; 6.12 compresses its
# modules (CONFIG_MODULE_COMPRESS_XZ), its bzImage with ZSTD, and has some
# modules built in (virtio, virtio_ring, virtio_pci, virtio_console, ctr).

# kmod_order MODDIR NAME...: the modules NAME (and each one's dependencies
# before it, from MODDIR/modules.dep), one path relative to MODDIR a line in
# load order, each once; '-' and '_' in NAME are the same. A module the
# kernel has built in (MODDIR/modules.builtin) needs nothing: no line. A
# name that is neither: a message on standard error and 1.
kmod_order() {
	local moddir=$1 seen=" " m rel d
	shift
	for m in "$@"; do
		rel=$(kmod_find "$moddir/modules.dep" "$m" :)
		if [ -z "$rel" ]; then
			[ -n "$(kmod_find "$moddir/modules.builtin" "$m" '')" ] && continue
			echo "module '$m' is neither in $moddir/modules.dep nor built in" >&2
			return 1
		fi
		# modules.dep lists dependencies nearest-first: load them in reverse
		for d in $(awk -F: -v r="$rel" '$1 == r { print $2; exit }' "$moddir/modules.dep" |
			tr ' ' '\n' | tac) "$rel"; do
			case $seen in *" $d "*) continue;; esac
			seen="$seen$d "
			echo "$d"
		done
	done
}

# kmod_find FILE NAME SEP: the first path in FILE (modules.dep: SEP ':',
# modules.builtin: none) whose module name is NAME, '-' and '_' alike.
kmod_find() {
	awk -v want="$(echo "$2" | tr - _)" -v sep="$3" '{
		p = $1; if (sep != "") sub(sep ".*", "", p)
		n = p; sub(/.*\//, "", n); sub(/\.ko(\.[a-z]+)?$/, "", n); gsub(/-/, "_", n)
		if (n == want) { print p; exit }
	}' "$1"
}

# kmod_plain PATH: PATH without the compression suffix (x.ko.xz -> x.ko).
kmod_plain() {
	local p=${1%.xz}
	p=${p%.zst}
	echo "${p%.gz}"
}

# kmod_copy SRC DEST: the module SRC as a plain ELF .ko at DEST (busybox
# insmod reads no compressed modules).
kmod_copy() {
	case $1 in
	*.ko) cp "$1" "$2";;
	*.ko.xz) xz -dc "$1" > "$2";;
	*.ko.zst) zstd -qdc "$1" > "$2";;
	*.ko.gz) gzip -dc "$1" > "$2";;
	*) echo "kmod_copy: $1 is not a kernel module" >&2; return 1;;
	esac
}

# vmlinux_extract BZIMAGE OUT: the uncompressed ELF kernel inside BZIMAGE
# (XZ: 6.1, ZSTD: 6.12) to OUT; 1 (and no OUT) when none is found.
vmlinux_extract() {
	local magic unpack off
	rm -f "$2"
	for magic in $'\xfd7zXZ' $'\x28\xb5\x2f\xfd'; do
		case $magic in $'\xfd7zXZ') unpack="xz -dc";; *) unpack="zstd -qdc";; esac
		for off in $(LC_ALL=C grep -abo "$magic" "$1" | cut -d: -f1); do
			tail -c +$((off + 1)) "$1" | $unpack > "$2.tmp" 2>/dev/null || true
			if [ "$(head -c 4 "$2.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
				mv "$2.tmp" "$2"
				return 0
			fi
		done
	done
	rm -f "$2.tmp"
	return 1
}
