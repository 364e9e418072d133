#!/usr/bin/env bats
# kractl and libcni (Debian's 1.1.2, through tests/clients/libcni-client) share one result
# cache: what either one ADDs, the other CHECKs and DELs; both write the same keys. The pod
# is a private netns kc-* with a veth; plugins keep their state under $T.

load helpers
load chain
load ../clients/lib

KRACTL=$BUILD_DIR/sbin/kractl

setup_file() {
	clients_build_client
}

setup() {
	clients_tmp
	NS=kc-$$-$BATS_TEST_NUMBER
	NETNS=$(netns_make "$NS")
	ip -n "$NS" link add eth0 type veth peer name kcpeer
	ID=kc$$x$BATS_TEST_NUMBER$RANDOM
	jq -n --arg d "$T/tuning" '{cniVersion: "1.0.0", name: "kc-shared", plugins: [{type: "passthru"},
	  {type: "tuning-lite", dataDir: $d, mtu: 1400, promisc: true,
	   sysctl: {"net.ipv4.conf.IFNAME.arp_filter": "1"}}]}' >"$T/shared.conflist"
	KC=("$KRACTL" -p "$BIN" -D "$T/cache")
	CACHE=$T/cache/results/kc-shared-$ID-eth0
}

teardown() {
	clients_release_all
	"${KC[@]}" del "$T/shared.conflist" "$NETNS" --id "$ID" >/dev/null 2>&1 || true
	netns_cleanup "$NS"
	clients_tmp_cleanup
}

state() {
	echo "$(link_field "$NS" eth0 mtu) $(link_field "$NS" eth0 promiscuity)" \
		"$(pod_sysctl_get "$NS" net.ipv4.conf.eth0.arp_filter)"
}

@test "libcni ADDs, kractl CHECKs and DELs from libcni's cache" {
	[ "$(state)" = "1500 0 0" ]
	libcni_run add "$T/shared.conflist" "$NETNS" "$ID" eth0 "IgnoreUnknown=true;K8S_POD_NAME=p"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(state)" = "1400 1 1" ]
	[ "$(jq -c 'keys' "$CACHE")" = '["cniArgs","config","containerId","ifName","kind","networkName","result"]' ]
	run "${KC[@]}" check "$T/shared.conflist" "$NETNS" --id "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ] # the cached result was found: no warning
	ip -n "$NS" link set eth0 mtu 1450
	run "${KC[@]}" check "$T/shared.conflist" "$NETNS" --id "$ID"
	[ "$status" -eq 1 ]
	[[ $output == *"from plugin tuning-lite (2 of 2)"* ]]
	ip -n "$NS" link set eth0 mtu 1400
	run "${KC[@]}" del "$T/shared.conflist" "$NETNS" --id "$ID"
	[ "$status" -eq 0 ]
	[ ! -e "$CACHE" ]
	[ "$(state)" = "1500 0 0" ]
	: >"$T/attached"
}

@test "kractl ADDs, libcni reads the cached result, CHECKs and DELs" {
	run "${KC[@]}" add "$T/shared.conflist" "$NETNS" --id "$ID" --args "IgnoreUnknown=true;K8S_POD_NAME=p"
	echo "$output"
	[ "$status" -eq 0 ]
	result=$output
	[ "$(state)" = "1400 1 1" ]
	# The same keys libcni writes, and the netns libcni 1.2 adds.
	[ "$(jq -c 'keys' "$CACHE")" = '["cniArgs","config","containerId","ifName","kind","netns","networkName","result"]' ]
	libcni_run cached "$T/shared.conflist" "$NETNS" "$ID" eth0
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -cS . <<<"$output")" = "$(jq -cS . <<<"$result")" ]
	libcni_run check "$T/shared.conflist" "$NETNS" "$ID" eth0 "IgnoreUnknown=true;K8S_POD_NAME=p"
	echo "$output"
	[ "$status" -eq 0 ]
	libcni_run del "$T/shared.conflist" "$NETNS" "$ID" eth0 "IgnoreUnknown=true;K8S_POD_NAME=p"
	[ "$status" -eq 0 ]
	[ ! -e "$CACHE" ]
	[ "$(state)" = "1500 0 0" ]
}

@test "the same attachment written by both: byte-identical config, same result" {
	libcni_run add "$T/shared.conflist" "$NETNS" "$ID" eth0 "K8S_POD_NAME=p"
	[ "$status" -eq 0 ]
	by_libcni=$(jq -cS 'del(.netns)' "$CACHE")
	libcni_run del "$T/shared.conflist" "$NETNS" "$ID" eth0 "K8S_POD_NAME=p"
	[ "$status" -eq 0 ]
	run "${KC[@]}" add "$T/shared.conflist" "$NETNS" --id "$ID" --args "K8S_POD_NAME=p"
	[ "$status" -eq 0 ]
	by_kractl=$(jq -cS 'del(.netns)' "$CACHE")
	echo "libcni: $by_libcni"
	echo "kractl: $by_kractl"
	[ "$by_kractl" = "$by_libcni" ]
}

@test "kractl mutates and reverts a pod that libcni attached; the pod's own attachment stays" {
	libcni_run add "$T/shared.conflist" "$NETNS" "$ID" eth0
	[ "$status" -eq 0 ]
	mac=$(link_field "$NS" eth0 address)
	run "${KC[@]}" mutate "$NS" mtu=1300 mac=02:00:5e:10:00:03 -d "$T/tuning" --no-log
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == "mutated eth0 of pod $ID "* ]] # the ID libcni cached
	[ "$(link_field "$NS" eth0 mtu) $(link_field "$NS" eth0 address)" = "1300 02:00:5e:10:00:03" ]
	run "${KC[@]}" revert "$ID" -d "$T/tuning"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(link_field "$NS" eth0 mtu) $(link_field "$NS" eth0 address)" = "1400 $mac" ]
	libcni_run check "$T/shared.conflist" "$NETNS" "$ID" eth0
	[ "$status" -eq 0 ]
	libcni_run del "$T/shared.conflist" "$NETNS" "$ID" eth0
	[ "$status" -eq 0 ]
	[ "$(state)" = "1500 0 0" ]
}
