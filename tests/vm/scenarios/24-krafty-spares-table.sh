#!/bin/sh
# krafty in VRF mode: spares and the table marker.
#  - DEL parks the bridge and the VRF as spares (down, no address, no master,
#    no route, "krafty spare" alias); ADD takes them back; their number stays
#    within `spares`; GC with "spares": 0 removes them.
#  - Two networks sharing a vrfTable: the marker stays while any attachment of
#    either is there (also through parallel ADDs and DELs) and goes with the last,
#    and so does the table's count file /run/krafty/table-<T>.
#  - ADD killed right after creating each device (before it is named and
#    aliased): DEL leaves nothing, not even a device under a temporary name.
# vm-modules: vrf bridge veth
# shellcheck disable=SC2317 # functions run through check
# shellcheck source=../lib.sh
. /vm/lib.sh

kr() {
	printf '%s' "$5" | CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=${3:+/run/netns/$3} CNI_IFNAME=$4 \
		CNI_PATH=$KRAFTY_BIN "$KRAFTY_BIN/krafty"
}

net() { # net NAME SUBNET-PREFIX: a static-address network on table 4500 with 2 spares
	printf '{"cniVersion":"1.1.0","name":"%s","type":"krafty","vrfTable":4500,"spares":2,
"subnet":"%s.0/24","gateway":"%s.1","ipam":{"type":"host-local","dataDir":"/tmp/ipam-%s",
"ranges":[[{"subnet":"%s.0/24"}]]}}' "$1" "$2" "$2" "$1" "$2"
}
A=$(net neta 10.45.0)
B=$(net netb 10.46.0)
VRF_SPARE=krsv0000119400 # table 4500 = 0x1194, slot 0

users_are() { [ "$(cat /run/krafty/table-4500)" = "$1" ]; } # the table's count file: "IPv4 IPv6"
marker() { "$IP" route show table 4500 | grep -q '^unreachable default proto 75 metric 4278198272'; }
no_marker() { ! marker; }
spare_is_inert() { # NAME: down, no address, no master, no route through it
	"$IP" -o link show "$1" | grep -q 'state DOWN' || return 1
	"$IP" -o link show "$1" | grep -q ' master ' && return 1
	[ -z "$("$IP" -o addr show dev "$1")" ] || return 1
	[ -z "$("$IP" route show table 4500 dev "$1" 2>/dev/null)" ]
}

for p in pa1 pb1 pa2; do check "netns $p" netns_add "$p" || finish; done
check "GC with spares 0 clears old spares" kr GC "" "" "" "$(printf '%s' "$A" | jq -c '.spares = 0 | . + {"cni.dev/valid-attachments": []}')"
check "ADD a1 (network A, table 4500)" kr ADD sa1-000000001 pa1 net1 "$A" || finish
check "ADD b1 (network B, same table)" kr ADD sb1-000000001 pb1 net1 "$B" || finish
check "the marker is there" marker
check "the table's count file says two IPv4 users" users_are "2 0"
check "DEL a1" kr DEL sa1-000000001 pa1 net1 "$A"
check "the marker stays: b1 uses the table" marker
check_match "a1's VRF is a spare of table 4500" 'alias krafty spare vrf table 4500' "$IP" -d link show "$VRF_SPARE"
check_match "a1's bridge is a spare" 'alias krafty spare bridge' "$IP" -d link show krsb00
check "the spare VRF is inert" spare_is_inert "$VRF_SPARE"
check "the spare bridge is inert" spare_is_inert krsb00
check "ADD a2 takes the spares" kr ADD sa2-000000001 pa2 net1 "$A"
check_fail "the VRF spare is gone (taken)" "$IP" link show "$VRF_SPARE"
check_match "a2's VRF routes with table 4500" 'vrf table 4500' "$IP" -d link show krvsa2-00000000
check "a2 pings its gateway" in_ns pa2 ping -c 1 -W 5 10.45.0.1
check "b1 pings its gateway" in_ns pb1 ping -c 1 -W 5 10.46.0.1
check "DEL b1" kr DEL sb1-000000001 pb1 net1 "$B"
check "the marker stays: a2 uses the table" marker
check "DEL a2" kr DEL sa2-000000001 pa2 net1 "$A"
check "the last DEL took the marker" no_marker
check_nomatch "no pod route left in the table" '^10\.4[56]' "$IP" route show table 4500
check "and the table's count file" test ! -e /run/krafty/table-4500

# Six ADDs of both networks at once, then six DELs at once.
par() { # par CMD: the command for p1..p6, alternating networks, in parallel
	for i in 1 2 3 4 5 6; do
		c=$A
		[ $((i % 2)) = 0 ] && c=$B
		kr "$1" "spp$i-00000000" "pp$i" net1 "$c" >"/tmp/par.$i" 2>&1 &
	done
	wait
	for i in 1 2 3 4 5 6; do grep -q '"code"' "/tmp/par.$i" && { cat "/tmp/par.$i"; return 1; }; done
	return 0
}
for i in 1 2 3 4 5 6; do netns_add "pp$i"; done
check "six ADDs in parallel" par ADD
check "the marker is there" marker
check "the count file, made anew, says six IPv4 users" users_are "6 0"
check "pod 3 pings its gateway" in_ns pp3 ping -c 1 -W 5 10.45.0.1
check "six DELs in parallel" par DEL
check "the marker went with the last DEL" no_marker
check "and the count file" test ! -e /run/krafty/table-4500
check_nomatch "no pod route left" '^10\.4[56]' "$IP" route show table 4500
check "spares stay within the bound (2 VRFs + 2 bridges)" sh -c "[ \$($IP -o link show | grep -cE '^[0-9]+: krs[bv]') -le 4 ]"

# ADD killed right after it created a device, before naming it.
CONF=$A
kill_at() { # STEP ID
	printf '%s' "$CONF" >/tmp/conf.json
	CNI_COMMAND=ADD CNI_CONTAINERID=$2 CNI_NETNS=/run/netns/pa1 CNI_IFNAME=net1 CNI_PATH=$KRAFTY_BIN \
		KRAFTY_TEST_PAUSE_AT=$1 "$KRAFTY_BIN/krafty" </tmp/conf.json >/dev/null 2>/tmp/pause.err &
	_pid=$!
	_n=0
	while [ "$_n" -lt 100 ] && ! grep -q "paused at $1" /tmp/pause.err; do
		sleep 0.1
		_n=$((_n + 1))
	done
	grep -q "paused at $1" /tmp/pause.err || { kill -9 "$_pid"; echo "no pause at $1"; return 1; }
	kill -9 "$_pid"
	wait "$_pid" 2>/dev/null
	return 0
}
check "GC with spares 0" kr GC "" "" "" "$(printf '%s' "$A" | jq -c '.spares = 0 | . + {"cni.dev/valid-attachments": []}')"
for step in after-vrf-create after-bridge-create after-veth-create; do
	check "ADD killed at $step" kill_at "$step" "skill-$step"
	if [ "$step" = after-veth-create ]; then
		# Both ends are born under their final names, the pod end in a birth group.
		check_match "the host veth is there, not yet aliased ($step)" '^[0-9]+: vethskill-after@.*link-netns pa1$' "$IP" -o link show
		check_match "its pod end is net1, in a birth group ($step)" '^[0-9]+: net1@.* group -[0-9]+ ' "$IP" -n pa1 -o link show
	else
		check_match "a device under a temporary name is there ($step)" '^[0-9]+: kt[vb][0-9a-f]{12}' "$IP" -o link show
	fi
	check "DEL after the kill at $step" kr DEL "skill-$step" pa1 net1 "$A"
	check_nomatch "nothing left ($step)" '^[0-9]+: (kt[vbh]|krv|krb|veth)' "$IP" -o link show
	check_nomatch "no pod end left in the pod ($step)" 'krt|net1' "$IP" -n pa1 -o link show
done
check "GC with spares 0 removes every spare" kr GC "" "" "" "$(printf '%s' "$A" | jq -c '.spares = 0 | . + {"cni.dev/valid-attachments": []}')"
check_nomatch "no spare left" '^[0-9]+: krs[bv]' "$IP" -o link show
check "and no marker" no_marker
finish
