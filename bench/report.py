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
  run           date, commit, wall time, load averages, devices and krafty spare
                bridges on the node at the start, and the knobs: samples, batch,
                levels, throughput calls and in-flight counts, stall calls,
                rounds and quiet probe rounds, VM DELs in flight, reference_dir
  machine       cpus, cpu (model), kernel, mem_total_kib
  binary_bytes  sizes of ours, of the reference plugins, of /bin/true and libcjson
  levels        per level: pods per chain, devices on the node, 1-minute load
  latency       per level, variant and command: calls, p50_ms, p99_ms (nearest rank)
  throughput    per calls in flight, variant and command: calls, p50_ms, calls_per_s
  variants      per variant over all its runs: max_rss_kib, failed_calls,
                runs_without_output (the driver printed no summary)
  profile       per profiled call: cpu_ms, page_faults, context_switches (per
                call), processes, netlink_requests, syscalls
  stall         the stall probe: probe rows (phase quiet, kr, sref or true;
                metric ipadd, ipdel, nladd, nldel; calls, p50_ms, p99_ms) and
                dels, one per loaded run (variant, round, calls, p50_ms,
                calls_per_s, failed_calls, spares_before, spares_after)
  vm            pods, inflight, note (the VM's kernel, or why it did not run),
                latency rows as above with failed_calls, throughput rows
                (variant, cmd, inflight, calls, calls_per_s, p50_ms,
                failed_calls) and stall probe rows as above
  provenance    (optional) where the figures came from, when not from `collect`
Variants: kr (krafty + host-local, default spares), kr0 (the same with
"spares": 0), sref (bridge + host-local, one shared bridge), ref (bridge +
host-local, a bridge per pod), hl and hlref (host-local, ours and the
reference), tl (tuning-lite), tune (tuning), chain (passthru + tuning-lite),
floor, floorb and floorp (bench/floor.c: DEL one request per device, in one
request by device group, or parking the bridge as krafty does), true and true2
(exec of /bin/true, once or twice per call); in the VM: krafty, kr0, ref,
refs (shared bridge), floor, floorb, floorp, true.
Format 1 (before the shared-bridge reference, kr0, the floors b and p, the
stall probe and the VM's throughput) renders too: what it lacks is left out.
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

FORMAT = "krafty-bench 2"
FORMATS = ("krafty-bench 1", FORMAT)  # render reads both
ANALYSIS = Path(__file__).resolve().parent / "analysis.md"
MD_NAME = "latest.md"
PLOT_NAME = "latency-vs-pods.png"
DASH = "–"

OURS = ("krafty", "host-local", "tuning-lite", "passthru")
REFERENCE = ("bridge", "host-local", "tuning", "vrf")
ADC = ("ADD", "CHECK", "DEL")
HOST_VARIANTS = ("kr", "kr0", "sref", "ref", "hl", "hlref", "tl", "tune", "chain", "floor",
                 "floorb", "floorp", "true")


# ---- collect: the work directory of a run -> the data file ---------------------
#
# What bench/run.sh leaves in WORKDIR:
#   meta             KEY<TAB>VALUE lines: the run's settings and its environment
#   s/LEVEL/V.CMD    latency samples (ms, one per line) of variant V
#   json/runs        LABEL VARIANT CMD INFLIGHT JSON, one line per driver run
#                    (cnibench's or floor's summary: throughput, max_rss_kb, ...)
#   levels.tsv       PODS DEVICES LOAD1 [SETTLE_S BUSY_PCT] when each level was measured
#   profile.list     VARIANT CMD per profiled call, with perf/V.CMD (perf stat -x,
#                    over 10 calls) and perf/V.CMD.strace (strace -f -c, one call)
#   stall/PHASE.METRIC  the stall probe's samples (ms): PHASE quiet, kr, sref,
#                    true; METRIC ipadd, ipdel (exec of ip), nladd, nldel (in-process)
#   stall/runs.tsv   ROUND VARIANT SPARES-BEFORE SPARES-AFTER per loaded DEL run,
#                    in the order of the json/runs lines labelled "stall"
#   spares.start     krafty's spare bridges on the node at the start
#   vm.tsv, vm.note  the VM part: V CMD CALLS P50 P99 FAILED lines, and one line
#                    on the VM (or on why it did not run); vm-tp.tsv: V CMD
#                    INFLIGHT CALLS CALLS/S P50 FAILED; vm-stall.tsv: PHASE
#                    METRIC CALLS P50 P99


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
        pods, devices, load1, *settled = line.split("\t")
        level = {"pods": int(pods), "devices": int(devices), "load1": float(load1)}
        if len(settled) == 2:  # runs since the settle wait: seconds waited, CPU busy %
            level["settle_s"], level["busy_pct"] = int(settled[0]), int(settled[1])
        levels.append(level)
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
                     "processes": execs - (0 if variant.startswith("floor") else 1),
                     "netlink_requests": netlink, "syscalls": syscalls})
    return rows


def lines(path):
    return path.read_text().splitlines() if path.exists() else []


def read_vm(work, pods, inflight):
    note = work / "vm.note"
    cells, tp, stall = [], [], []
    for line in lines(work / "vm.tsv"):
        variant, cmd, calls, p50, p99, failed = line.split()
        cells.append({"variant": variant, "cmd": cmd, "calls": int(calls), "p50_ms": float(p50),
                      "p99_ms": float(p99), "failed_calls": int(failed)})
    for line in lines(work / "vm-tp.tsv"):
        variant, cmd, k, calls, per_s, p50, failed = line.split()
        tp.append({"variant": variant, "cmd": cmd, "inflight": int(k), "calls": int(calls),
                   "calls_per_s": float(per_s), "p50_ms": float(p50),
                   "failed_calls": int(failed)})
    for line in lines(work / "vm-stall.tsv"):
        phase, metric, calls, p50, p99 = line.split()
        stall.append({"phase": phase, "metric": metric, "calls": int(calls),
                      "p50_ms": float(p50), "p99_ms": float(p99)})
    return {"pods": pods, "inflight": inflight,
            "note": note.read_text().strip() if note.exists() else "",
            "latency": cells, "throughput": tp, "stall": stall}


def read_stall(work, runs):
    """The stall probe's quantiles per phase and metric, and the loaded DEL runs."""
    probe = []
    d = work / "stall"
    for f in sorted(d.iterdir()) if d.exists() else []:
        phase, _, metric = f.name.partition(".")
        if metric not in ("ipadd", "ipdel", "nladd", "nldel"):
            continue
        samples = sorted(float(x) for x in f.read_text().split())
        if samples:
            probe.append({"phase": phase, "metric": metric, "calls": len(samples),
                          "p50_ms": nearest_rank(samples, 0.5),
                          "p99_ms": nearest_rank(samples, 0.99)})
    spares = {}
    for line in lines(d / "runs.tsv"):
        rnd, variant, before, after = line.split("\t")
        spares.setdefault(variant, []).append((int(rnd), int(before), int(after)))
    dels, seen = [], {}
    for r in runs:
        if r["label"] != "stall":
            continue
        k = seen[r["variant"]] = seen.get(r["variant"], -1) + 1
        s = r["summary"]
        rnd, before, after = (spares.get(r["variant"], []) + [(None,) * 3] * (k + 1))[k]
        dels.append({"variant": r["variant"], "round": rnd, "calls": s.get("count"),
                     "p50_ms": s.get("p50_ms"), "calls_per_s": s.get("throughput"),
                     "failed_calls": s.get("failures"), "spares_before": before,
                     "spares_after": after})
    return {"probe": probe, "dels": dels}


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
            "stall_calls": int(meta["STALL_CALLS"]), "stall_rounds": int(meta["STALL_ROUNDS"]),
            "probe_quiet": int(meta["PROBE_QUIET"]), "vm_inflight": int(meta["VM_INFLIGHT"]),
            "spares_start": int(meta["SPARES_START"]),
            "grown_chains": int(meta.get("GROWN_CHAINS", 3)),
            "reference_dir": meta["REF"],
        },
        "machine": machine(),
        "binary_bytes": binary_sizes(meta),
        "levels": read_levels(work),
        "latency": latency_cells(work),
        "throughput": throughput_rows(runs),
        "variants": variant_totals(runs),
        "profile": profile_rows(work),
        "stall": read_stall(work, runs),
        "vm": read_vm(work, int(meta["VM_PODS"]), int(meta["VM_INFLIGHT"])),
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


def tratio(a, b, limit):
    """ratio(a, b), with 3 decimals when 2 would show the limit itself (1.00x that
    misses "no slower" is 1.004x)."""
    r = ratio(a, b)
    return f"{b / a:.3f}x" if r != DASH and r[:-1] == f"{limit:.2f}" else r


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
        # Issue 12's "with 1000 pods on the node": the first level whose pods of
        # all grown chains reach 1000 (runs before the 334 level: the last).
        self.chains = self.run.get("grown_chains", 3)
        self.lt = next((lv for lv in self.levels if lv * self.chains >= 1000), self.ln)
        self.lat = {(c["pods"], c["variant"], c["cmd"]): c for c in data["latency"]}
        self.tp = {(r["inflight"], r["variant"], r["cmd"]): r["calls_per_s"]
                   for r in data["throughput"]}
        vm = data["vm"]
        self.vm = {(c["variant"], c["cmd"]): c for c in vm["latency"]}
        self.vm_tp = {(r["variant"], r["cmd"]): r for r in vm.get("throughput", [])}
        self.vm_stall = {(r["phase"], r["metric"]): r for r in vm.get("stall", [])}
        stall = data.get("stall", {})
        self.stall = {(r["phase"], r["metric"]): r for r in stall.get("probe", [])}
        self.stall_dels = stall.get("dels", [])
        # format 1: krafty before spares
        self.spares = "" if data.get("format") == FORMATS[0] else ", spares"

    def has(self, variant):
        """Whether the run measured this variant on the host."""
        return any(v == variant for _, v, _ in self.lat)

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

    def ours_floor(self, cmd):
        """The floor of the kernel work our `cmd` does: with spares (floorp) for ADD
        and DEL when the run has it, else the plain floor."""
        return "floorp" if cmd != "CHECK" and self.has("floorp") else "floor"


def plus(*xs):
    return None if any(x is None for x in xs) else sum(xs)


def minus(a, b):
    return None if a is None or b is None else a - b


HEADER = """\
# krafty benchmarks

`make bench` (bench/run.sh), {date}, commit {commit}.
Machine: {cpus} CPUs ({cpu}), kernel {kernel}, {mem} RAM;
load average {load_start} at the start, {load_end} at the end;
{devices_start} network devices on the node before the run{spares}. Wall time {wall_s} s.

Method: every call exec'd by bench/cnibench as a runtime does (fresh process, config on
stdin, one netns per pod, cniVersion 1.0.0, CHECK/DEL given the ADD's result as prevResult).
{samples} timed calls per cell, in batches of {batch}: ours and the references take turns
batch by batch (the order reverses every batch), with the floors and a /bin/true exec in the
same rounds; krafty's own rounds (the growth target's) go call by call instead: one pod per
process, krafty, its floor and /bin/true in turn, the order rotating every round. Latencies
in ms, p50 / p99 (nearest rank), exec included. Reference = Debian's
containernetworking-plugins 1.1.1 in {reference_dir}. Each level is measured once the
CPUs are quiet again after its pods were created (below 20% busy over 2 s, at most 120 s
of waiting; the growth tables give the wait): a node that holds the pods, not one still
busy creating thousands of devices.
"""


def header(f):
    m = f.d["machine"]
    mem = f"{m['mem_total_kib'] / 1048576:.0f} GB" if m.get("mem_total_kib") else "?"
    loads = {k: " ".join(f"{x:.2f}" for x in f.run[k]) for k in ("load_start", "load_end")}
    sp = f.run.get("spares_start")
    spares = "" if sp is None else f", {sp} of them krafty spare bridges (krsbNN, from other runs)"
    return HEADER.format(**{**f.run, **m, **loads, "mem": mem, "spares": spares}).splitlines() + [""]


def latency_table(f):
    l0 = f.l0

    def full(name, v, cmds=ADC):
        if not f.has(v):
            return []
        return [row(name, *(f.cell(l0, v, c) if c in cmds else "" for c in ADC))]

    def ratios(name, ours, ref, cmds=ADC):
        if not (f.has(ours) and f.has(ref)):
            return []
        return [row(italic(name),
                    *(italic(f.ratio0(ours, ref, c)) if c in cmds else "" for c in ADC))]

    ad = ("ADD", "DEL")
    return [
        f"## Latency, {l0} pods per chain on the node, 1 call in flight",
        "",
        "| job | ADD | CHECK | DEL |",
        "|---|---:|---:|---:|",
        *full(f'krafty (`"vrf": false`{f.spares}) + our host-local', "kr"),
        *full('krafty with `"spares": 0` (DEL deletes the bridge: before spares)', "kr0", ad),
        *full("reference bridge + host-local, one shared bridge", "sref"),
        *full("reference bridge + host-local, a bridge per pod", "ref"),
        *ratios("shared-bridge reference ÷ ours (p50)", "kr", "sref"),
        *ratios("per-pod-bridge reference ÷ ours (p50)", "kr", "ref"),
        *ratios('spares 0 ÷ spares (p50)', "kr", "kr0", ad),
        *full("host-local (ours)", "hl", ad),
        *full("host-local (reference), same range", "hlref", ad),
        *ratios("reference ÷ ours (p50)", "hl", "hlref", ad),
        *full("tuning-lite, prevResult given", "tl"),
        *full("passthru + tuning-lite (chain, 2 execs)", "chain"),
        *full("tuning (reference), same prevResult and keys", "tune"),
        *ratios("tuning ÷ tuning-lite (p50)", "tl", "tune"),
        *ratios("tuning ÷ passthru + tuning-lite (p50)", "chain", "tune"),
        *full("floor: krafty's kernel work in one process, no exec; bridge created, "
              "DEL one request per device", "floor"),
        *full("floor with spares: ADD takes a parked bridge, DEL deletes the veth and parks "
              "the bridge", "floorp", ad),
        *full("one-batch DEL floor: veth and bridge in one RTM_DELLINK (device group)",
              "floorb", ("DEL",)),
        *full("exec of /bin/true (the process floor)", "true", ad),
        "",
    ]


THROUGHPUT_PAIRS = (
    ("krafty vs bridge+host-local, shared bridge", "kr", "sref", ("ADD", "CHECK", "DEL")),
    ("krafty vs bridge+host-local, bridge per pod", "kr", "ref", ("ADD", "CHECK", "DEL")),
    ("krafty vs krafty with spares 0", "kr", "kr0", ("ADD", "DEL")),
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
        "Ratio: ours ÷ the other (above 1: ours does more calls per second).",
        "",
        row("job", "cmd", *(h for k in ks for h in (f"ours @{k}", f"other @{k}", "ratio"))),
        "|---|---|" + "---:|---:|---:|" * len(ks),
    ]
    for name, ours, ref, cmds in THROUGHPUT_PAIRS:
        for c in cmds:
            if not any((k, ref, c) in f.tp for k in ks):
                continue
            cells = []
            for k in ks:
                a, b = f.tp.get((k, ours, c)), f.tp.get((k, ref, c))
                cells += [number(a), number(b), ratio(b, a)]
            out.append(row(name, c, *cells))
    out.append("")
    return out


# The growth tables' columns after the first: (heading, variant, command), or
# (heading, (ours, command), (reference, command)) for "ours / ref" cells.
GROWTH_TABLES = (
    ("ADD and CHECK", (
        ("krafty ADD", "kr", "ADD"), ("spares 0 ADD", "kr0", "ADD"),
        ("shared ref ADD", "sref", "ADD"), ("per-pod ref ADD", "ref", "ADD"),
        ("floor ADD, spares", "floorp", "ADD"), ("floor ADD", "floor", "ADD"),
        ("krafty CHECK", "kr", "CHECK"), ("shared ref CHECK", "sref", "CHECK"),
        ("per-pod ref CHECK", "ref", "CHECK"), ("floor CHECK", "floor", "CHECK"),
        ("exec /bin/true", "true", "ADD"),
    )),
    ("DEL and host-local", (
        ("krafty DEL", "kr", "DEL"), ("spares 0 DEL", "kr0", "DEL"),
        ("shared ref DEL", "sref", "DEL"), ("per-pod ref DEL", "ref", "DEL"),
        ("floor DEL, parking", "floorp", "DEL"), ("one-batch floor DEL", "floorb", "DEL"),
        ("floor DEL", "floor", "DEL"),
        ("host-local ADD ours / ref", ("hl", "ADD"), ("hlref", "ADD")),
        ("host-local DEL ours / ref", ("hl", "DEL"), ("hlref", "DEL")),
        ("exec /bin/true", "true", "DEL"),
    )),
    ("krafty's own rounds: krafty, its floor with spares and /bin/true call by call, one "
     "pod per process, no other plugin between them (the growth target's figures)", (
        ("krafty ADD", "solo-kr", "ADD"), ("floor ADD, spares", "solo-floorp", "ADD"),
        ("krafty CHECK", "solo-kr", "CHECK"), ("floor CHECK", "solo-floorp", "CHECK"),
        ("krafty DEL", "solo-kr", "DEL"), ("floor DEL, parking", "solo-floorp", "DEL"),
        ("exec /bin/true", "solo-true", "ADD"),
    )),
    ("CPU per call in krafty's own rounds, ms: user + system of the call's processes "
     "(the floor: its own, per pod)", (
        ("krafty ADD", "solo-kr-cpu", "ADD"), ("floor ADD, spares", "solo-floorp-cpu", "ADD"),
        ("krafty CHECK", "solo-kr-cpu", "CHECK"), ("floor CHECK", "solo-floorp-cpu", "CHECK"),
        ("krafty DEL", "solo-kr-cpu", "DEL"),
        ("floor DEL, parking", "solo-floorp-cpu", "DEL"),
        ("exec /bin/true", "solo-true-cpu", "ADD"),
    )),
)


def growth_cells(columns, value):
    """One row's cells: value(variant, cmd) -> text for every column."""
    cells = []
    for _, a, b in columns:
        cells.append(f"{value(*a)} / {value(*b)}" if isinstance(a, tuple) else value(a, b))
    return cells


def growth_table(f):
    out = ["## Growth: p50 with N pods of each chain already on the node", ""]
    bases = ([f.levels[-2]] if len(f.levels) > 2 else []) + [f.l0]
    for title, columns in GROWTH_TABLES:
        columns = [c for c in columns if f.has(c[1][0] if isinstance(c[1], tuple) else c[1])]
        out += [
            f"### {title}",
            "",
            row("pods per chain (devices on node, load)", *(c[0] for c in columns)),
            "|---|" + "---:|" * len(columns),
        ]
        for lv in f.d["levels"]:
            p = lv["pods"]
            settled = (f", settled {lv['settle_s']} s to {lv['busy_pct']}% busy"
                       if "settle_s" in lv else "")
            out.append(row(f"{p} ({lv['devices']}, {lv['load1']:.2f}{settled})",
                           *growth_cells(columns, lambda v, c: fmt(f.p50(p, v, c)))))
        for base in bases if len(f.levels) > 1 else []:
            out.append(row(italic(f"{f.ln} ÷ {base}"),
                           *(italic(x) for x in
                             growth_cells(columns, lambda v, c: f.growth(v, c, base)))))
        out.append("")
    out += [f"![ADD and DEL p50 vs pods on the node]({PLOT_NAME})", ""]
    return out


STALL_PHASES = (
    ("quiet", "nothing else running (quiet)"),
    ("kr", "krafty DELs"),
    ("kr64", 'krafty DELs, `"spares": 64`'),
    ("sref", "reference DELs, shared bridge"),
    ("refs", "reference DELs, shared bridge + vrf"),
    ("krafty", "krafty DELs (VRF)"),
    ("true", "execs of /bin/true (CPU load alone)"),
)
STALL_NOTE = """\
While {n} DELs run at once ({rounds}), bench/floor's probe, in a netns of its own, times
`ip link add pa<k> type veth peer name pb<k>` (exec'd under the normal scheduler, like any
program on the node: the target's figure) and the same creation in-process (one netlink
request, no exec, the probe running SCHED_FIFO so that it never waits for a CPU: what is left
is the wait for the kernel), over and over, 2 ms apart; it deletes its veths when the run is
over (one request, untimed: its own deletions would get in the way of what it measures).
"quiet" is the same probe with nothing else running, just before each loaded run. Every link
change on the node takes the kernel's RTNL lock: a DEL that holds it (deleting a bridge holds
it across an RCU grace period) makes the probe wait. The /bin/true row puts as many processes
on the CPUs with no netlink work: what the CPU load alone does to the exec'd probe. With fewer
than 100 probe rounds in a row, its p99 is the slowest round.
"""


def stall_rows(get, phases, base):
    """Probe table rows: p50 / p99 per metric and the p99 ratio to `base`'s."""
    def cell(phase, metric):
        r = get(phase, metric)
        return f"{fmt(r['p50_ms'])} / {fmt(r['p99_ms'])}" if r else DASH

    def vs(phase, metric):
        a, b = get(base, metric), get(phase, metric)
        return ratio(a and a["p99_ms"], b and b["p99_ms"]) if phase != base else ""

    out = []
    for phase, name, extra in phases:
        if not get(phase, "ipadd"):
            continue
        n = get(phase, "ipadd")["calls"]
        out.append(row(name, *extra, n, cell(phase, "ipadd"), vs(phase, "ipadd"),
                       cell(phase, "nladd"), vs(phase, "nladd")))
    return out


STALL_HEAD = ("probe rounds", "`ip link add` p50 / p99", "p99 ÷ quiet",
              "in-process add (SCHED_FIFO) p50 / p99", "p99 ÷ quiet")


def stall_section(f):
    if not f.stall:
        return []
    n = f.run.get("stall_calls", 64)
    dels = {}
    for d in f.stall_dels:
        dels.setdefault(d["variant"], []).append(d)

    def runs(v):
        ds = dels.get(v, [])
        per_s = ", ".join(number(d["calls_per_s"]) for d in ds) or DASH
        p50 = ", ".join(fmt(d["p50_ms"]) for d in ds) or DASH
        parked = ", ".join(f"{d['spares_before']}→{d['spares_after']}" for d in ds
                           if d.get("spares_before") is not None)
        return [per_s, p50, parked or ""]

    phases = [("quiet", STALL_PHASES[0][1], ["", "", ""])]
    for v, name in (("kr", f"{n} krafty DELs at once"),
                    ("kr64", f'{n} krafty DELs at once, `"spares": 64`'),
                    ("sref", f"{n} reference DELs at once (shared bridge)"),
                    ("true", f"{4 * n} execs of /bin/true, {n} at once")):
        phases.append((v, name, runs(v)))
    rounds = f"{f.run.get('stall_rounds', '?')} rounds, {f.l0} pods on the node"
    return [
        f"## Stall probe: an unrelated link change while {n} DELs run",
        "",
        *STALL_NOTE.format(n=n, rounds=rounds).splitlines(),
        "",
        "Spare bridges: krafty's krsbNN on the node before → after each run (a DEL parks its "
        "bridge while one of its network's `spares` slots, 64 by default, is free, and deletes "
        "it otherwise; the spares 64 run shows DELs that all find a slot).",
        "",
        row("while", "calls/s per run", "DEL p50 per run", "spare bridges", *STALL_HEAD),
        "|---|---:|---:|---:|" + "---:|" * len(STALL_HEAD),
        *stall_rows(lambda p, m: f.stall.get((p, m)), phases, "quiet"),
        "",
    ]


SIZE_NOTE = """\
Our binaries are static PIEs (libc and cJSON linked in; `make STATIC=0` would load
libcjson.so, {libcjson}, from krafty-libs/); the reference ones are static Go. Peak RSS is the kernel's ru_maxrss of the plugin's process tree
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
        row("krafty (+ host-local child)" if krafty_execs(f) > 1 else
            "krafty (host-local in-process)", size_kib(ours["krafty"]), kib(f.rss("kr")),
            "bridge (+ host-local child)", size_kib(ref["bridge"]),
            kib(max(f.rss("ref"), f.rss("sref")))),
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
    "kr": "krafty + host-local {}", "ref": "bridge + host-local, bridge per pod (ref) {}",
    "sref": "bridge + host-local, shared bridge (ref) {}",
    "hl": "host-local {}", "hlref": "host-local (ref) {}", "tl": "tuning-lite {}",
    "tune": "tuning (ref) {}", "chain": "passthru + tuning-lite {}",
    "floor": "floor {} (in-process)", "floorp": "floor with spares {} (in-process)",
    "floorb": "one-batch floor {} (in-process; its ADD also sets the device group)",
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
        if r["variant"].startswith("floor"):
            return DASH if r["cpu_ms"] is None else f"{r['cpu_ms']:.2f}"
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

    def has(v):
        return any(k[0] == v for k in f.vm)

    def cell(v, c):
        x = get(v, c)
        if not x:
            return DASH
        s = f"{fmt(x['p50_ms'])} / {fmt(x['p99_ms'])}"
        return s + (f" ({x['failed_calls']} of {x['calls']} failed)" if x["failed_calls"] else "")

    def vs(a, b, c):  # b ÷ a, unless either failed
        if any(get(v, c) and get(v, c)["failed_calls"] for v in (a, b)):
            return "n/a (failed calls)"
        return ratio(p50(a, c), p50(b, c))

    def line(name, v, cmds=ADC):
        return [row(name, *(cell(v, c) if c in cmds else "" for c in ADC))] if has(v) else []

    def ratios(name, a, b, cmds=ADC):
        if not (has(a) and has(b)):
            return []
        return [row(italic(name), *(italic(vs(a, b, c)) if c in cmds else "" for c in ADC))]

    ad = ("ADD", "DEL")
    k = vm.get("inflight")
    out += [
        f"{vm['note']}. Emulated: absolute times are not comparable with the host's;"
        " read the ratios.",
        "",
        "| job (in the VM) | ADD | CHECK | DEL |",
        "|---|---:|---:|---:|",
        *line(f"krafty (VRF per pod{f.spares}) + our host-local", "krafty"),
        *line('krafty with `"spares": 0` (DEL deletes bridge and VRF)', "kr0", ad),
        *line("bridge + host-local + vrf, one shared bridge (reference chain)", "refs"),
        *line("bridge + host-local + vrf, a bridge per pod (reference chain)", "ref"),
        *ratios("shared-bridge reference ÷ ours (p50)", "krafty", "refs"),
        *ratios("per-pod-bridge reference ÷ ours (p50)", "krafty", "ref"),
        *ratios("spares 0 ÷ spares (p50)", "krafty", "kr0", ad),
        *line("floor with a VRF, no exec; DEL one request per device", "floor"),
        *line("floor with spares: DEL deletes the veth, parks bridge and VRF", "floorp", ad),
        *line("one-batch DEL floor: veth, bridge and VRF in one request", "floorb", ("DEL",)),
        *ratios("ours ÷ floor with spares (p50)", "floorp", "krafty", ad),
        *ratios("ours ÷ one-batch floor (p50)", "floorb", "krafty", ("DEL",)),
        *([] if has("floorp") else ratios("ours ÷ floor (p50)", "floor", "krafty")),
        *line("exec of /bin/true (busybox, static)", "true", ad),
        "",
    ]
    if f.vm_tp:
        out += [f"DEL with {k} calls in flight in the VM (after {k} ADDs):", "",
                "| job | calls | calls/s | p50 ms | failed |", "|---|---:|---:|---:|---:|"]
        for v, name in (("krafty", "krafty (VRF)"), ("refs", "bridge + host-local + vrf, shared")):
            r = f.vm_tp.get((v, "DEL"))
            if r:
                out.append(row(name, r["calls"], number(r["calls_per_s"]), fmt(r["p50_ms"]),
                               r["failed_calls"]))
        a, b = (vm_tp_ok(f, v) for v in ("krafty", "refs"))
        out += [row(italic("ours ÷ reference (calls/s)"), "", italic(ratio(b, a)), "", ""), ""]
    if f.vm_stall:
        names = dict(STALL_PHASES)
        phases = [(p, names[p], []) for p in ("quiet", "krafty", "refs", "true")]
        out += [f"Stall probe in the VM, while those {k} DELs run (as on the host):", "",
                row("while", *STALL_HEAD), "|---|" + "---:|" * len(STALL_HEAD),
                *stall_rows(lambda p, m: f.vm_stall.get((p, m)), phases, "quiet"), ""]
    return out


TARGET_HEAD = ["| target | measured | verdict |", "|---|---|---|"]
FLOOR_NAMES = {"floor": "floor", "floorp": "floor with spares", "floorb": "one-batch floor"}


def krafty_execs(f):
    """Processes one krafty ADD execs, as the profile's strace counted them:
    1 when it runs its host-local in-process (CNI_PATH's host-local is the
    one built with it), 2 when it execs host-local; 1 without a profile."""
    for r in f.d.get("profile", []):
        if r["variant"] == "kr" and r["cmd"] == "ADD" and r.get("processes"):
            return r["processes"]
    return 1


def vm_tp_ok(f, v):
    """DEL calls/s in the VM, None when any call failed."""
    r = f.vm_tp.get((v, "DEL"))
    return r["calls_per_s"] if r and not r["failed_calls"] else None


def vm_p50(f, v, c):
    """A VM p50, None when any of its calls failed."""
    x = f.vm.get((v, c))
    return x["p50_ms"] if x and not x["failed_calls"] else None



def above_floor(f, c, lvl, solo, cpu=False):
    """krafty's p50 above its floor's at lvl: (ours, floor, difference); with cpu,
    the CPU times of krafty's own rounds."""
    if cpu:
        kv, fl = "solo-kr-cpu", "solo-floorp-cpu"
    else:
        kv, fl = ("solo-kr", "solo-floorp") if solo else ("kr", f.ours_floor(c))
    k, fv = f.p50(lvl, kv, c), f.p50(lvl, fl, c)
    return k, fv, minus(k, fv)


def growth_row(f, c):
    """Issue 12's growth target for command c: cost above the floor with 1000 pods
    on the node (level lt) against at the first level, from krafty's own rounds
    when the run has them; the last level (more pods), the rounds among the
    references and the CPU times are shown beside it. A latency above the floor
    smaller than one exec of /bin/true (which every call pays and the floor does
    not) is noise, not a base: DEL's, whose wall time is RCU grace periods.
    Then the CPU times decide."""
    l0, lt, ln = f.l0, f.lt, f.ln
    solo = f.has("solo-kr")
    k0, f0, a0 = above_floor(f, c, l0, solo)
    kt, ft, at = above_floor(f, c, lt, solo)
    ok = verdict(a0, at, "<=", 1.2) if lt != l0 else "n/a (one level)"
    t0 = f.p50(l0, "solo-true" if solo else "true", "ADD" if c == "CHECK" else c)
    c0, ct = above_floor(f, c, l0, solo, True)[2], above_floor(f, c, lt, solo, True)[2]
    cpu_text = ""
    if c0 is not None and ct is not None:
        cpu_text = (f"; CPU above the floor {fmt(ct)} ms at {lt} per chain against "
                    f"{fmt(c0)} ms at {l0}: {ratio(c0, ct)}")
    if lt != l0 and a0 is not None and t0 is not None and a0 < t0:
        ok = (f"{verdict(c0, ct, '<=', 1.2)} by CPU time (the latency above the floor at "
              f"{l0} pods, {fmt(a0)} ms, is below one exec of /bin/true, {fmt(t0)} ms, "
              "which every call pays: the p50s do not resolve it)"
              if cpu_text else
              f"n/a: at {l0} pods below one exec of /bin/true ({fmt(t0)} ms), which every "
              "call pays and the floor does not: the p50s do not resolve it")
    fname = FLOOR_NAMES[f.ours_floor(c)]
    text = (f"{ratio(a0, at)} ({fmt(kt)} − {fname} {fmt(ft)} = {fmt(at)} ms at {lt} per chain, "
            f"{lt * f.chains} pods on the node; {fmt(k0)} − {fmt(f0)} = {fmt(a0)} ms at {l0}"
            f"{', krafty' + chr(39) + 's own rounds' if solo else ''}")
    if ln != lt:
        _, _, an = above_floor(f, c, ln, solo)
        text += (f"; at {ln} per chain ({ln * f.chains} pods) {ratio(a0, an)}: {fmt(an)} ms"
                 if a0 is not None and an is not None and a0 > 0 and an > 0 else
                 f"; at {ln} per chain n/a")
    if solo:
        m0, mt = above_floor(f, c, l0, False)[2], above_floor(f, c, lt, False)[2]
        text += (f"; in the rounds among the references' calls {ratio(m0, mt)}"
                 if m0 is not None and mt is not None and m0 > 0 and mt > 0 else
                 "; in the rounds among the references' calls n/a: at or below the floor")
    return row(f"{c}: cost above the kernel floor with 1000 pods on the node at most 1.2x "
               f"its cost at {l0}", text + cpu_text + ")", ok)


def issue12(f):
    l0 = f.l0

    def p(v, c, lvl=l0):
        return f.p50(lvl, v, c)

    kr = {c: p("kr", c) for c in ADC}
    sref = {c: p("sref", c) for c in ADC}
    t_add, t_del = p("true", "ADD"), p("true", "DEL")
    EXECS = krafty_execs(f)  # noqa: N806 (reads as the constant it was)
    fa = f.ours_floor("ADD")
    fair_add = plus(p(fa, "ADD"), None if t_add is None else EXECS * t_add)
    fair_add_create = plus(p("floor", "ADD"), None if t_add is None else EXECS * t_add)
    fb = p("floorb", "DEL")
    fair_check = plus(p("floor", "CHECK"), None if t_add is None else EXECS * t_add)
    fair_del = plus(p("floorp", "DEL"), None if t_del is None else EXECS * t_del)
    out = [
        "### Issue 12",
        "",
        *TARGET_HEAD,
        row("ADD at least 3x faster than bridge + host-local, one shared bridge",
            f"{ratio(kr['ADD'], sref['ADD'])} ({fmt(sref['ADD'])} vs {fmt(kr['ADD'])} ms; the most "
            f"a plugin that execs {EXECS} processes could reach here, the reference ÷ (floor + "
            f"{EXECS} execs): {ratio(fair_add, sref['ADD'])})",
            verdict(kr["ADD"], sref["ADD"], ">=", 3)),
        row(f"ADD within 1.2x of the floor plus the {EXECS} exec(s) the call makes (krafty"
            f"{', host-local' if EXECS > 1 else '; host-local in-process'})",
            f"{ratio(fair_add, kr['ADD'])} ({fmt(kr['ADD'])} ms vs {FLOOR_NAMES[fa]} "
            f"{fmt(p(fa, 'ADD'))} + "
            f"{EXECS} × /bin/true {fmt(t_add)} = {fmt(fair_add)} ms; with the floor that creates "
            f"the bridge: {ratio(fair_add_create, kr['ADD'])})",
            verdict(fair_add, kr["ADD"], "<=", 1.2)),
        row("DEL at least as fast as the shared-bridge reference's DEL",
            f"{tratio(kr['DEL'], sref['DEL'], 1)} ({fmt(sref['DEL'])} vs {fmt(kr['DEL'])} ms)",
            verdict(kr["DEL"], sref["DEL"], ">=", 1)),
        row("DEL within 1.2x of the one-batch floor (the target's floor: see the analysis)",
            f"{ratio(fb, kr['DEL'])} ({fmt(kr['DEL'])} vs {fmt(fb)} ms)",
            verdict(fb, kr["DEL"], "<=", 1.2)),
        row(f"*stricter reading, not the issue's:* DEL within 1.2x of the floor of the work it "
            f"does (veth deleted, bridge parked) plus its {EXECS} execs",
            f"{ratio(fair_del, kr['DEL'])} ({fmt(kr['DEL'])} vs {fmt(p('floorp', 'DEL'))} + "
            f"{EXECS} × {fmt(t_del)} = {fmt(fair_del)} ms)",
            verdict(fair_del, kr["DEL"], "<=", 1.2)),
        row("CHECK at least 4x faster than the shared-bridge reference",
            f"{ratio(kr['CHECK'], sref['CHECK'])} ({fmt(sref['CHECK'])} vs "
            f"{fmt(kr['CHECK'])} ms; at most {ratio(fair_check, sref['CHECK'])} with {EXECS} "
            "execs: the reference ÷ (floor + execs))", verdict(kr["CHECK"], sref["CHECK"], ">=", 4)),
    ]
    for v, name in (("kr", "krafty + host-local"), ("kr0", "krafty, spares 0"),
                    ("hl", "host-local"), ("tl", "tuning-lite"),
                    ("chain", "passthru + tuning-lite")):
        if f.has(v):
            out.append(row(f"peak RSS of every process at most 2 MB: {name}", kib(f.rss(v)),
                           met(f.rss(v), "<=", 2048)))
    out += [growth_row(f, c) for c in ADC]
    parts = {"the shared-bridge reference": f.has("sref"),
             "the one-batch DEL floor": f.has("floorb"),
             "DEL with VRF in the VM": bool(f.vm.get(("krafty", "DEL")))}
    out += [row("`make bench` measures " + ", ".join(parts),
                "; ".join(f"{k}: {'yes' if v else 'no'}" for k, v in parts.items()),
                "**met**" if all(parts.values()) else "**missed**"), ""]
    return out


def issue18(f):
    l0 = f.l0
    kr_del, sref_del = f.p50(l0, "kr", "DEL"), f.p50(l0, "sref", "DEL")
    k = max(f.run["tp_inflight"])
    tk, ts = f.tp.get((k, "kr", "DEL")), f.tp.get((k, "sref", "DEL"))

    def mean_tp(v):
        xs = [d["calls_per_s"] for d in f.stall_dels if d["variant"] == v and d["calls_per_s"]]
        return sum(xs) / len(xs) if xs else None

    def p99(get, phase, metric="ipadd"):
        r = get(phase, metric)
        return r and r["p99_ms"]

    def stall(get, ours, ref):
        q, o = p99(get, "quiet"), p99(get, ours)
        more = f", krafty with 64 spares {ratio(q, p99(get, 'kr64'))}" if get("kr64", "ipadd") else ""
        text = (f"{ratio(q, o)} (p99 {fmt(o)} vs {fmt(q)} ms quiet; beside the reference's "
                f"DELs {ratio(q, p99(get, ref))}{more}, beside /bin/true alone "
                f"{ratio(q, p99(get, 'true'))}; in-process add "
                f"{ratio(p99(get, 'quiet', 'nladd'), p99(get, ours, 'nladd'))})")
        return text, verdict(q, o, "<=", 2)

    vmk = f.d["vm"].get("inflight", "?")
    vtk, vts = vm_tp_ok(f, "krafty"), vm_tp_ok(f, "refs")
    s_text, s_ok = stall(lambda p, m: f.stall.get((p, m)), "kr", "sref")
    vs_text, vs_ok = stall(lambda p, m: f.vm_stall.get((p, m)), "krafty", "refs")
    out = [
        "### Issue 18",
        "",
        *TARGET_HEAD,
        row("DEL p50 at least as fast as bridge + host-local, one shared bridge",
            f"{tratio(kr_del, sref_del, 1)} ({fmt(sref_del)} vs {fmt(kr_del)} ms)",
            verdict(kr_del, sref_del, ">=", 1)),
        row(f"DEL throughput with {k} calls in flight at least as high",
            f"{tratio(ts, tk, 1)} ({number(tk)} vs {number(ts)} calls/s; in the stall runs "
            f"{ratio(mean_tp('sref'), mean_tp('kr'))}, krafty with 64 spares there "
            f"{ratio(mean_tp('sref'), mean_tp('kr64'))})", verdict(ts, tk, ">=", 1)),
        row(f"while {f.run.get('stall_calls', 64)} DELs run, `ip link add` of a veth at most 2x "
            "its quiet time (p99)", s_text, s_ok),
    ]
    for lvl in f.levels:
        a, b = f.p50(lvl, "kr0", "ADD"), f.p50(lvl, "kr", "ADD")
        out.append(row(f"ADD no slower than before spares (`\"spares\": 0`), {lvl} pods",
                       f"{tratio(a, b, 1)} ({fmt(b)} vs {fmt(a)} ms)", verdict(a, b, "<=", 1)))
    a, b = vm_p50(f, "krafty", "DEL"), vm_p50(f, "refs", "DEL")
    out.append(row("VM, VRF: DEL p50 at least as fast as bridge + host-local + vrf (shared "
                   "bridge)", f"{tratio(a, b, 1)} ({fmt(b)} vs {fmt(a)} ms)",
                   verdict(a, b, ">=", 1)))
    out.append(row(f"VM, VRF: DEL throughput with {vmk} in flight at least as high",
                   f"{tratio(vts, vtk, 1)} ({number(vtk)} vs {number(vts)} calls/s)",
                   verdict(vts, vtk, ">=", 1)))
    out.append(row(f"VM, VRF: while {vmk} DELs run, `ip link add` at most 2x its quiet time "
                   "(p99)", vs_text, vs_ok))
    a, b = vm_p50(f, "kr0", "ADD"), vm_p50(f, "krafty", "ADD")
    out += [row("VM, VRF: ADD no slower than before spares", f"{tratio(a, b, 1)} ({fmt(b)} vs "
                f"{fmt(a)} ms)", verdict(a, b, "<=", 1)), ""]
    return out


def earlier_targets(f):
    l0, ln = f.l0, f.ln
    out = ["### Earlier targets (host-local, tuning-lite)", "", *TARGET_HEAD]
    for ours, ref, name, cmds in (("hl", "hlref", "host-local", ("ADD", "DEL")),
                                  ("tl", "tune", "tuning-lite", ("ADD", "CHECK", "DEL"))):
        for c in cmds:
            a, b = f.p50(l0, ours, c), f.p50(l0, ref, c)
            out.append(row(f"{name} {c} at least 8x faster", ratio(a, b), verdict(a, b, ">=", 8)))
    for c in ("ADD", "DEL"):
        a, b = f.p50(l0, "hl", c), f.p50(ln, "hl", c)
        out.append(row(f"host-local {c} at {ln} pods within 1.2x of {l0}", ratio(a, b),
                       verdict(a, b, "<=", 1.2)))
    return out + [""]


def targets(f):
    out = ["## Targets", "",
           f"p50 at {f.l0} pods per chain unless said; a ratio is the first figure ÷ the "
           "second (above 1: ours is faster, for the \"faster\" rows).", ""]
    return out + issue12(f) + issue18(f) + earlier_targets(f) + failures(f)


def failures(f):
    def host(v):
        t = f.d["variants"].get(v, {})
        s = f" {v} {t.get('failed_calls', 0)}"
        n = t.get("runs_without_output")
        if n:
            s += f" (and {n} driver run{'s' if n > 1 else ''} with no output)"
        return s + ";"

    out = ["Failed calls on the host (every run):"
           + "".join(host(v) for v in HOST_VARIANTS if v in f.d["variants"])
           + " a failed call counts in the latencies with the time it took to fail."]
    vm_failed = [f"{c['variant']} {c['cmd']}: {c['failed_calls']} of {c['calls']} failed"
                 for c in f.d["vm"]["latency"] + f.d["vm"].get("throughput", [])
                 if c["failed_calls"]]
    if vm_failed:
        out.append(f"In the VM: {'; '.join(vm_failed)}.")
    out.append("")
    return out


NOTES = """\
## Notes

- The references: bridge + host-local with one shared bridge (`"bridge": "<tag>sb"`, isGateway)
  is what users run; on DEL it deletes the pod's veth and releases the address, and the bridge
  stays. With a bridge per pod (`"bridge": "<tag>b<pod index>"`, isGateway) it does krafty's
  kernel work on ADD (bridge, gateway address, veth into the pod, address, routes); on DEL it
  leaves its bridge behind too (it never deletes bridges), and the harness deletes those bridges
  afterwards, untimed.
- krafty parks its bridge on DEL (down, no address, renamed krsbNN: at most 16 on the node, the
  default `spares`) and ADD takes a parked one back; with `"spares": 0` (kr0, its own network)
  DEL deletes the bridge as before. Spares are a node-wide pool: other krafty users of the node
  share it. In each sample batch ADD takes the spares the previous batch's DEL parked.
- host-local: ours and the reference each in the network directory their chain uses, which holds
  N pods' addresses; same range shape (a /16, gateway .1).
- Tuning: mtu 1400, promisc, two eth0 sysctls, on a veth end already in the pod's netns; tuning
  does no node-wide work, so it is measured at {l0} pods only.
- Growth: the pods of krafty and of both references are added (untimed, 2 in flight) before each
  level; each sample ADDs a pod, CHECKs and DELs it, so the node stays at N pods while measuring.
  Levels are measured one after the other, so the machine's load can differ between them: read
  them next to the floor and /bin/true columns, which move with the load and the kernel alone.
- The floors (bench/floor.c) do with lib/netlink what a krafty call does to the kernel (plus the
  address file host-local writes), without exec, name probes or the result: "floor" creates the
  bridge on ADD and deletes veth and bridge one request each on DEL (krafty with spares 0);
  "floor with spares" takes a parked bridge on ADD and on DEL deletes the veth and parks the
  bridge (down, gateway address deleted, renamed with an alias in one request): the floor of
  what krafty does now; the one-batch floor puts the pod's node devices in a device group at
  ADD (untimed) and deletes them with one RTM_DELLINK by group (`ip link del group N`).
- The targets' "execs the call makes": a krafty call execs krafty, and host-local too unless
  it runs host-local in-process (CNI_PATH's host-local is the one built with it, as in this
  run: the profile's processes column counts them); the exec of /bin/true measured in the
  same rounds stands for one.
"""


def notes(f):
    return NOTES.format(l0=f.l0).splitlines()


def markdown(f):
    lines = (header(f) + latency_table(f) + throughput_table(f) + growth_table(f)
             + stall_section(f) + size_table(f) + profile_table(f) + vm_section(f) + targets(f)
             + notes(f))
    text = "\n".join(str(x) for x in lines) + "\n"
    if ANALYSIS.exists() and ANALYSIS.stat().st_size:
        text += "\n" + ANALYSIS.read_text()
    return text


# The plot's curves: (variant, command, title, gnuplot style); a curve the run
# did not measure is left out.
GAUGE = 'lw 1 dt 3 pt 1 lc rgb "gray40"'
PLOT_PANELS = (
    ("ADD", (("kr", "ours: krafty + host-local", "lw 2 pt 7 lc 1"),
             ("kr0", "ours with spares 0", "lw 1 pt 6 lc 1"),
             ("sref", "reference, shared bridge", "lw 2 pt 5 lc 2"),
             ("ref", "reference, bridge per pod", "lw 1 pt 4 lc 2"),
             ("floorp", "floor with spares (no exec)", "lw 2 dt 2 pt 9 lc 3"),
             ("floor", "floor (no exec)", "lw 1 dt 2 pt 8 lc 3"),
             ("true", "exec of /bin/true (load gauge)", GAUGE))),
    ("DEL", (("kr", "ours: krafty + host-local (parks)", "lw 2 pt 7 lc 1"),
             ("kr0", "ours with spares 0 (deletes)", "lw 1 pt 6 lc 1"),
             ("sref", "reference, shared bridge", "lw 2 pt 5 lc 2"),
             ("ref", "reference, bridge per pod (leaves it)", "lw 1 pt 4 lc 2"),
             ("floorp", "floor, parking (no exec)", "lw 2 dt 2 pt 9 lc 3"),
             ("floorb", "one-batch floor (no exec)", "lw 2 dt 4 pt 11 lc 4"),
             ("floor", "floor (no exec)", "lw 1 dt 2 pt 8 lc 3"),
             ("true", "exec of /bin/true (load gauge)", GAUGE))),
)


def gnuplot_script(f, png):
    m = f.d["machine"]
    panels = [(cmd, [c for c in lines if f.p50(f.l0, c[0], cmd) is not None])
              for cmd, lines in PLOT_PANELS]
    curves = [(v, cmd) for cmd, lines in panels for v, _, _ in lines]
    data = []
    for p in f.levels:
        values = (f.p50(p, v, cmd) for v, cmd in curves)
        data.append(" ".join([str(p)] + ["?" if x is None else repr(x) for x in values]))
    title = (f"p50 latency per call vs pods already on the node ({m['cpus']} CPUs, "
             f"kernel {m['kernel']}, {f.run['date']})").replace('"', "'")
    out = [
        'set terminal pngcairo size 1200,640 font "DejaVu Sans,11"',
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
        'set ylabel "ms (p50, exec included)"',
    ]
    col = 2
    for cmd, lines in panels:
        plots = []
        for _, name, style in lines:
            plots.append(f'$d using 1:{col} with linespoints {style} title "{name}"')
            col += 1
        out += [f'set title "{cmd} (x: pods per chain on the node)"',
                "plot " + ", \\\n     ".join(plots)]
    out.append("unset multiplot")
    return "\n".join(out) + "\n"


def plot(f, png):
    subprocess.run(["gnuplot"], input=gnuplot_script(f, png), text=True, check=True)


def render(data_path, with_plot=True):
    data = json.loads(data_path.read_text())
    if data.get("format") not in FORMATS:
        sys.exit(f"{data_path}: format {data.get('format')!r}, expected one of {FORMATS!r}")
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
