#!/usr/bin/env bash
# Benchmark: tuning-lite ADD/DEL latency next to the reference tuning plugin
# (/usr/lib/cni/tuning) on the same config and prevResult, and the krang
# mutation chain passthru + tuning-lite (no prevResult: passthru describes the
# interface) next to the reference tuning given a prevResult. Not run by the
# tests. Needs root.
#
#   bench/tuning-lite.sh [pods] [rounds]      (defaults: 200 pods, 3 rounds)
#
# Each pod is a netns with a veth pair (eth0 and its peer, both inside). Every
# call is exec'd as a runtime does (bench/cnibench: fresh process, config on
# stdin, one call at a time). The config changes two sysctls (IFNAME keys),
# the MTU, promisc and the MAC. A round runs, for each variant in turn, ADD on
# every pod, then DEL on every pod; the variants take turns so that none gets
# a warmer cache. Prints p50/p99 in ms per variant and command, the median of
# the rounds' values, and /bin/cat (reads the config, prints it) as the floor.
set -euo pipefail
cd "$(dirname "$0")/.."

PODS=${1:-200}
ROUNDS=${2:-3}
BUILD=${BUILD:-build}
BIN=$PWD/$BUILD/bin
REF=/usr/lib/cni
BENCH=$PWD/$BUILD/bench/cnibench
[[ $(id -u) == 0 ]] || { echo "needs root (netns, links)" >&2; exit 2; }
make -s "$BUILD/bench/cnibench" "$BUILD/bin/passthru" "$BUILD/bin/tuning-lite" >/dev/null
for b in "$BIN/passthru" "$BIN/tuning-lite" "$REF/tuning" "$BENCH"; do
	[[ -x $b ]] || { echo "missing $b" >&2; exit 1; }
done

TAG=tlb$$
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tuning-lite-bench.XXXXXX")
cleanup() {
	local i
	for ((i = 0; i < PODS; i++)); do ip netns del "$TAG-$i" 2>/dev/null || true; done
	rm -rf "$WORK"
}
trap cleanup EXIT

for ((i = 0; i < PODS; i++)); do
	ip netns add "$TAG-$i"
	ip -n "$TAG-$i" link add eth0 type veth peer name peer0
	ip -n "$TAG-$i" addr add 10.0.0.2/24 dev eth0
	ip -n "$TAG-$i" link set eth0 up
	ip -n "$TAG-$i" link set peer0 up
	ip -n "$TAG-$i" route add default via 10.0.0.1
done

# The same tuning for every variant; the reference and ours keep state in $WORK.
TUNING='"mtu": 1400, "promisc": true, "mac": "02:00:00:00:be:01",
	"sysctl": {"net.ipv4.conf.IFNAME.arp_filter": "1", "net.ipv4.conf.IFNAME.rp_filter": "1"}'
PREV='{"cniVersion": "1.0.0", "interfaces": [{"name": "eth0", "sandbox": "/run/netns/pod"}],
	"ips": [{"address": "10.0.0.2/24", "gateway": "10.0.0.1", "interface": 0}]}'
single_conf() { # TYPE
	jq -c . <<<"{\"cniVersion\": \"1.0.0\", \"name\": \"bench\", \"type\": \"$1\",
		\"dataDir\": \"$WORK/$1\", $TUNING, \"prevResult\": $PREV}"
}
single_conf tuning-lite >"$WORK/tuning-lite.json"
single_conf tuning >"$WORK/tuning.json"
jq -c . <<<"{\"cniVersion\": \"1.0.0\", \"name\": \"bench\", \"plugins\": [{\"type\": \"passthru\"},
	{\"type\": \"tuning-lite\", \"dataDir\": \"$WORK/chain\", $TUNING}]}" >"$WORK/chain.json"

# variant name -> cnibench arguments
declare -A ARGS=(
	[tuning-lite]="--conf $WORK/tuning-lite.json --plugin $BIN/tuning-lite"
	[ref-tuning]="--conf $WORK/tuning.json --plugin $REF/tuning"
	[passthru+tuning-lite]="--conf $WORK/chain.json --plugin $BIN/passthru --plugin $BIN/tuning-lite"
)
# The floor: what exec'ing any binary costs on this machine.
echo '{}' >"$WORK/floor.json"
ARGS[exec-floor]="--conf $WORK/floor.json --plugin /bin/cat"
VARIANTS=(tuning-lite ref-tuning passthru+tuning-lite exec-floor)

run() { # VARIANT CMD ROUND
	# shellcheck disable=SC2086
	"$BENCH" --cmd "$2" ${ARGS[$1]} --netns "/run/netns/$TAG-%d" --ifname eth0 \
		--id-prefix "b$3-" --count "$PODS" --cni-path "$BIN" >>"$WORK/$1.$2" ||
		{ echo "$1 $2 failed: $(tail -1 "$WORK/$1.$2")" >&2; exit 1; }
}

for ((r = 0; r < ROUNDS; r++)); do
	for ((k = 0; k < ${#VARIANTS[@]}; k++)); do
		v=${VARIANTS[(k + r) % ${#VARIANTS[@]}]}
		run "$v" ADD "$r"
		run "$v" DEL "$r"
	done
done

median() { jq -s "map(.$2) | sort | .[length / 2 | floor]" "$1"; }
echo "# $PODS pods, $ROUNDS rounds (median of the rounds); $(nproc) CPUs; kernel $(uname -r);"
echo "# times in ms per runtime call, exec included; the chain row is two execs."
echo "| variant                          | ADD p50 | ADD p99 | DEL p50 | DEL p99 |"
echo "| -------------------------------- | ------- | ------- | ------- | ------- |"
for v in "${VARIANTS[@]}"; do
	case $v in
	tuning-lite) label="tuning-lite (prevResult given)" ;;
	ref-tuning) label="ref tuning (prevResult given)" ;;
	exec-floor) label="/bin/cat (exec floor)" ;;
	*) label="passthru + tuning-lite (none)" ;;
	esac
	printf '| %-32s | %7.2f | %7.2f | %7.2f | %7.2f |\n' "$label" \
		"$(median "$WORK/$v.ADD" p50_ms)" "$(median "$WORK/$v.ADD" p99_ms)" \
		"$(median "$WORK/$v.DEL" p50_ms)" "$(median "$WORK/$v.DEL" p99_ms)"
done
