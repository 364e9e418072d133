#!/usr/bin/env bash
# The benchmark harness behind `make bench` (never part of `make test`). Needs
# root. Every plugin call is exec'd as a runtime does (bench/cnibench: a fresh
# process, the config on stdin, CNI_* in the environment, one netns per pod),
# ours and the reference Go plugins (/usr/lib/cni, Debian's
# containernetworking-plugins) doing the same job in the same phase, in
# alternating batches of BENCH_BATCH calls, so that both see the same load:
#
#   krafty ("vrf": false, default spares: DEL parks the bridge, ADD takes a
#       parked one back) + our host-local  vs  bridge + host-local, twice:
#       one shared bridge for all pods ("bridge": "<tag>sb", isGateway: the
#       configuration users run) and one bridge per pod ("bridge":
#       "<tag>b<pod index>", isGateway: krafty's topology): ADD, CHECK, DEL
#   krafty with "spares": 0 (DEL deletes the bridge: krafty before spares)
#   host-local (ours)  vs  host-local, same range, in the networks above: ADD, DEL
#   tuning-lite  vs  tuning: same prevResult, same sysctl/mtu/promisc keys, on
#       an existing veth (eth0) in the pod's netns: ADD, CHECK, DEL
#   passthru + tuning-lite (a chain)  vs  tuning with prevResult
#   floors: bench/floor.c, the kernel work of a krafty ADD/CHECK/DEL in one
#       process (no exec): "floor" creates the bridge and deletes veth and
#       bridge one request each (krafty with spares 0), "floorb" deletes them
#       in one request (RTM_DELLINK by device group: the one-batch DEL floor),
#       "floorp" does what krafty does with spares (DEL deletes the veth and
#       parks the bridge: down, address deleted, renamed; ADD takes it back);
#       and an exec of /bin/true (the process floor)
#
# at 10, 100, 334 and 1000 pods of each chain already attached on the node (krafty's
# own rounds first at each level: krafty, its floor and /bin/true alone, call
# by call), plus
# throughput at 1, 8 and 64 calls in flight, the stall probe (while 64 DELs
# of krafty, of krafty with "spares": 64 and of the shared-bridge reference
# run at once, an unrelated `ip link add` of a veth, exec'd and in-process, in
# a netns of its own, timed against the same with nothing running; and beside
# 64 execs of /bin/true in flight, the CPU load alone), peak RSS, binary sizes, a
# profile (perf stat, strace -c) and, in a qemu VM with a VRF-capable kernel,
# krafty with VRF vs bridge + host-local + vrf (shared and per-pod bridge):
# latencies, DEL throughput and the stall probe with 64 in flight. Writes
# every figure and the machine's description to bench/results/latest.json,
# and from that file alone (bench/report.py) latest.md and
# latency-vs-pods.png. Knobs (environment):
#
#   BENCH_SAMPLES (50)   timed calls per cell (per level, variant, command)
#   BENCH_BATCH (5)      calls per batch; ours and the reference alternate
#   BENCH_LEVELS ("10 100 334 1000")  pods per chain on the node while measuring;
#                        three chains are grown (krafty and both references), so
#                        334 per chain is 1002 pods on the node: the level issue
#                        12's growth target ("with 1000 pods on the node") reads
#   BENCH_SETTLE_BUSY (20), BENCH_SETTLE_MAX (120)  before measuring a level, wait
#                        until the CPUs are busy less than this % over 2 s (at most
#                        that many seconds): the kernel's own work after creating
#                        the level's devices is over, as on a node that holds them
#   BENCH_TP_CALLS (64)  calls per throughput run
#   BENCH_TP_INFLIGHT ("1 8 64")
#   BENCH_STALL_CALLS (64)   DELs in flight during the stall probe
#   BENCH_STALL_ROUNDS (10)   stall probe runs per variant (ours, ours with 64 spares, the reference)
#   BENCH_PROBE_QUIET (20)   quiet probe rounds before each loaded run
#   BENCH_VM (1), BENCH_VM_PODS (30)   the VM part (TCG: slow; ratios only)
#   BENCH_VM_INFLIGHT (64)   DELs in flight for the VM's throughput and stall probe
#   BENCH_PROFILE (1)    perf stat / strace -c of single calls
#   BENCH_KEEP_WORK (0)  keep the raw figures (the work directory) after the run
#   BENCH_RESULTS (bench/results)  where latest.json, latest.md and the plot go
#
# Everything it creates (netns, devices, state directories) is removed on exit,
# also on failure or ^C; krafty's spare bridges (krsbNN, a node-wide pool) that
# were not on the node at the start go too. The shared bridge holds at most
# 1023 ports: the largest level plus a batch must stay below that.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$REPO/$BUILD ;; esac
BIN=$BUILD/bin
REF=/usr/lib/cni
CNIBENCH=$BUILD/bench/cnibench
FLOOR=$BUILD/bench/floor
RESULTS=${BENCH_RESULTS:-$REPO/bench/results}

SAMPLES=${BENCH_SAMPLES:-50}
BATCH=${BENCH_BATCH:-5}
TP_CALLS=${BENCH_TP_CALLS:-64}
read -r -a TP_INFLIGHT <<<"${BENCH_TP_INFLIGHT:-1 8 64}"
read -r -a LEVELS <<<"${BENCH_LEVELS:-10 100 334 1000}"
# shellcheck disable=SC2034 # read as ${!v} where the run is described
GROWN_CHAINS=3 # grow() adds pods of kr, ref and sref
STALL_CALLS=${BENCH_STALL_CALLS:-64}
STALL_ROUNDS=${BENCH_STALL_ROUNDS:-10}
PROBE_QUIET=${BENCH_PROBE_QUIET:-20}
RUN_VM=${BENCH_VM:-1}
VM_PODS=${BENCH_VM_PODS:-30}
VM_INFLIGHT=${BENCH_VM_INFLIGHT:-64}
RUN_PROFILE=${BENCH_PROFILE:-1}
((SAMPLES % BATCH == 0)) || { echo "BENCH_SAMPLES must be a multiple of BENCH_BATCH" >&2; exit 2; }
maxlvl=0
for l in "${LEVELS[@]}"; do ((l > maxlvl)) && maxlvl=$l; done
bigrun=$((TP_CALLS > STALL_CALLS ? TP_CALLS : STALL_CALLS))
((maxlvl + BATCH <= 1023 && LEVELS[0] + bigrun <= 1023)) ||
	{ echo "a bridge holds 1023 ports: the largest level + BENCH_BATCH, and the first level + 64, must fit" >&2; exit 2; }

T_START=$(date +%s)
log() { printf '[bench %4ds] %s\n' $(($(date +%s) - T_START)) "$*" >&2; }

# ---- dependencies and binaries ----------------------------------------------

[[ $(id -u) == 0 ]] || { echo "bench/run.sh needs root (netns, links)" >&2; exit 2; }
missing=()
command -v jq >/dev/null || missing+=(jq)
[[ -x /usr/bin/python3 ]] || missing+=(python3)
command -v gnuplot >/dev/null || missing+=(gnuplot-nox)
command -v strace >/dev/null || missing+=(strace)
command -v perf >/dev/null || missing+=(linux-perf)
if ((${#missing[@]})); then
	log "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
		{ apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
fi
for b in "$BIN/krafty" "$BIN/host-local" "$BIN/passthru" "$BIN/tuning-lite" "$CNIBENCH" "$FLOOR"; do
	[[ -x $b ]] || { echo "missing $b: run 'make bench'" >&2; exit 1; }
done
for b in bridge host-local tuning vrf; do
	[[ -x $REF/$b ]] || { echo "missing $REF/$b (apt-get install containernetworking-plugins)" >&2; exit 1; }
done

# ---- names, state and cleanup -----------------------------------------------

TAG=bn$(($$ % 1000))      # netns <TAG>{k,r,s,z,q,f,d,e,u,v,w}<i> and <TAG>probe, ref bridges <TAG>b<i>, <TAG>sb
FP=$(($$ % 1000))         # floor devices f{b,v,s}<FP>{x,y,z}<i>
KR_NET=$TAG-kr
KR0_NET=$TAG-kr0
KR64_NET=$TAG-kr64
REF_NET=$TAG-ref
SREF_NET=$TAG-sref
GROUP=$((40000 + $$ % 20000)) # device group for one batched delete
FLOOR_GROUP=$((100000000 + FP * 10000)) # floorb: pod i's devices in group FLOOR_GROUP + i
WORK=$(mktemp -d "${TMPDIR:-/tmp}/krafty-bench.XXXXXX")
mkdir -p "$WORK"/{s,res,json,perf,ipam,tuning,stall}
: >"$WORK/netns.list"
: >"$WORK/errors.log"

# Delete devices by name in one batch: put them in our group, delete the group
# (the kernel unregisters them together, one RCU wait instead of one each).
del_devices() { # FILE with one name per line
	[[ -s $1 ]] || return 0
	sed "s/.*/link set dev & group $GROUP/" "$1" | ip -force -batch - 2>/dev/null || true
	ip link del group "$GROUP" 2>/dev/null || true
}

# krafty's spare bridges (a node-wide pool) on the node now: "IFINDEX NAME" lines.
spare_bridges() {
	ip -o link show 2>/dev/null | awk -F': ' '$2 ~ /^krsb[0-9]+$/ { print $1, $2 }'
}
spare_bridges >"$WORK/spares.start"

our_devices() {
	ip -j link show 2>/dev/null | jq -r --arg kr "^krafty [0-9a-f]{16} (${KR_NET}|${KR0_NET}|${KR64_NET})/" \
		--arg names "^(${TAG}s?b[0-9]*|f[bvsq]${FP}[xyz][0-9]+)$" \
		'.[] | select(((.ifalias // "") | test($kr)) or (.ifname | test($names))) | .ifname'
	# spares our DELs parked: those not on the node at the start
	spare_bridges | awk 'FILENAME == ARGV[1] { was[$1] = 1; next } !($1 in was) { print $2 }' "$WORK/spares.start" -
}

cleanup() {
	local rc=$?
	set +e
	trap - EXIT INT TERM
	trap '' HUP PIPE # a reader gone (make bench | head) must not stop the cleanup
	log "cleanup (exit status $rc)"
	[[ -n $PROBE_PID ]] && kill -TERM "$PROBE_PID" 2>/dev/null && wait "$PROBE_PID"
	our_devices >"$WORK/devices.left"
	del_devices "$WORK/devices.left"
	sed 's/^/netns del /' "$WORK/netns.list" | ip -force -batch - 2>/dev/null
	# Anything a VM run left is under its own build directory (kept as a cache).
	if [[ ${BENCH_KEEP_WORK:-0} == 1 ]]; then
		log "raw figures kept in $WORK (BENCH_KEEP_WORK=1)"
	else
		rm -rf "$WORK"
	fi
	exit "$rc"
}
PROBE_PID=
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE

ip -o link show group "$GROUP" | grep -q . && { echo "device group $GROUP is in use" >&2; exit 1; }

# mk_netns PREFIX FIRST COUNT: /run/netns/<PREFIX><i>, in one ip process.
mk_netns() {
	local p=$1 first=$2 n=$3 i
	for ((i = first; i < first + n; i++)); do echo "$p$i"; done >"$WORK/netns.new"
	cat "$WORK/netns.new" >>"$WORK/netns.list"
	sed 's/^/netns add /' "$WORK/netns.new" | ip -batch -
}
# mk_tuning_pods PREFIX FIRST COUNT: netns with a veth pair eth0/peer0 inside.
mk_tuning_pods() {
	local p=$1 first=$2 n=$3 i
	mk_netns "$@"
	for ((i = first; i < first + n; i++)); do
		echo "link add eth0 netns $p$i type veth peer name peer0 netns $p$i"
	done | ip -batch -
}

# ---- configs ----------------------------------------------------------------

KR_SUBNET=10.150.0.0/16 KR_GW=10.150.0.1
REF_SUBNET=10.151.0.0/16 REF_GW=10.151.0.1
SREF_SUBNET=10.153.0.0/16 SREF_GW=10.153.0.1
KR0_SUBNET=10.154.0.0/16 KR0_GW=10.154.0.1
KR64_SUBNET=10.157.0.0/16 KR64_GW=10.157.0.1
ipam_block() { # SUBNET GW DIR
	jq -nc --arg s "$1" --arg g "$2" --arg d "$3" \
		'{type: "host-local", dataDir: $d, ranges: [[{subnet: $s, gateway: $g}]], routes: [{dst: "0.0.0.0/0"}]}'
}
KR_IPAM=$(ipam_block "$KR_SUBNET" "$KR_GW" "$WORK/ipam/kr")
REF_IPAM=$(ipam_block "$REF_SUBNET" "$REF_GW" "$WORK/ipam/ref")
SREF_IPAM=$(ipam_block "$SREF_SUBNET" "$SREF_GW" "$WORK/ipam/sref")
KR0_IPAM=$(ipam_block "$KR0_SUBNET" "$KR0_GW" "$WORK/ipam/kr0")
KR64_IPAM=$(ipam_block "$KR64_SUBNET" "$KR64_GW" "$WORK/ipam/kr64")
jq -nc --arg n "$KR_NET" --arg s "$KR_SUBNET" --arg g "$KR_GW" --argjson i "$KR_IPAM" \
	'{cniVersion: "1.0.0", name: $n, type: "krafty", vrf: false, subnet: $s, gateway: $g, ipam: $i}' >"$WORK/kr.json"
jq -nc --arg n "$KR0_NET" --arg s "$KR0_SUBNET" --arg g "$KR0_GW" --argjson i "$KR0_IPAM" \
	'{cniVersion: "1.0.0", name: $n, type: "krafty", vrf: false, spares: 0, subnet: $s, gateway: $g, ipam: $i}' >"$WORK/kr0.json"
jq -nc --arg n "$KR64_NET" --arg s "$KR64_SUBNET" --arg g "$KR64_GW" --argjson i "$KR64_IPAM" \
	'{cniVersion: "1.0.0", name: $n, type: "krafty", vrf: false, spares: 64, subnet: $s, gateway: $g, ipam: $i}' >"$WORK/kr64.json"
jq -nc --arg n "$REF_NET" --arg b "${TAG}b@I@" --argjson i "$REF_IPAM" \
	'{cniVersion: "1.0.0", name: $n, type: "bridge", bridge: $b, isGateway: true, ipMasq: false, ipam: $i}' >"$WORK/ref.json"
jq -nc --arg n "$SREF_NET" --arg b "${TAG}sb" --argjson i "$SREF_IPAM" \
	'{cniVersion: "1.0.0", name: $n, type: "bridge", bridge: $b, isGateway: true, ipMasq: false, ipam: $i}' >"$WORK/sref.json"
# host-local on its own, in the same networks (same names, dataDirs, ranges).
jq -nc --arg n "$KR_NET" --argjson i "$KR_IPAM" '{cniVersion: "1.0.0", name: $n, type: "host-local", ipam: $i}' >"$WORK/hl.json"
jq -nc --arg n "$REF_NET" --argjson i "$REF_IPAM" '{cniVersion: "1.0.0", name: $n, type: "host-local", ipam: $i}' >"$WORK/hlref.json"
# Tuning: the same keys for every variant.
TUNING='{"mtu": 1400, "promisc": true, "sysctl": {"net.ipv4.conf.eth0.arp_filter": "1", "net.ipv4.conf.eth0.accept_local": "1"}}'
prev_result() { # NETNS-PREFIX
	jq -nc --arg sb "/run/netns/$1@I@" '{cniVersion: "1.0.0", interfaces: [{name: "eth0", sandbox: $sb}],
		ips: [{address: "10.0.0.2/24", gateway: "10.0.0.1", interface: 0}]}'
}
jq -nc --arg n "$TAG-tune" --arg d "$WORK/tuning/tl" --argjson t "$TUNING" --argjson p "$(prev_result "${TAG}u")" \
	'{cniVersion: "1.0.0", name: $n, type: "tuning-lite", dataDir: $d, prevResult: $p} + $t' >"$WORK/tl.json"
jq -nc --arg n "$TAG-tune" --arg d "$WORK/tuning/ref" --argjson t "$TUNING" --argjson p "$(prev_result "${TAG}v")" \
	'{cniVersion: "1.0.0", name: $n, type: "tuning", dataDir: $d, prevResult: $p} + $t' >"$WORK/tune.json"
jq -nc --arg n "$TAG-tune" --arg d "$WORK/tuning/chain" --argjson t "$TUNING" \
	'{cniVersion: "1.0.0", name: $n, plugins: [{type: "passthru"}, ({type: "tuning-lite", dataDir: $d} + $t)]}' >"$WORK/chain.json"
echo '{}' >"$WORK/empty.json"
echo '{"cniVersion": "1.0.0", "name": "true2", "plugins": [{}, {}]}' >"$WORK/true2.json"

# ---- running calls ------------------------------------------------------------

# variant_args VARIANT: cnibench arguments of one variant, in ARGS.
variant_args() {
	case $1 in
	kr) ARGS=(--conf "$WORK/kr.json" --plugin "$BIN/krafty" --cni-path "$BIN" --netns "/run/netns/${TAG}k%d" --ifname net1) ;;
	kr0) ARGS=(--conf "$WORK/kr0.json" --plugin "$BIN/krafty" --cni-path "$BIN" --netns "/run/netns/${TAG}z%d" --ifname net1) ;;
	kr64) ARGS=(--conf "$WORK/kr64.json" --plugin "$BIN/krafty" --cni-path "$BIN" --netns "/run/netns/${TAG}q%d" --ifname net1) ;;
	ref) ARGS=(--conf "$WORK/ref.json" --plugin "$REF/bridge" --cni-path "$REF" --netns "/run/netns/${TAG}r%d" --ifname net1 --token @I@) ;;
	sref) ARGS=(--conf "$WORK/sref.json" --plugin "$REF/bridge" --cni-path "$REF" --netns "/run/netns/${TAG}s%d" --ifname net1) ;;
	hl) ARGS=(--conf "$WORK/hl.json" --plugin "$BIN/host-local" --cni-path "$BIN" --netns "/run/netns/${TAG}k%d" --ifname eth9) ;;
	hlref) ARGS=(--conf "$WORK/hlref.json" --plugin "$REF/host-local" --cni-path "$REF" --netns "/run/netns/${TAG}r%d" --ifname eth9) ;;
	tl) ARGS=(--conf "$WORK/tl.json" --plugin "$BIN/tuning-lite" --cni-path "$BIN" --netns "/run/netns/${TAG}u%d" --ifname eth0 --token @I@) ;;
	tune) ARGS=(--conf "$WORK/tune.json" --plugin "$REF/tuning" --cni-path "$REF" --netns "/run/netns/${TAG}v%d" --ifname eth0 --token @I@) ;;
	chain) ARGS=(--conf "$WORK/chain.json" --plugin "$BIN/passthru" --plugin "$BIN/tuning-lite" --cni-path "$BIN" --netns "/run/netns/${TAG}w%d" --ifname eth0) ;;
	true) ARGS=(--conf "$WORK/empty.json" --plugin /bin/true --netns /run/netns/x%d) ;;
	true2) ARGS=(--conf "$WORK/true2.json" --plugin /bin/true --plugin /bin/true --netns /run/netns/x%d) ;;
	*) echo "unknown variant $1" >&2; return 1 ;;
	esac
}

# cb LABEL VARIANT CMD IDPREFIX FIRST COUNT INFLIGHT [SAMPLES-FILE [CPU-SAMPLES-FILE]]:
# one cnibench run. Its JSON line goes to $WORK/json/runs as "LABEL VARIANT CMD INFLIGHT JSON".
cb() {
	local label=$1 v=$2 cmd=$3 idp=$4 first=$5 count=$6 k=$7 samples=${8:-} cpu=${9:-} out extra=()
	variant_args "$v"
	[[ -n $samples ]] && extra+=(--samples "$samples")
	[[ -n $cpu ]] && extra+=(--cpu-samples "$cpu")
	mkdir -p "$WORK/res/$v.$idp"
	case $cmd in
	ADD) extra+=(--out-dir "$WORK/res/$v.$idp") ;;
	CHECK | DEL) extra+=(--prev-dir "$WORK/res/$v.$idp") ;;
	esac
	out=$("$CNIBENCH" --cmd "$cmd" "${ARGS[@]}" --id-prefix "$idp" --first "$first" --count "$count" \
		--inflight "$k" --verbose "${extra[@]}" 2>>"$WORK/errors.log") || true
	[[ $out == '{'* ]] || out='{"failures":-1}'
	printf '%s %s %s %s %s\n' "$label" "$v" "$cmd" "$k" "$out" >>"$WORK/json/runs"
}

# floor_args VARIANT: bench/floor arguments of one floor variant, in ARGS; each
# has its own pods (netns letter), device names, subnet and address files.
floor_args() {
	case $1 in
	floor) ARGS=(--mode plain --netns "/run/netns/${TAG}f%d" --id-prefix "${FP}x" --subnet 10.152.0.0/16) ;;
	floorb) ARGS=(--mode group --group-base "$FLOOR_GROUP" --netns "/run/netns/${TAG}d%d" --id-prefix "${FP}y" --subnet 10.155.0.0/16) ;;
	floorp) ARGS=(--mode spares --netns "/run/netns/${TAG}e%d" --id-prefix "${FP}z" --subnet 10.156.0.0/16) ;;
	*) echo "unknown floor variant $1" >&2; return 1 ;;
	esac
	mkdir -p "$WORK/ipam/$1"
	ARGS+=(--data "$WORK/ipam/$1")
}

# floor_run LABEL VARIANT CMD FIRST COUNT [SAMPLES-FILE [CPU-SAMPLES-FILE]]
floor_run() {
	local out extra=()
	[[ -n ${6:-} ]] && extra+=(--samples "$6")
	[[ -n ${7:-} ]] && extra+=(--cpu-samples "$7")
	floor_args "$2"
	out=$("$FLOOR" --cmd "$3" "${ARGS[@]}" --first "$4" --count "$5" "${extra[@]}" 2>>"$WORK/errors.log") || true
	[[ $out == '{'* ]] || out='{"failures":-1}'
	printf '%s %s %s %s %s\n' "$1" "$2" "$3" 1 "$out" >>"$WORK/json/runs"
}

# The reference bridge never deletes its bridge: remove the per-pod bridges of
# pods that were DEL'd (untimed), so the node keeps exactly its N pods.
drop_ref_bridges() { # FIRST COUNT
	local i
	for ((i = $1; i < $1 + $2; i++)); do echo "${TAG}b$i"; done >"$WORK/bridges.drop"
	del_devices "$WORK/bridges.drop"
}

SAMPLE_BASE=5000 TP_BASE=6000 PROF_BASE=7000

# measure LEVEL LETTER: SAMPLES timed ADD, CHECK, DEL per variant with LEVEL pods on
# the node, in batches; within a batch ours and the references take turns
# (the order reverses every batch). The floors run after them: floorb's ADD
# only prepares its DEL (untimed), kr0's CHECK is kr's.
measure() {
	local lvl=$1 x=$2 r first d order tpair
	d=$WORK/s/$lvl
	mkdir -p "$d"
	for ((r = 0; r < SAMPLES / BATCH; r++)); do
		first=$((SAMPLE_BASE + r * BATCH))
		if ((r % 2)); then order=(kr0 sref ref kr); else order=(kr ref sref kr0); fi
		for cmd in ADD CHECK DEL; do
			for v in "${order[@]}"; do
				[[ $v == kr0 && $cmd == CHECK ]] && continue
				cb "L$lvl" "$v" "$cmd" "${TAG}$x" "$first" "$BATCH" 1 "$d/$v.$cmd"
			done
			floor_run "L$lvl" floor "$cmd" "$first" "$BATCH" "$d/floor.$cmd"
			case $cmd in
			ADD)
				floor_run "L$lvl" floorb ADD "$first" "$BATCH"
				floor_run "L$lvl" floorp ADD "$first" "$BATCH" "$d/floorp.ADD"
				;;
			DEL)
				floor_run "L$lvl" floorb DEL "$first" "$BATCH" "$d/floorb.DEL"
				floor_run "L$lvl" floorp DEL "$first" "$BATCH" "$d/floorp.DEL"
				;;
			esac
			[[ $cmd == CHECK ]] || cb "L$lvl" true VERSION x "$first" "$BATCH" 1 "$d/true.$cmd"
		done
		drop_ref_bridges "$first" "$BATCH"
		for cmd in ADD DEL; do
			if ((r % 2)); then tpair=(hlref hl); else tpair=(hl hlref); fi
			for v in "${tpair[@]}"; do cb "L$lvl" "$v" "$cmd" "${TAG}h$x" "$first" "$BATCH" 1 "$d/$v.$cmd"; done
		done
		# Tuning does no node-wide work: measured once, at the first level.
		if [[ $lvl == "${LEVELS[0]}" ]]; then
			if ((r % 2)); then tpair=(tune chain tl); else tpair=(tl tune chain); fi
			for cmd in ADD CHECK DEL; do
				for v in "${tpair[@]}"; do cb "L$lvl" "$v" "$cmd" "${TAG}t$x" "$first" "$BATCH" 1 "$d/$v.$cmd"; done
			done
		fi
	done
}

# measure_solo LEVEL LETTER: krafty's own rounds at LEVEL, before measure():
# SAMPLES timed ADD, CHECK, DEL of krafty, its floor with spares and an exec of
# /bin/true, one call per process and pod, the three taking turns call by
# call (the order rotates every round), with no other plugin's calls between
# them. The growth target compares krafty with its floor, and in measure() a
# floor batch follows the references' batches, whose after-effects land on it:
# on a node holding 2,500 floor pods and 1,100 pods on one shared bridge, the
# floor's ADD took about 2 ms p50 on its own and 2-11 ms right after five
# reference ADDs. One call per process because each krafty call is one: a floor
# process doing five pods in a row ran the kernel's route walks warm (on a node
# of 1000 pods per chain its DEL used 6.5 ms of CPU in batches of five against
# 8.8-10.6 ms one per process, krafty 9.3 either way), which made the floor a
# moving base. Latencies go to solo-kr.*, solo-floorp.*, solo-true.*, CPU
# times (user + system of the call's processes; the floor's own, per pod) to
# solo-*-cpu.*; the same pods' netns as measure().
measure_solo() {
	local lvl=$1 x=$2 r first d order v
	d=$WORK/s/$lvl
	mkdir -p "$d"
	for ((r = 0; r < SAMPLES; r++)); do
		first=$((SAMPLE_BASE + r))
		case $((r % 3)) in
		0) order=(kr floorp true) ;;
		1) order=(floorp true kr) ;;
		2) order=(true kr floorp) ;;
		esac
		for cmd in ADD CHECK DEL; do
			for v in "${order[@]}"; do
				case $v in
				kr) cb "S$lvl" kr "$cmd" "${TAG}o$x" "$first" 1 1 "$d/solo-kr.$cmd" \
					"$d/solo-kr-cpu.$cmd" ;;
				floorp) floor_run "S$lvl" floorp "$cmd" "$first" 1 "$d/solo-floorp.$cmd" \
					"$d/solo-floorp-cpu.$cmd" ;;
				true) [[ $cmd == CHECK ]] ||
					cb "S$lvl" true VERSION x "$first" 1 1 "$d/solo-true.$cmd" "$d/solo-true-cpu.$cmd" ;;
				esac
			done
		done
	done
}

# grow N: ADD pods of both chains until the node holds N of each (untimed
# apart from the run's own figures; two calls in flight on 2 CPUs).
GROWN=0
grow() {
	local n=$1
	((n > GROWN)) || return 0
	log "growing to $n pods per chain"
	cb "grow$n" kr ADD "${TAG}g" "$GROWN" $((n - GROWN)) 2
	cb "grow$n" ref ADD "${TAG}g" "$GROWN" $((n - GROWN)) 2
	cb "grow$n" sref ADD "${TAG}g" "$GROWN" $((n - GROWN)) 2
	GROWN=$n
}

# throughput: TP_CALLS calls per run at each in-flight count; ours and the
# reference back to back per command.
throughput() {
	local k v cmd ki=0
	for k in "${TP_INFLIGHT[@]}"; do
		log "throughput, $k in flight"
		for cmd in ADD CHECK DEL; do
			for v in kr ref sref kr0; do
				[[ $v == kr0 && $cmd == CHECK ]] && continue
				cb "tp" "$v" "$cmd" "${TAG}T$ki" "$TP_BASE" "$TP_CALLS" "$k"
			done
		done
		drop_ref_bridges "$TP_BASE" "$TP_CALLS"
		for cmd in ADD DEL; do
			for v in hl hlref; do cb "tp" "$v" "$cmd" "${TAG}T$ki" "$TP_BASE" "$TP_CALLS" "$k"; done
		done
		for cmd in ADD CHECK DEL; do
			for v in tl tune chain; do cb "tp" "$v" "$cmd" "${TAG}T$ki" "$TP_BASE" "$TP_CALLS" "$k"; done
		done
		ki=$((ki + 1))
	done
}

# ---- the stall probe ------------------------------------------------------------

STALL_BASE=8000

# probe PHASE [ROUNDS]: bench/floor's probe in its own netns, appending to
# stall/PHASE.{ipadd,nladd}: ROUNDS rounds, or in the background until probe_stop.
probe() {
	local args=(--cmd PROBE --netns "/run/netns/${TAG}probe" --samples "$WORK/stall/$1" --ip "$(command -v ip)" --gap-ms 2 --rt)
	if [[ -n ${2:-} ]]; then
		"$FLOOR" "${args[@]}" --count "$2" >>"$WORK/stall/probe.out" 2>>"$WORK/errors.log" || true
	else
		"$FLOOR" "${args[@]}" --count 0 --max-ms 600000 >>"$WORK/stall/probe.out" 2>>"$WORK/errors.log" &
		PROBE_PID=$!
	fi
}
probe_stop() {
	kill -TERM "$PROBE_PID" 2>/dev/null || true
	wait "$PROBE_PID" || true
	PROBE_PID=
}

# stall: STALL_ROUNDS times, for krafty, krafty with "spares": 64 (every DEL
# finds a slot) and the shared-bridge reference (the order rotates): ADD
# STALL_CALLS pods (untimed, 4 in flight), probe the quiet node, then DEL them
# all at once with the probe running beside. And the same number of /bin/true
# execs in flight (4x as many calls: they are short) with the probe beside:
# the CPU load of that many processes without netlink work.
# stall/runs.tsv: ROUND VARIANT SPARES-BEFORE SPARES-AFTER (krafty's spare
# bridges on the node around each DEL run: how many of the DELs parked).
# After each kr64 run the spares above krafty's default 16 slots, which only
# kr64 uses, are deleted (untimed) unless they were on the node at the start.
stall() {
	local r v order before
	: >"$WORK/stall/runs.tsv"
	for ((r = 0; r < STALL_ROUNDS; r++)); do
		case $((r % 3)) in
		0) order=(kr kr64 sref) ;;
		1) order=(sref kr kr64) ;;
		2) order=(kr64 sref kr) ;;
		esac
		for v in "${order[@]}"; do
			cb stall-setup "$v" ADD "${TAG}S" "$STALL_BASE" "$STALL_CALLS" 4
			probe quiet "$PROBE_QUIET"
			before=$(spare_bridges | wc -l)
			probe "$v"
			cb stall "$v" DEL "${TAG}S" "$STALL_BASE" "$STALL_CALLS" "$STALL_CALLS"
			probe_stop
			printf '%s\t%s\t%s\t%s\n' "$r" "$v" "$before" "$(spare_bridges | wc -l)" >>"$WORK/stall/runs.tsv"
			[[ $v == kr64 ]] && drop_high_spares
		done
		probe quiet "$PROBE_QUIET"
		probe true
		cb stall true VERSION x 0 $((4 * STALL_CALLS)) "$STALL_CALLS"
		probe_stop
	done
}
drop_high_spares() {
	spare_bridges | awk 'FILENAME == ARGV[1] { was[$1] = 1; next } !($1 in was) && substr($2, 5) + 0 >= 16 { print $2 }' \
		"$WORK/spares.start" - >"$WORK/spares.high"
	del_devices "$WORK/spares.high"
}

# profile: CPU time, page faults and context switches per call (perf stat over
# 10 calls, the driver included: compare with the /bin/true rows, one and two
# execs per call), and per call the processes, netlink requests and syscalls
# (strace -f -c over one call).
profile() {
	local v cmd spec first=$PROF_BASE idp="${TAG}P"
	: >"$WORK/profile.list"
	for spec in true:VERSION true2:VERSION kr:ADD kr:CHECK kr:DEL ref:ADD ref:CHECK ref:DEL sref:ADD sref:CHECK sref:DEL \
		hl:ADD hl:DEL hlref:ADD hlref:DEL tl:ADD tl:DEL tune:ADD tune:DEL chain:ADD chain:DEL \
		floor:ADD floor:DEL floorb:ADD floorb:DEL floorp:ADD floorp:DEL; do
		v=${spec%%:*} cmd=${spec#*:}
		if [[ $v == floor* ]]; then
			floor_args "$v"
			perf stat -x, -e task-clock,page-faults,context-switches -o "$WORK/perf/$v.$cmd" -- \
				"$FLOOR" --cmd "$cmd" "${ARGS[@]}" --first "$first" --count 10 >/dev/null 2>>"$WORK/errors.log" || true
			strace -f -c -o "$WORK/perf/$v.$cmd.strace" -- "$FLOOR" --cmd "$cmd" "${ARGS[@]}" \
				--first $((first + 10)) --count 1 >/dev/null 2>>"$WORK/errors.log" || true
		else
			variant_args "$v"
			local extra=()
			mkdir -p "$WORK/res/$v.$idp"
			case $cmd in ADD) extra=(--out-dir "$WORK/res/$v.$idp") ;; CHECK | DEL) extra=(--prev-dir "$WORK/res/$v.$idp") ;; esac
			perf stat -x, -e task-clock,page-faults,context-switches -o "$WORK/perf/$v.$cmd" -- \
				"$CNIBENCH" --cmd "$cmd" "${ARGS[@]}" --id-prefix "$idp" --first "$first" --count 10 "${extra[@]}" \
				>/dev/null 2>>"$WORK/errors.log" || true
			strace -f -c -o "$WORK/perf/$v.$cmd.strace" -- \
				"$CNIBENCH" --cmd "$cmd" "${ARGS[@]}" --id-prefix "$idp" --first $((first + 10)) --count 1 "${extra[@]}" \
				>/dev/null 2>>"$WORK/errors.log" || true
		fi
		[[ $v == ref && $cmd == DEL ]] && drop_ref_bridges "$first" 11
		# bench/report.py reads perf/$v.$cmd and perf/$v.$cmd.strace
		printf '%s\t%s\n' "$v" "$cmd" >>"$WORK/profile.list"
	done
}

# ---- the VM -----------------------------------------------------------------

vm_run() {
	local vmbin=$WORK/vmbin vmout=$WORK/vm.out
	if ! command -v qemu-system-x86_64 >/dev/null || ! compgen -G '/boot/vmlinuz-6.1*' >/dev/null; then
		log "VM part skipped: no qemu-system-x86_64 or /boot/vmlinuz-6.1* (tests/deps.sh installs them)"
		echo "skipped: no qemu or no Debian 6.1 kernel" >"$WORK/vm.note"
		return 0
	fi
	mkdir -p "$vmbin" "$WORK/vm"
	cp "$CNIBENCH" "$FLOOR" "$vmbin/"
	sed "s/@PODS@/$VM_PODS/; s/@BATCH@/$BATCH/; s/@INFLIGHT@/$VM_INFLIGHT/; s/@QUIET@/$PROBE_QUIET/" \
		"$REPO/bench/vm-bench.sh" >"$WORK/vm/bench-vrf.sh"
	log "VM: krafty with VRF vs bridge + host-local + vrf, $VM_PODS pods, $VM_INFLIGHT DELs in flight (TCG)"
	BUILD=$BUILD/bench-vm VM_SCENARIO_TIMEOUT=${BENCH_VM_TIMEOUT:-480} \
		bash "$REPO/tests/vm/run.sh" --timeout $((${BENCH_VM_TIMEOUT:-480} + 60)) \
		--bin "$BIN=/opt/cni/bin" --bin "$REF=/usr/lib/cni" --bin "$vmbin=/opt/krafty/bench" \
		"$WORK/vm/bench-vrf.sh" >"$vmout" 2>&1 || true
	grep -E 'not ok|BENCHVM|# vm: kernel' "$vmout" >&2 || true
	sed -n 's/^# bench-vrf: BENCHVM //p' "$vmout" >"$WORK/vm.tsv"
	sed -n 's/^# bench-vrf: BENCHVMTP //p' "$vmout" >"$WORK/vm-tp.tsv"
	sed -n 's/^# bench-vrf: BENCHVMSTALL //p' "$vmout" >"$WORK/vm-stall.tsv"
	grep -E '^# vm: kernel' "$vmout" | sed 's/^# vm: //' >"$WORK/vm.note" || true
}

# ---- the run ------------------------------------------------------------------

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
DEVS_START=$(ip -o link show | wc -l)
log "tag $TAG, work dir $WORK; load $LOAD_START; $DEVS_START devices on the node"
log "creating network namespaces"
for p in k r s; do
	mk_netns "$TAG$p" 0 "$maxlvl"
	mk_netns "$TAG$p" "$SAMPLE_BASE" "$SAMPLES"
	mk_netns "$TAG$p" "$TP_BASE" "$TP_CALLS"
	mk_netns "$TAG$p" "$PROF_BASE" 11
done
for p in k q s; do mk_netns "$TAG$p" "$STALL_BASE" "$STALL_CALLS"; done
mk_netns "${TAG}z" "$SAMPLE_BASE" "$SAMPLES"
mk_netns "${TAG}z" "$TP_BASE" "$TP_CALLS"
for p in f d e; do
	mk_netns "$TAG$p" "$SAMPLE_BASE" "$SAMPLES"
	mk_netns "$TAG$p" "$PROF_BASE" 11
done
echo "${TAG}probe" >>"$WORK/netns.list"
ip netns add "${TAG}probe"
for p in u v w; do
	mk_tuning_pods "$TAG$p" "$SAMPLE_BASE" "$SAMPLES"
	mk_tuning_pods "$TAG$p" "$TP_BASE" "$TP_CALLS"
	mk_tuning_pods "$TAG$p" "$PROF_BASE" 11
done

# settle: wait until the CPUs are quiet (busy below SETTLE_BUSY % over 2 s) or
# SETTLE_MAX seconds have passed; prints the seconds waited and the last busy %.
SETTLE_BUSY=${BENCH_SETTLE_BUSY:-20} SETTLE_MAX=${BENCH_SETTLE_MAX:-120}
cpu_busy() { # busy % of all CPUs over 2 s
	local a b
	read -ra a < <(head -1 /proc/stat)
	sleep 2
	read -ra b < <(head -1 /proc/stat)
	local idle=$((b[4] + b[5] - a[4] - a[5])) total=0 i
	for ((i = 1; i < ${#a[@]}; i++)); do total=$((total + b[i] - a[i])); done
	echo $((total > 0 ? 100 * (total - idle) / total : 0))
}
settle() {
	local start=$SECONDS busy
	busy=$(cpu_busy)
	while ((busy >= SETTLE_BUSY && SECONDS - start < SETTLE_MAX)); do busy=$(cpu_busy); done
	echo "$((SECONDS - start)) $busy"
}

: >"$WORK/levels.tsv"
li=0 LETTERS=abcdefghij
for lvl in "${LEVELS[@]}"; do
	grow "$lvl"
	read -r waited busy < <(settle)
	log "measuring at $lvl pods per chain ($SAMPLES samples per cell; settled ${waited}s, CPUs ${busy}% busy)"
	printf '%s\t%s\t%s\t%s\t%s\n' "$lvl" "$(ip -o link show | wc -l)" "$(cut -d' ' -f1 /proc/loadavg)" \
		"$waited" "$busy" >>"$WORK/levels.tsv"
	measure_solo "$lvl" "${LETTERS:li:1}"
	measure "$lvl" "${LETTERS:li:1}"
	li=$((li + 1))
	if [[ $lvl == "${LEVELS[0]}" ]]; then
		throughput
		log "stall probe: $STALL_CALLS DELs in flight, $STALL_ROUNDS rounds"
		stall
		if [[ $RUN_PROFILE == 1 ]]; then
			log "profile"
			profile
		fi
	fi
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
log "host part done; load $LOAD_END"
: >"$WORK/vm.tsv"
: >"$WORK/vm-tp.tsv"
: >"$WORK/vm-stall.tsv"
echo "not run (BENCH_VM=0)" >"$WORK/vm.note"
[[ $RUN_VM == 1 ]] && vm_run
T_END=$(date +%s)

log "writing the report"
# The run's settings and what it saw, as KEY<TAB>VALUE lines. bench/report.py
# collect adds them, the machine's description and every figure of $WORK to the
# data file; render makes the report and the plot from that file alone. Both
# can be run again on a work directory kept with BENCH_KEEP_WORK=1.
commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$REPO" diff --quiet HEAD -- lib plugins ipam 2>/dev/null || commit="$commit + uncommitted plugin changes"
{
	for v in LOAD_START LOAD_END DEVS_START SAMPLES BATCH TP_CALLS VM_PODS VM_INFLIGHT BIN REF \
		STALL_CALLS STALL_ROUNDS PROBE_QUIET GROWN_CHAINS; do
		printf '%s\t%s\n' "$v" "${!v}"
	done
	printf 'WALL\t%s\n' $((T_END - T_START))
	printf 'LEVELS\t%s\n' "${LEVELS[*]}"
	printf 'TP_INFLIGHT\t%s\n' "${TP_INFLIGHT[*]}"
	printf 'RUN_DATE\t%s\n' "$(date -u '+%F %H:%M UTC')"
	printf 'COMMIT\t%s\n' "$commit"
	printf 'SPARES_START\t%s\n' "$(wc -l <"$WORK/spares.start")"
} >"$WORK/meta"
/usr/bin/python3 "$REPO/bench/report.py" collect "$WORK" "$RESULTS/latest.json" >&2
/usr/bin/python3 "$REPO/bench/report.py" render "$RESULTS/latest.json" >&2
if [[ -s $WORK/errors.log ]]; then
	log "$(wc -l <"$WORK/errors.log") lines on stderr from plugins/drivers; first ones:"
	head -5 "$WORK/errors.log" >&2
fi
log "done: $RESULTS/latest.json, latest.md, latency-vs-pods.png"
