#!/bin/bash
# A hostile vhost-user front-end: unknown requests, bad indices and sizes,
# bad memory tables, truncated and random messages. The backend answers with
# errors, counts them, and keeps serving.
set -u
. "$(dirname "$0")/lib/harness.sh"
. "$(dirname "$0")/lib/topo.sh"
bf_init vhost_proto

H=bfvp0; P=bfvp1
bf_veth $H $P
ip link set $H up; ip link set $P up
echo "guest vm1 mac 52:54:00:bf:96:02" > $BF_TMP/c.conf
bf_attach $H --config $BF_TMP/c.conf >/dev/null || { fail attach "failed"; exit 1; }
$BUILD/bifrost-host --iface $H --guest vm1 --vhost-user $BF_TMP/vp.sock > $BF_TMP/be.log 2>&1 &
be=$!
BF_PIDS+=($be)
wait_for test -S $BF_TMP/vp.sock || { fail start "no socket"; exit 1; }
timeout 120 $BUILD/tools/bf_vhu_fuzz $BF_TMP/vp.sock
check_cmd "backend process survived" kill -0 $be
n=$(grep -c "vhost-user" $BF_TMP/be.log)
echo "INFO: $n protocol errors reported, e.g.: $(grep -m1 vhost-user $BF_TMP/be.log)"
check_eq "errors are reported, one line each" "$(( n >= 9 ))" 1
