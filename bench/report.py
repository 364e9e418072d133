#!/usr/bin/python3
"""The data file of one bench/run.sh run, and the report made from it.

    bench/report.py collect WORKDIR DATA.json   raw figures of a run -> the data file
    bench/report.py render DATA.json [--no-plot]
        the data file -> latest.md and latency-vs-pods.png beside it

bench/run.sh does both, into bench/results/latest.json. `collect` reads the
work directory the run leaves (kept with BENCH_KEEP_WORK=1) and the machine it
runs on (kernel, CPU, memory, binary sizes), so it belongs right after the run,
on the same machine. `render` reads nothing but the data file (and
bench/analysis.md, appended to the report as it is): every table and the plot
come from that one file. Standard library only; the plot is drawn by gnuplot.

The data file (JSON, one line per row so that a diff shows which figures moved):
  run           date, commit, wall time, load averages, devices on the node at
                the start, and the knobs: samples, batch, levels, throughput
                calls and in-flight counts, reference_dir
  machine       cpus, cpu (model), kernel, mem_total_kib
  binary_bytes  sizes of ours, of the reference plugins, of /bin/true and libcjson
  levels        per level: pods per chain, devices on the node, 1-minute load
  latency       per level, variant and command: calls, p50_ms, p99_ms (nearest rank)
  throughput    per calls in flight, variant and command: calls, p50_ms, calls_per_s
  variants      per variant over all its runs: max_rss_kib, failed_calls,
                runs_without_output (the driver printed no summary)
  profile       per profiled call: cpu_ms, page_faults, context_switches (per
                call), processes, netlink_requests, syscalls
  vm            pods, note (the VM's kernel, or why it did not run) and latency
                rows as above with failed_calls
  provenance    (optional) where the figures came from, when not from `collect`
Variants: kr (krafty + host-local), ref (bridge + host-local), hl and hlref
(host-local, ours and the reference), tl (tuning-lite), tune (tuning), chain
(passthru + tuning-lite), floor (bench/floor.c), true and true2 (exec of
/bin/true, once or twice per call); in the VM: krafty, ref, floor, true.
"""

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

FORMAT = "krafty-bench 1"
ANALYSIS = Path(__file__).resolve().parent / "analysis.md"
MD_NAME = "latest.md"
PLOT_NAME = "latency-vs-pods.png"
DASH = "–"

OURS = ("krafty", "host-local", "tuning-lite", "passthru")
REFERENCE = ("bridge", "host-local", "tuning", "vrf")
ADC = ("ADD", "CHECK", "DEL")
HOST_VARIANTS = ("kr", "ref", "hl", "hlref", "tl", "tune", "chain", "floor", "true")


# ---- collect: the work directory of a run -> the data file ---------------------
#
# What bench/run.sh leaves in WORKDIR:
#   meta             KEY<TAB>VALUE lines: the run's settings and its environment
#   s/LEVEL/V.CMD    latency samples (ms, one per line) of variant V
#   json/runs        LABEL VARIANT CMD INFLIGHT JSON, one line per driver run
#                    (cnibench's or floor's summary: throughput, max_rss_kb, ...)
#   levels.tsv       PODS DEVICES LOAD1 when each level was measured
#   profile.list     VARIANT CMD per profiled call, with perf/V.CMD (perf stat -x,
#                    over 10 calls) and perf/V.CMD.strace (strace -f -c, one call)
#   vm.tsv, vm.note  the VM part: V CMD CALLS P50 P99 FAILED lines, and one line
#                    on the VM (or on why it did not run)


def nearest_rank(ordered, q):
    """The q-quantile of an ascending list, nearest rank."""
    return ordered[math.ceil(len(ordered) * q) - 1]


def read_meta(work):
    meta = {}
    for line in (work / "meta").read_text().splitlines():
        key, _, value = line.partition("\t")
        meta[key] = value
    return meta


def numbers(text):
    return [float(x) for x in text.split()]


def latency_cells(work):
    """p50/p99 of every sample file: one cell per level, variant and command."""
    cells = []
    for level_dir in (work / "s").iterdir():
        for f in level_dir.iterdir():
            samples = sorted(float(x) for x in f.read_text().split())
            if not samples:
                continue
            variant, _, cmd = f.name.partition(".")
            cells.append({"pods": int(level_dir.name), "variant": variant, "cmd": cmd,
                          "calls": len(samples), "p50_ms": nearest_rank(samples, 0.5),
                          "p99_ms": nearest_rank(samples, 0.99)})
    return sorted(cells, key=lambda c: (c["pods"], c["variant"], c["cmd"]))


def read_runs(work):
    """Every driver run: label, variant, cmd, inflight and the driver's summary."""
    runs = []
    for line in (work / "json" / "runs").read_text().splitlines():
        label, variant, cmd, inflight, summary = line.split(" ", 4)
        try:
            summary = json.loads(summary)
        except json.JSONDecodeError:
            summary = {"failures": -1}  # as run.sh records a driver that printed nothing
        runs.append({"label": label, "variant": variant, "cmd": cmd,
                     "inflight": int(inflight), "summary": summary})
    return runs


def throughput_rows(runs):
    rows = []
    for r in runs:
        s = r["summary"]
        if r["label"] == "tp" and s.get("throughput") is not None:
            rows.append({"inflight": r["inflight"], "variant": r["variant"], "cmd": r["cmd"],
                         "calls": s.get("count"), "p50_ms": s.get("p50_ms"),
                         "calls_per_s": s["throughput"]})
    return rows


def variant_totals(runs):
    """Per variant, over every run of it: the highest peak RSS and the failures.
    A run that printed no summary (the driver failed) is counted apart."""
    totals = {}
    for r in runs:
        t = totals.setdefault(r["variant"], {"max_rss_kib": 0, "failed_calls": 0,
                                             "runs_without_output": 0})
        s = r["summary"]
        t["max_rss_kib"] = max(t["max_rss_kib"], s.get("max_rss_kb") or 0)
        if s.get("failures", 0) < 0:
            t["runs_without_output"] += 1
        else:
            t["failed_calls"] += s.get("failures", 0)
    return totals


def read_levels(work):
    levels = []
    for line in (work / "levels.tsv").read_text().splitlines():
        pods, devices, load1 = line.split("\t")
        levels.append({"pods": int(pods), "devices": int(devices), "load1": float(load1)})
    return levels


def perf_per_call(path, calls=10):
    """task-clock (ms), page faults and context switches per call from `perf stat -x,`."""
    found = {}
    for line in path.read_text().splitlines() if path.exists() else []:
        fields = line.split(",")
        if len(fields) > 2:
            try:
                found[fields[2]] = float(fields[0]) / calls
            except ValueError:  # <not counted>, <not supported>
                pass
    return found.get("task-clock"), found.get("page-faults"), found.get("context-switches")


def strace_counts(path):
    """execve calls, netlink requests (sendmsg + sendto) and all syscalls of `strace -c`."""
    calls = {}
    for line in path.read_text().splitlines() if path.exists() else []:
        fields = line.split()
        if len(fields) >= 5 and fields[3].isdigit():
            calls[fields[-1]] = int(fields[3])
    return (calls.get("execve", 0), calls.get("sendmsg", 0) + calls.get("sendto", 0),
            calls.get("total", 0))


def profile_rows(work):
    rows = []
    listing = work / "profile.list"
    for line in listing.read_text().splitlines() if listing.exists() else []:
        variant, cmd = line.split("\t")
        cpu, faults, switches = perf_per_call(work / "perf" / f"{variant}.{cmd}")
        execs, netlink, syscalls = strace_counts(work / "perf" / f"{variant}.{cmd}.strace")
        rows.append({"variant": variant, "cmd": cmd, "cpu_ms": cpu, "page_faults": faults,
                     "context_switches": switches,
                     # the driver's own execve is not the plugin's; floor has no driver
                     "processes": execs - (0 if variant == "floor" else 1),
                     "netlink_requests": netlink, "syscalls": syscalls})
    return rows


def read_vm(work, pods):
    note = work / "vm.note"
    cells = []
    for line in (work / "vm.tsv").read_text().splitlines():
        variant, cmd, calls, p50, p99, failed = line.split()
        cells.append({"variant": variant, "cmd": cmd, "calls": int(calls), "p50_ms": float(p50),
                      "p99_ms": float(p99), "failed_calls": int(failed)})
    return {"pods": pods, "note": note.read_text().strip() if note.exists() else "",
            "latency": cells}


def machine():
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = None
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem = int(line.split()[1])
    return {"cpus": len(os.sched_getaffinity(0)), "cpu": cpu, "kernel": os.uname().release,
            "mem_total_kib": mem}


def size(path):
    try:
        return os.stat(path).st_size
    except (OSError, TypeError):
        return None


def libcjson():
    """The libcjson.so.1 our binaries load, as the dynamic loader's cache names it."""
    try:
        out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
    except OSError:
        return None
    for line in out.splitlines():
        if "libcjson.so.1 " in line and "x86-64" in line:
            return os.path.realpath(line.split()[-1])
    return None


def binary_sizes(meta):
    return {"ours": {b: size(Path(meta["BIN"]) / b) for b in OURS},
            "reference": {b: size(Path(meta["REF"]) / b) for b in REFERENCE},
            "system": {"/bin/true": size("/bin/true"), "libcjson.so.1": size(libcjson())}}


def dump(value, indent=""):
    """JSON with one line per object of plain values: a diff shows which figures moved."""
    def plain(v):
        return not isinstance(v, (dict, list))

    inside = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    flat = plain(value) or all(plain(v) for v in inside)
    if flat:
        return json.dumps(value, ensure_ascii=False)
    inner = indent + " "
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(k)}: {dump(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    items = [inner + dump(v, inner) for v in value]
    return "[\n" + ",\n".join(items) + f"\n{indent}]"


def collect(work):
    meta = read_meta(work)
    runs = read_runs(work)
    return {
        "format": FORMAT,
        "run": {
            "date": meta["RUN_DATE"], "commit": meta["COMMIT"], "wall_s": int(meta["WALL"]),
            "load_start": numbers(meta["LOAD_START"]), "load_end": numbers(meta["LOAD_END"]),
            "devices_start": int(meta["DEVS_START"]), "samples": int(meta["SAMPLES"]),
            "batch": int(meta["BATCH"]), "tp_calls": int(meta["TP_CALLS"]),
            "levels": [int(x) for x in meta["LEVELS"].split()],
            "tp_inflight": [int(x) for x in meta["TP_INFLIGHT"].split()],
            "reference_dir": meta["REF"],
        },
        "machine": machine(),
        "binary_bytes": binary_sizes(meta),
        "levels": read_levels(work),
        "latency": latency_cells(work),
        "throughput": throughput_rows(runs),
        "variants": variant_totals(runs),
        "profile": profile_rows(work),
        "vm": read_vm(work, int(meta["VM_PODS"])),
    }


# ---- render: the data file -> latest.md and the plot -------------------------------


def fmt(v):
    """A latency for humans: 2 decimals under 1 ms, 1 under 10, none above; a figure
    exactly halfway (40.500, 0.215) rounds up."""
    if v is None:
        return DASH
    places = 2 if v < 1 else 1 if v < 10 else 0
    return str(Decimal(repr(v)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def ratio(a, b):
    """b / a as "N.NNx" ("–" when either is missing)."""
    if a is None or b is None or a <= 0:
        return DASH
    r = b / a
    return f"{r:.2f}x" if r < 10 else f"{r:.1f}x"


def verdict(a, b, op, limit):
    """Whether b / a (to 3 decimals) is <= or >= limit."""
    if a is None or b is None or a <= 0:
        return "n/a"
    return met(float(f"{b / a:.3f}"), op, limit)


def met(value, op, limit):
    ok = value <= limit if op == "<=" else value >= limit
    return "**met**" if ok else "**missed**"


def number(x):
    """A figure as the driver printed it (37.1, 23)."""
    if x is None:
        return DASH
    return str(int(x)) if float(x).is_integer() else repr(x)


def kib(k):
    return f"{k / 1024:.2f} MB"


def size_kib(b):
    return DASH if b is None else f"{b / 1024:.0f} KiB"


def row(*cells):
    """A markdown table row; an empty cell stays "| |"."""
    return "|" + "".join(f" {c} |" if c != "" else " |" for c in cells)


def italic(s):
    return f"*{s}*"


class Figures:
    """Look-ups into the data file."""

    def __init__(self, data):
        self.d = data
        self.run = data["run"]
        self.levels = self.run["levels"]
        self.l0, self.ln = self.levels[0], self.levels[-1]
        self.lat = {(c["pods"], c["variant"], c["cmd"]): c for c in data["latency"]}
        self.tp = {(r["inflight"], r["variant"], r["cmd"]): r["calls_per_s"]
                   for r in data["throughput"]}
        self.vm = {(c["variant"], c["cmd"]): c for c in data["vm"]["latency"]}

    def p50(self, pods, variant, cmd):
        c = self.lat.get((pods, variant, cmd))
        return c and c["p50_ms"]

    def cell(self, pods, variant, cmd):
        """p50 / p99 of one cell, as text."""
        c = self.lat.get((pods, variant, cmd))
        return f"{fmt(c['p50_ms'])} / {fmt(c['p99_ms'])}" if c else DASH

    def ratio0(self, ours, ref, cmd):
        """ref ÷ ours (p50) at the first level."""
        return ratio(self.p50(self.l0, ours, cmd), self.p50(self.l0, ref, cmd))

    def growth(self, variant, cmd, base):
        """p50 at the last level ÷ p50 at level base."""
        return ratio(self.p50(base, variant, cmd), self.p50(self.ln, variant, cmd))

    def rss(self, variant):
        return self.d["variants"].get(variant, {}).get("max_rss_kib") or 0


HEADER = """\
# krafty benchmarks

`make bench` (bench/run.sh), {date}, commit {commit}.
Machine: {cpus} CPUs ({cpu}), kernel {kernel}, {mem} RAM;
load average {load_start} at the start, {load_end} at the end (other test suites were running);
{devices_start} network devices on the node before the run. Wall time {wall_s} s.

Method: every call exec'd by bench/cnibench as a runtime does (fresh process, config on
stdin, one netns per pod, cniVersion 1.0.0, CHECK/DEL given the ADD's result as prevResult).
{samples} timed calls per cell, in batches of {batch}: ours and the reference alternate
batch by batch (who goes first alternates too), with the floor and a /bin/true exec in the same
rounds. Latencies in ms, p50 / p99 (nearest rank), exec included. Reference = Debian's
containernetworking-plugins 1.1.1 in {reference_dir}.
"""


def header(f):
    m = f.d["machine"]
    mem = f"{m['mem_total_kib'] / 1048576:.0f} GB" if m.get("mem_total_kib") else "?"
    loads = {k: " ".join(f"{x:.2f}" for x in f.run[k]) for k in ("load_start", "load_end")}
    return HEADER.format(**{**f.run, **m, **loads, "mem": mem}).splitlines() + [""]


def latency_table(f):
    l0 = f.l0

    def full(name, v):
        return row(name, *(f.cell(l0, v, c) for c in ADC))

    def add_del(name, v):
        return row(name, f.cell(l0, v, "ADD"), "", f.cell(l0, v, "DEL"))

    def ratios(name, ours, ref, cmds=ADC):
        return row(italic(name),
                   *(italic(f.ratio0(ours, ref, c)) if c in cmds else "" for c in ADC))

    return [
        f"## Latency, {l0} pods per chain on the node, 1 call in flight",
        "",
        "| job | ADD | CHECK | DEL |",
        "|---|---:|---:|---:|",
        full('krafty (`"vrf": false`) + our host-local', "kr"),
        full("reference bridge (a bridge per pod) + host-local", "ref"),
        ratios("reference ÷ ours (p50)", "kr", "ref"),
        add_del("host-local (ours)", "hl"),
        add_del("host-local (reference), same range", "hlref"),
        ratios("reference ÷ ours (p50)", "hl", "hlref", ("ADD", "DEL")),
        full("tuning-lite, prevResult given", "tl"),
        full("passthru + tuning-lite (chain, 2 execs)", "chain"),
        full("tuning (reference), same prevResult and keys", "tune"),
        ratios("tuning ÷ tuning-lite (p50)", "tl", "tune"),
        ratios("tuning ÷ passthru + tuning-lite (p50)", "chain", "tune"),
        full("floor: krafty's kernel work in one process, no exec", "floor"),
        add_del("exec of /bin/true (the process floor)", "true"),
        "",
    ]


THROUGHPUT_PAIRS = (
    ("krafty vs bridge+host-local", "kr", "ref", ("ADD", "CHECK", "DEL")),
    ("host-local vs host-local", "hl", "hlref", ("ADD", "DEL")),
    ("tuning-lite vs tuning", "tl", "tune", ("ADD", "CHECK", "DEL")),
    ("passthru+tuning-lite vs tuning", "chain", "tune", ("ADD", "CHECK", "DEL")),
)


def throughput_table(f):
    ks = f.run["tp_inflight"]
    out = [
        f"## Throughput (calls/s) by calls in flight ({f.run['tp_calls']} calls per run, "
        f"{f.l0} pods on the node)",
        "",
        row("job", "cmd", *(h for k in ks for h in (f"ours @{k}", f"ref @{k}", "ratio"))),
        "|---|---|" + "---:|---:|---:|" * len(ks),
    ]
    for name, ours, ref, cmds in THROUGHPUT_PAIRS:
        for c in cmds:
            cells = []
            for k in ks:
                a, b = f.tp.get((k, ours, c)), f.tp.get((k, ref, c))
                cells += [number(a), number(b), ratio(b, a)]
            out.append(row(name, c, *cells))
    out.append("")
    return out


# The growth table's columns after the first: (heading, variant, command), or
# (heading, (ours, command), (reference, command)) for "ours / ref" cells.
GROWTH_COLUMNS = (
    ("krafty ADD", "kr", "ADD"), ("ref ADD", "ref", "ADD"), ("floor ADD", "floor", "ADD"),
    ("krafty CHECK", "kr", "CHECK"), ("ref CHECK", "ref", "CHECK"),
    ("krafty DEL", "kr", "DEL"), ("ref DEL", "ref", "DEL"), ("floor DEL", "floor", "DEL"),
    ("host-local ADD ours / ref", ("hl", "ADD"), ("hlref", "ADD")),
    ("host-local DEL ours / ref", ("hl", "DEL"), ("hlref", "DEL")),
    ("exec /bin/true", "true", "ADD"),
)


def growth_cells(value):
    """One row's cells: value(variant, cmd) -> text for every growth column."""
    cells = []
    for _, a, b in GROWTH_COLUMNS:
        cells.append(f"{value(*a)} / {value(*b)}" if isinstance(a, tuple) else value(a, b))
    return cells


def growth_table(f):
    out = [
        "## Growth: p50 with N pods of each chain already on the node",
        "",
        row("pods per chain (devices on node, load)", *(c[0] for c in GROWTH_COLUMNS)),
        "|---|" + "---:|" * len(GROWTH_COLUMNS),
    ]
    for lv in f.d["levels"]:
        p = lv["pods"]
        out.append(row(f"{p} ({lv['devices']}, {lv['load1']:.2f})",
                       *growth_cells(lambda v, c: fmt(f.p50(p, v, c)))))
    bases = ([f.levels[-2]] if len(f.levels) > 2 else []) + [f.l0]
    for base in bases:
        out.append(row(italic(f"{f.ln} ÷ {base}"),
                       *(italic(x) for x in growth_cells(lambda v, c: f.growth(v, c, base)))))
    out += ["", f"![ADD and DEL p50 vs pods on the node]({PLOT_NAME})", ""]
    return out


SIZE_NOTE = """\
Our binaries also load libcjson.so (krafty-libs/, {libcjson}) and libc; the
reference ones are static Go. Peak RSS is the kernel's ru_maxrss of the plugin's process tree
(resident pages, shared libc pages included).
"""


def size_table(f):
    b = f.d["binary_bytes"]
    ours, ref, system = b["ours"], b["reference"], b["system"]
    return [
        "## Size and memory",
        "",
        "| ours | binary | peak RSS per call | reference | binary | peak RSS per call |",
        "|---|---:|---:|---|---:|---:|",
        row("krafty (+ host-local child)", size_kib(ours["krafty"]), kib(f.rss("kr")),
            "bridge (+ host-local child)", size_kib(ref["bridge"]), kib(f.rss("ref"))),
        row("host-local", size_kib(ours["host-local"]), kib(f.rss("hl")),
            "host-local", size_kib(ref["host-local"]), kib(f.rss("hlref"))),
        row("tuning-lite", size_kib(ours["tuning-lite"]), kib(f.rss("tl")),
            "tuning", size_kib(ref["tuning"]), kib(f.rss("tune"))),
        row("passthru (chain: either process)", size_kib(ours["passthru"]), kib(f.rss("chain")),
            "vrf", size_kib(ref["vrf"]), ""),
        row("/bin/true, for scale", size_kib(system["/bin/true"]), kib(f.rss("true")), "", "", ""),
        "",
        *SIZE_NOTE.format(libcjson=size_kib(system["libcjson.so.1"])).splitlines(),
        "",
    ]


PROFILE_NAMES = {
    "true": "exec of /bin/true", "true2": "two execs of /bin/true (a chain)",
    "kr": "krafty + host-local {}", "ref": "bridge + host-local (ref) {}",
    "hl": "host-local {}", "hlref": "host-local (ref) {}", "tl": "tuning-lite {}",
    "tune": "tuning (ref) {}", "chain": "passthru + tuning-lite {}",
    "floor": "floor {} (in-process)",
}
PROFILE_NOTE = """\
perf stat over 10 calls (per call; includes the driver's fork, compare with /bin/true) and
strace -f -c over one call: processes exec'd, netlink requests (sendmsg + sendto), syscalls.

"CPU above exec" is the CPU time minus that of a call exec'ing /bin/true as many times (the
driver's fork and the execs): roughly what the plugin's own code and its kernel work cost.
"""


def profile_table(f):
    rows = f.d["profile"]
    if not rows:
        return []

    def cpu(r):  # as the table shows it, so that the next column can be checked by hand
        return float(f"{r['cpu_ms']:.2f}") if r["cpu_ms"] is not None else None

    execs = {r["variant"]: cpu(r) or 0 for r in rows if r["variant"] in ("true", "true2")}
    t, t2 = execs.get("true", 0), execs.get("true2", 0)
    # what one more exec costs: the second exec of a chain, or failing that the first
    extra_exec = t2 - t if t2 > t else t

    def above(r):
        if r["variant"] == "floor":
            return f"{r['cpu_ms']:.2f}"
        if r["variant"].startswith("true") or r["cpu_ms"] is None:
            return DASH
        return f"{cpu(r) - (t + (r['processes'] - 1) * extra_exec):.2f}"

    def per_call(x, spec):
        return DASH if x is None else format(x, spec)

    out = [
        f"## Where the time goes (one call; {f.l0} pods on the node)",
        "",
        *PROFILE_NOTE.splitlines(),
        "",
        row("call", "CPU ms", "CPU above exec", "page faults", "context switches", "processes",
            "netlink requests", "syscalls"),
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        name = PROFILE_NAMES.get(r["variant"], r["variant"] + " {}").format(r["cmd"])
        out.append(row(name, per_call(r["cpu_ms"], ".2f"), above(r),
                       per_call(r["page_faults"], ".0f"), per_call(r["context_switches"], ".0f"),
                       r["processes"], r["netlink_requests"], r["syscalls"]))
    out.append("")
    return out


def vm_section(f):
    vm = f.d["vm"]
    out = [f"## VM: krafty with VRF vs bridge + host-local + vrf ({vm['pods']} pods, qemu TCG)", ""]
    if not vm["latency"]:
        return out + [f"Not measured: {vm['note']}.", ""]

    def get(v, c):
        return f.vm.get((v, c))

    def p50(v, c):
        return get(v, c) and get(v, c)["p50_ms"]

    def cell(v, c):
        x = get(v, c)
        if not x:
            return DASH
        s = f"{fmt(x['p50_ms'])} / {fmt(x['p99_ms'])}"
        return s + (f" ({x['failed_calls']} of {x['calls']} failed)" if x["failed_calls"] else "")

    def ref_ratio(c):  # reference ÷ ours, unless either failed
        if any(get(v, c) and get(v, c)["failed_calls"] for v in ("krafty", "ref")):
            return "n/a (failed calls)"
        return ratio(p50("krafty", c), p50("ref", c))

    return out + [
        f"{vm['note']}. Emulated: absolute times are not comparable with the host's;"
        " read the ratios.",
        "",
        "| job (in the VM) | ADD | CHECK | DEL |",
        "|---|---:|---:|---:|",
        row("krafty (VRF per pod) + our host-local", *(cell("krafty", c) for c in ADC)),
        row("bridge + host-local + vrf (reference chain)", *(cell("ref", c) for c in ADC)),
        row(italic("reference ÷ ours (p50)"), *(italic(ref_ratio(c)) for c in ADC)),
        row("floor with a VRF, no exec", *(cell("floor", c) for c in ADC)),
        row(italic("ours ÷ floor (p50)"),
            *(italic(ratio(p50("floor", c), p50("krafty", c))) for c in ADC)),
        row("exec of /bin/true (busybox, static)", cell("true", "ADD"), "", cell("true", "DEL")),
        "",
    ]


def targets(f):
    l0, ln = f.l0, f.ln
    kr_add, ref_add, fl_add = (f.p50(l0, v, "ADD") for v in ("kr", "ref", "floor"))
    kr_del, ref_del, fl_del = (f.p50(l0, v, "DEL") for v in ("kr", "ref", "floor"))
    true_add = f.p50(l0, "true", "ADD")
    fair_floor = fl_add + 2 * true_add if fl_add is not None and true_add is not None else None
    out = [
        "## Targets",
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
        row("krafty ADD within 1.5x of the floor",
            f"{ratio(fl_add, kr_add)} ({fmt(kr_add)} vs {fmt(fl_add)} ms; "
            f"floor + 2 execs of /bin/true: {fmt(fair_floor)} ms)",
            verdict(fl_add, kr_add, "<=", 1.5)),
        row("krafty ADD at least 5x faster than the reference chain", ratio(kr_add, ref_add),
            verdict(kr_add, ref_add, ">=", 5)),
        row("krafty DEL at least 8x faster",
            f"{ratio(kr_del, ref_del)} (floor DEL alone: {fmt(fl_del)} ms)",
            verdict(kr_del, ref_del, ">=", 8)),
    ]
    for ours, ref, name, cmds in (("hl", "hlref", "host-local", ("ADD", "DEL")),
                                  ("tl", "tune", "tuning-lite", ("ADD", "CHECK", "DEL"))):
        for c in cmds:
            a, b = f.p50(l0, ours, c), f.p50(l0, ref, c)
            out.append(row(f"{name} {c} at least 8x faster", ratio(a, b), verdict(a, b, ">=", 8)))
    for v, name, c in (("kr", "krafty", "ADD"), ("kr", "krafty", "CHECK"), ("kr", "krafty", "DEL"),
                       ("hl", "host-local", "ADD"), ("hl", "host-local", "DEL")):
        a, b = f.p50(l0, v, c), f.p50(ln, v, c)
        out.append(row(f"{name} {c} at {ln} pods within 1.2x of {l0}", ratio(a, b),
                       verdict(a, b, "<=", 1.2)))
    for v in ("kr", "hl", "tl", "chain"):
        out.append(row(f"peak RSS of {v} at most 2 MB", kib(f.rss(v)), met(f.rss(v), "<=", 2048)))
    out.append("")
    return out + failures(f)


def failures(f):
    def host(v):
        t = f.d["variants"].get(v, {})
        s = f" {v} {t.get('failed_calls', 0)}"
        n = t.get("runs_without_output")
        if n:
            s += f" (and {n} driver run{'s' if n > 1 else ''} with no output)"
        return s + ";"

    out = ["Failed calls on the host (every run):" + "".join(host(v) for v in HOST_VARIANTS)
           + " a failed call counts in the latencies with the time it took to fail."]
    vm_failed = [f"{c['variant']} {c['cmd']}: {c['failed_calls']} of {c['calls']} failed"
                 for c in f.d["vm"]["latency"] if c["failed_calls"]]
    if vm_failed:
        out.append(f"In the VM: {'; '.join(vm_failed)}.")
    out.append("")
    return out


NOTES = """\
## Notes

- The reference job: the reference bridge plugin cannot make a bridge per pod by itself, so
  each pod's config names its own bridge (`"bridge": "<tag>b<pod index>"`, isGateway, the gateway
  address with its prefix). That is krafty's kernel work on ADD (bridge, gateway address, veth
  into the pod, address, routes). On DEL the reference leaves its bridge behind (it never deletes
  bridges) and so does less kernel work than krafty, which deletes the veth and the bridge; the
  harness deletes the leftover bridges afterwards, untimed.
- host-local: ours and the reference each in the network directory their chain uses, which holds
  N pods' addresses; same range shape (a /16, gateway .1).
- Tuning: mtu 1400, promisc, two eth0 sysctls, on a veth end already in the pod's netns; tuning
  does no node-wide work, so it is measured at {l0} pods only.
- Growth: the pods of both chains are added (untimed, 2 in flight) before each level; each sample
  ADDs a pod, CHECKs and DELs it, so the node stays at N pods while measuring. Levels are measured
  one after the other, so the machine's load differs between them (other suites share it): read
  them next to the floor and /bin/true columns, which move with the load and the kernel alone.
- The floor (bench/floor.c) does with lib/netlink what a krafty ADD does to the kernel (plus the
  address file host-local writes), without exec, name probes or the result.
"""


def notes(f):
    return NOTES.format(l0=f.l0).splitlines()


def markdown(f):
    lines = (header(f) + latency_table(f) + throughput_table(f) + growth_table(f)
             + size_table(f) + profile_table(f) + vm_section(f) + targets(f) + notes(f))
    text = "\n".join(str(x) for x in lines) + "\n"
    if ANALYSIS.exists() and ANALYSIS.stat().st_size:
        text += "\n" + ANALYSIS.read_text()
    return text


# The plot's curves: (variant, command, title, gnuplot style).
PLOT_PANELS = (
    ("ADD", (("kr", "ours: krafty + host-local", "lw 2 pt 7"),
             ("ref", "reference: bridge + host-local", "lw 2 pt 5"),
             ("floor", "floor (no exec)", "lw 2 dt 2 pt 9"),
             ("true", "exec of /bin/true (load gauge)", 'lw 1 dt 3 pt 1 lc rgb "gray40"'))),
    ("DEL", (("kr", "ours: krafty + host-local", "lw 2 pt 7"),
             ("ref", "reference (leaves its bridge)", "lw 2 pt 5"),
             ("floor", "floor (no exec)", "lw 2 dt 2 pt 9"),
             ("true", "exec of /bin/true (load gauge)", 'lw 1 dt 3 pt 1 lc rgb "gray40"'))),
)


def gnuplot_script(f, png):
    m = f.d["machine"]
    curves = [(v, cmd) for cmd, lines in PLOT_PANELS for v, _, _ in lines]
    data = []
    for p in f.levels:
        values = (f.p50(p, v, cmd) for v, cmd in curves)
        data.append(" ".join([str(p)] + ["?" if x is None else repr(x) for x in values]))
    title = (f"p50 latency per call vs pods already on the node ({m['cpus']} CPUs, "
             f"kernel {m['kernel']}, {f.run['date']})").replace('"', "'")
    out = [
        'set terminal pngcairo size 1100,520 font "DejaVu Sans,11"',
        f'set output "{png}"',
        'set datafile missing "?"',
        "$d << EOD", *data, "EOD",
        f'set multiplot layout 1,2 title "{title}"',
        "set logscale x",
        f"set xtics ({','.join(str(p) for p in f.levels)})",
        f"set xrange [{f.l0 / 1.5:g}:{f.ln * 1.5:g}]",
        "set yrange [0:*]",
        "set grid",
        "set key below",
        'set xlabel "pods per chain on the node"',
        'set ylabel "ms (p50, exec included)"',
    ]
    col = 2
    for cmd, lines in PLOT_PANELS:
        plots = []
        for _, name, style in lines:
            plots.append(f'$d using 1:{col} with linespoints {style} title "{name}"')
            col += 1
        out += [f'set title "{cmd}"', "plot " + ", \\\n     ".join(plots)]
    out.append("unset multiplot")
    return "\n".join(out) + "\n"


def plot(f, png):
    subprocess.run(["gnuplot"], input=gnuplot_script(f, png), text=True, check=True)


def render(data_path, with_plot=True):
    data = json.loads(data_path.read_text())
    if data.get("format") != FORMAT:
        sys.exit(f"{data_path}: format {data.get('format')!r}, expected {FORMAT!r}")
    f = Figures(data)
    out = data_path.parent
    (out / MD_NAME).write_text(markdown(f))
    print(out / MD_NAME)
    if with_plot:
        if not shutil.which("gnuplot"):
            sys.exit("gnuplot draws the plot (apt-get install gnuplot-nox); or pass --no-plot")
        plot(f, out / PLOT_NAME)
        print(out / PLOT_NAME)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    c = sub.add_parser("collect", help="the work directory of a run -> the data file")
    c.add_argument("workdir", type=Path)
    c.add_argument("data", type=Path)
    r = sub.add_parser("render", help="the data file -> latest.md and the plot beside it")
    r.add_argument("data", type=Path)
    r.add_argument("--no-plot", action="store_true", help="leave the plot as it is")
    args = ap.parse_args()
    if args.what == "collect":
        args.data.parent.mkdir(parents=True, exist_ok=True)
        args.data.write_text(dump(collect(args.workdir)) + "\n")
        print(args.data)
    else:
        render(args.data, not args.no_plot)


if __name__ == "__main__":
    main()
