#!/bin/sh
# kractl with krafty in VRF mode: add, check, status, gc and del of a conflist (krafty +
# host-local + tuning-lite, cniVersion 1.1.0) with libcni's cache, the pod reaching its
# gateway through the VRF; mutate and revert of the pod's MTU, MAC and promisc; the
# history of the pod after ADD, mutate, revert and DEL; nothing left.
# vm-modules: vrf bridge veth
# shellcheck disable=SC2317 # functions run through check
# shellcheck source=../lib.sh
. /vm/lib.sh

KRACTL=/opt/krafty/sbin/kractl
mkdir -p /tmp/kc/net.d /run/kc
cat >/tmp/kc/net.d/kv.conflist <<'CONF'
{"cniVersion":"1.1.0","name":"kc-vrf","plugins":[
 {"type":"krafty","vrfTable":4500,"subnet":"10.243.0.0/24","gateway":"10.243.0.1","logFile":"/run/kc/cni.log",
  "ipam":{"type":"host-local","dataDir":"/tmp/kc/ipam","ranges":[[{"subnet":"10.243.0.0/24"}]]}},
 {"type":"tuning-lite","mtu":1400,"dataDir":"/tmp/kc/tuning","logFile":"/run/kc/cni.log"}]}
CONF

kc() { "$KRACTL" -C /tmp/kc/net.d -p "$KRAFTY_BIN" -D /tmp/kc/cache -d /tmp/kc/tuning -l /run/kc/cni.log -I net1 "$@"; }
field() { $IP -n "$1" -j link show dev net1 | jq -r ".[0].$2"; }

check "netns pod" netns_add pod || finish
check "netns pod2" netns_add pod2 || finish
OUT=$(kc add kc-vrf pod --id kcvrfpod1 2>&1)
check_json "kractl add: the pod's address" "$OUT" '.ips[0].address | startswith("10.243.0.")' true
check_match "the VRF with table 4500" 'vrf table 4500' "$IP" -d link show krvkcvrfpod1
check_match "the bridge enslaved to it" 'master krvkcvrfpod1' "$IP" link show krbkcvrfpod1
check_match "the marker in table 4500" '^unreachable default proto 75' "$IP" route show table 4500
check "the pod pings its gateway through the VRF" in_ns pod ping -c 1 -W 5 10.243.0.1
check_json "the cache entry" "$(cat /tmp/kc/cache/results/kc-vrf-kcvrfpod1-net1)" \
	'[.kind, .containerId, .networkName, .ifName, .netns] | join(" ")' "cniCacheV1 kcvrfpod1 kc-vrf net1 /run/netns/pod"
check "kractl check" kc check kc-vrf pod --id kcvrfpod1
check_match "kractl status" '^network kc-vrf: available \(2 plugins answered STATUS\)$' kc status kc-vrf
check_json "MTU from the network" "$(field pod mtu)" . 1400

MAC=$(field pod address)
check_match "kractl mutate" '^mutated net1 of pod kcvrfpod1 ' kc mutate pod mtu=1300 mac=02:00:5e:10:00:05 promisc=true
check_json "mutated MTU" "$(field pod mtu)" . 1300
check_match "mutated MAC" '^02:00:5e:10:00:05$' field pod address
check_json "mutated promisc" "$($IP -n pod -j -d link show dev net1 | jq .[0].promiscuity)" . 1
check "the pod still pings its gateway" in_ns pod ping -c 1 -W 5 10.243.0.1
check_match "kractl revert" '^reverted net1 of pod kcvrfpod1 in netns /run/netns/pod$' kc revert kcvrfpod1
check_json "MTU back" "$(field pod mtu)" . 1400
check_match "MAC back" "^$MAC\$" field pod address
check_json "promisc back" "$($IP -n pod -j -d link show dev net1 | jq .[0].promiscuity)" . 0

# GC: a second pod's attachment is not valid.
check "kractl add pod2" kc add kc-vrf pod2 --id kcvrfpod2
check_match "kractl gc" '^network kc-vrf: 1 stale cached attachment\(s\) deleted; GC sent to every plugin$' \
	kc gc kc-vrf --valid kcvrfpod1/net1
check_fail "pod2's VRF is gone" "$IP" link show krvkcvrfpod2
check "pod1's VRF stays" "$IP" link show krvkcvrfpod1

check "kractl del" kc del kc-vrf pod --id kcvrfpod1
check_nomatch "nothing left" '^[0-9]+: (krv|krb|veth)kcvrf' "$IP" -o link show
check_fail "no cache entry" test -e /tmp/kc/cache/results/kc-vrf-kcvrfpod1-net1
OUT=$(kc history kcvrfpod1 --json 2>&1)
check_json "history: every call" "$OUT" '[.command, .network, .plugin] | join(" ")' "ADD kc-vrf host-local
ADD kc-vrf krafty
ADD kc-vrf tuning-lite
CHECK kc-vrf host-local
CHECK kc-vrf krafty
CHECK kc-vrf tuning-lite
ADD kractl-mutate passthru
ADD kractl-mutate tuning-lite
DEL kractl-mutate tuning-lite
DEL kractl-mutate passthru
DEL kc-vrf tuning-lite
DEL kc-vrf host-local
DEL kc-vrf krafty"
check_json "history: the mutation's changes" "$OUT" \
	'select(.network == "kractl-mutate" and .plugin == "tuning-lite") | [.changes[] | "\(.key) \(.from) \(.to)"] | join(", ")' \
	"mac $MAC 02:00:5e:10:00:05, mtu 1400 1300, promisc false true
promisc true false, mtu 1300 1400, mac 02:00:5e:10:00:05 $MAC"
finish
