#!/usr/bin/env bats
# A table of bad input for every plugin: malformed configs, env values, netns
# paths, names and sysctl keys. Each must give a spec error JSON with the right
# code, a non-zero exit, no death by signal, and no change on the node: no
# device, no route, no address, no IPAM file, no tuning state, nothing in the pod.

load helpers

setup() {
	T=bi${BATS_TEST_NUMBER}p$$
	DATA=$(mktemp -d /tmp/bad-input-ipam.XXXXXX)
	STATE=$(mktemp -d /tmp/bad-input-state.XXXXXX)
	POD=$(netns_make "$T")
	ip -n "$T" link add eth0 type veth peer name peer0
	ip -n "$T" addr add 10.196.0.2/24 dev eth0
	ip -n "$T" link set eth0 up
	NOTNS=$(mktemp /tmp/bad-input-notns.XXXXXX)
	export CNI_PATH=$BIN CNI_CONTAINERID=badinput$$ CNI_IFNAME=net1 CNI_NETNS=$POD
}

teardown() {
	netns_cleanup "$T"
	rm -rf "$DATA" "$STATE" "$NOTNS"
}

# What a call could have changed: host devices and main-table routes of the
# test's subnets, the pod's links/addresses/routes, the dataDir and state dir.
snapshot() {
	{
		ip -br link show 2>/dev/null | awk '{print $1}' | grep -E '^(krv|krb|veth)badinput' || true
		ip route show table all 2>/dev/null | grep -E '10\.19[56]\.' || true
		ip -n "$T" -br link show
		ip -n "$T" -br addr show
		ip -n "$T" route show table all
		ip netns exec "$T" sysctl -n net.ipv4.conf.eth0.arp_filter net.ipv4.conf.eth0.rp_filter
		find "$DATA" "$STATE" | sort
	} 2>&1
}

# expect CODE PLUGIN COMMAND CONFIG [VAR=VALUE...]: run, check the error, check no change.
expect() {
	local code=$1 plugin=$2 cmd=$3 conf=$4 before after
	shift 4
	before=$(snapshot)
	cni_exec "$plugin" "$cmd" "$conf" "$@"
	assert_cni_error "$code" || { echo "case: $plugin $cmd $* $conf" >&2; return 1; }
	after=$(snapshot)
	if [[ $before != "$after" ]]; then
		echo "case changed the node: $plugin $cmd $* $conf" >&2
		diff <(echo "$before") <(echo "$after") >&2
		return 1
	fi
}

krafty_conf() {
	jq -nc --arg d "$DATA" '{cniVersion: "1.0.0", name: "badnet", type: "krafty", vrf: false,
		subnet: "10.195.0.0/24", gateway: "10.195.0.1",
		ipam: {type: "host-local", dataDir: $d, ranges: [[{subnet: "10.195.0.0/24"}]]}}' | jq -c "$1"
}

tuning_conf() {
	jq -nc --arg d "$STATE" --arg ns "$POD" '{cniVersion: "1.0.0", name: "badnet", type: "tuning-lite",
		dataDir: $d,
		prevResult: {cniVersion: "1.0.0", interfaces: [{name: "eth0", sandbox: $ns}],
			ips: [{address: "10.196.0.2/24", interface: 0}]}}' | jq -c "$1"
}

@test "krafty: bad configs are refused with code 7 and change nothing" {
	expect 7 krafty ADD "$(krafty_conf 'del(.subnet)')"
	expect 7 krafty ADD "$(krafty_conf 'del(.gateway)')"
	expect 7 krafty ADD "$(krafty_conf '.subnet = "10.195.0.0/33"')"
	expect 7 krafty ADD "$(krafty_conf '.subnet = "banana"')"
	expect 7 krafty ADD "$(krafty_conf '.gateway = "10.9.9.1"')"
	expect 7 krafty ADD "$(krafty_conf '.gateway = "fd00::1"')"
	expect 7 krafty ADD "$(krafty_conf '.podIP = "10.195.0.5"')"
	expect 7 krafty ADD "$(krafty_conf 'del(.ipam)')"
	expect 7 krafty ADD "$(krafty_conf 'del(.ipam) | .podIP = "10.9.9.9"')"
	expect 7 krafty ADD "$(krafty_conf 'del(.ipam) | .podIP = "10.195.0.1"')"
	expect 7 krafty ADD "$(krafty_conf 'del(.ipam) | .podIP = "not-an-ip"')"
	expect 7 krafty ADD "$(krafty_conf '.ipam.type = "no-such-ipam"')"
	expect 7 krafty ADD "$(krafty_conf '.ipam.type = "../../bin/sh"')"
	expect 7 krafty ADD "$(krafty_conf '.vrf = "yes"')"
	expect 7 krafty ADD "$(krafty_conf '.vrfTable = "main"')"
	expect 7 krafty ADD "$(krafty_conf '.vrfTable = 254')"
	expect 7 krafty ADD "$(krafty_conf '.vrfTable = -1')"
	expect 7 krafty ADD "$(krafty_conf '.mtu = 10')"
	expect 7 krafty ADD "$(krafty_conf '.mtu = 1e9')"
}

@test "krafty: bad environment and netns are refused with code 4 and change nothing" {
	expect 4 krafty ADD "$(krafty_conf .)" CNI_NETNS=/run/netns/does-not-exist-$$
	expect 4 krafty ADD "$(krafty_conf .)" CNI_NETNS="$NOTNS"
	expect 4 krafty ADD "$(krafty_conf .)" CNI_NETNS=/proc/self/ns/mnt
	expect 4 krafty ADD "$(krafty_conf .)" CNI_IFNAME=this-name-is-too-long
	expect 4 krafty ADD "$(krafty_conf .)" CNI_IFNAME=../x
	expect 4 krafty ADD "$(krafty_conf .)" CNI_CONTAINERID='bad id'
	expect 4 krafty ADD "$(krafty_conf .)" CNI_ARGS='IgnoreUnknown=1;broken'
	expect 4 krafty ADD "$(krafty_conf .)" CNI_PATH=
}

@test "krafty: a network name that is not a file name is refused" {
	expect 7 krafty ADD "$(krafty_conf '.name = "../etc"')"
	expect 7 krafty ADD "$(krafty_conf '.name = "a/b"')"
	expect 7 krafty ADD "$(krafty_conf '.name = ""')"
}

@test "host-local: bad ranges, names and requests are refused and write nothing" {
	hl() { jq -nc --arg d "$DATA" '{cniVersion: "1.0.0", name: "badnet", type: "host-local",
		ipam: {type: "host-local", dataDir: $d, ranges: [[{subnet: "10.195.0.0/24"}]]}}' | jq -c "$1"; }
	expect 7 host-local ADD "$(hl '.ipam.ranges = [[{}]]')"
	expect 7 host-local ADD "$(hl '.ipam.ranges = [[{subnet: "10.195.0.0/99"}]]')"
	expect 7 host-local ADD "$(hl '.ipam.ranges[0][0].rangeStart = "10.9.0.1"')"
	expect 7 host-local ADD "$(hl '.ipam.ranges[0][0] += {rangeStart: "10.195.0.50", rangeEnd: "10.195.0.10"}')"
	expect 7 host-local ADD "$(hl '.ipam.ranges = "x"')"
	expect 7 host-local ADD "$(hl '.name = "../escape"')"
	expect 4 host-local ADD "$(hl .)" CNI_ARGS='IP=10.9.9.9'
	expect 4 host-local ADD "$(hl .)" CNI_ARGS='IP=nonsense'
}

@test "tuning-lite: refused sysctl keys and values, MAC and MTU, with code 7 and no change" {
	expect 7 tuning-lite ADD "$(tuning_conf '.sysctl = {"kernel.panic": "1"}')" CNI_IFNAME=eth0
	expect 7 tuning-lite ADD "$(tuning_conf '.sysctl = {"net.ipv4.conf.lo.arp_filter": "1"}')" CNI_IFNAME=eth0
	expect 7 tuning-lite ADD "$(tuning_conf '.sysctl = {"net.ipv4.conf.eth0..arp_filter": "1"}')" CNI_IFNAME=eth0
	expect 7 tuning-lite ADD "$(tuning_conf '.sysctl = {"net.ipv4.conf.eth0/../x": "1"}')" CNI_IFNAME=eth0
	expect 7 tuning-lite ADD "$(tuning_conf '.sysctl = {"net..ipv4": "1"}')" CNI_IFNAME=eth0
	expect 7 tuning-lite ADD "$(tuning_conf '.sysctl = {"net.ipv4.conf.eth0.arp_filter": "1\n2"}')" CNI_IFNAME=eth0
	expect 7 tuning-lite ADD '{"cniVersion":"1.0.0","name":"badnet","type":"tuning-lite","dataDir":"'"$STATE"'","sysctl":{"net.ipv4.conf.eth0.arp_filter":"1","net.ipv4.conf.eth0.arp_filter":"0"},"prevResult":{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"'"$POD"'"}]}}' CNI_IFNAME=eth0
	expect 7 tuning-lite ADD "$(tuning_conf '.sysctl = {"net.ipv4.conf.eth0.arp_filter": "1", "kernel.x": "1"}')" CNI_IFNAME=eth0
	expect 7 tuning-lite ADD "$(tuning_conf '.mac = "01:00:5e:00:00:01"')" CNI_IFNAME=eth0
	expect 7 tuning-lite ADD "$(tuning_conf '.mac = "zz:00:00:00:00:01"')" CNI_IFNAME=eth0
	expect 7 tuning-lite ADD "$(tuning_conf '.mtu = 70000')" CNI_IFNAME=eth0
	expect 7 tuning-lite ADD "$(tuning_conf '.mtu = 10')" CNI_IFNAME=eth0
	expect 7 tuning-lite ADD "$(tuning_conf '.txQLen = -1')" CNI_IFNAME=eth0
}

@test "passthru and tuning-lite: a missing interface or netns is an error, not a crash" {
	run env CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS="$POD" CNI_IFNAME=nope0 CNI_PATH="$BIN" \
		"$BIN/passthru" <<<'{"cniVersion":"1.0.0","name":"badnet","type":"passthru"}'
	[ "$status" -ne 0 ] && [ "$status" -lt 128 ]
	[ "$(jq -r .code <<<"$output")" -ge 100 ]
	expect 4 passthru ADD '{"cniVersion":"1.0.0","name":"badnet","type":"passthru"}' \
		CNI_IFNAME=eth0 CNI_NETNS=/run/netns/does-not-exist-$$
	expect 4 tuning-lite ADD "$(tuning_conf .)" CNI_IFNAME=eth0 CNI_NETNS=/run/netns/does-not-exist-$$
}
