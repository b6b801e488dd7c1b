#!/usr/bin/env python3
"""host_cpu.py - the host CPU time an I/O backend has used so far, for make eval.

Usage: host_cpu.py [--backend PID]... [--qemu PID]

Prints one line of KEY VALUE pairs, nanoseconds of CPU time since the tasks
started (each task's se.sum_exec_runtime, the first field of
/proc/PID/task/TID/schedstat, proc(5)); eval.sh takes the difference of two
samples around a workload phase:
  backend_ns    every thread of the process trees rooted at the --backend
                PIDs (bifrost-host; testpmd; ovsdb-server and ovs-vswitchd),
                QEMU processes left out
  qemu_io_ns    the threads of the QEMU processes under --qemu (the
                launcher) other than its vCPU threads ("CPU N/TCG"; "ALL
                CPUs/TCG" under -icount): its main loop, where QEMU's own
                virtio-net and tap backend run and, under TCG, every
                interrupt from a vhost-user backend is injected; and its
                helper threads
  poll_ns       the part of backend_ns spent by busy-polling threads: DPDK
                lcores ("rte-worker-N", testpmd's forwarding lcore) and Open
                vSwitch PMD threads ("pmd-...")
  ksoftirqd_ns  the host's ksoftirqd threads: softirq work (NAPI of the
                veths, XDP, bridging) deferred out of the task that raised it.
                Softirqs run on return from an interrupt or a system call are
                charged to the task they interrupt (no IRQ time accounting
                here), wherever that task belongs
A task that exits between two samples takes its time with it; the backends'
threads live as long as the cell.
"""
import os
import re
import sys

VCPU = re.compile(r"^(CPU \d+|ALL CPUs)/")
POLL = re.compile(r"^(rte-worker-|lcore-worker-|pmd)")


def comm(path):
    try:
        with open(path + "/comm") as f:
            return f.read().rstrip("\n")
    except OSError:
        return ""


def runtime(path):
    """se.sum_exec_runtime of a task, ns (0 once it is gone)."""
    try:
        with open(path + "/schedstat") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def tasks(pid):
    base = "/proc/%d/task" % pid
    try:
        return ["%s/%s" % (base, t) for t in os.listdir(base)]
    except OSError:
        return []


def children():
    """ppid -> [pid] of every process."""
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
            ppid = int(st[st.rindex(")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        kids.setdefault(ppid, []).append(int(d))
    return kids


def tree(roots, kids):
    seen, todo = [], list(roots)
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.append(p)
        todo += kids.get(p, [])
    return seen


def main(argv):
    backend, qemu = [], []
    it = iter(argv)
    for a in it:
        try:
            v = int(next(it))
        except (StopIteration, ValueError):
            sys.exit("usage: host_cpu.py [--backend PID]... [--qemu PID]")
        if a == "--backend":
            backend.append(v)
        elif a == "--qemu":
            qemu.append(v)
        else:
            sys.exit("usage: host_cpu.py [--backend PID]... [--qemu PID]")
    kids = children()
    out = dict(backend_ns=0, qemu_io_ns=0, poll_ns=0, ksoftirqd_ns=0)
    for p in tree(backend, kids):
        if comm("/proc/%d" % p).startswith("qemu-system"):
            continue
        for t in tasks(p):
            n = runtime(t)
            out["backend_ns"] += n
            if POLL.match(comm(t)):
                out["poll_ns"] += n
    for p in tree(qemu, kids):
        if not comm("/proc/%d" % p).startswith("qemu-system"):
            continue
        for t in tasks(p):
            if not VCPU.match(comm(t)):
                out["qemu_io_ns"] += runtime(t)
    for p in kids.get(2, []):
        if comm("/proc/%d" % p).startswith("ksoftirqd/"):
            out["ksoftirqd_ns"] += runtime("/proc/%d" % p)
    print(" ".join("%s %d" % kv for kv in out.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
