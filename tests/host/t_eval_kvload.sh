#!/bin/bash
# eval/kvload.py, make eval's Redis/Memcached load, against Debian's
# redis-server and memcached with TLS on a namespace's loopback (no guest):
# a correct load has bad 0 and moves what it claims (the servers' own
# SET/GET counts agree); GETs of keys never SET (--wrong-key) count every
# GET as bad; --requests makes exactly that many; a server that is not
# there gives bad > 0 and no requests.
set -u
. "$(dirname "$0")/../lib/harness.sh"
bf_init eval_kvload

NS=bfwlk
KV="/usr/bin/python3 eval/kvload.py"
bf_ns $NS
H=$BF_TMP
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj /CN=bfwlk -keyout $H/key.pem -out $H/cert.pem >/dev/null 2>&1 ||
	{ fail setup "openssl req"; exit 1; }
ip netns exec $NS redis-server --port 6399 --bind 127.0.0.1 --tls-port 6380 \
	--tls-cert-file $H/cert.pem --tls-key-file $H/key.pem --tls-auth-clients no \
	--save '' --appendonly no --dir $H --logfile $H/redis.log &
BF_PIDS+=($!)
ip netns exec $NS memcached -u root -U 0 -p 11211 -Z \
	-o ssl_chain_cert=$H/cert.pem,ssl_key=$H/key.pem,ssl_min_version=3 \
	-l 127.0.0.1 -l notls:127.0.0.1:11299 > $H/memcached.log 2>&1 &
BF_PIDS+=($!)
listening() { ip netns exec $NS ss -ltn | grep -q "127.0.0.1:$1 "; }
wait_for listening 6380 && wait_for listening 11211 && wait_for listening 11299 ||
	{ fail setup "redis-server or memcached did not start"; exit 1; }

# kv ARGS...: kvload.py in the namespace -> "reqs N bytes B secs S bad X"
kv() { ip netns exec $NS timeout 60 $KV "$@" 2>> $H/kvload.err; }
# field LINE NAME: the number after NAME in a result line
field() { echo "$1" | awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'; }

# server-side SET + GET counts
redis_cmds() {
	ip netns exec $NS redis-cli -p 6399 info commandstats |
		awk -F'[:=,]' '$1 == "cmdstat_set" || $1 == "cmdstat_get" { n += $3 } END { print n + 0 }'
}
memcached_cmds() {
	ip netns exec $NS /usr/bin/python3 -c '
import socket
s = socket.create_connection(("127.0.0.1", 11299))
s.sendall(b"stats\r\nquit\r\n")
d = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    d += b
print(sum(int(l.split()[2]) for l in d.decode().splitlines() if l.split()[1:2] in (["cmd_set"], ["cmd_get"])))'
}

for srv in redis:6380 memcached:11211; do
	name=${srv%:*} port=${srv#*:}
	for size in 4096 262144; do
		c0=$(${name}_cmds)
		r=$(kv $name 127.0.0.1 $port --conns 3 --size $size --secs 1 --tls13)
		n=$(field "$r" reqs)
		check_eq "$name $size: a correct load has no bad reply" "$(field "$r" bad)" 0
		check_eq "$name $size: it made requests" "$(( ${n:-0} > 0 ))" 1
		check_eq "$name $size: bytes = requests x value size" "$(field "$r" bytes)" $(( ${n:-0} * size ))
		check_eq "$name $size: the server counted as many SETs and GETs" "$(( $(${name}_cmds) - c0 ))" "$n"
	done
	r=$(kv $name 127.0.0.1 $port --conns 2 --size 4096 --secs 1 --tls13 --wrong-key)
	n=$(field "$r" reqs)
	check_eq "$name: every GET of a key never SET counts as bad" "$(field "$r" bad)" $(( ${n:-1} / 2 ))
	check_eq "$name: (and there were some)" "$(( ${n:-0} > 0 ))" 1
done
# a fixed count: exactly that many requests, split over the connections
for srv in redis:6380 memcached:11211; do
	name=${srv%:*} port=${srv#*:}
	c0=$(${name}_cmds)
	r=$(kv $name 127.0.0.1 $port --conns 3 --size 4096 --requests 120 --secs 60 --tls13)
	check_eq "$name --requests 120: 120 requests, no bad reply" "$(field "$r" reqs) $(field "$r" bad)" "120 0"
	check_eq "$name --requests 120: the server counted 120" "$(( $(${name}_cmds) - c0 ))" 120
done
kv redis 127.0.0.1 6380 --conns 4 --requests 12 --tls13 > /dev/null
check_eq "--requests not a multiple of 2 x --conns is refused" $? 2
r=$(kv redis 127.0.0.1 6381 --conns 2 --secs 1 --timeout 2 --tls13)
check_eq "no server: no requests, bad > 0" "$(field "$r" reqs) $(( $(field "$r" bad) > 0 ))" "0 1"
