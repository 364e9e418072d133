#!/usr/bin/env bats
# Load and faults: 64 concurrent krafty ADDs then DELs on one network; a full
# disk and a read-only dataDir under host-local and tuning-lite. Each failure is a
# spec error and leaves nothing half-written; load leaves nothing behind.

load helpers

setup() {
	T=hd${BATS_TEST_NUMBER}p$$
	NET=hdnet$BATS_TEST_NUMBER-$$
	DATA=$(mktemp -d /tmp/hardening-data.XXXXXX)
	export CNI_PATH=$BIN
	NSS=()
}

teardown() {
	local d
	for d in $(net_devices); do ip link del "$d" 2>/dev/null || true; done
	for d in "${NSS[@]}"; do ip netns del "$d" 2>/dev/null || true; done
	mountpoint -q "$DATA" && umount "$DATA"
	rm -rf "$DATA"
}

# Devices whose krafty alias names this test's network.
net_devices() {
	ip -j link show 2>/dev/null | jq -r --arg re "^krafty [0-9a-f]{16} ${NET}/" \
		'.[] | select((.ifalias // "") | test($re)) | .ifname'
}

krafty_conf() {
	jq -nc --arg n "$NET" --arg d "$DATA" '{cniVersion: "1.0.0", name: $n, type: "krafty", vrf: false,
		subnet: "10.194.0.0/24", gateway: "10.194.0.1",
		ipam: {type: "host-local", dataDir: $d, ranges: [[{subnet: "10.194.0.0/24"}]]}}'
}

# concurrent_adds N ID-FUNCTION: N krafty ADDs at once, pod i in netns $T-i
# with container ID "$(ID-FUNCTION i)"; their outputs in $BATS_TEST_TMPDIR/add.<i>.
# Fails (printing the errors) unless every one succeeded.
concurrent_adds() {
	local n=$1 idfn=$2 i pids=() failed=0 conf out=$BATS_TEST_TMPDIR
	conf=$(krafty_conf)
	for i in $(seq 1 "$n"); do
		NSS+=("$T-$i")
		netns_make "$T-$i" >/dev/null
	done
	for i in $(seq 1 "$n"); do
		CNI_COMMAND=ADD CNI_CONTAINERID=$("$idfn" "$i") CNI_NETNS=/run/netns/$T-$i CNI_IFNAME=net1 \
			"$BIN/krafty" <<<"$conf" >"$out/add.$i" 2>&1 &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do wait "${pids[$i]}" || failed=$((failed + 1)); done
	((failed == 0)) || { grep -h code "$out"/add.* | sort | uniq -c >&2; return 1; }
}

load_id() { echo "load$$x$1"; }

@test "64 concurrent krafty ADDs then 64 concurrent DELs: no failure, no duplicate, nothing left" {
	local i conf pids=() out=$BATS_TEST_TMPDIR failed=0
	conf=$(krafty_conf)
	concurrent_adds 64 load_id
	# 64 distinct addresses, each on its pod's net1, and each pod reaches the gateway.
	[ "$(jq -r '.ips[0].address' "$out"/add.* | sort -u | wc -l)" -eq 64 ]
	for i in $(seq 1 64); do
		addr=$(jq -r '.ips[0].address' "$out/add.$i")
		ip -n "$T-$i" -br addr show dev net1 | grep -qF " $addr"
	done
	for i in 1 32 64; do ip netns exec "$T-$i" ping -c1 -W2 10.194.0.1 >/dev/null; done
	[ "$(net_devices | wc -l)" -eq $((64 * 2)) ] # a bridge and a host veth per pod
	[ "$(find "$DATA/$NET" -maxdepth 1 -name '10.194.0.*' | wc -l)" -eq 64 ]

	pids=()
	for i in $(seq 1 64); do
		CNI_COMMAND=DEL CNI_CONTAINERID=load$$x$i CNI_NETNS=/run/netns/$T-$i CNI_IFNAME=net1 \
			"$BIN/krafty" <<<"$conf" >"$out/del.$i" 2>&1 &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do wait "${pids[$i]}" || failed=$((failed + 1)); done
	((failed == 0)) || { cat "$out"/del.* >&2; return 1; }
	[ -z "$(net_devices)" ]
	[ -z "$(ip route show | grep -E '10\.194\.0\.')" ]
	[ "$(find "$DATA/$NET" -maxdepth 1 -name '10.194.0.*' | wc -l)" -eq 0 ]
	for i in 1 64; do [ -z "$(ip -n "$T-$i" link show net1 2>/dev/null)" ]; done
}

# Container IDs that share their first 12 characters want the same seed names
# for bridge and host veth: concurrent ADDs may all find a name free, and the
# rename decides (the losers take the collision-free names). A loser's undo
# must never delete the winner's device.
# 12 shared characters (whatever the length of $$), then the pod's own.
same_prefix_id() {
	local id
	id=samepfx$$$(printf %05d "$1")
	echo "${id:0:12}-$1"
}

@test "16 concurrent ADDs whose container IDs share 12 characters: all attach, none touches another's" {
	local i out=$BATS_TEST_TMPDIR
	concurrent_adds 16 same_prefix_id
	[ "$(net_devices | wc -l)" -eq 32 ]
	# One bridge and one host veth per pod, each pod reaching its gateway
	# through its own: every pod end is up with its address.
	for i in $(seq 1 16); do
		ip netns exec "$T-$i" ping -c1 -W2 10.194.0.1 >/dev/null
	done
	[ "$(jq -r '.interfaces[0].name' "$out"/add.* | sort -u | wc -l)" -eq 16 ]
	[ "$(jq -r '.interfaces[1].name' "$out"/add.* | sort -u | wc -l)" -eq 16 ]
}

# A tmpfs dataDir filled to the last byte.
full_disk() {
	mount -t tmpfs -o size=256k tmpfs "$DATA"
	dd if=/dev/zero of="$DATA/filler" bs=4k 2>/dev/null || true
}

@test "host-local on a full disk: code 5, no address file, no empty file, a later ADD works" {
	full_disk
	conf=$(jq -nc --arg d "$DATA" '{cniVersion: "1.0.0", name: "fullnet", type: "host-local",
		ipam: {type: "host-local", dataDir: $d, ranges: [[{subnet: "10.193.0.0/24"}]]}}')
	CNI_CONTAINERID=full1 CNI_NETNS=/run/netns/x CNI_IFNAME=net1 cni_exec host-local ADD "$conf"
	assert_cni_error 5
	# Nothing claims an address: no file named after an IP, and no half-written file anywhere.
	[ -z "$(find "$DATA" -name '10.193.*')" ]
	[ -z "$(find "$DATA" -type f -empty ! -name lock)" ]
	rm -f "$DATA/filler"
	CNI_CONTAINERID=full1 CNI_NETNS=/run/netns/x CNI_IFNAME=net1 cni_exec host-local ADD "$conf"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.ips[0].address' <<<"$output")" = "10.193.0.2/24" ]
}

@test "host-local on a read-only dataDir: code 5, nothing written" {
	mount -t tmpfs -o size=256k tmpfs "$DATA"
	mount -o remount,ro "$DATA"
	conf=$(jq -nc --arg d "$DATA" '{cniVersion: "1.0.0", name: "ronet", type: "host-local",
		ipam: {type: "host-local", dataDir: $d, ranges: [[{subnet: "10.193.0.0/24"}]]}}')
	CNI_CONTAINERID=ro1 CNI_NETNS=/run/netns/x CNI_IFNAME=net1 cni_exec host-local ADD "$conf"
	assert_cni_error 5
	[ -z "$(ls -A "$DATA")" ]
}

tuning_setup() {
	NSS+=("$T")
	POD=$(netns_make "$T")
	ip -n "$T" link add eth0 type veth peer name peer0
	ip -n "$T" link set eth0 up
	before=$(ip -n "$T" -d link show eth0; ip netns exec "$T" sysctl -n net.ipv4.conf.eth0.arp_filter)
	conf=$(jq -nc --arg d "$DATA" --arg ns "$POD" '{cniVersion: "1.0.0", name: "tunenet", type: "tuning-lite",
		dataDir: $d, mtu: 1280, sysctl: {"net.ipv4.conf.IFNAME.arp_filter": "1"},
		prevResult: {cniVersion: "1.0.0", interfaces: [{name: "eth0", sandbox: $ns}]}}')
}

@test "tuning-lite with a full disk: code 5, the interface unchanged, no state file" {
	tuning_setup
	full_disk
	CNI_CONTAINERID=tfull CNI_NETNS=$POD CNI_IFNAME=eth0 cni_exec tuning-lite ADD "$conf"
	assert_cni_error 5
	[ "$(ip -n "$T" -d link show eth0; ip netns exec "$T" sysctl -n net.ipv4.conf.eth0.arp_filter)" = "$before" ]
	[ -z "$(find "$DATA" -name '*.json*')" ]
}

@test "tuning-lite with a read-only dataDir: code 5, the interface unchanged" {
	tuning_setup
	mount -t tmpfs -o size=256k tmpfs "$DATA"
	mount -o remount,ro "$DATA"
	CNI_CONTAINERID=tro CNI_NETNS=$POD CNI_IFNAME=eth0 cni_exec tuning-lite ADD "$conf"
	assert_cni_error 5
	[ "$(ip -n "$T" -d link show eth0; ip netns exec "$T" sysctl -n net.ipv4.conf.eth0.arp_filter)" = "$before" ]
}

@test "a delegated plugin dies with the plugin that started it" {
	local dir=$BATS_TEST_TMPDIR/bin pid child i
	NSS+=("$T")
	POD=$(netns_make "$T")
	mkdir -p "$dir"
	printf '#!/bin/sh\necho $$ >%s/ipam.pid\nexec sleep 120\n' "$dir" >"$dir/slowipam"
	chmod +x "$dir/slowipam"
	conf=$(krafty_conf | jq -c '.ipam.type = "slowipam"')
	CNI_COMMAND=ADD CNI_CONTAINERID=pdeath$$ CNI_NETNS=$POD CNI_IFNAME=net1 CNI_PATH="$dir:$BIN" \
		"$BIN/krafty" <<<"$conf" >/dev/null 2>&1 &
	pid=$!
	for i in $(seq 100); do [ -s "$dir/ipam.pid" ] && break || sleep 0.1; done
	child=$(cat "$dir/ipam.pid")
	[ -n "$child" ]
	kill -9 "$pid"
	wait "$pid" || true
	for i in $(seq 100); do kill -0 "$child" 2>/dev/null && sleep 0.1 || break; done
	if kill -0 "$child" 2>/dev/null; then
		kill -9 "$child"
		echo "the IPAM plugin (pid $child) outlived krafty" >&2
		return 1
	fi
}

@test "host-local: GC reclaims empty address files and temp files a killed call left" {
	local net=$DATA/gcnet conf
	conf=$(jq -nc --arg d "$DATA" '{cniVersion: "1.1.0", name: "gcnet", type: "host-local",
		ipam: {type: "host-local", dataDir: $d, ranges: [[{subnet: "10.193.0.0/24"}]],
			routes: [{dst: "10.192.0.0/16", priority: 3000000000, table: 4000000000}]}}')
	CNI_CONTAINERID=gc1 CNI_NETNS=/run/netns/x CNI_IFNAME=net1 cni_exec host-local ADD "$conf"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.ips[0].address' <<<"$output")" = 10.193.0.2/24 ]
	# Route metrics and tables above 2^31 are kept, as the kernel's unsigned 32-bit values.
	[ "$(jq -c '.routes[0] | [.priority, .table]' <<<"$output")" = '[3000000000,4000000000]' ]
	# What an ADD killed between creating and writing its file leaves, and a temp file.
	: >"$net/10.193.0.3"
	echo junk >"$net/.krafty-tmp.10.193.0.4.999"
	CNI_CONTAINERID=gc1 CNI_NETNS=/run/netns/x CNI_IFNAME=net1 cni_exec host-local GC \
		"$(jq -c '. + {"cni.dev/valid-attachments": [{containerID: "gc1", ifname: "net1"}]}' <<<"$conf")"
	[ "$status" -eq 0 ]
	[ ! -e "$net/10.193.0.3" ]
	[ ! -e "$net/.krafty-tmp.10.193.0.4.999" ]
	[ -s "$net/10.193.0.2" ]
	CNI_CONTAINERID=gc2 CNI_NETNS=/run/netns/x CNI_IFNAME=net1 CNI_ARGS=IP=10.193.0.3 \
		cni_exec host-local ADD "$conf"
	[ "$status" -eq 0 ]
	[ "$(cat "$net/10.193.0.3")" = $'gc2\r\nnet1' ]
	# Every file an ADD creates is whole: no empty file, no temp file left.
	[ -z "$(find "$net" -maxdepth 1 -type f -empty ! -name lock)" ]
	[ -z "$(find "$net" -maxdepth 1 -name '.krafty-tmp.*')" ]
}
