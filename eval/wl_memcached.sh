# make eval workload "memcached" (sourced by eval/eval.sh; interface
# in its header): Debian's memcached 1.6 with TLS in the guest (-Z, its
# certificate and key by -o ssl_chain_cert/ssl_key; TLS 1.3 at least;
# OPENSSL_CONF with KTLS and its own ssl_kernel_tls option), and
# eval/kvload.py (Debian's python3-pymemcache) on the wire side:
# 4 TLS 1.3 connections, each alternating SET of a value derived from (key,
# round) and GET of it, every reply compared byte for byte.
# Phases: memcached4k (4 KiB values), memcached256k (256 KiB values; the
# default item size limit is 1 MiB), each a fixed count of requests
# (wl_memcached_requests; fewer with EVAL_QUICK=1).
# Guest check lines per phase (memcached's own stats, read on a plain-TCP
# listener on the guest's loopback): cmds (cmd_set + cmd_get),
# get_misses, ssl_errors (ssl_handshake_errors), ktls_tx / ktls_rx
# (connections on kTLS TX / RX, /proc/net/tls_stat).

WL_MEMCACHED_CONNS=4
WL_MEMCACHED_PORT=11211

wl_memcached_phases() { echo "memcached4k memcached256k"; }
wl_memcached_ports() { echo $WL_MEMCACHED_PORT; }

# wl_memcached_size PHASE: value size in bytes
wl_memcached_size() {
	case $1 in
	memcached4k) echo 4096;;
	memcached256k) echo 262144;;
	esac
}

# wl_memcached_requests PHASE: the phase's requests (SET + GET), a multiple
# of 2 x WL_MEMCACHED_CONNS
wl_memcached_requests() {
	local q=${EVAL_QUICK:-0}
	case $1 in
	memcached4k) [ $q = 1 ] && echo 1600 || echo 3200;;
	memcached256k) [ $q = 1 ] && echo 120 || echo 480;;
	esac
}

wl_memcached_host_setup() { mkdir -p "$1"; }

wl_memcached_guest() {
	echo "WL_MEMCACHED_PHASES=\"$(wl_memcached_phases)\" WL_MEMCACHED_PORT=$WL_MEMCACHED_PORT"
	cat <<'EOS'
# --- make eval: memcached -----------------------------------------------
OPENSSL_CONF=/etc/ssl/openssl-ktls.cnf memcached -u root -m 256 -U 0 -p $WL_MEMCACHED_PORT -Z \
	-o ssl_chain_cert=/etc/ssl/bf/cert.pem,ssl_key=/etc/ssl/bf/key.pem,ssl_min_version=3,ssl_kernel_tls \
	-l 0.0.0.0 -l notls:127.0.0.1:11299 > /tmp/memcached.log 2>&1 &
WL_MC=$!
for i in $(seq 100); do ss -ltn | grep -q ":$WL_MEMCACHED_PORT " && break; sleep 0.1; done
# wl_memcached_stat NAME...: the sum of these memcached stats
wl_memcached_stat() {
	printf 'stats\r\nquit\r\n' | timeout 10 nc 127.0.0.1 11299 2>/dev/null | tr -d '\r' |
		awk -v names=" $* " 'index(names, " " $2 " ") { n += $3 } END { print n + 0 }'
}
wl_memcached_tls() { awk -v k="$1" '$1 == k { print $2 }' /proc/net/tls_stat 2>/dev/null; }
for p in $WL_MEMCACHED_PHASES; do
	c0=$(wl_memcached_stat cmd_set cmd_get) m0=$(wl_memcached_stat get_misses)
	s0=$(wl_memcached_stat ssl_handshake_errors)
	t0=$(wl_memcached_tls TlsTxSw) r0=$(wl_memcached_tls TlsRxSw)
	eval_phase $p
	echo "check $p ktls_tx $(( $(wl_memcached_tls TlsTxSw) - ${t0:-0} ))"
	echo "check $p ktls_rx $(( $(wl_memcached_tls TlsRxSw) - ${r0:-0} ))"
	echo "check $p cmds $(( $(wl_memcached_stat cmd_set cmd_get) - c0 ))"
	echo "check $p get_misses $(( $(wl_memcached_stat get_misses) - m0 ))"
	echo "check $p ssl_errors $(( $(wl_memcached_stat ssl_handshake_errors) - s0 ))"
done
kill $WL_MC; wait $WL_MC
head -3 /tmp/memcached.log | sed 's/^/memcached-log /'
EOS
}

wl_memcached_host() {
	local p=$1 d=$2 n out
	n=$(wl_memcached_requests $p)
	out=$(ip netns exec $VM_SND timeout $((EVAL_PHASE_LIMIT + 120)) /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/kvload.py" \
		memcached $VM_IP $WL_MEMCACHED_PORT --conns $WL_MEMCACHED_CONNS --size "$(wl_memcached_size $p)" \
		--requests $n --secs $EVAL_PHASE_LIMIT --tls13 2> "$d/kvload-$p.err")
	case $out in
	"reqs "*" bytes "*" secs "*" bad "*) echo "result $p $out asked $n";;
	*)	echo "wl_memcached: $p: kvload gave no result: $(tail -3 "$d/kvload-$p.err" | tr '\n' ' ')" >&2
		echo "result $p reqs 0 bytes 0 secs 0 bad 1 asked $n";;
	esac
}
