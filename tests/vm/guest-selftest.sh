#!/bin/bash
# Guest side of tests/vm/selftest.sh (runs in the guest as /bf/run.sh).
# Host peer $BF_PEER runs: iperf3 -s (5201), openssl s_server -WWW with /blob
# (4433), openssl s_server -naccept 1 writing what it receives (4434).
# Prints "result KEY VALUE" lines that selftest.sh checks.
set -u
P=$BF_PEER
CIPHER=ECDHE-RSA-AES128-GCM-SHA256
rc=0

# cvm: trace the bounce-slot address of every swiotlb mapping during the ping
KP=/sys/kernel/tracing
if [ "${BF_MODE:-}" = cvm ] && [ -w $KP/kprobe_events ]; then
	echo 'r:bfslot swiotlb_tbl_map_single slot=$retval:u64' >> $KP/kprobe_events &&
		echo 1 > $KP/events/kprobes/bfslot/enable || echo "kprobe on swiotlb_tbl_map_single failed"
fi
echo "== ping"
if ping -c 3 -W 3 "$P"; then echo "result ping ok"; else echo "result ping fail"; rc=1; fi

if [ -e $KP/events/kprobes/bfslot/enable ]; then
	echo 0 > $KP/events/kprobes/bfslot/enable
	# slots must lie in [BF_SWIOTLB_START, BF_SWIOTLB_END)
	grep -o 'slot=[0-9]*' $KP/trace | cut -d= -f2 > /tmp/slots
	echo "result slot_count $(wc -l < /tmp/slots)"
	lo=$((BF_SWIOTLB_START)) hi=$((BF_SWIOTLB_END)) out=0
	while read -r a; do [ "$a" -ge $lo ] && [ "$a" -lt $hi ] || out=$((out + 1)); done < /tmp/slots
	echo "result slots_outside_range $out"
	echo "result slot_min $(sort -n /tmp/slots | head -n1) slot_max $(sort -n /tmp/slots | tail -n1)"
fi

mbps() { awk '/receiver/ { for (i = 1; i < NF; i++) if ($(i + 1) == "Mbits/sec") print $i }'; }
echo "== iperf3 guest->host"
out=$(timeout 60 iperf3 -c "$P" -t "${BF_IPERF_T:-3}" -f m 2>&1) || rc=1
echo "$out" | grep -E 'sender|receiver|error'
echo "result iperf_tx_mbps $(echo "$out" | mbps)"
echo "== iperf3 host->guest"
out=$(timeout 60 iperf3 -c "$P" -t "${BF_IPERF_T:-3}" -f m -R 2>&1) || rc=1
echo "$out" | grep -E 'sender|receiver|error'
echo "result iperf_rx_mbps $(echo "$out" | mbps)"

export OPENSSL_CONF=/etc/ssl/openssl-ktls.cnf
tls() { grep -E "^$1 " /proc/net/tls_stat | awk '{ print $2 }'; }
echo "== kTLS RX: TLS 1.2 download of /blob"
rx0=$(tls TlsRxSw)
printf 'GET /blob HTTP/1.0\r\n\r\n' |
	timeout 120 openssl s_client -connect "$P:4433" -tls1_2 -cipher $CIPHER -quiet \
	> /tmp/dl 2>/tmp/dl.err || { rc=1; tail -n 3 /tmp/dl.err; }
# strip the HTTP header s_server -WWW puts before the file
hl=0
while IFS= read -r line; do
	hl=$((hl + ${#line} + 1))
	[ "$line" = $'\r' ] && break
done < /tmp/dl
tail -c +$((hl + 1)) /tmp/dl > /tmp/blob
echo "result download_bytes $(wc -c < /tmp/blob)"
echo "result download_sha256 $(sha256sum < /tmp/blob | cut -d' ' -f1)"
echo "result ktls_rx_sockets $(( $(tls TlsRxSw) - rx0 ))"
echo "== kTLS TX: TLS 1.2 upload of 4 MiB"
tx1=$(tls TlsTxSw)
head -c 4194304 /dev/urandom > /tmp/up
timeout 120 openssl s_client -connect "$P:4434" -tls1_2 -cipher $CIPHER -quiet \
	-no_ign_eof -nocommands < /tmp/up > /dev/null 2>/tmp/up.err || { rc=1; tail -n 3 /tmp/up.err; }
echo "result upload_sha256 $(sha256sum < /tmp/up | cut -d' ' -f1)"
echo "result ktls_tx_sockets $(( $(tls TlsTxSw) - tx1 ))"
cat /proc/net/tls_stat
exit $rc
