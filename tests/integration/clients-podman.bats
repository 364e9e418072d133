#!/usr/bin/env bats
# Our plugins under podman 4.3 with its CNI network backend (tests/clients/podman.sh: a
# private podman whose storage, CNI dirs, libcni cache, host-local dataDir and netns dir
# are under $PODMAN_DIR). Two krafty networks, each conf/krafty-host-local.conflist as
# shipped but named and addressed for this test (krafty-pod on 10.233.0.0/24, krafty-pod2
# on 10.234.0.0/24); a busybox image built here (tests/clients/image.sh, `podman load`).
# podman passes the 64-hex container ID as CNI_CONTAINERID and eth0, eth1... as CNI_IFNAME.
#
# In the sanitizer suite the plugins write their reports to $PODMAN_DIR/san.* (log_path,
# set by podman.sh): podman's cleanup process (started by conmon) runs the DEL of a
# stopped container, and nobody reads its stderr.

load helpers
load ../clients/lib

NET1=krafty-pod
NET2=krafty-pod2

setup_file() {
	# shellcheck source=../clients/podman.sh
	source "$CLIENTS_DIR/podman.sh"
	if ! podman_start; then
		echo "podman could not be set up for the client tests (see above)" >&2
		podman_stop
		return 1
	fi
	export PODMAN_DIR PODMAN_IMAGE ASAN_OPTIONS UBSAN_OPTIONS
	local d f dirs
	IFS=: read -ra dirs <<<"$PLUGIN_PATH"
	for d in "${dirs[@]}"; do
		for f in "$d"/*; do
			[[ -f $f && -x $f && ! -e $PODMAN_DIR/cni/bin/${f##*/} ]] && cp "$f" "$PODMAN_DIR/cni/bin/"
		done
	done
	[[ -x $PODMAN_DIR/cni/bin/krafty && -x $PODMAN_DIR/cni/bin/host-local ]] ||
		{ echo "krafty or host-local not built in $PLUGIN_PATH" >&2; return 1; }
	pod_conflist "$NET1" 10.233.0.0/24 >"$PODMAN_DIR/cni/net.d/10-$NET1.conflist" || return 1
	pod_conflist "$NET2" 10.234.0.0/24 >"$PODMAN_DIR/cni/net.d/20-$NET2.conflist" || return 1
}

teardown_file() {
	# shellcheck source=../clients/podman.sh
	source "$CLIENTS_DIR/podman.sh"
	podman_stop
}

setup() {
	# shellcheck source=../clients/podman.sh
	source "$CLIENTS_DIR/podman.sh"
	clients_tmp
	[[ -n ${PODMAN_DIR:-} && -f $PODMAN_DIR/mntns.pid ]] || clients_fail "no podman: setup_file failed"
	NAME=pod-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
}

teardown() {
	if [[ -n ${CID:-} ]]; then
		pm rm -f -t 0 "$NAME" >/dev/null 2>&1
		host_links_cleanup "$CID"
	fi
	clients_tmp_cleanup
}

# pod_conflist NAME SUBNET: conf/krafty-host-local.conflist named NAME on SUBNET (gateway
# .1, host-local's range the whole subnet), "vrf": false on a kernel without VRF.
pod_conflist() {
	local name=$1 subnet=$2 vrf=0 tmp
	clients_vrf_available && vrf=1
	tmp=$(mktemp)
	"$PY" "$CLIENTS_DIR/conf-facts.py" "$CONF_DIR/krafty-host-local.conflist" "$tmp" "$vrf" >/dev/null ||
		{ rm -f "$tmp"; return 1; }
	jq --arg name "$name" --arg net "$subnet" --arg gw "${subnet%.0/24}.1" '
		.name = $name
		| .plugins[0].subnet = $net | .plugins[0].gateway = $gw
		| .plugins[0].ipam.ranges = [[{subnet: $net, gateway: $gw}]]' "$tmp"
	rm -f "$tmp"
}

# pm_checked ARGS...: podman, whose stderr must hold no error (podman logs a failed CNI
# call as level=error or warning and may still exit 0).
pm_checked() {
	local rc=0
	pm "$@" 2>"$T/pm.err" || rc=$?
	if ((rc)) || grep -qE 'level=(error|warning)|Error:|Sanitizer|runtime error' "$T/pm.err"; then
		echo "podman $* (rc $rc):" >&2
		cat "$T/pm.err" >&2
		return 1
	fi
}

# start_pod NETWORK: podman run -d; sets CID (64 hex).
start_pod() {
	CID=$(pm_checked run -d --name "$NAME" --network "$1" "${PODMAN_RUN_OPTS[@]}" "$PODMAN_IMAGE" sleep 600) ||
		return 1
	[[ $CID =~ ^[0-9a-f]{64}$ ]] || clients_fail "not a container ID: $CID"
}

# assert_attached NETWORK IFNAME SUBNET: `podman inspect` shows the address krafty's
# result gave (libcni's cache) and host-local reserved; the container's netns holds
# IFNAME with it and a default route via the gateway; the host holds krafty's links.
# Sets IP.
assert_attached() {
	local net=$1 ifn=$2 subnet=$3 gw ip prefix cache got key
	gw=${subnet%.0/24}.1
	got=$(pm inspect --format '{{json .NetworkSettings}}' "$NAME") || return 1
	ip=$(jq -r --arg n "$net" '.Networks[$n].IPAddress // empty' <<<"$got")
	prefix=$(jq -r --arg n "$net" '.Networks[$n].IPPrefixLen // empty' <<<"$got")
	key=$(jq -r '.SandboxKey' <<<"$got")
	echo "podman inspect: $net $ip/$prefix, gateway $(jq -r --arg n "$net" '.Networks[$n].Gateway' <<<"$got"), netns $key"
	[[ -n $ip ]] || clients_fail "podman inspect shows no address on $net: $got" || return 1
	in_subnet "$ip" "$subnet" || clients_fail "$ip is outside $subnet" || return 1
	cache=$PODMAN_DIR/cni/lib/results/$net-$CID-$ifn
	[[ -f $cache ]] || clients_fail "no libcni cache entry $cache" || return 1
	[[ $(jq -r '.result.ips[0].address' "$cache") == "$ip/$prefix" ]] ||
		clients_fail "podman says $ip/$prefix, krafty's result $(jq -c .result.ips "$cache")" || return 1
	[[ $(ipam_reservations "$PODMAN_DIR/cni/lib/networks" "$CID") == *"$ip"* ]] ||
		clients_fail "host-local holds no $ip for $CID" || return 1

	got=$(pm_ns nsenter --net="$key" ip -j addr show dev "$ifn") || clients_fail "no $ifn in $key" || return 1
	[[ $(jq -r '[.[0].addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)"] | join(" ")' \
		<<<"$got") == "$ip/$prefix" ]] || clients_fail "$ifn's IPv4 addresses: $got" || return 1
	got=$(pm_ns nsenter --net="$key" ip -j -4 route show default) || return 1
	jq -e --arg gw "$gw" --arg d "$ifn" '[.[] | select(.gateway == $gw and .dev == $d)] | length == 1' \
		<<<"$got" >/dev/null || clients_fail "no default route via $gw on $ifn: $got" || return 1
	# The same seen from inside the container.
	got=$(pm exec "$NAME" ip -o -4 addr show dev "$ifn") || return 1
	[[ $got == *" inet $ip/$prefix "* ]] || clients_fail "in the container: $got" || return 1

	ip -4 route show table all "$ip/32" | grep -q "dev krb" ||
		clients_fail "no host route to $ip via a krafty bridge" || return 1
	IP=$ip
}

# Nothing of container $CID on NETWORK/IFNAME is left: links by alias, reservation,
# index entry, cache entry; no route to ADDR.
assert_released() {
	local net=$1 ifn=$2 addr=$3 got
	[[ ! -e $PODMAN_DIR/cni/lib/results/$net-$CID-$ifn ]] ||
		clients_fail "libcni cache entry $net-$CID-$ifn left" || return 1
	got=$(find "$PODMAN_DIR/cni/lib/networks/$net" -type f \( -name "$addr" -o -name "*$CID*" \) 2>/dev/null)
	[[ -z $got ]] || clients_fail "host-local files left: $got" || return 1
	got=$(ip -4 route show table all "$addr/32")
	[[ -z $got ]] || clients_fail "route to $addr left: $got" || return 1
}

assert_all_gone() {
	local got
	got=$(host_links_of "$CID") || return 1
	[[ -z $got ]] || clients_fail "links of $CID left: $got" || return 1
	got=$(find "$PODMAN_DIR/cni/lib/networks" -type f -regex '.*/[0-9a-f.:]+' 2>/dev/null
		find "$PODMAN_DIR/cni/lib" -name "*$CID*" 2>/dev/null
		find "$PODMAN_DIR/cni/lib/results" "$PODMAN_DIR/netns" -mindepth 1 2>/dev/null)
	[[ -z $got ]] || clients_fail "left under $PODMAN_DIR: $got" || return 1
	got=$(ip -4 route show table all root 10.233.0.0/16 2>/dev/null; ip -4 route show table all root 10.234.0.0/16)
	[[ -z $got ]] || clients_fail "routes to our subnets left: $got" || return 1
	got=$(find "$PODMAN_DIR" -maxdepth 1 -name 'san.*')
	if [[ -n $got ]]; then
		cat "$PODMAN_DIR"/san.* >&2
		clients_fail "sanitizer reports: $got" || return 1
	fi
}

@test "podman: run --network krafty-pod: inspect shows krafty's address; stop and rm leave nothing" {
	start_pod "$NET1"
	assert_attached "$NET1" eth0 10.233.0.0/24
	addr=$IP
	run host_links_of "$CID"
	echo "host links of $CID: $output"
	[[ $output == *krb* && $output == *veth* ]]

	pm_checked stop -t 0 "$NAME"
	[ "$(pm inspect --format '{{.State.Status}}' "$NAME")" = exited ]
	assert_released "$NET1" eth0 "$addr"
	[ -z "$(host_links_of "$CID")" ]
	pm_checked rm "$NAME"
	run pm ps -a --format '{{.ID}}'
	[[ $output != *"${CID:0:12}"* ]]
	assert_all_gone
}

@test "podman: network connect hot-plugs a second krafty network as eth1; disconnect unplugs only it" {
	start_pod "$NET1"
	assert_attached "$NET1" eth0 10.233.0.0/24
	addr1=$IP

	pm_checked network connect "$NET2" "$NAME"
	assert_attached "$NET2" eth1 10.234.0.0/24
	addr2=$IP
	[ "$(host_links_of "$CID" | grep -c '^krb')" -eq 2 ]

	pm_checked network disconnect "$NET2" "$NAME"
	assert_released "$NET2" eth1 "$addr2"
	run pm exec "$NAME" ip link show dev eth1
	[ "$status" -ne 0 ]
	run pm inspect --format '{{json .NetworkSettings.Networks}}' "$NAME"
	[ "$(jq -r 'keys | join(" ")' <<<"$output")" = "$NET1" ]
	# The first attachment is untouched.
	assert_attached "$NET1" eth0 10.233.0.0/24
	[ "$IP" = "$addr1" ]
	[ "$(host_links_of "$CID" | grep -c '^krb')" -eq 1 ]

	pm_checked stop -t 0 "$NAME"
	pm_checked rm "$NAME"
	assert_released "$NET1" eth0 "$addr1"
	assert_all_gone
}
