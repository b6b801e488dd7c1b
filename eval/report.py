#!/usr/bin/env python3
"""report.py - turns the measurements of eval/eval.sh into the report.

Usage: report.py RAW_TSV OUT_DIR

RAW_TSV has one measurement per line, "CELL BOOT PHASE KEY VALUE" (tab
separated; "-" where a field does not apply), written by eval.sh. OUT_DIR
gets:
  results.json  every cell and phase with its derived metrics
  report.md     the tables (normalized to vm and to cvm, as the paper does),
                the paper's figures beside ours, the CPU breakdown, the goals
  summary.txt   the short version printed at the end of `make eval`
  *.png         throughput.png, instructions.png, breakdown.png (gnuplot;
                when gnuplot is missing, report.md says so)
Metric definitions are in eval/README.md.
"""
import json
import math
import os
import shutil
import subprocess
import sys
from collections import OrderedDict, defaultdict

MB = 1 << 20
CLASSES = ["bounce", "packet", "crypto", "app", "other"]
# one distinct color per bar series (gnuplot's default cycle repeats after 8)
PALETTE = ["#4d4d4d", "#e41a1c", "#ff7f00", "#984ea3", "#377eb8", "#4daf4a", "#a65628",
           "#f781bf", "#999999", "#66c2a5", "#fdd835", "#1b1b6f", "#80b1d3", "#b3de69"]
# The paper's figures (Li et al., "Bifrost", USENIX ATC 2023; as summarized in
# the project's design brief): what each of our rows is compared with.
PAPER = [
    ("cvm vs vm throughput", "0.72-0.79x (21-28 % overhead, SEV-ES/SNP)"),
    ("CVM-IO tax share of guest CPU", "> 50 %"),
    ("bounce buffer share of guest CPU (cvm)", "up to ~20 %"),
    ("packet processing share of guest CPU (cvm)", "up to ~36 %"),
    ("bifrost vs vm throughput", "up to 1.215x"),
]


def num(v):
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def load(path):
    raw = defaultdict(lambda: defaultdict(lambda: defaultdict(dict)))
    meta, order, phases = {}, [], []
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 5:
                continue
            cell, boot, phase, key, val = parts
            if cell == "-":
                meta[key] = val
                continue
            if cell not in order:
                order.append(cell)
            if phase != "-" and phase not in phases:
                phases.append(phase)
            if key == "note":
                raw[cell]["-"]["-"].setdefault("notes", []).append(val)
            else:
                raw[cell][boot][phase][key] = val
    return raw, meta, order, phases


def scenario_phases(raw, order):
    """The phases of the scenario cells (eval.sh's "scenario" key): the
    swiotlb exhaustion scenario's, which the other cells do not run."""
    return {p for c in order if raw[c]["-"]["-"].get("scenario")
            for p in raw[c].get("tput", {}) if p != "-"}


def derive(raw, order, phases):
    """One dict per cell: its description, and per phase the metrics."""
    cells = OrderedDict()
    scen = scenario_phases(raw, order)
    all_phases = phases
    for c in order:
        r = raw[c]
        desc = r["-"]["-"]
        cell = {"cell": c, "backend": desc.get("backend"), "guest_mode": desc.get("guest_mode"),
                "scenario": desc.get("scenario"),
                "notes": desc.get("notes", []), "phases": OrderedDict(), "problems": []}
        phases = [p for p in all_phases if (p in scen) == bool(cell["scenario"])]
        cell["run"] = "tput" in r
        # the counted boots: icount, and icount2, icount3... of a cell run
        # more than once (EVAL_REPEAT_CELLS)
        counted = sorted((b for b in r if b.startswith("icount")), key=lambda b: (len(b), b))
        for boot in ["tput"] + counted + ["perf"]:
            b = r.get(boot, {}).get("-", {})
            if not b:
                continue
            if b.get("launcher_rc", "0") != "0":
                cell["problems"].append("%s boot: launcher exit %s" % (boot, b["launcher_rc"]))
            if b.get("oops", "0") not in ("0", ""):
                cell["problems"].append("%s boot: %s oops/warnings in the guest" % (boot, b["oops"]))
            if num(b.get("violations")):
                cell["problems"].append("%s boot: %s backend violations" % (boot, b["violations"]))
            cell.setdefault("violations", 0)
            if b.get("violations") is not None:
                cell["violations"] += int(num(b["violations"]) or 0)
            if b.get("aead"):
                cell["aead"] = b["aead"]
            if b.get("guest_kernel"):
                cell["guest_kernel"] = b["guest_kernel"]
        if cell["backend"] != "bifrost-host":
            cell["violations"] = None
        for p in phases:
            t = r.get("tput", {}).get(p)
            if not t:
                continue
            # instructions of each counted boot; the metrics below take the
            # boot with the median instructions per request
            runs = []
            for boot in counted:
                d = r[boot].get(p, {})
                n, q = num(d.get("d_insn", d.get("d_busy_ns"))), num(d.get("reqs"))
                if n is not None and q:
                    runs.append((n / q, boot))
            i = r.get(sorted(runs)[len(runs) // 2][1] if runs else "icount", {}).get(p, {})
            pf = r.get("perf", {}).get(p, {})
            m = {"workload": t.get("workload")}
            if len(runs) > 1:
                m["instr_runs"] = [v for v, _ in runs]
                m["instr_spread"] = max(m["instr_runs"]) / min(m["instr_runs"]) - 1
            bad = 0
            for boot, d in [("tput", t)] + [(b, r[b].get(p, {})) for b in counted] + [("perf", pf)]:
                if not d:
                    continue
                if d.get("missing"):
                    cell["problems"].append("%s: %s boot: phase did not run" % (p, boot))
                    bad += 1
                bad += int(num(d.get("bad")) or 0)
                asked = num(d.get("asked"))	# a fixed-count phase's requests
                if asked is not None and not d.get("missing") and num(d.get("reqs")) != asked:
                    cell["problems"].append("%s: %s boot: %s of its %d requests made" % (
                        p, boot, d.get("reqs"), asked))
                    bad += 1
                gb = int(num(d.get("check_bad")) or 0)
                if gb:
                    cell["problems"].append("%s: %s boot: the guest counted %d bad" % (p, boot, gb))
                bad += gb
                for k, v in d.items():
                    if k.startswith("check_") and k != "check_bad" and (
                            "bad" in k or "error" in k or k.startswith("check_no_") or
                            k.startswith("check_not_")):
                        if num(v.split()[0] if v else None) not in (0.0,):
                            cell["problems"].append("%s: %s boot: %s %s" % (p, boot, k[6:], v))
                            bad += 1
            m["bad"] = bad
            # the swiotlb scenario's counters (wl_tls64.sh), from the tput boot
            for k in ("check_swiotlb_full", "check_swiotlb_maps", "check_rx_dropped", "check_tx_dropped", "check_retrans",
                      "wire_retrans", "guest_full_drops", "check_conns_ok"):
                if num(t.get(k)) is not None:
                    m[k.replace("check_", "")] = int(num(t[k]))
            reqs, byts, secs = num(t.get("reqs")), num(t.get("bytes")), num(t.get("secs"))
            if reqs and byts and secs:
                m["reqs"], m["bytes"], m["secs"] = int(reqs), int(byts), secs
                m["mb_per_s"] = byts / MB / secs
                m["req_per_s"] = reqs / secs
                for k, name in (("d_rx_packets", "pkts_in_per_mb"), ("d_bounced_bytes", "bounced_per_mb")):
                    if num(t.get(k)) is not None:
                        m[name] = num(t[k]) / (byts / MB)
                host_cpu(m, t, byts)
            ireqs, ibytes = num(i.get("reqs")), num(i.get("bytes"))
            # instructions: the exact counter's (d_insn, vm/tcg-insn-count.c),
            # else busy time under -icount (10 ms ticks; raw files of old runs)
            src = "insn" if num(i.get("d_insn")) is not None else "busy_ns"
            if num(i.get("d_" + src)) is not None and ireqs and ibytes:
                instr = num(i["d_" + src])
                m["instr"] = int(instr)
                m["instr_exact"] = src == "insn"
                m["instr_per_req"] = instr / ireqs
                m["instr_per_mb"] = instr / (ibytes / MB)
                parts = (("user", "d_insn_user"), ("kernel", "d_insn_kernel")) if src == "insn" else (
                    ("user", "d_user_ns"), ("sys", "d_sys_ns"), ("softirq", "d_softirq_ns"))
                for part, key in parts:
                    if num(i.get(key)) is not None:
                        m["%s_per_mb" % part] = num(i[key]) / (ibytes / MB)
                        m["%s_per_req" % part] = num(i[key]) / ireqs
                # each REP string instruction once (the passes of its block
                # after the first taken out), as hardware counts instructions
                # retired; raw files before the REP counters lack them
                ru, rk = num(i.get("d_insn_rep_user")), num(i.get("d_insn_rep_kernel"))
                if src == "insn" and ru is not None and rk is not None:
                    m["once_per_req"] = (instr - ru - rk) / ireqs
                    m["rep_share"] = (ru + rk) / instr if instr else None
            samples = num(pf.get("cpu_samples"))
            if samples:
                m["cpu_samples"] = int(samples)
                m["cpu_share"] = {k: (num(pf.get("cpu_" + k)) or 0) / samples for k in CLASSES}
            cell["phases"][p] = m
        if cell["run"]:
            for p in phases:
                m = cell["phases"].get(p)
                if m is None:
                    cell["problems"].append("%s: no measurement (raw.tsv truncated?)" % p)
                elif not m.get("reqs") or not m.get("bytes"):
                    cell["problems"].append("%s: no request or byte measured" % p)
        cell["correct"] = cell["run"] and not cell["problems"] and all(
            ph["bad"] == 0 for ph in cell["phases"].values())
        cells[c] = cell
    return cells


HOST_PARTS = ("backend", "qemu_io", "poll_idle", "ksoftirqd")


def host_cpu(m, t, byts):
    """The host's CPU time over a tput phase (eval.sh's host_cpu_end), in ns
    and in ms per MiB moved: host_work = the backend's processes + QEMU's
    non-vCPU threads - the time busy-polling threads spent polling an empty
    ring (their time minus the time on packets the peer counted). ksoftirqd
    is apart: it serves the wire side's own traffic too."""
    hb, hq = num(t.get("host_backend_ns")), num(t.get("host_qemu_io_ns"))
    if hb is None or hq is None:
        return
    poll, busy = num(t.get("host_poll_ns")) or 0, num(t.get("host_poll_busy_ns"))
    idle = max(0.0, poll - busy) if busy is not None else 0.0
    ns = {"backend": hb, "qemu_io": hq, "poll_idle": idle, "ksoftirqd": num(t.get("host_ksoftirqd_ns")) or 0}
    m["host_ns"] = ns
    m["host_work_ns"] = hb + hq - idle
    # a polling peer that did not say which of its time was on packets
    m["host_poll_unsplit"] = bool(poll) and busy is None
    m["host_ms_per_mb"] = m["host_work_ns"] / 1e6 / (byts / MB)


def host_total(cell, phases):
    """Over the given phases the cell measured: (work ms per MiB, {part: ms
    per MiB}, MiB), or None. A phase a cell lost is left out of its sums
    (and the cell is then not correct: report.md lists the problem)."""
    ph = [cell["phases"][p] for p in phases if p in cell["phases"] and "host_ns" in cell["phases"][p]]
    if not ph:
        return None
    mib = sum(m["bytes"] for m in ph) / MB
    parts = {k: sum(m["host_ns"][k] for m in ph) / 1e6 / mib for k in HOST_PARTS}
    return sum(m["host_work_ns"] for m in ph) / 1e6 / mib, parts, mib


def ratio(a, b):
    return a / b if a is not None and b else None


def fmt(v, digits=2):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    if abs(v) >= 1e6:
        return "%.2fM" % (v / 1e6)
    if abs(v) >= 1e4:
        return "%.0fk" % (v / 1e3)
    return "%.*f" % (digits, v)


def metric(cells, c, p, k):
    return cells.get(c, {}).get("phases", {}).get(p, {}).get(k)


def table(cells, phases, key, title, norm=None, digits=2):
    ran = [c for c in cells if cells[c]["run"]]
    out = ["", "### " + title, "", "| cell | " + " | ".join(phases) + " |",
           "|---|" + "---:|" * len(phases)]
    for c in ran:
        row = []
        for p in phases:
            v = metric(cells, c, p, key)
            if norm:
                v = ratio(v, metric(cells, norm, p, key))
            row.append(fmt(v, digits))
        out.append("| %s | %s |" % (c, " | ".join(row)))
    return out


def gnuplot(out, name, script):
    gp = os.path.abspath(os.path.join(out, name + ".gp"))
    with open(gp, "w") as f:
        f.write(script)
    subprocess.run(["gnuplot", gp], cwd=out, check=True, capture_output=True)


def plots(cells, phases, out):
    """PNG plots; returns the file names made (empty without gnuplot)."""
    if not shutil.which("gnuplot"):
        return []
    ran = [c for c in cells if cells[c]["run"] and cells[c]["phases"]]
    made = []
    for name, key, ylabel in (("throughput", "mb_per_s", "throughput relative to vm"),
                              ("instructions", "instr_per_req", "guest instructions per request relative to vm")):
        if "vm" not in cells:
            break
        # cells with at least one value (gnuplot refuses an empty column)
        cols_of = [c for c in ran if any(metric(cells, c, p, key) is not None for p in phases)]
        with open(os.path.join(out, name + ".dat"), "w") as f:
            f.write("phase " + " ".join('"%s"' % c for c in cols_of) + "\n")
            for p in phases:
                vals = [ratio(metric(cells, c, p, key), metric(cells, "vm", p, key)) for c in cols_of]
                f.write(p + " " + " ".join("%.4f" % v if v is not None else "NaN" for v in vals) + "\n")
        cols = ", ".join(("'%s.dat' using %d:xtic(1)" % (name, i + 2) if i == 0 else "'' using %d" % (i + 2)) +
                         " title columnhead lc rgb '%s'" % PALETTE[i % len(PALETTE)]
                         for i in range(len(cols_of)))
        gnuplot(out, name, """set terminal pngcairo size 1200,520 font ",10"
set output '%s.png'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border -1
set boxwidth 0.9
set key outside right top
set grid ytics
set yrange [0:*]
set ylabel '%s'
set xlabel 'workload phase (tls: 4 x TLS 1.3 bulk; nginx: wrk HTTPS; redis/memcached: TLS SET+GET)'
set xtics font ",9"
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb 'black'
plot %s
""" % (name, ylabel, cols))
        made.append(name + ".png")
    rows = [(c, p) for c in ran for p in phases if metric(cells, c, p, "cpu_share")]
    if rows:
        with open(os.path.join(out, "breakdown.dat"), "w") as f:
            f.write("bar " + " ".join(CLASSES) + "\n")
            for c, p in rows:
                # each class's share of the perf boot's samples, applied to the
                # icount boot's instructions per MiB: the bars shrink as the tax goes
                s = metric(cells, c, p, "cpu_share")
                per_mb = (metric(cells, c, p, "instr_per_mb") or 0) / 1e6
                f.write('"%s %s" %s\n' % (c, p, " ".join("%.3f" % (per_mb * s[k]) for k in CLASSES)))
        cols = ", ".join(("'breakdown.dat' using %d:xtic(1)" % (i + 2) if i == 0 else "'' using %d" % (i + 2)) +
                         " title columnhead lc rgb '%s'" % PALETTE[(i + 1) % len(PALETTE)]
                         for i in range(len(CLASSES)))
        gnuplot(out, "breakdown", """set terminal pngcairo size 1200,560 font ",10"
set output 'breakdown.png'
set style data histograms
set style histogram rowstacked
set style fill solid 0.9 border -1
set boxwidth 0.8
set key outside right top
set yrange [0:*]
set ylabel 'guest instructions per MiB (millions), by class'
set xtics rotate by -45
plot """ + cols + "\n")
        made.append("breakdown.png")
    return made


def goals(cells, phases):
    """The issue's goals, each with its verdict."""
    lines = []
    if "bifrost" not in cells or not cells["bifrost"]["run"]:
        return ["bifrost was not run: no goals checked"]
    # issue 19's goals: at most 0.9x vm's and 0.6x cvm's guest instructions
    # per request, on every workload
    # (the counter's own count, every REP iteration, decides; each REP
    # instruction once is beside it, for reference)
    for base, goal in (("vm", 0.9), ("cvm", 0.6)):
        if base not in cells:
            continue
        for key in ("instr_per_req", "once_per_req"):
            res = []
            for p in phases:
                r = ratio(metric(cells, "bifrost", p, key), metric(cells, base, p, key))
                if r is not None:
                    res.append((p, r))
            over = ", ".join(p for p, r in res if r > goal)
            vals = ", ".join("%s %.3fx" % (p, r) for p, r in res)
            if key == "instr_per_req":
                met = all(r <= goal for _, r in res) and res
                lines.append("bifrost vs %s: guest instructions per request %s (goal <= %.1fx on every "
                             "workload): %s%s" % (base, vals, goal, "met" if met else "NOT met",
                                                  "" if met else " (over: %s)" % over))
            elif res:
                lines.append("bifrost vs %s, for reference, each REP instruction counted once: %s (%s)" % (
                    base, vals, "all <= %.1fx" % goal if not over else "over %.1fx: %s" % (goal, over)))
    # the operator's bar: as cheap as an ordinary VM on the kernel path
    # (QEMU's tap backend with the host's GRO), on every workload
    if "tap-vm" in cells and cells["tap-vm"]["run"]:
        for key, how in (("instr_per_req", "guest instructions per request"),
                         ("once_per_req", "for reference, each REP instruction counted once")):
            res = [(p, ratio(metric(cells, "bifrost", p, key), metric(cells, "tap-vm", p, key))) for p in phases]
            res = [(p, r) for p, r in res if r is not None]
            if res:
                over = ", ".join(p for p, r in res if r > 1)
                lines.append("bifrost vs tap-vm (an ordinary VM on the kernel path), %s: %s (%s)" % (
                    how, ", ".join("%s %.3fx" % (p, r) for p, r in res),
                    "as cheap or cheaper on every workload" if not over else "dearer on: %s" % over))
    rep = [(metric(cells, c, p, "instr_spread"), c, p) for c in cells for p in phases
           if metric(cells, c, p, "instr_spread") is not None]
    if rep:
        worst = max(rep)
        lines.append("instruction counter: %d cell/phase pairs counted in more than one boot, worst spread "
                     "%.2f %% (%s %s) (goal <= 1 %%): %s" % (len(rep), 100 * worst[0], worst[1], worst[2],
                                                             "met" if worst[0] <= 0.01 else "NOT met"))
    return lines


def main():
    raw_path, out = sys.argv[1], sys.argv[2]
    raw, meta, order, all_phases = load(raw_path)
    every = derive(raw, order, all_phases)
    scen = scenario_phases(raw, order)
    # the main cells and phases; the scenario's apart (its own section)
    cells = OrderedDict((c, v) for c, v in every.items() if not v["scenario"])
    phases = [p for p in all_phases if p not in scen]
    scells = OrderedDict((c, v) for c, v in every.items() if v["scenario"])
    sphases = [p for p in all_phases if p in scen]
    made = plots(cells, phases, out)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"meta": meta, "phases": phases, "cells": list(cells.values()),
                   "scenario_phases": sphases, "scenario_cells": list(scells.values()),
                   "paper": [{"claim": a, "paper": b} for a, b in PAPER]}, f, indent=1)
    ran = [c for c in cells if cells[c]["run"]]
    # the guest kernels the boots ran (uname -r in the guest's stats)
    kernels = sorted({c["guest_kernel"] for c in cells.values() if c.get("guest_kernel")})
    md = ["# Bifrost evaluation (`make eval%s`), %s, commit %s" % (
        " QUICK=1" if meta.get("quick") == "1" else "", meta.get("date", "?"), meta.get("commit", "?")),
        "", "Measured in %s s. Guest: Debian's Linux %s under QEMU TCG, 1 vCPU with AES-NI; "
        "throughput on the host clock; guest instructions counted exactly by a QEMU TCG plugin "
        "(vm/tcg-insn-count.c) between the guest's phase marks, under `-icount shift=0`. "
        "How to read every number: eval/README.md." % (
            meta.get("seconds", "?"), " and ".join(kernels) or "(kernel not reported)"), "",
        "## Cells", "", "| cell | backend | guest | AES-GCM | violations | every response correct |",
        "|---|---|---|---|---:|---|"]
    for c in cells.values():
        md.append("| %s | %s | %s | %s | %s | %s |" % (
            c["cell"], c["backend"] or "-", c["guest_mode"] or "-", c.get("aead", "-"),
            "n/a" if c.get("violations") is None else c["violations"],
            ("yes" if c["correct"] else "NO") if c["run"] else "; ".join(c["notes"]) or "not run"))
    md += table(cells, phases, "mb_per_s", "Throughput, MiB/s (payload, both directions)")
    md += table(cells, phases, "mb_per_s", "Throughput normalized to vm", norm="vm", digits=3)
    md += table(cells, phases, "mb_per_s", "Throughput normalized to cvm", norm="cvm", digits=3)
    md += table(cells, phases, "req_per_s", "Requests per second")
    md += table(cells, phases, "instr_per_req", "Guest instructions per request")
    md += table(cells, phases, "instr_per_req", "Guest instructions per request normalized to vm", norm="vm", digits=3)
    md += table(cells, phases, "instr_per_req", "Guest instructions per request normalized to cvm", norm="cvm", digits=3)
    if "tap-vm" in ran:
        md += table(cells, phases, "instr_per_req", "Guest instructions per request normalized to tap-vm "
                    "(QEMU's tap backend, the host's kernel path with GRO)", norm="tap-vm", digits=3)
    if any(metric(cells, c, p, "once_per_req") is not None for c in ran for p in phases):
        md += once_tables(cells, phases)
    md += table(cells, phases, "instr_per_mb", "Guest instructions per MiB")
    md += table(cells, phases, "kernel_per_req", "Guest kernel instructions per request")
    md += table(cells, phases, "kernel_per_req", "Guest kernel instructions per request normalized to vm", norm="vm", digits=3)
    md += table(cells, phases, "user_per_req", "Guest user-space instructions per request")
    md += table(cells, phases, "pkts_in_per_mb", "Packets into the guest per MiB", digits=0)
    md += table(cells, phases, "bounced_per_mb", "swiotlb bytes bounced per MiB", digits=0)
    rep = [(c, p) for c in ran for p in phases if metric(cells, c, p, "instr_runs")]
    if rep:
        md += ["", "### Repeatability of the instruction counter (the same cell booted again; "
               "the tables above take the median boot)", "",
               "| cell | phase | instructions per request, each boot | spread (max/min - 1) |",
               "|---|---|---|---:|"]
        for c, p in rep:
            md.append("| %s | %s | %s | %.2f %% |" % (c, p, ", ".join(fmt(v) for v in metric(cells, c, p, "instr_runs")),
                                                      100 * metric(cells, c, p, "instr_spread")))
    bd = [(c, p) for c in ran for p in phases if metric(cells, c, p, "cpu_share")]
    if bd:
        md += ["", "### Guest CPU breakdown (share of busy perf samples under -icount, 1 per 2 M instructions; rules: eval/cpu-classes.txt)",
               "", "| cell | phase | samples | " + " | ".join(CLASSES) +
               " | bounce + packet, M instr/MiB |", "|---|---|---:|" + "---:|" * (len(CLASSES) + 1)]
        for c, p in bd:
            s = metric(cells, c, p, "cpu_share")
            per_mb = metric(cells, c, p, "instr_per_mb")
            tax = "%.2f" % ((s["bounce"] + s["packet"]) * per_mb / 1e6) if per_mb else "-"
            md.append("| %s | %s | %d | %s | %s |" % (c, p, metric(cells, c, p, "cpu_samples"),
                                                        " | ".join("%.1f %%" % (100 * s[k]) for k in CLASSES), tax))
    md += host_section(cells, phases)
    md += ["", "## Beside the paper", "", "| claim | paper | here |", "|---|---|---|"]
    here = paper_side(cells, phases)
    for claim, paper in PAPER:
        md.append("| %s | %s | %s |" % (claim, paper, here.get(claim, "-")))
    sc = [c for c in scells if scells[c]["run"]]
    if sc:
        md += ["", "## swiotlb exhaustion: a small bounce pool, 64 TLS connections (eval/wl_tls64.sh)", "",
               "Guests with a bounce pool of %s MiB (`swiotlb=`), 64 TLS 1.3 connections at once in each "
               "direction. Counted over each phase: swiotlb-full events (bounce slot allocations that "
               "failed), eth0 drops, TCP retransmissions on each side, packets bifrost-host dropped for want "
               "of a guest receive buffer." % meta.get("swiotlb_mb", "?"), "",
               "| cell | phase | MiB/s | connections ok | bounce slot allocations | swiotlb-full events "
               "| rx dropped | tx dropped | guest retransmits | wire retransmits "
               "| backend drops (guest ring full) | bounced B/MiB |",
               "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for c in sc:
            for p in sphases:
                m = scells[c]["phases"].get(p, {})
                md.append("| %s | %s | %s |" % (c, p, " | ".join(fmt(m.get(k), 1 if k == "mb_per_s" else 0) for k in (
                    "mb_per_s", "conns_ok", "swiotlb_maps", "swiotlb_full", "rx_dropped", "tx_dropped", "retrans",
                    "wire_retrans", "guest_full_drops", "bounced_per_mb"))))
    g = goals(cells, phases) + host_goal(cells, phases) + scenario_goals(scells, sphases)
    md += ["", "## Goals", ""] + ["- " + x for x in g]
    probs = [(c, x) for c in every.values() for x in c["problems"]]
    if probs:
        md += ["", "## Problems", ""] + ["- %s: %s" % (c["cell"], x) for c, x in probs]
    md += ["", "## Plots", ""] + ["![%s](%s)" % (m[:-4], m) for m in made]
    if not made:
        md.append("no plots: gnuplot is not installed (make deps-eval installs gnuplot-nox)")
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    summ = ["", "Bifrost evaluation: %d cells, %d phases, %s s; report %s/report.md" % (
        len(ran), len(phases), meta.get("seconds", "?"), out)]
    summ += ["  %-18s %s" % (c, "correct" if every[c]["correct"] else "NOT CORRECT") for c in ran + sc]
    summ += ["  " + x for x in g]
    summ += ["  %s: %s" % (c, "; ".join(cells[c]["notes"]) or "not run") for c in cells if not cells[c]["run"]]
    with open(os.path.join(out, "summary.txt"), "w") as f:
        f.write("\n".join(summ) + "\n")
    # a cell that ran but moved a wrong byte, lost a phase or oopsed fails the run
    return 0 if all(every[c]["correct"] for c in ran + sc) else 2


def once_tables(cells, phases):
    """Guest instructions per request with each REP string instruction counted
    once (the passes of its block after the first taken out)."""
    md = []
    md += table(cells, phases, "once_per_req", "Guest instructions per request, each REP string instruction "
                "once (as a hardware count of instructions retired; the tables above count every iteration, "
                "as -icount does)")
    md += table(cells, phases, "once_per_req", "Guest instructions per request, each REP once, normalized to vm",
                norm="vm", digits=3)
    md += table(cells, phases, "once_per_req", "Guest instructions per request, each REP once, normalized to cvm",
                norm="cvm", digits=3)
    if "tap-vm" in cells and cells["tap-vm"]["run"]:
        md += table(cells, phases, "once_per_req", "Guest instructions per request, each REP once, normalized "
                    "to tap-vm", norm="tap-vm", digits=3)
    md += table(cells, phases, "rep_share", "Share of the counted instructions that are REP passes after "
                "an instruction's first", digits=3)
    return md


def host_section(cells, phases):
    """The host's side of the bill: CPU time per MiB in the tput boots."""
    tot = [(c, host_total(cells[c], phases)) for c in cells if cells[c]["run"]]
    tot = [(c, t) for c, t in tot if t]
    if not tot:
        return []
    md = table(cells, phases, "host_ms_per_mb", "Host CPU per MiB moved, ms (backend + QEMU's I/O threads, "
               "busy-polling on empty rings excluded; tput boots)")
    md += ["", "### Host CPU per MiB, all phases, by part (ms per MiB)", "",
           "Backend: the backend's processes, every thread (bifrost-host; testpmd; ovsdb-server and "
           "ovs-vswitchd). QEMU I/O: QEMU's threads other than its vCPU (its main loop runs QEMU's own "
           "virtio-net and the tap backend). Polling idle: the time busy-polling threads (testpmd's "
           "forwarding lcore, OVS's PMD thread) spent on iterations without packets, as the peer counts "
           "them; subtracted. Work = backend + QEMU I/O - polling idle. ksoftirqd: the host's deferred "
           "softirq work (veth NAPI, XDP, bridge), also the wire side's own; not in work.", "",
           "| cell | MiB | backend | QEMU I/O | polling idle | work | ksoftirqd |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for c, (work, parts, mib) in tot:
        unsplit = any(m.get("host_poll_unsplit") for m in cells[c]["phases"].values())
        md.append("| %s | %.0f | %s | %s | %s | %s%s | %s |" % (
            c, mib, fmt(parts["backend"]), fmt(parts["qemu_io"]), fmt(parts["poll_idle"]), fmt(work),
            " (polling not split)" if unsplit else "", fmt(parts["ksoftirqd"])))
    return md


def host_goal(cells, phases):
    """Issue 19's host goal: bifrost-host with PRPR (the bifrost cell) at most
    OVS-DPDK's host CPU per MiB at the same load (its cvm cell: the same
    guest, the same phases)."""
    b = host_total(cells["bifrost"], phases) if "bifrost" in cells and cells["bifrost"]["run"] else None
    o = host_total(cells["ovsdpdk-cvm"], phases) if "ovsdpdk-cvm" in cells and cells["ovsdpdk-cvm"]["run"] else None
    if not b:
        return []
    if not o or o[0] <= 0:
        return ["host CPU per MiB: bifrost %.2f ms; ovsdpdk-cvm %s (goal: bifrost <= OVS-DPDK): not checked" % (
            b[0], "not run" if not o else "measured no work")]
    over = [p for p in phases if (metric(cells, "bifrost", p, "host_ms_per_mb") or 0) >
            (metric(cells, "ovsdpdk-cvm", p, "host_ms_per_mb") or float("inf"))]
    return ["host CPU per MiB, all phases: bifrost %.2f ms, ovsdpdk-cvm %.2f ms (%.3fx; goal: bifrost <= OVS-DPDK): "
            "%s%s" % (b[0], o[0], b[0] / o[0], "met" if b[0] <= o[0] else "NOT met",
                      " (phases over: %s)" % ", ".join(over) if over else "")]


def scenario_goals(scells, sphases):
    """The swiotlb scenario's goal: no swiotlb-full event in the bifrost
    guest, whose TLS flows are all ZCED; cvm's count beside it."""
    def total(c, k):
        vals = [scells[c]["phases"].get(p, {}).get(k) for p in sphases]
        return sum(v for v in vals if v is not None) if any(v is not None for v in vals) else None
    b = [c for c in scells if scells[c]["run"] and scells[c]["cell"].endswith("-bifrost")]
    v = [c for c in scells if scells[c]["run"] and scells[c]["cell"].endswith("-cvm")]
    if not b:
        return []
    fb = total(b[0], "swiotlb_full")
    fc = total(v[0], "swiotlb_full") if v else None
    return ["small swiotlb pool: swiotlb-full events on ZCED flows (%s) %s, cvm (%s) %s (goal: 0 for bifrost): %s" % (
        b[0], "-" if fb is None else fb, v[0] if v else "not run", "-" if fc is None else fc,
        "met" if fb == 0 else "NOT met")]


def paper_side(cells, phases):
    """Our numbers for the paper's claims."""
    here = {}

    def span(vals):
        vals = [v for v in vals if v is not None]
        return "%.2f-%.2fx" % (min(vals), max(vals)) if vals else None

    tp = {b: [ratio(metric(cells, b, p, "mb_per_s"), metric(cells, "vm", p, "mb_per_s")) for p in phases]
          for b in ("cvm", "bifrost")}
    if span(tp["cvm"]):
        here["cvm vs vm throughput"] = span(tp["cvm"]) + " (TCG guest: per-byte work, not exits, dominates)"
    if span(tp["bifrost"]):
        here["bifrost vs vm throughput"] = span(tp["bifrost"])
    sh = [metric(cells, "cvm", p, "cpu_share") for p in phases]
    sh = [s for s in sh if s]
    if sh:
        here["bounce buffer share of guest CPU (cvm)"] = "up to %.1f %%" % max(100 * s["bounce"] for s in sh)
        here["packet processing share of guest CPU (cvm)"] = "up to %.1f %%" % max(100 * s["packet"] for s in sh)
        here["CVM-IO tax share of guest CPU"] = "up to %.1f %% (bounce + packet processing)" % max(
            100 * (s["bounce"] + s["packet"]) for s in sh)
    return here


if __name__ == "__main__":
    sys.exit(main())
