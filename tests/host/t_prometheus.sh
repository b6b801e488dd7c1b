#!/bin/bash
# `bifrostctl stats --prometheus`: the exposition passes `promtool check
# metrics`, has one HELP and TYPE per family (also over several interfaces),
# and every value equals the --json output's after real traffic through
# XDP, AF_XDP and the backend. `--listen` answers GET /metrics with the same
# text, 404/405 for other paths and methods, and survives garbage requests.
set -u
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/topo.sh"
bf_init prometheus

command -v promtool >/dev/null ||
	{ fail promtool "promtool missing (Debian's prometheus package: make deps)"; exit 1; }
topo_up bfcp $(bf_net) queues 1 prpr on zced-ports 443 || { fail topology "setup failed"; exit 1; }
IF=$TOPO_WIRE
check_eq "traffic in" "$(topo_transfer in 300000 5)" "ok 300000 bytes"
check_eq "traffic out" "$(topo_transfer out 300000 6)" "ok 300000 bytes"
topo_backend_stop	# from here on the counters hold still

P=$BF_TMP/prom.txt
$BFCTL stats $IF --prometheus > $P; check_eq "--prometheus exits 0" $? 0
$BFCTL stats $IF --json > $BF_TMP/stats.json
lint=$(promtool check metrics < $P 2>&1); rc=$?
check_eq "promtool check metrics: clean" "$rc:$lint" "0:"

# one_help_type FILE: every family has exactly one HELP and one TYPE line,
# before its samples, and no sample is outside a family.
one_help_type() {
	awk '/^# HELP /{h[$3]++} /^# TYPE /{t[$3]++; fam=$3; next} /^#/{next}
	     { n=$1; sub(/\{.*/, "", n); if (n != fam) { print "sample " n " outside its family"; bad=1 } }
	     END { for (f in t) if (t[f] != 1 || h[f] != 1) { print f " has " h[f] " HELP, " t[f] " TYPE"; bad=1 }
	           exit bad }' "$1"
}
check_cmd "one HELP and TYPE per family" one_help_type $P

# prom_val NAME [LABEL=VALUE...]: sum of the samples of NAME whose labels
# include every LABEL="VALUE" given (max instead of sum with AGG=max).
prom_val() {
	local name=$1; shift
	awk -v name="$name" -v want="$*" -v agg="${AGG:-sum}" '
	BEGIN { n = split(want, w, " "); s = 0; seen = 0 }
	/^#/ { next }
	{ m = $1; sub(/\{.*/, "", m); if (m != name) next
	  for (i = 1; i <= n; i++) { split(w[i], kv, "="); if (index($1, kv[1] "=\"" kv[2] "\"") == 0) next }
	  v = $NF + 0; if (agg == "max") { if (!seen || v > s) s = v } else s += v; seen = 1 }
	END { if (!seen) print "missing"; else printf "%.15g\n", s }' $P
}
J() { jq -r "$1" $BF_TMP/stats.json; }

# JSON path (under the guest for .xdp/.backend/.policy) -> metric and labels.
MAP="
.generation bifrost_policy_generation
.global.rx_packets bifrost_xdp_packets_total
.global.rx_bytes bifrost_xdp_bytes_total
.global.nonguest_passed bifrost_xdp_non_guest_packets_total
.global.malformed bifrost_xdp_malformed_packets_total
.queues bifrost_guest_queues
.policy.generation bifrost_guest_policy_generation
.policy.max_merge bifrost_guest_max_merge_bytes
.policy.max_segs bifrost_guest_max_merge_segments
(.policy.flush_us/1000000) bifrost_guest_flush_timeout_seconds
([.policy.prpr]|map(select(.))|length) bifrost_guest_prpr_enabled
(.policy.zced_ports|length) bifrost_guest_zced_ports
.xdp.rx_packets bifrost_guest_xdp_packets_total
.xdp.rx_bytes bifrost_guest_xdp_bytes_total
.xdp.redirected bifrost_guest_xdp_redirected_packets_total
.xdp.passed bifrost_guest_xdp_passed_packets_total
.xdp.dropped bifrost_guest_xdp_dropped_packets_total
.xdp.parse_errors bifrost_guest_xdp_parse_errors_total
.xdp.no_meta bifrost_guest_xdp_no_metadata_packets_total
.backend.in_packets bifrost_backend_in_packets_total
.backend.in_bytes bifrost_backend_in_bytes_total
.backend.out_packets bifrost_backend_out_packets_total
.backend.out_bytes bifrost_backend_out_bytes_total
.backend.merged_segs bifrost_backend_merged_segments_total
.backend.flush_batch_end bifrost_backend_flushes_total reason=batch_end
.backend.flush_timeout bifrost_backend_flushes_total reason=timeout
.backend.flush_size bifrost_backend_flushes_total reason=size
.backend.flush_segs bifrost_backend_flushes_total reason=segs
.backend.flush_flags bifrost_backend_flushes_total reason=flags
.backend.flush_mismatch bifrost_backend_flushes_total reason=mismatch
.backend.flush_table_full bifrost_backend_flushes_total reason=table_full
.backend.csum_fail bifrost_backend_checksum_failures_total
.backend.tx_packets bifrost_backend_tx_packets_total
.backend.tx_segments bifrost_backend_tx_segments_total
.backend.drop_no_frame bifrost_backend_dropped_packets_total reason=no_frame
.backend.drop_port bifrost_backend_dropped_packets_total reason=port
.backend.drop_bad_tx bifrost_backend_dropped_packets_total reason=bad_tx
.backend.drop_guest_full bifrost_backend_dropped_packets_total reason=guest_full
.backend.drop_rx_oversize bifrost_backend_dropped_packets_total reason=rx_oversize
.backend.violations bifrost_backend_cvm_violations_total
.backend_policy_generation bifrost_backend_policy_generation
.backend.zced_announce bifrost_backend_zced_registrations_total result=accepted
.backend.zced_rejected bifrost_backend_zced_registrations_total result=rejected
.backend.zced_shared_bytes bifrost_backend_zced_shared_bytes
.backend.chains_dropped bifrost_backend_dropped_chains_total
.backend.rx_multibuf bifrost_backend_rx_multibuf_frames_total
.backend.tx_multibuf bifrost_backend_tx_multibuf_frames_total
.backend.vhost_bad_messages bifrost_backend_vhost_bad_messages_total
.backend.vhost_mem_faults bifrost_backend_vhost_memory_faults_total
.backend.vhost_reply_stalls bifrost_backend_vhost_reply_stalls_total
.backend.reloads bifrost_backend_reloads_total
.backend.reload_failures bifrost_backend_reload_failures_total
"

# Every value equal to the JSON's; count the non-zero ones (real traffic).
compare_all() {
	local path name labels want got agg nonzero=0 bad=0
	while read -r path name labels; do
		[ -n "$path" ] || continue
		case "$path" in
		.generation|.global.*) want=$(J "$path"); labels="iface=$IF" ;;
		*) want=$(J ".guests[0] | $path"); labels="iface=$IF guest=vm1 $labels" ;;
		esac
		agg=sum; [[ $name == *policy_generation ]] && agg=max
		got=$(AGG=$agg prom_val "$name" $labels)
		if ! awk -v a="$got" -v b="$want" 'BEGIN { exit !(a == b + 0 && a != "missing") }'; then
			echo "$path: json $want, prometheus $name{$labels} $got"; bad=1
		fi
		[ "$want" != 0 ] && nonzero=$((nonzero + 1))
	done <<< "$MAP"
	echo "nonzero $nonzero"
	return $bad
}
out=$(compare_all); rc=$?
check_eq "every value equals --json's" "$rc" 0
[ $rc = 0 ] || echo "$out"
nz=$(awk '/^nonzero/ {print $2}' <<< "$out")
check_cmd "traffic made at least 15 of them non-zero ($nz)" test "${nz:-0}" -ge 15

# Every counter of the JSON has a metric (a new counter cannot be left out).
json_keys() {
	jq -r '(.global | keys[] | ".global." + .),
	       (.guests[0].xdp | keys[] | ".xdp." + .),
	       (.guests[0].backend | keys[] | ".backend." + .)' $BF_TMP/stats.json
}
missing=$(comm -23 <(json_keys | sort) <(awk '{print $1}' <<< "$MAP" | sort))
check_eq "every --json counter has a metric" "$missing" ""

# Several interfaces (no IFACE): one HELP/TYPE per family still, both present.
A=bfcpa
bf_veth $A bfcpb
ip link set $A up
printf 'guest g1 mac 52:54:00:bf:93:01 queues 2\nguest g2 mac 52:54:00:bf:93:02 prpr off\n' \
	> $BF_TMP/two.conf
bf_attach $A --config $BF_TMP/two.conf >/dev/null
$BFCTL stats --prometheus > $BF_TMP/all.txt
check_cmd "all interfaces: promtool clean" promtool check metrics < $BF_TMP/all.txt
check_cmd "all interfaces: one HELP and TYPE per family" one_help_type $BF_TMP/all.txt
check_eq "all interfaces: both there, queues per guest" \
	"$(grep -c '^bifrost_backend_in_packets_total{iface="'$A'",guest="g1",queue="[01]"}' $BF_TMP/all.txt) $(grep -c '^bifrost_policy_generation{iface="\('$A'\|'$IF'\)"}' $BF_TMP/all.txt)" "2 2"
$BFCTL detach $A >/dev/null

# --listen: the same text over HTTP.
$BFCTL stats $IF --prometheus --listen 127.0.0.1:0 > $BF_TMP/listen.out 2>&1 &
SRV=$!; BF_PIDS+=($SRV)
wait_for grep -q 'listening on http://' $BF_TMP/listen.out || { fail listen "$(cat $BF_TMP/listen.out)"; exit 1; }
URL=$(awk '{print $3}' $BF_TMP/listen.out); HOSTPORT=${URL#http://}; HOSTPORT=${HOSTPORT%%/*}
PORT=${HOSTPORT##*:}
code() { curl -s -o /dev/null -m 10 -w '%{http_code}' "$@"; }
check_eq "GET /metrics: 200" "$(code "$URL")" 200
curl -s -m 10 "$URL" > $BF_TMP/http.txt
check_cmd "GET /metrics: same text as --prometheus" cmp -s $BF_TMP/http.txt $P
check_cmd "content type of format 0.0.4" \
	grep -qi '^content-type: text/plain; version=0.0.4' <(curl -s -m 10 -D - -o /dev/null "$URL")
check_eq "HTTP/1.0 client" "$(code -0 "$URL")" 200
check_eq "HEAD /metrics: 200" "$(code -I "$URL")" 200
check_eq "other path: 404" "$(code "http://$HOSTPORT/")" 404
check_eq "POST: 405" "$(code -X POST "$URL")" 405
check_eq "DELETE: 405" "$(code -X DELETE "$URL")" 405

# raw REQUEST_BYTES_CMD: status line the server answers to what the command writes
raw() {
	timeout 15 bash -c 'exec 3<>/dev/tcp/127.0.0.1/'$PORT' || exit 1
		'"$1"' >&3 2>/dev/null; head -n 1 <&3' | tr -d '\r'
}
check_eq "garbage line: 400" "$(raw "printf 'garbage\r\n\r\n'")" "HTTP/1.1 400 Bad Request"
check_eq "binary junk: 400" "$(raw "printf '\x00\xff\xfe\x01\n\n'")" "HTTP/1.1 400 Bad Request"
check_eq "HTTP/2.0: 505" "$(raw "printf 'GET /metrics HTTP/2.0\r\n\r\n'")" \
	"HTTP/1.1 505 HTTP Version Not Supported"
check_eq "oversized head: 431" "$(raw 'printf %020000d 0')" \
	"HTTP/1.1 431 Request Header Fields Too Large"
check_eq "silent client: 408 after the deadline" "$(raw "sleep 7; true")" \
	"HTTP/1.1 408 Request Timeout"
for i in $(seq 30); do
	timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; head -c $((RANDOM % 9000)) /dev/urandom >&3; exec 3>&-" 2>/dev/null
done
for i in $(seq 5); do	# connect and go away at once
	timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; exec 3>&-" 2>/dev/null
done
# six slow clients (a head never finished) hold no one else up: a scrape
# is answered while all six are still connected and waiting
slow=$(timeout 60 python3 - "$PORT" <<'PY'
import socket, sys
port = int(sys.argv[1])
slow = []
for _ in range(6):
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
    slow.append(s)
c = socket.create_connection(("127.0.0.1", port), timeout=20)
c.sendall(b"GET /metrics HTTP/1.0\r\n\r\n")
try:
    status = c.recv(64).split(b"\r\n")[0].decode()
except socket.timeout:
    status = "no answer"
still = 0
for s in slow:
    s.setblocking(False)
    try:
        s.recv(1)       # an answer or EOF: the server gave up on it
    except BlockingIOError:
        still += 1      # nothing yet: connected and waiting
print(f"{status}; slow clients still connected: {still}")
PY
)
check_eq "a scrape while six slow clients wait" "$slow" "HTTP/1.1 200 OK; slow clients still connected: 6"
# every one of the 32 connection slots held by a slow client: a scrape is
# answered 503 at once (not queued behind them); once they leave, 200 again
full=$(timeout 60 python3 - "$PORT" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
def scrape():
    c = socket.create_connection(("127.0.0.1", port), timeout=20)
    c.sendall(b"GET /metrics HTTP/1.0\r\n\r\n")
    try:
        return c.recv(64).split(b"\r\n")[0].decode()
    except socket.timeout:
        return "no answer"
    finally:
        c.close()
slow = []
for _ in range(32):
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
    slow.append(s)
busy = scrape()
for s in slow:
    s.close()
after = "never"
for _ in range(40):     # their threads see EOF and free the slots
    after = scrape()
    if after.endswith("200 OK"):
        break
    time.sleep(0.25)
print(f"{busy}; after they left: {after}")
PY
)
check_eq "all 32 slots held by slow clients: a scrape is 503 at once, 200 once they leave" \
	"$full" "HTTP/1.1 503 Service Unavailable; after they left: HTTP/1.1 200 OK"
check_cmd "server alive after garbage" kill -0 $SRV
check_eq "still answers 200 after garbage" "$(code "$URL")" 200
kill -TERM $SRV; wait $SRV; check_eq "SIGTERM: exits 0" $? 0
