#!/bin/sh
# krafty ADD killed with SIGKILL at each step (KRAFTY_TEST_PAUSE_AT stops it
# there), in VRF mode: then DEL leaves nothing, and an ADD after a killed ADD
# succeeds and works.
# vm-modules: vrf bridge veth
# shellcheck disable=SC2317 # functions run through check
# shellcheck source=../lib.sh
. /vm/lib.sh

TABLE=4100
CONF='{"cniVersion":"1.0.0","name":"killed","type":"krafty","subnet":"10.41.0.0/24","gateway":"10.41.0.1",
"vrfTable":4100,"ipam":{"type":"host-local","dataDir":"/tmp/ipam","ranges":[[{"subnet":"10.41.0.0/24"}]],
"routes":[{"dst":"0.0.0.0/0"}]}}'

kr() {
	printf '%s' "$5" | CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=${3:+/run/netns/$3} CNI_IFNAME=$4 \
		CNI_PATH=$KRAFTY_BIN "$KRAFTY_BIN/krafty"
}

# add_refused CONTAINERID: ADD fails with code 102 (a live attachment).
add_refused() {
	_out=$(kr ADD "$1" pod net1 "$CONF") && return 1
	printf '%s\n' "$_out" | grep -q '"code":102' || { echo "$_out"; return 1; }
}

# kill_at STEP CONTAINERID: ADD stopped at STEP, then SIGKILL.
kill_at() {
	printf '%s' "$CONF" >/tmp/conf.json
	CNI_COMMAND=ADD CNI_CONTAINERID=$2 CNI_NETNS=/run/netns/pod CNI_IFNAME=net1 CNI_PATH=$KRAFTY_BIN \
		KRAFTY_TEST_PAUSE_AT=$1 "$KRAFTY_BIN/krafty" </tmp/conf.json >/dev/null 2>/tmp/pause.err &
	_pid=$!
	_n=0
	while [ "$_n" -lt 100 ]; do
		case $(cat "/proc/$_pid/stat" 2>/dev/null) in
		*") T "*) break ;;
		esac
		sleep 0.1
		_n=$((_n + 1))
	done
	grep -q "paused at $1" /tmp/pause.err || {
		kill -9 "$_pid" 2>/dev/null
		echo "did not pause at $1: $(cat /tmp/pause.err)"
		return 1
	}
	kill -9 "$_pid"
	wait "$_pid" 2>/dev/null
	return 0
}

left() {
	"$IP" -o link show | grep -E '^[0-9]+: (krv|krb|veth)'
	"$IP" -n pod -o link show | grep -v ': lo:'
	"$IP" route show table "$TABLE" 2>/dev/null | grep '^10\.41\.'
	for _f in /tmp/ipam/killed/10.41.*; do
		[ -e "$_f" ] && echo "$_f"
	done
	true
}

check "netns pod" netns_add pod || finish
for step in after-ipam after-vrf after-bridge after-veth after-pod-addr after-routes; do
	id=k-$step-0000
	check "ADD killed at $step" kill_at "$step" "$id"
	check "DEL after the kill at $step" kr DEL "$id" pod net1 "$CONF"
	check_nomatch "nothing left after kill at $step + DEL" '.' left
	check "ADD killed again at $step" kill_at "$step" "$id"
	case $step in after-pod-addr | after-routes)
		# The pod end holds its address: live. A repeated ADD is refused; DEL first.
		check "ADD of the live leftover at $step is refused with 102" add_refused "$id"
		check "DEL before ADD again ($step)" kr DEL "$id" pod net1 "$CONF"
		;;
	esac
	check "ADD after the kill at $step" kr ADD "$id" pod net1 "$CONF"
	check "the pod pings its gateway ($step)" in_ns pod ping -c 1 -W 5 10.41.0.1
	check "DEL ($step)" kr DEL "$id" pod net1 "$CONF"
	check_nomatch "nothing left ($step)" '.' left
done
finish
