#!/usr/bin/env bash
# Benchmark: krafty ADD/CHECK/DEL latency next to the reference Go chain that
# does the same job (/usr/lib/cni/bridge + host-local: a bridge with the
# gateway, a veth into the pod, an address and a default route), on this host
# with "vrf": false, with N pods already attached on the node. Not run by the
# tests. Needs root.
#
#   bench/krafty.sh [samples] [N...]        (defaults: 50 samples, N = 10 1000)
#
# krafty runs with our host-local (CNI_PATH=$BUILD/bin), the reference bridge
# with the reference host-local (CNI_PATH=/usr/lib/cni); both at cniVersion
# 1.0.0, each call exec'd as a runtime does (fresh process, config on stdin).
# For each N, the node first gets N pods of each chain (untimed; interfaces
# spread over a few netns), then `samples` times, the chains taking turns:
# ADD a new pod (timed), CHECK it with the ADD's result (timed), DEL it
# (timed); so N stays constant while measuring. Prints p50/p99 in ms.
set -euo pipefail
cd "$(dirname "$0")/.."

SAMPLES=${1:-50}
shift || true
SIZES=("$@")
((${#SIZES[@]})) || SIZES=(10 1000)
BIN=$PWD/${BUILD:-build}/bin
REF=/usr/lib/cni
[[ $(id -u) == 0 ]] || { echo "needs root (netns, links)" >&2; exit 2; }
for b in "$BIN/krafty" "$BIN/host-local" "$REF/bridge" "$REF/host-local"; do
	[[ -x $b ]] || { echo "missing $b (make; containernetworking-plugins)" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/krafty-bench.XXXXXX")
TAG=kb$$
KR_NET=$TAG-kr
BG_PER_NS=100

kr_conf() {
	printf '{"cniVersion":"1.0.0","name":"%s","type":"krafty","vrf":false,"subnet":"10.202.0.0/16","gateway":"10.202.0.1","ipam":{"type":"host-local","dataDir":"%s/kr","ranges":[[{"subnet":"10.202.0.0/16","gateway":"10.202.0.1"}]],"routes":[{"dst":"0.0.0.0/0"}]}}' \
		"$KR_NET" "$WORK"
}
ref_conf() {
	printf '{"cniVersion":"1.0.0","name":"%s-ref","type":"bridge","bridge":"%sbr","isGateway":true,"ipMasq":false,"ipam":{"type":"host-local","dataDir":"%s/ref","ranges":[[{"subnet":"10.203.0.0/16","gateway":"10.203.0.1"}]],"routes":[{"dst":"0.0.0.0/0"}]}}' \
		"$TAG" "$TAG" "$WORK"
}
KR_CONF=$(kr_conf)
REF_CONF=$(ref_conf)

NSS=()
cleanup() {
	local ns d
	for ns in "${NSS[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
	# krafty's bridges outlive the netns (their veths do not): find them by alias.
	for d in $(ip -j link show | jq -r --arg re "^krafty [0-9a-f]{16} $KR_NET/" \
		'.[] | select((.ifalias // "") | test($re)) | .ifname'); do
		ip link del "$d" 2>/dev/null || true
	done
	ip link del "${TAG}br" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

netns() { ip netns add "$1" && ip -n "$1" link set lo up && NSS+=("$1"); }

# call CHAIN CMD ID NETNS IFNAME [CONF] -> output in $OUT, wall time (us) in $US
call() {
	local chain=$1 cmd=$2 id=$3 ns=$4 ifn=$5 conf=${6:-} bin path t0 t1
	if [[ $chain == krafty ]]; then
		bin=$BIN/krafty path=$BIN conf=${conf:-$KR_CONF}
	else
		bin=$REF/bridge path=$REF conf=${conf:-$REF_CONF}
	fi
	t0=${EPOCHREALTIME/./}
	OUT=$(CNI_COMMAND=$cmd CNI_CONTAINERID=$id CNI_NETNS=/run/netns/$ns CNI_IFNAME=$ifn \
		CNI_PATH=$path "$bin" <<<"$conf") || { echo "$chain $cmd $id failed: $OUT" >&2; exit 1; }
	t1=${EPOCHREALTIME/./}
	US=$((t1 - t0))
}

# Grow the node to n pods per chain (untimed).
BG=0
grow() {
	local n=$1 ns
	while ((BG < n)); do
		ns=$TAG-bg$((BG / BG_PER_NS))
		((BG % BG_PER_NS)) || netns "$ns"
		call krafty ADD "$(printf 'bk%06d-%s' "$BG" "$TAG")" "$ns" "k$((BG % BG_PER_NS))"
		call ref ADD "$(printf 'br%06d-%s' "$BG" "$TAG")" "$ns" "r$((BG % BG_PER_NS))"
		BG=$((BG + 1))
	done
}

percentile() { # P FILE -> ms
	sort -n "$2" | awk -v p="$1" '{ v[NR] = $1 } END { i = int((p * NR + 99) / 100); if (i < 1) i = 1; printf "%.1f", v[i] / 1000 }'
}

measure() {
	local n=$1 s chain id prev
	for chain in krafty ref; do
		: >"$WORK/$chain.ADD"
		: >"$WORK/$chain.CHECK"
		: >"$WORK/$chain.DEL"
	done
	for ((s = 0; s < SAMPLES; s++)); do
		for chain in krafty ref; do
			id=$(printf 's%s%05d-%s-%s' "${chain:0:1}" "$s" "$n" "$TAG")
			call "$chain" ADD "$id" "$TAG-s" net1
			echo "$US" >>"$WORK/$chain.ADD"
			prev=$OUT
			if [[ $chain == krafty ]]; then
				call "$chain" CHECK "$id" "$TAG-s" net1 "$(jq -c --argjson p "$prev" '. + {prevResult: $p}' <<<"$KR_CONF")"
			else
				call "$chain" CHECK "$id" "$TAG-s" net1 "$(jq -c --argjson p "$prev" '. + {prevResult: $p}' <<<"$REF_CONF")"
			fi
			echo "$US" >>"$WORK/$chain.CHECK"
			call "$chain" DEL "$id" "$TAG-s" net1
			echo "$US" >>"$WORK/$chain.DEL"
		done
	done
	for chain in krafty ref; do
		printf '| %5d | %-28s | %7s | %7s | %7s | %7s | %7s | %7s |\n' "$n" \
			"$([[ $chain == krafty ]] && echo "krafty + our host-local" || echo "ref bridge + ref host-local")" \
			"$(percentile 50 "$WORK/$chain.ADD")" "$(percentile 99 "$WORK/$chain.ADD")" \
			"$(percentile 50 "$WORK/$chain.CHECK")" "$(percentile 99 "$WORK/$chain.CHECK")" \
			"$(percentile 50 "$WORK/$chain.DEL")" "$(percentile 99 "$WORK/$chain.DEL")"
	done
}

netns "$TAG-s"
echo "# $SAMPLES samples per row; $(nproc) CPUs; kernel $(uname -r); times in ms (exec included)"
echo "| pods  | chain                        | ADD p50 | ADD p99 | CHK p50 | CHK p99 | DEL p50 | DEL p99 |"
echo "| ----- | ---------------------------- | ------- | ------- | ------- | ------- | ------- | ------- |"
for n in "${SIZES[@]}"; do
	grow "$n"
	measure "$n"
done
