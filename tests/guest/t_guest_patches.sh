#!/bin/bash
# The guest series applies to Debian's linux-source-6.1 exactly (no fuzz),
# every patch carries a description and a sign-off, and the patches, the
# bifrost_zced module and the wire format it shares with the backend
# (include/bifrost_zced_wire.h) pass the kernel's checkpatch.pl (from that
# source) with no error or warning; the module's exported functions have
# kernel-doc that the kernel's scripts/kernel-doc accepts. The patched modules
# keep the symbol versions of the exports Debian's own modules use (so stock
# virtio_pci loads against ours).
set -u
. "$(dirname "$0")/../lib/harness.sh"
bf_init guest_patches

G=$BUILD/guest
CP="perl $G/pristine/scripts/checkpatch.pl --no-tree --no-summary --terse"
[ -f $G/pristine/scripts/checkpatch.pl ] || { fail setup "no checkpatch.pl: run make guest-modules"; exit 1; }
for p in guest-driver/patches/*.patch; do
	n=$(basename "$p")
	check_cmd "$n applies without fuzz" patch --dry-run -d $G/pristine -p1 -s -F0 -i "$(pwd)/$p"
	check_eq "$n has a subject, a description and a sign-off" \
		"$(grep -c '^Subject: \[PATCH' "$p")$(( $(sed -n '/^Subject:/,/^---$/p' "$p" | wc -l) > 6 ))$(grep -c '^Signed-off-by: ' "$p")" 111
	out=$($CP - < "$p" 2>&1)	# (stdin: a path inside this git tree confuses it)
	[ -z "$out" ] || echo "$out"
	check_eq "$n: checkpatch.pl clean" "$(echo -n "$out" | grep -c .)" 0
done
for f in guest-driver/bifrost_zced/*.[ch] include/bifrost_zced_wire.h; do
	# types off for this file (guest-driver/checkpatch.ignore says why)
	ign=$(awk -v f="$(basename "$f")" '$1 == f {print "--ignore", $2}' guest-driver/checkpatch.ignore)
	# shellcheck disable=SC2086
	out=$($CP -f $ign "$(pwd)/$f" 2>&1)
	[ -z "$out" ] || echo "$out"
	check_eq "$(basename "$f"): checkpatch.pl clean" "$(echo -n "$out" | grep -c .)" 0
done
# kernel-doc: the kernel's scripts/kernel-doc (verbose) finds nothing to say
# about the module, and every function it exports has a kernel-doc comment
KD="perl $G/pristine/scripts/kernel-doc -none -v"
for f in guest-driver/bifrost_zced/*.c; do
	out=$($KD "$f" 2>&1 | grep -v ': info: Scanning doc for ')
	[ -z "$out" ] || echo "$out"
	check_eq "$(basename "$f"): kernel-doc clean" "$(echo -n "$out" | grep -c .)" 0
	for sym in $(sed -n 's/^EXPORT_SYMBOL_GPL(\(.*\));$/\1/p' "$f"); do
		check_cmd "$(basename "$f"): $sym() has kernel-doc" grep -q "^ \* $sym() - " "$f"
	done
done
# symbol versions: what Debian's virtio_pci needs from virtio_ring, ours exports
KMOD=$BUILD/vm/cache/kernel-6.1.0-56-amd64/lib/modules/6.1.0-56-amd64/kernel/drivers/virtio/virtio_pci.ko
if [ -f "$KMOD" ]; then
	need=$(/sbin/modprobe --dump-modversions "$KMOD" | awk '$2 ~ /^(vring|virtqueue)/ {print $2, $1}' | sort)
	have=$(awk '{print $2, $1}' $G/virtio_ring/Module.symvers | sort)
	missing=$(comm -23 <(echo "$need") <(echo "$have"))
	[ -z "$missing" ] || echo "$missing"
	check_eq "stock virtio_pci's virtio_ring symbols have the same versions in ours ($(echo "$need" | wc -l))" \
		"$(echo -n "$missing" | grep -c .)" 0
fi
