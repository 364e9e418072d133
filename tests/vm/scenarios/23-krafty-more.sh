#!/bin/sh
# krafty in VRF mode, the rest: dual stack (an IPv4 and an IPv6 marker in the
# table, /32 and /128 routes, both gateways reached), a table that another VRF
# already uses is refused with 103 and nothing is left, and GC removes the
# devices of an attachment that is no longer valid.
# vm-modules: vrf bridge veth
# shellcheck disable=SC2317 # functions run through check
# shellcheck source=../lib.sh
. /vm/lib.sh

kr() {
	printf '%s' "$5" | CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=${3:+/run/netns/$3} CNI_IFNAME=$4 \
		CNI_PATH=$KRAFTY_BIN "$KRAFTY_BIN/krafty"
}

DUAL='{"cniVersion":"1.1.0","name":"dual","type":"krafty","vrfTable":4200,
"subnet":["10.42.0.0/24","fd42::/64"],"gateway":["10.42.0.1","fd42::1"],
"ipam":{"type":"host-local","dataDir":"/tmp/ipam","ranges":[[{"subnet":"10.42.0.0/24"}],[{"subnet":"fd42::/64"}]],
"routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0"}]}}'

check "netns pod" netns_add pod || finish
check "ADD dual stack" kr ADD dualpod-000001 pod net1 "$DUAL" || finish
check_match "IPv4 marker in table 4200" '^unreachable default proto 75 metric 4278198272' "$IP" route show table 4200
check_match "IPv6 marker in table 4200" '^unreachable default .*proto 75 metric 4278198272' "$IP" -6 route show table 4200
check_match "/128 route to the pod" '^fd42::[0-9a-f]+ dev krbdualpod-0000 proto 75' "$IP" -6 route show table 4200
check_match "IPv6 gateway on the bridge, no prefix route" 'fd42::1/64 .*nodad.*noprefixroute|fd42::1/64 .*noprefixroute.*nodad' \
	"$IP" -6 addr show krbdualpod-0000
check_match "IPv6 forwarding on the VRF" '^1$' cat /proc/sys/net/ipv6/conf/krvdualpod-0000/forwarding
check "pod pings the IPv4 gateway" in_ns pod ping -c 1 -W 5 10.42.0.1
check "pod pings the IPv6 gateway" in_ns pod ping -c 1 -W 5 fd42::1
check "DEL dual stack" kr DEL dualpod-000001 pod net1 "$DUAL"
check_nomatch "no pod route left" '^(10\.42|fd42)' sh -c "$IP route show table 4200; $IP -6 route show table 4200"

# A table someone else's VRF already routes with.
check "a foreign VRF on table 4300" "$IP" link add other-vrf type vrf table 4300
check "foreign VRF up" "$IP" link set other-vrf up
check "with a route" "$IP" route add 192.0.2.0/24 dev other-vrf table 4300
TAKEN='{"cniVersion":"1.0.0","name":"taken","type":"krafty","vrfTable":4300,"subnet":"10.43.0.0/24",
"gateway":"10.43.0.1","podIP":"10.43.0.5"}'
OUT=$(kr ADD takenpod-0001 pod net1 "$TAKEN")
check_json "ADD on that table: code 103" "$OUT" .code 103
check_nomatch "nothing left of it" '^[0-9]+: (krv|krb|veth)' "$IP" -o link show
check_nomatch "no marker added" 'unreachable' "$IP" route show table 4300
check "delete the foreign VRF" "$IP" link del other-vrf

# GC in VRF mode: one valid attachment stays, the other goes.
GCNET='{"cniVersion":"1.1.0","name":"gcnet","type":"krafty","vrfTable":4400,"subnet":"10.44.0.0/24",
"gateway":"10.44.0.1","ipam":{"type":"host-local","dataDir":"/tmp/ipam","ranges":[[{"subnet":"10.44.0.0/24"}]]}}'
check "netns pod2" netns_add pod2
check "ADD gc pod 1" kr ADD gckeep-00001 pod net1 "$GCNET"
check "ADD gc pod 2" kr ADD gcgone-00001 pod2 net1 "$GCNET"
check "GC keeping pod 1" kr GC "" "" "" \
	"$(printf '%s' "$GCNET" | jq -c '. + {"cni.dev/valid-attachments": [{"containerID": "gckeep-00001", "ifname": "net1"}]}')"
check "pod 1's VRF stays" "$IP" link show krvgckeep-00001
check_fail "pod 2's VRF is gone" "$IP" link show krvgcgone-00001
check_fail "pod 2's interface is gone" "$IP" -n pod2 link show net1
check_match "the marker stays while pod 1 is there" 'unreachable' "$IP" route show table 4400
check "pod 1 still pings its gateway" in_ns pod ping -c 1 -W 5 10.44.0.1
finish
