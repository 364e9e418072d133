# shellcheck shell=bash
# Helpers shared by the small bench scripts (onecall.sh, inprocess.sh, abtest.sh);
# tests/run.sh uses the spare-pool pair too.

# krafty_spares: how many spare bridges (krsbNN) krafty's node-wide pool holds.
krafty_spares() { ip -o link show 2>/dev/null | grep -cE '^[0-9]+: krsb[0-9]+[:@]' || true; }

# krafty_spares_trim N BINDIR: the pool back to N spares when it holds more (a
# script's DELs park bridges there): GC, with BINDIR's krafty, of a network with
# no attachment and "spares": N keeps the slots below N. Root only; quiet.
krafty_spares_trim() {
	(($(id -u) == 0 && $(krafty_spares) > $1)) || return 0
	jq -nc --argjson n "$1" '{cniVersion: "1.1.0", name: "krafty-spares-trim", type: "krafty",
		vrf: false, subnet: "10.199.0.0/24", gateway: "10.199.0.1", podIP: "10.199.0.2/24",
		spares: ([$n, 99] | min), "cni.dev/valid-attachments": []}' |
		CNI_COMMAND=GC CNI_PATH=$2 "$2/krafty" >/dev/null ||
		echo "note: krafty GC could not trim the spare bridges left behind" >&2
}

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

# bench_trap_cleanup PREFIX WORKDIR BINDIR: on exit (also on failure or ^C),
# bench_remove PREFIX, remove WORKDIR and trim krafty's spare pool back to
# what it holds now.
bench_trap_cleanup() {
	# shellcheck disable=SC2064 # the values are meant to be fixed now
	trap "set +e; bench_remove '$1'; rm -rf '$2'; krafty_spares_trim $(krafty_spares) '$3'" EXIT
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
