#!/usr/bin/env bats
# passthru, the empty head of a chain: ADD describes the existing CNI_IFNAME in
# CNI_NETNS (or hands prevResult on), DEL/CHECK/STATUS/GC change nothing.

load helpers
load chain

setup() {
	N=$BATS_TEST_NUMBER
	NS=pt-$$-$N
	NETNS=$(netns_make "$NS")
	export CNI_CONTAINERID=pt-$$-$N CNI_NETNS=$NETNS CNI_IFNAME=eth0 CNI_ARGS=
	# A pod interface by hand: a veth end with IPv4 and IPv6 addresses and a default route.
	ip link add "ptv$$x$N" type veth peer name eth0 netns "$NS"
	ip link set "ptv$$x$N" up
	ip -n "$NS" link set eth0 up
	ip -n "$NS" addr add 10.77.0.5/24 dev eth0
	ip -n "$NS" addr add fd00:77::5/64 dev eth0 nodad
	ip -n "$NS" route add default via 10.77.0.1
	ip -n "$NS" -6 route add default via fd00:77::1
	ip -n "$NS" route add 192.168.50.0/24 via 10.77.0.254
	pod_settle "$NS"
}

teardown() {
	netns_cleanup "$NS"
	ip link del "ptv$$x$N" 2>/dev/null || true
}

pt_conf() {
	jq -nc --arg v "${1:-1.0.0}" --argjson x "${2:-{\}}" '{cniVersion: $v, name: "pt-test", type: "passthru"} + $x'
}

@test "ADD without prevResult describes CNI_IFNAME: MAC, sandbox, addresses, gateways, routes" {
	snap=$(pod_snapshot "$NS")
	cni_exec passthru ADD "$(pt_conf 1.1.0)"
	echo "$output"
	[ "$status" -eq 0 ]
	mac=$(link_field "$NS" eth0 address)
	[ "$(jq -c .interfaces <<<"$output")" = "[{\"name\":\"eth0\",\"mac\":\"$mac\",\"mtu\":1500,\"sandbox\":\"$NETNS\"}]" ]
	[ "$(jq -c '[.ips[] | [.interface, .address, .gateway]]' <<<"$output")" = \
		'[[0,"10.77.0.5/24","10.77.0.1"],[0,"fd00:77::5/64","fd00:77::1"]]' ]
	# No link-local address: a result reports what the pod is reached at.
	[[ $output != *fe80* ]]
	[ "$(jq -c '[.routes[] | [.dst, .gw]] | sort' <<<"$output")" = \
		'[["0.0.0.0/0","10.77.0.1"],["192.168.50.0/24","10.77.0.254"],["::/0","fd00:77::1"]]' ]
	same_snapshot "$snap" "$(pod_snapshot "$NS")"
}

@test "ADD answers in every version from 0.3.0 to 1.1.0" {
	for v in 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0; do
		cni_exec passthru ADD "$(pt_conf "$v")"
		echo "$v: $output"
		[ "$status" -eq 0 ]
		[ "$(jq -r .cniVersion <<<"$output")" = "$v" ]
		if [[ $v == 0.* ]]; then
			[ "$(jq -c '[.ips[].version]' <<<"$output")" = '["4","6"]' ]
		else
			[ "$(jq -c '[.ips[].version]' <<<"$output")" = '[null,null]' ]
		fi
		if [ "$v" = 1.1.0 ]; then
			[ "$(jq -r '.interfaces[0].mtu' <<<"$output")" = 1500 ]
		else
			[ "$(jq -r '.interfaces[0].mtu' <<<"$output")" = null ]
		fi
	done
}

@test "ADD with prevResult returns it, converted to the config's version, without looking at the netns" {
	prev='{"cniVersion":"1.1.0","interfaces":[{"name":"net9","mac":"02:00:00:00:00:09","mtu":9000,"sandbox":"/run/netns/elsewhere"}],
		"ips":[{"interface":0,"address":"10.1.2.3/24","gateway":"10.1.2.1"}],"routes":[{"dst":"0.0.0.0/0","gw":"10.1.2.1","priority":5}],
		"dns":{"nameservers":["10.1.2.53"]}}'
	cni_exec passthru ADD "$(pt_conf 0.4.0 "{\"prevResult\": $prev}")"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -c . <<<"$output")" = '{"cniVersion":"0.4.0","interfaces":[{"name":"net9","mac":"02:00:00:00:00:09","sandbox":"/run/netns/elsewhere"}],"ips":[{"version":"4","interface":0,"address":"10.1.2.3/24","gateway":"10.1.2.1"}],"routes":[{"dst":"0.0.0.0/0","gw":"10.1.2.1"}],"dns":{"nameservers":["10.1.2.53"]}}' ]
	# Neither the interface nor the netns needs to exist then.
	CNI_IFNAME=nope CNI_NETNS=/run/netns/pt-none-$$ cni_exec passthru ADD "$(pt_conf 1.1.0 "{\"prevResult\": $prev}")"
	[ "$status" -eq 0 ]
	[ "$(jq -c .interfaces <<<"$output")" = "$(jq -c .interfaces <<<"$prev")" ]
	# An empty prevResult (Multus's passthru output) is handed on as it is.
	cni_exec passthru ADD "$(pt_conf 1.0.0 '{"prevResult": {"cniVersion": "1.0.0", "dns": {}}}')"
	[ "$status" -eq 0 ]
	[ "$(jq -c . <<<"$output")" = '{"cniVersion":"1.0.0","dns":{}}' ]
}

@test "ADD for an interface that does not exist: code 100; in a netns that does not exist or is none: code 4" {
	CNI_IFNAME=eth7 cni_exec passthru ADD "$(pt_conf)"
	echo "$output"
	assert_cni_error 100
	[ "$(jq -r .msg <<<"$output")" = "interface eth7 does not exist in $NETNS" ]
	CNI_NETNS=/run/netns/pt-none-$$ cni_exec passthru ADD "$(pt_conf)"
	echo "$output"
	assert_cni_error 4
	[[ $(jq -r .msg <<<"$output") == *"pt-none-$$ does not exist"* ]]
	# Paths that are not network namespaces.
	CNI_NETNS=/proc/self/ns/uts cni_exec passthru ADD "$(pt_conf)"
	echo "$output"
	assert_cni_error 4
	CNI_NETNS=/etc/hostname cni_exec passthru ADD "$(pt_conf)"
	assert_cni_error 4
}

@test "CHECK passes while the interface exists and fails with code 100 when it is gone" {
	cni_exec passthru CHECK "$(pt_conf)"
	[ "$status" -eq 0 ]
	ip -n "$NS" link del eth0
	cni_exec passthru CHECK "$(pt_conf)"
	echo "$output"
	assert_cni_error 100
	CNI_NETNS=/run/netns/pt-none-$$ cni_exec passthru CHECK "$(pt_conf)"
	assert_cni_error 4
}

@test "DEL, STATUS and GC succeed and change nothing, also with the interface or the netns gone" {
	snap=$(pod_snapshot "$NS")
	cni_exec passthru DEL "$(pt_conf)"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	same_snapshot "$snap" "$(pod_snapshot "$NS")"
	cni_exec passthru STATUS "$(pt_conf 1.1.0)"
	[ "$status" -eq 0 ]
	cni_exec passthru GC "$(pt_conf 1.1.0 '{"cni.dev/valid-attachments": []}')"
	[ "$status" -eq 0 ]
	same_snapshot "$snap" "$(pod_snapshot "$NS")"
	CNI_IFNAME=eth7 cni_exec passthru DEL "$(pt_conf)"
	[ "$status" -eq 0 ]
	netns_cleanup "$NS"
	cni_exec passthru DEL "$(pt_conf)"
	[ "$status" -eq 0 ]
	CNI_NETNS= cni_exec passthru DEL "$(pt_conf)"
	[ "$status" -eq 0 ]
}

@test "an interface without addresses, or without a MAC (lo): described with what it has" {
	ip -n "$NS" addr flush dev eth0
	cni_exec passthru ADD "$(pt_conf)"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -c '[(.interfaces | length), (.ips // [] | length)]' <<<"$output")" = '[1,0]' ]
	CNI_IFNAME=lo cni_exec passthru ADD "$(pt_conf)"
	echo "$output"
	[ "$status" -eq 0 ]
	# lo has no Ethernet address worth reporting and only host-scope addresses.
	[ "$(jq -c '.interfaces[0] | [.name, .mac, .sandbox]' <<<"$output")" = "[\"lo\",null,\"$NETNS\"]" ]
	[ "$(jq -c '.ips // [] | length' <<<"$output")" = 0 ]
}

@test "chained: passthru + tuning-lite as a conflist on a running pod, DEL in reverse" {
	jq -n --arg d "$BATS_TEST_TMPDIR/tuning" '{cniVersion: "1.0.0", name: "pt-chain", plugins: [
		{type: "passthru"}, {type: "tuning-lite", dataDir: $d, mtu: 1400}]}' >"$BATS_TEST_TMPDIR/c.conflist"
	snap=$(pod_snapshot "$NS")
	CONFLIST_CACHE_DIR=$BATS_TEST_TMPDIR run conflist_run ADD "$BATS_TEST_TMPDIR/c.conflist"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.ips[0].address' <<<"$output")" = 10.77.0.5/24 ]
	[ "$(link_field "$NS" eth0 mtu)" = 1400 ]
	CONFLIST_CACHE_DIR=$BATS_TEST_TMPDIR run conflist_run DEL "$BATS_TEST_TMPDIR/c.conflist"
	[ "$status" -eq 0 ]
	same_snapshot "$snap" "$(pod_snapshot "$NS")"
}
