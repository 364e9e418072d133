#!/bin/sh
# kractl ls and gc with krafty in VRF mode: two pods, one whose netns is deleted; ls
# shows the VRF, its table, bridge, veth, addresses and host-local's holding; gc
# removes the orphan's devices, holding, cache entry and leaves the live pod, a
# foreign bridge and a foreign route in the table alone; the table's marker stays
# while a pod uses it and goes with the last one.
# vm-modules: vrf bridge veth
# shellcheck disable=SC2317 # functions run through check
# shellcheck source=../lib.sh
. /vm/lib.sh

KRACTL=/opt/krafty/sbin/kractl
mkdir -p /tmp/kl/net.d
cat >/tmp/kl/net.d/kl.conflist <<'CONF'
{"cniVersion":"1.1.0","name":"kg-vrf","plugins":[
 {"type":"krafty","vrfTable":4600,"spares":0,"subnet":"10.252.0.0/24","gateway":"10.252.0.1",
  "ipam":{"type":"host-local","dataDir":"/tmp/kl/ipam","ranges":[[{"subnet":"10.252.0.0/24"}]]}}]}
CONF

kl() { "$KRACTL" -C /tmp/kl/net.d -p "$KRAFTY_BIN" -D /tmp/kl/cache -d /tmp/kl/tuning -I net1 "$@"; }
state() { kl ls --json --network kg-vrf | jq -r --arg id "$1" '.attachments[] | select(.containerID == $id) | "\(.state) \(.vrf) \(.table) \(.netns)"'; }

check "netns pod" netns_add pod || finish
check "netns pod2" netns_add pod2 || finish
check "kractl add pod" kl add kg-vrf pod --id kgvrf1
check "kractl add pod2" kl add kg-vrf pod2 --id kgvrf2
check_match "ls: the live pod" '^ok krvkgvrf1 4600 /run/netns/pod$' state kgvrf1
check_match "ls: the table" 'kg-vrf +kgvrf1 +net1 +/run/netns/pod +krvkgvrf1\(4600\) +krbkgvrf1 +vethkgvrf1 +10\.252\.0\.[0-9]+/32 +10\.252\.0\.' kl ls
check "netns pod2 deleted" "$IP" netns del pod2
check_match "ls: pod2's netns is gone" '^netns gone krvkgvrf2 4600 gone$' state kgvrf2
check "a foreign bridge" "$IP" link add kgforeign type bridge
check "it is up" "$IP" link set kgforeign up
check "a foreign route in the table" "$IP" route add 10.252.0.250/32 dev kgforeign table 4600
check_match "gc --dry-run" '^1 orphaned attachment\(s\) \(dry run\)$' kl gc --dry-run --network kg-vrf
check "pod2's VRF still there" "$IP" link show krvkgvrf2
check_match "gc" 'removed VRF krvkgvrf2 of kg-vrf/net1/kgvrf2' kl gc --network kg-vrf
check_fail "pod2's VRF is gone" "$IP" link show krvkgvrf2
check_fail "pod2's bridge is gone" "$IP" link show krbkgvrf2
check_fail "pod2's cache entry is gone" test -e /tmp/kl/cache/results/kg-vrf-kgvrf2-net1
check_match "the live pod stays" '^ok ' state kgvrf1
check "it pings its gateway" in_ns pod ping -c 1 -W 5 10.252.0.1
check "the foreign bridge stays" "$IP" link show kgforeign
check_match "the foreign route stays" '10.252.0.250 dev kgforeign' "$IP" route show table 4600
check_match "the marker stays" '^unreachable default proto 75' "$IP" route show table 4600
check "kractl del pod" kl del kg-vrf pod --id kgvrf1
check_nomatch "ls: nothing of kg-vrf" 'kgvrf' kl ls
check_nomatch "the marker went with the last pod" '^unreachable default proto 75' "$IP" route show table 4600
finish
