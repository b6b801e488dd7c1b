#!/bin/bash
# bifrost-host as its systemd unit (Type=notify) runs it, without systemd:
# with $NOTIFY_SOCKET naming a socket this test listens on (a path, then an
# abstract name), READY=1 comes once the vhost-user socket of the config
# file listens, RELOADING=1 then READY=1 around a SIGHUP reload, STOPPING=1
# on SIGTERM; without $NOTIFY_SOCKET nothing changes. The vhost-user socket
# gets the socket-owner, socket-group and socket-mode of its config line,
# again after a reload changes them; an unknown user is refused by name. A
# reload that cannot open a changed guest's port fails: an error line, no
# "done", counted in reload_failures, and `bifrostctl reload` exits 11 with
# the backend's reason (it waits for the answer, bounded); the next good
# reload serves it again and exits 0.
# No addresses, no traffic: a veth with the XDP program and vhost-user guests
# no front-end connects to.
set -u
. "$(dirname "$0")/../lib/harness.sh"
bf_init host_service

W=bfsv0 P=bfsv1
C=$BF_TMP/bifrost.conf
SOCK1=$BF_TMP/vm1.sock
LOG=$BF_TMP/backend.log
NOTES=$BF_TMP/notes

bf_forget_pins $W
bf_veth $W $P
ip link set $W up
ip link set $P up
printf 'guest vm1 mac 52:54:00:bf:95:01 iface %s vhost-user %s\n' $W $SOCK1 > $C
bf_attach $W --config $C > /dev/null

# listen ADDR: a notification socket at ADDR ('@': abstract) whose
# datagrams go to $NOTES, one line each (newlines as spaces), ending in
# "socket=yes" or "socket=no": whether $SOCK1 was a socket when it came.
cat > $BF_TMP/listen.py <<'EOF'
import os, socket, stat, sys
addr = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
print("listening", flush=True)
while True:
    msg = s.recv(4096).decode()
    try:
        there = stat.S_ISSOCK(os.stat(sys.argv[2]).st_mode)
    except FileNotFoundError:
        there = False
    print(msg.replace("\n", " "), "socket=" + ("yes" if there else "no"), flush=True)
EOF
listen() {
	: > $NOTES
	python3 $BF_TMP/listen.py "$1" $SOCK1 > $NOTES 2>&1 &
	LPID=$!
	BF_PIDS+=($LPID)
	wait_for grep -q '^listening' $NOTES || fail "notification socket $1" "$(cat $NOTES)"
}
notes() { grep -v '^listening' $NOTES; }
# start ADDR [N]: the backend with NOTIFY_SOCKET=ADDR, serving N guests (1)
start() {
	rm -f $SOCK1
	: > $LOG
	NOTIFY_SOCKET=$1 $BUILD/bifrost-host --iface $W --config $C > $LOG 2>&1 &
	BPID=$!
	BF_PIDS+=($BPID)
	wait_for grep -q "serving ${2:-1} guest" $LOG || fail "backend start" "$(cat $LOG)"
}
# stop: SIGTERM, exit code 0
stop() {
	kill -TERM $BPID
	wait $BPID
	check_eq "$1: backend exits cleanly" "$?" 0
}

for addr in $BF_TMP/notify.sock @bfsv-notify-$$; do
	kind=path
	[ "${addr:0:1}" = @ ] && kind=abstract
	listen $addr
	start $addr
	wait_for grep -q READY=1 $NOTES
	check_eq "$kind: READY=1 once, after the vhost-user socket listens" "$(notes)" \
		"READY=1 STATUS=serving 1 guest(s) on $W socket=yes"
	kill -HUP $BPID
	wait_for grep -q "reload 1 done" $LOG
	wait_for test "$(notes | wc -l)" -ge 3
	check_eq "$kind: RELOADING=1 (with MONOTONIC_USEC) then READY=1 around SIGHUP" \
		"$(notes | sed -n '2,$p' | sed 's/MONOTONIC_USEC=[0-9]* /MONOTONIC_USEC=N /')" \
		"RELOADING=1 MONOTONIC_USEC=N socket=yes
READY=1 STATUS=serving 1 guest(s) on $W socket=yes"
	stop "$kind"
	check_eq "$kind: STOPPING=1 last" "$(notes | tail -1 | cut -d' ' -f1)" "STOPPING=1"
	check_eq "$kind: no failure to notify logged" "$(grep -c 'cannot tell systemd' $LOG)" 0
	kill $LPID 2>/dev/null
	wait $LPID 2>/dev/null
done

# not under systemd: no NOTIFY_SOCKET, no word about it
start ""
stop "no NOTIFY_SOCKET"
check_eq "no NOTIFY_SOCKET: nothing said about systemd" "$(grep -c 'systemd' $LOG)" 0
# a NOTIFY_SOCKET nobody listens on: a warning, the backend serves anyway
start $BF_TMP/nobody.sock
wait_for grep -q 'cannot tell systemd READY=1' $LOG
check_eq "NOTIFY_SOCKET without a listener: one warning, still serving" \
	"$(grep -c 'cannot tell systemd READY=1' $LOG) $(kill -0 $BPID 2>/dev/null && echo alive)" "1 alive"
stop "unheard NOTIFY_SOCKET"

# socket-owner, socket-group, socket-mode: set on the socket it listens on
SOCK2=$BF_TMP/vm2.sock
vm1_line=$(cat $C)
vm2_line() { echo "guest vm2 mac 52:54:00:bf:95:02 iface $W vhost-user $SOCK2 $*"; }
printf '%s\n%s\n' "$vm1_line" "$(vm2_line socket-owner nobody socket-group nogroup socket-mode 0660)" > $C
$BFCTL reload $W --config $C > /dev/null
start "" 2
perm() { stat -c '%U:%G %a %F' "$1" 2>&1; }
check_eq "the socket's owner, group and mode from the file" "$(perm $SOCK2)" "nobody:nogroup 660 socket"
check_eq "a guest without them: the backend's" "$(perm $SOCK1 | cut -d' ' -f1,3-)" "root:root socket"
printf '%s\n%s\n' "$vm1_line" "$(vm2_line socket-owner 65534 socket-mode 0600)" > $C
kill -HUP $BPID
wait_for grep -q "reload 1 done" $LOG
check_eq "changed by a reload (a uid for the owner, the group the backend's again)" \
	"$(perm $SOCK2)" "nobody:root 600 socket"
stop "socket-owner"
check_eq "the socket removed at exit" "$(perm $SOCK2 | grep -c 'No such file')" 1
printf '%s\n%s\n' "$vm1_line" "$(vm2_line socket-owner bfnosuchuser)" > $C
$BUILD/bifrost-host --iface $W --config $C > $LOG 2>&1
rc=$?
check_eq "an unknown socket-owner: exit 1, named" \
	"$rc $(grep -c "guest 'vm2': socket-owner 'bfnosuchuser': no such user" $LOG)" "1 1"
printf '%s\n%s\n' "$vm1_line" "$(vm2_line socket-group bfnosuchgroup)" > $C
$BUILD/bifrost-host --iface $W --config $C > $LOG 2>&1
check_eq "an unknown socket-group: named" \
	"$(grep -c "guest 'vm2': socket-group 'bfnosuchgroup': no such group" $LOG)" 1
check_eq "no socket left by a guest refused" "$(ls $BF_TMP | grep -c '^vm.*\.sock$')" 0
# without CAP_CHOWN (what the unit gives it, less CAP_CHOWN): refused, says why
printf '%s\n%s\n' "$vm1_line" "$(vm2_line socket-owner nobody)" > $C
setpriv --bounding-set -all,+bpf,+net_admin,+net_raw,+ipc_lock --inh-caps -all \
	$BUILD/bifrost-host --iface $W --config $C > $LOG 2>&1
check_eq "socket-owner without CAP_CHOWN: refused, the reason given" \
	"$(grep -c "vm2.sock: cannot listen: Operation not permitted (socket-owner and socket-group need CAP_CHOWN)" $LOG)" 1

# a reload that cannot open a changed guest's port (its path now a regular
# file, which is never deleted): failed, at error level, and counted; and
# `bifrostctl reload`, which waits for the backend's answer, says so and
# exits 11 (BF_EXIT_BACKEND)
echo precious > $BF_TMP/precious
printf '%s\n%s\n' "$vm1_line" "$(vm2_line)" > $C
start "" 2
printf '%s\n%s\n' "$vm1_line" "$(vm2_line | sed "s|$SOCK2|$BF_TMP/precious|")" > $C
$BFCTL reload $W --config $C > $BF_TMP/reload.out 2>&1
rc=$?
check_eq "bifrostctl reload: the backend's failed reload is exit 11" "$rc" 11
check_cmd "... with the backend's reason" grep -q \
	"bifrostctl: error: bifrost-host (pid $BPID) reload 1 failed: 1 guest(s) not served (guest vm2 not served: vhost-user $BF_TMP/precious: cannot listen.*), serving 1 guest(s)" \
	$BF_TMP/reload.out
check_eq "a guest whose port does not open fails the reload, at error level" \
	"$(grep -c "error: reload 1 failed: 1 guest(s) not served, serving 1 guest(s) on $W (1 failed reloads" $LOG) $(grep -c "error: reload 1: guest vm2 not served: vhost-user $BF_TMP/precious: cannot listen" $LOG)" "1 1"
check_eq "... and is not said to be done" "$(grep -c 'reload 1 done' $LOG)" 0
backend() { json_get $W ".guests[] | select(.name==\"vm1\") | .backend.$1"; }
backend_is() { [ "$(backend "$1")" = "$2" ]; }
wait_for backend_is reloads 1
wait_for backend_is reload_failures 1
check_eq "counted once in reload_failures (stats)" "$(backend reloads) $(backend reload_failures)" "1 1"
check_eq "counted in Prometheus" "$($BFCTL stats $W --prometheus |
	awk '/^bifrost_backend_reload_failures_total\{.*guest="vm1"/ { s += $2 } END { print s + 0 }')" 1
check_eq "the regular file untouched" "$(cat $BF_TMP/precious)" precious
printf '%s\n%s\n' "$vm1_line" "$(vm2_line)" > $C
$BFCTL reload $W --config $C > $BF_TMP/reload.out 2>&1
rc=$?
check_eq "bifrostctl reload: a good reload is exit 0, the backend's answer said" \
	"$rc $(grep -c "bifrost-host (pid $BPID) reload 2 done: serving 2 guest(s)" $BF_TMP/reload.out)" "0 1"
check_eq "the next good reload serves it again" "$(perm $SOCK2 | cut -d' ' -f3-)" socket
wait_for backend_is reloads 2
check_eq "a good reload is no failure" "$(backend reloads) $(backend reload_failures)" "2 1"
# a bad config file: refused by bifrostctl before anything is signalled
echo "guest vm3 bogus" >> $C
$BFCTL reload $W --config $C > $BF_TMP/reload.out 2>&1
check_eq "a bad file: exit 8, the backend not signalled" \
	"$? $(grep -c signalled $BF_TMP/reload.out)" "8 0"
printf '%s\n%s\n' "$vm1_line" "$(vm2_line)" > $C
# a backend that does not answer (stopped): bounded wait, then exit 11
kill -STOP $BPID
$BFCTL reload $W --config $C > $BF_TMP/reload.out 2>&1
rc=$?
kill -CONT $BPID
check_eq "a backend that does not answer: exit 11 once the wait is over, said" \
	"$rc $(grep -c "bifrost-host (pid $BPID) of $W did not answer the reload within 10 s" $BF_TMP/reload.out)" "11 1"
wait_for grep -q "reload 3 done" $LOG
# a backend that writes no status (as one of an older build): signalled,
# said, exit 0 without waiting
rm -f /run/bifrost/$W.reload
$BFCTL reload $W --config $C > $BF_TMP/reload.out 2>&1
check_eq "a backend that gives no reload status: exit 0, said" \
	"$? $(grep -c "bifrost-host (pid $BPID) of $W gives no reload status" $BF_TMP/reload.out)" "0 1"
wait_for grep -q "reload 4 done" $LOG
stop "failed reload"
