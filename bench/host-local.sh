#!/usr/bin/env bash
# Benchmark: host-local ADD and DEL latency, ours against the reference
# (/usr/lib/cni/host-local), with N addresses already held in the network.
# Not run by the tests. Usage: bench/host-local.sh [calls] (default 200)
#
# Each binary is exec'd as a runtime does (fresh process, config on stdin). For each N,
# the network directory is filled with N address files in the reference's format, then
# `calls` times: ADD a new attachment (timed), DEL it (timed), so that N stays constant.
# One untimed ADD+DEL first lets our binary build its index (the one scan it does after
# someone else changed the directory); that first call is reported on its own. The two
# binaries take turns call by call, with an exec of /bin/true as the baseline.
set -euo pipefail
cd "$(dirname "$0")/.."

CALLS=${1:-200}
OURS=${BUILD:-build}/bin/host-local
REF=/usr/lib/cni/host-local
[[ -x $OURS ]] || { echo "build $OURS first (make $OURS)" >&2; exit 1; }
[[ -x $REF ]] || { echo "the reference $REF is missing (containernetworking-plugins)" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hl-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

conf() {
	printf '{"cniVersion":"1.0.0","name":"bench","type":"host-local","ipam":{"type":"host-local","subnet":"10.200.0.0/16","dataDir":"%s"}}' "$1"
}

# call BINARY COMMAND ID CONF -> prints the wall time in microseconds
call() {
	local t0 t1
	t0=${EPOCHREALTIME/./}
	CNI_COMMAND=$2 CNI_CONTAINERID=$3 CNI_NETNS=/run/netns/bench CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni \
		"$1" <<<"$4" >/dev/null || { echo "$2 $3 failed with $1" >&2; exit 1; }
	t1=${EPOCHREALTIME/./}
	echo $((t1 - t0))
}

# Fill <dir>/bench with n address files, as n earlier ADDs would have.
prefill() {
	local dir=$1/bench n=$2 i ip
	mkdir -p "$dir"
	for ((i = 0; i < n; i++)); do
		ip=10.200.$(((i + 2) / 256)).$(((i + 2) % 256))
		printf 'held%d\r\neth0' "$i" >"$dir/$ip"
	done
	printf '%s' "$ip" >"$dir/last_reserved_ip.0"
}

# percentile P FILE (values one per line, microseconds) -> milliseconds with 2 decimals
percentile() {
	sort -n "$2" | awk -v p="$1" '{ v[NR] = $1 } END { i = int((p * NR + 99) / 100); if (i < 1) i = 1; printf "%.2f", v[i] / 1000 }'
}

row() { # row N NAME PREFIX FIRST
	printf '| %5d | %-17s | %8s | %8s | %8s | %8s | %10s |\n' "$1" "$2" \
		"$(percentile 50 "$WORK/$3.add")" "$(percentile 99 "$WORK/$3.add")" \
		"$(percentile 50 "$WORK/$3.del")" "$(percentile 99 "$WORK/$3.del")" "$4"
}

# Ours and the reference take turns call by call, so that both see the same machine load;
# an exec of /bin/true is timed alongside as the floor every exec pays.
run_n() {
	local n=$1 k c_ours c_ref f_ours f_ref
	prefill "$WORK/ours-$n" "$n"
	prefill "$WORK/ref-$n" "$n"
	c_ours=$(conf "$WORK/ours-$n")
	c_ref=$(conf "$WORK/ref-$n")
	f_ours=$(call "$OURS" ADD warm "$c_ours")
	f_ref=$(call "$REF" ADD warm "$c_ref")
	call "$OURS" DEL warm "$c_ours" >/dev/null
	call "$REF" DEL warm "$c_ref" >/dev/null
	rm -f "$WORK"/*.add "$WORK"/*.del
	for ((k = 0; k < CALLS; k++)); do
		call "$OURS" ADD "b$k" "$c_ours" >>"$WORK/ours.add"
		call "$REF" ADD "b$k" "$c_ref" >>"$WORK/ref.add"
		call /bin/true x x x >>"$WORK/true.add"
		call "$OURS" DEL "b$k" "$c_ours" >>"$WORK/ours.del"
		call "$REF" DEL "b$k" "$c_ref" >>"$WORK/ref.del"
		call /bin/true x x x >>"$WORK/true.del"
	done
	for d in "$WORK/ours-$n" "$WORK/ref-$n"; do
		held=$(find "$d/bench" -maxdepth 1 -type f -name '10.*' | wc -l)
		[[ $held -eq $n ]] || { echo "$d: $held addresses held, want $n" >&2; exit 1; }
	done
	row "$n" ours ours "$(awk '{ printf "%.2f", $1 / 1000 }' <<<"$f_ours")"
	row "$n" reference ref "$(awk '{ printf "%.2f", $1 / 1000 }' <<<"$f_ref")"
	row "$n" "exec of /bin/true" true ""
}

echo "host-local, $CALLS ADD+DEL pairs per row, $(nproc) CPUs, kernel $(uname -r), $(df -T "$WORK" | awk 'NR == 2 { print $2 }') under $WORK"
echo
echo "| held  | binary            | ADD p50  | ADD p99  | DEL p50  | DEL p99  | first call |"
echo "|------:|-------------------|---------:|---------:|---------:|---------:|-----------:|"
for n in 10 1000; do
	run_n "$n"
done
echo
echo "Times in milliseconds, wall clock per exec, load average $(cut -d' ' -f1-3 /proc/loadavg)."
echo "\"first call\": the untimed warm-up ADD on the prefilled directory (for ours it includes"
echo "building the index by one scan). The /bin/true row is the cost of an exec on this machine."
