#!/bin/bash
# TLS 1.3 through ZCED, both directions, every kTLS send path. One ZCED guest
# (emulated CVM, Bifrost's guest modules, ZCED for the ports 4431-4446; the
# backend in --cvm mode) runs the phases below one after the other, each
# against its own wire-side peer (bf_tls, user-space OpenSSL: the host
# kernel has no kTLS). The guest prints its ZCED counters, /proc/net/tls_stat
# and eth0 packet counts before and after each phase; the checks use the
# differences.
#   RX (guest: bf_tls -R: OpenSSL 3.0 does no kTLS RX for TLS 1.3, and
#   Debian 12's GnuTLS is built without kTLS, so bf_tls hands the peer's
#   TLS 1.3 keys to the kernel itself; 1.2 with OpenSSL's own kTLS RX):
#   records split over many packets (PRPR off: wire MSS 256 with the TLS
#   stream written in 1000-byte pieces, and full-size segments), odd record
#   and read sizes, AES-256 with
#   record padding, TLS 1.2, ChaCha20 (not ZCED, counted), a KeyUpdate from
#   the wire (6.1's kTLS cannot rekey: the records after it fail to decrypt,
#   the bytes before it are exact).
#   TX (guest: bf_tls, OpenSSL with kTLS TX): SSL_write of odd sizes
#   (1 byte .. 64 KiB), AES-256, sendfile, splice of many small pipe buffers
#   (1.3 and 1.2), send(MSG_MORE) of small pieces, ChaCha20, a KeyUpdate the
#   wire requests mid-stream.
# Every stream is checked byte-exact by its receiver; kTLS in use
# (tls_stat); ZCED in use (tls_zced, zced_tx/rx_bytes, records); the
# backend saw no violation; no oops; every pool page back at the end.
set -u
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/vmtopo.sh"
bf_init vm_tls13

PORTS=$(seq -s, 4431 4446)
VM_ZCED_MB=128 VM_ZCED=$PORTS VM_TIMEOUT=540
# PRPR off for the first phase (records split over many packets), then on
vm_up bft3 $(bf_net) cvm off || { fail setup "topology"; exit 1; }
# ChaCha20-Poly1305 for the guest: the modules of the line's kernel (with
# their dependencies, plain .ko: vm/kernel-files.sh), added at launch
. vm/kernel-files.sh
MODDIR=$LINE_KTREE/lib/modules/$LINE_KVER
CHACHA_KOS=$(kmod_order $MODDIR libchacha chacha_generic libpoly1305 poly1305_generic \
	chacha20poly1305) || { fail setup "ChaCha20-Poly1305 modules of $LINE_KVER"; exit 1; }

MB=$((1 << 20))
KU=300000	# KeyUpdate phases: bytes before the KeyUpdate
SIZES=1,2,3,100,1000,4095,4096,4097,16383,16384,16385,50000,65536
# "name port bytes DIR|guest options|wire options": the guest runs bf_tls
# OPTIONS client WIRE_IP PORT DIR BYTES SEED, the wire side bf_tls OPTIONS
# server PORT (the other DIR) BYTES SEED; SEED is the port.
PHASES=(
	"rsplit 4431 $MB recv|-v 1.3 -R -r 1,100,4097,16384,65536|-v 1.3 -M 256 -t 1000:300"
	"rsplit2 4446 $((2 * MB)) recv|-v 1.3 -R -r 3000,65536|-v 1.3 -w 16384"
	"r13 4432 $((2 * MB)) recv|-v 1.3 -R -r 1,7,100,1000,16384,65536,100000|-v 1.3 -w $SIZES"
	"r13pad 4433 $((2 * MB)) recv|-v 1.3 -R -c aes256|-v 1.3 -c aes256 -p 4096 -w 1,100,5000,16384,30000"
	"r12 4434 $MB recv|-v 1.2 -r 1000,65536|-v 1.2 -w $SIZES"
	"rchacha 4435 $MB recv|-v 1.3 -R -c chacha|-v 1.3 -c chacha"
	"rkeyupd 4436 $MB recv|-v 1.3 -R|-v 1.3 -k $KU"
	"t13 4437 $((2 * MB)) send|-v 1.3 -w $SIZES|-v 1.3"
	"t13aes256 4438 $((2 * MB)) send|-v 1.3 -c aes256|-v 1.3 -c aes256"
	"tsendfile 4439 $((2 * MB)) send|-v 1.3 -m sendfile -w 1,4097,100000,13,16384,65536,7|-v 1.3"
	"tsplice 4440 $MB send|-v 1.3 -m splice -w 4090,100*20,1,16384,7,3000|-v 1.3"
	"tmore 4441 $MB send|-v 1.3 -m more -w 1,3,100,777,2000,5|-v 1.3"
	"tchacha 4442 $MB send|-v 1.3 -c chacha|-v 1.3 -c chacha"
	"tkeyupd 4443 $MB send|-v 1.3 -g $KU|-v 1.3 -k $KU"
	"t12splice 4444 $MB send|-v 1.2 -m splice -w 4090,100*20,1,16384,7,3000|-v 1.2"
)
# TLS13_PHASES="name ...": only those (development)
if [ -n "${TLS13_PHASES:-}" ]; then
	all=("${PHASES[@]}") PHASES=()
	for p in "${all[@]}"; do [[ " $TLS13_PHASES " == *" ${p%% *} "* ]] && PHASES+=("$p"); done
fi

# --- the guest's script ---------------------------------------------------
{
	cat <<'EOS'
Z=/sys/kernel/bifrost_zced
zsnap() {
	local l="zsnap $1" k
	for k in zced_tx_bytes zced_rx_bytes tls_records_encrypted tls_records_decrypted \
		tls_zced tls_normal fallback_cipher fallback_rx_copied_bytes ottr_auth_failed \
		fallback_tx_private_bytes fallback_pool_empty rx_pool_bytes rx_kept_bytes rx_copied_bytes \
		ottr_hdr_copies; do
		l="$l $k $(cat $Z/$k 2>/dev/null || echo none)"
	done
	l="$l$(awk '{printf " %s %s", $1, $2}' /proc/net/tls_stat)"
	for k in rx_packets tx_packets; do l="$l $k $(cat /sys/class/net/eth0/statistics/$k)"; done
	echo "$l"
}
# phase NAME CMD...: counters around the command, its output as "out NAME ..."
phase() {
	local n=$1; shift
	zsnap $n-0
	{ timeout 150 "$@"; echo "rc $?"; } 2>&1 | grep -v '^listening' | sed "s/^/out $n /"
	zsnap $n-1
}
export OPENSSL_CONF=/etc/ssl/openssl-ktls.cnf
for m in $(cat /bf/chacha.order); do
	insmod /bf/$m || echo "insmod $m failed"
done
EOS
	for p in "${PHASES[@]}"; do
		IFS='|' read -r head gcmd _ <<< "$p"
		read -r name port bytes dir <<< "$head"
		echo "phase $name /bf/bf_tls $gcmd client $VM_SND_IP $port $dir $bytes $port"
	done
	cat <<'EOS'
sleep 1
echo "pool_lost_open $(cat $Z/pool_pages_lost)"
# remove the device: its receive buffers go back to the pool
echo 1 > $(readlink -f /sys/class/net/eth0/device/..)/remove
sleep 1
echo "pool_in_use_gone $(cat $Z/pool_pages_in_use)"
echo "oops $(dmesg | grep -cE 'Oops:|BUG: |general protection fault|Kernel panic|WARNING: CPU|KASAN')"
dmesg | grep -E -A 12 'Oops:|BUG: |general protection fault|WARNING: CPU' | head -60 | sed 's/^/dmesg /'
EOS
} > $BF_TMP/run.sh

# --- the wire side: one server per phase ---------------------------------
declare -A WPID
start_wire() {	# NAME
	local p head wcmd name port bytes dir
	for p in "${PHASES[@]}"; do
		IFS='|' read -r head _ wcmd <<< "$p"
		read -r name port bytes dir <<< "$head"
		[ "$name" = "$1" ] || continue
		[ $dir = recv ] && dir=send || dir=recv
		# shellcheck disable=SC2086
		ip netns exec $VM_SND timeout 560 $BUILD/tools/bf_tls -a 540 $wcmd \
			server $port $dir $bytes $port > $BF_TMP/w-$name.out 2>&1 &
		WPID[$name]=$!
		BF_PIDS+=($!)
	done
}
# the rsplit* phases run first, with PRPR off
pre=()
for p in "${PHASES[@]}"; do [[ $p == rsplit* ]] && pre+=(${p%% *}); done
for n in "${pre[@]}"; do start_wire $n; done
adds=(--add $BF_TMP/chacha.order)
for r in $CHACHA_KOS; do
	f=$(basename "$(kmod_plain $r)")
	kmod_copy $MODDIR/$r $BF_TMP/$f && adds+=(--add $BF_TMP/$f) && echo $f >> $BF_TMP/chacha.order
done
t0=$SECONDS
vm_launch $BF_TMP/run.sh "${adds[@]}"
# once the wire sides of the PRPR-off phases are done, PRPR on for the rest,
# and only then their wire sides (the guest's client retries refused
# connections for 20 s)
for n in "${pre[@]}"; do
	while kill -0 ${WPID[$n]} 2>/dev/null && kill -0 $VM_PID 2>/dev/null; do sleep 0.2; done
done
echo "guest vm1 mac $VM_GUEST_MAC queues 1 prpr on" > $BF_TMP/vm-on.conf
$BFCTL reload $VM_WIRE --config $BF_TMP/vm-on.conf >/dev/null || fail setup "reload with PRPR on"
sleep 0.2	# the backend follows the policy generation within 10 ms
for p in "${PHASES[@]}"; do
	n=${p%% *}
	[[ $n == rsplit* ]] || start_wire $n
done
vm_wait
rc=$?
# the guest is gone: its peers finish at once, or never (a phase that did
# not run leaves its server waiting for a client)
for i in $(seq 100); do
	alive=0
	for n in "${!WPID[@]}"; do kill -0 ${WPID[$n]} 2>/dev/null && alive=1; done
	[ $alive = 0 ] && break
	sleep 0.1
done
for n in "${!WPID[@]}"; do kill ${WPID[$n]} 2>/dev/null; wait ${WPID[$n]} 2>/dev/null; done
echo "INFO: guest and wire sides done in $((SECONDS - t0)) s"
check_eq "launcher exit code" "$rc" 0

# --- helpers over the guest's output ---------------------------------------
# zd PHASE KEY: the counter's change over the phase
zd() {
	vm_out | awk -v p="$1" -v k="$2" '
		$1 == "zsnap" && ($2 == p "-0" || $2 == p "-1") {
			for (i = 3; i < NF; i += 2) if ($i == k) v[$2] = $(i + 1) }
		END { a = v[p "-0"]; b = v[p "-1"]
			if (a ~ /^[0-9]+$/ && b ~ /^[0-9]+$/) print b - a; else print "none" }'
}
# gout PHASE: the guest's last result line; wout PHASE: the wire side's
gout() { vm_out | sed -n "s/^out $1 //p" | grep -v -e '^rc ' -e '^key update' | tail -1; }
grc() { vm_out | sed -n "s/^out $1 rc //p"; }
wout() { grep -v -e '^listening' -e '^key update' $BF_TMP/w-$1.out | tail -1; }
ge() { [ "$1" != none ] && [ "$1" -ge "$2" ]; }
bytes_of() {
	local p
	for p in "${PHASES[@]}"; do
		[ "${p%% *}" = "$1" ] && { read -r _ _ b _ <<< "${p%%|*}"; echo $b; }
	done
}

vm_out | grep -E '^insmod' | sed 's/^/INFO: /'
for p in "${PHASES[@]}"; do
	n=${p%% *}
	echo "INFO: $n: guest '$(gout $n)' wire '$(wout $n)'; zced_tx $(zd $n zced_tx_bytes) zced_rx" \
		"$(zd $n zced_rx_bytes) rec_enc $(zd $n tls_records_encrypted) rec_dec $(zd $n tls_records_decrypted)" \
		"tls_zced $(zd $n tls_zced) fallback_cipher $(zd $n fallback_cipher) auth_failed $(zd $n ottr_auth_failed)" \
		"rx_kept $(zd $n rx_kept_bytes) hdr_copies $(zd $n ottr_hdr_copies) rx_copied_out $(zd $n fallback_rx_copied_bytes) rx_pkts $(zd $n rx_packets) TlsTxSw $(zd $n TlsTxSw) TlsRxSw $(zd $n TlsRxSw)" \
		"TlsDecryptError $(zd $n TlsDecryptError)"
done

# has PHASE: the phase is in this run
has() { [ -n "$(bytes_of $1)" ]; }

# rx_ok NAME CIPHER(aes|chacha) PROTO [KEPT_PCT]: a guest receive phase went
# through kTLS RX and TX byte-exact, through ZCED for AES-GCM, with at least
# KEPT_PCT % of the bytes left in the pool and half that decrypted from it
# (default 75: the guest's first receive ring is posted before its pool is
# announced, so the first phase gets a few hundred packets outside; a
# packet's first ~600 bytes go to its private skb head)
rx_ok() {
	local n=$1 b; b=$(bytes_of $1)
	check_eq "$n: guest received $b bytes byte-exact, kTLS tx+rx" \
		"$(gout $n | cut -d' ' -f1-7)" "ok $b bytes ktls_tx 1 ktls_rx 1"
	check_eq "$n: protocol" "$(gout $n | awk '{print $11}')" "$3"
	check_eq "$n: wire side sent everything" "$(wout $n | cut -d' ' -f1-3)" "ok $b bytes"
	check_eq "$n: kernel TLS RX and TX set up once each (tls_stat)" "$(zd $n TlsRxSw) $(zd $n TlsTxSw)" "1 1"
	check_eq "$n: no decryption failed" "$(zd $n TlsDecryptError) $(zd $n ottr_auth_failed)" "0 0"
	if [ $2 = aes ]; then
		check_eq "$n: both directions on ZCED (tls_zced), no cipher fallback" \
			"$(zd $n tls_zced) $(zd $n fallback_cipher)" "2 0"
		check_cmd "$n: records decrypted by the ZCED AEAD (>= bytes/16 KiB)" \
			ge "$(zd $n tls_records_decrypted)" $(( (b + 16383) / 16384 ))
		local pct=${4:-75}
		check_cmd "$n: ciphertext kept in the pool on receive (rx_kept >= $pct % of the bytes)" \
			ge "$(zd $n rx_kept_bytes)" $((b * pct / 100))
		check_cmd "$n: ... and decrypted from the pool by the ZCED AEAD (zced_rx >= $((pct / 2)) %)" \
			ge "$(zd $n zced_rx_bytes)" $((b * pct / 200))
		check_eq "$n: nothing copied out of the pool before decryption" \
			"$(zd $n fallback_rx_copied_bytes)" 0
	else
		check_eq "$n: ChaCha20 takes the normal path, counted (tls_zced, fallback_cipher)" \
			"$(zd $n tls_zced) $(zd $n fallback_cipher)" "0 2"
		check_eq "$n: nothing decrypted by the ZCED AEAD" \
			"$(zd $n tls_records_decrypted) $(zd $n zced_rx_bytes)" "0 0"
		# OTTR: that AEAD reads its source twice: never from the pool
		check_cmd "$n: its records copied out of the pool before decryption (>= 3/4 of the bytes)" \
			ge "$(zd $n fallback_rx_copied_bytes)" $((b * 3 / 4))
	fi
}
# tx_ok NAME CIPHER PROTO: a guest send phase (OpenSSL: kTLS TX only in 1.3)
tx_ok() {
	local n=$1 b dirs=1; b=$(bytes_of $1)
	[ $3 = TLSv1.2 ] && dirs=2
	check_eq "$n: wire side received $b bytes byte-exact" "$(wout $n | cut -d' ' -f1-3)" "ok $b bytes"
	check_eq "$n: guest sent through kTLS" "$(gout $n | cut -d' ' -f1-5)" "ok $b bytes ktls_tx 1"
	check_eq "$n: protocol" "$(gout $n | awk '{print $11}')" "$3"
	check_eq "$n: kernel TLS TX set up once (tls_stat)" "$(zd $n TlsTxSw)" 1
	check_eq "$n: no record in private pages (pool never empty)" \
		"$(zd $n fallback_tx_private_bytes) $(zd $n fallback_pool_empty)" "0 0"
	if [ $2 = aes ]; then
		check_eq "$n: ZCED for kTLS (tls_zced), no cipher fallback" \
			"$(zd $n tls_zced) $(zd $n fallback_cipher)" "$dirs 0"
		check_cmd "$n: ciphertext written straight into the pool (zced_tx_bytes >= bytes)" \
			ge "$(zd $n zced_tx_bytes)" $b
		check_cmd "$n: records encrypted by the ZCED AEAD (>= bytes/16 KiB)" \
			ge "$(zd $n tls_records_encrypted)" $(( (b + 16383) / 16384 ))
	else
		check_eq "$n: ChaCha20 takes the normal path, counted (tls_zced, fallback_cipher)" \
			"$(zd $n tls_zced) $(zd $n fallback_cipher)" "0 1"
		check_eq "$n: nothing encrypted into the pool" "$(zd $n zced_tx_bytes)" 0
	fi
}

# records split over many packets, PRPR off. MSS 256, the stream written in
# 1000-byte pieces: such small packets fit whole in the private skb head
# (OTTR: the headers and payload are copied there once), so the ZCED AEAD
# decrypts them from private memory, none from the pool
if has rsplit; then
	rx_ok rsplit aes TLSv1.3 0
	b=$(bytes_of rsplit)
	check_cmd "rsplit: each 16 KiB record came in >= 32 packets (rx packets >= bytes/512)" \
		ge "$(zd rsplit rx_packets)" $((b / 512))
	check_cmd "rsplit: they came in pool buffers (OTTR header copies >= bytes/1024)" \
		ge "$(zd rsplit ottr_hdr_copies)" $((b / 1024))
fi
# full-size segments, PRPR off: a record in ~12 packets, each one's tail
# in the pool
if has rsplit2; then
	rx_ok rsplit2 aes TLSv1.3 40
	check_cmd "rsplit2: each 16 KiB record came in >= 8 packets (rx packets >= bytes/2048)" \
		ge "$(zd rsplit2 rx_packets)" $(( $(bytes_of rsplit2) / 2048 ))
fi
has r13 && rx_ok r13 aes TLSv1.3
if has r13pad; then
	rx_ok r13pad aes TLSv1.3
	check_eq "r13pad: AES-256-GCM" "$(gout r13pad | awk '{print $13}')" TLS_AES_256_GCM_SHA384
fi
has r12 && rx_ok r12 aes TLSv1.2
has rchacha && rx_ok rchacha chacha TLSv1.3

# KeyUpdate from the wire on a kTLS RX socket: everything before it arrives
# exact; the next record (new keys, which 6.1's kTLS cannot take) is a
# decryption error, never data
if has rkeyupd; then
	check_cmd "rkeyupd: the guest saw the KeyUpdate after exactly $KU bytes" \
		grep -q "^out rkeyupd key update received after $KU bytes" <<< "$(vm_out)"
	check_cmd "rkeyupd: then a clean error (EBADMSG), nothing more delivered" \
		grep -qE "^tls error: recvmsg: Bad message after $KU bytes\$" <<< "$(gout rkeyupd)"
	check_cmd "rkeyupd: the kernel counted the failed decryption (TlsDecryptError)" \
		ge "$(zd rkeyupd TlsDecryptError)" 1
	check_cmd "rkeyupd: ... in the ZCED AEAD (ottr_auth_failed)" \
		ge "$(zd rkeyupd ottr_auth_failed)" 1
	check_eq "rkeyupd: the guest's client ended by itself (not by timeout)" "$(grc rkeyupd)" 1
	check_eq "rkeyupd: ZCED RX and TX were set up" "$(zd rkeyupd tls_zced)" 2
fi

has t13 && tx_ok t13 aes TLSv1.3
if has t13aes256; then
	tx_ok t13aes256 aes TLSv1.3
	check_eq "t13aes256: AES-256-GCM" "$(gout t13aes256 | awk '{print $13}')" TLS_AES_256_GCM_SHA384
fi
has tsendfile && tx_ok tsendfile aes TLSv1.3
has tsplice && tx_ok tsplice aes TLSv1.3
has t12splice && tx_ok t12splice aes TLSv1.2
if has tmore; then
	tx_ok tmore aes TLSv1.3
	check_cmd "tmore: MSG_MORE pieces coalesce into full 16 KiB records (<= bytes/16 KiB + 2)" \
		test "$(zd tmore tls_records_encrypted)" -le $(( ($(bytes_of tmore) + 16383) / 16384 + 2 ))
fi
has tchacha && tx_ok tchacha chacha TLSv1.3

# KeyUpdate requested by the wire while the guest sends with kTLS TX: what
# the wire receives is an exact prefix, at least the bytes sent before it
if has tkeyupd; then
	w=$(wout tkeyupd)
	echo "INFO: tkeyupd: guest '$(gout tkeyupd)' (rc $(grc tkeyupd)), wire '$w'"
	case $w in
	"ok $(bytes_of tkeyupd) bytes"*) pass "tkeyupd: wire received everything exact" ;;
	*"after "*" bytes")
		got=${w##*after }; got=${got% bytes}
		check_cmd "tkeyupd: wire received an exact prefix of >= $KU bytes, then a TLS error" \
			test "$got" -ge $KU ;;
	*) fail "tkeyupd: wire received an exact prefix or everything" "got '$w'" ;;
	esac
	check_cmd "tkeyupd: the guest's sender ended by itself (not by timeout)" \
		test "$(grc tkeyupd)" != 124
fi

x='.guests[0].backend'
check_eq "backend violations" "$(json_get $VM_WIRE "$x.violations")" 0
check_eq "no pool page ever freed to the page allocator (invariant 2)" \
	"$(vm_out | sed -n 's/^pool_lost_open //p')$(vm_stat zced_pool_pages_lost)" 00
check_eq "every pool page back once the device is removed" \
	"$(vm_out | sed -n 's/^pool_in_use_gone //p')" 0
check_eq "no oops or warning in the guest" "$(vm_out | sed -n 's/^oops //p')" 0
vm_out | grep '^dmesg ' | sed 's/^/INFO: /'
