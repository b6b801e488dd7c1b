# The TLS bulk microbenchmark of `make eval` (sourced by eval/eval.sh;
# interface in eval/README.md): the paper's "TLS microbenchmark", 32 KiB
# writes on 4 TLS 1.3 connections (AES-128-GCM), one phase per direction:
#   tlsrx  wire -> guest: 4 bf_tls servers in the guest receive with kTLS RX
#          (set up by bf_tls -R: OpenSSL 3.0 has no TLS 1.3 kTLS RX of its
#          own) and check every byte against the seed pattern
#   tlstx  guest -> wire: 4 bf_tls servers in the guest send with kTLS TX,
#          the wire side's clients check every byte
# A request is one 32 KiB write. Bytes per connection: 16 MiB (4 MiB with
# EVAL_QUICK=1).

WL_TLS_CONNS=4
WL_TLS_WRITE=32768
WL_TLS_RX_BASE=4430	# guest ports 4431..4434 receive
WL_TLS_TX_BASE=4440	# guest ports 4441..4444 send

wl_tls_bytes() { [ "${EVAL_QUICK:-0}" = 1 ] && echo $((4 << 20)) || echo $((16 << 20)); }
wl_tls_phases() { echo "tlsrx tlstx"; }
wl_tls_ports() {
	local i p=()
	for i in $(seq $WL_TLS_CONNS); do p+=($((WL_TLS_RX_BASE + i)) $((WL_TLS_TX_BASE + i))); done
	(IFS=,; echo "${p[*]}")
}
wl_tls_host_setup() { :; }

wl_tls_guest() {
	cat <<EOS
TLS_BYTES=$(wl_tls_bytes) TLS_CONNS=$WL_TLS_CONNS TLS_W=$WL_TLS_WRITE
TLS_RX_BASE=$WL_TLS_RX_BASE TLS_TX_BASE=$WL_TLS_TX_BASE
EOS
	cat <<'EOS'
# tls_servers DIR BASE: TLS_CONNS bf_tls servers on BASE+1.., one seed each
tls_servers() {
	local i
	TLS_PIDS=
	for i in $(seq $TLS_CONNS); do
		if [ $1 = recv ]; then
			/bf/bf_tls -v 1.3 -w $TLS_W -r $TLS_W -R -a 600 server $(($2 + i)) recv \
				$TLS_BYTES $((70 + i)) > /tmp/tls-$1$i.out 2>&1 &
		else
			/bf/bf_tls -v 1.3 -w $TLS_W -r $TLS_W -a 600 server $(($2 + i)) send \
				$TLS_BYTES $((80 + i)) > /tmp/tls-$1$i.out 2>&1 &
		fi
		TLS_PIDS="$TLS_PIDS $!"
	done
	for i in $(seq $TLS_CONNS); do listening $(($2 + i)) || echo "check $3 not_listening $(($2 + i))"; done
}
# tls_checks DIR PHASE: every server's verdict (recv: the guest checked the bytes)
tls_checks() {
	local i good=0 l
	for i in $(seq $TLS_CONNS); do
		l=$(grep -v listening /tmp/tls-$1$i.out | head -n1)
		echo "check $2 conn$i $l"
		case $l in "ok $TLS_BYTES bytes ktls_tx 1 "*) good=$((good + 1)) ;; esac
		[ $1 = recv ] && case $l in *" ktls_rx 1 "*) ;; *) echo "check $2 no_ktls_rx conn$i" ;; esac
	done
	echo "check $2 bad $((TLS_CONNS - good))"
}
tls_servers recv $TLS_RX_BASE tlsrx
eval_phase tlsrx
wait $TLS_PIDS
tls_checks recv tlsrx
tls_servers send $TLS_TX_BASE tlstx
eval_phase tlstx
wait $TLS_PIDS
tls_checks send tlstx
EOS
}

# wl_tls_host PHASE DIR: the wire side's 4 clients, in parallel
wl_tls_host() {
	local p=$1 d=$2 dir base seed0 i t0 t1 good=0 bytes
	bytes=$(wl_tls_bytes)
	case $p in
	tlsrx) dir=send base=$WL_TLS_RX_BASE seed0=70 ;;
	tlstx) dir=recv base=$WL_TLS_TX_BASE seed0=80 ;;
	*) echo "wl_tls_host: unknown phase $p" >&2; return 1 ;;
	esac
	t0=$(date +%s.%N)
	for i in $(seq $WL_TLS_CONNS); do
		ip netns exec $VM_SND timeout 600 $BUILD/tools/bf_tls -v 1.3 -w $WL_TLS_WRITE \
			-r $WL_TLS_WRITE client $VM_IP $((base + i)) $dir $bytes $((seed0 + i)) \
			> $d/$p-$i.out 2>&1 &
	done
	wait
	t1=$(date +%s.%N)
	for i in $(seq $WL_TLS_CONNS); do
		grep -q "^ok $bytes bytes" $d/$p-$i.out && good=$((good + 1)) ||
			echo "wl_tls: $p connection $i: $(head -n1 $d/$p-$i.out)" >&2
	done
	echo "result $p reqs $((WL_TLS_CONNS * bytes / WL_TLS_WRITE)) bytes $((WL_TLS_CONNS * bytes))" \
		"secs $(awk -v a=$t0 -v b=$t1 'BEGIN { printf "%.3f", b - a }') bad $((WL_TLS_CONNS - good))"
}
