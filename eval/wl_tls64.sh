# The swiotlb exhaustion scenario's workload (sourced by eval/eval.sh, which
# runs it in its own cells, swiotlb8m-cvm and swiotlb8m-bifrost, on guests
# whose bounce pool is EVAL_SWIOTLB_MB (8) MiB, as a paravisor-style CVM has;
# interface in eval/README.md): 64 TLS 1.3 connections at once, one phase per
# direction:
#   tls64rx  wire -> guest: 64 connections to one bf_tls server (-n 64) in
#            the guest, kTLS RX (bf_tls -R), every byte checked
#   tls64tx  guest -> wire: the same, the guest sends with kTLS TX, the wire
#            side checks every byte
# What the guest counts over each phase ("check P KEY N" lines, each a
# delta): swiotlb_full, the bounce slot allocations that failed
# (swiotlb_tbl_map_single returning DMA_MAPPING_ERROR, the kernel's
# "swiotlb buffer is full", counted by a kretprobe hist trigger, not the
# rate-limited message); swiotlb_maps, every bounce slot allocation;
# rx_dropped, tx_dropped (eth0); retrans (the guest's
# TcpRetransSegs). The wire side adds wire_retrans (its TcpRetransSegs) and
# guest_full_drops (bifrost-host's drop_guest_full: packets the guest had
# no receive buffer for). A request is one 32 KiB write. Bytes per
# connection: 1 MiB (256 KiB with EVAL_QUICK=1).

WL_TLS64_CONNS=64
WL_TLS64_WRITE=32768
WL_TLS64_RX_PORT=4450	# the guest receives on it
WL_TLS64_TX_PORT=4451	# the guest sends on it

wl_tls64_bytes() { [ "${EVAL_QUICK:-0}" = 1 ] && echo $((256 << 10)) || echo $((1 << 20)); }
wl_tls64_phases() { echo "tls64rx tls64tx"; }
wl_tls64_ports() { echo "$WL_TLS64_RX_PORT,$WL_TLS64_TX_PORT"; }
wl_tls64_host_setup() { :; }

wl_tls64_guest() {
	cat <<EOS
T64_BYTES=$(wl_tls64_bytes) T64_CONNS=$WL_TLS64_CONNS T64_W=$WL_TLS64_WRITE
T64_RX_PORT=$WL_TLS64_RX_PORT T64_TX_PORT=$WL_TLS64_TX_PORT
EOS
	cat <<'EOS'
# swiotlb-full events: a return probe on swiotlb_tbl_map_single, counted
# by a hist trigger when it returns DMA_MAPPING_ERROR (~0)
T64_T=/sys/kernel/tracing
T64_EV=$T64_T/events/kprobes/bf_swiotlb_full
if [ ! -d $T64_EV ]; then
	echo 'r:bf_swiotlb_full swiotlb_tbl_map_single ret=$retval' >> $T64_T/kprobe_events &&
	echo 'hist:keys=ret:vals=hitcount if ret == 0xffffffffffffffff' > $T64_EV/trigger &&
	echo 'hist:keys=__probe_func:vals=hitcount' >> $T64_EV/trigger ||
		echo "check tls64rx no_swiotlb_full_probe 1"
fi
# t64_hits KEY: the hitcount of the hist keyed by KEY (ret: the failed
# mappings; __probe_func: every mapping)
t64_hits() {
	awk -v k="$1:" '$2 == k { for (i = 1; i < NF; i++) if ($i == "hitcount:") s += $(i + 1) }
		END { print s + 0 }' $T64_EV/hist 2>/dev/null
}
t64_counters() {
	local full maps rxd txd rt
	full=$(t64_hits ret) maps=$(t64_hits __probe_func)
	read -r rxd < /sys/class/net/eth0/statistics/rx_dropped
	read -r txd < /sys/class/net/eth0/statistics/tx_dropped
	rt=$(awk '$1 == "Tcp:" && !h { for (i = 2; i <= NF; i++) n[i] = $i; h = 1; next }
		$1 == "Tcp:" { for (i = 2; i <= NF; i++) if (n[i] == "RetransSegs") print $i }' /proc/net/snmp)
	echo "${full:-0} ${rxd:-0} ${txd:-0} ${rt:-0} ${maps:-0}"
}
# t64_phase PHASE recv|send PORT SEED [bf_tls options]: the guest's server of
# the 64 connections, the counters around the phase, the verdicts
t64_phase() {
	local p=$1 dir=$2 port=$3 seed=$4 a b good
	shift 4
	/bf/bf_tls -v 1.3 -n $T64_CONNS -w $T64_W -r $T64_W -a 600 "$@" server $port $dir \
		$T64_BYTES $seed > /tmp/$p.out 2>&1 &
	local pid=$!
	listening $port || echo "check $p not_listening $port"
	a=$(t64_counters)
	eval_phase $p
	wait $pid
	b=$(t64_counters)
	set -- $a $b
	echo "check $p swiotlb_full $(( $6 - $1 ))"
	echo "check $p rx_dropped $(( $7 - $2 ))"
	echo "check $p tx_dropped $(( $8 - $3 ))"
	echo "check $p retrans $(( $9 - $4 ))"
	echo "check $p swiotlb_maps $(( ${10} - $5 ))"
	good=$(grep -c "^ok $T64_BYTES bytes ktls_tx 1 " /tmp/$p.out)
	[ $dir = recv ] && good=$(grep "^ok $T64_BYTES bytes " /tmp/$p.out | grep -c ' ktls_rx 1 ')
	echo "check $p conns_ok $good"
	grep -v -e '^ok ' -e listening /tmp/$p.out | head -n 3 | sed "s/^/check $p said /"
	echo "check $p bad $((T64_CONNS - good))"
}
t64_phase tls64rx recv $T64_RX_PORT 91 -R
t64_phase tls64tx send $T64_TX_PORT 92
EOS
}

# wl_tls64_host PHASE DIR: the wire side's 64 connections (bf_tls -n 64)
wl_tls64_host() {
	local p=$1 d=$2 dir port seed t0 t1 good bytes r0 r1 g0 g1
	bytes=$(wl_tls64_bytes)
	case $p in
	tls64rx) dir=send port=$WL_TLS64_RX_PORT seed=91 ;;
	tls64tx) dir=recv port=$WL_TLS64_TX_PORT seed=92 ;;
	*) echo "wl_tls64_host: unknown phase $p" >&2; return 1 ;;
	esac
	wl_tls64_retrans() {
		ip netns exec $VM_SND awk '$1 == "Tcp:" && !h { for (i = 2; i <= NF; i++) n[i] = $i; h = 1; next }
			$1 == "Tcp:" { for (i = 2; i <= NF; i++) if (n[i] == "RetransSegs") print $i }' /proc/net/snmp
	}
	r0=$(wl_tls64_retrans)
	g0=$(json_get $VM_WIRE '.guests[0].backend.drop_guest_full' 2>/dev/null)
	t0=$(date +%s.%N)
	ip netns exec $VM_SND timeout 600 $BUILD/tools/bf_tls -v 1.3 -n $WL_TLS64_CONNS \
		-w $WL_TLS64_WRITE -r $WL_TLS64_WRITE client $VM_IP $port $dir $bytes $seed > $d/$p.out 2>&1
	t1=$(date +%s.%N)
	r1=$(wl_tls64_retrans)
	g1=$(json_get $VM_WIRE '.guests[0].backend.drop_guest_full' 2>/dev/null)
	good=$(grep -c "^ok $bytes bytes" $d/$p.out)
	[ "$good" = $WL_TLS64_CONNS ] ||
		echo "wl_tls64: $p: $good of $WL_TLS64_CONNS connections ok: $(grep -v '^ok ' $d/$p.out | head -n1)" >&2
	echo "result $p reqs $((WL_TLS64_CONNS * bytes / WL_TLS64_WRITE)) bytes $((WL_TLS64_CONNS * bytes))" \
		"secs $(awk -v a=$t0 -v b=$t1 'BEGIN { printf "%.3f", b - a }') bad $((WL_TLS64_CONNS - good))" \
		"wire_retrans $(( ${r1:-0} - ${r0:-0} )) guest_full_drops $(( ${g1:-0} - ${g0:-0} ))"
}
