# make eval workload "nginx" (sourced by eval/eval.sh; interface in
# its header): Debian's nginx in the guest serves two files over HTTPS
# (OpenSSL kTLS: ssl_conf_command Options KTLS, sendfile on), Debian's wrk
# loads it from the wire side over TLS 1.3 (the host OpenSSL's default),
# 4 connections, a fixed count of requests. A Lua script checks EVERY
# response: status 200 and the body byte for byte equal to the file; it
# sends no request past the count and stops wrk at the count's last
# response. The paper: wrk, 32 KiB.
# Phases: nginx32k (32 KiB file), nginx1m (1 MiB file), their counts
# wl_nginx_requests (fewer with EVAL_QUICK=1). Both sides make the files
# with the same deterministic generator (AES-128-CTR keystream of a fixed
# key, `openssl enc`).
# Guest check lines per phase: errors (nginx error-log lines at level
# error or worse), served (its access log's 200s for the file), ktls_tx
# (connections that nginx's OpenSSL put on kTLS TX, /proc/net/tls_stat).

WL_NGINX_CONNS=4

wl_nginx_phases() { echo "nginx32k nginx1m"; }
wl_nginx_ports() { echo 443; }

# wl_nginx_size PHASE: the file's size in bytes
wl_nginx_size() {
	case $1 in
	nginx32k) echo 32768;;
	nginx1m) echo 1048576;;
	esac
}

# wl_nginx_requests PHASE: the phase's requests
wl_nginx_requests() {
	local q=${EVAL_QUICK:-0}
	case $1 in
	nginx32k) [ $q = 1 ] && echo 600 || echo 1200;;
	nginx1m) [ $q = 1 ] && echo 40 || echo 80;;
	esac
}

# wl_nginx_gen SIZE: the file's content on stdout (the guest runs the same)
wl_nginx_gen() {
	openssl enc -aes-128-ctr -nosalt -K 000102030405060708090a0b0c0d0e0f \
		-iv 00000000000000000000000000000000 -in /dev/zero 2>/dev/null | head -c "$1"
}

wl_nginx_host_setup() {
	local d=$1 p
	mkdir -p "$d"
	for p in $(wl_nginx_phases); do wl_nginx_gen "$(wl_nginx_size $p)" > "$d/$p"; done
	cat > "$d/check.lua" <<'E'
-- wrk script of make eval's nginx workload (one wrk thread): every
-- response must be a 200 whose body equals the file (args[1]); args[2]
-- requests are sent, none after them (wrk asks delay() before each one),
-- and wrk stops at the last one's response; prints one wrk-check line
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
	local f = assert(io.open(args[1], "rb"))
	want = f:read("*a")
	f:close()
	budget = tonumber(args[2])
	sent, good, bad, body_bytes = 0, 0, 0, 0
end
function delay()
	sent = sent + 1
	if sent > budget then return 24 * 3600 * 1000 end	-- never, in a phase
	return 0
end
function response(status, headers, body)
	if status == 200 and body == want then good = good + 1 else bad = bad + 1 end
	if body then body_bytes = body_bytes + #body end
	if good + bad == budget then
		wrk.thread:stop()
		-- wrk's main thread sleeps out -d; SIGINT (its own handler) ends
		-- that sleep, so the summary's duration is the phase's. A SIGINT
		-- is now and then handled by this thread instead, and the sleep
		-- goes on: it is repeated until wrk has gone. popen, not
		-- os.execute: system() ignores SIGINT in its caller while it runs
		io.popen("(while kill -INT $PPID 2>/dev/null; do sleep 0.05; done) " ..
			 ">/dev/null 2>&1 &"):close()
	end
end
function done(summary, latency, requests)
	local g, b, n = 0, 0, 0
	for _, t in ipairs(threads) do
		g = g + t:get("good"); b = b + t:get("bad"); n = n + t:get("body_bytes")
	end
	local e = summary.errors
	io.write(string.format("wrk-check good %d bad %d body_bytes %d errors %d duration_us %d\n",
		g, b, n, e.connect + e.read + e.write + e.timeout, summary.duration))
end
E
}

wl_nginx_guest() {
	echo "WL_NGINX_PHASES=\"$(wl_nginx_phases)\""
	declare -f wl_nginx_gen wl_nginx_size
	cat <<'EOS'
# --- make eval: nginx ---------------------------------------------------
mkdir -p /tmp/ngx/www /tmp/ngx/tmp
for p in $WL_NGINX_PHASES; do wl_nginx_gen "$(wl_nginx_size $p)" > /tmp/ngx/www/$p; done
EOS
	vm_guest_nginx_conf notice 1000000
	cat <<'EOS'
nginx -c /tmp/ngx/nginx.conf -p /tmp/ngx/ -e /tmp/ngx/error.log &
WL_NGX=$!
for i in $(seq 100); do ss -ltn | grep -q ':443 ' && break; sleep 0.1; done
wl_nginx_errors() { grep -c -E '\[(alert|emerg|crit|error)\]' /tmp/ngx/error.log 2>/dev/null; }
wl_nginx_tls_tx() { awk '$1 == "TlsTxSw" { print $2 }' /proc/net/tls_stat 2>/dev/null; }
for p in $WL_NGINX_PHASES; do
	e0=$(wl_nginx_errors) k0=$(wl_nginx_tls_tx)
	eval_phase $p
	echo "check $p errors $(( $(wl_nginx_errors) - ${e0:-0} ))"
	echo "check $p served $(grep -c "\"GET /$p HTTP/1.1\" 200 " /tmp/ngx/access.log)"
	echo "check $p ktls_tx $(( $(wl_nginx_tls_tx) - ${k0:-0} ))"
done
kill $WL_NGX; wait $WL_NGX
grep -E '\[(alert|emerg|crit|error)\]' /tmp/ngx/error.log | head -3 | sed 's/^/nginx-log /'
EOS
}

wl_nginx_host() {
	local p=$1 d=$2 g b n e us r
	r=$(wl_nginx_requests $p)
	ip netns exec $VM_SND timeout $((EVAL_PHASE_LIMIT + 60)) wrk -t1 -c$WL_NGINX_CONNS -d${EVAL_PHASE_LIMIT}s \
		--timeout 30s -s "$d/check.lua" "https://$VM_IP/$p" -- "$d/$p" $r > "$d/wrk-$p.out" 2>&1
	read -r g b n e us <<< "$(sed -n 's/^wrk-check good \([0-9]*\) bad \([0-9]*\) body_bytes \([0-9]*\) errors \([0-9]*\) duration_us \([0-9]*\)$/\1 \2 \3 \4 \5/p' "$d/wrk-$p.out")"
	if [ -z "$g" ]; then	# wrk failed or was killed: one bad run
		echo "wl_nginx: $p: wrk gave no result: $(tail -3 "$d/wrk-$p.out" | tr '\n' ' ')" >&2
		echo "result $p reqs 0 bytes 0 secs 0 bad 1 asked $r"
		return
	fi
	echo "result $p reqs $((g + b)) bytes $n secs $(awk -v u="$us" 'BEGIN { printf "%.3f", u / 1e6 }') bad $((b + e)) asked $r"
}
