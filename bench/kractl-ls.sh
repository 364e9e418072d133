#!/usr/bin/env bash
# kractl ls on a node with N krafty-like attachments (default 1000): per
# attachment a bridge and a veth pair carrying krafty's alias and a host route
# (proto 75) via the bridge, made with one `ip -batch`; then the time of
# `kractl ls` and `kractl ls --json` (best of 5). Root; names kgb*, network
# kg-bench, routes in 10.254.0.0/16; everything is removed at the end.
#   BUILD=build bash bench/kractl-ls.sh [N]
set -euo pipefail
N=${1:-1000}
KRACTL=${BUILD:-build}/sbin/kractl
NET=kg-bench
batch=$(mktemp)
undo=$(mktemp)
trap 'ip -force -batch "$undo" 2>/dev/null || true; rm -f "$batch" "$undo"' EXIT
for ((i = 0; i < N; i++)); do
	h=$(printf '%016x' $((0x6b67000000000000 + i)))
	id=kgb$i
	a="krafty $h $NET/net1/$id"
	cat >>"$batch" <<-B
	link add krbkgb$i type bridge
	link set krbkgb$i alias "$a" up
	link add vethkgb$i type veth peer name kgbp$i
	link set vethkgb$i alias "$a" master krbkgb$i up
	route add 10.254.$((i / 250)).$((i % 250 + 1))/32 dev krbkgb$i proto 75
	B
	echo "link del krbkgb$i" >>"$undo"
	echo "link del vethkgb$i" >>"$undo"
done
t0=$(date +%s.%N)
ip -batch "$batch"
t1=$(date +%s.%N)
echo "made $N attachments ($((N * 3)) links, $N routes) in $(echo "$t1 - $t0" | bc) s"
# The fastest of 5 runs, in microseconds.
best() {
	local b=0 t s
	for _ in 1 2 3 4 5; do
		s=$(date +%s%N)
		"$@" >/dev/null
		t=$((($(date +%s%N) - s) / 1000))
		((b == 0 || t < b)) && b=$t
	done
	echo "$b"
}
rows=$("$KRACTL" ls --network "$NET" -C /nonexistent -D /nonexistent | tail -n +2 | wc -l)
echo "kractl ls lists $rows attachment(s) of $NET"
echo "kractl ls:        $(best "$KRACTL" ls -C /nonexistent -D /nonexistent) us (best of 5)"
echo "kractl ls --json: $(best "$KRACTL" ls --json -C /nonexistent -D /nonexistent) us (best of 5)"
