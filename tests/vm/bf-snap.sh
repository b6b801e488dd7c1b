#!/bin/bash
# bf-snap - guest-side counters for the tests (installed as /bin/bf-snap).
#   bf-snap LABEL          one line: "snap LABEL rx_packets N tx_packets N
#                          rx_bytes N tx_bytes N bounced_bytes N busy_ns N
#                          user_ns N sys_ns N softirq_ns N"
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

LABEL=${1:-now}
if [ "${1:-}" = hist ]; then
	hist_sum "${2:-size}" "${3:-}"
	exit 0
fi
# shellcheck disable=SC2046
set -- $(grep '^cpu ' /proc/stat)	# cpu user nice system idle iowait irq softirq steal
user=$2 nice=$3 system=$4 irq=$7 softirq=$8 steal=${9:-0}
echo "snap ${LABEL:-now} rx_packets $(net rx_packets) tx_packets $(net tx_packets)" \
	"rx_bytes $(net rx_bytes) tx_bytes $(net tx_bytes)" \
	"bounced_bytes $(hist_sum size) busy_ns $(( (user + nice + system + irq + softirq + steal) * 10000000 ))" \
	"user_ns $(( (user + nice) * 10000000 )) sys_ns $(( system * 10000000 ))" \
	"softirq_ns $(( (irq + softirq) * 10000000 ))"
