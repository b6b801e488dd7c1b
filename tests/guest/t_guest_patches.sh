#!/bin/bash
# Per guest kernel line (guest-driver/lines.sh): the line's series
# (guest-driver/patches/LINE) applies to Debian's linux-source of that line
# exactly (no fuzz), every patch carries a description and a sign-off, and
# passes that line's checkpatch.pl with no error or warning; a line whose
# series is still empty is said in an INFO line. The bifrost_zced module and
# the wire format it shares with the backend (include/bifrost_zced_wire.h)
# pass every line's checkpatch.pl; the module's exported functions have
# kernel-doc that every line's scripts/kernel-doc accepts. Where a line has
# its own virtio_ring (6.1), the patched one keeps the symbol versions of the
# exports Debian's own modules use (so stock virtio_pci loads against ours).
set -u
. "$(dirname "$0")/../lib/harness.sh"
bf_init guest_patches
. guest-driver/lines.sh

# series LINE G: the line's patches against its pristine source in G
series() {
	local l=$1 G=$2 p n out ps=()
	for p in guest-driver/patches/$l/*.patch; do [ -e "$p" ] && ps+=("$p"); done
	if [ ${#ps[@]} = 0 ]; then
		echo "INFO: line $l: no patches in guest-driver/patches/$l yet (its modules are Debian's files unpatched)"
		return 0
	fi
	for p in "${ps[@]}"; do
		n="$l/$(basename "$p")"
		check_cmd "$n applies without fuzz" patch --dry-run -d $G/pristine -p1 -s -F0 -i "$(pwd)/$p"
		check_eq "$n has a subject, a description and a sign-off" \
			"$(grep -c '^Subject: \[PATCH' "$p")$(( $(sed -n '/^Subject:/,/^---$/p' "$p" | wc -l) > 6 ))$(grep -c '^Signed-off-by: ' "$p")" 111
		out=$($CP - < "$p" 2>&1)	# (stdin: a path inside this git tree confuses it)
		[ -z "$out" ] || echo "$out"
		check_eq "$n: checkpatch.pl clean" "$(echo -n "$out" | grep -c .)" 0
	done
}

# module LINE G: bifrost_zced and the wire header against the line's style scripts
module() {
	local l=$1 G=$2 f ign out sym KD="perl $2/pristine/scripts/kernel-doc -none -v"
	for f in guest-driver/bifrost_zced/*.[ch] include/bifrost_zced_wire.h; do
		# types off for this file (guest-driver/checkpatch.ignore says why)
		ign=$(awk -v f="$(basename "$f")" '$1 == f {print "--ignore", $2}' guest-driver/checkpatch.ignore)
		# shellcheck disable=SC2086
		out=$($CP -f $ign "$(pwd)/$f" 2>&1)
		[ -z "$out" ] || echo "$out"
		check_eq "$l: $(basename "$f"): checkpatch.pl clean" "$(echo -n "$out" | grep -c .)" 0
	done
	# kernel-doc: the kernel's scripts/kernel-doc (verbose) finds nothing to
	# say about the module, and every function it exports has a kernel-doc comment
	for f in guest-driver/bifrost_zced/*.c; do
		out=$($KD "$f" 2>&1 | grep -v ': info: Scanning doc for ')
		[ -z "$out" ] || echo "$out"
		check_eq "$l: $(basename "$f"): kernel-doc clean" "$(echo -n "$out" | grep -c .)" 0
		for sym in $(sed -n 's/^EXPORT_SYMBOL_GPL(\(.*\));$/\1/p' "$f"); do
			check_cmd "$l: $(basename "$f"): $sym() has kernel-doc" grep -q "^ \* $sym() - " "$f"
		done
	done
}

# symvers G: what Debian's virtio_pci needs from virtio_ring, ours exports
symvers() {
	local G=$1 kmod need have missing
	kmod=$LINE_KTREE/lib/modules/$LINE_KVER/kernel/drivers/virtio/virtio_pci.ko
	[ -f "$kmod" ] && [ -f $G/virtio_ring/Module.symvers ] || return 0
	need=$(/sbin/modprobe --dump-modversions "$kmod" | awk '$2 ~ /^(vring|virtqueue)/ {print $2, $1}' | sort)
	have=$(awk '{print $2, $1}' $G/virtio_ring/Module.symvers | sort)
	missing=$(comm -23 <(echo "$need") <(echo "$have"))
	[ -z "$missing" ] || echo "$missing"
	check_eq "$LINE: stock virtio_pci's virtio_ring symbols have the same versions in ours ($(echo "$need" | wc -l))" \
		"$(echo -n "$missing" | grep -c .)" 0
}

for l in $BF_LINES; do
	bf_line $l
	G=$BUILD/guest/$l
	# the line's pristine source (cached; its tarball from make deps)
	if ! out=$(bash guest-driver/build.sh --pristine $l $G 2>&1); then
		fail "$l: pristine source" "$out"
		continue
	fi
	CP="perl $G/pristine/scripts/checkpatch.pl --no-tree --no-summary --terse"
	series $l $G
	module $l $G
	case " $LINE_MODS " in *" bifrost_virtio_ring "*) symvers $G;; esac
done
