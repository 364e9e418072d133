#!/usr/bin/env bats
# Our plugins on kubelet's path: containerd 1.6's CRI plugin, driven over its gRPC socket
# the way kubelet drives it (tests/clients/cri.py: RunPodSandbox, PodSandboxStatus,
# StopPodSandbox, RemovePodSandbox, ListPodSandbox, Status, Version). A private containerd
# with the CRI plugin on (tests/clients/containerd.sh, CTRD_CRI=1): its own root, state,
# socket and mount namespace, libcni's cache and host-local's dataDir in
# $CTRD_DIR/cni/lib, a pause image built here as sandbox_image, our build and the
# reference `loopback` as the only plugins, and a CNI conf dir whose first conflist is
# conf/krafty-host-local.conflist on 10.230.0.0/24 (name krafty-cri).
#
# CRI passes the 64-hex sandbox ID as CNI_CONTAINERID and eth0 as CNI_IFNAME; the pod
# netns is a bind mount under $CTRD_DIR/state, seen from containerd's mount namespace.
# The runtime handler "crifail" reads $CTRD_DIR/cni/net.d-fail instead: a krafty network
# whose IPAM range lies outside its subnet, so ADD fails after host-local allocated.

load helpers
load ../clients/lib

CRI_NET=krafty-cri
CRI_SUBNET=10.230.0.0/24
FAIL_NET=krafty-crifail

setup_file() {
	# shellcheck source=../clients/containerd.sh
	source "$CLIENTS_DIR/containerd.sh"
	export CTRD_CRI=1
	if ! ctrd_start; then
		echo "containerd with the CRI plugin could not be started (see above)" >&2
		ctrd_stop
		return 1
	fi
	export CTRD_DIR CRI_ADDR=$CTRD_DIR/containerd.sock CRI_PROTO_OUT=$CTRD_DIR/proto
	"$PY" "$CLIENTS_DIR/cri.py" gen "$CRI_PROTO_OUT" || return 1
	install_plugins || return 1
	# Our network first; a later conflist that would fail (its plugin does not exist)
	# shows that containerd runs the first one only (max_conf_num = 1).
	cri_conflist "$CRI_NET" 10.230.0.0/24 10.230.0.0/24 >"$CTRD_DIR/cni/net.d/10-krafty.conflist" || return 1
	jq '.name = "unused" | .plugins[0].type = "krafty-not-installed"' \
		"$CTRD_DIR/cni/net.d/10-krafty.conflist" >"$CTRD_DIR/cni/net.d/90-unused.conflist"
	cri_conflist "$FAIL_NET" 10.231.0.0/24 10.232.0.0/24 >"$CTRD_DIR/cni/net.d-fail/10-krafty.conflist" || return 1
	wait_network_ready || return 1
}

teardown_file() { ctrd_teardown_file; }

setup() {
	ctrd_setup || return 1
	LOG_OFFSET=$(stat -c %s "$CTRD_DIR/containerd.log")
	NAME=cri-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
}

teardown() {
	local id
	# Every sandbox this test ran and did not remove: through CRI first (DEL), then what
	# is left on the host.
	if [[ -s $T/sandboxes ]]; then
		# shellcheck disable=SC2046
		cri teardown $(cat "$T/sandboxes") >/dev/null 2>&1
		while read -r id; do
			host_links_cleanup "$id"
		done <"$T/sandboxes"
	fi
	clients_tmp_cleanup
}

# ---- helpers ----------------------------------------------------------------

cri() {
	"$PY" "$CLIENTS_DIR/cri.py" "$@"
}

# Our build, and the reference loopback (CRI sets up lo with it), are the only plugins.
install_plugins() {
	local d f dirs
	IFS=: read -ra dirs <<<"$PLUGIN_PATH"
	for d in "${dirs[@]}"; do
		for f in "$d"/*; do
			[[ -f $f && -x $f && ! -e $CTRD_DIR/cni/bin/${f##*/} ]] && cp "$f" "$CTRD_DIR/cni/bin/"
		done
	done
	[[ -x /usr/lib/cni/loopback ]] ||
		clients_fail "/usr/lib/cni/loopback missing (containernetworking-plugins)" || return 1
	cp /usr/lib/cni/loopback "$CTRD_DIR/cni/bin/"
	[[ -x $CTRD_DIR/cni/bin/krafty && -x $CTRD_DIR/cni/bin/host-local ]] ||
		clients_fail "krafty or host-local not built in $PLUGIN_PATH"
}

# cri_conflist NAME SUBNET IPAM_SUBNET: conf/krafty-host-local.conflist as shipped, but
# named NAME, on SUBNET (gateway .1) with host-local's range on IPAM_SUBNET; fed to krafty
# with "vrf": false on a kernel without VRF (tests/clients/conf-facts.py, as the other
# client tests do).
cri_conflist() {
	local name=$1 subnet=$2 ipam=$3 vrf=0 tmp
	clients_vrf_available && vrf=1
	tmp=$(mktemp)
	"$PY" "$CLIENTS_DIR/conf-facts.py" "$CONF_DIR/krafty-host-local.conflist" "$tmp" "$vrf" >/dev/null ||
		{ rm -f "$tmp"; return 1; }
	jq --arg name "$name" --arg net "$subnet" --arg gw "${subnet%.0/24}.1" \
		--arg inet "$ipam" --arg igw "${ipam%.0/24}.1" '
		.name = $name
		| .plugins[0].subnet = $net | .plugins[0].gateway = $gw
		| .plugins[0].ipam.ranges = [[{subnet: $inet, gateway: $igw}]]' "$tmp"
	rm -f "$tmp"
}

wait_network_ready() {
	local i out
	for ((i = 0; i < 50; i++)); do
		out=$(cri status) && [[ $(jq -r '.RuntimeReady and .NetworkReady' <<<"$out") == true ]] &&
			return 0
		sleep 0.1
	done
	echo "the CRI runtime is not ready: $out" >&2
	return 1
}

# run_sandbox NAME [cri.py run options]: RunPodSandbox; sets SID (listed for teardown).
run_sandbox() {
	SID=$(cri run "$@" --logdir "$CTRD_DIR/logs") || return 1
	[[ $SID =~ ^[0-9a-f]{64}$ ]] || clients_fail "not a sandbox ID: $SID" || return 1
	echo "$SID" >>"$T/sandboxes"
}

# The sandbox is gone from the list kept for teardown.
forget() {
	local id
	for id in "$@"; do
		grep -vxF "$id" "$T/sandboxes" >"$T/sandboxes.new" || true
		mv "$T/sandboxes.new" "$T/sandboxes"
	done
}

# in_pod NETNS CMD...: CMD in the sandbox's network namespace (its file is a mount in
# containerd's mount namespace).
in_pod() {
	local ns=$1
	shift
	ctrd_in_ns nsenter --net="$ns" -- "$@"
}

# assert_sandbox_attached JSON (one line of `cri.py inspect`): READY; its IP is the one
# krafty returned (libcni's cache, containerd's copy of the result) and host-local
# reserved for it; the pod netns (the pause process's) holds eth0 with it and the routes
# via the gateway; the host holds krafty's bridge and veth and the /32 route. Sets IP.
assert_sandbox_attached() {
	local js=$1 id ip cache cached ns pid got
	id=$(jq -r .id <<<"$js")
	ip=$(jq -r .ip <<<"$js")
	[[ $(jq -r .state <<<"$js") == SANDBOX_READY ]] || clients_fail "$id is not ready: $js" || return 1
	[[ -n $ip ]] || clients_fail "no pod IP in PodSandboxStatus of $id" || return 1
	in_subnet "$ip" "$CRI_SUBNET" || clients_fail "$ip is outside $CRI_SUBNET" || return 1
	cache=$CTRD_DIR/cni/lib/results/$CRI_NET-$id-eth0
	[[ -f $cache ]] || clients_fail "no libcni cache entry $cache" || return 1
	cached=$(jq -r '.result.ips[0].address' "$cache")
	[[ $cached == "$ip/24" ]] ||
		clients_fail "PodSandboxStatus says $ip, krafty's cached result $cached" || return 1
	got=$(jq -r '.cni_result.Interfaces.eth0.IPConfigs[0].IP' <<<"$js")
	[[ $got == "$ip" ]] || clients_fail "containerd's CNI result for eth0 has $got, not $ip" || return 1
	got=$(ipam_reservations "$CTRD_DIR/cni/lib/networks" "$id")
	[[ $got == "$ip" ]] || clients_fail "host-local holds '$got' for $id, not $ip" || return 1

	ns=$(jq -r .netns <<<"$js")
	pid=$(jq -r .pid <<<"$js")
	[[ $ns == "$CTRD_DIR"/state/* ]] || clients_fail "netns $ns is not under our state dir" || return 1
	[[ $(ctrd_in_ns stat -L -c %i "$ns") == $(stat -L -c %i "/proc/$pid/ns/net") ]] ||
		clients_fail "$ns is not the netns of the sandbox process $pid" || return 1
	got=$(in_pod "$ns" ip -j addr show dev eth0) || clients_fail "no eth0 in $ns" || return 1
	[[ $(jq -r '.[0].operstate' <<<"$got") == UP ]] || clients_fail "eth0 is not up: $got" || return 1
	[[ $(jq -r '[.[0].addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)"] | join(" ")' \
		<<<"$got") == "$ip/24" ]] || clients_fail "eth0's IPv4 addresses: $got" || return 1
	got=$(in_pod "$ns" ip -j -4 route show) || return 1
	jq -e '[.[] | select(.dst == "default" and .gateway == "10.230.0.1" and .dev == "eth0")] | length == 1' \
		<<<"$got" >/dev/null || clients_fail "no default route via 10.230.0.1 on eth0: $got" || return 1
	jq -e '[.[] | select(.dst == "10.230.0.0/24" and .dev == "eth0")] | length == 1' \
		<<<"$got" >/dev/null || clients_fail "no route to 10.230.0.0/24 on eth0: $got" || return 1

	got=$(host_links_of "$id") || return 1
	grep -q "^krb" <<<"$got" && grep -q "^veth" <<<"$got" ||
		clients_fail "krafty's bridge and veth for $id are missing: $got" || return 1
	# (In the main table without VRF, in the network's table with it.)
	ip -4 route show table all "$ip/32" | grep -q "dev krb" ||
		clients_fail "no host route to $ip via a krafty bridge: $(ip -4 route show table all "$ip/32")" || return 1
	IP=$ip
}

# assert_nothing_left ID...: no device, route, IPAM reservation, index entry or libcni
# cache entry of these sandboxes, and no sandbox with their IDs in ListPodSandbox.
assert_nothing_left() {
	local id got list
	list=$(cri ls) || return 1
	for id in "$@"; do
		got=$(host_links_of "$id") || return 1
		[[ -z $got ]] || clients_fail "links of $id left: $got" || return 1
		got=$(ipam_reservations "$CTRD_DIR/cni/lib/networks" "$id")
		[[ -z $got ]] || clients_fail "host-local still holds $got for $id" || return 1
		got=$(grep -rlsF -- "$id" "$CTRD_DIR/cni/lib" 2>/dev/null; find "$CTRD_DIR/cni/lib" -name "*$id*")
		[[ -z $got ]] || clients_fail "files naming $id left: $got" || return 1
		[[ $list != *"$id"* ]] || clients_fail "$id is still listed: $list" || return 1
	done
}

# No reservation at all in our networks' dataDirs, no cache entry, no route to our
# subnets, no pod netns left (what the tests ran is all gone).
assert_all_released() {
	local got
	got=$(find "$CTRD_DIR/cni/lib/networks" -type f -regex '.*/[0-9a-f.:]+' 2>/dev/null)
	[[ -z $got ]] || clients_fail "IPAM reservations left: $got" || return 1
	got=$(find "$CTRD_DIR/cni/lib/results" -type f 2>/dev/null)
	[[ -z $got ]] || clients_fail "libcni cache entries left: $got" || return 1
	got=$(ip -4 route show table all root 10.230.0.0/15; ip -4 route show table all root 10.232.0.0/24)
	[[ -z $got ]] || clients_fail "routes to our subnets left: $got" || return 1
	got=$(find "$CTRD_DIR/state/io.containerd.grpc.v1.cri/netns" -mindepth 1 2>/dev/null)
	[[ -z $got ]] || clients_fail "pod netns files left: $got" || return 1
}

# containerd's log since the test began: the plugins' stderr lands there (the sanitizer
# suite's reports too), and containerd logs failed CNI calls.
assert_log_clean() {
	local new
	new=$(tail -c +"$((LOG_OFFSET + 1))" "$CTRD_DIR/containerd.log")
	if grep -aE 'Sanitizer|runtime error:|failed to destroy network|TearDown network .* failed' <<<"$new"; then
		clients_fail "containerd's log shows plugin errors (above)" || return 1
	fi
}

# ---- tests ------------------------------------------------------------------

@test "cri: Version and Status over runtime.v1 and v1alpha2; NetworkReady with our conflist" {
	run cri version
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r .runtime_name <<<"$output")" = containerd ]
	[ "$(jq -r .runtime_api_version <<<"$output")" = v1 ]
	run cri --api v1alpha2 version
	[ "$status" -eq 0 ]
	[ "$(jq -r .runtime_api_version <<<"$output")" = v1alpha2 ]
	run cri status
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.RuntimeReady and .NetworkReady' <<<"$output")" = true ]
}

@test "cri: the client harness passes shellcheck; cri.proto compiles with grpc_tools" {
	run shellcheck -x -P SCRIPTDIR "$CLIENTS_DIR"/*.sh "$CLIENTS_DIR/lib.bash" \
		"$BATS_TEST_DIRNAME/clients-cri.bats" "$BATS_TEST_DIRNAME/clients-podman.bats"
	echo "$output"
	[ "$status" -eq 0 ]
	# The generated module carries the service and exactly the calls the client makes.
	run "$PY" -c 'import sys; sys.path.insert(0, sys.argv[1]); import cri_pb2
print(" ".join(sorted(cri_pb2.DESCRIPTOR.services_by_name["RuntimeService"].methods_by_name)))' "$CRI_PROTO_OUT"
	echo "$output"
	[ "$output" = "ListPodSandbox PodSandboxStatus RemovePodSandbox RunPodSandbox Status StopPodSandbox Version" ]
}

@test "cri: RunPodSandbox: the pod IP is krafty's, the pod netns holds eth0 and routes; Stop and Remove leave nothing" {
	run_sandbox "$NAME"
	run cri inspect "$SID"
	echo "$output"
	[ "$status" -eq 0 ]
	assert_sandbox_attached "$output"
	echo "sandbox $SID: $IP"
	ns=$(jq -r .netns <<<"$output")
	# CRI gave krafty exactly kubelet's identity of the pod.
	[ "$(jq -r '.result.interfaces[] | select(.name == "eth0") | .sandbox' \
		"$CTRD_DIR/cni/lib/results/$CRI_NET-$SID-eth0")" = "$ns" ]
	[ "$(jq -r .containerId "$CTRD_DIR/cni/lib/results/$CRI_NET-$SID-eth0")" = "$SID" ]
	[ "$(jq -r .ifName "$CTRD_DIR/cni/lib/results/$CRI_NET-$SID-eth0")" = eth0 ]

	run cri stop "$SID"
	echo "$output"
	[ "$status" -eq 0 ]
	run cri inspect "$SID"
	[ "$(jq -r .state <<<"$output")" = SANDBOX_NOTREADY ]
	[ -z "$(host_links_of "$SID")" ]
	[ -z "$(ipam_reservations "$CTRD_DIR/cni/lib/networks" "$SID")" ]
	[ ! -e "$CTRD_DIR/cni/lib/results/$CRI_NET-$SID-eth0" ]
	[ -z "$(ip -4 route show table all "$IP/32")" ]
	[ ! -e "$ns" ]
	# kubelet stops a sandbox more than once: a second Stop (a second DEL) succeeds.
	run cri stop "$SID"
	[ "$status" -eq 0 ]

	run cri rm "$SID"
	[ "$status" -eq 0 ]
	forget "$SID"
	assert_nothing_left "$SID"
	assert_all_released
	assert_log_clean
}

@test "cri: 20 sandboxes run in parallel get 20 addresses; removed in parallel they leave nothing" {
	run cri run-many 20 "$NAME" --label "krafty-test=$NAME" --logdir "$CTRD_DIR/logs"
	[[ -n $output ]] && printf '%s\n' "$output" | grep -E '^[0-9a-f]{64}$' >>"$T/sandboxes"
	echo "$output" | tail -n 5
	[ "$status" -eq 0 ]
	mapfile -t ids <"$T/sandboxes"
	[ "${#ids[@]}" -eq 20 ]
	run cri ls --label "krafty-test=$NAME"
	[ "$(jq 'map(select(.state == "SANDBOX_READY")) | length' <<<"$output")" -eq 20 ]
	run cri inspect "${ids[@]}"
	[ "$status" -eq 0 ]
	ips=()
	while read -r js; do
		assert_sandbox_attached "$js"
		ips+=("$IP")
	done <<<"$output"
	[ "${#ips[@]}" -eq 20 ]
	[ "$(printf '%s\n' "${ips[@]}" | sort -u | wc -l)" -eq 20 ]

	start=$SECONDS
	run cri teardown "${ids[@]}"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "stopped and removed 20 sandboxes in $((SECONDS - start)) s"
	forget "${ids[@]}"
	assert_nothing_left "${ids[@]}"
	assert_all_released
	assert_log_clean
}

@test "cri: a sandbox whose ADD fails is reported with krafty's message and leaves nothing" {
	before=$(cri ls)
	run cri run "$NAME" --handler crifail --logdir "$CTRD_DIR/logs"
	echo "$output"
	[ "$status" -eq 1 ]
	# containerd hands kubelet our message as it is.
	[[ $output == *'plugin type="krafty" failed (add): IPAM plugin host-local returned no address in subnet 10.231.0.0/24'* ]]
	sid=$(grep -oE 'sandbox \\?"[0-9a-f]{64}' <<<"$output" | grep -oE '[0-9a-f]{64}' | head -1)
	[[ $sid =~ ^[0-9a-f]{64}$ ]]
	echo "$sid" >>"$T/sandboxes"
	# host-local allocated and krafty released: nothing of it in the dataDir.
	[ -d "$CTRD_DIR/cni/lib/networks/$FAIL_NET" ]
	[ -z "$(find "$CTRD_DIR/cni/lib/networks/$FAIL_NET" -type f -regex '.*/[0-9a-f.:]+')" ]
	forget "$sid"
	assert_nothing_left "$sid"
	[ "$(cri ls)" = "$before" ]
	assert_all_released
	# Only our message: containerd's own error lines name it; no sanitizer report.
	run grep -aE 'Sanitizer|runtime error:' < <(tail -c +"$((LOG_OFFSET + 1))" "$CTRD_DIR/containerd.log")
	echo "$output"
	[ "$status" -eq 1 ]
}

@test "cri: containerd killed and restarted with sandboxes running can still stop and remove them" {
	run cri run-many 3 "$NAME" --logdir "$CTRD_DIR/logs"
	[[ -n $output ]] && printf '%s\n' "$output" | grep -E '^[0-9a-f]{64}$' >>"$T/sandboxes"
	[ "$status" -eq 0 ]
	mapfile -t ids <"$T/sandboxes"
	[ "${#ids[@]}" -eq 3 ]
	run cri inspect "${ids[@]}"
	[ "$status" -eq 0 ]
	before=$(jq -r '"\(.id) \(.ip) \(.pid)"' <<<"$output" | sort)

	old=$(cat "$CTRD_DIR/containerd.pid")
	ctrd_restart
	[ "$(cat "$CTRD_DIR/containerd.pid")" != "$old" ]
	run _ctrd_alive "$old"
	[ "$status" -ne 0 ]
	wait_network_ready

	# The sandboxes survived the restart: same IPs, same sandbox processes, still wired.
	run cri inspect "${ids[@]}"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r '"\(.id) \(.ip) \(.pid)"' <<<"$output" | sort)" = "$before" ]
	while read -r js; do
		assert_sandbox_attached "$js"
	done <<<"$output"

	run cri teardown "${ids[@]}"
	echo "$output"
	[ "$status" -eq 0 ]
	forget "${ids[@]}"
	assert_nothing_left "${ids[@]}"
	assert_all_released
	assert_log_clean
}
