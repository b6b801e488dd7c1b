#!/bin/bash
# The guest as an emulated CVM (swiotlb=force, iommu_platform=on) and the
# backend enforcing shared ranges (--cvm with the guest's swiotlb pool):
# TCP and TLS both directions byte-exact with PRPR on, the guest's swiotlb
# counters show the bouncing, and the backend reports 0 violations.
set -u
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/vmtopo.sh"
bf_init vm_cvm

vm_up bfvc $(bf_net) cvm on || { fail setup "topology"; exit 1; }
echo "INFO: shared range (guest swiotlb pool): $VM_CVM_RANGES"
vm_traffic_check cvm 64 16
x='.guests[0].backend'
check_eq "cvm: backend violations" "$(json_get $VM_WIRE "$x.violations")" 0
check_eq "cvm: no drops at the guest port" "$(json_get $VM_WIRE "$x.drop_port")" 0
moved=$(( 2 * (64 + 16) << 20 ))
b0=$(vm_snap_field start bounced_bytes); b1=$(vm_snap_field end bounced_bytes)
echo "INFO: cvm mode: $(( (b1 - b0) >> 20 )) MiB bounced for $(( moved >> 20 )) MiB of payload"
check_eq "cvm: every payload byte bounced through swiotlb" "$(( b1 - b0 >= moved ))" 1
m=$(json_get $VM_WIRE "$x.merged_segs")
check_eq "cvm: PRPR merged segments before the guest" "$(( m > 1000 ))" 1
