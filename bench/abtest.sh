#!/usr/bin/env bash
# Two builds of krafty side by side, for a change too small for `make bench`'s
# spread between runs: bench/abtest.sh BIN_A BIN_B, each a directory holding
# krafty and its host-local (a build's bin/, or a copy of it). Each build
# attaches its own 10 pods ("vrf": false, spares, host-local in-process), and
# ADD, CHECK and DEL alternate build by build, round by round (the order
# reverses every round), with the floor with spares (bench/floor.c) and an
# exec of /bin/true in the same rounds. Prints p50 and p90 per build and
# command, and the floors. Needs root and `make bench` built once (cnibench,
# floor). Knobs: AB_ROUNDS (10), AB_PODS (10), AB_HOLD (0): pods of a third
# krafty network (build A's) held on the node while the rounds run, to see what
# the node's size does to a call and to the floor. Both builds share the node's
# spare pool, as two versions on one node would.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
[[ $# -eq 2 && -x $1/krafty && -x $2/krafty ]] || { echo "usage: $0 BIN_A BIN_B (directories with krafty and host-local)" >&2; exit 2; }
A=$(cd "$1" && pwd) B=$(cd "$2" && pwd)
ROUNDS=${AB_ROUNDS:-10} PODS=${AB_PODS:-10} HOLD=${AB_HOLD:-0}
CNIBENCH=$BUILD/bench/cnibench FLOOR=$BUILD/bench/floor
P=ab$$ FP=$(($$ % 1000))
WORK=$(mktemp -d "${TMPDIR:-/tmp}/abtest.XXXXXX")

# shellcheck source=bench/lib.sh
. bench/lib.sh
# The floor's devices (fb, fv, fs<FP>w<i>: it parks its bridges) go with the
# rest, and krafty's spare pool goes back to what it held (build B's krafty GCs).
SPARES_BEFORE=$(krafty_spares)
cleanup() {
	local d
	bench_remove "$P"
	for d in $(ip -o link show | awk -F': ' -v re="^f[bsv]${FP}w" '$2 ~ re {print $2}'); do
		ip link del "$d" 2>/dev/null
	done
	rm -rf "$WORK"
	krafty_spares_trim "$SPARES_BEFORE" "$B"
}
trap 'set +e; cleanup' EXIT

mkdir -p "$WORK/out-A" "$WORK/out-B" "$WORK/floor"
bench_krafty_conf "$P-A" "$WORK/ipam" 1 >"$WORK/A.json"
bench_krafty_conf "$P-B" "$WORK/ipam" 2 >"$WORK/B.json"
echo '{}' >"$WORK/empty.json"
for ((i = 0; i < 3 * PODS; i++)); do ip netns add "$P-$i"; done
for ((i = 0; i < HOLD; i++)); do ip netns add "$P-h$i"; done

run() { # BUILD CMD
	local v=$1 cmd=$2 first=0 bin=$A extra=()
	[[ $v == B ]] && first=$PODS bin=$B
	if [[ $cmd == ADD ]]; then extra=(--out-dir "$WORK/out-$v"); else extra=(--prev-dir "$WORK/out-$v"); fi
	"$CNIBENCH" --cmd "$cmd" --conf "$WORK/$v.json" --plugin "$bin/krafty" --cni-path "$bin" \
		--netns "/run/netns/$P-%d" --ifname net1 --id-prefix "$P$v" --first "$first" \
		--count "$PODS" --samples "$WORK/$v.$cmd" "${extra[@]}" >/dev/null
}
floor() { # CMD
	"$FLOOR" --cmd "$1" --mode spares --netns "/run/netns/$P-%d" --id-prefix "${FP}w" \
		--subnet 10.156.0.0/16 --data "$WORK/floor" --first $((2 * PODS)) --count "$PODS" \
		--samples "$WORK/floor.$1" >/dev/null
}
exec_true() {
	"$CNIBENCH" --cmd ADD --conf "$WORK/empty.json" --plugin /bin/true --netns "/run/netns/$P-%d" \
		--ifname net1 --id-prefix "${P}t" --first 0 --count "$PODS" --samples "$WORK/true" >/dev/null
}
hold() { # CMD: the held pods (their own network and subnet, build A's binary)
	"$CNIBENCH" --cmd "$1" --conf "$WORK/H.json" --plugin "$A/krafty" --cni-path "$A" \
		--netns "/run/netns/$P-h%d" --ifname net1 --id-prefix "${P}h" --first 0 \
		--count "$HOLD" --inflight 2 >/dev/null
}
if ((HOLD)); then
	jq -nc --arg n "$P-H" --arg d "$WORK/ipam" '{cniVersion: "1.0.0", name: $n, type: "krafty",
		vrf: false, subnet: "10.241.0.0/16", gateway: "10.241.0.1",
		ipam: {type: "host-local", dataDir: $d, ranges: [[{subnet: "10.241.0.0/16"}]]}}' >"$WORK/H.json"
	hold ADD
fi
for ((r = 0; r < ROUNDS; r++)); do
	for cmd in ADD CHECK DEL; do
		if ((r % 2)); then run B "$cmd" && run A "$cmd"; else run A "$cmd" && run B "$cmd"; fi
		[[ $cmd == CHECK ]] || floor "$cmd"
		[[ $cmd == ADD ]] && exec_true
	done
done

if ((HOLD)); then hold DEL; fi
pct() { sort -n "$1" | awk -v p="$2" '{ a[NR] = $1 } END { i = int(NR * p / 100 + 0.999); if (i < 1) i = 1; print a[i] }'; }
echo "$ROUNDS rounds x $PODS pods, $HOLD more held, load $(cut -d' ' -f1-3 /proc/loadavg); ms"
for cmd in ADD CHECK DEL; do
	printf '%-5s  A p50 %s p90 %s   B p50 %s p90 %s\n' "$cmd" "$(pct "$WORK/A.$cmd" 50)" \
		"$(pct "$WORK/A.$cmd" 90)" "$(pct "$WORK/B.$cmd" 50)" "$(pct "$WORK/B.$cmd" 90)"
done
printf 'floor with spares: ADD p50 %s, DEL p50 %s; exec of /bin/true p50 %s\n' \
	"$(pct "$WORK/floor.ADD" 50)" "$(pct "$WORK/floor.DEL" 50)" "$(pct "$WORK/true" 50)"
