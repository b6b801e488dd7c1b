#!/bin/bash
# A real Linux guest (QEMU, TCG) behind XDP -> AF_XDP -> bifrost-host ->
# vhost-user: ping, TCP and TLS 1.2 (kTLS) both directions byte-exact.
set -u
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/vmtopo.sh"
bf_init vm_vm

vm_up bfvv $(bf_net) vm off || { fail setup "topology"; exit 1; }
vm_traffic_check vm 64 16
x='.guests[0].backend'
check_eq "vm: no drops at the guest port" "$(json_get $VM_WIRE "$x.drop_port")" 0
check_eq "vm: no bad guest packets" "$(json_get $VM_WIRE "$x.drop_bad_tx")" 0
bounced=$(vm_snap_field end bounced_bytes)
echo "INFO: vm mode: swiotlb bytes bounced $bounced"
check_eq "vm: nothing bounced through swiotlb (not a CVM)" "$(( ${bounced:-1} < 1048576 ))" 1
