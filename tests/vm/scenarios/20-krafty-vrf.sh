#!/bin/sh
# krafty in VRF mode, with our host-local: ADD makes a VRF with the network's
# table (FNV-32a of the name "krafty": 2698658016), a bridge enslaved to it
# holding the gateway without its prefix route, a veth into the pod, the pod's
# address and default route, and a /32 route to the pod in the table. A second
# pod of the same network reaches its gateway too (the seed's bug). CHECK,
# DEL twice, nothing left, STATUS, and two attachments in one pod.
# vm-modules: vrf bridge veth
# shellcheck disable=SC2317 # functions run through check
# shellcheck source=../lib.sh
. /vm/lib.sh

TABLE=2698658016
CONF='{"cniVersion":"1.1.0","name":"krafty","type":"krafty","subnet":"172.16.10.0/24","gateway":"172.16.10.1",
"ipam":{"type":"host-local","dataDir":"/tmp/ipam","ranges":[[{"subnet":"172.16.10.0/24",
"rangeStart":"172.16.10.10","rangeEnd":"172.16.10.250","gateway":"172.16.10.1"}]],"routes":[{"dst":"0.0.0.0/0"}]}}'

# kr CMD CONTAINERID NETNS IFNAME CONF: one krafty call, its stdout printed.
kr() {
	printf '%s' "$5" | CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=${3:+/run/netns/$3} CNI_IFNAME=$4 \
		CNI_PATH=$KRAFTY_BIN "$KRAFTY_BIN/krafty"
}

# kr_ok NAME CMD ...: like kr, as a check; the output is kept in $OUT.
kr_ok() {
	_name=$1
	shift
	OUT=$(kr "$@" 2>&1)
	_rc=$?
	if [ "$_rc" -eq 0 ]; then
		ok "$_name"
	else
		not_ok "$_name" "exit $_rc: $OUT"
	fi
	return "$_rc"
}

with_prev() { printf '%s' "$1" | jq -c --argjson p "$2" '. + {prevResult: $p}'; }

ID1=podone0000001111aaaa
ID2=podtwo0000002222bbbb
check "netns pod1" netns_add pod1 || finish
check "netns pod2" netns_add pod2 || finish

kr_ok "ADD pod1 (VRF mode)" ADD "$ID1" pod1 net1 "$CONF" || finish
R1=$OUT
check_json "result: bridge first" "$R1" '.interfaces[0].name' krbpodone000000
check_json "result: host veth" "$R1" '.interfaces[1].name' "vethpodone00000"
check_json "result: pod interface with its sandbox" "$R1" '.interfaces[2].sandbox' /run/netns/pod1
check_json "result: address and gateway" "$R1" '.ips[0].address + " " + .ips[0].gateway' "172.16.10.10/24 172.16.10.1"
VRF=krvpodone000000
BR=krbpodone000000
check_match "VRF $VRF has table $TABLE" "vrf table $TABLE" "$IP" -d link show "$VRF"
check_match "bridge is enslaved to the VRF" "master $VRF" "$IP" link show "$BR"
check_match "host veth is on the bridge" "master $BR" "$IP" link show vethpodone00000
check_match "devices carry the attachment's alias" "alias krafty [0-9a-f]{16} krafty/net1/$ID1" "$IP" link show "$VRF"
check_match "gateway on the bridge without prefix route" '172\.16\.10\.1/24 .*noprefixroute' "$IP" addr show "$BR"
check_match "pod address" '172\.16\.10\.10/24' "$IP" -n pod1 addr show net1
check_match "pod default route via the gateway, metric 1024" '^default via 172\.16\.10\.1 dev net1 .*metric 1024' \
	"$IP" -n pod1 route show
check_match "/32 route to the pod in the table" "^172\.16\.10\.10 dev $BR proto 75 scope link" \
	"$IP" route show table "$TABLE"
check_match "the table's marker (VRF catch-all)" '^unreachable default proto 75 metric 4278198272' \
	"$IP" route show table "$TABLE"
check_nomatch "no subnet route in the table" '^172\.16\.10\.0/24' "$IP" route show table "$TABLE"
check_nomatch "nothing in the main table" '172\.16\.10\.' "$IP" route show table main
check_match "forwarding on the bridge" '^1$' cat "/proc/sys/net/ipv4/conf/$BR/forwarding"
check_match "forwarding on the VRF" '^1$' cat "/proc/sys/net/ipv4/conf/$VRF/forwarding"
check_match "rp_filter 0 on the VRF" '^0$' cat "/proc/sys/net/ipv4/conf/$VRF/rp_filter"
check "pod1 pings its gateway" in_ns pod1 ping -c 1 -W 5 172.16.10.1

kr_ok "ADD pod2, same network" ADD "$ID2" pod2 net1 "$CONF" || finish
R2=$OUT
check "pod2 pings its gateway" in_ns pod2 ping -c 1 -W 5 172.16.10.1
check "pod1 still pings its gateway" in_ns pod1 ping -c 1 -W 5 172.16.10.1
check_match "pod2's VRF uses the same table" "vrf table $TABLE" "$IP" -d link show krvpodtwo000000

kr_ok "CHECK pod1" CHECK "$ID1" pod1 net1 "$(with_prev "$CONF" "$R1")"
kr_ok "CHECK pod2" CHECK "$ID2" pod2 net1 "$(with_prev "$CONF" "$R2")"
"$IP" route del 172.16.10.11 dev krbpodtwo000000 table "$TABLE"
OUT=$(kr CHECK "$ID2" pod2 net1 "$(with_prev "$CONF" "$R2")")
check_json "CHECK reports a missing /32 route" "$OUT" '.msg | test("node route 172.16.10.11/32 .*missing")' true

kr_ok "STATUS (kernel has VRF, host-local answers)" STATUS "" "" "" "$CONF"

# Two attachments in one pod: two VRFs on one table, distinct names.
kr_ok "ADD pod1 net2 (second attachment)" ADD "$ID1" pod1 net2 "$CONF"
check_json "second attachment takes the collision-free names" "$OUT" \
	'.interfaces[0].name | test("^krbpodone[0-9a-f]{6}$")' true
check "pod1 pings its gateway through net2" in_ns pod1 ping -c 1 -W 5 -I net2 172.16.10.1
check_match "net2's default route comes after net1's" '^default via 172\.16\.10\.1 dev net2 .*metric 1025' \
	"$IP" -n pod1 route show

kr_ok "DEL pod1 net1" DEL "$ID1" pod1 net1 "$CONF"
kr_ok "DEL pod1 net1 again" DEL "$ID1" pod1 net1 "$CONF"
check_fail "pod1's VRF is gone" "$IP" link show "$VRF"
check_fail "pod1's bridge is gone" "$IP" link show "$BR"
check_fail "pod1's net1 is gone" "$IP" -n pod1 link show net1
check "pod1 net2 still pings" in_ns pod1 ping -c 1 -W 5 172.16.10.1
kr_ok "DEL pod1 net2" DEL "$ID1" pod1 net2 "$CONF"
"$IP" netns del pod2
kr_ok "DEL pod2 after its netns is gone" DEL "$ID2" pod2 net1 "$CONF"
kr_ok "DEL pod2 without netns" DEL "$ID2" "" net1 "$CONF"
check_nomatch "no krafty device left" '^[0-9]+: (krv|krb|veth)' "$IP" -o link show
check_nomatch "only the marker left in the table" '^(172|local)' "$IP" route show table "$TABLE"
check_nomatch "no address held by host-local" '^172\.' ls /tmp/ipam/krafty
kr_ok "GC with no valid attachment" GC "" "" "" \
	"$(printf '%s' "$CONF" | jq -c '. + {"cni.dev/valid-attachments": []}')"
check_nomatch "GC removed the marker once no device is left" 'unreachable' "$IP" route show table "$TABLE"
finish
