#!/usr/bin/env bash
# Report on the lab: pod readiness, both interfaces and their addresses, the VRF
# and its table on the node, the bridge enslaved to it, the pod end of each veth in
# the pod's netns (the sandbox's, as containerd reports it), and HTTP on 8080 through
# the Service and `kubectl port-forward`. Prints everything, then a summary line;
# exits non-zero on any failure.
set -uo pipefail
CLUSTER_NAME=${CLUSTER_NAME:-krafty}
KUBECTL=(kubectl --context "kind-$CLUSTER_NAME")
HTTP_PORT=${LAB_HTTP_PORT:-18080} # the local end of the port-forward
failures=0

for t in kubectl docker jq curl; do
	command -v "$t" >/dev/null || { echo "validate: $t is required" >&2; exit 1; }
done

check() {
	local what=$1
	shift
	if out=$("$@" 2>&1); then
		printf 'PASS  %s\n' "$what"
	else
		printf 'FAIL  %s\n' "$what"
		failures=$((failures + 1))
	fi
	[[ -n $out ]] && while IFS= read -r line; do printf '      %s\n' "$line"; done <<<"$out"
	return 0
}

pod=$("${KUBECTL[@]}" get pods -l app=nettools -o jsonpath='{.items[0].metadata.name}' 2>/dev/null)
node=$("${KUBECTL[@]}" get pods -l app=nettools -o jsonpath='{.items[0].spec.nodeName}' 2>/dev/null)
uid=$("${KUBECTL[@]}" get pods -l app=nettools -o jsonpath='{.items[0].metadata.uid}' 2>/dev/null)

echo "== deployment"
check "deployment nettools is available" "${KUBECTL[@]}" rollout status deploy/nettools --timeout=60s
check "pod $pod is Running on $node" \
	bash -c "[[ \$(${KUBECTL[*]} get pod $pod -o jsonpath='{.status.phase}') == Running ]]"

echo "== interfaces in the pod"
check "eth0 (primary CNI) has an IPv4 address" \
	bash -c "${KUBECTL[*]} exec $pod -- ip -4 -br addr show dev eth0 | grep -E '[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+/'"
check "net1 (krafty) has an address in 172.16.10.0/24" \
	bash -c "${KUBECTL[*]} exec $pod -- ip -4 -br addr show dev net1 | grep -E ' 172\.16\.10\.[0-9]+/24'"
check "net1 reaches its gateway 172.16.10.1" "${KUBECTL[@]}" exec "$pod" -- ping -c 2 -W 2 172.16.10.1
check "the pod's default route stays on eth0" \
	bash -c "${KUBECTL[*]} exec $pod -- ip route show default | head -1 | grep -w eth0"

echo "== node $node"
# The sandbox container ID is what krafty names devices after; find devices by alias.
check "a krafty VRF with its table exists" \
	bash -c "docker exec $node ip -d link show type vrf | grep -A2 '^[0-9]*: krv' | grep -E 'vrf table [0-9]+'"
check "a krafty bridge is enslaved to a krafty VRF" \
	bash -c "docker exec $node ip -d link show type bridge | grep -E '^[0-9]+: krb.*master krv'"
check "a host veth sits on a krafty bridge" \
	bash -c "docker exec $node ip link show type veth | grep -E '^[0-9]+: veth[^@]*@.*master krb'"
check "the VRF table routes the pod address via its bridge" \
	bash -c "t=\$(docker exec $node ip -d link show type vrf | grep -oE 'vrf table [0-9]+' | head -1 | awk '{print \$3}'); docker exec $node ip route show table \$t | grep -E '172\.16\.10\.[0-9]+ dev krb'"
echo "(pod uid $uid)"

# The network namespace of the pod's sandbox on the node, as containerd reports it.
sandbox_id() {
	docker exec "$node" crictl pods --name "$pod" --namespace default --state ready -q | head -1
}
sandbox_netns() {
	docker exec "$node" crictl inspectp "$(sandbox_id)" |
		jq -r '.info.runtimeSpec.linux.namespaces[] | select(.type == "network") | .path'
}

# The pod's own netns (read inside the pod) is the sandbox's.
pod_netns_is_sandbox() {
	local path pod_ns node_ns
	path=$(sandbox_netns)
	[[ -n $path ]] || { echo "no sandbox netns found for $pod on $node"; return 1; }
	pod_ns=$("${KUBECTL[@]}" exec "$pod" -- readlink /proc/self/ns/net)
	node_ns="net:[$(docker exec "$node" stat -L -c %i "$path")]"
	echo "sandbox $(sandbox_id | cut -c1-12): $path $node_ns; inside the pod: $pod_ns"
	[[ -n $pod_ns && $pod_ns == "$node_ns" ]]
}

# veth_in_pod IFNAME [krafty]: IFNAME is a veth in the sandbox's netns whose peer on the
# node points back at it (ifindex <-> link index, the peer's netns id names that netns);
# with krafty, the node end sits on a krafty bridge and its alias names IFNAME and the
# sandbox ID.
veth_in_pod() {
	local ifn=$1 krafty=${2:-} path sid js idx peer host nsid nsname
	path=$(sandbox_netns) && sid=$(sandbox_id) || return 1
	js=$(docker exec "$node" nsenter --net="$path" ip -j -d link show dev "$ifn") ||
		{ echo "no $ifn in $path"; return 1; }
	[[ $(jq -r '.[0].linkinfo.info_kind' <<<"$js") == veth ]] || { echo "$ifn is not a veth"; return 1; }
	idx=$(jq -r '.[0].ifindex' <<<"$js")
	peer=$(jq -r '.[0].link_index' <<<"$js")
	host=$(docker exec "$node" ip -j -d link show | jq -c --argjson i "$peer" '.[] | select(.ifindex == $i)')
	[[ -n $host ]] || { echo "no link with ifindex $peer on the node"; return 1; }
	echo "pod end: $ifn (ifindex $idx) in $path; node end: $(jq -r '"\(.ifname) master \(.master // "-") alias \(.ifalias // "-")"' <<<"$host")"
	[[ $(jq -r '.link_index' <<<"$host") == "$idx" ]] || { echo "the node end does not point back at $idx"; return 1; }
	nsid=$(jq -r '.link_netnsid // empty' <<<"$host")
	nsname=$(docker exec "$node" ip netns list-id | awk -v id="$nsid" '$2 == id && /name:/ {print $NF}' | tr -d ')')
	if [[ -n $nsname && $nsname != "${path##*/}" ]]; then
		echo "the node end's peer netns is $nsname, not ${path##*/}"
		return 1
	fi
	if [[ -n $krafty ]]; then
		[[ $(jq -r '.master // ""' <<<"$host") == krb* ]] || { echo "the node end is not on a krafty bridge"; return 1; }
		[[ $(jq -r '.ifalias // ""' <<<"$host") == *"/$ifn/$sid" ]] ||
			{ echo "the node end's alias does not name $ifn of sandbox $sid"; return 1; }
	fi
}

echo "== the veths of the pod"
check "the pod's netns is its sandbox's netns on $node" pod_netns_is_sandbox
check "eth0's pod end is in the pod's netns, its peer on the node" veth_in_pod eth0
check "net1's pod end is in the pod's netns, its peer on a krafty bridge" veth_in_pod net1 krafty

# HTTP on 8080 through the Service, as an operator reaches it.
http_via_port_forward() {
	local pf out='' i log
	log=$(mktemp)
	"${KUBECTL[@]}" port-forward svc/nettools "$HTTP_PORT:8080" >"$log" 2>&1 &
	pf=$!
	for ((i = 0; i < 50; i++)); do
		out=$(curl -fsS --max-time 2 "http://127.0.0.1:$HTTP_PORT/" 2>/dev/null) && break
		sleep 0.2
	done
	kill "$pf" 2>/dev/null
	wait "$pf" 2>/dev/null
	echo "$out"
	[[ -z $out ]] && cat "$log"
	rm -f "$log"
	grep -q "^nettools $pod" <<<"$out" && grep -qE 'net1 +inet 172\.16\.10\.' <<<"$out"
}

echo "== service"
check "service nettools has the pod as its endpoint" \
	bash -c "[[ \$(${KUBECTL[*]} get endpoints nettools -o jsonpath='{.subsets[0].addresses[0].targetRef.name}') == $pod ]]"
check "HTTP on 8080 answers through kubectl port-forward svc/nettools $HTTP_PORT:8080" http_via_port_forward

if ((failures)); then
	echo "validate: FAIL ($failures checks failed)"
	exit 1
fi
echo "validate: PASS"
