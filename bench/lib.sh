# shellcheck shell=bash
# Helpers shared by the small bench scripts (onecall.sh, inprocess.sh, abtest.sh).

# bench_remove PREFIX: krafty's devices of the networks whose name starts with
# PREFIX (by their alias) and the netns named PREFIX-*.
bench_remove() {
	local d ns
	for d in $(ip -j link show | jq -r --arg re "^krafty [0-9a-f]{16} $1" \
		'.[] | select((.ifalias // "") | test($re)) | .ifname'); do
		ip link del "$d" 2>/dev/null
	done
	for ns in $(ip netns list | awk -v p="$1-" 'index($1, p) == 1 {print $1}'); do
		ip netns del "$ns"
	done
}

# bench_trap_cleanup PREFIX WORKDIR: on exit (also on failure or ^C),
# bench_remove PREFIX and remove WORKDIR.
bench_trap_cleanup() {
	# shellcheck disable=SC2064 # the values are meant to be fixed now
	trap "set +e; bench_remove '$1'; rm -rf '$2'" EXIT
}

# bench_krafty_conf NETWORK DATADIR THIRD-OCTET: a krafty network ("vrf": false)
# on 10.245.<octet>.0/24, its addresses from host-local in DATADIR.
bench_krafty_conf() {
	jq -nc --arg n "$1" --arg d "$2" --arg s "10.245.$3" '{
		cniVersion: "1.0.0", name: $n, type: "krafty", vrf: false,
		subnet: "\($s).0/24", gateway: "\($s).1",
		ipam: {type: "host-local", dataDir: $d, ranges: [[{subnet: "\($s).0/24"}]],
		       routes: [{dst: "0.0.0.0/0"}]}}'
}
