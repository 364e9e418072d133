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
	# Node-side names of this test: an interface a plugin must never touch.
	NODEIF=bin$$
	LOOPDIR=$(mktemp -d /tmp/bad-input-bin.XXXXXX)
	RUN_WITH=cni_exec
	export CNI_PATH=$BIN CNI_CONTAINERID=badinput$$ CNI_IFNAME=net1 CNI_NETNS=$POD
}

teardown() {
	local d
	netns_cleanup "$T"
	ip link del "$NODEIF" 2>/dev/null || true
	# What a plugin that failed a case made on the node: krafty's devices name the container.
	for d in $(ip -j link show 2>/dev/null | jq -r --arg id "/$CNI_CONTAINERID" \
		'.[] | select((.ifalias // "") | endswith($id)) | .ifname'); do
		ip link del "$d" 2>/dev/null || true
	done
	rm -rf "$DATA" "$STATE" "$NOTNS" "$LOOPDIR"
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
		ip netns exec "$T" sysctl -n net.ipv4.conf.eth0.arp_filter net.ipv4.conf.eth0.rp_filter \
			net.ipv4.conf.lo.arp_filter net.ipv4.conf.lo.rp_filter
		find "$DATA" "$STATE" | sort
		# The node: an interface of this test's name, its MTU and sysctls; a route via the
		# test's subnets (above) or a default route through them.
		ip -o link show 2>/dev/null | grep -oE "^[0-9]+: $NODEIF[^ ]* .* mtu [0-9]+" || true
		sysctl -n "net.ipv4.conf.$NODEIF.arp_filter" "net.ipv4.conf.$NODEIF.rp_filter" 2>/dev/null || true
		ip route show default 2>/dev/null
	} 2>&1
}

# Plugins run in a PID namespace of their own, under a time and a memory limit: the code
# these cases were written against looped, blocked or grew without end on them, and must
# not take the machine with it. Everything in the namespace dies with its first process.
# /proc is the namespace's own (LeakSanitizer reads /proc/<pid>): /proc/1 is the
# namespace's first process, which runs in the node's network namespace.
guarded_exec() {
	local plugin=$1 cmd=$2 conf=$3 limits=()
	shift 3
	# ASan reserves terabytes of address space: no address-space limit under it.
	[[ ${SAN:-} == 1 ]] || limits=(prlimit --as=$((2 << 30)))
	run env CNI_COMMAND="$cmd" CNI_CONTAINERID="${CNI_CONTAINERID:-}" CNI_NETNS="${CNI_NETNS:-}" \
		CNI_IFNAME="${CNI_IFNAME:-}" CNI_ARGS="${CNI_ARGS:-}" CNI_PATH="${CNI_PATH:-$BIN}" "$@" \
		unshare --pid --fork --kill-child --mount-proc "${limits[@]}" timeout 20 "$BIN/$plugin" <<<"$conf"
}

# expect CODE PLUGIN COMMAND CONFIG [VAR=VALUE...]: run, check the error, check no change.
expect() {
	local code=$1 plugin=$2 cmd=$3 conf=$4 before after
	shift 4
	before=$(snapshot)
	"$RUN_WITH" "$plugin" "$cmd" "$conf" "$@"
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

# ---- hardening: configs written by someone who means harm (issue 13) ----------------

@test "delegation loops: krafty as its own IPAM, under any name or through a wrapper, is code 7" {
	RUN_WITH=guarded_exec
	cp "$BIN/krafty" "$LOOPDIR/kcopy"
	ln -s "$BIN/krafty" "$LOOPDIR/klink"
	printf '#!/bin/sh\nexec %s "$@"\n' "$BIN/krafty" >"$LOOPDIR/kwrap"
	chmod +x "$LOOPDIR/kwrap"
	expect 7 krafty ADD "$(krafty_conf '.ipam.type = "krafty"')"
	[[ $output == *"names this plugin itself"* ]]
	for t in kcopy klink kwrap; do
		expect 7 krafty ADD "$(krafty_conf ".ipam.type = \"$t\"")" CNI_PATH="$LOOPDIR:$BIN"
	done
	# The wrapper is another binary each time: the depth limit stops it.
	[[ $output == *"CNI_KRAFTY_DEPTH"* ]]
	expect 7 krafty DEL "$(krafty_conf '.ipam.type = "krafty"')"
	# A runtime that starts krafty deeper than the limit gets no delegation at all.
	expect 7 krafty ADD "$(krafty_conf .)" CNI_KRAFTY_DEPTH=4
	[ -z "$(pgrep -f "$LOOPDIR" || true)" ]
}

@test "host-local: resolvConf must name a regular file, not a link, device, FIFO or directory" {
	RUN_WITH=guarded_exec
	hl() { jq -nc --arg d "$DATA" --arg r "$1" '{cniVersion: "1.0.0", name: "badnet", type: "host-local",
		ipam: {type: "host-local", dataDir: $d, resolvConf: $r, ranges: [[{subnet: "10.195.0.0/24"}]]}}'; }
	printf 'nameserver 10.195.0.53\n' >"$LOOPDIR/resolv.conf"
	mkfifo "$LOOPDIR/fifo"
	ln -s "$LOOPDIR/resolv.conf" "$LOOPDIR/link"
	ln -s "$LOOPDIR" "$LOOPDIR/dirlink"
	head -c 70000 /dev/zero | tr '\0' '#' >"$LOOPDIR/big"
	for f in /dev/zero /dev/urandom "$LOOPDIR/fifo" "$LOOPDIR/link" "$LOOPDIR/dirlink/resolv.conf" \
		"$LOOPDIR" "$LOOPDIR/big" /proc/kmsg /sys/kernel/notes resolv.conf; do
		expect 7 host-local ADD "$(hl "$f")"
	done
	expect 5 host-local ADD "$(hl "$LOOPDIR/none")"
	# The file itself is fine.
	cni_exec host-local ADD "$(hl "$LOOPDIR/resolv.conf")"
	[ "$status" -eq 0 ]
	[ "$(jq -c .dns <<<"$output")" = '{"nameservers":["10.195.0.53"]}' ]
}

@test "one JSON: a key twice (in any case) or a NUL in a string is refused by every plugin" {
	local dup_name='{"cniVersion":"1.0.0","name":"badnet","Name":"other","type":"passthru"}'
	expect 7 passthru ADD "$dup_name" CNI_IFNAME=eth0
	expect 7 passthru ADD '{"cniVersion":"1.0.0","name":"bad\u0000net","type":"passthru"}' CNI_IFNAME=eth0
	expect 6 passthru ADD '{"cniVersion":"1.0.0","name":"badnet","type":"passthru"} {"x":1}' CNI_IFNAME=eth0
	hl='{"cniVersion":"1.0.0","name":"badnet","type":"host-local","ipam":{"type":"host-local",'
	expect 7 host-local ADD "$hl\"dataDir\":\"$DATA\",\"dataDir\":\"/tmp\",\"ranges\":[[{\"subnet\":\"10.195.0.0/24\"}]]}}"
	expect 7 host-local ADD "$hl\"dataDir\":\"$DATA\",\"ranges\":[[{\"subnet\":\"10.195.0.0/24\",\"Subnet\":\"10.196.0.0/24\"}]]}}"
	expect 7 host-local ADD "$hl\"dataDir\":\"$DATA\\u0000/x\",\"ranges\":[[{\"subnet\":\"10.195.0.0/24\"}]]}}"
	expect 7 krafty ADD "$(krafty_conf . | sed 's/"subnet":/"subnet":"10.9.9.0\/24","SUBNET":/')"
	expect 7 krafty ADD "$(krafty_conf . | sed 's/"type":"host-local"/"type":"host-local","TYPE":"x"/')"
	expect 7 krafty ADD "$(krafty_conf . | sed 's/"name":"badnet"/"name":"badnet\\u0000x"/')"
	expect 7 tuning-lite ADD "$(tuning_conf '.mtu = 1400' | sed 's/"mtu":1400/"mtu":1400,"MTU":1300/')" CNI_IFNAME=eth0
	expect 7 tuning-lite ADD "$(tuning_conf '.sysctl = {"net.ipv4.conf.eth0.arp_filter": "1"}' |
		sed 's/"prevResult"/"Sysctl":{"net.ipv4.conf.eth0.arp_filter":"0"},"prevResult"/')" CNI_IFNAME=eth0
	# A prevResult read one way by us and another by the runtime.
	expect 7 tuning-lite ADD "$(tuning_conf . | sed 's/"ips":/"IPs":[],"ips":/')" CNI_IFNAME=eth0
}

@test "caps on entry counts: sysctls, ranges, routes, requested IPs, result entries" {
	many() { jq -nc --argjson n "$1" "$2"; }
	sysctls=$(many 1025 '[range($n)] | map({key: "net.ipv4.conf.IFNAME.x\(.)", value: "1"}) | from_entries')
	expect 7 tuning-lite ADD "$(tuning_conf ".sysctl = $sysctls")" CNI_IFNAME=eth0
	[[ $output == *"more than 1024"* ]]
	ranges=$(many 1025 '[range($n)] | map({subnet: "10.\(. / 256 | floor).\(. % 256).0/24"})')
	hl() { jq -nc --arg d "$DATA" '{cniVersion: "1.0.0", name: "badnet", type: "host-local",
		ipam: {type: "host-local", dataDir: $d, ranges: [[{subnet: "10.195.0.0/24"}]]}}' | jq -c "$1"; }
	expect 7 host-local ADD "$(hl ".ipam.ranges = [$ranges]")"
	routes=$(many 1025 '[range($n)] | map({dst: "10.\(. / 256 | floor).\(. % 256).0/24"})')
	expect 7 host-local ADD "$(hl ".ipam.routes = $routes")"
	ips=$(many 17 '[range($n)] | map("10.195.0.\(. + 10)")')
	expect 7 host-local ADD "$(hl ".runtimeConfig = {ips: $ips}")"
	expect 6 tuning-lite ADD "$(tuning_conf ".prevResult.routes = $routes")" CNI_IFNAME=eth0
}

@test "the node's own network namespace as CNI_NETNS is refused; a FIFO does not block" {
	RUN_WITH=guarded_exec
	ip link add "$NODEIF" type veth peer name "${NODEIF}p"
	mkfifo "$LOOPDIR/fifo"
	for ns in /proc/self/ns/net /proc/1/ns/net "$LOOPDIR/fifo"; do
		expect 4 krafty ADD "$(krafty_conf 'del(.ipam) | .podIP = "10.195.0.5"')" CNI_NETNS="$ns" CNI_IFNAME="$NODEIF"x
		expect 4 tuning-lite ADD "$(tuning_conf '.mtu = 1280 | .sysctl = {"net.ipv4.conf.IFNAME.arp_filter": "1"}')" \
			CNI_NETNS="$ns" CNI_IFNAME="$NODEIF"
		expect 4 tuning-lite CHECK "$(tuning_conf '.mtu = 1280')" CNI_NETNS="$ns" CNI_IFNAME="$NODEIF"
		expect 4 passthru ADD '{"cniVersion":"1.0.0","name":"badnet","type":"passthru"}' \
			CNI_NETNS="$ns" CNI_IFNAME="$NODEIF"
	done
	# DEL with nothing saved still succeeds, as with a netns that is gone.
	cni_exec tuning-lite DEL "$(tuning_conf '.mtu = 1280')" CNI_NETNS=/proc/self/ns/net CNI_IFNAME="$NODEIF"
	[ "$status" -eq 0 ]
}

# A tuning-lite state file for the test's attachment (eth0 in the pod).
plant_state() {
	mkdir -p "$STATE/badnet"
	jq -nc --arg c "$CNI_CONTAINERID" --argjson s "$1" \
		'{version: 1, network: "badnet", containerID: $c, ifname: "eth0", saved: $s}' \
		>"$STATE/badnet/$CNI_CONTAINERID:eth0.json"
}

@test "tuning-lite: planted state is checked with the key rules: ADD refuses it, DEL writes nothing" {
	local lo='{"what":"sysctl","name":"net.ipv4.conf.lo.arp_filter","path":"/proc/sys/net/ipv4/conf/lo/arp_filter","value":"1"}'
	local hidden='{"what":"sysctl","name":"net.ipv4.conf.eth0.arp_filter","path":"/proc/sys/net/ipv4/conf/lo/rp_filter","value":"2"}'
	local up='{"what":"sysctl","name":"net.ipv4.conf.eth0.x","path":"/proc/sys/net/ipv4/conf/eth0/../../../../kernel/x","value":"1"}'
	local mac='{"what":"mac","value":"01:00:5e:00:00:zz"}'
	for bad in "$lo" "$hidden" "$up" "$mac"; do
		plant_state "[$bad]"
		expect 102 tuning-lite ADD "$(tuning_conf '.sysctl = {"net.ipv4.conf.eth0.arp_filter": "1"}')" CNI_IFNAME=eth0
		before=$(snapshot)
		cni_exec tuning-lite DEL "$(tuning_conf .)" CNI_IFNAME=eth0
		[ "$status" -eq 0 ]
		# Nothing written in the pod; the file kept, aside, as it was.
		diff <(echo "$before" | grep -v "$STATE") <(snapshot | grep -v "$STATE")
		[ ! -e "$STATE/badnet/$CNI_CONTAINERID:eth0.json" ]
		[ "$(jq -c .saved[0] "$STATE/badnet/$CNI_CONTAINERID:eth0.json".broken.*)" = "$(jq -c . <<<"$bad")" ]
		rm -f "$STATE/badnet/"*.broken.*
	done
}

@test "tuning-lite: a linked state directory or state file is not followed; DEL gets out of it" {
	local other=$LOOPDIR/other
	mkdir -p "$other"
	ln -s "$other" "$STATE/badnet"
	expect 102 tuning-lite ADD "$(tuning_conf '.mtu = 1280')" CNI_IFNAME=eth0
	[ -z "$(ls -A "$other")" ]
	cni_exec tuning-lite DEL "$(tuning_conf .)" CNI_IFNAME=eth0
	[ "$status" -eq 0 ]
	rm "$STATE/badnet"
	# A state file that is a link: ADD refuses, DEL moves the link aside, ADD works again.
	mkdir -p "$STATE/badnet"
	ln -s /etc/hostname "$STATE/badnet/$CNI_CONTAINERID:eth0.json"
	expect 102 tuning-lite ADD "$(tuning_conf '.mtu = 1280')" CNI_IFNAME=eth0
	cni_exec tuning-lite DEL "$(tuning_conf .)" CNI_IFNAME=eth0
	[ "$status" -eq 0 ]
	[ -L "$(echo "$STATE/badnet/$CNI_CONTAINERID:eth0.json".broken.*)" ]
	cni_exec tuning-lite ADD "$(tuning_conf '.mtu = 1280')" CNI_IFNAME=eth0
	[ "$status" -eq 0 ]
	[ "$(ip -n "$T" -j link show eth0 | jq -r '.[0].mtu')" = 1280 ]
	cni_exec tuning-lite DEL "$(tuning_conf .)" CNI_IFNAME=eth0
	[ "$status" -eq 0 ]
	[ "$(ip -n "$T" -j link show eth0 | jq -r '.[0].mtu')" = 1500 ]
}

@test "host-local: a relative dataDir or resolvConf is refused, nothing written where the runtime runs" {
	cd "$DATA"
	hl() { jq -nc '{cniVersion: "1.0.0", name: "badnet", type: "host-local",
		ipam: {type: "host-local", ranges: [[{subnet: "10.195.0.0/24"}]]}}' | jq -c "$1"; }
	expect 7 host-local ADD "$(hl '.ipam.dataDir = "relative/dir"')"
	expect 7 host-local ADD "$(hl '.ipam.dataDir = "."')"
	expect 7 host-local DEL "$(hl '.ipam.dataDir = "relative/dir"')"
	expect 7 host-local ADD "$(hl ".ipam.dataDir = \"$DATA\" | .ipam.resolvConf = \"etc/resolv.conf\"")"
}
