#!/usr/bin/env bash
# What the history log line (lib/cni/history.c) costs a call: tuning-lite ADD and DEL
# (MTU, promisc and two sysctls on a veth in its own netns) with and without "logFile",
# exec'd by cnibench as a runtime does, one call at a time. The two variants alternate
# over ROUNDS rounds of PODS calls each (which one goes first alternates); the report
# gives the median over the rounds of each variant's p50 and mean, and the difference.
# bench/histline.c times the line alone in process, and ADD/DEL with either config call
# by call, interleaved, with the child's CPU time (the figure that a busy machine
# disturbs least). Root; a few minutes with the defaults.
#   bench/logline.sh [PODS [ROUNDS]]      (BUILD=build; results in bench/results/logline.json)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PODS=${1:-200}
ROUNDS=${2:-5}
BIN=$PWD/$BUILD/bin
CNIBENCH=$PWD/$BUILD/bench/cnibench
TAG=kcb$$
WORK=$(mktemp -d /tmp/kc-logline.XXXXXX)
LOGDIR=/run/kc-logline-$$
OUT=bench/results/logline.json

make -s BUILD="$BUILD" "$BIN/tuning-lite" "$CNIBENCH" "$BUILD/libkrafty.a" >/dev/null
# shellcheck disable=SC2046 # the flags are words
cc -O2 -Wall -std=gnu11 -D_GNU_SOURCE -Ilib -o "$BUILD/bench/histline" \
	bench/histline.c "$BUILD/libkrafty.a" -lcjson

cleanup() {
	for ((i = 0; i < PODS; i++)); do echo "netns del $TAG$i"; done | ip -force -batch - 2>/dev/null || true
	rm -rf "$WORK" "$LOGDIR"
}
trap cleanup EXIT

for ((i = 0; i < PODS; i++)); do echo "netns add $TAG$i"; done | ip -batch -
for ((i = 0; i < PODS; i++)); do
	echo "link add eth0 netns $TAG$i type veth peer name peer0 netns $TAG$i"
done | ip -batch -
mkdir -p "$LOGDIR"

conf() { # NAME [LOGFILE]
	jq -nc --arg n "$1" --arg d "$WORK/tuning" --arg l "${2:-}" --arg sb "/run/netns/$TAG@I@" \
		'{cniVersion: "1.0.0", name: $n, type: "tuning-lite", dataDir: $d, mtu: 1400, promisc: true,
		  sysctl: {"net.ipv4.conf.eth0.arp_filter": "1", "net.ipv4.conf.eth0.accept_local": "1"},
		  prevResult: {cniVersion: "1.0.0", interfaces: [{name: "eth0", sandbox: $sb}]}}
		 + (if $l != "" then {logFile: $l} else {} end)'
}
conf kc-bench >"$WORK/plain.json"
conf kc-bench "$LOGDIR/cni.log" >"$WORK/logged.json"

run() { # VARIANT CMD: one cnibench run over every pod; prints "p50 mean"
	"$CNIBENCH" --cmd "$2" --conf "$WORK/$1.json" --plugin "$BIN/tuning-lite" --cni-path "$BIN" \
		--netns "/run/netns/$TAG%d" --ifname eth0 --id-prefix "$TAG-" --first 0 --count "$PODS" \
		--inflight 1 --token @I@ | tee -a "$WORK/runs.jsonl" |
		jq -r --arg v "$1" --arg c "$2" '"\($v) \($c) \(.p50_ms) \(.mean_ms) \(.failures)"'
}

: >"$WORK/rows"
# Rounds alternate which variant goes first, so that drift on a shared machine
# (frequency, other jobs) does not favour one.
for ((r = 0; r < ROUNDS; r++)); do
	order=(plain logged)
	((r % 2)) && order=(logged plain)
	for v in "${order[@]}"; do
		run "$v" ADD >>"$WORK/rows"
		run "$v" DEL >>"$WORK/rows"
	done
done
if awk '$5 != 0 {bad = 1} END {exit !bad}' "$WORK/rows"; then
	echo "some calls failed:" >&2
	cat "$WORK/rows" >&2
	exit 1
fi
lines=$(wc -l <"$LOGDIR/cni.log")
[[ $lines -eq $((ROUNDS * PODS * 2)) ]] || { echo "log has $lines lines, want $((ROUNDS * PODS * 2))" >&2; exit 1; }
bytes=$(wc -c <"$LOGDIR/cni.log")

# The line alone, in process (the file grows by COUNT lines; removed after).
"$BUILD/bench/histline" "$LOGDIR/inproc.log" 20000 >"$WORK/inproc.json"
rm -f "$LOGDIR/inproc.log"
# Call by call: ADD and DEL on pod 0 with either config, interleaved; wall and CPU time.
"$BUILD/bench/histline" --exec "$BIN/tuning-lite" "$WORK/plain.json" "$WORK/logged.json" \
	"/run/netns/${TAG}0" eth0 "$((PODS * 2))" >"$WORK/interleaved.json"

/usr/bin/python3 - "$WORK/rows" "$PODS" "$ROUNDS" "$bytes" "$lines" "$WORK/inproc.json" \
	"$WORK/interleaved.json" >"$OUT" <<'PY'
import json, statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
res = {"pods": int(sys.argv[2]), "rounds": int(sys.argv[3]), "log_bytes": int(sys.argv[4]),
       "log_lines": int(sys.argv[5]), "in_process": json.load(open(sys.argv[6])),
       "interleaved": json.load(open(sys.argv[7])), "ms": {}}
for v in ("plain", "logged"):
    for c in ("ADD", "DEL"):
        sel = [r for r in rows if r[0] == v and r[1] == c]
        res["ms"][f"{v} {c}"] = {"p50": round(statistics.median(float(r[2]) for r in sel), 3),
                                 "mean": round(statistics.median(float(r[3]) for r in sel), 3)}
for c in ("ADD", "DEL"):
    res["ms"][f"difference {c}"] = {k: round(res["ms"][f"logged {c}"][k] - res["ms"][f"plain {c}"][k], 3)
                                    for k in ("p50", "mean")}
print(json.dumps(res, indent=1))
PY
jq -r '"tuning-lite, \(.pods) calls x \(.rounds) rounds each (median of the rounds), ms:",
	(.ms | to_entries[] | "  \(.key | . + (" " * (16 - length)))  p50 \(.value.p50)  mean \(.value.mean)"),
	"log: \(.log_lines) lines, \(.log_bytes / .log_lines | floor) bytes a line",
	"the line alone, in process: \(.in_process.with_log_us) us with logFile, \(.in_process.without_log_us) us without (\(.in_process.count) calls)",
	"call by call, interleaved (\(.interleaved.count) each, medians, ms):",
	(.interleaved | to_entries[] | select(.value | type == "object") |
	 "  \(.key | . + (" " * (16 - length)))  wall \(.value.wall_ms)  cpu \(.value.cpu_ms)")' "$OUT"
