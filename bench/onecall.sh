#!/usr/bin/env bash
# One krafty ADD ("vrf": false, host-local IPAM) and one host-local ADD, measured
# alone, without the whole `make bench`: user-space instructions of each
# process under callgrind (the loader included; krafty's figure excludes the
# host-local it execs), netlink requests and recvmsg calls of krafty (strace),
# binary sizes, and with ONECALL_SAMPLES > 0 cnibench's latency of krafty ADD
# and DEL and their CPU time (ONECALL_KEEP=DIR keeps the callgrind files).
# Needs root and `make all $(BUILD)/bench/cnibench`. Prints "key value" lines.
# Names: netns and networks start with mnl-, subnet 10.250.0.0/24 (override
# with ONECALL_PREFIX / ONECALL_NET). Everything it makes is removed on exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
BIN=$BUILD/bin
P=${ONECALL_PREFIX:-mnl-$$}
NET=${ONECALL_NET:-10.250.0}
SAMPLES=${ONECALL_SAMPLES:-0}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/onecall.XXXXXX")

# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_trap_cleanup "$P" "$WORK" "$BIN"

jq -nc --arg n "$P" --arg d "$WORK/ipam" --arg s "$NET" '{
	cniVersion: "1.0.0", name: $n, type: "krafty", vrf: false,
	subnet: "\($s).0/24", gateway: "\($s).1",
	ipam: {type: "host-local", dataDir: $d, ranges: [[{subnet: "\($s).0/24", gateway: "\($s).1"}]],
	       routes: [{dst: "0.0.0.0/0"}]}}' >"$WORK/kr.json"
jq -c '{cniVersion, name: "\(.name)-hl", type: "host-local", ipam}' "$WORK/kr.json" >"$WORK/hl.json"

call() { # PLUGIN CMD CONF ID NETNS IFNAME [WRAPPER...]
	local plugin=$1 cmd=$2 conf=$3 id=$4 ns=$5 ifname=$6
	shift 6
	CNI_COMMAND=$cmd CNI_CONTAINERID=$id CNI_NETNS=$ns CNI_IFNAME=$ifname CNI_PATH=$BIN \
		"$@" "$BIN/$plugin" <"$conf"
}

instr() { # callgrind.out file: total Ir
	sed -n 's/^summary: *//p; s/^totals: *//p' "$1" | head -1
}

# CPU_MS: CPU time of this shell's finished children, in ms. Not to be called
# in $(...): a subshell has children of its own.
cpu_ms() {
	times >"$WORK/times"
	CPU_MS=$(awk 'NR == 2 { split($1 " " $2, a, /[ms]/); print int((a[1] * 60 + a[2] + a[3] * 60 + a[4]) * 1000) }' "$WORK/times")
}

n=0
pod() { n=$((n + 1)) && ip netns add "$P-$n" && ns=/run/netns/$P-$n; } # sets ns

# Warm the caches (page cache, dentries) with one untimed call.
pod
call krafty ADD "$WORK/kr.json" "${P}w" "$ns" net1 >/dev/null
call krafty DEL "$WORK/kr.json" "${P}w" "$ns" net1 >/dev/null

pod
call krafty ADD "$WORK/kr.json" "${P}c" "$ns" net1 \
	valgrind -q --tool=callgrind --callgrind-out-file="$WORK/kr.cg" >/dev/null
echo "callgrind_krafty_add_Ir $(instr "$WORK/kr.cg")"
call krafty DEL "$WORK/kr.json" "${P}c" "$ns" net1 >/dev/null

pod
call host-local ADD "$WORK/hl.json" "${P}h" "$ns" eth9 \
	valgrind -q --tool=callgrind --callgrind-out-file="$WORK/hl.cg" >/dev/null
echo "callgrind_hostlocal_add_Ir $(instr "$WORK/hl.cg")"
call host-local DEL "$WORK/hl.json" "${P}h" "$ns" eth9 >/dev/null

pod
call krafty ADD "$WORK/kr.json" "${P}s" "$ns" net1 strace -f -e trace=sendto,sendmsg,recvmsg,recvfrom -o "$WORK/kr.strace" >/dev/null
echo "netlink_requests_krafty_add $(grep -E '^[0-9]+ send(to|msg)\(' "$WORK/kr.strace" | grep -c 'nlmsg_type=' || true)"
echo "netlink_recvmsg_calls_krafty_add $(grep -c 'recvmsg(' "$WORK/kr.strace" || true)"
echo "netlink_request_types $(grep -E '^[0-9]+ send(to|msg)\(' "$WORK/kr.strace" |
	grep -oE 'nlmsg_type=(RTM_[A-Z]+|0x[0-9a-f]+)' | cut -d= -f2 | tr '\n' ' ')"
call krafty DEL "$WORK/kr.json" "${P}s" "$ns" net1 >/dev/null
[[ -n ${ONECALL_KEEP:-} ]] && cp "$WORK"/*.cg "$WORK/kr.strace" "$ONECALL_KEEP"/

for b in krafty host-local passthru tuning-lite; do
	echo "size_$b $(stat -c %s "$BIN/$b")"
done

if ((SAMPLES > 0)); then
	for ((i = 0; i < SAMPLES; i++)); do ip netns add "$P-b$i"; done
	mkdir -p "$WORK/res"
	for cmd in ADD DEL; do
		extra=(--out-dir "$WORK/res")
		[[ $cmd == DEL ]] && extra=(--prev-dir "$WORK/res")
		out=$("$BUILD/bench/cnibench" --cmd "$cmd" --conf "$WORK/kr.json" --plugin "$BIN/krafty" \
			--cni-path "$BIN" --netns "/run/netns/$P-b%d" --ifname net1 --id-prefix "${P}b" \
			--first 0 --count "$SAMPLES" --inflight 1 "${extra[@]}")
		echo "cnibench_krafty_$cmd $out"
	done
	# CPU time (user + system, the IPAM plugin included) is steadier than
	# latency on a shared machine: children's times before and after.
	for ((i = 0; i < SAMPLES; i++)); do ip netns add "$P-t$i"; done
	for cmd in ADD DEL; do
		cpu_ms
		t0=$CPU_MS
		for ((i = 0; i < SAMPLES; i++)); do
			call krafty "$cmd" "$WORK/kr.json" "${P}t$i" "/run/netns/$P-t$i" net1 >/dev/null
		done
		cpu_ms
		echo "cpu_ms_per_krafty_$cmd $(awk -v a="$t0" -v b="$CPU_MS" -v n="$SAMPLES" 'BEGIN { printf "%.2f", (b - a) / n }')"
	done
fi
