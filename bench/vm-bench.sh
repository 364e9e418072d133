#!/bin/sh
# The VM part of bench/run.sh (a template: run.sh fills in the pod count, the
# batch size, the DELs in flight and the quiet probe rounds, and hands it to
# tests/vm/run.sh as the scenario "bench-vrf"). In a VRF-capable kernel under
# TCG, exec'd by cnibench, the variants taking turns per batch (the order
# reverses every batch):
#   krafty    krafty with a VRF per pod (our host-local), default spares
#   kr0       the same with "spares": 0 (DEL deletes bridge and VRF: before spares)
#   ref       bridge + host-local + vrf, one bridge per pod (the vrf plugin's
#             VRF in the pod)
#   refs      bridge + host-local + vrf, one shared bridge
#   floor, floorb, floorp   bench/floor.c with --vrf-table: the same kernel
#             work in one process; DEL one request per device, in one request
#             (device group), or as krafty does with spares (veth deleted,
#             bridge and VRF parked)
#   true      exec of /bin/true
# Phase 1: ADD, CHECK, DEL per pod, PODS pods. Phase 2, for krafty and refs:
# ADD INFLIGHT pods (untimed), probe the quiet VM, DEL them all at once with
# the probe running beside (bench/floor --cmd PROBE: `ip link add` of a veth
# and its deletion in a netns of its own); then INFLIGHT*4 execs of /bin/true
# at once beside the probe. Prints:
#   # BENCHVM <variant> <cmd> <n> <p50 ms> <p99 ms> <failed calls>
#   # BENCHVMTP <variant> <cmd> <in flight> <calls> <calls/s> <p50 ms> <failed calls>
#   # BENCHVMSTALL <phase> <metric> <n> <p50 ms> <p99 ms>
# shellcheck source=../tests/vm/lib.sh
. /vm/lib.sh

PODS=@PODS@
BATCH=@BATCH@
INFLIGHT=@INFLIGHT@
QUIET=@QUIET@
TPBASE=1000
B=/opt/krafty/bench
S=/tmp/samples
F=/tmp/failures
P=/tmp/stall
mkdir -p "$S" "$F" "$P" /tmp/res-krafty /tmp/res-kr0 /tmp/res-ref /tmp/res-refs /tmp/floor /tmp/floorb /tmp/floorp

ipam() { # SUBNET-PREFIX DIR
	printf '"ipam":{"type":"host-local","dataDir":"%s","ranges":[[{"subnet":"%s.0.0/16","gateway":"%s.0.1"}]],"routes":[{"dst":"0.0.0.0/0"}]}' \
		"$2" "$1" "$1"
}
printf '{"cniVersion":"1.0.0","name":"vmbench","type":"krafty","subnet":"10.60.0.0/16","gateway":"10.60.0.1","vrfTable":4100,%s}' \
	"$(ipam 10.60 /tmp/ipam-kr)" >/tmp/kr.json
printf '{"cniVersion":"1.0.0","name":"vmbench0","type":"krafty","subnet":"10.63.0.0/16","gateway":"10.63.0.1","vrfTable":4101,"spares":0,%s}' \
	"$(ipam 10.63 /tmp/ipam-kr0)" >/tmp/kr0.json
printf '{"cniVersion":"1.0.0","name":"vmref","plugins":[{"type":"bridge","bridge":"rb@I@","isGateway":true,"ipMasq":false,%s},{"type":"vrf","vrfname":"rv","table":4200}]}' \
	"$(ipam 10.61 /tmp/ipam-ref)" >/tmp/ref.json
printf '{"cniVersion":"1.0.0","name":"vmrefs","plugins":[{"type":"bridge","bridge":"rbs","isGateway":true,"ipMasq":false,%s},{"type":"vrf","vrfname":"rv","table":4201}]}' \
	"$(ipam 10.64 /tmp/ipam-refs)" >/tmp/refs.json
printf '{}' >/tmp/empty.json

: >/tmp/ns.batch
i=0
while [ "$i" -lt "$PODS" ]; do
	for l in k r s z f d e; do echo "netns add $l$i" >>/tmp/ns.batch; done
	i=$((i + 1))
done
i=$TPBASE
while [ "$i" -lt $((TPBASE + INFLIGHT)) ]; do
	printf 'netns add k%s\nnetns add s%s\n' "$i" "$i" >>/tmp/ns.batch
	i=$((i + 1))
done
echo "netns add probe" >>/tmp/ns.batch
check "$PODS pods x 7 netns, $INFLIGHT x 2 more and the probe's" "$IP" -batch /tmp/ns.batch || finish

# tally VARIANT CMD JSON: add the run's failed calls to $F/<variant>.<cmd>.
tally() {
	_n=$(printf '%s' "$3" | sed -n 's/.*"failures":\([0-9]*\).*/\1/p')
	[ -n "$_n" ] || _n=$BATCH
	echo "$_n" >>"$F/$1.$2"
	[ "$_n" -eq 0 ] || fails=$((fails + 1))
}

# cni VARIANT CMD FIRST COUNT INFLIGHT SAMPLES: one cnibench run; prints its summary.
cni() {
	case $1 in
	krafty) set -- "$@" --conf /tmp/kr.json --plugin "$KRAFTY_BIN/krafty" --cni-path "$KRAFTY_BIN" --netns /run/netns/k%d --id-prefix vmk ;;
	kr0) set -- "$@" --conf /tmp/kr0.json --plugin "$KRAFTY_BIN/krafty" --cni-path "$KRAFTY_BIN" --netns /run/netns/z%d --id-prefix vmz ;;
	ref) set -- "$@" --conf /tmp/ref.json --plugin "$REF_BIN/bridge" --plugin "$REF_BIN/vrf" --cni-path "$REF_BIN" --token @I@ --netns /run/netns/r%d --id-prefix vmr ;;
	refs) set -- "$@" --conf /tmp/refs.json --plugin "$REF_BIN/bridge" --plugin "$REF_BIN/vrf" --cni-path "$REF_BIN" --netns /run/netns/s%d --id-prefix vms ;;
	esac
	_v=$1 _c=$2 _first=$3 _count=$4 _k=$5 _s=$6
	shift 6
	if [ "$_c" = ADD ]; then set -- "$@" --out-dir "/tmp/res-$_v"; else set -- "$@" --prev-dir "/tmp/res-$_v"; fi
	[ "$_s" = - ] || set -- "$@" --samples "$_s"
	"$B/cnibench" --cmd "$_c" --first "$_first" --count "$_count" --inflight "$_k" --verbose "$@" 2>>/tmp/errors
}
run() { # VARIANT CMD FIRST: one timed batch
	tally "$1" "$2" "$(cni "$1" "$2" "$3" "$BATCH" 1 "$S/$1.$2")"
}
floor() { # VARIANT CMD FIRST [untimed]
	case $1 in
	floor) set -- "$@" --mode plain --id-prefix x --netns /run/netns/f%d --subnet 10.62.0.0/16 --vrf-table 4300 ;;
	floorb) set -- "$@" --mode group --group-base 500000 --id-prefix y --netns /run/netns/d%d --subnet 10.65.0.0/16 --vrf-table 4301 ;;
	floorp) set -- "$@" --mode spares --id-prefix z --netns /run/netns/e%d --subnet 10.66.0.0/16 --vrf-table 4302 ;;
	esac
	_v=$1 _c=$2 _first=$3
	shift 3
	if [ "${1:-}" = untimed ]; then shift; else set -- "$@" --samples "$S/$_v.$_c"; fi
	tally "$_v" "$_c" "$("$B/floor" --cmd "$_c" --first "$_first" --count "$BATCH" \
		--data "/tmp/$_v" "$@" 2>>/tmp/errors)"
}
true_exec() {
	tally true "$1" "$("$B/cnibench" --cmd VERSION --conf /tmp/empty.json --plugin /bin/true \
		--count "$BATCH" --samples "$S/true.$1" 2>>/tmp/errors)"
}

fails=0
first=0
round=0
while [ "$first" -lt "$PODS" ]; do
	if [ $((round % 2)) -eq 0 ]; then order="krafty ref refs kr0"; else order="kr0 refs ref krafty"; fi
	for cmd in ADD CHECK DEL; do
		for v in $order; do
			[ "$v" = kr0 ] && [ "$cmd" = CHECK ] && continue
			run "$v" "$cmd" "$first"
		done
		floor floor "$cmd" "$first"
		case $cmd in
		ADD) floor floorb ADD "$first" untimed && floor floorp ADD "$first" ;;
		DEL) floor floorb DEL "$first" && floor floorp DEL "$first" ;;
		esac
		[ "$cmd" = CHECK ] || true_exec "$cmd"
	done
	first=$((first + BATCH))
	round=$((round + 1))
done
if [ "$fails" -eq 0 ]; then ok "every batch ran without a failure"; else not_ok "every batch ran without a failure" "$fails batches failed"; fi

# tp VARIANT CMD JSON: the summary of a run with INFLIGHT calls in flight.
tp() {
	_t=$(printf '%s' "$3" | sed -n 's/.*"throughput":\([0-9.]*\).*/\1/p')
	_p=$(printf '%s' "$3" | sed -n 's/.*"p50_ms":\([0-9.]*\).*/\1/p')
	_n=$(printf '%s' "$3" | sed -n 's/.*"failures":\([0-9]*\).*/\1/p')
	echo "# BENCHVMTP $1 $2 $INFLIGHT $INFLIGHT ${_t:-0} ${_p:-0} ${_n:-$INFLIGHT}"
}
probe() { # PHASE [ROUNDS]
	if [ -n "${2:-}" ]; then
		"$B/floor" --cmd PROBE --netns /run/netns/probe --ip "$IP" --gap-ms 2 --rt --samples "$P/$1" --count "$2" >/dev/null 2>>/tmp/errors
	else
		"$B/floor" --cmd PROBE --netns /run/netns/probe --ip "$IP" --gap-ms 2 --rt --samples "$P/$1" --count 0 --max-ms 400000 >/dev/null 2>>/tmp/errors &
		probe_pid=$!
	fi
}
probe_stop() {
	kill -TERM "$probe_pid" 2>/dev/null
	wait "$probe_pid"
}
spares() { "$IP" -o link show | grep -cE '^[0-9]+: krs[bv]'; }

for v in krafty refs; do
	tally "$v" setup "$(cni "$v" ADD "$TPBASE" "$INFLIGHT" 4 -)"
	probe quiet "$QUIET"
	before=$(spares)
	probe "$v"
	out=$(cni "$v" DEL "$TPBASE" "$INFLIGHT" "$INFLIGHT" -)
	probe_stop
	tp "$v" DEL "$out"
	diag "$v: krafty spares (bridges and VRFs) on the node before the DELs: $before, after: $(spares)"
done
probe quiet "$QUIET"
probe true
out=$("$B/cnibench" --cmd VERSION --conf /tmp/empty.json --plugin /bin/true --count $((4 * INFLIGHT)) \
	--inflight "$INFLIGHT" 2>>/tmp/errors)
probe_stop
[ -s /tmp/errors ] && diag "$(head -c 600 /tmp/errors)"

# p50 and p99 (nearest rank) of each sample file.
quantiles() { # FILE: "<n> <p50> <p99>"
	sort -n "$1" | awk '{ x[NR] = $1 }
		END { if (!NR) exit; a = int(NR * 0.5); if (a < NR * 0.5) a++; b = int(NR * 0.99); if (b < NR * 0.99) b++;
		      printf "%d %.3f %.3f\n", NR, x[a], x[b] }'
}
for f in "$S"/*; do
	v=${f##*/}
	nf=$(awk '{ n += $1 } END { print n + 0 }' "$F/$v" 2>/dev/null)
	q=$(quantiles "$f")
	[ -n "$q" ] && echo "# BENCHVM ${v%%.*} ${v#*.} $q ${nf:-0}"
done
for f in "$P"/*; do
	v=${f##*/}
	q=$(quantiles "$f")
	[ -n "$q" ] && echo "# BENCHVMSTALL ${v%%.*} ${v#*.} $q"
done
check_nomatch "no krafty device left" '^[0-9]+: (krv|krb|veth)vm[kz]' "$IP" -o link show
finish
