#!/usr/bin/env bash
# krafty with its host-local in-process against the same krafty exec'ing
# host-local: the mechanism behind one exec less (lib/cni/plugin.h, struct
# cni_builtin). Variant "inproc": CNI_PATH is the build's bin directory (the
# build IDs match). Variant "exec": CNI_PATH starts with a directory holding a
# copy of the same host-local without its build ID, so krafty execs it. Both
# are exec'd by bench/cnibench as a runtime does, "vrf": false, 10 pods each,
# ADD, CHECK and DEL alternating variant by variant round by round (the order
# reverses every round). Prints one JSON object (p50/p99 per variant and command)
# and writes it to INPROC_OUT when set. Needs root and `make all
# $(BUILD)/bench/cnibench`. Knobs: INPROC_ROUNDS (10), INPROC_PODS (10).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
BIN=$BUILD/bin
CNIBENCH=$BUILD/bench/cnibench
ROUNDS=${INPROC_ROUNDS:-10}
PODS=${INPROC_PODS:-10}
P=inp$$
WORK=$(mktemp -d "${TMPDIR:-/tmp}/inprocess.XXXXXX")

# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_trap_cleanup "$P" "$WORK" "$BIN"

mkdir -p "$WORK/path" "$WORK/out-inproc" "$WORK/out-exec"
objcopy --remove-section=.note.gnu.build-id "$BIN/host-local" "$WORK/path/host-local"
bench_krafty_conf "$P-inproc" "$WORK/ipam" 1 >"$WORK/inproc.json"
bench_krafty_conf "$P-exec" "$WORK/ipam" 2 >"$WORK/exec.json"
for ((i = 0; i < 2 * PODS; i++)); do ip netns add "$P-$i"; done

run() { # VARIANT CMD
	local v=$1 cmd=$2 first=0 path=$BIN extra=()
	[[ $v == exec ]] && first=$PODS path=$WORK/path:$BIN
	if [[ $cmd == ADD ]]; then extra=(--out-dir "$WORK/out-$v"); else extra=(--prev-dir "$WORK/out-$v"); fi
	"$CNIBENCH" --cmd "$cmd" --conf "$WORK/$v.json" --plugin "$BIN/krafty" --cni-path "$path" \
		--netns "/run/netns/$P-%d" --ifname net1 --id-prefix "$P$v" --first "$first" \
		--count "$PODS" --samples "$WORK/$v.$cmd" "${extra[@]}" >/dev/null
}
for ((r = 0; r < ROUNDS; r++)); do
	for cmd in ADD CHECK DEL; do
		if ((r % 2)); then run exec "$cmd" && run inproc "$cmd"; else run inproc "$cmd" && run exec "$cmd"; fi
	done
done

pct() { sort -n "$1" | awk -v p="$2" '{ a[NR] = $1 } END { i = int(NR * p / 100 + 0.999); if (i < 1) i = 1; print a[i] }'; }
json=$(for v in inproc exec; do for cmd in ADD CHECK DEL; do
	jq -nc --arg v "$v" --arg c "$cmd" --argjson p50 "$(pct "$WORK/$v.$cmd" 50)" \
		--argjson p99 "$(pct "$WORK/$v.$cmd" 99)" --argjson n "$(wc -l <"$WORK/$v.$cmd")" \
		'{variant: $v, cmd: $c, p50_ms: $p50, p99_ms: $p99, calls: $n}'
done; done | jq -sc --arg when "$(date -u +%FT%TZ)" --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
	'{when: $when, load_average: $load, cells: .}')
echo "$json"
[[ -z ${INPROC_OUT:-} ]] || echo "$json" >"$INPROC_OUT"
