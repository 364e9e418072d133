#!/usr/bin/env bats
# krafty on this host, whose kernel has no VRF: "vrf": false attaches pods with a
# bridge per pod in the main table; "vrf": true must fail with code 101 and leave
# nothing behind. VRF mode itself runs in the VM (tests/vm/scenarios/2*-krafty*.sh).
#
# Every test owns its names: network names start with $NET (device aliases carry
# them, so teardown finds every device a test made), netns names with $T, a
# temporary host-local dataDir, and the subnet 10.197.<test number>.0/24 (a second
# network 10.198.<n>.0/24, IPv6 fd97:<n>::/64), so that the /32 routes in the main
# table cannot meet another test's. IPAM is our host-local (CNI_PATH=$BIN).

load helpers

setup() {
	T=kt${BATS_TEST_NUMBER}p$$
	NET=krnet-$T
	N=$BATS_TEST_NUMBER
	DATA=$(mktemp -d /tmp/krafty-ipam.XXXXXX)
	export CNI_PATH=$BIN
	TABLES=()
}

teardown() {
	local d t
	for d in $(kr_devices) $(ip -j link show | jq -r --arg a "hand-made $T" '.[] | select(.ifalias == $a) | .ifname'); do
		ip link del "$d" 2>/dev/null || true
	done
	for t in "${TABLES[@]}"; do
		ip route del table "$t" unreachable default metric 4278198272 2>/dev/null || true
		ip -6 route del table "$t" unreachable default metric 4278198272 2>/dev/null || true
	done
	# pod() runs in $(...): its netns are found by name, not in a variable.
	netns_cleanup $(ip netns list | awk -v p="$T-" 'index($1, p) == 1 {print $1}')
	ip link del "h$T" 2>/dev/null || true
	rm -rf "$DATA"
}

# --- helpers -------------------------------------------------------------

# Devices whose alias says they belong to a network of this test.
kr_devices() {
	ip -j link show | jq -r --arg re "^krafty [0-9a-f]{16} ${NET}[^/]*/" \
		'.[] | select((.ifalias // "") | test($re)) | .ifname'
}

# pod NAME: a netns for this test ($T-NAME, removed by teardown); prints its path.
pod() {
	netns_make "$T-$1"
}

cid() { echo "kr${N}x$$${1:-}"; }

# conf VERSION [JQ-FILTER]: krafty + host-local on 10.197.N.0/24, "vrf": false.
conf() {
	local ver=$1 filter=${2:-.}
	jq -nc --arg v "$ver" --arg n "$NET" --arg d "$DATA" --arg s "10.197.$N" '{
		cniVersion: $v, name: $n, type: "krafty", vrf: false,
		subnet: "\($s).0/24", gateway: "\($s).1",
		ipam: {type: "host-local", dataDir: $d,
		       ranges: [[{subnet: "\($s).0/24", rangeStart: "\($s).10", rangeEnd: "\($s).250"}]],
		       routes: [{dst: "0.0.0.0/0"}]}} | '"$filter"
}

# A conflist from conf/ as a runtime hands its first plugin over: name and
# cniVersion added; the IPAM dataDir moved to this test's directory.
shipped() {
	jq -c --arg n "$NET" --arg d "$DATA" \
		'.plugins[0] + {name: $n, cniVersion: .cniVersion} | if .ipam then .ipam.dataDir = $d else . end' \
		"$REPO/conf/$1"
}

# kr CMD CONF CID NETNS IFNAME: one krafty call ($status, $output).
kr() {
	CNI_CONTAINERID=$3 CNI_NETNS=$4 CNI_IFNAME=$5 cni_exec krafty "$1" "$2"
}

with_prev() { jq -c --argjson p "$2" '. + {prevResult: $p}' <<<"$1"; }

ok_json() {
	if [[ $status -ne 0 ]]; then
		echo "exit $status: $output" >&2
		return 1
	fi
	jq -e . >/dev/null <<<"$output" || { echo "not JSON: $output" >&2; return 1; }
}

# Files by which the IPAM plugin holds addresses (not its lock and bookkeeping).
ipam_files() {
	find "$DATA" -type f ! -name lock ! -name 'last_reserved_ip*' ! -name stamp ! -name 'spare.[0-9]*'
}

ping_from() { # NETNS ADDR [IFACE]
	local extra=()
	[[ -n ${3:-} ]] && extra=(-I "$3")
	ip netns exec "$1" busybox ping -c1 -W2 "${extra[@]}" "$2" >/dev/null
}

# Nothing of the test's networks on the node, in the pod, or in IPAM.
assert_nothing_left() { # NETNS-NAME [POD-ADDR]
	local devs left routes
	devs=$(kr_devices)
	[[ -z $devs ]] || { echo "devices left: $devs" >&2; return 1; }
	left=$(ip -n "$1" -o link show | awk -F': ' '$2 != "lo" {print $2}')
	[[ -z $left ]] || { echo "pod interfaces left: $left" >&2; return 1; }
	if [[ -n ${2:-} ]]; then
		routes=$(ip route show table all | grep -F "$2" || true)
		# Other suites may use the shipped configs' subnets: there, only this test's devices count.
		[[ $2 == 10.19[78].* ]] || routes=$(grep -E "dev (krb|krv|veth)kr${N}x" <<<"$routes" || true)
		[[ -z $routes ]] || { echo "routes left: $routes" >&2; return 1; }
	fi
	[[ -z $(ipam_files) ]] || { echo "IPAM files left: $(ipam_files)" >&2; return 1; }
	# A device an ADD created has a temporary name until it is adopted.
	left=$(ip -o link show | awk -F': ' '$2 ~ /^kt[vbh][0-9a-f]+(@|$)/ {print $2}')
	[[ -z $left ]] || { echo "devices under a temporary name left: $left" >&2; return 1; }
}

pod_addr() { jq -r '.ips[0].address | split("/")[0]' <<<"$1"; }

# No device of container ID $1 on the node (a failed ADD undid itself).
assert_nothing_left_of() {
	local devs
	devs=$(ip -j link show | jq -r --arg c "/$1" '.[] | select((.ifalias // "") | endswith($c)) | .ifname')
	[[ -z $devs ]] || { echo "devices of $1 left: $devs" >&2; return 1; }
}

# --- ADD / CHECK / DEL ---------------------------------------------------

@test "krafty: ADD, CHECK, DEL in every cniVersion; the result lists bridge, veth, pod interface" {
	local v ns id prev ip
	ns=$(pod a)
	for v in 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0; do
		id=$(cid "${v//./}")
		kr ADD "$(conf "$v")" "$id" "$ns" net1
		ok_json
		prev=$output
		[ "$(jq -r .cniVersion <<<"$prev")" = "$v" ]
		[ "$(jq -r '.interfaces | length' <<<"$prev")" = 3 ]
		[ "$(jq -r '.interfaces[0].name' <<<"$prev")" = "krb${id:0:12}" ]
		[ "$(jq -r '.interfaces[1].name' <<<"$prev")" = "veth${id:0:11}" ]
		[ "$(jq -r '.interfaces[2].name' <<<"$prev")" = net1 ]
		[ "$(jq -r '.interfaces[2].sandbox' <<<"$prev")" = "$ns" ]
		[ "$(jq -r '.interfaces[2].mac' <<<"$prev")" = "$(ip -n "$T-a" -j link show net1 | jq -r '.[0].address')" ]
		[ "$(jq -r '.ips[0].interface' <<<"$prev")" = 2 ]
		[ "$(jq -r '.ips[0].gateway' <<<"$prev")" = "10.197.$N.1" ]
		[ "$(jq -c '.routes' <<<"$prev")" = '[{"dst":"0.0.0.0/0"}]' ]
		case $v in
		0.*) [ "$(jq -r '.ips[0].version' <<<"$prev")" = 4 ] ;;
		*) [ "$(jq -r '.ips[0].version' <<<"$prev")" = null ] ;;
		esac
		ip=$(pod_addr "$prev")
		ip -n "$T-a" -o addr show dev net1 | grep -q "inet $ip/24"
		ip route show | grep -q "^$ip dev krb${id:0:12} proto 75 scope link"
		ping_from "$T-a" "10.197.$N.1"
		if [[ $v != 0.3.* ]]; then
			kr CHECK "$(with_prev "$(conf "$v")" "$prev")" "$id" "$ns" net1
			[ "$status" -eq 0 ] || { echo "CHECK: $output" >&2; false; }
		fi
		kr DEL "$(conf "$v")" "$id" "$ns" net1
		[ "$status" -eq 0 ]
		assert_nothing_left "$T-a" "$ip"
	done
}

@test "krafty: node side: gateway on the bridge without its prefix route, per-device sysctls only" {
	local ns id br
	ns=$(pod a)
	id=$(cid)
	br=krb${id:0:12}
	local fwd_all rpf_all
	fwd_all=$(cat /proc/sys/net/ipv4/conf/all/forwarding)
	rpf_all=$(cat /proc/sys/net/ipv4/conf/all/rp_filter)
	kr ADD "$(conf 1.0.0)" "$id" "$ns" net1
	ok_json
	ip -o addr show dev "$br" | grep -q "inet 10.197.$N.1/24 .*noprefixroute"
	! ip route show | grep -q "^10.197.$N.0/24"
	[ "$(cat /proc/sys/net/ipv4/conf/$br/forwarding)" = 1 ]
	[ "$(cat /proc/sys/net/ipv4/conf/$br/rp_filter)" = 0 ]
	# No IPv6 on the bridge of an IPv4-only network, nor on the bridge port.
	[ "$(cat /proc/sys/net/ipv6/conf/$br/disable_ipv6)" = 1 ]
	[ "$(cat "/proc/sys/net/ipv6/conf/veth${id:0:11}/disable_ipv6")" = 1 ]
	[ "$(cat /proc/sys/net/ipv4/conf/all/forwarding)" = "$fwd_all" ]
	[ "$(cat /proc/sys/net/ipv4/conf/all/rp_filter)" = "$rpf_all" ]
	[ "$(ip -j link show "veth${id:0:11}" | jq -r '.[0].master')" = "$br" ]
	[ "$(ip -j link show "$br" | jq -r '.[0].ifalias')" = "krafty $(ip -j link show "$br" | jq -r '.[0].ifalias' | cut -d' ' -f2) $NET/net1/$id" ]
	# The pod interface carries the same alias: that is how a later ADD knows its own leftovers.
	[ "$(ip -n "$T-a" -j link show net1 | jq -r '.[0].ifalias')" = "$(ip -j link show "$br" | jq -r '.[0].ifalias')" ]
	# Both veth ends have one tx and one rx queue (what the kernel uses by default, asked
	# for at creation).
	[ "$(ls "/sys/class/net/veth${id:0:11}/queues" | tr '\n' ' ')" = "rx-0 tx-0 " ]
	[ "$(ip netns exec "$T-a" ls /sys/class/net/net1/queues | tr '\n' ' ')" = "rx-0 tx-0 " ]
	[ "$(ip -d -j link show "veth${id:0:11}" | jq -r '.[0].num_tx_queues')" = 1 ]
}

@test "krafty: DEL twice, DEL without netns, DEL after the netns is gone" {
	local ns id ip
	ns=$(pod a)
	id=$(cid)
	kr ADD "$(conf 1.0.0)" "$id" "$ns" net1
	ok_json
	ip=$(pod_addr "$output")
	kr DEL "$(conf 1.0.0)" "$id" "$ns" net1
	[ "$status" -eq 0 ]
	kr DEL "$(conf 1.0.0)" "$id" "$ns" net1
	[ "$status" -eq 0 ]
	assert_nothing_left "$T-a" "$ip"

	kr ADD "$(conf 1.0.0)" "$id" "$ns" net1
	ok_json
	ip netns del "$T-a"
	kr DEL "$(conf 1.0.0)" "$id" "$ns" net1
	[ "$status" -eq 0 ]
	kr DEL "$(conf 1.0.0)" "$id" "" net1
	[ "$status" -eq 0 ]
	[ -z "$(kr_devices)" ]
	[ -z "$(ipam_files)" ]
	! ip route show | grep -q "^$ip "
}

@test "krafty: ADD onto an existing CNI_IFNAME fails with 102 and leaves that interface and the node untouched" {
	local ns id before after
	ns=$(pod a)
	id=$(cid)
	ip link add "h$T" type veth peer name net1 netns "$T-a"
	ip -n "$T-a" addr add 192.0.2.99/32 dev net1
	before=$(ip -n "$T-a" -j addr show dev net1 | jq -c '.[0] | {address, addr_info, ifalias}')
	kr ADD "$(conf 1.0.0)" "$id" "$ns" net1
	assert_cni_error 102
	[[ $(jq -r .msg <<<"$output") == *net1* ]]
	after=$(ip -n "$T-a" -j addr show dev net1 | jq -c '.[0] | {address, addr_info, ifalias}')
	[ "$before" = "$after" ]
	[ -z "$(kr_devices)" ]
	[ -z "$(ipam_files)" ]
	# DEL of that attachment must not delete someone else's interface either.
	kr DEL "$(conf 1.0.0)" "$id" "$ns" net1
	[ "$status" -eq 0 ]
	ip -n "$T-a" link show net1
}

@test "krafty: a pod's existing eth0 default route stays in charge; ours gets the metric; a second attachment moves up" {
	local ns id
	ns=$(pod a)
	id=$(cid)
	ip link add "h$T" type veth peer name eth0 netns "$T-a"
	ip link set "h$T" up
	ip -n "$T-a" addr add 192.0.2.10/24 dev eth0
	ip -n "$T-a" link set eth0 up
	ip -n "$T-a" route add default via 192.0.2.1 dev eth0
	kr ADD "$(conf 1.0.0)" "$id" "$ns" net1
	ok_json
	kr ADD "$(conf 1.0.0 '.defaultRouteMetric = 1024')" "$id" "$ns" net2
	ok_json
	run ip -n "$T-a" -j route show default
	[ "$(jq -r '.[0].dev' <<<"$output")" = eth0 ]
	[ "$(jq -r '.[0].metric // 0' <<<"$output")" = 0 ]
	[ "$(jq -r '.[] | select(.dev == "net1") | .metric' <<<"$output")" = 1024 ]
	[ "$(jq -r '.[] | select(.dev == "net2") | .metric' <<<"$output")" = 1025 ]
	[ "$(jq -r '.[] | select(.dev == "net1") | .gateway' <<<"$output")" = "10.197.$N.1" ]
	ip -n "$T-a" route get 198.51.100.1 | grep -q "dev eth0"
}

@test "krafty: two attachments in one pod (two ifnames, and a second network) get distinct devices and both work" {
	local ns id p1 p2 p3 net2conf
	ns=$(pod a)
	id=$(cid)
	net2conf=$(conf 1.0.0 ".name = \"$NET-b\" | .subnet = \"10.198.$N.0/24\" | .gateway = \"10.198.$N.1\"
		| .ipam.ranges = [[{subnet: \"10.198.$N.0/24\"}]]")
	kr ADD "$(conf 1.0.0)" "$id" "$ns" net1
	ok_json
	p1=$output
	kr ADD "$(conf 1.0.0)" "$id" "$ns" net2
	ok_json
	p2=$output
	kr ADD "$net2conf" "$id" "$ns" net3
	ok_json
	p3=$output
	# The first keeps the seed's names; the others take the collision-free form.
	[ "$(jq -r '.interfaces[0].name' <<<"$p1")" = "krb${id:0:12}" ]
	[[ $(jq -r '.interfaces[0].name' <<<"$p2") =~ ^krb${id:0:6}[0-9a-f]{6}$ ]]
	[[ $(jq -r '.interfaces[1].name' <<<"$p2") =~ ^veth${id:0:5}[0-9a-f]{6}$ ]]
	[[ $(jq -r '.interfaces[0].name' <<<"$p3") =~ ^krb${id:0:6}[0-9a-f]{6}$ ]]
	[ "$(jq -r '.interfaces[0].name' <<<"$p2")" != "$(jq -r '.interfaces[0].name' <<<"$p3")" ]
	[ "$(kr_devices | wc -l)" -eq 6 ]
	ping_from "$T-a" "10.197.$N.1" net1
	ping_from "$T-a" "10.197.$N.1" net2
	ping_from "$T-a" "10.198.$N.1" net3
	# DEL of one attachment leaves the others whole.
	kr DEL "$(conf 1.0.0)" "$id" "$ns" net1
	[ "$status" -eq 0 ]
	[ "$(kr_devices | wc -l)" -eq 4 ]
	kr CHECK "$(with_prev "$(conf 1.0.0)" "$p2")" "$id" "$ns" net2
	[ "$status" -eq 0 ] || { echo "$output" >&2; false; }
	kr CHECK "$(with_prev "$net2conf" "$p3")" "$id" "$ns" net3
	[ "$status" -eq 0 ] || { echo "$output" >&2; false; }
	ping_from "$T-a" "10.197.$N.1" net2
	kr DEL "$(conf 1.0.0)" "$id" "$ns" net2
	kr DEL "$net2conf" "$id" "$ns" net3
	assert_nothing_left "$T-a"
}

@test "krafty: two pods, then 20 pods of one network each reach their gateway" {
	local i ns ids=()
	for i in $(seq 1 20); do
		ns=$(pod "p$i")
		ids+=("$(cid "p$i")")
		kr ADD "$(conf 1.0.0)" "${ids[-1]}" "$ns" net1
		ok_json
		if ((i == 2)); then
			ping_from "$T-p1" "10.197.$N.1"
			ping_from "$T-p2" "10.197.$N.1"
		fi
	done
	for i in $(seq 1 20); do
		ping_from "$T-p$i" "10.197.$N.1" || { echo "pod $i cannot reach its gateway" >&2; false; }
	done
	[ "$(ip route show proto 75 | grep -c "dev krb")" -ge 20 ]
	for i in $(seq 1 20); do
		kr DEL "$(conf 1.0.0)" "${ids[$((i - 1))]}" "/run/netns/$T-p$i" net1
		[ "$status" -eq 0 ]
	done
	[ -z "$(kr_devices)" ]
	[ -z "$(ipam_files)" ]
}

@test "krafty: static podIP from conf/krafty-static.conflist (vrf false), with and without prefix" {
	local ns id c
	ns=$(pod a)
	id=$(cid)
	c=$(shipped krafty-static.conflist | jq -c '.vrf = false')
	kr ADD "$c" "$id" "$ns" net1
	ok_json
	[ "$(jq -r '.ips[0].address' <<<"$output")" = 172.16.11.10/24 ]
	[ "$(jq -c '.routes' <<<"$output")" = '[{"dst":"0.0.0.0/0","gw":"172.16.11.1"}]' ]
	ip -n "$T-a" route show default | grep -q "via 172.16.11.1 dev net1 metric 1024"
	ping_from "$T-a" 172.16.11.1
	kr CHECK "$(with_prev "$c" "$output")" "$id" "$ns" net1
	[ "$status" -eq 0 ]
	kr DEL "$c" "$id" "$ns" net1
	[ "$status" -eq 0 ]
	assert_nothing_left "$T-a" 172.16.11.10
	c=$(jq -c '.podIP = "172.16.11.10"' <<<"$c")
	kr ADD "$c" "$id" "$ns" net1
	ok_json
	[ "$(jq -r '.ips[0].address' <<<"$output")" = 172.16.11.10/24 ]
	kr DEL "$c" "$id" "$ns" net1
	assert_nothing_left "$T-a" 172.16.11.10
}

@test "krafty: conf/krafty-host-local.conflist as shipped: 101 here (no VRF), and with vrf false it attaches" {
	local ns id c
	ns=$(pod a)
	id=$(cid)
	c=$(shipped krafty-host-local.conflist)
	[ "$(jq -r .cniVersion <<<"$c")" = 1.0.0 ]
	kr ADD "$c" "$id" "$ns" net1
	assert_cni_error 101
	assert_nothing_left "$T-a"
	c=$(jq -c '.vrf = false' <<<"$c")
	kr ADD "$c" "$id" "$ns" net1
	ok_json
	[[ $(jq -r '.ips[0].address' <<<"$output") == 172.16.10.* ]]
	ping_from "$T-a" 172.16.10.1
	kr DEL "$c" "$id" "$ns" net1
	[ "$status" -eq 0 ]
	assert_nothing_left "$T-a"
}

@test "krafty: IPv6, and dual stack" {
	local ns id c p6
	ns=$(pod a)
	id=$(cid)
	p6="fd97:$N::"
	c=$(conf 1.1.0 ".subnet = \"${p6}/64\" | .gateway = \"${p6}1\"
		| .ipam.ranges = [[{subnet: \"${p6}/64\", rangeStart: \"${p6}10\", rangeEnd: \"${p6}ff\"}]]
		| .ipam.routes = [{dst: \"::/0\"}]")
	kr ADD "$c" "$id" "$ns" net1
	ok_json
	[[ $(jq -r '.ips[0].address' <<<"$output") == "${p6}"*/64 ]]
	ip -o -6 addr show dev "krb${id:0:12}" | grep -q "${p6}1/64"
	ip -6 route show | grep -q "^$(pod_addr "$output") dev krb${id:0:12} proto 75"
	[ "$(cat "/proc/sys/net/ipv6/conf/krb${id:0:12}/forwarding")" = 1 ]
	ip -n "$T-a" -6 route show default | grep -q "via ${p6}1 dev net1 metric 1024"
	ping_from "$T-a" "${p6}1"
	kr CHECK "$(with_prev "$c" "$output")" "$id" "$ns" net1
	[ "$status" -eq 0 ] || { echo "$output" >&2; false; }
	kr DEL "$c" "$id" "$ns" net1
	assert_nothing_left "$T-a"

	c=$(conf 1.1.0 ".subnet = [\"10.197.$N.0/24\", \"${p6}/64\"] | .gateway = [\"10.197.$N.1\", \"${p6}1\"]
		| .ipam.ranges += [[{subnet: \"${p6}/64\"}]] | .ipam.routes += [{dst: \"::/0\"}]")
	kr ADD "$c" "$id" "$ns" net1
	ok_json
	[ "$(jq -r '.ips | length' <<<"$output")" = 2 ]
	ping_from "$T-a" "10.197.$N.1"
	ping_from "$T-a" "${p6}1"
	kr CHECK "$(with_prev "$c" "$output")" "$id" "$ns" net1
	[ "$status" -eq 0 ] || { echo "$output" >&2; false; }
	kr DEL "$c" "$id" "$ns" net1
	assert_nothing_left "$T-a"
}

@test "krafty: mtu applies to the veth pair and the bridge" {
	local ns id
	ns=$(pod a)
	id=$(cid)
	kr ADD "$(conf 1.0.0 '.mtu = 1400')" "$id" "$ns" net1
	ok_json
	[ "$(ip -n "$T-a" -j link show net1 | jq -r '.[0].mtu')" = 1400 ]
	[ "$(ip -j link show "veth${id:0:11}" | jq -r '.[0].mtu')" = 1400 ]
	[ "$(ip -j link show "krb${id:0:12}" | jq -r '.[0].mtu')" = 1400 ]
}

# --- kill -9 at every step -----------------------------------------------

# pause_add_at STEP CONF CID NETNS IFNAME: start ADD and wait until it stops at
# STEP; its pid in PAUSED, its stdout in $BATS_TEST_TMPDIR/paused.out.
pause_add_at() {
	local step=$1 errf=$BATS_TEST_TMPDIR/pause.err i state=
	CNI_COMMAND=ADD CNI_CONTAINERID=$3 CNI_NETNS=$4 CNI_IFNAME=$5 CNI_PATH=$BIN \
		KRAFTY_TEST_PAUSE_AT=$step "$BIN/krafty" <<<"$2" >"$BATS_TEST_TMPDIR/paused.out" 2>"$errf" &
	PAUSED=$!
	for ((i = 0; i < 200; i++)); do
		state=$(awk '{print $3}' "/proc/$PAUSED/stat" 2>/dev/null || true)
		[[ $state == T ]] && break
		sleep 0.05
	done
	grep -q "krafty: paused at $step" "$errf" || {
		echo "ADD did not pause at $step (state $state): $(cat "$errf")" >&2
		kill -9 "$PAUSED" 2>/dev/null
		return 1
	}
	[[ $state == T ]]
}

# kill_add_at STEP CONF CID NETNS IFNAME: start ADD paused at STEP, then kill -9 it.
kill_add_at() {
	pause_add_at "$@" || return 1
	kill -9 "$PAUSED"
	wait "$PAUSED" || true
}

# Two ADDs whose container IDs share their first 12 characters want the same
# seed names. One is stopped after it made its device: a bridge under the
# temporary name (both names were free when it looked), a host veth already
# under the seed's name (without its alias yet). The other attaches meanwhile:
# it takes the bridge's seed name, which the first then finds taken by its
# rename, and finds the veth's seed name held by a device that is not its own.
# Each takes the collision-free name where it lost; neither touches the
# other's devices.
@test "krafty: an ADD that loses its seed name to a concurrent ADD takes the other name and leaves the winner alone" {
	local step a b out
	for step in after-bridge-create after-veth-create; do
		a=$(cid "${step//-/}")aaaaaaaaaaaa-1 b=$(cid "${step//-/}")aaaaaaaaaaaa-2
		pause_add_at "$step" "$(conf 1.0.0 '.spares = 0')" "$a" "$(pod "a$step")" net1
		kr ADD "$(conf 1.0.0 '.spares = 0')" "$b" "$(pod "b$step")" net1
		ok_json
		kill -CONT "$PAUSED"
		wait "$PAUSED" || { echo "paused ADD at $step: $(cat "$BATS_TEST_TMPDIR/paused.out")" >&2; false; }
		out=$(cat "$BATS_TEST_TMPDIR/paused.out")
		[ "$(jq -r '.interfaces[0].name' <<<"$out")" != "$(jq -r '.interfaces[0].name' <<<"$output")" ]
		[ "$(jq -r '.interfaces[1].name' <<<"$out")" != "$(jq -r '.interfaces[1].name' <<<"$output")" ]
		ping_from "$T-a$step" "10.197.$N.1"
		ping_from "$T-b$step" "10.197.$N.1"
		kr DEL "$(conf 1.0.0 '.spares = 0')" "$a" "/run/netns/$T-a$step" net1
		kr DEL "$(conf 1.0.0 '.spares = 0')" "$b" "/run/netns/$T-b$step" net1
	done
	[ -z "$(kr_devices)" ]
}

@test "krafty: ADD killed (-9) at each step, then DEL leaves no device, route, address or IPAM file" {
	# Without spares, so that every ADD creates each device (a spare is taken, not created).
	local step ns id NOSPARES=".spares = 0"
	ns=$(pod a)
	for step in after-ipam after-vrf after-bridge-create after-bridge after-veth-create after-veth after-pod-addr after-routes; do
		id=$(cid "${step//-/}")
		kill_add_at "$step" "$(conf 1.0.0 "$NOSPARES")" "$id" "$ns" net1
		kr DEL "$(conf 1.0.0 "$NOSPARES")" "$id" "$ns" net1
		[ "$status" -eq 0 ] || { echo "DEL after kill at $step: $output" >&2; false; }
		assert_nothing_left "$T-a" "10.197.$N." || { echo "after kill at $step" >&2; false; }
	done
}

@test "krafty: ADD killed (-9) at each step, then ADD again succeeds (after DEL once the pod end holds its address), and DEL cleans up" {
	# Without spares, so that every ADD creates each device (a spare is taken, not created).
	local step ns id mac NOSPARES=".spares = 0"
	ns=$(pod a)
	for step in after-ipam after-vrf after-bridge-create after-bridge after-veth-create after-veth after-pod-addr after-routes; do
		id=$(cid "${step//-/}")
		kill_add_at "$step" "$(conf 1.0.0 "$NOSPARES")" "$id" "$ns" net1
		# A killed ADD's bridge whose settings changed meanwhile gets them again.
		if [[ -d /proc/sys/net/ipv4/conf/krb${id:0:12} ]]; then
			echo 0 >"/proc/sys/net/ipv4/conf/krb${id:0:12}/forwarding"
			echo 2 >"/proc/sys/net/ipv4/conf/krb${id:0:12}/rp_filter"
		fi
		case $step in after-pod-addr | after-routes)
			# The pod end holds its address: live by what the kernel shows. A
			# repeated ADD is refused and leaves it as it is; the runtime DELs.
			mac=$(ip -n "$T-a" -j link show net1 | jq -r '.[0].address')
			kr ADD "$(conf 1.0.0 "$NOSPARES")" "$id" "$ns" net1
			assert_cni_error 102
			[ "$(ip -n "$T-a" -j link show net1 | jq -r '.[0].address')" = "$mac" ]
			kr DEL "$(conf 1.0.0 "$NOSPARES")" "$id" "$ns" net1
			[ "$status" -eq 0 ]
			;;
		esac
		kr ADD "$(conf 1.0.0 "$NOSPARES")" "$id" "$ns" net1
		ok_json || { echo "ADD after kill at $step" >&2; false; }
		[ "$(kr_devices | wc -l)" -eq 2 ]
		# Whichever way the bridge came back (made again, or a killed ADD's set
		# up again), it forwards and is not reverse-path checked.
		[ "$(cat "/proc/sys/net/ipv4/conf/krb${id:0:12}/forwarding")" = 1 ]
		[ "$(cat "/proc/sys/net/ipv4/conf/krb${id:0:12}/rp_filter")" = 0 ]
		ping_from "$T-a" "10.197.$N.1"
		kr CHECK "$(with_prev "$(conf 1.0.0 "$NOSPARES")" "$output")" "$id" "$ns" net1
		[ "$status" -eq 0 ] || { echo "CHECK after kill at $step: $output" >&2; false; }
		kr DEL "$(conf 1.0.0 "$NOSPARES")" "$id" "$ns" net1
		[ "$status" -eq 0 ]
		assert_nothing_left "$T-a" "10.197.$N." || { echo "after kill at $step" >&2; false; }
	done
}

@test "krafty: a repeated ADD of a live attachment is code 102 and leaves the interface, its address and routes as they are" {
	local ns id first mac addrs routes
	ns=$(pod a)
	id=$(cid)
	kr ADD "$(conf 1.0.0 "$NOSPARES")" "$id" "$ns" net1
	ok_json
	first=$output
	mac=$(ip -n "$T-a" -j link show net1 | jq -r '.[0].address')
	addrs=$(ip -n "$T-a" -br addr show dev net1)
	routes=$(ip -n "$T-a" route show)
	kr ADD "$(conf 1.0.0 "$NOSPARES")" "$id" "$ns" net1
	assert_cni_error 102
	[[ $(jq -r .msg <<<"$output") == *"net1"*"live"* ]]
	[ "$(ip -n "$T-a" -j link show net1 | jq -r '.[0].address')" = "$mac" ]
	[ "$(ip -n "$T-a" -br addr show dev net1)" = "$addrs" ]
	[ "$(ip -n "$T-a" route show)" = "$routes" ]
	# The first result still checks out, and the pod still reaches its gateway.
	kr CHECK "$(with_prev "$(conf 1.0.0 "$NOSPARES")" "$first")" "$id" "$ns" net1
	[ "$status" -eq 0 ] || { echo "CHECK after the refused ADD: $output" >&2; false; }
	ping_from "$T-a" "10.197.$N.1"
	kr DEL "$(conf 1.0.0 "$NOSPARES")" "$id" "$ns" net1
	[ "$status" -eq 0 ]
	assert_nothing_left "$T-a" "10.197.$N."
}

# --- VRF on a kernel without it -------------------------------------------

@test "krafty: vrf true on a kernel without VRF: 101 naming vrf false, nothing left (no device, marker, address)" {
	local ns id c
	ip link add "kvp$$" type vrf table 4242 2>/dev/null && {
		ip link del "kvp$$"
		echo "this kernel has VRF: the test expects a host without it (FACTS.md)" >&2
		false
	}
	ns=$(pod a)
	id=$(cid)
	c=$(conf 1.0.0 '.vrf = true | .vrfTable = 1970001')
	TABLES+=(1970001)
	kr ADD "$c" "$id" "$ns" net1
	assert_cni_error 101
	[[ $(jq -r .msg <<<"$output") == *"lacks VRF"* ]]
	[[ $(jq -r .msg <<<"$output") == *'"vrf": false'* ]]
	assert_nothing_left "$T-a" "10.197.$N."
	[ -z "$(ip route show table 1970001 2>/dev/null)" ]
	# The default table is FNV-32a of the network name: "krafty" -> 2698658016.
	kr ADD "$(jq -c '.name = "krafty" | del(.vrfTable)' <<<"$c")" "$id" "$ns" net1
	assert_cni_error 101
	[[ $(jq -r .details <<<"$output") == *"table 2698658016"* ]]
	[ -z "$(ip route show table 2698658016 2>/dev/null)" ]
}

@test "krafty: a routing table already used by something else is refused with 103" {
	local ns id c
	ns=$(pod a)
	id=$(cid)
	TABLES+=(1970002)
	ip route add 203.0.113.0/24 dev lo table 1970002
	c=$(conf 1.0.0 '.vrf = true | .vrfTable = 1970002')
	kr ADD "$c" "$id" "$ns" net1
	ip route del 203.0.113.0/24 dev lo table 1970002
	assert_cni_error 103
	[[ $(jq -r .msg <<<"$output") == *"table 1970002"* ]]
	assert_nothing_left "$T-a" "10.197.$N."
	# Someone else's catch-all with krafty's metric is not krafty's marker.
	ip route add unreachable default metric 4278198272 table 1970002
	kr ADD "$c" "$id" "$ns" net1
	assert_cni_error 103
	assert_nothing_left "$T-a"
}

# --- names ----------------------------------------------------------------

@test "krafty: a container ID shorter than 12 characters gives short, valid, unique names" {
	local ns1 ns2
	ns1=$(pod a)
	ns2=$(pod b)
	kr ADD "$(conf 1.0.0)" "c$N" "$ns1" net1
	ok_json
	[ "$(jq -r '.interfaces[0].name' <<<"$output")" = "krbc$N" ]
	[ "$(jq -r '.interfaces[1].name' <<<"$output")" = "vethc$N" ]
	kr ADD "$(conf 1.0.0)" "c${N}b" "$ns2" net1
	ok_json
	[ "$(jq -r '.interfaces[0].name' <<<"$output")" = "krbc${N}b" ]
	ping_from "$T-a" "10.197.$N.1"
	ping_from "$T-b" "10.197.$N.1"
	kr DEL "$(conf 1.0.0)" "c$N" "$ns1" net1
	kr DEL "$(conf 1.0.0)" "c${N}b" "$ns2" net1
	[ -z "$(kr_devices)" ]
}

@test "krafty: two container IDs sharing their first 12 characters get distinct devices; DEL keeps the other's" {
	local ns1 ns2 id1 id2 r1 r2
	ns1=$(pod a)
	ns2=$(pod b)
	id1="$(cid)000000000000"
	id1="${id1:0:12}aaaa"
	id2="${id1:0:12}bbbb"
	[ "${id1:0:12}" = "${id2:0:12}" ]
	kr ADD "$(conf 1.0.0)" "$id1" "$ns1" net1
	ok_json
	r1=$output
	kr ADD "$(conf 1.0.0)" "$id2" "$ns2" net1
	ok_json
	r2=$output
	[ "$(jq -r '.interfaces[0].name' <<<"$r1")" = "krb${id1:0:12}" ]
	[[ $(jq -r '.interfaces[0].name' <<<"$r2") =~ ^krb${id2:0:6}[0-9a-f]{6}$ ]]
	[[ $(jq -r '.interfaces[1].name' <<<"$r2") =~ ^veth${id2:0:5}[0-9a-f]{6}$ ]]
	ping_from "$T-a" "10.197.$N.1"
	ping_from "$T-b" "10.197.$N.1"
	# DEL of the second tries the seed's names first: they are the first pod's and stay.
	kr DEL "$(conf 1.0.0)" "$id2" "$ns2" net1
	[ "$status" -eq 0 ]
	[ "$(kr_devices | wc -l)" -eq 2 ]
	kr CHECK "$(with_prev "$(conf 1.0.0)" "$r1")" "$id1" "$ns1" net1
	[ "$status" -eq 0 ]
	ping_from "$T-a" "10.197.$N.1"
}

@test "krafty: a host veth of this attachment left under its name with the pod end elsewhere gives way to the ADD; another attachment's is never touched" {
	local ns id alias
	ns=$(pod a)
	id=$(cid)
	kr ADD "$(conf 1.0.0)" "$id" "$ns" net1
	ok_json
	alias=$(ip -j -d link show "veth${id:0:11}" | jq -r '.[0].ifalias')
	kr DEL "$(conf 1.0.0)" "$id" "$ns" net1
	[ "$status" -eq 0 ]
	# A killed ADD's pair whose pod end is in another netns (not the pod's).
	ip netns add "$T-other"
	ip link add "veth${id:0:11}" type veth peer name "o$T" netns "$T-other"
	ip link set "veth${id:0:11}" alias "$alias"
	kr ADD "$(conf 1.0.0)" "$id" "$ns" net1
	ok_json
	[ "$(jq -r '.interfaces[1].name' <<<"$output")" = "veth${id:0:11}" ]
	! ip -n "$T-other" link show "o$T"
	ping_from "$T-a" "10.197.$N.1"
	kr DEL "$(conf 1.0.0)" "$id" "$ns" net1
	[ "$status" -eq 0 ]
	# The same with another attachment's alias: left alone, the ADD takes the other name.
	ip link add "veth${id:0:11}" type veth peer name "o$T" netns "$T-other"
	ip link set "veth${id:0:11}" alias "krafty 0123456789abcdef ${alias#krafty * }"
	kr ADD "$(conf 1.0.0)" "$id" "$ns" net1
	ok_json
	[[ $(jq -r '.interfaces[1].name' <<<"$output") =~ ^veth${id:0:5}[0-9a-f]{6}$ ]]
	ip -n "$T-other" link show "o$T"
	kr DEL "$(conf 1.0.0)" "$id" "$ns" net1
	[ "$status" -eq 0 ]
	ip link show "veth${id:0:11}"
	ip link del "veth${id:0:11}"
	ip netns del "$T-other"
	assert_nothing_left "$T-a"
}

@test "krafty: a device without our alias at the seed's name (the Go seed's, a hand-made one) is never touched" {
	local ns id
	ns=$(pod a)
	id=$(cid)
	ip link add "krb${id:0:12}" type bridge
	ip link set "krb${id:0:12}" alias "hand-made $T"
	kr ADD "$(conf 1.0.0)" "$id" "$ns" net1
	ok_json
	[[ $(jq -r '.interfaces[0].name' <<<"$output") =~ ^krb${id:0:6}[0-9a-f]{6}$ ]]
	[ "$(jq -r '.interfaces[1].name' <<<"$output")" = "veth${id:0:11}" ]
	ping_from "$T-a" "10.197.$N.1"
	kr DEL "$(conf 1.0.0)" "$id" "$ns" net1
	[ "$status" -eq 0 ]
	[ "$(ip -j link show "krb${id:0:12}" | jq -r '.[0].ifalias')" = "hand-made $T" ]
	ip link del "krb${id:0:12}"
	assert_nothing_left "$T-a"
}

@test "krafty: a live pod's route is never taken; a leaked attachment's (pod gone) moves to the new pod; a static podIP clash fails" {
	local ns1 ns2 id1 id2 ip1 ip2 c
	ns1=$(pod a)
	ns2=$(pod b)
	id1=$(cid a)
	id2=$(cid b)
	kr ADD "$(conf 1.0.0)" "$id1" "$ns1" net1
	ok_json
	ip1=$(pod_addr "$output")
	rm -rf "${DATA:?}"/* # the IPAM state is lost: IPAM hands ip1 out again
	# The first pod is alive: its route is not taken, it keeps its traffic.
	kr ADD "$(conf 1.0.0)" "$id2" "$ns2" net1
	assert_cni_error 100
	[[ $(jq -r .msg <<<"$output") == *"already routed"* ]]
	ip route show | grep -q "^$ip1 dev krb${id1:0:12} proto 75"
	ping_from "$T-a" "10.197.$N.1"
	assert_nothing_left_of "$id2"
	# Its pod goes away without a DEL (the attachment leaks): now the route moves.
	rm -rf "${DATA:?}"/*
	ip netns del "$T-a"
	ns1=$(pod a)
	kr ADD "$(conf 1.0.0)" "$id2" "$ns2" net1
	ok_json
	ip2=$(pod_addr "$output")
	[ "$ip1" = "$ip2" ]
	ip route show | grep -q "^$ip2 dev krb${id2:0:12} proto 75"
	ping_from "$T-b" "10.197.$N.1"

	c=$(conf 1.0.0 "del(.ipam) | .podIP = \"10.197.$N.7\"")
	kr ADD "$c" "$id1-s" "$ns1" net2
	ok_json
	kr ADD "$c" "$id2-s" "$ns2" net2
	[ "$status" -ne 0 ]
	[[ $(jq -r .msg <<<"$output") == *"already routed"* ]]
	ip route show | grep -q "^10.197.$N.7 dev krb${id1:0:6}"
	! ip -n "$T-b" link show net2
}

# --- CHECK, STATUS, GC ----------------------------------------------------

@test "krafty: CHECK reports every difference at once" {
	local ns id prev ip
	ns=$(pod a)
	id=$(cid)
	kr ADD "$(conf 1.0.0)" "$id" "$ns" net1
	ok_json
	prev=$output
	ip=$(pod_addr "$prev")
	ip route del "$ip" dev "krb${id:0:12}"
	ip -n "$T-a" addr del "$ip/24" dev net1
	ip link set "veth${id:0:11}" nomaster
	kr CHECK "$(with_prev "$(conf 1.0.0)" "$prev")" "$id" "$ns" net1
	[ "$status" -ne 0 ]
	msg=$(jq -r .msg <<<"$output")
	[[ $msg == *"node route $ip/32"*"missing"* ]]
	[[ $msg == *"lacks address $ip/24"* ]]
	[[ $msg == *"not attached to bridge"* ]]
	[[ $msg == *"3 differences"* ]] || [[ $msg == *"4 differences"* ]]
	kr CHECK "$(conf 1.0.0)" "$id" "$ns" net1
	assert_cni_error 7
}

@test "krafty: STATUS: 50 when vrf is asked for and the kernel lacks it; else the IPAM plugin answers" {
	kr STATUS "$(conf 1.1.0 '.vrf = true')" "" "" ""
	assert_cni_error 50
	[[ $(jq -r .msg <<<"$output") == *VRF* ]]
	! ip link show | grep -q krvprobe
	kr STATUS "$(conf 1.1.0)" "" "" ""
	[ "$status" -eq 0 ] || { echo "$output" >&2; false; }
	kr STATUS "$(conf 1.1.0 '.ipam.type = "no-such-ipam"')" "" "" ""
	assert_cni_error 50
	kr STATUS "$(conf 1.0.0)" "" "" ""
	assert_cni_error 1
}

@test "krafty: GC deletes the devices of attachments that are not valid, and only this network's" {
	local ns1 ns2 ns3 id1 id2 other gcconf
	ns1=$(pod a)
	ns2=$(pod b)
	ns3=$(pod c)
	id1=$(cid a)
	id2=$(cid b)
	other=$(conf 1.1.0 ".name = \"$NET-o\" | .subnet = \"10.198.$N.0/24\" | .gateway = \"10.198.$N.1\"
		| .ipam.ranges = [[{subnet: \"10.198.$N.0/24\"}]]")
	kr ADD "$(conf 1.1.0)" "$id1" "$ns1" net1
	ok_json
	kr ADD "$(conf 1.1.0)" "$id2" "$ns2" net1
	ok_json
	kr ADD "$other" "$id2" "$ns3" net1
	ok_json
	[ "$(kr_devices | wc -l)" -eq 6 ]
	gcconf=$(conf 1.1.0 ". + {\"cni.dev/valid-attachments\": [{containerID: \"$id1\", ifname: \"net1\"}]}")
	kr GC "$gcconf" "" "" ""
	[ "$status" -eq 0 ] || { echo "$output" >&2; false; }
	# id2's attachment of this network is gone (devices and its address); id1 and the other network stay.
	[ "$(kr_devices | wc -l)" -eq 4 ]
	ip link show "krb${id1:0:12}"
	! ip -n "$T-b" link show net1
	ip -n "$T-c" link show net1
	ping_from "$T-a" "10.197.$N.1"
	[ "$(find "$DATA/$NET" -maxdepth 1 -type f -name '10.197.*' | wc -l)" -eq 1 ]
	# Without valid-attachments nothing is known to be stale.
	kr GC "$(conf 1.1.0)" "" "" ""
	[ "$(kr_devices | wc -l)" -eq 4 ]
}

# --- spares -----------------------------------------------------------------

spares() { ip -o link show | awk -F': ' '$2 ~ /^krsb[0-9][0-9]$/ {print $2}'; }
no_spares() { kr GC "$(conf 1.1.0 '.spares = 0 | . + {"cni.dev/valid-attachments": []}')" "" "" ""; }

@test "krafty: GC collects what ADDs killed before naming or aliasing left (a bridge under its temporary name, a host veth without its alias), and spares a valid attachment's" {
	local ns step id keep gcconf
	ns=$(pod a)
	keep=$(cid keep)
	kill_add_at after-veth-create "$(conf 1.0.0 '.spares = 0')" "$keep" "$(pod k)" net1
	for step in after-bridge-create after-veth-create; do
		id=$(cid "${step//-/}")
		kill_add_at "$step" "$(conf 1.0.0 '.spares = 0')" "$id" "$(pod "g$step")" net1
	done
	id=$(cid aftervethcreate)
	ip link show "veth${id:0:11}"
	[ "$(ip -j -d link show "veth${id:0:11}" | jq -r '.[0].ifalias // ""')" = "" ]
	gcconf=$(conf 1.1.0 ". + {\"cni.dev/valid-attachments\": [{containerID: \"$keep\", ifname: \"net1\"}]}")
	kr GC "$gcconf" "" "" ""
	[ "$status" -eq 0 ] || { echo "$output" >&2; false; }
	! ip link show "veth${id:0:11}"
	[ -z "$(ip -o link show | awk -F': ' '$2 ~ /^kt[vbh][0-9a-f]{12}$/')" ]
	[ -z "$(ip -n "$T-gafter-veth-create" -o link show | awk -F': ' '$2 != "lo"')" ]
	# The valid attachment's half-made host veth stays (its ADD may still be running).
	ip link show "veth${keep:0:11}"
	kr DEL "$(conf 1.0.0 '.spares = 0')" "$keep" "/run/netns/$T-k" net1
	[ "$status" -eq 0 ]
	! ip link show "veth${keep:0:11}"
	assert_nothing_left "$T-a" "10.197.$N."
}

@test "krafty: DEL parks the bridge as an inert spare, the next ADD takes it, spares stay within the bound, GC trims them" {
	local ns c id1 id2 id3 addr
	ns=$(pod a)
	c=$(conf 1.0.0 '.spares = 2')
	no_spares
	[ -z "$(spares)" ]
	id1=$(cid a) id2=$(cid b) id3=$(cid c)
	kr ADD "$c" "$id1" "$ns" net1
	ok_json
	addr=$(pod_addr "$output")
	kr DEL "$c" "$id1" "$ns" net1
	[ "$status" -eq 0 ]
	# The bridge is now krsb00: down, no address, no master, no route, a spare's alias.
	[ "$(spares)" = krsb00 ]
	[ "$(ip -j -d link show krsb00 | jq -r '.[0].ifalias')" = "krafty spare bridge" ]
	[ "$(ip -j link show krsb00 | jq -r '.[0].operstate')" = DOWN ]
	[ -z "$(ip -o addr show dev krsb00)" ]
	[ "$(ip -j link show krsb00 | jq -r '.[0].master // ""')" = "" ]
	[ -z "$(ip route show table all dev krsb00 2>/dev/null)" ]
	! ip route show table all | grep -F "$addr "
	assert_nothing_left "$T-a" "10.197.$N."
	# The next ADD takes it (same device, new name and alias) and works. A spare
	# may have been changed while parked (or come from an IPv6 network): the
	# ADD sets the bridge's settings again (the IPv4 ones in the naming request).
	local index
	index=$(ip -j link show krsb00 | jq -r '.[0].ifindex')
	echo 0 >/proc/sys/net/ipv4/conf/krsb00/forwarding
	echo 2 >/proc/sys/net/ipv4/conf/krsb00/rp_filter
	echo 0 >/proc/sys/net/ipv6/conf/krsb00/disable_ipv6
	kr ADD "$c" "$id2" "$ns" net1
	ok_json
	[ -z "$(spares)" ]
	[ "$(ip -j link show "krb${id2:0:12}" | jq -r '.[0].ifindex')" = "$index" ]
	[ "$(cat "/proc/sys/net/ipv4/conf/krb${id2:0:12}/forwarding")" = 1 ]
	[ "$(cat "/proc/sys/net/ipv4/conf/krb${id2:0:12}/rp_filter")" = 0 ]
	[ "$(cat "/proc/sys/net/ipv6/conf/krb${id2:0:12}/disable_ipv6")" = 1 ]
	ping_from "$T-a" "10.197.$N.1"
	kr CHECK "$(with_prev "$c" "$output")" "$id2" "$ns" net1
	[ "$status" -eq 0 ] || { echo "CHECK on a taken spare: $output" >&2; false; }
	# Three attachments DEL'd with "spares": 2: two spares, the third bridge deleted.
	kr DEL "$c" "$id2" "$ns" net1
	for id in "$id1" "$id2" "$id3"; do
		kr ADD "$c" "$id" "$(pod "n$id")" net1
		ok_json
	done
	for id in "$id1" "$id2" "$id3"; do
		kr DEL "$c" "$id" "/run/netns/$T-n$id" net1
		[ "$status" -eq 0 ]
	done
	[ "$(spares | wc -l)" -eq 2 ]
	# GC trims the slots at or above the configured bound.
	kr GC "$(conf 1.1.0 '.spares = 1 | . + {"cni.dev/valid-attachments": []}')" "" "" ""
	[ "$status" -eq 0 ]
	[ "$(spares)" = krsb00 ]
	no_spares
	[ -z "$(spares)" ]
	assert_nothing_left "$T-a" "10.197.$N."
}

@test "krafty: the spare counts in the lock file only save look-ups: a wrong, torn or garbled count still takes the top spare and parks in a free slot" {
	local ns c lock=/run/krafty/spares.lock id top
	ns=$(pod a)
	c=$(conf 1.0.0 '.spares = 4')
	no_spares
	for id in $(cid a) $(cid b) $(cid c); do
		kr ADD "$c" "$id" "$(pod "n$id")" net1
		ok_json
	done
	for id in $(cid a) $(cid b) $(cid c); do
		kr DEL "$c" "$id" "/run/netns/$T-n$id" net1
		[ "$status" -eq 0 ]
	done
	[ "$(spares | tr '\n' ' ')" = "krsb00 krsb01 krsb02 " ]
	grep -qx 'krsb 3' "$lock"
	# Too high (slot 8 holds nothing), garbled, a NUL inside the line, torn (no
	# newline): the kernel decides, each ADD takes the top spare.
	for bad in 'krsb 9\n' 'krsb x\n\0\377' 'krsb 1\0\n' 'krsb 2'; do
		top=$(spares | tail -1)
		index=$(ip -j link show "$top" | jq -r '.[0].ifindex')
		printf "$bad" >"$lock"
		id=$(cid "t$top")
		kr ADD "$c" "$id" "$ns" net1
		ok_json
		[ "$(ip -j link show "krb${id:0:12}" | jq -r '.[0].ifindex')" = "$index" ]
		! ip link show "$top"
		kr DEL "$c" "$id" "$ns" net1
		[ "$status" -eq 0 ]
		[ "$(spares | tail -1)" = "$top" ] # parked back in the free top slot
	done
	# Too low: a park moves up past the taken slots; nothing is overwritten.
	printf 'krsb 0\n' >"$lock"
	id=$(cid low)
	kr ADD "$c" "$id" "$ns" net1
	ok_json
	kr DEL "$c" "$id" "$ns" net1
	[ "$status" -eq 0 ]
	[ "$(spares | tr '\n' ' ')" = "krsb00 krsb01 krsb02 krsb03 " ]
	grep -qx 'krsb 4' "$lock"
	no_spares
	[ -z "$(spares)" ]
	assert_nothing_left "$T-a" "10.197.$N."
}

@test "krafty: with \"spares\": 0 DEL deletes the bridge as before" {
	local ns c id
	ns=$(pod a)
	c=$(conf 1.0.0 '.spares = 0')
	no_spares
	id=$(cid)
	kr ADD "$c" "$id" "$ns" net1
	ok_json
	kr DEL "$c" "$id" "$ns" net1
	[ "$status" -eq 0 ]
	[ -z "$(spares)" ]
	assert_nothing_left "$T-a" "10.197.$N."
}

# --- what a config must not take (hardening) -------------------------------

@test "krafty: a gateway that is a foreign device's address, a subnet the node routes, reserved ranges: code 7, nothing made" {
	local ns id
	ns=$(pod a)
	id=$(cid)
	ip link add "h$T" type veth peer name "h${T}p"
	ip addr add "10.197.$N.1/32" dev "h$T"
	ip link set "h$T" up
	kr ADD "$(conf 1.0.0)" "$id" "$ns" net1
	assert_cni_error 7
	[[ $(jq -r .msg <<<"$output") == *"gateway 10.197.$N.1 is already an address of a device"* ]]
	ip addr del "10.197.$N.1/32" dev "h$T"
	assert_nothing_left "$T-a" "10.197.$N."
	# The node routes 10.197.N.128/25 (the subnet's last address) through its own device.
	ip route add "10.197.$N.128/25" dev "h$T"
	kr ADD "$(conf 1.0.0)" "$id" "$ns" net1
	assert_cni_error 7
	[[ $(jq -r .msg <<<"$output") == *"overlaps the node's route 10.197.$N.128/25"* ]]
	ip route del "10.197.$N.128/25" dev "h$T"
	assert_nothing_left "$T-a" "10.197.$N."
	kr ADD "$(conf 1.0.0 '.subnet = "169.254.169.0/24" | .gateway = "169.254.169.254" | del(.ipam) | .podIP = "169.254.169.5"')" "$id" "$ns" net1
	assert_cni_error 7
	[[ $(jq -r .msg <<<"$output") == *"link-local"* ]]
	kr ADD "$(conf 1.0.0)" "$id" "$ns" net1
	ok_json
	kr DEL "$(conf 1.0.0)" "$id" "$ns" net1
	assert_nothing_left "$T-a" "10.197.$N."
}

@test "krafty: another network's live pod keeps its address route when this network's IPAM hands out the same address" {
	local ns1 ns2 id1 id2 other data2
	ns1=$(pod a)
	ns2=$(pod b)
	id1=$(cid a)
	id2=$(cid b)
	data2=$(mktemp -d /tmp/krafty-ipam2.XXXXXX)
	other=$(conf 1.0.0 ".name = \"$NET-b\" | .ipam.dataDir = \"$data2\"")
	kr ADD "$(conf 1.0.0)" "$id1" "$ns1" net1
	ok_json
	kr ADD "$other" "$id2" "$ns2" net1
	assert_cni_error 100
	[[ $(jq -r .msg <<<"$output") == *"already routed"* ]]
	ping_from "$T-a" "10.197.$N.1"
	[ -z "$(find "$data2" -type f -name '10.*')" ] # the failed ADD released its address
	rm -rf "$data2"
	kr DEL "$(conf 1.0.0)" "$id1" "$ns1" net1
	assert_nothing_left "$T-a" "10.197.$N."
}

@test "krafty: an IPAM plugin that takes an address but prints no result: ADD fails, the address is released" {
	local ns id dir
	ns=$(pod a)
	id=$(cid)
	dir=$BATS_TEST_TMPDIR/path
	mkdir -p "$dir"
	# host-local under another name that prints garbage after a real allocation.
	printf '#!/bin/sh\n"%s" >/dev/null\n[ "$CNI_COMMAND" = ADD ] && echo "not json"\nexit 0\n' \
		"$BIN/host-local" >"$dir/garbage-ipam"
	chmod +x "$dir/garbage-ipam"
	CNI_PATH="$dir:$BIN" kr ADD "$(conf 1.0.0 '.ipam.type = "garbage-ipam"')" "$id" "$ns" net1
	assert_cni_error 6
	[ -z "$(ipam_files)" ] || { echo "address left held: $(ipam_files)" >&2; false; }
	assert_nothing_left "$T-a" "10.197.$N."
}

# execs_of CMD CONF CID NETNS: one krafty call under strace ($status, $output
# as kr's); EXECS: the programs it exec'd, one path per line.
execs_of() {
	local log=$BATS_TEST_TMPDIR/execve.log
	# LeakSanitizer cannot run under ptrace (the ASan build): leaks off here.
	CNI_COMMAND=$1 CNI_CONTAINERID=$3 CNI_NETNS=$4 CNI_IFNAME=net1 \
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 run strace -f -qq -e trace=execve -e signal=none -o "$log" "$BIN/krafty" <<<"$2"
	EXECS=$(sed -n 's/.*execve("\([^"]*\)".*= 0$/\1/p' "$log")
}

held() { find "$DATA/$NET" -maxdepth 1 -type f -name '10.197.*'; }

@test "krafty: CNI_PATH's host-local built with krafty runs in-process; any other host-local is exec'd" {
	local ns id dir ipam
	ns=$(pod a)
	id=$(cid)
	execs_of ADD "$(conf 1.0.0)" "$id" "$ns"
	ok_json
	[ "$EXECS" = "$BIN/krafty" ] || { echo "execs: $EXECS" >&2; false; }
	[ "$(held | wc -l)" -eq 1 ]
	execs_of DEL "$(conf 1.0.0)" "$id" "$ns"
	[ "$status" -eq 0 ]
	[ "$EXECS" = "$BIN/krafty" ] || { echo "execs: $EXECS" >&2; false; }
	[ -z "$(held)" ]
	# Other builds under the same name (the same code without its build ID,
	# then the reference): exec'd, on the same store.
	dir=$BATS_TEST_TMPDIR/path
	mkdir -p "$dir"
	objcopy --remove-section=.note.gnu.build-id "$BIN/host-local" "$dir/stripped"
	for ipam in "$dir/stripped" /usr/lib/cni/host-local; do
		cp "$ipam" "$dir/host-local"
		CNI_PATH=$dir:$BIN execs_of ADD "$(conf 1.0.0)" "$id" "$ns"
		ok_json
		[ "$EXECS" = "$(printf '%s\n' "$BIN/krafty" "$dir/host-local")" ] ||
			{ echo "execs: $EXECS" >&2; false; }
		[ "$(held | wc -l)" -eq 1 ]
		kr DEL "$(conf 1.0.0)" "$id" "$ns" net1 # in-process
		[ "$status" -eq 0 ]
		[ -z "$(held)" ]
	done
	assert_nothing_left "$T-a" "10.197.$N."
}

@test "krafty: an address taken by in-process host-local is released by the reference host-local (the same store)" {
	local ns id dir
	ns=$(pod a)
	id=$(cid)
	dir=$BATS_TEST_TMPDIR/path
	mkdir -p "$dir"
	cp /usr/lib/cni/host-local "$dir/host-local"
	kr ADD "$(conf 1.0.0)" "$id" "$ns" net1
	ok_json
	[ "$(held | wc -l)" -eq 1 ]
	CNI_PATH=$dir:$BIN kr DEL "$(conf 1.0.0)" "$id" "$ns" net1
	[ "$status" -eq 0 ]
	[ -z "$(held)" ]
	# Ours again: its index (a cache the reference does not know) catches up.
	kr DEL "$(conf 1.0.0)" "$id" "$ns" net1
	[ "$status" -eq 0 ]
	assert_nothing_left "$T-a" "10.197.$N."
}

@test "krafty: GC finds the devices of a network whose name is too long for the alias (the kernel cuts it at 255 bytes)" {
	local ns id long c
	ns=$(pod a)
	id=$(cid)
	long=$NET-$(printf 'x%.0s' {1..235})
	long=${long:0:250}
	c=$(conf 1.1.0 ".name = \"$long\"")
	kr ADD "$c" "$id" "$ns" net1
	ok_json
	# The alias holds only the start of the name: no ifname or container ID after it.
	[ "$(ip -j -d link show "krb${id:0:12}" | jq -r '.[0].ifalias | length')" -eq 255 ]
	kr GC "$(jq -c '. + {"cni.dev/valid-attachments": [{"containerID": "other", "ifname": "net1"}]}' <<<"$c")" "" "" ""
	[ "$status" -eq 0 ] || { echo "$output" >&2; false; }
	! ip link show "krb${id:0:12}" 2>/dev/null
	! ip -n "$T-a" link show net1 2>/dev/null
	assert_nothing_left "$T-a" "10.197.$N."
}

# --- bad configs ------------------------------------------------------------

@test "krafty: bad configs are refused with code 7 and a clear message" {
	local ns id
	ns=$(pod a)
	id=$(cid)
	check7() { # FILTER WORDS
		kr ADD "$(conf 1.0.0 "$1")" "$id" "$ns" net1
		assert_cni_error 7
		[[ $(jq -r .msg <<<"$output") == *"$2"* ]] || { echo "message: $output" >&2; return 1; }
	}
	check7 'del(.subnet)' subnet
	check7 'del(.gateway)' gateway
	check7 '.subnet = "10.0.0.0/33"' subnet
	check7 ".gateway = \"10.198.$N.1\"" "outside subnet"
	check7 ".gateway = \"10.197.$N.0\"" "network address"
	check7 ".gateway = \"10.197.$N.255\"" "broadcast"
	check7 ".gateway = \"fd00::1\"" "outside subnet"
	check7 ".podIP = \"10.197.$N.5\"" "both"
	check7 'del(.ipam)' "neither"
	check7 ".ipam.type = \"no-such-ipam-$T\"" "no-such-ipam"
	check7 "del(.ipam) | .podIP = \"10.198.$N.5\"" "outside subnet"
	check7 "del(.ipam) | .podIP = \"10.197.$N.1\"" "gateway"
	check7 "del(.ipam) | .podIP = \"10.197.$N.0\"" "network address"
	check7 "del(.ipam) | .podIP = \"10.197.$N.255\"" "broadcast"
	check7 "del(.ipam) | .podIP = \"10.197.$N.5/16\"" "prefix"
	check7 '.vrf = true | .vrfTable = 254' reserved
	check7 '.vrf = true | .vrfTable = 0' vrfTable
	check7 '.mtu = 20' mtu
	check7 '.vrf = "yes"' vrf
	[ -z "$(kr_devices)" ]
	[ -z "$(ipam_files)" ]
	ip -n "$T-a" link show net1 2>/dev/null && false
	# A netns that does not exist is a bad environment: code 4, nothing taken.
	kr ADD "$(conf 1.0.0)" "$id" "/run/netns/$T-none" net1
	assert_cni_error 4
	[ -z "$(ipam_files)" ]
	# Unknown keys (Multus adds some) are ignored.
	kr ADD "$(conf 1.0.0 '. + {"multusExtra": {"a": 1}, "foo": "bar"}')" "$id" "$ns" net1
	ok_json
}
