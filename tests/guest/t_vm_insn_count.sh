#!/bin/bash
# The exact guest instruction counter (vm/tcg-insn-count.c, a QEMU TCG plugin,
# launch.sh --insn-count) and bf-snap's phase marks (vm/bf-mark.c): every
# snap line gets the counts at its mark, marks come in order, the counts
# only grow, user space and kernel are apart (a shell loop is user space; a
# loop of system calls is mostly kernel), two runs of the same user-space
# loop count the same within 1 %, a loop twice as long counts about twice
# as many, and bf-mark refuses a bad ID. REP instructions: a static program
# whose REP STOSB runs 1024 iterations a pass counts 1024 in insn_rep_user
# per pass (1023 further iterations and QEMU's last pass that finds RCX = 0),
# and without them (each REP instruction once) a pass costs a few
# instructions. What is checked is the counting, never a speed.
set -u
. "$(dirname "$0")/../lib/harness.sh"
bf_init vm_insn_count
bf_guest_line

# bf-rep N: N passes of one REP STOSB over 1 KiB (1024 iterations each)
cat > $BF_TMP/rep.c <<'EOC'
#include <stdlib.h>
static char buf[1024];
int main(int argc, char **argv)
{
	long i, n = argc > 1 ? atol(argv[1]) : 0;

	for (i = 0; i < n; i++) {
		void *d = buf;
		unsigned long c = sizeof(buf);

		asm volatile("rep stosb" : "+D"(d), "+c"(c) : "a"(0) : "memory");
	}
	return 0;
}
EOC
REP_ADD=()
gcc -O2 -static -o $BF_TMP/bf-rep $BF_TMP/rep.c && REP_ADD=(--add $BF_TMP/bf-rep)
check_eq "the REP test program builds (gcc -static)" "${#REP_ADD[@]}" 2

cat > $BF_TMP/run.sh <<'EOS'
spin() { i=0; while [ $i -lt $1 ]; do i=$((i + 1)); done; }
bf-snap z
bf-snap a
spin 20000
bf-snap b
spin 20000
bf-snap c
spin 40000
bf-snap d
dd if=/dev/zero of=/dev/null bs=1 count=200000 2>/dev/null
bf-snap e
/bf/bf-rep 4096
bf-snap r1
/bf/bf-rep 8192
bf-snap r2
bf-mark 12x; echo "bad_id_rc $?"
bf-mark 4294967296; echo "big_id_rc $?"
bf-mark 4294967295; echo "max_id_rc $?"
EOS
out=$(vm/launch.sh --net none --icount --insn-count --script $BF_TMP/run.sh "${REP_ADD[@]}" \
	--timeout 300 2>&1)
rc=$?
check_eq "the counted guest ran its script" "$rc" 0
[ "$rc" = 0 ] || echo "$out" | tail -n 20 | sed 's/^/INFO: guest: /'
f() { echo "$out" | awk -v l="$1" -v k="$2" '$1 == "snap" && $2 == l { for (i = 3; i < NF; i += 2) if ($i == k) print $(i + 1) }'; }
check_eq "every snap line has its mark and exact counts" \
	"$(for l in z a b c d e; do echo "$(f $l mark)/$(f $l mark_end) $([ -n "$(f $l insn)" ] && echo counted)"; done | xargs)" \
	"1/2 counted 3/4 counted 5/6 counted 7/8 counted 9/10 counted 11/12 counted"
check_eq "insn is insn_user + insn_kernel" \
	"$(for l in z a b c d e; do echo $(( $(f $l insn_user) + $(f $l insn_kernel) == $(f $l insn) )); done | xargs)" \
	"1 1 1 1 1 1"
d() { echo $(( $(f $2 insn_$1) - $(f $3 insn_$1) )); }
u1=$(d user b a) u2=$(d user c b) u3=$(d user d c) k1=$(d kernel b a)
ue=$(d user e d) ke=$(d kernel e d) u0=$(d user a z) k0=$(d kernel a z)
echo "INFO: an empty phase (one bf-snap's start and end, outside its marks): user $u0, kernel $k0"
echo "INFO: user instructions: spin 20000 $u1, again $u2, spin 40000 $u3; kernel in the first $k1"
echo "INFO: 200000 one-byte reads and writes: user $ue, kernel $ke"
check_eq "the counts only grow (user and kernel)" \
	"$(( u0 > 0 && k0 > 0 && u1 > 0 && u2 > 0 && u3 > 0 && ue > 0 && k1 > 0 && ke > 0 ))" 1
check_eq "the same user-space loop counts the same within 1 %" \
	"$(awk -v a=$u1 -v b=$u2 'BEGIN { d = a - b; if (d < 0) d = -d; print (d * 100 <= a) }')" 1
check_eq "a loop twice as long counts 1.95-2.05x" \
	"$(awk -v a=$u1 -v b=$u3 'BEGIN { r = b / a; print (r >= 1.95 && r <= 2.05) }')" 1
# (the kernel's part is timer ticks and the work right after boot)
check_eq "a shell loop is user space (kernel under a fifth of it)" "$(( k1 * 5 < u1 ))" 1
check_eq "a loop of system calls is mostly kernel" "$(( ke > ue ))" 1
check_eq "bf-mark refuses a malformed and a too large ID, takes 2^32-1" \
	"$(echo "$out" | awk '$1 ~ /_id_rc$/ { printf "%s=%s ", $1, $2 }')" "bad_id_rc=2 big_id_rc=2 max_id_rc=0 "
# 4096 more passes of 1024 iterations: 4096 x 1024 further passes of the
# REP block, less one for each interrupt that lands between two iterations
# (a new start); the two phases' other REP instructions (the shell's, the
# program's start) may differ by a few. Missing one further pass per REP
# instruction would be 4096 fewer.
ru=$(( $(d rep_user r2 r1) - $(d rep_user r1 e) ))
uo=$(( $(d user r2 r1) - $(d rep_user r2 r1) - $(d user r1 e) + $(d rep_user r1 e) ))
echo "INFO: 4096 more REP STOSB passes of 1024: REP block passes after the first $ru (4096 x 1024 = 4194304); user instructions, each REP once, $uo more"
check_eq "REP block passes after the first: 4096 x 1024, within -64/+16" \
	"$(( ru <= 4194320 && ru >= 4194240 ))" 1
# (one REP and a few loop instructions a pass; bf-snap's shell work moves by
# a few thousand between phases)
check_eq "counted once, 4096 more REP passes cost 4096-81920 instructions" \
	"$(( uo >= 4096 && uo <= 81920 ))" 1
check_eq "the launcher reports the boot's totals" \
	"$(echo "$out" | grep -cE '^insn_(rep_)?(user|kernel)_total [0-9]+$')" 4
