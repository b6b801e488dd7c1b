# make eval workload "redis" (sourced by eval/eval.sh; interface in its
# header): redis-server 7.0 with TLS in the guest (OPENSSL_CONF with KTLS:
# OpenSSL 3.0 sends with kTLS; it receives with it on TLS 1.2 only), and
# eval/kvload.py (Debian's python3-redis) on the wire side: 4 TLS 1.3
# connections, each alternating SET of a value derived from (key, round)
# and GET of it, every reply compared byte for byte (the paper:
# memtier_benchmark, not packaged in Debian).
# Phases: redis4k (4 KiB values), redis256k (256 KiB values), each a fixed
# count of requests (wl_redis_requests; fewer with EVAL_QUICK=1).
# Guest check lines per phase: cmds (SET + GET commands redis counted,
# from INFO commandstats), ktls_tx (connections on kTLS TX), log_errors
# (error/warning lines in redis's log, at the end).

WL_REDIS_CONNS=4
WL_REDIS_PORT=6380

wl_redis_phases() { echo "redis4k redis256k"; }
wl_redis_ports() { echo $WL_REDIS_PORT; }

# wl_redis_size PHASE: value size in bytes
wl_redis_size() {
	case $1 in
	redis4k) echo 4096;;
	redis256k) echo 262144;;
	esac
}

# wl_redis_requests PHASE: the phase's requests (SET + GET), a multiple of
# 2 x WL_REDIS_CONNS
wl_redis_requests() {
	local q=${EVAL_QUICK:-0}
	case $1 in
	redis4k) [ $q = 1 ] && echo 1600 || echo 3200;;
	redis256k) [ $q = 1 ] && echo 120 || echo 480;;
	esac
}

wl_redis_host_setup() { mkdir -p "$1"; }

wl_redis_guest() {
	echo "WL_REDIS_PHASES=\"$(wl_redis_phases)\" WL_REDIS_PORT=$WL_REDIS_PORT"
	cat <<'EOS'
# --- make eval: redis ---------------------------------------------------
echo 1 > /proc/sys/vm/overcommit_memory	# what redis asks for (else it warns)
OPENSSL_CONF=/etc/ssl/openssl-ktls.cnf redis-server --port 0 --tls-port $WL_REDIS_PORT \
	--tls-cert-file /etc/ssl/bf/cert.pem --tls-key-file /etc/ssl/bf/key.pem \
	--tls-auth-clients no --tls-protocols "TLSv1.2 TLSv1.3" --protected-mode no \
	--save '' --appendonly no --dir /tmp --logfile /tmp/redis.log &
WL_RDS=$!
for i in $(seq 100); do ss -ltn | grep -q ":$WL_REDIS_PORT " && break; sleep 0.1; done
# wl_redis_cmds: SET + GET calls so far (INFO commandstats, over TLS too)
wl_redis_cmds() {
	redis-cli --tls --insecure -p $WL_REDIS_PORT info commandstats 2>/dev/null |
		awk -F'[:=,]' '$1 == "cmdstat_set" || $1 == "cmdstat_get" { n += $3 } END { print n + 0 }'
}
wl_redis_tls_tx() { awk '$1 == "TlsTxSw" { print $2 }' /proc/net/tls_stat 2>/dev/null; }
for p in $WL_REDIS_PHASES; do
	c0=$(wl_redis_cmds) k0=$(wl_redis_tls_tx)
	eval_phase $p
	k1=$(wl_redis_tls_tx)
	echo "check $p cmds $(( $(wl_redis_cmds) - c0 ))"
	echo "check $p ktls_tx $(( k1 - ${k0:-0} ))"
done
kill $WL_RDS; wait $WL_RDS
echo "check $p log_errors $(grep -c -i -E 'error|warning' /tmp/redis.log)"
grep -i -E 'error|warning' /tmp/redis.log | head -3 | sed 's/^/redis-log /'
EOS
}

wl_redis_host() {
	local p=$1 d=$2 n out
	n=$(wl_redis_requests $p)
	out=$(ip netns exec $VM_SND timeout $((EVAL_PHASE_LIMIT + 120)) /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/kvload.py" \
		redis $VM_IP $WL_REDIS_PORT --conns $WL_REDIS_CONNS --size "$(wl_redis_size $p)" \
		--requests $n --secs $EVAL_PHASE_LIMIT --tls13 2> "$d/kvload-$p.err")
	case $out in
	"reqs "*" bytes "*" secs "*" bad "*) echo "result $p $out asked $n";;
	*)	echo "wl_redis: $p: kvload gave no result: $(tail -3 "$d/kvload-$p.err" | tr '\n' ' ')" >&2
		echo "result $p reqs 0 bytes 0 secs 0 bad 1 asked $n";;
	esac
}
