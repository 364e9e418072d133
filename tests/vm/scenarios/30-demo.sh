#!/bin/sh
# The demo's VM part: on a host kernel without VRF, make demo (tests/demo.sh)
# runs this scenario with `tests/vm/run.sh --show`. It runs the demo's steps
# (tests/demo/steps.sh, the host demo's script) with "vrf": true, then checks
# that they ran to the end, showed what the demo is for (the VRF with its
# table, the bridge in the VRF, the veth on the bridge, the /32 routes in the
# table, both pings, CHECK and DEL), and that nothing is left: the demo's own
# counts, and this scenario's look at the links, netns, IPAM files and table.
# vm-modules: vrf bridge veth
# vm-files: tests/demo/steps.sh conf/krafty-host-local.conflist
# shellcheck source=../lib.sh
. /vm/lib.sh

TABLE=2698658016 # FNV-32a("krafty"), the shipped network's table
OUT=/tmp/demo.out
DATA=/tmp/demo-ipam
mkdir -p "$DATA"

# The demo's output goes to the console as it comes (make demo shows it) and to $OUT.
{
	DEMO_VRF=true DEMO_BIN=$KRAFTY_BIN DEMO_CONFLIST=/vm/files/krafty-host-local.conflist \
		DEMO_DATA=$DATA DEMO_TAG=vm sh /vm/files/steps.sh
	echo "$?" >/tmp/demo.rc
} 2>&1 | tee "$OUT"

# saw NAME ERE: ok if a line of the demo's output matches ERE (that output is
# in the TAP above, as comments: not repeated here).
saw() {
	if grep -Eq -- "$2" "$OUT"; then
		ok "$1"
	else
		not_ok "$1" "no line of the demo's output matches /$2/"
	fi
}

rc=$(cat /tmp/demo.rc 2>/dev/null)
if [ "$rc" = 0 ]; then ok "the demo ran to its end"; else not_ok "the demo ran to its end" "exit ${rc:-?}"; fi
saw "it showed pod A's VRF with table $TABLE" "^[0-9]+: krvdemo-a-vm: .* vrf table $TABLE\$"
saw "it showed pod B's VRF on the same table" "^[0-9]+: krvdemo-b-vm: .* vrf table $TABLE\$"
saw "it showed the bridge enslaved to the VRF" '^[0-9]+: krbdemo-a-vm: .* master krvdemo-a-vm '
saw "it showed the veth on the bridge" '^[0-9]+: vethdemo-a-vm@[^ ]*: .* master krbdemo-a-vm '
saw "it showed pod A's /32 route in the VRF's table" '^172\.16\.10\.10 dev krbdemo-a-vm '
saw "it showed pod B's /32 route in the VRF's table" '^172\.16\.10\.11 dev krbdemo-b-vm '
saw "pod A pinged its gateway" '^demo-a-vm: .*bytes from 172\.16\.10\.1'
saw "pod B pinged its gateway" '^demo-b-vm: .*bytes from 172\.16\.10\.1'
saw "CHECK passed for pod A" '^demo-a-vm: CHECK passed'
saw "CHECK passed for pod B" '^demo-b-vm: CHECK passed'
saw "DEL done for pod A" '^demo-a-vm: DEL done'
saw "DEL done for pod B" '^demo-b-vm: DEL done'
saw "the demo counted no device left" '^devices: 0 '
saw "the demo counted no IPAM address left" '^ipam: 0 '
saw "the demo counted no route to a pod left" '^routes: 0 '
saw "the demo counted no table marker left" 'table marker: 0 '
saw "the demo showed the spares DEL kept" '^spares: krs'

check_nomatch "no krv/krb/veth device on the node" '^[0-9]+: (krv|krb|veth)' "$IP" -o link show
check_nomatch "no netns left" . ls /run/netns
check_nomatch "no address file in the IPAM dataDir" '^172\.' ls -R "$DATA"
check_nomatch "no route to a pod in table $TABLE" '^172\.16\.10\.' "$IP" route show table "$TABLE"
check_nomatch "no marker left in table $TABLE" '^unreachable default proto 75' "$IP" route show table "$TABLE"
check "every spare is down" sh -c "! $IP -o link show | grep -E '^[0-9]+: krs[bv]' | grep -v 'state DOWN'"
finish
