#!/usr/bin/env bats
# kractl ls and gc on the host ("vrf": false; the VM scenario 25-kractl-ls-vrf covers
# VRFs): pods made by kractl add through krafty + host-local, one whose netns was
# deleted, one whose ADD was killed, an address held without devices; a foreign bridge
# and a foreign route are left alone. Everything is private: netns kg-*, container IDs
# kg*, subnet 10.253.<n>.0/24, conf, cache, IPAM and tuning dirs under BATS_TEST_TMPDIR;
# gc is scoped with --network to this test's network.

load helpers

KRACTL=$BUILD_DIR/sbin/kractl

setup() {
	N=$((BATS_TEST_NUMBER + ($$ % 50) * 4))
	NET=kg-ls$$-$BATS_TEST_NUMBER
	P=kg$$t$BATS_TEST_NUMBER
	D=$BATS_TEST_TMPDIR
	mkdir -p "$D/net.d" "$D/cache" "$D/ipam" "$D/tuning"
	cat >"$D/net.d/kg.conflist" <<-JSON
	{"cniVersion":"1.0.0","name":"$NET","plugins":[{"type":"krafty","vrf":false,"spares":0,
	 "subnet":"10.253.$N.0/24","gateway":"10.253.$N.1",
	 "ipam":{"type":"host-local","dataDir":"$D/ipam","ranges":[[{"subnet":"10.253.$N.0/24",
	 "rangeStart":"10.253.$N.10","rangeEnd":"10.253.$N.50"}]]}}]}
	JSON
	KC=("$KRACTL" -C "$D/net.d" -p "$BIN" -D "$D/cache" -d "$D/tuning" --no-log)
	FOREIGN=kgf$$x$BATS_TEST_NUMBER
}

teardown() {
	"${KC[@]}" del "$NET" "/run/netns/kg-$P-a" -i "${P}a" >/dev/null 2>&1 || true
	"${KC[@]}" gc --network "$NET" --min-age 0 >/dev/null 2>&1 || true
	for l in $(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//'); do
		ip -d link show "$l" 2>/dev/null | grep -q "alias krafty [0-9a-f]* $NET/" && ip link del "$l"
	done
	ip link del "$FOREIGN" 2>/dev/null || true
	netns_cleanup "kg-$P-a" "kg-$P-b" "kg-$P-c"
}

# The state ls gives an attachment (its container ID) in JSON.
state_of() {
	"${KC[@]}" ls --json --network "$NET" | jq -r --arg id "$1" '.attachments[] | select(.containerID == $id) | .state'
}

@test "ls: pods made by krafty, a deleted netns, a killed ADD, a holding without devices; gc removes only the orphans" {
	netns_make "kg-$P-a" >/dev/null
	netns_make "kg-$P-b" >/dev/null
	netns_make "kg-$P-c" >/dev/null
	"${KC[@]}" add "$NET" "kg-$P-a" -i "${P}a" -I net1 >/dev/null
	"${KC[@]}" add "$NET" "kg-$P-b" -i "${P}b" -I net1 >/dev/null
	# c: an ADD killed after its bridge was made (no veth, no host route yet).
	conf=$(jq -c '.plugins[0] + {name: .name, cniVersion: .cniVersion}' "$D/net.d/kg.conflist")
	CNI_COMMAND=ADD CNI_CONTAINERID=${P}c CNI_NETNS=/run/netns/kg-$P-c CNI_IFNAME=net1 \
		CNI_PATH=$BIN KRAFTY_TEST_PAUSE_AT=after-bridge "$BIN/krafty" <<<"$conf" \
		>/dev/null 2>"$D/pause.err" &
	pid=$!
	for ((i = 0; i < 100; i++)); do grep -q paused "$D/pause.err" && break; sleep 0.05; done
	kill -9 "$pid"
	wait "$pid" || true
	# b's netns goes (its veth pair with it); d holds an address without any device.
	ip netns del "kg-$P-b"
	printf '%sd\r\nnet1' "$P" >"$D/ipam/$NET/10.253.$N.49"
	touch -d '-5 min' "$D/ipam/$NET/10.253.$N.49"
	# Foreign: a bridge and a route in the network's subnet, not krafty's.
	ip link add "$FOREIGN" type bridge
	ip link set "$FOREIGN" up
	ip route add "10.253.$N.200/32" dev "$FOREIGN" proto static

	run "${KC[@]}" ls --network "$NET"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *NETWORK*CONTAINER*IFNAME*NETNS*STATE* ]]
	[ "$(state_of "${P}a")" = ok ]
	[ "$(state_of "${P}b")" = "netns gone" ]
	[ "$(state_of "${P}c")" = partial ]
	[ "$(state_of "${P}d")" = "address held without devices" ]
	"${KC[@]}" ls --json --network "$NET" | jq -e --arg id "${P}a" --arg ns "/run/netns/kg-$P-a" \
		'.attachments[] | select(.containerID == $id) | .netns == $ns and .cached and (.addresses | test("/32$")) and (.ipam | length > 0) and (.hostVeth | length > 0)'
	[[ $output != *"$FOREIGN"* ]]

	run "${KC[@]}" gc --dry-run --network "$NET"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"would remove bridge "*" of $NET/net1/${P}b"* ]]
	[[ $output == *"would remove address 10.253.$N.49 held by $NET/net1/${P}d"* ]]
	[[ $output == *"2 orphaned attachment(s) (dry run)"* ]]
	[ "$(state_of "${P}b")" = "netns gone" ]

	run "${KC[@]}" gc --network "$NET"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"2 orphaned attachment(s)"* ]]
	[ -z "$(state_of "${P}b")" ]
	[ -z "$(state_of "${P}d")" ]
	[ ! -e "$D/ipam/$NET/10.253.$N.49" ]
	[ -z "$(ls "$D/cache/results" | grep "${P}b")" ]
	# Left alone: the live pod, the killed ADD (its netns exists), the foreign bridge and route.
	[ "$(state_of "${P}a")" = ok ]
	[ "$(state_of "${P}c")" = partial ]
	ip link show "$FOREIGN"
	ip route show "10.253.$N.200/32" | grep -q "$FOREIGN"
	"${KC[@]}" check "$NET" "kg-$P-a" -i "${P}a" -I net1
}

@test "gc: a fresh holding is left to a running ADD (--min-age); scoped by --network" {
	mkdir -p "$D/ipam/$NET"
	printf '%se\r\nnet1' "$P" >"$D/ipam/$NET/10.253.$N.48"
	run "${KC[@]}" gc --network "$NET"
	echo "$output"
	[[ $output == *"0 orphaned attachment(s)"* ]]
	[ -e "$D/ipam/$NET/10.253.$N.48" ]
	run "${KC[@]}" gc --network "other-$NET" --min-age 0
	[[ $output == *"0 orphaned attachment(s)"* ]]
	[ -e "$D/ipam/$NET/10.253.$N.48" ]
	run "${KC[@]}" gc --network "$NET" --min-age 0
	echo "$output"
	[[ $output == *"1 orphaned attachment(s)"* ]]
	[ ! -e "$D/ipam/$NET/10.253.$N.48" ]
}
