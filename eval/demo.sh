#!/bin/bash
# make demo: build (done by make), bring up XDP + bifrost-host + a QEMU guest,
# move TLS traffic in modes vm, cvm, cvm+prpr, cvm+zced and bifrost (ZCED +
# OTTR + PRPR), tear everything down and print the I/O-tax report. Sizes: DEMO_RX_MB (wire->guest, default 32),
# DEMO_TX_MB (guest->wire, 16), DEMO_ICOUNT_MB (TLS RX, instructions counted,
# 32), DEMO_ICOUNT_TCP_MB (plain TCP RX, instructions counted, 32). DEMO_MODES picks modes
# (also bifrost-no-ottr: bifrost with the kernel's AES-GCM); DEMO_NS and
# DEMO_NET the topology's namespace prefix and 10.NET.0.0/24 (bfdm, and
# demo's subnet in tests/lib/subnets.txt).
set -u
. "$(dirname "$0")/../tests/lib/harness.sh"
. "$(dirname "$0")/../tests/lib/vmtopo.sh"
. "$(dirname "$0")/peers.sh"
bf_init demo
RX_MB=${DEMO_RX_MB:-32}
TX_MB=${DEMO_TX_MB:-16}
IC_MB=${DEMO_ICOUNT_MB:-32}	# the counted runs (exact counts: the size only
IC_TCP_MB=${DEMO_ICOUNT_TCP_MB:-32}	# averages TCP's own variation)
MODES=${DEMO_MODES:-"vm cvm cvm+prpr cvm+zced bifrost"}
ZCED_MB=128		# the guest's ZCED NUMA node (pool: a quarter of it)
ZCED_PORTS=443,8443	# the demo's TLS ports
# Peer rows with DPDK testpmd as the backend (vhost PMD + af_xdp PMD), when
# it can run here ('make deps-bench' installs it); DEMO_DPDK=0 leaves them
# out. Either way the report says why rows are missing.
DPDK_MODES= DPDK_WHY=
if [ "${DEMO_DPDK:-1}" != 1 ]; then
	DPDK_WHY="DEMO_DPDK=${DEMO_DPDK}"
elif DPDK_WHY=$(peer_check testpmd); then
	DPDK_MODES="dpdk-vm dpdk-cvm"
fi

say() { echo "demo: $*" >&2; }

say "guest swiotlb pool (probe boots)..."
RANGES=$(vm_swiotlb_range) || { echo "demo: cannot find the guest's swiotlb pool"; exit 1; }
# with a ZCED node the memory layout, and so the swiotlb pool, differ
RANGES_ZCED=$(VM_ZCED_MB=$ZCED_MB vm_swiotlb_range) ||
	{ echo "demo: cannot find the ZCED guest's swiotlb pool"; exit 1; }
[ -n "${DEMO_NET:-}" ] && BF_SUBNET_EXTRA="$DEMO_NET"
DEMO_NET=${DEMO_NET:-$(bf_net)}
say "topology: wire namespace -> XDP on ${DEMO_NS:-bfdm}0 -> bifrost-host -> vhost-user -> guest"
vm_up ${DEMO_NS:-bfdm} $DEMO_NET vm off "" || { echo "demo: setup failed"; exit 1; }

# set_mode GUEST_MODE(vm|cvm) PRPR(on|off) [zced [OTTR(1|0)]]: policy reload +
# backend restart; zced: the guest runs Bifrost's modules with ZCED for the TLS
# ports and the backend knows only its swiotlb pool (the ZCED pool is
# announced); OTTR 0: ZCED sockets' AES-GCM is the kernel's (bifrost-no-ottr).
set_mode() {
	vm_backend_stop
	VM_MODE=$1 VM_ZCED_MB=0 VM_ZCED= VM_ZCED_OTTR=1
	VM_CVM_RANGES=
	[ "$1" = cvm ] && VM_CVM_RANGES=$RANGES
	if [ "${3:-}" = zced ]; then
		VM_ZCED_MB=$ZCED_MB VM_ZCED=$ZCED_PORTS VM_CVM_RANGES=$RANGES_ZCED
		VM_ZCED_OTTR=${4:-1}
	fi
	sed -i "s/prpr o[nf]*/prpr $2/" "$BF_TMP/vm.conf"
	$BFCTL reload $VM_WIRE --config "$BF_TMP/vm.conf" >/dev/null
	vm_backend_start || { echo "demo: the backend did not start (see above)"; exit 1; }
}

# run_guest RX_BYTES TX_BYTES TCP_BYTES [launch options]: one boot, TLS
# wire->guest, then guest->wire, then plain TCP wire->guest, with guest
# counter snapshots around each phase.
run_guest() {
	local rx=$1 tx=$2 tcp=$3; shift 3
	cat > "$BF_TMP/run.sh" <<EOS
export OPENSSL_CONF=/etc/ssl/openssl-ktls.cnf
bf-snap rx0
/bf/bf_tls server 443 recv $rx 51 | grep -v listening | sed 's/^/rx /'
bf-snap rx1
[ $tx -gt 0 ] && /bf/bf_tls client $VM_SND_IP 8443 send $tx 52 | sed 's/^/tx /'
bf-snap tx1
[ $tcp -gt 0 ] && /bf/bf_stream recv 5001 $tcp 53 | grep -v listening | sed 's/^/tcp /'
bf-snap tcp1
EOS
	rm -f "$BF_TMP/h-tx.out" "$BF_TMP/h-rx.out"
	if [ "$tx" -gt 0 ]; then
		ip netns exec $VM_SND timeout 600 $BUILD/tools/bf_tls server 8443 recv $tx 52 \
			> "$BF_TMP/h-tx.out" 2>&1 &
	fi
	local hp=$!
	VM_TIMEOUT=900 vm_launch "$BF_TMP/run.sh" "$@"
	wait_for test -e "$BF_TMP/vm.ready" || wait_for test -e "$BF_TMP/vm.ready" ||
		wait_for test -e "$BF_TMP/vm.ready"
	ip netns exec $VM_SND timeout 600 $BUILD/tools/bf_tls client $VM_IP 443 send $rx 51 \
		> "$BF_TMP/h-rx.out" 2>&1
	[ "$tx" -gt 0 ] && wait $hp
	[ "$tcp" -gt 0 ] && ip netns exec $VM_SND timeout 600 $BUILD/tools/bf_stream send \
		$VM_IP 5001 $tcp 53 >/dev/null 2>&1
	vm_wait
}

snap() { vm_snap_field "$1" "$2"; }
secs() { awk '/^ok/ {for (i = 1; i < NF; i++) if ($i == "secs") print $(i + 1)}' "$1"; }

# DPDK testpmd as the vhost-user backend (peer_up testpmd, eval/peers.sh):
# the same wire namespace and addresses, testpmd's af_xdp PMD on the wire veth
# (with its own XDP program), forwarding without merging and without
# shared-range checks; its af_xdp port has no checksum/TSO offload, so the
# guest's virtio offloads are off (VM_DEV_OPTS). The first call takes the
# bifrost topology down.
set_dpdk_mode() {
	if [ -n "$PEER_KIND" ]; then peer_down; else vm_down; fi
	peer_up testpmd ${DEMO_NS:-bfdm} $DEMO_NET $1 >&2
}

declare -A R
NOTES=()
DONE_MODES= KERNELS=
for m in $MODES $DPDK_MODES; do
	case $m in
	vm) set_mode vm off ;;
	cvm) set_mode cvm off ;;
	cvm+prpr) set_mode cvm on ;;
	cvm+zced) set_mode cvm off zced ;;
	bifrost) set_mode cvm on zced ;;
	bifrost-no-ottr) set_mode cvm on zced 0 ;;
	dpdk-vm|dpdk-cvm)
		set_dpdk_mode ${m#dpdk-} ||
			{ DPDK_WHY="testpmd did not come up for $m (see above)"; continue; } ;;
	*) echo "demo: unknown mode $m"; exit 1 ;;
	esac
	DONE_MODES="$DONE_MODES $m"
	say "mode $m: TLS ${RX_MB} MiB wire->guest, ${TX_MB} MiB guest->wire..."
	run_guest $((RX_MB << 20)) $((TX_MB << 20)) 0
	ok_rx=$(vm_out | grep -c "^rx ok $((RX_MB << 20)) bytes ktls_tx 1 ktls_rx 1")
	ok_tx=$(grep -c "^ok $((TX_MB << 20)) bytes" "$BF_TMP/h-tx.out" 2>/dev/null)
	R[$m,exact]=$([ "$ok_rx$ok_tx" = 11 ] && echo yes || echo NO)
	[ "$ok_rx" = 1 ] || NOTES+=("$m: TLS wire->guest: guest said '$(vm_out | grep '^rx ' | head -1)', sender '$(head -1 "$BF_TMP/h-rx.out")'")
	[ "$ok_tx" = 1 ] || NOTES+=("$m: TLS guest->wire: receiver said '$(head -1 "$BF_TMP/h-tx.out" 2>/dev/null)', guest '$(vm_out | grep '^tx ' | head -1)'")
	R[$m,rx_mbs]=$(awk -v s="$(secs "$BF_TMP/h-rx.out")" -v mb=$RX_MB 'BEGIN { if (s > 0) printf "%.1f", mb / s; else print "-" }')
	R[$m,tx_mbs]=$(awk -v s="$(secs "$BF_TMP/h-tx.out")" -v mb=$TX_MB 'BEGIN { if (s > 0) printf "%.1f", mb / s; else print "-" }')
	R[$m,pkts]=$(( ($(snap rx1 rx_packets) - $(snap rx0 rx_packets)) / RX_MB ))
	R[$m,bounce]=$(( ($(snap tx1 bounced_bytes) - $(snap rx0 bounced_bytes)) / (RX_MB + TX_MB) ))
	# the AES-GCM the guest's kTLS sockets ran on (kernel driver, or ZCED's AEAD)
	R[$m,aead]=$(vm_stat gcm_aes_driver)
	KERNELS="$KERNELS $(vm_stat guest_kernel)"
	[ -z "$(vm_stat zced_aead_impl)" ] || R[$m,aead]="zced-$(vm_stat zced_aead_impl)"
	R[$m,viol]=n/a
	[[ $m != dpdk-* ]] && R[$m,viol]=$(json_get $VM_WIRE '.guests[0].backend.violations')

	say "mode $m: TLS ${IC_MB} MiB and TCP ${IC_TCP_MB} MiB wire->guest, instructions counted..."
	# without the swiotlb bounce histogram: it costs a cvm guest ~8 % of its
	# instructions (bounced bytes come from the run above); the exact
	# instruction counter (vm/tcg-insn-count.c) between bf-snap's marks
	run_guest $((IC_MB << 20)) 0 $((IC_TCP_MB << 20)) --icount --insn-count --append bf.bounce_hist=0
	if [ -z "$(snap rx0 insn)" ] || [ -z "$(snap tcp1 insn)" ]; then
		NOTES+=("$m (counted run): no instruction counts (bf-snap marks or the TCG plugin missing)")
	else
		R[$m,instr]=$(( ($(snap rx1 insn) - $(snap rx0 insn)) / IC_MB ))
		R[$m,tcpinstr]=$(( ($(snap tcp1 insn) - $(snap tx1 insn)) / IC_TCP_MB ))
		# where the TLS instructions go: user space, kernel
		for p in user kernel; do
			R[$m,$p]=$(( ($(snap rx1 insn_$p) - $(snap rx0 insn_$p)) / IC_MB ))
		done
		# the same with each REP string instruction once (the counter's
		# REP iterations after the first out), as hardware counts
		if [ -n "$(snap rx1 insn_rep_kernel)" ]; then
			rep=$(( $(snap rx1 insn_rep_user) + $(snap rx1 insn_rep_kernel) -
				$(snap rx0 insn_rep_user) - $(snap rx0 insn_rep_kernel) ))
			R[$m,once]=$(( ($(snap rx1 insn) - $(snap rx0 insn) - rep) / IC_MB ))
		fi
	fi
	if [ "$(vm_out | grep -c "^rx ok")$(vm_out | grep -c "^tcp ok")" != 11 ]; then
		R[$m,exact]=NO
		NOTES+=("$m (icount run): guest said '$(vm_out | grep -E '^(rx|tcp) ' | tr '\n' ' ')'")
	fi
	if [[ $m != dpdk-* ]]; then
		v=$(json_get $VM_WIRE '.guests[0].backend.violations')
		R[$m,viol]=$(( R[$m,viol] + v ))
	fi
done
if [ -n "$PEER_KIND" ]; then peer_down; else vm_backend_stop; fi

echo
echo "Bifrost I/O-tax report: TLS 1.2 (kTLS in the guest), QEMU/TCG guest, $(date -u +%F)"
KERNELS=$(echo $KERNELS | tr ' ' '\n' | sort -u | paste -sd' ')
echo "guest kernel: ${KERNELS:-not reported} (guest kernel line $GUEST_LINE, make GUEST_LINE=...)"
echo "per MB of TLS payload; packets and instructions for wire->guest; bounced for both directions"
printf "%-15s %8s %8s %14s %13s %15s %15s %10s %6s  %s\n" mode "RX MB/s" "TX MB/s" "guest pkts/MB" \
	"bounced B/MB" "TLS instr/MB" "TCP instr/MB" violations exact "AES-GCM"
for m in $DONE_MODES; do
	printf "%-15s %8s %8s %14s %13s %15s %15s %10s %6s  %s\n" "$m" "${R[$m,rx_mbs]}" "${R[$m,tx_mbs]}" \
		"${R[$m,pkts]}" "${R[$m,bounce]}" "${R[$m,instr]}" "${R[$m,tcpinstr]}" \
		"${R[$m,viol]}" "${R[$m,exact]}" "${R[$m,aead]:--}"
done
if [ -n "${R[cvm,pkts]:-}" ] && [ -n "${R[cvm+prpr,pkts]:-}" ]; then
	awk -v a="${R[cvm,pkts]}" -v b="${R[cvm+prpr,pkts]}" -v ia="${R[cvm,instr]}" \
	    -v ib="${R[cvm+prpr,instr]}" -v ta="${R[cvm,tcpinstr]}" -v tb="${R[cvm+prpr,tcpinstr]}" 'BEGIN {
		printf "cvm+prpr vs cvm: guest packets/MB %.1fx fewer (goal >= 20x)\n", a / (b ? b : 1)
		printf "cvm+prpr vs cvm: guest instructions/MB TLS %.3fx, plain TCP %.3fx\n",
			ib / (ia ? ia : 1), tb / (ta ? ta : 1)
	}'
fi
if [ -n "${R[cvm,pkts]:-}" ] && [ -n "${R[bifrost,pkts]:-}" ]; then
	awk -v pa="${R[cvm,pkts]}" -v pb="${R[bifrost,pkts]}" -v ba="${R[cvm,bounce]}" \
	    -v bb="${R[bifrost,bounce]}" -v ia="${R[cvm,instr]}" -v ib="${R[bifrost,instr]}" \
	    -v iv="${R[vm,instr]:-0}" 'BEGIN {
		printf "bifrost vs cvm: bounced bytes/MB %.1f %% (goal <= 5 %%), guest packets/MB %.1fx fewer (goal >= 20x)\n",
			100 * bb / (ba ? ba : 1), pa / (pb ? pb : 1)
		printf "bifrost vs cvm: guest instructions/MB TLS %.3fx (goal <= 0.6x)", ib / (ia ? ia : 1)
		if (iv) printf "; bifrost vs vm: %.3fx (goal <= 0.8x)", ib / iv
		printf "\n"
	}'
fi
if [ -n "${R[bifrost,instr]:-}" ] && [ -n "${R[bifrost-no-ottr,instr]:-}" ]; then
	awk -v o="${R[bifrost,instr]}" -v n="${R[bifrost-no-ottr,instr]}" 'BEGIN {
		printf "what OTTR costs: bifrost vs bifrost-no-ottr guest instructions/MB TLS %.3fx (%+d/MB)\n",
			o / (n ? n : 1), o - n
	}'
fi
echo "where the TLS instructions/MB go (wire->guest): user space (the application: reads and checks"
echo "every byte), kernel (recvmsg: kTLS decryption, copy to user; the driver, TCP/IP in softirq)"
for m in $MODES; do
	[ -n "${R[$m,user]:-}" ] && printf "  %-15s user %9d  kernel %9d\n" "$m" "${R[$m,user]}" "${R[$m,kernel]}"
done
# vs_cvm_vm LABEL KEY: "LABEL bifrost vs cvm Rx bifrost vs vm Rx" from R[MODE,KEY],
# for the modes that have it; nothing without bifrost's or without both others
vs_cvm_vm() {
	[ -n "${R[bifrost,$2]:-}" ] || return 0
	awk -v l="$1" -v b="${R[bifrost,$2]}" -v c="${R[cvm,$2]:-0}" -v v="${R[vm,$2]:-0}" 'BEGIN {
		if (!c && !v) exit
		printf "%s", l
		if (c) printf " bifrost vs cvm %.3fx", b / c
		if (v) printf " bifrost vs vm %.3fx", b / v
		printf "\n"
	}'
}
vs_cvm_vm "kernel only (without the application):" kernel
ONCE=
for m in $MODES; do [ -n "${R[$m,once]:-}" ] && ONCE="$ONCE $m"; done
if [ -n "$ONCE" ]; then
	echo "TLS instructions/MB (wire->guest) with each REP string instruction once, as a hardware count of"
	echo "instructions retired has it (the figures above count every iteration, as -icount does):"
	for m in $ONCE; do printf "  %-15s %9d\n" "$m" "${R[$m,once]}"; done
fi
vs_cvm_vm "each REP once:" once
for n in "${NOTES[@]}"; do echo "NOT BYTE-EXACT: $n"; done
[[ $DONE_MODES == *dpdk-* ]] && echo "dpdk-*: DPDK testpmd io-forwarding (vhost PMD <-> af_xdp PMD), no merging, no shared-range checks, guest offloads off (its af_xdp port has none)."
[ -z "$DPDK_WHY" ] || echo "dpdk-*: no DPDK testpmd rows: $DPDK_WHY"
echo "Throughput is host clock. Guest instructions: every instruction the guest executed between"
echo "the phase's marks, counted exactly by a QEMU TCG plugin (vm/tcg-insn-count.c), under -icount."
echo "AES-GCM: what the guest's kTLS ran on. The guest CPU has AES-NI, PCLMULQDQ, AVX2, VAES"
echo "(as every SEV-SNP/TDX host): stock kTLS gets the kernel's generic-gcm-aesni,"
echo "ZCED sockets Bifrost's single-pass AES-NI GCM (zced-vaes, or zced-avx where the CPU's"
echo "VAES disagrees with AES-NI, as QEMU 7.2's TCG does). BF_VM_CPU=noaesni"
echo "runs the demo on a guest without AES-NI."
echo "cvm+zced, bifrost: Bifrost's guest modules (ZCED pool of $((ZCED_MB / 4)) MiB on a shared NUMA"
echo "node, single-pass AES-NI GCM, OTTR header copies) with ZCED for TCP ports $ZCED_PORTS."
echo "bifrost-no-ottr (DEMO_MODES): bifrost with the kernel's AES-GCM on the pool pages (zced-kernel)."
echo "Emulated CVM: swiotlb=force +"
echo "iommu_platform=on and backend shared-range checks; the cost of memory"
echo "encryption and of VM exits is not emulated."
