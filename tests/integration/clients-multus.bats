#!/usr/bin/env bats
# Our plugins as Multus delegates: the config of each NetworkAttachmentDefinition in
# conf/*-nad.yaml, run through libcni (tests/clients/libcni-client) the way Multus runs a
# delegate: CNI_ARGS
#   IgnoreUnknown=true;K8S_POD_NAMESPACE=default;K8S_POD_NAME=p;
#   K8S_POD_INFRA_CONTAINER_ID=<sandbox ID>;K8S_POD_UID=<uid>
# the pod's requested ips/mac as capability args (libcni puts them in runtimeConfig only
# for plugins whose config declares the capability), the NAD's cniVersion, ifname net1;
# then hot plug (the dynamic networks controller): a second attachment net2 is added to
# and removed from the running pod, and net1 must not notice.

load helpers
load ../clients/lib

setup_file() {
	clients_build_client
}

setup() {
	clients_tmp
	NS=kmu-$$-$RANDOM
	NETNS=$(netns_make "$NS")
	ID=$(clients_sandbox_id)
	POD_UID=$(clients_uuid)
}

teardown() {
	# Multus DELs every attachment at pod teardown; so does this, whatever the test did.
	clients_release_all
	netns_cleanup "$NS"
	host_links_cleanup "$ID"
	clients_tmp_cleanup
}

multus_args() {
	echo "IgnoreUnknown=true;K8S_POD_NAMESPACE=default;K8S_POD_NAME=p;K8S_POD_INFRA_CONTAINER_ID=$ID;K8S_POD_UID=$POD_UID"
}

# nad FILE: the NAD's config as fed on this host (conf_load: on this VRF-less host it
# turns krafty's VRF off, "vrf": false; the NADs ship with VRF on, for real clusters),
# named after the file. Sets the CF_* facts.
nad() {
	conf_load "$CONF_DIR/$1" "${1%.yaml}"
}

# delegate add|check|del IFNAME [CAPS_JSON]: one Multus delegate call of the current NAD.
delegate() {
	libcni_run "$1" "$CF_FILE" "$NETNS" "$ID" "$2" "$(multus_args)" "${3:-}"
	echo "$1 $CF_NET $2: status $status"
	echo "$output"
}

# A capability request like a pod annotation's: an address of the network's first subnet
# (its 77th) and a fixed MAC.
REQ_MAC=02:4b:52:00:0c:4d
request() {
	jq -nc --arg ip "$CF_REQ_IP" --arg mac "$REQ_MAC" '{ips: [$ip], mac: $mac}'
}

# After ADD: ifname $1 is in the pod with an address in every subnet of the network,
# named in the result; tuning as configured; capability requests honoured exactly when
# declared. $2: the ADD output, $3: the caps passed.
assert_delegate_attached() {
	local ifn=$1 result=$2 caps=$3 ip
	jq -e --arg i "$ifn" --arg ns "$NETNS" '.interfaces[] | select(.name == $i and .sandbox == $ns)' \
		<<<"$result" >/dev/null || clients_fail "the result names no $ifn in $NETNS" || return 1
	[[ $(jq -r .cniVersion <<<"$result") == "$CF_VERSION" ]] ||
		clients_fail "the result's cniVersion is not the NAD's" || return 1
	pod_link "$NS" "$ifn" || clients_fail "no $ifn in the pod" || return 1
	echo "$ifn in the pod: ${P_ADDRS[*]}"
	addrs_cover "${CF_SUBNETS[*]}" "${P_ADDRS[*]}" || clients_fail "on $ifn" || return 1
	for ip in $(jq -r '.ips[].address' <<<"$result"); do
		[[ " ${P_ADDRS[*]} " == *" $ip "* ]] || clients_fail "the result's $ip is not on $ifn" || return 1
	done
	assert_tuned "$NS" "$ifn" || return 1
	if [[ -n $caps ]]; then
		if cf_declares ips; then
			[[ " ${P_ADDRS[*]} " == *" $CF_REQ_IP "* ]] ||
				clients_fail "ips capability declared, $CF_REQ_IP requested, not given" || return 1
		else
			[[ " ${P_ADDRS[*]} " != *" $CF_REQ_IP "* ]] ||
				clients_fail "$CF_REQ_IP given without the ips capability" || return 1
		fi
		if cf_declares mac; then
			[[ $P_MAC == "$REQ_MAC" ]] ||
				clients_fail "mac capability declared, $REQ_MAC requested, $P_MAC given" || return 1
		else
			[[ $P_MAC != "$REQ_MAC" ]] || clients_fail "$REQ_MAC given without the mac capability" || return 1
		fi
	fi
}

# After DEL of the only attachment: nothing of it is left anywhere.
assert_delegate_gone() {
	local ifn=$1 out
	[[ ! -e $(cache_file "$CF_NET" "$ID" "$ifn") ]] || clients_fail "libcni cache entry left" || return 1
	! ip -n "$NS" link show dev "$ifn" >/dev/null 2>&1 || clients_fail "$ifn left in the pod" || return 1
	out=$(ipam_reservations "$T/varlib/networks" "$ID")
	[[ -z $out ]] || clients_fail "addresses still reserved: $out" || return 1
	out=$(host_links_of "$ID")
	[[ -z $out ]] || clients_fail "host devices left: $out" || return 1
}

# add_del NAD_FILE_NAME: ADD net1 as Multus, CHECK, then DEL, with a capability request.
add_del() {
	local caps
	nad "$1"
	caps=$(request)
	delegate add net1 "$caps"
	[ "$status" -eq 0 ]
	assert_delegate_attached net1 "$output" "$caps"
	[ -f "$(cache_file "$CF_NET" "$ID" net1)" ]
	delegate check net1 "$caps"
	[ "$status" -eq 0 ]
	delegate del net1 "$caps"
	[ "$status" -eq 0 ]
	assert_delegate_gone net1
}

@test "multus: every NAD in conf/ holds a config libcni accepts at a version it speaks" {
	n=0
	for f in "$CONF_DIR"/*-nad.yaml; do
		conf_load "$f" validate
		[ "$CF_VERSION" = 1.0.0 ]
		libcni_run validate "$CF_FILE" "$NETNS" "$ID" net1
		echo "$f: $output"
		[ "$status" -eq 0 ]
		n=$((n + 1))
	done
	[ "$n" -ge 5 ]
}

@test "multus: krafty-nad.yaml (the seed's NAD) as net1: ADD, CHECK, DEL" {
	add_del krafty-nad.yaml
}

@test "multus: krafty-static-nad.yaml as net1: ADD, CHECK, DEL" {
	add_del krafty-static-nad.yaml
	# The static address, not the requested one.
	[ "$(jq -r '.podIP' "$CF_FILE")" = 172.16.11.10/24 ]
}

@test "multus: krafty-tuning-lite-nad.yaml as net1 with ips and mac from the annotation" {
	add_del krafty-tuning-lite-nad.yaml
	cf_declares ips && cf_declares mac
}

@test "multus: krafty-dualstack-nad.yaml as net1: an IPv4 and an IPv6 address" {
	add_del krafty-dualstack-nad.yaml
	[ "${#CF_SUBNETS[@]}" -eq 2 ]
}

# The state of attachment net1 (network $1) that a change to another attachment must
# leave alone.
net1_state() {
	pod_link "$NS" net1 && echo "${P_ADDRS[*]} $P_MTU $P_MAC $P_STATE ${P_FLAGS[*]}"
	ip -n "$NS" route show dev net1
	ip -n "$NS" -6 route show dev net1 | grep -v '^fe80'
	host_links_of "$ID" | grep -F '/net1/' | sort
	cat "$(cache_file "$1" "$ID" net1)"
	ls "$T/varlib/networks/$1" 2>/dev/null
}

# hot_plug NAD1 NAD2: NAD1 on net1, then NAD2 hot plugged as net2 and unplugged.
hot_plug() {
	local caps net1_net before after
	nad "$1"
	net1_net=$CF_NET net1_name=${1%.yaml}
	delegate add net1
	[ "$status" -eq 0 ]
	assert_delegate_attached net1 "$output" ""
	before=$(net1_state "$net1_net")
	net1_addrs="${P_ADDRS[*]}"

	nad "$2"
	caps=$(request)
	delegate add net2 "$caps"
	[ "$status" -eq 0 ]
	assert_delegate_attached net2 "$output" "$caps"
	# Two attachments: their addresses differ.
	for a in "${P_ADDRS[@]}"; do [[ " $net1_addrs " != *" $a "* ]]; done
	delegate check net2 "$caps"
	[ "$status" -eq 0 ]

	delegate del net2 "$caps"
	[ "$status" -eq 0 ]
	[ ! -e "$(cache_file "$CF_NET" "$ID" net2)" ]
	run ip -n "$NS" link show dev net2
	[ "$status" -ne 0 ]
	[ -z "$(host_links_of "$ID" | grep -F '/net2/')" ]
	after=$(net1_state "$net1_net")
	[ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after"); false; }

	# net1 still passes CHECK; then the pod goes.
	conf_use "$net1_name"
	delegate check net1
	[ "$status" -eq 0 ]
	delegate del net1
	[ "$status" -eq 0 ]
	assert_delegate_gone net1
}

@test "multus: hot plug of krafty-dualstack as net2 into a pod with krafty on net1; unplug leaves net1 alone" {
	hot_plug krafty-nad.yaml krafty-dualstack-nad.yaml
}

@test "multus: hot plug of a second krafty attachment (same NAD) as net2; unplug leaves net1 alone" {
	hot_plug krafty-nad.yaml krafty-nad.yaml
}

@test "multus: krafty-mutate (passthru + tuning-lite) on net1 of a running pod, then its DEL restores" {
	nad krafty-nad.yaml
	base_net=$CF_NET
	delegate add net1
	[ "$status" -eq 0 ]
	assert_delegate_attached net1 "$output" ""
	before=$(net1_state "$base_net")
	addrs_before="${P_ADDRS[*]}"

	nad passthru-tuning-lite-nad.yaml
	[ "$(jq -r '.plugins[0].type' "$CF_FILE")" = passthru ]
	delegate add net1
	[ "$status" -eq 0 ]
	assert_tuned "$NS" net1
	[ "${P_ADDRS[*]}" = "$addrs_before" ] # the mutation leaves the addresses alone
	delegate check net1
	[ "$status" -eq 0 ]
	delegate del net1
	[ "$status" -eq 0 ]
	[ ! -e "$(cache_file "$CF_NET" "$ID" net1)" ]
	after=$(net1_state "$base_net")
	[ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after"); false; }

	conf_use krafty-nad
	delegate del net1
	[ "$status" -eq 0 ]
	assert_delegate_gone net1
}

@test "multus: DEL of an attachment whose ADD never ran succeeds and changes nothing" {
	nad krafty-nad.yaml
	delegate del net1
	[ "$status" -eq 0 ]
	assert_delegate_gone net1
}
