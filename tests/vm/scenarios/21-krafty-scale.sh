#!/bin/sh
# 20 pods of one network (VRF mode, our host-local) on one node: each has its
# own VRF on the network's one table and reaches its gateway; DEL of all
# leaves no device, no pod route and no address held.
# vm-modules: vrf bridge veth
# shellcheck disable=SC2317 # functions run through check
# shellcheck source=../lib.sh
. /vm/lib.sh

TABLE=4000
CONF='{"cniVersion":"1.0.0","name":"scale","type":"krafty","subnet":"10.40.0.0/24","gateway":"10.40.0.1",
"vrfTable":4000,"ipam":{"type":"host-local","dataDir":"/tmp/ipam","ranges":[[{"subnet":"10.40.0.0/24"}]],
"routes":[{"dst":"0.0.0.0/0"}]}}'
N=20

kr() {
	printf '%s' "$5" | CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=${3:+/run/netns/$3} CNI_IFNAME=$4 \
		CNI_PATH=$KRAFTY_BIN "$KRAFTY_BIN/krafty"
}

fails=0
i=1
while [ "$i" -le "$N" ]; do
	netns_add "p$i" || fails=$((fails + 1))
	out=$(kr ADD "scale$i-0123456789" "p$i" net1 "$CONF" 2>&1) || {
		fails=$((fails + 1))
		diag "ADD pod $i: $out"
	}
	if [ "$i" -eq 2 ]; then
		check "2 pods: pod 1 pings its gateway" in_ns p1 ping -c 1 -W 5 10.40.0.1
		check "2 pods: pod 2 pings its gateway" in_ns p2 ping -c 1 -W 5 10.40.0.1
	fi
	i=$((i + 1))
done
if [ "$fails" -eq 0 ]; then ok "ADD $N pods"; else not_ok "ADD $N pods" "$fails failed"; fi

unreached=
i=1
while [ "$i" -le "$N" ]; do
	in_ns "p$i" ping -c 1 -W 5 10.40.0.1 >/dev/null 2>&1 || unreached="$unreached $i"
	i=$((i + 1))
done
if [ -z "$unreached" ]; then ok "all $N pods ping their gateway"; else not_ok "all $N pods ping their gateway" "unreached:$unreached"; fi
check_match "$N /32 routes in table $TABLE" "^$N\$" sh -c "$IP route show table $TABLE proto 75 | grep -c '^10\.40\.0\.'"
check_match "$N VRFs" "^$N\$" sh -c "$IP -o link show type vrf | grep -c krvscale"

i=1
fails=0
while [ "$i" -le "$N" ]; do
	out=$(kr DEL "scale$i-0123456789" "p$i" net1 "$CONF" 2>&1) || {
		fails=$((fails + 1))
		diag "DEL pod $i: $out"
	}
	i=$((i + 1))
done
if [ "$fails" -eq 0 ]; then ok "DEL $N pods"; else not_ok "DEL $N pods" "$fails failed"; fi
check_nomatch "no krafty device left" '^[0-9]+: (krv|krb|veth)' "$IP" -o link show
check_nomatch "no pod route left in the table" '^10\.40\.' "$IP" route show table "$TABLE"
check_nomatch "no address held by host-local" '^10\.40\.' ls /tmp/ipam/scale
finish
