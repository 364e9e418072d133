#!/bin/sh
# lib/netlink in a VRF-capable kernel (through the nl-smoke tool): it creates a
# VRF with a table, enslaves a bridge to it, creates a veth whose peer is placed
# directly in a netns, renames it there, addresses it and routes via the gateway;
# the pod pings the gateway through the VRF table; delete removes everything.
# vm-modules: vrf bridge veth
# shellcheck source=../lib.sh
. /vm/lib.sh

NLS=$TOOLS/nl-smoke
check "netns" netns_add pod1 || finish
check "nl-smoke vrf-bridge-veth" "$NLS" vrf-bridge-veth kvrf1 1001 kbr1 kveth1 /run/netns/pod1 net1 \
	10.77.0.5/24 10.77.0.1 || finish
check_match "VRF kvrf1 has table 1001" 'vrf table 1001' "$IP" -d link show kvrf1
check_match "bridge kbr1 is enslaved to kvrf1" 'master kvrf1' "$IP" link show kbr1
check_match "veth kveth1 is on bridge kbr1" 'master kbr1' "$IP" link show kveth1
check_fail "the peer is not on the host" "$IP" link show net1
check_match "the peer is net1 in the netns with its address" '10\.77\.0\.5/24' "$IP" -n pod1 addr show net1
check_match "default route in the netns via the gateway" '^default via 10\.77\.0\.1 dev net1' \
	"$IP" -n pod1 route show
check_match "subnet route lives in table 1001" '^10\.77\.0\.0/24 dev kbr1' "$IP" route show table 1001
check_nomatch "and not in the main table" '10\.77\.0\.0/24' "$IP" route show
check_match "knl_link_info reads the VRF table" "^vrf_table=1001$" "$NLS" link-info kvrf1
check "the pod pings its gateway through the VRF" in_ns pod1 ping -c 1 -W 5 10.77.0.1
check "delete" "$NLS" del kveth1 kbr1 kvrf1
check_fail "VRF gone" "$IP" link show kvrf1
check_fail "bridge gone" "$IP" link show kbr1
check_fail "veth peer gone from the netns" "$IP" -n pod1 link show net1
check "delete again is fine" "$NLS" del kveth1 kbr1 kvrf1
finish
