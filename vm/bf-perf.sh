#!/bin/bash
# bf-perf - guest CPU breakdown by sampling (installed as /bin/bf-perf; the
# paper's Figure 3: where the guest's instructions go).
#   bf-perf start LABEL   starts `perf record -a -g -e cpu-clock` in the
#                         background, one sample every $BF_PERF_PERIOD_NS
#                         guest nanoseconds (default 1000000; under QEMU
#                         -icount shift=0 that is one sample per million
#                         guest instructions); returns once sampling is on
#   bf-perf stop LABEL    stops it and prints one line:
#                         "cpu LABEL samples N bounce N packet N crypto N
#                          app N other N idle N perf N trace N"
#                         samples = bounce+packet+crypto+app+other (busy
#                         samples); idle = the halted vCPU; perf = the
#                         sampler's own user/other samples; trace = ftrace
#                         (bf-init's swiotlb hist trigger); these three are
#                         in no busy class.
#                         With BF_PERF_TOP=N also "cpusym LABEL CLASS COUNT
#                         SYMBOL" lines: the N symbols that decided the most
#                         samples, as LEAF>DECIDING_FRAME when they differ
#                         (for checking the class lists).
#   bf-perf classify FILE [LABEL]   the same line from a perf.data FILE
# The class of a sample follows the rules of /etc/bf-cpu-classes.txt
# (eval/cpu-classes.txt, documented there). Exit 1 with a message on
# stderr when perf is missing or fails.
set -u
PERF=${BF_PERF_BIN:-perf}
CLASSES=${BF_PERF_CLASSES:-/etc/bf-cpu-classes.txt}
PERIOD=${BF_PERF_PERIOD_NS:-1000000}
DIR=/tmp/bf-perf

die() { echo "bf-perf: $*" >&2; exit 1; }

# ctl LABEL CMD: send CMD (enable|disable) to perf's control fifo and wait
# (bounded) for its "ack". Both fifos are opened read-write so that neither
# open blocks and nothing written is lost before perf opens them.
ctl() {
	local a=''
	exec 3<>"$DIR/$1.ctl" 4<>"$DIR/$1.ack"
	echo "$2" >&3
	read -r -t 120 a <&4
	exec 3>&- 4>&-
	[ "$a" = ack ]
}

start() {
	local l=$1 pid
	command -v "$PERF" >/dev/null || die "no perf binary ($PERF) in the guest"
	case $PERIOD in ''|*[!0-9]*|0) die "BF_PERF_PERIOD_NS must be a positive number";; esac
	mkdir -p "$DIR"
	[ ! -e "$DIR/$l.pid" ] || die "$l: already started"
	rm -f "$DIR/$l".*
	mkfifo "$DIR/$l.ctl" "$DIR/$l.ack" || die "mkfifo in $DIR failed"
	# -D -1: events start disabled; "enable" through the fifo switches them on
	"$PERF" record -a -g -e cpu-clock -c "$PERIOD" -N --no-buildid -q \
		-D -1 --control "fifo:$DIR/$l.ctl,$DIR/$l.ack" \
		-o "$DIR/$l.data" </dev/null >/dev/null 2>"$DIR/$l.err" &
	pid=$!
	echo "$pid" > "$DIR/$l.pid"
	ctl "$l" enable || die "$l: perf record did not start: $(tail -n 3 "$DIR/$l.err" | tr '\n' ' ')"
}

stop() {
	local l=$1 pid i
	[ -f "$DIR/$l.pid" ] || die "$l: not started"
	read -r pid < "$DIR/$l.pid"
	ctl "$l" disable || echo "bf-perf: $l: no ack for disable" >&2
	kill -INT "$pid" 2>/dev/null
	for ((i = 0; i < 600; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && { kill -KILL "$pid"; die "$l: perf record did not exit"; }
	wait "$pid" 2>/dev/null
	rm -f "$DIR/$l.pid" "$DIR/$l.ctl" "$DIR/$l.ack"
	classify "$DIR/$l.data" "$l"
	local rc=$?
	[ "${BF_PERF_KEEP:-0}" = 1 ] || rm -f "$DIR/$l.data" "$DIR/$l.err"
	return $rc
}

# classify FILE LABEL: perf script's samples (comm, call chain of
# "ADDR SYMBOL (DSO)" lines, leaf first) -> the "cpu ..." line
classify() {
	local f=$1 l=${2:-perf}
	[ -s "$f" ] || die "$l: no samples file $f"
	[ -r "$CLASSES" ] || die "no class list $CLASSES"
	classify_awk > "$DIR/classify.awk"
	"$PERF" script -i "$f" -F comm,ip,sym,dso --no-demangle 2>"$DIR/script.err" |
		awk -v label="$l" -v top="${BF_PERF_TOP:-0}" -f "$DIR/classify.awk" "$CLASSES" - ||
		die "$l: perf script failed: $(tail -n 3 "$DIR/script.err" | tr '\n' ' ')"
}

classify_awk() {
	cat <<'AWK'
function iskern(a) { return length(a) == 16 && substr(a, 1, 4) == "ffff" }
# decide(): the class of the sample in frames 1..nf; sets why (the deciding symbol)
function decide(   k, i) {
	if (nf == 0) { why = "[no-frames]"; return "other" }
	if (iskern(ad[1])) {
		for (i = 1; i <= nr; i++)
			if (wh[i] == "leaf" && sy[1] ~ re[i]) { why = sy[1]; return cl[i] }
		for (k = 1; k <= nf && iskern(ad[k]); k++)
			for (i = 1; i <= nr; i++) {
				if (wh[i] == "ksym" && sy[k] ~ re[i] || wh[i] == "kdso" && ds[k] ~ re[i]) {
					why = k == 1 ? sy[1] : sy[1] ">" sy[k]
					return cl[i]
				}
			}
		why = sy[1]
		return "other"
	}
	why = ds[1]
	for (i = 1; i <= nr; i++)
		if (wh[i] == "udso" && ds[1] ~ re[i]) return cl[i]
	return "other"
}
function flush(   c) {
	if (!insample) return
	c = decide()
	if (comm == "perf" && (c == "app" || c == "other")) c = "perf"
	n[c]++
	if (top > 0) hits[c " " why]++
	insample = 0; nf = 0
}
FNR == NR {
	if ($0 ~ /^[ \t]*#/ || NF < 3) next
	if ($2 !~ /^(leaf|ksym|kdso|udso)$/) { print "bf-perf: bad rule: " $0 > "/dev/stderr"; bad = 1; next }
	nr++; cl[nr] = $1; wh[nr] = $2; re[nr] = $3
	next
}
/^\t *[0-9a-f]+ / {
	nf++; ad[nf] = $1; sy[nf] = $2; ds[nf] = $NF
	gsub(/^\(|\)$/, "", ds[nf])
	next
}
NF == 0 { flush(); next }
{ flush(); insample = 1; comm = $1; nf = 0 }
END {
	flush()
	if (bad) exit 1
	busy = n["bounce"] + n["packet"] + n["crypto"] + n["app"] + n["other"]
	printf "cpu %s samples %d bounce %d packet %d crypto %d app %d other %d idle %d perf %d trace %d\n",
		label, busy, n["bounce"], n["packet"], n["crypto"], n["app"], n["other"], n["idle"], n["perf"], n["trace"]
	if (top > 0) {
		for (k in hits) print hits[k], k | "sort -rn | head -n " top " | awk -v l=" label " '{ print \"cpusym \" l, $2, $1, $3 }'"
	}
}
AWK
}

case ${1:-} in
start) [ -n "${2:-}" ] || die "usage: bf-perf start LABEL"; start "$2";;
stop) [ -n "${2:-}" ] || die "usage: bf-perf stop LABEL"; stop "$2";;
classify) [ -n "${2:-}" ] || die "usage: bf-perf classify FILE [LABEL]"; mkdir -p "$DIR"; classify "$2" "${3:-perf}";;
*) die "usage: bf-perf start|stop LABEL | classify FILE [LABEL]";;
esac
