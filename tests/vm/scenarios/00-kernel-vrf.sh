#!/bin/sh
# The guest kernel does VRF: a bridge enslaved to a VRF (table 100), a veth
# from the bridge into a netns, and pings across that go through the VRF's
# table and not the main one. Uses only iproute2 and busybox: it proves the
# VM runner, not our plugins.
# vm-modules: vrf bridge veth
# shellcheck source=../lib.sh
. /vm/lib.sh

check "create vrf (type vrf table 100)" "$IP" link add vrf-test type vrf table 100 || finish
check "vrf up" "$IP" link set vrf-test up
check_match "vrf has table 100" 'vrf table 100' "$IP" -d link show vrf-test

check "create bridge" "$IP" link add br-test type bridge
check "enslave bridge to vrf" "$IP" link set br-test master vrf-test
check_match "bridge master is the vrf" 'master vrf-test' "$IP" link show br-test
check "bridge address" "$IP" addr add 10.99.0.1/24 dev br-test
check "bridge up" "$IP" link set br-test up

check "create veth pair" "$IP" link add veth-h type veth peer name veth-c
check "create netns" netns_add ns-a
check "move veth peer into netns" "$IP" link set veth-c netns ns-a
check_fail "veth peer gone from the host" "$IP" link show veth-c
check "host veth on the bridge" "$IP" link set veth-h master br-test
check "host veth up" "$IP" link set veth-h up
check "netns address" "$IP" -n ns-a addr add 10.99.0.2/24 dev veth-c
check "netns veth up" "$IP" -n ns-a link set veth-c up

check_match "subnet route in vrf table 100" '^10\.99\.0\.0/24 dev br-test' \
	"$IP" route show table 100
check_nomatch "subnet route not in main table" '^10\.99\.0\.0/24' "$IP" route show table main
check_match "ip route show vrf" '^10\.99\.0\.0/24 dev br-test' "$IP" route show vrf vrf-test

# The reply to the netns leaves through the bridge, found in table 100 only.
check "ping netns -> bridge address" in_ns ns-a ping -c 1 -W 5 10.99.0.1
check "ping vrf -> netns (ping -I vrf-test)" ping -c 1 -W 5 -I vrf-test 10.99.0.2
check_fail "no route to netns outside the vrf" ping -c 1 -W 1 10.99.0.2

check "delete netns" "$IP" netns delete ns-a
check "delete vrf" "$IP" link delete vrf-test
check "delete bridge" "$IP" link delete br-test
check_nomatch "table 100 empty after delete" '10\.99\.0\.0' "$IP" route show table 100
finish
