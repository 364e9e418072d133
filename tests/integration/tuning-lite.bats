#!/usr/bin/env bats
# tuning-lite on real interfaces in private network namespaces: pods made by the
# reference bridge plugin (/usr/lib/cni/bridge + host-local) and by our krafty
# ("vrf": false), chained as a runtime runs a conflist (chain.bash). Covers the
# krang mutation flow (passthru + tuning-lite on a running pod, twice, then DEL),
# hot plug, every refused key and value, rollback, CHECK, GC, and the reference
# tuning plugin on the same inputs where the two differ.

load helpers
load chain

MUTATE=$REPO/conf/passthru-tuning-lite.conflist
TUNED=$REPO/conf/krafty-tuning-lite.conflist
SHIPPED_DATA=/var/lib/cni/tuning # the shipped conflists use the default dataDir

setup() {
	N=$BATS_TEST_NUMBER
	NS=tl-$$-$N
	NETNS=$(netns_make "$NS")
	TMP=$BATS_TEST_TMPDIR
	DATA=$TMP/tuning
	BR=tlb$$x$N
	SUBNET=10.249.$((N % 250)).0/24
	export CNI_CONTAINERID=tl-$$-$N CNI_NETNS=$NETNS CNI_IFNAME=eth0 CNI_ARGS=
	export CONFLIST_CACHE_DIR=$TMP
	unset CNI_PATH CONFLIST_RUNTIME_CONFIG
}

teardown() {
	# krafty's host side (bridge, veth, routes, leases) goes with a DEL of its conflist.
	if [[ -n ${KRAFTY_POD:-} ]]; then
		CNI_IFNAME=$KRAFTY_POD CNI_PATH=$BIN conflist_run DEL "$TUNED" >/dev/null 2>&1 || true
	fi
	netns_cleanup "$NS"
	ip link del "$BR" 2>/dev/null || true
	ip link del "${BR}n" 2>/dev/null || true
	rm -f "$SHIPPED_DATA"/*/"$CNI_CONTAINERID":*.json
	rmdir "$SHIPPED_DATA"/krafty-mutate "$SHIPPED_DATA"/krafty-tuned 2>/dev/null || true
}

# ---- helpers --------------------------------------------------------------

# ref_pod [IFNAME]: attach IFNAME (default eth0) with the reference bridge; PREV is its result.
ref_pod() {
	ref_bridge_conflist tl-ref "$BR" "$SUBNET" "$TMP/ipam" >"$TMP/ref.conflist"
	PREV=$(CNI_IFNAME=${1:-eth0} CNI_PATH=/usr/lib/cni conflist_run ADD "$TMP/ref.conflist") || {
		echo "reference bridge ADD failed: $PREV" >&2
		return 1
	}
	pod_settle "$NS"
}

# tl_conf EXTRA_JSON [VERSION]: a tuning-lite config for the pod, prevResult = PREV.
tl_conf() {
	jq -nc --arg d "$DATA" --arg v "${2:-1.0.0}" --argjson prev "${PREV:-null}" --argjson x "$1" \
		'{cniVersion: $v, name: "tl-test", type: "tuning-lite", dataDir: $d}
		 + (if $prev then {prevResult: $prev} else {} end) + $x'
}

state_file() { echo "$DATA/tl-test/$CNI_CONTAINERID:${1:-eth0}.json"; }

# The interface settings the issue names, one line.
iface_state() {
	local ifn=${2:-eth0}
	echo "mtu=$(link_field "$1" "$ifn" mtu) mac=$(link_field "$1" "$ifn" address)" \
		"promisc=$(link_field "$1" "$ifn" promiscuity) allmulti=$(link_field "$1" "$ifn" allmulti)" \
		"txqlen=$(link_field "$1" "$ifn" 'txqlen // 0')" \
		"arp_filter=$(pod_sysctl_get "$1" "net.ipv4.conf.$ifn.arp_filter")" \
		"rp_filter=$(pod_sysctl_get "$1" "net.ipv4.conf.$ifn.rp_filter")"
}

# A config that changes several things at once, valid on its own: added to each
# refused case so that "no change at all" is shown, not just "the bad key not applied".
VALID='{"mtu": 1400, "promisc": true, "mac": "02:aa:bb:cc:dd:01",
	"sysctl": {"net.ipv4.conf.IFNAME.arp_filter": "1"}}'

# refused EXTRA_JSON [RAW_SED]: ADD with VALID + EXTRA (optionally the config text
# edited by sed, for what jq cannot write) fails with code 7 and changes nothing,
# in the pod or on disk.
refused() {
	local conf
	conf=$(tl_conf "$(jq -nc --argjson a "$VALID" --argjson b "$1" '$a * $b')")
	[[ -n ${2:-} ]] && conf=$(sed -e "$2" <<<"$conf")
	cni_exec tuning-lite ADD "$conf"
	echo "case: $1 ${2:-} -> $output"
	assert_cni_error 7
	same_snapshot "$BEFORE" "$(pod_snapshot "$NS")"
	[ ! -e "$DATA" ] # not even an empty state directory
}

# ---- the krang flow on a reference bridge pod -------------------------------

@test "mutation with the shipped passthru-tuning-lite.conflist on a reference bridge pod; DEL restores" {
	ref_pod
	before=$(iface_state "$NS")
	snap=$(pod_snapshot "$NS")

	run conflist_run ADD "$MUTATE"
	echo "$output"
	[ "$status" -eq 0 ]
	# passthru described eth0, tuning-lite updated it: the result names eth0 in the pod.
	[ "$(jq -r '.interfaces[0].name' <<<"$output")" = eth0 ]
	[ "$(jq -r '.interfaces[0].sandbox' <<<"$output")" = "$NETNS" ]
	[ "$(jq -r '.ips[0].address' <<<"$output")" = "$(jq -r '.ips[0].address' <<<"$PREV")" ]
	[ "$(link_field "$NS" eth0 mtu)" = 1300 ]
	[ "$(link_field "$NS" eth0 promiscuity)" = 1 ]
	[ "$(pod_sysctl_get "$NS" net.ipv4.conf.eth0.arp_filter)" = 1 ]
	[ "$(pod_sysctl_get "$NS" net.ipv4.conf.eth0.rp_filter)" = 1 ]
	[ -f "$SHIPPED_DATA/krafty-mutate/$CNI_CONTAINERID:eth0.json" ]

	run conflist_run CHECK "$MUTATE"
	echo "$output"
	[ "$status" -eq 0 ]

	run conflist_run DEL "$MUTATE"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(iface_state "$NS")" = "$before" ]
	same_snapshot "$snap" "$(pod_snapshot "$NS")"
	[ ! -e "$SHIPPED_DATA/krafty-mutate/$CNI_CONTAINERID:eth0.json" ]
}

@test "mutate a running pod twice, then one DEL restores the state before the first mutation" {
	ref_pod
	before=$(iface_state "$NS")
	snap=$(pod_snapshot "$NS")
	orig_mac=$(link_field "$NS" eth0 address)

	# First mutation: the shipped conflist, with a MAC from the runtime (capability "mac").
	CONFLIST_RUNTIME_CONFIG='{"mac": "02:00:00:00:0a:01", "ips": ["10.9.9.9/24"]}' \
		run conflist_run ADD "$MUTATE"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.interfaces[0].mac' <<<"$output")" = 02:00:00:00:0a:01 ]
	first=$(iface_state "$NS")
	[ "$first" = "mtu=1300 mac=02:00:00:00:0a:01 promisc=1 allmulti=0 txqlen=0 arp_filter=1 rp_filter=1" ]

	# Second mutation: the same network, other values; it changes some of the
	# first one's settings again and some new ones.
	jq '.plugins[1] += {mtu: 1280, allmulti: true, txQLen: 321,
	      sysctl: {"net.ipv4.conf.IFNAME.arp_filter": "0", "net.ipv4.conf.IFNAME.rp_filter": "2",
	               "net.ipv4.conf.IFNAME.arp_ignore": "2"}}' "$MUTATE" >"$TMP/mutate2.conflist"
	CONFLIST_RUNTIME_CONFIG='{"mac": "02:00:00:00:0a:02"}' run conflist_run ADD "$TMP/mutate2.conflist"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(iface_state "$NS")" = "mtu=1280 mac=02:00:00:00:0a:02 promisc=1 allmulti=1 txqlen=321 arp_filter=0 rp_filter=2" ]
	[ "$(pod_sysctl_get "$NS" net.ipv4.conf.eth0.arp_ignore)" = 2 ]

	# The state file still holds the values from before the first mutation.
	state=$SHIPPED_DATA/krafty-mutate/$CNI_CONTAINERID:eth0.json
	cat "$state"
	[ "$(jq -r '.saved[] | select(.what == "mtu") | .value' "$state")" = 1500 ]
	[ "$(jq -r '.saved[] | select(.what == "mac") | .value' "$state")" = "$orig_mac" ]
	[ "$(jq -r '.saved[] | select(.name == "net.ipv4.conf.eth0.arp_filter") | .value' "$state")" = 0 ]
	[ "$(jq -r '.saved[] | select(.what == "promisc") | .value' "$state")" = false ]
	[ "$(jq -r '[.saved[] | select(.what == "mtu")] | length' "$state")" = 1 ]

	run conflist_run DEL "$TMP/mutate2.conflist"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(iface_state "$NS")" = "$before" ]
	same_snapshot "$snap" "$(pod_snapshot "$NS")"
	[ ! -e "$state" ]

	# A second DEL finds nothing to do and changes nothing.
	run conflist_run DEL "$TMP/mutate2.conflist"
	[ "$status" -eq 0 ]
	same_snapshot "$snap" "$(pod_snapshot "$NS")"
}

@test "ADD of the same config again keeps the first saved values (idempotent re-ADD)" {
	ref_pod
	before=$(iface_state "$NS")
	conf=$(tl_conf '{"mtu": 1400, "sysctl": {"net.ipv4.conf.IFNAME.arp_filter": "1"}}')
	cni_exec tuning-lite ADD "$conf"
	[ "$status" -eq 0 ]
	saved=$(cat "$(state_file)")
	cni_exec tuning-lite ADD "$conf"
	[ "$status" -eq 0 ]
	[ "$(cat "$(state_file)")" = "$saved" ]
	cni_exec tuning-lite DEL "$conf"
	[ "$status" -eq 0 ]
	[ "$(iface_state "$NS")" = "$before" ]
}

# ---- krafty -----------------------------------------------------------------

@test "krafty pod from the shipped krafty-tuning-lite.conflist, mutated, then each DEL undoes its own part" {
	[ -x "$BIN/krafty" ] || { echo "no $BIN/krafty: build krafty first" >&2; false; }
	export CNI_PATH=$BIN CNI_IFNAME=net1
	KRAFTY_POD=net1
	run conflist_run ADD "$TUNED"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.interfaces[] | select(.sandbox) | .name' <<<"$output")" = net1 ]
	[ "$(link_field "$NS" net1 mtu)" = 1400 ]
	[ "$(pod_sysctl_get "$NS" net.ipv4.conf.net1.rp_filter)" = 2 ]
	[ -f "$SHIPPED_DATA/krafty-tuned/$CNI_CONTAINERID:net1.json" ]
	pod_settle "$NS"
	tuned=$(iface_state "$NS" net1)
	snap=$(pod_snapshot "$NS")

	run conflist_run CHECK "$TUNED"
	echo "$output"
	[ "$status" -eq 0 ]

	# The mutation: a second network on the same interface.
	run conflist_run ADD "$MUTATE"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(link_field "$NS" net1 mtu)" = 1300 ]
	[ "$(pod_sysctl_get "$NS" net.ipv4.conf.net1.rp_filter)" = 1 ]
	[ "$(pod_sysctl_get "$NS" net.ipv4.conf.net1.arp_filter)" = 1 ]
	# passthru described krafty's interface: its address and gateway.
	[ "$(jq -r '.ips[0].address' <<<"$output")" = "$(ip -n "$NS" -j addr show dev net1 |
		jq -r '.[0].addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)"')" ]

	# DEL of the mutation: back to what krafty + tuning-lite set up.
	run conflist_run DEL "$MUTATE"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(iface_state "$NS" net1)" = "$tuned" ]
	same_snapshot "$snap" "$(pod_snapshot "$NS")"
	run conflist_run CHECK "$TUNED"
	echo "$output"
	[ "$status" -eq 0 ]

	# DEL of the attachment: tuning-lite restores, krafty removes the interface.
	run conflist_run DEL "$TUNED"
	echo "$output"
	[ "$status" -eq 0 ]
	KRAFTY_POD=
	run ip -n "$NS" link show net1
	[ "$status" -ne 0 ]
	[ ! -e "$SHIPPED_DATA/krafty-tuned/$CNI_CONTAINERID:net1.json" ]
}

@test "hot plug: krafty-tuning-lite.conflist adds net1 to a running reference pod, DEL removes it, eth0 untouched" {
	[ -x "$BIN/krafty" ] || { echo "no $BIN/krafty: build krafty first" >&2; false; }
	ref_pod
	eth0_before=$(iface_state "$NS" eth0; ip -n "$NS" addr show dev eth0; ip -n "$NS" route)
	export CNI_PATH=$BIN CNI_IFNAME=net1
	KRAFTY_POD=net1
	run conflist_run ADD "$TUNED"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(link_field "$NS" net1 mtu)" = 1400 ]
	[ "$(pod_sysctl_get "$NS" net.ipv4.conf.net1.rp_filter)" = 2 ]
	[ "$(iface_state "$NS" eth0; ip -n "$NS" addr show dev eth0; ip -n "$NS" route | grep -v net1)" = "$eth0_before" ]

	run conflist_run DEL "$TUNED"
	echo "$output"
	[ "$status" -eq 0 ]
	KRAFTY_POD=
	run ip -n "$NS" link show net1
	[ "$status" -ne 0 ]
	[ "$(iface_state "$NS" eth0; ip -n "$NS" addr show dev eth0; ip -n "$NS" route)" = "$eth0_before" ]
}

@test "hot plug with the reference bridge: a second interface with its own tuning, DEL of it leaves eth0 as it was" {
	ref_pod
	conf=$(tl_conf '{"mtu": 1450, "sysctl": {"net.ipv4.conf.IFNAME.arp_filter": "1"}}')
	cni_exec tuning-lite ADD "$conf"
	[ "$status" -eq 0 ]
	pod_settle "$NS"
	eth0=$(iface_state "$NS" eth0; ip -n "$NS" addr show dev eth0)

	ref_bridge_conflist tl-hot "${BR}n" "10.248.$((N % 250)).0/24" "$TMP/ipam2" \
		"$(jq -nc --arg d "$DATA" '{type: "tuning-lite", dataDir: $d, mtu: 1380,
		   sysctl: {"net.ipv4.conf.IFNAME.rp_filter": "2", "net.ipv4.conf.IFNAME.arp_filter": "1"}}')" \
		>"$TMP/hot.conflist"
	CNI_IFNAME=net1 CNI_PATH=/usr/lib/cni:$BIN run conflist_run ADD "$TMP/hot.conflist"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.interfaces[] | select(.sandbox) | .name' <<<"$output")" = net1 ]
	[ "$(link_field "$NS" net1 mtu)" = 1380 ]
	[ "$(pod_sysctl_get "$NS" net.ipv4.conf.net1.rp_filter)" = 2 ]
	[ -f "$DATA/tl-hot/$CNI_CONTAINERID:net1.json" ]
	[ "$(iface_state "$NS" eth0; ip -n "$NS" addr show dev eth0)" = "$eth0" ]

	CNI_IFNAME=net1 CNI_PATH=/usr/lib/cni:$BIN run conflist_run DEL "$TMP/hot.conflist"
	echo "$output"
	[ "$status" -eq 0 ]
	run ip -n "$NS" link show net1
	[ "$status" -ne 0 ]
	[ ! -e "$DATA/tl-hot/$CNI_CONTAINERID:net1.json" ]
	[ "$(iface_state "$NS" eth0; ip -n "$NS" addr show dev eth0)" = "$eth0" ]
	# eth0's own attachment still has its saved values.
	[ -f "$(state_file eth0)" ]
}

# ---- refused configs ----------------------------------------------------------

@test "refused sysctl keys: code 7, nothing changed, nothing saved" {
	ref_pod
	BEFORE=$(pod_snapshot "$NS")
	refused '{"sysctl": {"kernel.hostname": "pwned"}}'
	refused '{"sysctl": {"vm.swappiness": "1"}}'
	refused '{"sysctl": {"net.ipv4.conf.lo.arp_filter": "1"}}'
	refused '{"sysctl": {"net.ipv6.conf.lo.disable_ipv6": "1"}}'
	refused '{"sysctl": {"net.ipv4.neigh.lo.gc_stale_time": "30"}}'
	refused '{"sysctl": {"net.ipv6.neigh.lo.gc_stale_time": "30"}}'
	refused '{"sysctl": {"net.ipv4.conf.eth1.arp_filter": "1"}}'
	refused '{"sysctl": {"net/ipv4/conf/eth0/arp_filter": "1"}}'
	refused '{"sysctl": {"net.ipv4.conf.eth0/../lo.arp_filter": "1"}}'
	refused '{"sysctl": {"net.ipv4..conf.eth0.arp_filter": "1"}}'
	refused '{"sysctl": {"net.ipv4.conf.eth0.arp_filter.": "1"}}'
	refused '{"sysctl": {".net.ipv4.conf.eth0.arp_filter": "1"}}'
	refused '{"sysctl": {"net...ipv4": "1"}}'
	refused '{"sysctl": {"": "1"}}'
	refused '{"sysctl": {"net.ipv4.conf.eth0": "1"}}'
	refused '{"sysctl": {"net.ipv4.conf. eth0.arp_filter": "1"}}'
	refused '{"sysctl": {"net": "1"}}'
	refused '{"sysctl": {"net.ipv4.conf.IFNAME.no_such_setting": "1"}}'
	refused '{"sysctl": {"net.core.no_such_setting": "1"}}'
	# Read-only in /proc/sys (0444): refused before anything changes.
	refused '{"sysctl": {"net.ipv4.conf.IFNAME.mc_forwarding": "1"}}'
	# A NUL inside a key: C would see "net.ipv4.conf.eth0.arp_ignore".
	refused '{"sysctl": {"NULKEY": "1"}}' 's/NULKEY/net.ipv4.conf.eth0.arp_ignore\\u0000.x/'
	# The same key twice (cJSON keeps both; Go keeps the last): ambiguous.
	refused '{"sysctl": {"net.ipv4.conf.eth0.rp_filter": "1"}}' \
		's/"sysctl":{/"sysctl":{"net.ipv4.conf.eth0.rp_filter":"2",/'
	# Two spellings of one file.
	refused '{"sysctl": {"net.ipv4.conf.eth0.arp_filter": "0"}}'
	refused '{"sysctl": {"net.ipv4.conf.IFNAME.rp_filter": "1", "net.ipv4.conf.eth0.rp_filter": "1"}}'
	refused '{"sysctl": "net.ipv4.ip_forward=1"}'
}

@test "refused values, MTUs and MACs: code 7, nothing changed, nothing saved" {
	ref_pod
	BEFORE=$(pod_snapshot "$NS")
	refused '{"sysctl": {"net.ipv4.conf.IFNAME.rp_filter": "1\n2"}}'
	refused '{"sysctl": {"net.ipv4.conf.IFNAME.rp_filter": "1\r"}}'
	refused '{"sysctl": {"net.ipv4.conf.IFNAME.rp_filter": "NULVAL"}}' 's/NULVAL/1\\u00002/'
	refused '{"sysctl": {"net.ipv4.conf.IFNAME.rp_filter": ""}}'
	refused '{"sysctl": {"net.ipv4.conf.IFNAME.rp_filter": 1}}'
	refused '{"sysctl": {"net.ipv4.conf.IFNAME.rp_filter": null}}'
	refused '{"mtu": 70000}'
	refused '{"mtu": 67}'
	refused '{"mtu": -1}'
	refused '{"mtu": 1400.5}'
	refused '{"mtu": "1400"}'
	refused '{"txQLen": -1}'
	refused '{"promisc": "yes"}'
	refused '{"mac": "zz:11:22:33:44:55"}'
	refused '{"mac": "02:11:22:33:44"}'
	refused '{"mac": "02:11:22:33:44:55:66"}'
	refused '{"mac": "0211.2233.4455"}'
	refused '{"mac": "02:11-22:33:44:55"}'
	refused '{"mac": "01:00:5e:00:00:01"}'
	refused '{"mac": "ff:ff:ff:ff:ff:ff"}'
	refused '{"mac": "00:00:00:00:00:00"}'
	refused '{"runtimeConfig": {"mac": "03:00:00:00:00:01"}}'
	refused '{"args": {"cni": {"mac": "33:33:00:00:00:01"}}}'
	refused '{"args": {"cni": {"mtu": 100000}}}'
	refused '{"args": {"cni": {"sysctl": {"net.ipv4.conf.lo.arp_filter": "1"}}}}'
	refused '{"dataDir": "relative/dir"}'
	CNI_ARGS='IgnoreUnknown=1;MAC=01:23:45:67:89:ab' refused '{}'
	CNI_ARGS='MAC=not-a-mac' refused '{}'
	# The same top-level key twice.
	refused '{"mtu": 1400}' 's/"mtu":1400/"mtu":1400,"mtu":1500/'
	# tuning is a chained plugin: no prevResult, no ADD (the reference refuses too).
	PREV= refused '{}'
}

@test "a change the kernel refuses midway is undone: code 5, the pod as before, no state file" {
	ref_pod
	BEFORE=$(pod_snapshot "$NS")
	# Valid for every check; the kernel refuses the value of the last sysctl.
	conf=$(tl_conf '{"mtu": 1400, "promisc": true, "mac": "02:aa:bb:cc:dd:02", "txQLen": 77,
		"sysctl": {"net.ipv4.conf.IFNAME.arp_filter": "1", "net.ipv4.conf.IFNAME.arp_ignore": "2",
		           "net.ipv4.conf.IFNAME.rp_filter": "banana"}}')
	cni_exec tuning-lite ADD "$conf"
	echo "$output"
	assert_cni_error 5
	[[ $(jq -r .msg <<<"$output") == *rp_filter* ]]
	[[ $(jq -r .msg <<<"$output") == *undone* ]]
	same_snapshot "$BEFORE" "$(pod_snapshot "$NS")"
	[ ! -e "$(state_file)" ]
}

@test "a failed second ADD keeps the first ADD's changes and saved values" {
	ref_pod
	before=$(iface_state "$NS")
	cni_exec tuning-lite ADD "$(tl_conf '{"mtu": 1400}')"
	[ "$status" -eq 0 ]
	saved=$(cat "$(state_file)")
	mid=$(pod_snapshot "$NS")
	cni_exec tuning-lite ADD "$(tl_conf '{"mtu": 1300, "sysctl": {"net.ipv4.conf.IFNAME.rp_filter": "banana"}}')"
	assert_cni_error 5
	same_snapshot "$mid" "$(pod_snapshot "$NS")"
	[ "$(cat "$(state_file)")" = "$saved" ]
	cni_exec tuning-lite DEL "$(tl_conf '{}')"
	[ "$status" -eq 0 ]
	[ "$(iface_state "$NS")" = "$before" ]
}

# ---- DEL, CHECK, GC -------------------------------------------------------------

@test "DEL succeeds when the interface or the netns is gone, and forgets the saved values" {
	ref_pod
	conf=$(tl_conf '{"mtu": 1400, "sysctl": {"net.ipv4.conf.IFNAME.arp_filter": "1"}}')
	cni_exec tuning-lite ADD "$conf"
	[ "$status" -eq 0 ]
	[ -f "$(state_file)" ]
	ip -n "$NS" link del eth0
	cni_exec tuning-lite DEL "$conf"
	echo "$output"
	[ "$status" -eq 0 ]
	[ ! -e "$(state_file)" ]

	ref_pod net2
	CNI_IFNAME=net2 cni_exec tuning-lite ADD "$conf"
	[ "$status" -eq 0 ]
	[ -f "$(state_file net2)" ]
	netns_cleanup "$NS"
	CNI_IFNAME=net2 cni_exec tuning-lite DEL "$conf"
	echo "$output"
	[ "$status" -eq 0 ]
	[ ! -e "$(state_file net2)" ]
	# No netns at all in the environment (allowed for DEL).
	CNI_NETNS= CNI_IFNAME=net2 cni_exec tuning-lite DEL "$conf"
	[ "$status" -eq 0 ]

	# The runtime unmounted the netns and left its file behind: gone as well.
	netns_make "$NS" >/dev/null
	ref_pod net3
	CNI_IFNAME=net3 cni_exec tuning-lite ADD "$conf"
	[ "$status" -eq 0 ]
	[ -f "$(state_file net3)" ]
	umount "$NETNS"
	[ -f "$NETNS" ]
	CNI_IFNAME=net3 cni_exec tuning-lite DEL "$conf"
	echo "$output"
	[ "$status" -eq 0 ]
	[ ! -e "$(state_file net3)" ]
	rm -f "$NETNS"
	# ADD and CHECK, though, refuse such a path: code 4.
	CNI_NETNS=/etc/hostname cni_exec tuning-lite ADD "$conf"
	assert_cni_error 4
	CNI_NETNS=/proc/self/ns/uts cni_exec tuning-lite CHECK "$conf"
	assert_cni_error 4
}

@test "DEL of an attachment tuning-lite never changed is a no-op" {
	ref_pod
	snap=$(pod_snapshot "$NS")
	cni_exec tuning-lite DEL "$(tl_conf '{"mtu": 1400}')"
	[ "$status" -eq 0 ]
	same_snapshot "$snap" "$(pod_snapshot "$NS")"
	[ ! -e "$DATA" ] # DEL creates no directory
	# A config ADD would refuse does not stop DEL (it only needs dataDir).
	cni_exec tuning-lite DEL "$(tl_conf '{"sysctl": {"kernel.hostname": "x"}}')"
	[ "$status" -eq 0 ]
}

@test "CHECK passes after ADD (IFNAME keys too) and reports every difference in one error" {
	ref_pod
	conf=$(tl_conf '{"mtu": 1400, "promisc": true, "allmulti": true, "mac": "02:aa:bb:cc:dd:03",
		"txQLen": 99, "sysctl": {"net.ipv4.conf.IFNAME.arp_filter": "1", "net.ipv4.tcp_rmem": "4096 87380 6291456"}}')
	cni_exec tuning-lite ADD "$conf"
	echo "$output"
	[ "$status" -eq 0 ]
	cni_exec tuning-lite CHECK "$conf"
	echo "$output"
	[ "$status" -eq 0 ]

	ip -n "$NS" link set eth0 mtu 1500 promisc off
	ip netns exec "$NS" sysctl -qw net.ipv4.conf.eth0.arp_filter=0
	cni_exec tuning-lite CHECK "$conf"
	echo "$output"
	assert_cni_error 101
	msg=$(jq -r .msg <<<"$output")
	details=$(jq -r .details <<<"$output")
	[[ $msg == "3 setting(s) differ"* ]]
	[[ $msg == *mtu* && $msg == *promisc* && $msg == *net.ipv4.conf.eth0.arp_filter* ]]
	[[ $details == *"mtu: config 1400, current 1500"* ]]
	[[ $details == *"net.ipv4.conf.eth0.arp_filter: config 1, current 0"* ]]
	[[ $msg != *allmulti* && $msg != *mac* && $msg != *txqlen* && $msg != *tcp_rmem* ]]

	# One difference is enough.
	ip -n "$NS" link set eth0 mtu 1400 promisc on
	cni_exec tuning-lite CHECK "$conf"
	assert_cni_error 101
	[[ $(jq -r .msg <<<"$output") == "1 setting(s) differ from the config: net.ipv4.conf.eth0.arp_filter" ]]

	CNI_IFNAME=eth9 cni_exec tuning-lite CHECK "$conf"
	assert_cni_error 100
	CNI_NETNS=/run/netns/tl-no-such-$$ cni_exec tuning-lite CHECK "$conf"
	assert_cni_error 4
}

@test "GC (1.1.0) drops the saved values of attachments not in cni.dev/valid-attachments" {
	ref_pod
	cni_exec tuning-lite ADD "$(tl_conf '{"mtu": 1400}' 1.1.0)"
	[ "$status" -eq 0 ]
	[ -f "$(state_file)" ]
	: >"$DATA/tl-test/$CNI_CONTAINERID:eth7.json.tmp.abc123" # a crash's leftover
	keep=$(tl_conf "$(jq -nc --arg c "$CNI_CONTAINERID" '{"cni.dev/valid-attachments": [{containerID: $c, ifname: "eth0"}]}')" 1.1.0)
	cni_exec tuning-lite GC "$keep"
	[ "$status" -eq 0 ]
	[ -f "$(state_file)" ]
	[ ! -e "$DATA/tl-test/$CNI_CONTAINERID:eth7.json.tmp.abc123" ]
	# Without the list nothing is dropped.
	cni_exec tuning-lite GC "$(tl_conf '{}' 1.1.0)"
	[ "$status" -eq 0 ]
	[ -f "$(state_file)" ]
	cni_exec tuning-lite GC "$(tl_conf '{"cni.dev/valid-attachments": []}' 1.1.0)"
	[ "$status" -eq 0 ]
	[ ! -e "$(state_file)" ]
	# GC only forgets: the pod keeps its MTU.
	[ "$(link_field "$NS" eth0 mtu)" = 1400 ]
	cni_exec tuning-lite STATUS "$(tl_conf '{}' 1.1.0)"
	[ "$status" -eq 0 ]
}

@test "a broken state file: ADD refuses it with 102; DEL moves it aside, keeps it whole, succeeds" {
	ref_pod
	conf=$(tl_conf '{"mtu": 1400}')
	cni_exec tuning-lite ADD "$conf"
	[ "$status" -eq 0 ]
	bad='{"version": 1, "network": "tl-test", "containerID": "someone-else", "ifname": "eth0", "saved": []}'
	echo "$bad" >"$(state_file)"
	cni_exec tuning-lite ADD "$(tl_conf '{"mtu": 1300}')"
	assert_cni_error 102
	[ "$(link_field "$NS" eth0 mtu)" = 1400 ]
	cni_exec tuning-lite DEL "$conf"
	[ "$status" -eq 0 ]
	[[ $output == *"belongs to another attachment"* ]]
	[ ! -e "$(state_file)" ]
	# Nothing is lost: the file is there, as it was, for an operator.
	[ "$(cat "$(state_file)".broken.*)" = "$bad" ]
	# Nothing could be restored from it: the MTU stays; a new ADD starts afresh.
	[ "$(link_field "$NS" eth0 mtu)" = 1400 ]
	cni_exec tuning-lite ADD "$(tl_conf '{"mtu": 1300}')"
	[ "$status" -eq 0 ]
	echo 'not json' >"$(state_file)"
	cni_exec tuning-lite DEL "$conf"
	[ "$status" -eq 0 ]
	[ "$(ls "$(state_file)".broken.* | wc -l)" -eq 2 ]
	# With the netns gone there is nothing to restore: DEL forgets.
	echo 'not json' >"$(state_file)"
	netns_cleanup "$NS"
	cni_exec tuning-lite DEL "$conf"
	[ "$status" -eq 0 ]
	[ ! -e "$(state_file)" ]
}

# ---- keys, versions, results -----------------------------------------------------

@test "namespace-wide keys (net.core.*, conf.all, conf.default, multi-value) are accepted and restored" {
	ref_pod
	keys="net.core.somaxconn net.ipv4.conf.all.arp_filter net.ipv4.conf.default.rp_filter
		net.ipv4.ping_group_range net.ipv4.neigh.eth0.gc_stale_time"
	before=$(for k in $keys; do pod_sysctl_get "$NS" "$k"; done)
	snap=$(pod_snapshot "$NS")
	conf=$(tl_conf '{"sysctl": {"net.core.somaxconn": "1234", "net.ipv4.conf.all.arp_filter": "1",
		"net.ipv4.conf.default.rp_filter": "2", "net.ipv4.ping_group_range": "0 2147483647",
		"net.ipv4.neigh.IFNAME.gc_stale_time": "33"}}')
	cni_exec tuning-lite ADD "$conf"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(pod_sysctl_get "$NS" net.core.somaxconn)" = 1234 ]
	[ "$(pod_sysctl_get "$NS" net.ipv4.conf.all.arp_filter)" = 1 ]
	[ "$(pod_sysctl_get "$NS" net.ipv4.neigh.eth0.gc_stale_time)" = 33 ]
	# The kernel prints "0<TAB>2147483647": equal to the config up to whitespace.
	[ "$(pod_sysctl_get "$NS" net.ipv4.ping_group_range)" = "$(printf '0\t2147483647')" ]
	cni_exec tuning-lite CHECK "$conf"
	echo "$output"
	[ "$status" -eq 0 ]
	cni_exec tuning-lite DEL "$conf"
	[ "$status" -eq 0 ]
	[ "$(for k in $keys; do pod_sysctl_get "$NS" "$k"; done)" = "$before" ]
	same_snapshot "$snap" "$(pod_snapshot "$NS")"
}

@test "an interface name with a dot: IFNAME and the literal name both reach its sysctls" {
	ip link add "tlv$$x$N" type veth peer name p.1 netns "$NS"
	ip -n "$NS" link set p.1 up
	PREV='{"cniVersion":"1.0.0","interfaces":[{"name":"p.1","sandbox":"'$NETNS'"}]}'
	conf=$(tl_conf '{"sysctl": {"net.ipv4.conf.IFNAME.arp_filter": "1", "net.ipv6.conf.p.1.hop_limit": "7"}}')
	CNI_IFNAME=p.1 cni_exec tuning-lite ADD "$conf"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(ip netns exec "$NS" cat /proc/sys/net/ipv4/conf/p.1/arp_filter)" = 1 ]
	[ "$(ip netns exec "$NS" cat /proc/sys/net/ipv6/conf/p.1/hop_limit)" = 7 ]
	CNI_IFNAME=p.1 cni_exec tuning-lite DEL "$conf"
	[ "$status" -eq 0 ]
	[ "$(ip netns exec "$NS" cat /proc/sys/net/ipv4/conf/p.1/arp_filter)" = 0 ]
	[ "$(ip netns exec "$NS" cat /proc/sys/net/ipv6/conf/p.1/hop_limit)" = 64 ]
	# Another interface with a dot is still another interface.
	CNI_IFNAME=p.1 cni_exec tuning-lite ADD "$(tl_conf '{"sysctl": {"net.ipv4.conf.p.2.arp_filter": "1"}}')"
	assert_cni_error 7
}

@test "every cniVersion from 0.3.0 to 1.1.0: the result in the config's version with the new MAC" {
	ref_pod
	for v in 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0; do
		conf=$(tl_conf '{"mac": "02:aa:bb:cc:dd:04", "mtu": 1420}' "$v")
		cni_exec tuning-lite ADD "$conf"
		echo "$v: $output"
		[ "$status" -eq 0 ]
		[ "$(jq -r .cniVersion <<<"$output")" = "$v" ]
		[ "$(jq -r '.interfaces[] | select(.name == "eth0") | .mac' <<<"$output")" = 02:aa:bb:cc:dd:04 ]
		# The host-side entries keep their MACs.
		[ "$(jq -c '[.interfaces[] | select(.sandbox == null) | .mac]' <<<"$output")" = \
			"$(jq -c '[.interfaces[] | select(.sandbox == null) | .mac]' <<<"$PREV")" ]
		if [ "$v" = 1.1.0 ]; then
			[ "$(jq -r '.interfaces[] | select(.name == "eth0") | .mtu' <<<"$output")" = 1420 ]
		fi
		if [[ $v == 0.* ]]; then
			[ "$(jq -r '.ips[0].version' <<<"$output")" = 4 ]
		fi
		[ "$(link_field "$NS" eth0 address)" = 02:aa:bb:cc:dd:04 ]
		cni_exec tuning-lite DEL "$conf"
		[ "$status" -eq 0 ]
		[ "$(link_field "$NS" eth0 address)" = "$(jq -r '.interfaces[] | select(.name == "eth0") | .mac' <<<"$PREV")" ]
	done
}

@test "MAC sources: mac < CNI_ARGS MAC < runtimeConfig.mac < args.cni.mac, as the reference" {
	ref_pod
	mac() { link_field "$NS" eth0 address; }
	cni_exec tuning-lite ADD "$(tl_conf '{"mac": "02:00:00:00:00:01"}')"
	[ "$status" -eq 0 ] && [ "$(mac)" = 02:00:00:00:00:01 ]
	CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAME=p;MAC=02:00:00:00:00:02' \
		cni_exec tuning-lite ADD "$(tl_conf '{"mac": "02:00:00:00:00:01"}')"
	[ "$status" -eq 0 ] && [ "$(mac)" = 02:00:00:00:00:02 ]
	CNI_ARGS='MAC=02:00:00:00:00:02' \
		cni_exec tuning-lite ADD "$(tl_conf '{"mac": "02:00:00:00:00:01", "runtimeConfig": {"mac": "02:00:00:00:00:03"}}')"
	[ "$status" -eq 0 ] && [ "$(mac)" = 02:00:00:00:00:03 ]
	CNI_ARGS='MAC=02:00:00:00:00:02' \
		cni_exec tuning-lite ADD "$(tl_conf '{"runtimeConfig": {"mac": "02:00:00:00:00:03"}, "args": {"cni": {"mac": "02:00:00:00:00:04"}}}')"
	[ "$status" -eq 0 ] && [ "$(mac)" = 02:00:00:00:00:04 ]
	# Upper case and dashes are read, the canonical form is set and reported.
	cni_exec tuning-lite ADD "$(tl_conf '{"mac": "02-00-00-00-00-AB"}')"
	[ "$status" -eq 0 ] && [ "$(mac)" = 02:00:00:00:00:ab ]
	[ "$(jq -r '.interfaces[] | select(.name == "eth0") | .mac' <<<"$output")" = 02:00:00:00:00:ab ]
	cni_exec tuning-lite DEL "$(tl_conf '{}')"
	[ "$status" -eq 0 ]
	[ "$(mac)" = "$(jq -r '.interfaces[] | select(.name == "eth0") | .mac' <<<"$PREV")" ]
}

@test "args.cni overrides the top level, sysctls merged key by key" {
	ref_pod
	conf=$(tl_conf '{"mtu": 1400, "sysctl": {"net.ipv4.conf.IFNAME.arp_filter": "1", "net.ipv4.conf.IFNAME.rp_filter": "1"},
		"args": {"cni": {"mtu": 1350, "allmulti": true, "sysctl": {"net.ipv4.conf.eth0.rp_filter": "2"}}}}')
	cni_exec tuning-lite ADD "$conf"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(iface_state "$NS")" = "mtu=1350 mac=$(link_field "$NS" eth0 address) promisc=0 allmulti=1 txqlen=0 arp_filter=1 rp_filter=2" ]
	cni_exec tuning-lite CHECK "$conf"
	[ "$status" -eq 0 ]
	cni_exec tuning-lite DEL "$conf"
	[ "$status" -eq 0 ]
}

@test "the state file: <dataDir>/<network>/<containerID>:<ifname>.json, mode 0600, no temp files left" {
	ref_pod
	cni_exec tuning-lite ADD "$(tl_conf '{"mtu": 1400, "sysctl": {"net.ipv4.conf.IFNAME.arp_filter": "1"}}')"
	[ "$status" -eq 0 ]
	f=$(state_file)
	[ "$(stat -c %a "$f")" = 600 ]
	[ "$(stat -c %a "$(dirname "$f")")" = 700 ]
	[ "$(ls -A "$(dirname "$f")")" = "$(basename "$f")" ]
	jq -e --arg c "$CNI_CONTAINERID" --arg ns "$NETNS" '.version == 1 and .network == "tl-test"
		and .containerID == $c and .ifname == "eth0" and .netns == $ns' "$f"
	[ "$(jq -c '[.saved[] | [.what, .value]]' "$f")" = '[["mtu","1500"],["sysctl","0"]]' ]
	[ "$(jq -r '.saved[1].path' "$f")" = /proc/sys/net/ipv4/conf/eth0/arp_filter ]
}

# ---- against the reference tuning plugin ---------------------------------------

@test "reference tuning leaves sysctls changed after DEL; tuning-lite restores them" {
	ref_pod
	conf_of() {
		jq -nc --arg t "$1" --arg d "$TMP/$1" --argjson prev "$PREV" '{cniVersion: "1.0.0", name: "cmp",
		  type: $t, dataDir: $d, prevResult: $prev, mtu: 1400,
		  sysctl: {"net.ipv4.conf.IFNAME.arp_filter": "1"}}'
	}
	[ "$(pod_sysctl_get "$NS" net.ipv4.conf.eth0.arp_filter)" = 0 ]

	CNI_PATH=$REF_BIN run env CNI_COMMAND=ADD "$REF_BIN/tuning" <<<"$(conf_of tuning)"
	echo "$output"
	[ "$status" -eq 0 ]
	CNI_PATH=$REF_BIN run env CNI_COMMAND=DEL "$REF_BIN/tuning" <<<"$(conf_of tuning)"
	[ "$status" -eq 0 ]
	[ "$(link_field "$NS" eth0 mtu)" = 1500 ]                              # MTU restored
	[ "$(pod_sysctl_get "$NS" net.ipv4.conf.eth0.arp_filter)" = 1 ]        # the sysctl is not

	ip netns exec "$NS" sysctl -qw net.ipv4.conf.eth0.arp_filter=0
	cni_exec tuning-lite ADD "$(conf_of tuning-lite)"
	[ "$status" -eq 0 ]
	cni_exec tuning-lite DEL "$(conf_of tuning-lite)"
	[ "$status" -eq 0 ]
	[ "$(link_field "$NS" eth0 mtu)" = 1500 ]
	[ "$(pod_sysctl_get "$NS" net.ipv4.conf.eth0.arp_filter)" = 0 ]
}

@test "reference tuning sets another interface's sysctl and fails CHECK on IFNAME keys; tuning-lite does neither" {
	ref_pod
	lo_conf() {
		jq -nc --arg t "$1" --arg d "$TMP/$1" --argjson prev "$PREV" '{cniVersion: "1.0.0", name: "cmp",
		  type: $t, dataDir: $d, prevResult: $prev, sysctl: {"net.ipv4.conf.lo.arp_filter": "1"}}'
	}
	CNI_PATH=$REF_BIN run env CNI_COMMAND=ADD "$REF_BIN/tuning" <<<"$(lo_conf tuning)"
	[ "$status" -eq 0 ]
	[ "$(pod_sysctl_get "$NS" net.ipv4.conf.lo.arp_filter)" = 1 ]
	ip netns exec "$NS" sysctl -qw net.ipv4.conf.lo.arp_filter=0
	cni_exec tuning-lite ADD "$(lo_conf tuning-lite)"
	assert_cni_error 7
	[[ $(jq -r .msg <<<"$output") == *'names interface "lo"'* ]]
	[ "$(pod_sysctl_get "$NS" net.ipv4.conf.lo.arp_filter)" = 0 ]

	ifname_conf() {
		jq -nc --arg t "$1" --arg d "$TMP/$1-2" --argjson prev "$PREV" '{cniVersion: "1.0.0", name: "cmp",
		  type: $t, dataDir: $d, prevResult: $prev, sysctl: {"net.ipv4.conf.IFNAME.arp_ignore": "1"}}'
	}
	CNI_PATH=$REF_BIN run env CNI_COMMAND=ADD "$REF_BIN/tuning" <<<"$(ifname_conf tuning)"
	[ "$status" -eq 0 ]
	CNI_PATH=$REF_BIN run env CNI_COMMAND=CHECK "$REF_BIN/tuning" <<<"$(ifname_conf tuning)"
	echo "reference CHECK: $output"
	[ "$status" -ne 0 ]
	cni_exec tuning-lite ADD "$(ifname_conf tuning-lite)"
	[ "$status" -eq 0 ]
	cni_exec tuning-lite CHECK "$(ifname_conf tuning-lite)"
	[ "$status" -eq 0 ]
}
