#!/bin/bash
# A Bifrost guest run by libvirt: examples/libvirt/bifrost-guest.xml filled in
# for the test image (vhost-user interface served by bifrost-host, shared memfd
# memory, CVM emulation with iommu='on' + swiotlb=force, the ZCED NUMA node as
# a second cell) is validated, defined, started on a private session libvirtd
# (tests/lib/libvirt.sh), moves TCP and TLS byte-exact both ways through
# bifrost with ZCED on the TLS ports, shuts off, is undefined, and nothing of
# libvirt is left: no domain, no network, no daemon, no QEMU.
set -u
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/vmtopo.sh"
. "$(dirname "$0")/../lib/libvirt.sh"
bf_init libvirt
trap 'lv_stop; bf_cleanup' EXIT

for t in libvirtd virsh virt-xml-validate xmllint setpriv; do
	command -v $t >/dev/null || { fail "tools" "$t is missing: run 'make deps'"; exit 1; }
done

lv_start "$BF_TMP/lv" || { fail setup "private libvirtd"; exit 1; }
check_eq "libvirt: the private daemon has no network" "$(lv_virsh net-list --all --name | grep -c .)" 0

VM_ZCED_MB=128 VM_ZCED=443,8443
vm_up bflv $(bf_net) cvm on || { fail setup "topology"; exit 1; }
lv_grant "$VM_SOCK"
echo "INFO: shared range (guest swiotlb pool): $VM_CVM_RANGES"

# the filled-in template is valid libvirt domain XML
lv_domain_xml /k /i "" > "$BF_TMP/check.xml"
check_cmd "libvirt: the example validates (virt-xml-validate)" \
	virt-xml-validate "$BF_TMP/check.xml" domain

VM_LAUNCHER=lv_launch
vm_traffic_check libvirt 16 16

# the guest ran with what the XML asked for
log=$LV_DIR/console.log
qlog=$LV_DIR/cache/libvirt/qemu/log/$LV_NAME.log
check_eq "libvirt: guest swiotlb pool where the backend expects it" \
	"$(tr -d '\r' < "$log" | sed -n 's/^BF-SWIOTLB \(0x[0-9a-f]*\) \(0x[0-9a-f]*\).*/\1-\2/p' | head -n 1)" \
	"$VM_CVM_RANGES"
check_eq "libvirt: QEMU got both NUMA nodes as shared memfd" \
	"$(grep -o '"qom-type":"memory-backend-memfd","id":"ram-node[01]","share":true' "$qlog" | wc -l)" 2
check_eq "libvirt: QEMU got iommu_platform on the vhost-user device" \
	"$(grep -c '"driver":"virtio-net-pci-non-transitional","iommu_platform":true' "$qlog")" 1
x='.guests[0].backend'
check_eq "libvirt: backend violations" "$(json_get $VM_WIRE "$x.violations")" 0
check_eq "libvirt: backend took the guest's ZCED pool (node 1) in band" \
	"$(( $(json_get $VM_WIRE "$x.zced_announce") >= 1 ))" 1

# the guest powered off; libvirt destroyed it (on_poweroff); undefine it
[ "$(lv_state)" = "shut off" ] || lv_virsh destroy "$LV_NAME" >/dev/null
check_eq "libvirt: domain shut off" "$(lv_state)" "shut off"
check_cmd "libvirt: undefine" lv_virsh undefine "$LV_NAME"
check_eq "libvirt: no domain left" "$(lv_virsh list --all --name | grep -c .)" 0
check_eq "libvirt: no network left" "$(lv_virsh net-list --all --name | grep -c .)" 0
check_eq "libvirt: no libvirt bridge or 192.168.122.0/24 route on the host" \
	"$( (ip -o link show type bridge; ip -4 route) | grep -c -E 'virbr|192\.168\.122\.')" 0
pid=$LV_PID
lv_stop
check_eq "libvirt: libvirtd stopped" "$(kill -0 $pid 2>/dev/null && echo running)" ""
# its QEMU (whose command line names the initrd under LV_DIR), and no virtlogd
check_eq "libvirt: no QEMU or virtlogd of the test left" \
	"$( (pgrep -u "$LV_USER" -f -- "$LV_DIR"; pgrep -u "$LV_USER" -x virtlogd) | wc -l)" 0
