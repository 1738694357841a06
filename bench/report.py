#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Turn bench/results/all.csv into summary.txt (tables and the targets of
issue 5, met or missed, with the measured figure) and PNG charts (gnuplot).

Usage: bench/report.py RESULTS_DIR
"""
import csv
import os
import subprocess
import sys
from collections import defaultdict

out = sys.argv[1]
rows = list(csv.DictReader(open(os.path.join(out, "all.csv"))))
V = {}
for r in rows:
    V[(r["workload"], r["design"], r["kind"], int(r["threads"]),
       int(r["vmas"]), r["writer"], r["metric"])] = float(r["value"])


def get(w, d, k, t, n, wr, m):
    return V.get((w, d, k, t, n, wr, m))


def values(idx, **fix):
    keys = ["workload", "design", "kind", "threads", "vmas", "writer",
            "metric"]
    pos = keys.index(idx)
    s = set()
    for key in V:
        if all(key[keys.index(f)] == v for f, v in fix.items()):
            s.add(key[pos])
    return sorted(s, key=lambda x: (DORDER.get(x, 9), x) if isinstance(x, str) else x)


DORDER = {"ukvmem-urcu": 0, "ukvmem-ck": 1, "btree-rwlock": 2,
          "list-global-lock": 3, "linux-host": 4}
lines = []


def p(s=""):
    lines.append(s)


def fmt(v, unit=""):
    if v is None:
        return "-"
    if abs(v) >= 1e6:
        return "%.2fM" % (v / 1e6)
    if abs(v) >= 1e4:
        return "%.0fk" % (v / 1e3)
    if abs(v) >= 100:
        return "%.0f" % v
    return "%.2f" % v


def table(title, header, body):
    p(title)
    w = [max(len(str(x)) for x in col) for col in zip(header, *body)]
    p("  " + "  ".join(str(h).rjust(w[i]) if i else str(h).ljust(w[i])
                       for i, h in enumerate(header)))
    for b in body:
        p("  " + "  ".join(str(c).rjust(w[i]) if i else str(c).ljust(w[i])
                           for i, c in enumerate(b)))
    p()


# ---- Tables ------------------------------------------------------------------
threads = values("threads", workload="faults", metric="faults_per_s")
body = []
for d in values("design", workload="faults", metric="faults_per_s"):
    for k in ["zero", "uninit", "dma", "refault", "minor-write", "minor-read"]:
        if get("faults", d, k, 1, 1, "none", "faults_per_s") is None:
            continue
        body.append([d + " " + k] +
                    [fmt(get("faults", d, k, t, t, "none", "faults_per_s"))
                     for t in threads] +
                    [fmt(get("faults", d, k, 1, 1, "none",
                             "ns_per_fault_thread"))])
table("Faults/s, total (linux-host: pages/s), by threads (2 cores: T>2 oversubscribed)",
      ["design kind"] + ["T=%d" % t for t in threads] + ["ns/fault T=1"], body)

body = []
for d in values("design", workload="storm", metric="faults_per_s"):
    for t in values("threads", workload="storm", design=d):
        for wr in ["none", "storm"]:
            g = lambda m: get("storm", d, values("kind", workload="storm")[0],
                              t, t, wr, m)
            body.append([d, t, wr, fmt(g("faults_per_s")),
                         "%.1f%%" % (100 * g("rel_idle")),
                         fmt(g("p50_ns")), fmt(g("p99_ns")),
                         fmt(g("p999_ns")), fmt(g("writer_ops_per_s"))])
if body:
    table("Faults under a writer storm (%s faults, timestamp per fault)"
          % values("kind", workload="storm")[0],
          ["design", "T", "writer", "faults/s", "vs idle", "p50 ns", "p99 ns",
           "p99.9 ns", "writer op/s"], body)

vm = values("vmas", workload="lookup", metric="lookups_per_s")
body = []
for d in values("design", workload="lookup", metric="lookups_per_s"):
    for t in values("threads", workload="lookup", design=d,
                    metric="lookups_per_s"):
        for wr in ["none", "writer"]:
            body.append([d, t, wr] +
                        [fmt(get("lookup", d, "-", t, n, wr,
                                 "lookups_per_s_thread")) for n in vm])
table("Lookups/s per reader thread, by VMA count",
      ["design", "T", "writer"] + ["N=%d" % n for n in vm], body)

vm = values("vmas", workload="writers", metric="map_per_s")
body = []
for d in values("design", workload="writers", metric="map_per_s"):
    for m in ["map_per_s", "unmap_per_s", "set_attr_per_s"]:
        body.append([d, m.replace("_per_s", "")] +
                    [fmt(get("writers", d, "-", 1, n, "none", m)) for n in vm])
table("Writer operations/s (one thread), by VMA count",
      ["design", "op"] + ["N=%d" % n for n in vm], body)

vm = values("vmas", workload="firstfit", metric="ns_per_place")
body = []
for d in values("design", workload="firstfit", metric="ns_per_place"):
    body.append([d] + [fmt(get("firstfit", d, "-", 1, n, "none",
                               "ns_per_place")) for n in vm])
table("First-fit placement, ns per map at __VADDR_ANY (linux-host: mmap(NULL))",
      ["design"] + ["N=%d" % n for n in vm], body)

body = []
for key, v in sorted(V.items()):
    if key[0] == "memory":
        body.append([key[1], key[6], "%.2f" % v])
table("Memory", ["design", "metric", "bytes"], body)

# ---- Targets -------------------------------------------------------------------
p("Targets (issue 5)")
UK = [d for d in ["ukvmem-urcu", "ukvmem-ck"]
      if get("faults", d, "uninit", 1, 1, "none", "faults_per_s")]


def target(text, ok, figure):
    p("  [%s] %s: %s" % ("met" if ok else "MISSED", text, figure))


for d in UK:
    f = lambda k, t, m="faults_per_s": get("faults", d, k, t, t, "none", m)
    for k in ["uninit", "dma"]:
        ns = f(k, 1, "ns_per_fault_thread")
        if ns is not None:
            target("%s management-only (%s) fault <= 100 ns, 1 thread" % (d, k),
                   ns <= 100, "%.1f ns" % ns)
    host = get("faults", "linux-host", "minor-write", 1, 1, "none",
               "faults_per_s")
    hostr = get("faults", "linux-host", "minor-read", 1, 1, "none",
                "faults_per_s")
    for k in ["uninit", "dma"]:
        if f(k, 1) and host:
            target("%s %s >= 3x host minor faults" % (d, k),
                   f(k, 1) >= 3 * host,
                   "%.2fx (%s/s vs %s/s memfd write faults; %.2fx vs %s pages/s"
                   " memfd reads with fault-around)"
                   % (f(k, 1) / host, fmt(f(k, 1)), fmt(host),
                      f(k, 1) / hostr if hostr else 0, fmt(hostr)))
    for k in ["uninit", "dma"]:
        if f(k, 1) and f(k, 2):
            target("%s %s 1 -> 2 threads >= 1.8x" % (d, k),
                   f(k, 2) / f(k, 1) >= 1.8, "%.2fx" % (f(k, 2) / f(k, 1)))
    hz = get("faults", "linux-host", "zero", 1, 1, "none", "faults_per_s")
    if f("zero", 1) and hz:
        target("%s demand-zero >= host (1 thread)" % d, f("zero", 1) >= hz,
               "%.2fx (%s/s vs %s/s)" % (f("zero", 1) / hz, fmt(f("zero", 1)),
                                         fmt(hz)))
    hz2 = get("faults", "linux-host", "zero", 2, 2, "none", "faults_per_s")
    if f("zero", 2) and hz2:
        target("%s demand-zero >= host (2 threads)" % d, f("zero", 2) >= hz2,
               "%.2fx" % (f("zero", 2) / hz2))
    sk = (values("kind", workload="storm") or ["uninit"])[0]
    for t in values("threads", workload="storm", design=d):
        rel = get("storm", d, sk, t, t, "storm", "rel_idle")
        lst = get("storm", "list-global-lock", sk, t, t, "storm", "rel_idle")
        if rel is not None:
            target("%s under writer storm >= 90%% of idle, T=%d%s" %
                   (d, t, " (T+writer > 2 cores)" if t > 1 else ""),
                   rel >= 0.9, "%.1f%% (list-global-lock: %s)" %
                   (100 * rel, "%.1f%%" % (100 * lst) if lst is not None else "-"))
    l1k = get("lookup", d, "-", 1, 1000, "none", "lookups_per_s_thread")
    l1m = get("lookup", d, "-", 1, 1000000, "none", "lookups_per_s_thread")
    if l1k:
        target("%s lookups >= 20 M/s per thread at 1k VMAs" % d, l1k >= 20e6,
               "%s/s" % fmt(l1k))
    if l1k and l1m:
        target("%s lookups at 1M VMAs within 2x of 1k" % d, l1k / l1m <= 2,
               "%s/s, %.1fx slower" % (fmt(l1m), l1k / l1m))
    ff = [(n, get("firstfit", d, "-", 1, n, "none", "ns_per_place"))
          for n in values("vmas", workload="firstfit", design=d)]
    if len(ff) >= 2:
        (n0, a), (n1, b) = ff[0], ff[-1]
        target("%s first-fit at %d vs %d VMAs stays logarithmic" % (d, n1, n0),
               b / a < 10, "%.0f ns vs %.0f ns (%.1fx)" % (b, a, b / a))
lst = [(t, get("storm", "list-global-lock", "uninit", t, t, "storm", "rel_idle"))
       for t in values("threads", workload="storm", design="list-global-lock")]
for t, v in lst:
    if v is not None:
        target("list-global-lock under storm falls below 50%% of idle, T=%d" % t,
               v < 0.5, "%.1f%%" % (100 * v))
p()
text = "\n".join(lines)
open(os.path.join(out, "summary.txt"), "w").write(text + "\n")
print(text)

# ---- Charts ----------------------------------------------------------------------
def dat(name, header, body):
    with open(os.path.join(out, name), "w") as f:
        f.write("# " + " ".join(header) + "\n")
        for b in body:
            f.write(" ".join(str(x) for x in b) + "\n")


term = "set terminal pngcairo size 900,560 font 'sans,10'\n"
try:
    probe = subprocess.run(["gnuplot", "-e", "set terminal pngcairo"],
                           capture_output=True, text=True)
    if probe.returncode or "unknown" in probe.stderr.lower():
        term = "set terminal png size 900,560\n"
except FileNotFoundError:
    print("gnuplot not found: no charts")
    sys.exit(0)
gp = []


def chart(png, title, xlabel, ylabel, series, logx=False, logy=False,
          style="linespoints"):
    """series: list of (label, [(x, y)...], dashed)"""
    s = [term, "set output '%s'\n" % os.path.join(out, png),
         "set title '%s'\n" % title, "set xlabel '%s'\n" % xlabel,
         "set ylabel '%s'\n" % ylabel, "set key outside right top\n",
         "set grid\n"]
    if logx:
        s.append("set logscale x\n")
    if logy:
        s.append("set logscale y\n")
    plots = []
    for i, (label, pts, dashed) in enumerate(series):
        if not pts:
            continue
        fn = "%s.%d.dat" % (png[:-4], i)
        dat(fn, ["x", "y"], pts)
        plots.append("'%s' using 1:2 with %s lw 2 %s title '%s'" %
                     (os.path.join(out, fn), style,
                      "dt 2" if dashed else "", label))
    if not plots:
        return
    s.append("plot " + ", \\\n  ".join(plots) + "\n")
    gp.append("".join(s))


for k, host in [("zero", "zero"), ("uninit", "minor-write"), ("dma", "minor-write"),
                ("refault", None)]:
    series = []
    for d in values("design", workload="faults", metric="faults_per_s"):
        kk = host if d == "linux-host" else k
        if kk is None:
            continue
        pts = [(t, get("faults", d, kk, t, t, "none", "faults_per_s"))
               for t in threads]
        pts = [(x, y / 1e6) for x, y in pts if y]
        series.append((d + ("" if d != "linux-host" else " " + kk), pts,
                       d == "linux-host"))
    chart("faults_%s.png" % k, "Concurrent %s faults (2 cores)" % k,
          "threads", "M faults/s (total)", series)

sk = (values("kind", workload="storm") or ["uninit"])[0]
series = []
for d in values("design", workload="storm", metric="rel_idle"):
    pts = [(t, 100 * get("storm", d, sk, t, t, "storm", "rel_idle"))
           for t in values("threads", workload="storm", design=d)]
    series.append((d, pts, False))
chart("storm.png", "Fault throughput under a writer storm, %% of idle (%s)" % sk,
      "fault threads (+1 writer)", "% of idle throughput", series)
series = []
for d in values("design", workload="storm", metric="p99_ns"):
    for wr in ["none", "storm"]:
        pts = [(t, get("storm", d, sk, t, t, wr, "p99_ns"))
               for t in values("threads", workload="storm", design=d)]
        series.append(("%s %s" % (d, "idle" if wr == "none" else "storm"),
                       pts, wr == "none"))
chart("storm_p99.png", "p99 fault latency, idle (dashed) and under storm",
      "fault threads", "ns", series, logy=True)

series = []
for d in values("design", workload="lookup", metric="lookups_per_s"):
    for wr in ["none", "writer"]:
        pts = [(n, get("lookup", d, "-", 1, n, wr, "lookups_per_s_thread"))
               for n in values("vmas", workload="lookup", design=d)]
        pts = [(x, y / 1e6) for x, y in pts if y]
        series.append(("%s%s" % (d, "" if wr == "none" else " +writer"), pts,
                       wr != "none"))
chart("lookup.png", "Lookups per second, 1 reader (dashed: with a writer)",
      "VMAs", "M lookups/s", series, logx=True, logy=True)

for m, t in [("map_per_s", "map"), ("unmap_per_s", "unmap"),
             ("set_attr_per_s", "set_attr")]:
    series = []
    for d in values("design", workload="writers", metric=m):
        pts = [(n, get("writers", d, "-", 1, n, "none", m))
               for n in values("vmas", workload="writers", design=d)]
        series.append((d, [(x, y) for x, y in pts if y], d == "linux-host"))
    chart("writers_%s.png" % t, "%s operations/s by VMA count" % t, "VMAs",
          "ops/s", series, logx=True, logy=True)
series = []
for d in values("design", workload="firstfit", metric="ns_per_place"):
    if d == "linux-host":
        continue
    pts = [(n, get("firstfit", d, "-", 1, n, "none", "ns_per_place"))
           for n in values("vmas", workload="firstfit", design=d)]
    series.append((d, pts, False))
chart("firstfit.png", "First-fit placement cost", "VMAs", "ns per placement",
      series, logx=True, logy=True)

script = os.path.join(out, "charts.gp")
open(script, "w").write("\n".join(gp))
r = subprocess.run(["gnuplot", script], capture_output=True, text=True)
if r.returncode:
    print("gnuplot failed:\n" + r.stderr)
else:
    print("charts: " + " ".join(sorted(f for f in os.listdir(out)
                                       if f.endswith(".png"))))
