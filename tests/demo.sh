#!/usr/bin/env bash
# The demo on an embedded default: build, make a throwaway pod netns, run krafty
# ADD with the shipped example config (conf/krafty-host-local.conflist), show the
# pod's interface and the result, CHECK, DEL, and show that nothing is left.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) == 0 ]] || { echo "the demo needs root (it makes a network namespace): run make demo as root" >&2; exit 2; }

bash tests/deps.sh
make -s all

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
BIN=$PWD/build/bin
NS=krafty-demo-$$
ID=demo$(date +%s)
DATA=$(mktemp -d /tmp/krafty-demo-ipam.XXXXXX)
CONFLIST=conf/krafty-host-local.conflist

ADDED=0
cleanup() {
	# If the demo stopped half-way, DEL what ADD made before removing the netns.
	if ((ADDED)); then
		CNI_COMMAND=DEL "$BIN/krafty" <<<"$CONF" >/dev/null || true
	fi
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$DATA"
}
trap cleanup EXIT

# Probe the kernel for VRF: without it krafty refuses "vrf": true, so the demo says so and attaches without one.
if ip link add krvdemoprobe type vrf table 4242 2>/dev/null; then
	ip link del krvdemoprobe
	VRF=true
	say "this kernel supports VRF: krafty makes a VRF per pod"
else
	VRF=false
	say "this kernel has no VRF support (ip link add ... type vrf fails): the demo sets \"vrf\": false"
fi

# A runtime hands each plugin of a conflist its own config with the list's name and cniVersion.
CONF=$(jq -c --argjson vrf "$VRF" --arg data "$DATA" \
	'.plugins[0] + {name: .name, cniVersion: .cniVersion, vrf: $vrf} | .ipam.dataDir = $data' "$CONFLIST")
say "config (from $CONFLIST; dataDir moved to a temp dir for the demo)"
jq . <<<"$CONF"

ip netns add "$NS"
ip -n "$NS" link set lo up
export CNI_CONTAINERID=$ID CNI_NETNS=/run/netns/$NS CNI_IFNAME=net1 CNI_PATH=$BIN

say "ADD (container $ID, netns $CNI_NETNS, ifname net1)"
ADDED=1
RESULT=$(CNI_COMMAND=ADD "$BIN/krafty" <<<"$CONF") || { echo "$RESULT"; exit 1; }
jq . <<<"$RESULT"

say "the pod's interface and routes"
ip -n "$NS" -br addr show dev net1
ip -n "$NS" route show
say "node side"
ip -br link show 2>/dev/null | grep -E "^(krv|krb|veth)${ID:0:11}" || true
GW=$(jq -r '.ips[0].gateway' <<<"$RESULT")
say "ping the gateway $GW from the pod"
ip netns exec "$NS" ping -c 2 -W 1 "$GW"

say "CHECK"
CHECK_CONF=$(jq -c --argjson prev "$RESULT" '. + {prevResult: $prev}' <<<"$CONF")
CNI_COMMAND=CHECK "$BIN/krafty" <<<"$CHECK_CONF" && echo "CHECK passed"

say "DEL"
CNI_COMMAND=DEL "$BIN/krafty" <<<"$CONF" && echo "DEL done"
ADDED=0

say "what is left"
left=$(ip -br link show 2>/dev/null | grep -cE "^(krv|krb|veth)${ID:0:11}" || true)
echo "devices for $ID on the node: $left"
echo "pod interfaces: $(ip -n "$NS" -br link show | awk '{print $1}' | tr '\n' ' ')"
# host-local keeps one file per held address in <dataDir>/<network>/.
held=$(find "$DATA" -mindepth 2 -maxdepth 2 -type f ! -name lock ! -name 'last_reserved_ip*' | wc -l)
echo "IPAM addresses held: $held"
[[ $left == 0 && $held == 0 ]]
