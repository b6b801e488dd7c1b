#!/usr/bin/env python3
"""insn_profile.py - where a phase's guest instructions went, exactly, by
kernel function: the instruction profile of the TCG plugin
(vm/tcg-insn-count.c, launch.sh --insn-profile FILE:A:B) mapped with the
guest's text symbols (launch.sh --kallsyms FILE), one or two runs side by
side.

Usage:
  insn_profile.py [--top N] [--per UNITS] [--per-b UNITS] [--modules]
                  KALLSYMS PROFILE [KALLSYMS_B PROFILE_B]

PROFILE lines are "ADDR N [E]" (hex address of a translation block,
instructions executed in blocks starting there, times one was entered);
KALLSYMS lines "ADDR NAME [MODULE]"
(text symbols). Blocks below the kernel half (bit 63 clear) count as
[user]. Attribution is the leaf function: a memcpy called by the DMA API
counts as memcpy. --per divides the counts by UNITS (e.g. the MiB or the
requests of the phase) and --per-b those of the second run; with two runs
the functions are sorted by how much more the second spends, otherwise by
what they spend. --modules sums by module ([kernel] for the core kernel).
--calls adds each function's calls: the entries of the block at its first
address (a jump back to the start counts too).
"""
import argparse
import bisect
import collections
import sys


def load_syms(path):
    syms = []
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) < 2:
                continue
            try:
                a = int(p[0], 16)
            except ValueError:
                continue
            mod = p[2] if len(p) > 2 else "[kernel]"
            syms.append((a, p[1], mod))
    syms.sort()
    return [a for a, _, _ in syms], syms


def load_profile(path, syms, modules, calls=None):
    addrs, tab = syms
    c = collections.Counter()
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) not in (2, 3):
                continue
            a, n = int(p[0], 16), int(p[1])
            if not a >> 63:
                c["[user]"] += n
                continue
            i = bisect.bisect_right(addrs, a) - 1
            if i < 0:
                c["[kernel ?]"] += n
                continue
            k = tab[i][2] if modules else tab[i][1] + ("" if tab[i][2] == "[kernel]" else " " + tab[i][2])
            c[k] += n
            if calls is not None and len(p) == 3 and a == tab[i][0]:
                calls[k] += int(p[2])
    return c


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--per", type=float, default=1.0)
    ap.add_argument("--per-b", type=float, default=None)
    ap.add_argument("--modules", action="store_true")
    ap.add_argument("--calls", action="store_true")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    if len(a.files) not in (2, 4):
        ap.error("KALLSYMS PROFILE [KALLSYMS_B PROFILE_B]")
    ca, cb = collections.Counter(), collections.Counter()
    pa = load_profile(a.files[1], load_syms(a.files[0]), a.modules, ca)
    ta = sum(pa.values())

    def cl(c, k, per):
        return "%10.2f " % (c[k] / per) if a.calls else ""
    if len(a.files) == 2:
        print("%14s %6s %s %s" % ("instructions", "share", "%10s" % "calls" if a.calls else "", "function"))
        for k, v in pa.most_common(a.top):
            print("%14.0f %5.1f%% %s %s" % (v / a.per, 100.0 * v / ta, cl(ca, k, a.per), k))
        print("%14.0f %5.1f%%  total" % (ta / a.per, 100.0))
        return 0
    pb = load_profile(a.files[3], load_syms(a.files[2]), a.modules, cb)
    per_b = a.per_b if a.per_b is not None else a.per
    tb = sum(pb.values())
    keys = set(pa) | set(pb)
    rows = sorted(keys, key=lambda k: -(pb[k] / per_b - pa[k] / a.per))
    print("%14s %14s %14s %s %s" % ("A", "B", "B - A", "%10s %10s " % ("calls A", "calls B") if a.calls else "",
                                   "function"))

    def row(k):
        print("%14.0f %14.0f %+14.0f %s%s %s" % (pa[k] / a.per, pb[k] / per_b, pb[k] / per_b - pa[k] / a.per,
                                                 cl(ca, k, a.per), cl(cb, k, per_b), k))
    for k in rows[:a.top]:
        row(k)
    print("...")
    for k in rows[-min(a.top // 3, len(rows)):]:
        row(k)
    print("%14.0f %14.0f %+14.0f  total" % (ta / a.per, tb / per_b, tb / per_b - ta / a.per))
    return 0


if __name__ == "__main__":
    sys.exit(main())
