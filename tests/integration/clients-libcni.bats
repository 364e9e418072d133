#!/usr/bin/env bats
# Our plugins under a real libcni (Debian's 1.1.2, through tests/clients/libcni-client):
# ADD, CHECK and DEL of the shipped conflists with libcni's result cache and version
# checks, and the krang mutation flow: passthru + tuning-lite run by AddNetworkList
# against the interface of a pod that krafty + tuning-lite attached before.

load helpers
load ../clients/lib

setup_file() {
	clients_build_client
}

setup() {
	clients_tmp
	NS=kcl-$$-$RANDOM
	NETNS=$(netns_make "$NS")
	ID=$(clients_sandbox_id)
	IFN=net1
}

teardown() {
	clients_release_all
	netns_cleanup "$NS"
	host_links_cleanup "$ID"
	clients_tmp_cleanup
}

# step CMD NAME: libcni_run of config NAME (loaded by conf_load) for the pod's IFN.
step() {
	conf_use "$2"
	libcni_run "$1" "$CF_FILE" "$NETNS" "$ID" "$IFN"
	echo "$1 $CF_NET: status $status"
	echo "$output"
}

# After ADD of a krafty conflist (result in $1): the result names IFN in the pod with an
# address of the subnet, and the pod holds exactly that.
assert_attached() {
	local result=$1 addr
	jq -e --arg i "$IFN" --arg ns "$NETNS" '.interfaces[] | select(.name == $i and .sandbox == $ns)' \
		<<<"$result" >/dev/null || clients_fail "no interface $IFN with sandbox $NETNS in the result" || return 1
	addr=$(jq -r '.ips[0].address // empty' <<<"$result")
	[[ -n $addr ]] || clients_fail "no address in the result" || return 1
	in_subnet "$addr" "${CF_SUBNETS[@]}" || clients_fail "$addr is outside ${CF_SUBNETS[*]}" || return 1
	pod_link "$NS" "$IFN" || clients_fail "no $IFN in the pod" || return 1
	[[ " ${P_ADDRS[*]} " == *" $addr "* ]] || clients_fail "the pod's $IFN holds '${P_ADDRS[*]}', not $addr" || return 1
	[[ $P_STATE != DOWN ]] || clients_fail "$IFN is down in the pod" || return 1
}

# Nothing of the pod's attachments is left: interface, reservations, host devices.
assert_detached() {
	local out
	! ip -n "$NS" link show dev "$IFN" >/dev/null 2>&1 || clients_fail "$IFN left in the pod" || return 1
	out=$(ipam_reservations "$T/varlib/networks" "$ID")
	[[ -z $out ]] || clients_fail "addresses still reserved: $out" || return 1
	out=$(host_links_of "$ID")
	[[ -z $out ]] || clients_fail "host devices left: $out" || return 1
}

@test "libcni: ADD, CHECK, DEL of krafty-tuning-lite.conflist with the result cache" {
	conf_load "$CONF_DIR/krafty-tuning-lite.conflist" tuned
	cf_has krafty && cf_has tuning-lite
	[ "$CF_VERSION" = 1.0.0 ] # what libcni 1.1.2 and containerd 1.6 speak

	step validate tuned
	[ "$status" -eq 0 ]

	step add tuned
	[ "$status" -eq 0 ]
	result=$output
	[ "$(jq -r .cniVersion <<<"$result")" = 1.0.0 ]
	assert_attached "$result"
	assert_tuned "$NS" "$IFN"
	cache=$(cache_file "$CF_NET" "$ID" "$IFN")
	[ -f "$cache" ]
	# The cache holds the result libcni will hand to CHECK and DEL.
	[ "$(jq -cS .result.ips "$cache")" = "$(jq -cS .ips <<<"$result")" ]
	addr=$(jq -r '.ips[0].address' <<<"$result")
	[ "$(ipam_reservations "$T/varlib/networks" "$ID")" = "${addr%/*}" ]

	step check tuned
	[ "$status" -eq 0 ]

	step del tuned
	[ "$status" -eq 0 ]
	[ ! -e "$cache" ]
	assert_detached

	# DEL again, with no cache left: must succeed (the spec: DEL of what is gone).
	step del tuned
	[ "$status" -eq 0 ]
}

@test "libcni: CHECK fails when the pod drifted from the config, passes when it is back" {
	conf_load "$CONF_DIR/krafty-tuning-lite.conflist" tuned
	step add tuned
	[ "$status" -eq 0 ]
	addr=$(jq -r '.ips[0].address' <<<"$output")

	# A sysctl tuning-lite set is changed behind its back.
	read -r path value < <(cf_sysctl_paths "$IFN")
	[ -n "$path" ]
	ip netns exec "$NS" sh -c "echo $([ "$value" = 0 ] && echo 1 || echo 0) >$path"
	step check tuned
	[ "$status" -ne 0 ]
	ip netns exec "$NS" sh -c "echo $value >$path"
	step check tuned
	[ "$status" -eq 0 ]

	# The address krafty gave is gone.
	ip -n "$NS" addr del "$addr" dev "$IFN"
	step check tuned
	[ "$status" -ne 0 ]

	step del tuned
	[ "$status" -eq 0 ]
	assert_detached
}

@test "libcni: krang mutation: passthru-tuning-lite.conflist on the interface krafty-tuning-lite attached" {
	conf_load "$CONF_DIR/passthru-tuning-lite.conflist" mutate
	mutate_net=$CF_NET
	cf_has passthru && cf_has tuning-lite
	[ "$(jq -r '.plugins[0].type' "$CF_FILE")" = passthru ]
	mutate_paths=$(cf_sysctl_paths "$IFN" | cut -d' ' -f1)
	conf_load "$CONF_DIR/krafty-tuning-lite.conflist" tuned
	tuned_net=$CF_NET
	[ "$tuned_net" != "$mutate_net" ] # two networks, two cache entries for one interface

	# (a) the pod is attached.
	step add tuned
	[ "$status" -eq 0 ]
	assert_attached "$output"
	assert_tuned "$NS" "$IFN"
	# What (b) will change, as (a) left it.
	pod_link "$NS" "$IFN"
	before_link="${P_ADDRS[*]} $P_MTU $P_MAC ${P_FLAGS[*]}"
	# shellcheck disable=SC2086
	before_sysctls=$(pod_sysctls "$NS" $mutate_paths)
	before_addrs="${P_ADDRS[*]}"

	# (b) the mutation, through AddNetworkList: passthru's result (it changes nothing) is tuning-lite's prevResult.
	step add mutate
	[ "$status" -eq 0 ]
	[ "$(jq -r .cniVersion <<<"$output")" = "$CF_VERSION" ]
	[ -f "$(cache_file "$mutate_net" "$ID" "$IFN")" ]
	[ -f "$(cache_file "$tuned_net" "$ID" "$IFN")" ]
	assert_tuned "$NS" "$IFN"
	pod_link "$NS" "$IFN"
	[ "${P_ADDRS[*]}" = "$before_addrs" ] # addresses untouched

	step check mutate
	[ "$status" -eq 0 ]

	# DEL of (b): tuning-lite puts back what (a) had set; (a)'s attachment stays.
	step del mutate
	[ "$status" -eq 0 ]
	[ ! -e "$(cache_file "$mutate_net" "$ID" "$IFN")" ]
	[ -f "$(cache_file "$tuned_net" "$ID" "$IFN")" ]
	# shellcheck disable=SC2086
	after_sysctls=$(pod_sysctls "$NS" $mutate_paths)
	[ "$after_sysctls" = "$before_sysctls" ] || { echo "sysctls not restored: $after_sysctls"; false; }
	pod_link "$NS" "$IFN"
	[ "${P_ADDRS[*]} $P_MTU $P_MAC ${P_FLAGS[*]}" = "$before_link" ]
	conf_use tuned
	assert_tuned "$NS" "$IFN" # (a)'s settings hold again

	step check tuned
	[ "$status" -eq 0 ]

	# DEL of (a): the pod is detached.
	step del tuned
	[ "$status" -eq 0 ]
	[ ! -e "$(cache_file "$tuned_net" "$ID" "$IFN")" ]
	assert_detached
}
