#!/usr/bin/env bats
# Our plugins under a real libcni (Debian's 1.1.2, through tests/clients/libcni-client):
# ADD, CHECK and DEL of the shipped conflists with libcni's result cache and version
# checks, and the krang mutation flow: passthru + tuning-lite run by AddNetworkList
# against the interface of a pod that krafty + tuning-lite attached before.

load helpers
load ../clients/lib

TUNED=krafty-tuning-lite.conflist
MUTATE=passthru-tuning-lite.conflist

setup() {
	clients_tmp
	NS=kcl-$$-$RANDOM
	NETNS=$(netns_make "$NS")
	ID=$(clients_sandbox_id)
	IFN=net1
	clients_build_client
}

teardown() {
	local f
	# Release whatever a failed test left: DEL through libcni (the cache knows what).
	for f in "$T"/conf-*.json; do
		[[ -f $f ]] || continue
		clients_private "$CLIENT" -conf "$f" -netns "$NETNS" -id "$ID" -ifname "$IFN" \
			-cache "$T/cache" -path "$PLUGIN_PATH" del >/dev/null 2>&1 || true
	done
	netns_cleanup "$NS"
	host_links_cleanup "$ID"
	clients_tmp_cleanup
}

# load_conf FILE: the shipped conflist as fed on this host, written to $T; sets CONF
# (its JSON), CONF_FILE and NET.
load_conf() {
	clients_need_file "$CONF_DIR/$1" || return 1
	CONF=$(clients_host_conf "$(cat "$CONF_DIR/$1")") || return 1
	NET=$(conf_name "$CONF")
	# shellcheck disable=SC2046
	clients_need_plugins $(conf_types "$CONF") || return 1
	CONF_FILE=$T/conf-$NET.json
	echo "$CONF" >"$CONF_FILE"
}

# After ADD of the krafty conflist: the result names IFN in the pod with an address of
# the subnet, and the pod holds exactly that.
assert_attached() {
	local result=$1 conf=$2 addr got
	jq -e --arg i "$IFN" --arg ns "$NETNS" '.interfaces[] | select(.name == $i and .sandbox == $ns)' \
		<<<"$result" >/dev/null || clients_fail "no interface $IFN with sandbox $NETNS in the result: $result" || return 1
	addr=$(jq -r '.ips[0].address // empty' <<<"$result")
	[[ -n $addr ]] || clients_fail "no address in the result: $result" || return 1
	# shellcheck disable=SC2046
	in_subnet "$addr" $(conf_subnets "$conf") || clients_fail "$addr is outside the network's subnets" || return 1
	got=$(pod_addrs "$NS" "$IFN") || clients_fail "no $IFN in the pod" || return 1
	grep -qxF "$addr" <<<"$got" || clients_fail "the pod's $IFN holds '$got', the result says $addr" || return 1
	[[ $(ip -n "$NS" -j link show dev "$IFN" | jq -r '.[0].operstate') != DOWN ]] ||
		clients_fail "$IFN is down in the pod" || return 1
}

@test "libcni: ADD, CHECK, DEL of krafty-tuning-lite.conflist with the result cache" {
	load_conf "$TUNED"
	conf_has "$CONF" krafty && conf_has "$CONF" tuning-lite
	[ "$(jq -r .cniVersion <<<"$CONF")" = 1.0.0 ] # what libcni 1.1.2 and containerd 1.6 speak

	libcni_run validate "$CONF_FILE" "$NETNS" "$ID" "$IFN"
	echo "$output"
	[ "$status" -eq 0 ]

	libcni_run add "$CONF_FILE" "$NETNS" "$ID" "$IFN"
	echo "$output"
	[ "$status" -eq 0 ]
	result=$output
	[ "$(jq -r .cniVersion <<<"$result")" = 1.0.0 ]
	assert_attached "$result" "$CONF"
	assert_tuned "$NS" "$IFN" "$CONF"
	[ -f "$(cache_file "$NET" "$ID" "$IFN")" ]
	# The cache holds the result libcni will hand to CHECK and DEL.
	[ "$(jq -cS .result.ips "$(cache_file "$NET" "$ID" "$IFN")")" = "$(jq -cS .ips <<<"$result")" ]
	addr=$(jq -r '.ips[0].address' <<<"$result")
	[ "$(ipam_reservations "$T/varlib/networks" "$ID")" = "${addr%/*}" ]

	libcni_run check "$CONF_FILE" "$NETNS" "$ID" "$IFN"
	echo "$output"
	[ "$status" -eq 0 ]

	libcni_run del "$CONF_FILE" "$NETNS" "$ID" "$IFN"
	echo "$output"
	[ "$status" -eq 0 ]
	[ ! -e "$(cache_file "$NET" "$ID" "$IFN")" ]
	run ip -n "$NS" link show dev "$IFN"
	[ "$status" -ne 0 ]
	[ -z "$(ipam_reservations "$T/varlib/networks" "$ID")" ]
	run host_links_of "$ID"
	echo "$output"
	[ -z "$output" ]

	# DEL again, with no cache left: must succeed (the spec: DEL of what is gone).
	libcni_run del "$CONF_FILE" "$NETNS" "$ID" "$IFN"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "libcni: CHECK fails when the pod drifted from the config, passes when it is back" {
	load_conf "$TUNED"
	libcni_run add "$CONF_FILE" "$NETNS" "$ID" "$IFN"
	echo "$output"
	[ "$status" -eq 0 ]
	addr=$(jq -r '.ips[0].address' <<<"$output")

	# A sysctl tuning-lite set is changed behind its back.
	read -r path value < <(conf_sysctls "$CONF" "$IFN")
	[ -n "$path" ]
	ip netns exec "$NS" sh -c "echo $([ "$value" = 0 ] && echo 1 || echo 0) >$path"
	libcni_run check "$CONF_FILE" "$NETNS" "$ID" "$IFN"
	echo "$output"
	[ "$status" -ne 0 ]
	ip netns exec "$NS" sh -c "echo $value >$path"
	libcni_run check "$CONF_FILE" "$NETNS" "$ID" "$IFN"
	echo "$output"
	[ "$status" -eq 0 ]

	# The address krafty gave is gone.
	ip -n "$NS" addr del "$addr" dev "$IFN"
	libcni_run check "$CONF_FILE" "$NETNS" "$ID" "$IFN"
	echo "$output"
	[ "$status" -ne 0 ]

	libcni_run del "$CONF_FILE" "$NETNS" "$ID" "$IFN"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$(ipam_reservations "$T/varlib/networks" "$ID")" ]
	run host_links_of "$ID"
	[ -z "$output" ]
}

@test "libcni: krang mutation: passthru-tuning-lite.conflist on the interface krafty-tuning-lite attached" {
	load_conf "$TUNED"
	tuned=$CONF tuned_file=$CONF_FILE tuned_net=$NET
	load_conf "$MUTATE"
	mutate=$CONF mutate_file=$CONF_FILE mutate_net=$NET
	[ "$tuned_net" != "$mutate_net" ] # two networks, two cache entries for one interface
	conf_has "$mutate" passthru && conf_has "$mutate" tuning-lite
	[ "$(jq -r '.plugins[0].type' <<<"$mutate")" = passthru ]

	# (a) the pod is attached.
	libcni_run add "$tuned_file" "$NETNS" "$ID" "$IFN"
	echo "$output"
	[ "$status" -eq 0 ]
	assert_attached "$output" "$tuned"
	assert_tuned "$NS" "$IFN" "$tuned"
	before_addrs=$(pod_addrs "$NS" "$IFN")
	before_mac=$(pod_mac "$NS" "$IFN")
	before_flags=$(ip -n "$NS" -j link show dev "$IFN" | jq -c '.[0].flags')
	# What (b) will change, as (a) left it.
	before=$(while read -r path value; do echo "$path $(pod_sysctl "$NS" "$path")"; done \
		< <(conf_sysctls "$mutate" "$IFN"))
	before_mtu=$(pod_mtu "$NS" "$IFN")

	# (b) the mutation, through AddNetworkList: passthru's empty result is tuning-lite's prevResult.
	libcni_run add "$mutate_file" "$NETNS" "$ID" "$IFN"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r .cniVersion <<<"$output")" = "$(jq -r .cniVersion <<<"$mutate")" ]
	[ -f "$(cache_file "$mutate_net" "$ID" "$IFN")" ]
	[ -f "$(cache_file "$tuned_net" "$ID" "$IFN")" ]
	assert_tuned "$NS" "$IFN" "$mutate"
	[ "$(pod_addrs "$NS" "$IFN")" = "$before_addrs" ] # addresses untouched

	libcni_run check "$mutate_file" "$NETNS" "$ID" "$IFN"
	echo "$output"
	[ "$status" -eq 0 ]

	# DEL of (b): tuning-lite puts back what (a) had set; (a)'s attachment stays.
	libcni_run del "$mutate_file" "$NETNS" "$ID" "$IFN"
	echo "$output"
	[ "$status" -eq 0 ]
	[ ! -e "$(cache_file "$mutate_net" "$ID" "$IFN")" ]
	[ -f "$(cache_file "$tuned_net" "$ID" "$IFN")" ]
	while read -r path value; do
		[ "$(pod_sysctl "$NS" "$path")" = "$value" ] || { echo "$path not restored to $value"; false; }
	done <<<"$before"
	[ "$(pod_mtu "$NS" "$IFN")" = "$before_mtu" ]
	[ "$(pod_mac "$NS" "$IFN")" = "$before_mac" ]
	[ "$(ip -n "$NS" -j link show dev "$IFN" | jq -c '.[0].flags')" = "$before_flags" ]
	[ "$(pod_addrs "$NS" "$IFN")" = "$before_addrs" ]
	assert_tuned "$NS" "$IFN" "$tuned"

	libcni_run check "$tuned_file" "$NETNS" "$ID" "$IFN"
	echo "$output"
	[ "$status" -eq 0 ]

	# DEL of (a): the pod is detached.
	libcni_run del "$tuned_file" "$NETNS" "$ID" "$IFN"
	echo "$output"
	[ "$status" -eq 0 ]
	[ ! -e "$(cache_file "$tuned_net" "$ID" "$IFN")" ]
	run ip -n "$NS" link show dev "$IFN"
	[ "$status" -ne 0 ]
	[ -z "$(ipam_reservations "$T/varlib/networks" "$ID")" ]
	run host_links_of "$ID"
	echo "$output"
	[ -z "$output" ]
}
