#!/bin/sh
# The demo's steps, in POSIX sh: the same script runs on the host (make demo,
# tests/demo.sh) and in the VM (tests/vm/scenarios/30-demo.sh, busybox sh).
# Two pods (network namespaces) on one krafty network with host-local IPAM:
# ADD, the node's devices and routes, each pod pings its gateway, CHECK, DEL,
# and what is left. Headings start with "== " (tests/demo.sh makes them bold).
# It ends with three counts that must be 0 (the VM test reads them):
#   devices: N (...)    ipam: N (...)    routes: N (...)
# and exits 1 when a step failed or something is left.
#
# Environment:
#   DEMO_VRF       true or false: "vrf" in the config
#   DEMO_BIN       the directory of krafty and host-local (CNI_PATH)
#   DEMO_CONFLIST  a conflist whose first plugin is krafty with host-local
#   DEMO_DATA      host-local's dataDir: an empty directory the caller removes
#   DEMO_TAG       makes netns names and container IDs unique (default: the PID)
#   IP             iproute2's ip (default ip; busybox sh needs /sbin/ip)
set -eu

IP=${IP:-ip}
VRF=$DEMO_VRF
BIN=$DEMO_BIN
DATA=$DEMO_DATA
TAG=${DEMO_TAG:-$$}
# The pods: netns names, also their container IDs.
A=demo-a-$TAG
B=demo-b-$TAG

say() { printf '\n== %s\n' "$*"; }
fail() {
	echo "demo FAILED: $*" >&2
	exit 1
}

# kr COMMAND POD CONFIG: one krafty call as a runtime makes it (ifname net1).
kr() {
	printf '%s' "$3" | CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=/run/netns/$2 CNI_IFNAME=net1 \
		CNI_PATH=$BIN "$BIN/krafty"
}

# brief: a JSON object as "key: value" lines, nested objects one level down as
# "key.sub: value", arrays of objects one element a line.
brief() {
	jq -r 'def line($k; $v): "  \($k): \($v | tojson)";
		to_entries[] | .key as $k |
		if (.value | type) == "object" and (.value | length) > 0 then
			.value | to_entries[] | line($k + "." + .key; .value)
		elif (.value | type) == "array" and (.value | length) > 0 and (.value[0] | type) == "object" then
			"  \($k):", (.value[] | "    \(tojson)")
		else line($k; .value) end'
}

# link DEV: one line of `ip -d -o link show`, without the words nobody reads
# here (qdisc, mode, group, qlen, the link layer and the -d details but vrf table).
link() {
	"$IP" -d -o link show dev "$1" | sed -e 's/\\ */ /g' \
		-e 's/ qdisc [^ ]*//; s/ mode [A-Z]*//; s/ group [^ ]*//; s/ qlen [0-9]*//' \
		-e 's/ link\/ether [^ ]* brd [^ ]*//; s/ promiscuity .*\( vrf table [0-9]*\).*/\1/' \
		-e 's/ promiscuity .*//; s/ altname .*//'
}

ADDED=
cleanup() {
	# Stopped half-way: DEL what ADD made, then the netns go.
	for p in $ADDED; do kr DEL "$p" "$CONF" >/dev/null 2>&1 || true; done
	for p in $A $B; do "$IP" netns del "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A runtime hands each plugin of a conflist its own config with the list's name and cniVersion.
CONF=$(jq -c --argjson vrf "$VRF" --arg data "$DATA" \
	'{cniVersion, name} + .plugins[0] + {vrf: $vrf} | .ipam.dataDir = $data' "$DEMO_CONFLIST") ||
	fail "cannot read $DEMO_CONFLIST"
NET=$(printf '%s' "$CONF" | jq -r .name)
say "config: ${DEMO_CONFLIST##*/} with \"vrf\": $VRF and a dataDir of its own"
printf '%s' "$CONF" | brief

for p in $A $B; do
	if ! "$IP" netns add "$p" || ! "$IP" -n "$p" link set lo up; then fail "cannot make netns $p"; fi
done
# The node's spare bridges before the demo: its DELs park two more, and the
# demo ends by trimming the pool back to this count.
spares_before=$("$IP" -o link show | grep -cE '^[0-9]+: krsb[0-9]+[:@]' || true)

say "ADD pod A (netns and container ID $A, ifname net1): krafty's result"
ADDED=$A
RA=$(kr ADD "$A" "$CONF") || fail "ADD $A: $RA"
printf '%s' "$RA" | brief
ADDED="$A $B"
RB=$(kr ADD "$B" "$CONF") || fail "ADD $B: $RB"
say "ADD pod B ($B): $(printf '%s' "$RB" | jq -r '.ips[0].address') on net1, the same network"

GW=$(printf '%s' "$RA" | jq -r '.ips[0].gateway')
# The pods' addresses as regexps (dots escaped), to find their routes.
ADDR_A=$(printf '%s' "$RA" | jq -r '.ips[0].address | sub("/.*"; "") | gsub("\\."; "\\.")')
ADDR_B=$(printf '%s' "$RB" | jq -r '.ips[0].address | sub("/.*"; "") | gsub("\\."; "\\.")')
# The node's devices of both pods: bridge and host veth from the results, the VRF from the bridge.
DEVS=
VRFS=
for r in "$RA" "$RB"; do
	br=$(printf '%s' "$r" | jq -r '.interfaces[0].name')
	veth=$(printf '%s' "$r" | jq -r '.interfaces[1].name')
	DEVS="$DEVS $br $veth"
	if [ "$VRF" = true ]; then
		v=$("$IP" -o link show dev "$br" | sed -n 's/.* master \([^ ]*\) .*/\1/p')
		[ -n "$v" ] || fail "bridge $br is in no VRF"
		DEVS="$DEVS $v"
		VRFS="$VRFS $v"
	fi
done
BR_A=$(printf '%s' "$RA" | jq -r '.interfaces[0].name')
VETH_A=$(printf '%s' "$RA" | jq -r '.interfaces[1].name')

say "inside pod A: its interface and routes"
"$IP" -n "$A" -br addr show dev net1
"$IP" -n "$A" route show

if [ "$VRF" = true ]; then
	VRF_A=${VRFS# }
	VRF_A=${VRF_A%% *}
	TABLE=$("$IP" -d -o link show dev "$VRF_A" | sed -n 's/.* vrf table \([0-9]*\).*/\1/p')
	say "on the node: a VRF per pod, both on the network's table $TABLE (ip -d link show type vrf)"
	for v in $VRFS; do link "$v"; done
	say "pod A's bridge, enslaved to its VRF, holds the gateway; the host veth is on the bridge"
	link "$BR_A"
	"$IP" -br addr show dev "$BR_A"
	link "$VETH_A"
	say "the routes of table $TABLE (ip route show vrf $VRF_A): a /32 per pod, via its own bridge"
	"$IP" route show vrf "$VRF_A"
else
	TABLE=main
	say "on the node: pod A's bridge holds the gateway; the host veth is on the bridge"
	link "$BR_A"
	"$IP" -br addr show dev "$BR_A"
	link "$VETH_A"
	say "the main table's routes to the pods: a /32 per pod, via its own bridge"
	"$IP" route show table main | grep -E "^($ADDR_A|$ADDR_B) " || true
fi

say "each pod pings its gateway $GW"
for p in $A $B; do
	out=$("$IP" netns exec "$p" ping -c 1 -W 2 "$GW" 2>&1) || fail "$p cannot ping $GW: $out"
	printf '%s: %s\n' "$p" "$(printf '%s\n' "$out" | grep 'bytes from' | head -n 1)"
done

say "CHECK (the config with the ADD result as prevResult)"
for p in $A $B; do
	if [ "$p" = "$A" ]; then r=$RA; else r=$RB; fi
	c=$(printf '%s' "$CONF" | jq -c --argjson prev "$r" '. + {prevResult: $prev}')
	out=$(kr CHECK "$p" "$c") || fail "CHECK $p: $out"
	echo "$p: CHECK passed"
done

say "DEL"
for p in $A $B; do
	out=$(kr DEL "$p" "$CONF") || fail "DEL $p: $out"
	echo "$p: DEL done"
done
ADDED=

say "what is left"
# Devices: the names seen after ADD, and anything carrying either pod's alias.
devices=$("$IP" -o link show | awk -v names="$DEVS" -v a="/net1/$A" -v b="/net1/$B" '
	BEGIN { n = split(names, d, " "); for (i = 1; i <= n; i++) want[d[i]] = 1 }
	{ name = $2; sub(/[:@].*/, "", name) }
	(name in want) || index($0, a) || index($0, b) { c++ }
	END { print c + 0 }')
# host-local keeps one file per held address in <dataDir>/<network>/.
ipam=$(find "$DATA" -mindepth 2 -maxdepth 2 -type f ! -name lock ! -name 'last_reserved_ip*' | wc -l)
routes=$("$IP" route show table "$TABLE" | grep -cE "^($ADDR_A|$ADDR_B)( |$)" || true)
echo "devices: $devices (the pods' devices on the node)"
# DEL keeps bridges and VRFs as spares for the next ADD (deleting them stalls the node).
echo "spares: $("$IP" -o link show | awk -F': ' '$2 ~ /^krs[bv]/ {printf "%s ", $2}')(down, no address; the next ADD takes them)"
echo "ipam: $ipam (addresses host-local holds: files in $DATA/$NET)"
if [ "$VRF" = true ]; then
	marker=$("$IP" route show table "$TABLE" | grep -c '^unreachable default proto 75' || true)
	echo "routes: $routes (to the pods, in table $TABLE); table marker: $marker (it goes with the table's last pod)"
else
	echo "routes: $routes (to the pods, in the main table)"
fi
if [ "$devices" != 0 ] || [ "$ipam" != 0 ] || [ "$routes" != 0 ] || [ "${marker:-0}" != 0 ]; then fail "something is left"; fi

say "GC: the node's spare bridges back to the $spares_before it had before the demo"
# GC of this network with no valid attachment and "spares" at that count: it keeps
# the spare slots below the count (and this network's VRF spares go with its last pod).
printf '%s' "$CONF" | jq -c --argjson n "$spares_before" \
	'. + {cniVersion: "1.1.0", spares: ([$n, 99] | min), "cni.dev/valid-attachments": []}' |
	CNI_COMMAND=GC CNI_PATH=$BIN "$BIN/krafty" || fail "GC"
echo "spares: $("$IP" -o link show | awk -F': ' '$2 ~ /^krs[bv]/ {printf "%s ", $2}')(after GC)"
