#!/usr/bin/env bash
# Report on the lab: pod readiness, both interfaces and their addresses, the VRF
# and its table on the node, the bridge enslaved to it, the veth wired into the
# pod. Prints everything, then a summary line; exits non-zero on any failure.
set -uo pipefail
CLUSTER_NAME=${CLUSTER_NAME:-krafty}
KUBECTL=(kubectl --context "kind-$CLUSTER_NAME")
failures=0

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

if ((failures)); then
	echo "validate: FAIL ($failures checks failed)"
	exit 1
fi
echo "validate: PASS"
