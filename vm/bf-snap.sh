#!/bin/bash
# bf-snap - guest-side counters for the tests (installed as /bin/bf-snap).
#   bf-snap LABEL          one line: "snap LABEL rx_packets N tx_packets N
#                          rx_bytes N tx_bytes N bounced_bytes N busy_ns N
#                          user_ns N sys_ns N softirq_ns N
#                          tls_tx_sw N tls_rx_sw N tls_curr_tx_sw N
#                          tls_curr_rx_sw N tls_decrypt_error N
#                          tcp_rx_discarded N [zced_NAME N...] mark ID
#                          mark_end ID"
#                          (tls_*: /proc/net/tls_stat; tcp_rx_discarded:
#                          received TCP segments the stack discarded,
#                          duplicates and drops, see tcp_discarded below;
#                          zced_*: every numeric
#                          counter of /sys/kernel/bifrost_zced, when loaded,
#                          named as in the BF-STATS block; mark, mark_end:
#                          the IDs of the phase marks bf-mark put into the
#                          instruction stream first and last, 1, 2, 3, ...
#                          per boot (0: no bf-mark); under the exact counter
#                          launch.sh adds "insn N insn_user N insn_kernel N"
#                          to the line: guest instructions before its mark,
#                          less what earlier bf-snaps executed between their
#                          two marks, see vm/tcg-insn-count.c)
#   bf-snap hist FIELD [DEV]  sum of FIELD (size|hitcount) in the
#                          swiotlb_bounced histogram (all devices or DEV)
# busy_ns is non-idle CPU time from /proc/stat (USER_HZ = 100 on x86), and
# user_ns (user + nice), sys_ns (system) and softirq_ns (irq + softirq) its parts; under
# QEMU -icount shift=0 one nanosecond of guest time is one instruction.
HIST=/sys/kernel/tracing/events/swiotlb/swiotlb_bounced/hist

hist_sum() {
	[ -r "$HIST" ] || { echo 0; return; }
	awk -v f="$1:" -v d="${2:-}" '
		/^\{ dev_name:/ {
			if (d != "" && $3 != d) next
			for (i = 1; i < NF; i++) if ($i == f) s += $(i + 1)
		}
		END { printf "%d\n", s + 0 }' "$HIST"
}

net() { cat "/sys/class/net/eth0/statistics/$1" 2>/dev/null || echo 0; }

# tls_stat: "tls_tx_sw N ..." from /proc/net/tls_stat (0 without kTLS)
tls_stat() {
	awk 'BEGIN { m["TlsTxSw"] = "tls_tx_sw"; m["TlsRxSw"] = "tls_rx_sw"
		m["TlsCurrTxSw"] = "tls_curr_tx_sw"; m["TlsCurrRxSw"] = "tls_curr_rx_sw"
		m["TlsDecryptError"] = "tls_decrypt_error"; for (k in m) v[k] = 0 }
		$1 in m { v[$1] = $2 }
		END { printf "tls_tx_sw %d tls_rx_sw %d tls_curr_tx_sw %d tls_curr_rx_sw %d tls_decrypt_error %d",
			v["TlsTxSw"], v["TlsRxSw"], v["TlsCurrTxSw"], v["TlsCurrRxSw"], v["TlsDecryptError"] }' \
		/proc/net/tls_stat 2>/dev/null || printf 'tls_tx_sw 0 tls_rx_sw 0 tls_curr_tx_sw 0 tls_curr_rx_sw 0 tls_decrypt_error 0'
}

# tcp_discarded: received segments TCP threw away after the driver took
# them (/proc/net/netstat TcpExt): duplicates answered with a D-SACK (old
# or out of order), out-of-order and receive-queue drops, backlog, zero
# window and PAWS drops. Their payload reached the driver but never an
# application (and comes again as a retransmission).
tcp_discarded() {
	awk '$1 == "TcpExt:" && !h { for (i = 2; i <= NF; i++) n[i] = $i; h = 1; next }
		$1 == "TcpExt:" { for (i = 2; i <= NF; i++) if (n[i] ~ /^(TCPDSACKOldSent|TCPDSACKOfoSent|TCPOFODrop|TCPRcvQDrop|TCPBacklogDrop|TCPZeroWindowDrop|PAWSEstabRejected)$/) s += $i }
		END { printf "%d", s }' /proc/net/netstat 2>/dev/null || printf 0
}

# zced_stat: " zced_NAME N" for each numeric bifrost_zced counter
zced_stat() {
	local f v
	[ -d /sys/kernel/bifrost_zced ] || return 0
	for f in /sys/kernel/bifrost_zced/*; do
		[ -f "$f" ] || continue
		read -r v < "$f" 2>/dev/null || continue
		case $v in ''|*[!0-9]*) continue;; esac
		printf ' zced_%s %s' "${f##*/}" "$v"
	done
}

LABEL=${1:-now}
if [ "${1:-}" = hist ]; then
	hist_sum "${2:-size}" "${3:-}"
	exit 0
fi
# the phase marks: one before any counter is read, one after the last (bf-snap
# runs one at a time): the counter leaves out what bf-snap itself executes
SEQ=/run/bf-snap.seq
mark=0
[ -f "$SEQ" ] && read -r mark < "$SEQ"
mark=$((mark + 1))
bf-mark "$mark" 2>/dev/null || mark=0
# shellcheck disable=SC2046
set -- $(grep '^cpu ' /proc/stat)	# cpu user nice system idle iowait irq softirq steal
user=$2 nice=$3 system=$4 irq=$7 softirq=$8 steal=${9:-0}
line="snap ${LABEL:-now} rx_packets $(net rx_packets) tx_packets $(net tx_packets)"
line="$line rx_bytes $(net rx_bytes) tx_bytes $(net tx_bytes)"
line="$line bounced_bytes $(hist_sum size) busy_ns $(( (user + nice + system + irq + softirq + steal) * 10000000 ))"
line="$line user_ns $(( (user + nice) * 10000000 )) sys_ns $(( system * 10000000 ))"
line="$line softirq_ns $(( (irq + softirq) * 10000000 ))"
line="$line $(tls_stat) tcp_rx_discarded $(tcp_discarded)$(zced_stat)"
mark_end=0
if [ "$mark" != 0 ]; then
	mark_end=$((mark + 1))
	echo "$mark_end" > "$SEQ"
	bf-mark "$mark_end" 2>/dev/null || mark_end=0
fi
echo "$line mark $mark mark_end $mark_end"
