#!/usr/bin/env bats
# host-local IPAM: our binary alone, exec'd as a runtime does, each test in its own dataDir.

load host-local

setup() { hl_setup; }
teardown() { hl_teardown; }

V4='{"subnet":"10.10.0.0/24"}'

@test "ADD: first address after the gateway, reference file layout" {
	CONF=$(mkconf 1.0.0 "$V4")
	ours ADD c1
	[ "$status" -eq 0 ]
	[ "$(jq -c .ips <<<"$output")" = '[{"address":"10.10.0.2/24","gateway":"10.10.0.1"}]' ]
	[ "$(jq -r .cniVersion <<<"$output")" = "1.0.0" ]
	[ "$(jq -c .dns <<<"$output")" = "{}" ]
	[ "$(printf 'c1\r\neth0')" = "$(cat "$NETDIR/10.10.0.2")" ]
	[ "$(cat "$NETDIR/last_reserved_ip.0")" = "10.10.0.2" ]
	[ -f "$NETDIR/lock" ]
	add "$HL" c2
	[ "$IP" = 10.10.0.3 ]
	[ "$(cat "$NETDIR/last_reserved_ip.0")" = "10.10.0.3" ]
}

@test "result shape in every spec version" {
	for v in 0.3.0 0.3.1 0.4.0; do
		CONF=$(mkconf $v "$V4")
		ours ADD "c$v"
		[ "$status" -eq 0 ]
		[ "$(jq -r .cniVersion <<<"$output")" = "$v" ]
		[ "$(jq -c '.ips[0] | [.version, (.address | test("^10\\.10\\.0\\.[0-9]+/24$")), .gateway]' <<<"$output")" = '["4",true,"10.10.0.1"]' ]
		[ "$(jq -c '.interfaces' <<<"$output")" = null ]
	done
	for v in 1.0.0 1.1.0; do
		CONF=$(mkconf $v "$V4")
		ours ADD "c$v"
		[ "$status" -eq 0 ]
		[ "$(jq -r .cniVersion <<<"$output")" = "$v" ]
		[ "$(jq -c '.ips[0] | has("version")' <<<"$output")" = false ]
		[ "$(jq -r '.ips[0].gateway' <<<"$output")" = 10.10.0.1 ]
	done
	[ "$(ip_files | wc -l)" -eq 5 ]
}

@test "ADD is idempotent for one container and interface; another interface gets another address" {
	CONF=$(mkconf 1.0.0 "$V4")
	add "$HL" c1
	first=$IP
	add "$HL" c1
	[ "$IP" = "$first" ]
	add "$HL" c1
	[ "$IP" = "$first" ]
	[ "$(ip_files)" = "$first" ]
	add "$HL" c1 net1
	[ "$IP" != "$first" ]
	[ "$(owner "$IP")" = c1/net1 ]
	[ "$(ip_files | wc -l)" -eq 2 ]
}

@test "DEL releases, a second DEL succeeds, DEL on a network never used writes nothing" {
	CONF=$(mkconf 1.0.0 "$V4")
	add "$HL" c1
	add "$HL" c1 net1
	del "$HL" c1
	[ "$(ip_files)" = "$IP" ]
	del "$HL" c1
	[ "$(ip_files)" = "$IP" ]
	del "$HL" c1 net1
	[ -z "$(ip_files)" ]
	rm -rf "$NETDIR"
	del "$HL" c9
	[ ! -e "$NETDIR" ]
}

@test "CHECK: holds → ok; after DEL or never added → code 3" {
	CONF=$(mkconf 1.0.0 "$V4")
	ours CHECK c1
	assert_cni_error 3
	[ ! -e "$NETDIR" ]
	add "$HL" c1
	ours CHECK c1
	[ "$status" -eq 0 ]
	ours CHECK c1 net1
	assert_cni_error 3
	del "$HL" c1
	ours CHECK c1
	assert_cni_error 3
}

@test "round robin: start after the last reserved address and wrap around" {
	CONF=$(mkconf 1.0.0 '{"subnet":"10.10.0.0/29"}') # .2 .. .6 usable
	add "$HL" a
	[ "$IP" = 10.10.0.2 ]
	add "$HL" b
	del "$HL" a
	add "$HL" c
	[ "$IP" = 10.10.0.4 ]
	add "$HL" d
	add "$HL" e
	[ "$IP" = 10.10.0.6 ]
	add "$HL" f # wraps to the first free one
	[ "$IP" = 10.10.0.2 ]
}

@test "exhaustion: a /30 hands out one address, then code 100 naming the range set; nothing written" {
	CONF=$(mkconf 1.0.0 '{"subnet":"10.10.0.0/30"}')
	add "$HL" c1
	[ "$IP" = 10.10.0.2 ]
	before=$(snapshot)
	ours ADD c2
	assert_cni_error 100
	[[ $(jq -r .msg <<<"$output") == *"range set 0"*"10.10.0.1-10.10.0.2"*"1 addresses"* ]]
	[ "$(snapshot)" = "$before" ]
}

@test "gateway, network and broadcast addresses are never handed out, even inside the range" {
	CONF=$(mkconf 1.0.0 '{"ranges":[[{"subnet":"10.10.0.0/29","rangeStart":"10.10.0.0","rangeEnd":"10.10.0.7","gateway":"10.10.0.3"}]]}')
	got=()
	for i in 1 2 3 4 5; do
		add "$HL" "c$i"
		got+=("$IP")
	done
	[ "${got[*]}" = "10.10.0.1 10.10.0.2 10.10.0.4 10.10.0.5 10.10.0.6" ]
	ours ADD c6
	assert_cni_error 100
	[[ $(jq -r .msg <<<"$output") == *"all 5 addresses"* ]]
	for bad in 10.10.0.0 10.10.0.3 10.10.0.7; do
		CNI_ARGS="IP=$bad" ours ADD x
		assert_cni_error 4
	done
	[ "$(ip_files | wc -l)" -eq 5 ]
}

@test "IPv6: default range, Go's text form for file names, last address handed out" {
	CONF=$(mkconf 1.0.0 '{"ranges":[[{"subnet":"fd00:0:0:1::/126"}],[{"subnet":"::a00:0/126"}]]}')
	ours ADD c1
	[ "$status" -eq 0 ]
	[ "$(jq -r '.ips[0].address' <<<"$output")" = "fd00:0:0:1::2/126" ]
	[ "$(jq -r '.ips[0].gateway' <<<"$output")" = "fd00:0:0:1::1" ]
	[ -f "$NETDIR/fd00:0:0:1::2" ]
	# Go prints ::a00:2 where inet_ntop would print ::10.0.0.2: the file must be Go's name.
	[ -f "$NETDIR/::a00:2" ]
	add "$HL" c2
	[ "$IP" = "fd00:0:0:1::3" ]
	ours ADD c3
	assert_cni_error 100
}

@test "dual stack: one address from each range set, released together" {
	CONF=$(mkconf 1.0.0 '{"ranges":[[{"subnet":"10.10.0.0/24"}],[{"subnet":"fd00::/64","rangeStart":"fd00::10","rangeEnd":"fd00::20"}]]}')
	ours ADD c1
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.ips[] | .address, .gateway]' <<<"$output")" = '["10.10.0.2/24","10.10.0.1","fd00::10/64","fd00::1"]' ]
	[ "$(cat "$NETDIR/last_reserved_ip.1")" = "fd00::10" ]
	[ "$(owner fd00::10)" = c1/eth0 ]
	ours ADD c1
	[ "$(jq -c '[.ips[].address]' <<<"$output")" = '["10.10.0.2/24","fd00::10/64"]' ]
	del "$HL" c1
	[ -z "$(ip_files)" ]
}

@test "a range set of several ranges moves on to the next range" {
	CONF=$(mkconf 1.0.0 '{"ranges":[[{"subnet":"10.10.0.0/24","rangeStart":"10.10.0.10","rangeEnd":"10.10.0.11"},{"subnet":"10.20.0.0/24","rangeStart":"10.20.0.5","rangeEnd":"10.20.0.5"}]]}')
	got=()
	for i in 1 2 3; do
		ours ADD "c$i"
		[ "$status" -eq 0 ]
		got+=("$(jq -r '.ips[0] | .address + " " + .gateway' <<<"$output")")
	done
	[ "${got[0]}" = "10.10.0.10/24 10.10.0.1" ]
	[ "${got[1]}" = "10.10.0.11/24 10.10.0.1" ]
	[ "${got[2]}" = "10.20.0.5/24 10.20.0.1" ]
	ours ADD c4
	assert_cni_error 100
	[[ $(jq -r .msg <<<"$output") == *"10.10.0.10-10.10.0.11,10.20.0.5-10.20.0.5"*"all 3 addresses"* ]]
}

@test "legacy single range at the ipam level, with routes (gw optional)" {
	CONF=$(mkconf 0.4.0 '{"subnet":"10.30.0.0/16","rangeStart":"10.30.5.1","rangeEnd":"10.30.5.9","gateway":"10.30.0.254","routes":[{"dst":"0.0.0.0/0"},{"dst":"192.168.0.0/16","gw":"10.30.0.253"}]}')
	ours ADD c1
	[ "$status" -eq 0 ]
	[ "$(jq -c '.ips[0] | [.version, .address, .gateway]' <<<"$output")" = '["4","10.30.5.1/16","10.30.0.254"]' ]
	[ "$(jq -c .routes <<<"$output")" = '[{"dst":"0.0.0.0/0"},{"dst":"192.168.0.0/16","gw":"10.30.0.253"}]' ]
}

@test "resolvConf: nameservers, domain, search and options" {
	printf '# comment\n; also\nnameserver 10.0.0.53\nnameserver  fd00::53 \ndomain example.com\nsearch a.example b.example\noptions ndots:2 edns0\nsortlist x\nbogus\n' >"$DATA/resolv.conf"
	CONF=$(mkconf 1.0.0 "$(jq -cn --arg r "$DATA/resolv.conf" '{subnet: "10.10.0.0/24", resolvConf: $r}')")
	ours ADD c1
	[ "$status" -eq 0 ]
	[ "$(jq -c .dns <<<"$output")" = '{"nameservers":["10.0.0.53","fd00::53"],"domain":"example.com","search":["a.example","b.example"],"options":["ndots:2","edns0"]}' ]
	CONF=$(mkconf 1.0.0 "$(jq -cn --arg r "$DATA/nope" '{subnet: "10.10.0.0/24", resolvConf: $r}')")
	ours ADD c2
	assert_cni_error 5
	[ "$(ip_files)" = 10.10.0.2 ]
}

@test "requested IPs: runtimeConfig.ips (CIDR form), args.cni.ips, CNI_ARGS IP= and IP=a,b" {
	CONF=$(mkconf 1.0.0 '{"ranges":[[{"subnet":"10.10.0.0/24"}],[{"subnet":"fd00::/64"}]]}')
	CONF=$(jq -c '.runtimeConfig = {ips: ["10.10.0.50/24", "fd00::50/64"]}' <<<"$CONF")
	ours ADD rc
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.ips[].address]' <<<"$output")" = '["10.10.0.50/24","fd00::50/64"]' ]
	CONF=$(mkconf 1.0.0 '{"ranges":[[{"subnet":"10.10.0.0/24"}],[{"subnet":"fd00::/64"}]]}')
	CONF=$(jq -c '.args = {cni: {ips: ["10.10.0.60"]}}' <<<"$CONF")
	ours ADD args
	# Round robin goes on after the last requested address.
	[ "$(jq -c '[.ips[].address]' <<<"$output")" = '["10.10.0.60/24","fd00::51/64"]' ]
	CONF=$(mkconf 1.0.0 '{"ranges":[[{"subnet":"10.10.0.0/24"}],[{"subnet":"fd00::/64"}]]}')
	CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAME=p;IP=10.10.0.70' ours ADD env1
	[ "$(jq -c '[.ips[].address]' <<<"$output")" = '["10.10.0.70/24","fd00::52/64"]' ]
	CNI_ARGS='IP=fd00::80,10.10.0.80' ours ADD env2
	[ "$(jq -c '[.ips[].address]' <<<"$output")" = '["10.10.0.80/24","fd00::80/64"]' ]
	# Asking again for what the attachment holds is fine.
	CNI_ARGS='IP=10.10.0.80' ours ADD env2
	[ "$status" -eq 0 ]
	[ "$(owner 10.10.0.80)" = env2/eth0 ]
	# An IPv4-mapped IPv6 request is the IPv4 address, as in the reference.
	CNI_ARGS='IP=::ffff:10.10.0.90' ours ADD mapped
	[ "$(jq -r '.ips[0].address' <<<"$output")" = 10.10.0.90/24 ]
	[ -f "$NETDIR/10.10.0.90" ]
}

@test "requested IP held by another attachment: code 101, nothing written" {
	CONF=$(mkconf 1.0.0 '{"ranges":[[{"subnet":"10.10.0.0/24"}],[{"subnet":"fd00::/64"}]]}')
	CNI_ARGS='IP=10.10.0.50' ours ADD a
	[ "$status" -eq 0 ]
	before=$(snapshot)
	CNI_ARGS='IP=10.10.0.50' ours ADD b
	assert_cni_error 101
	[[ $(jq -r .details <<<"$output") == *"container a"* ]]
	# The IPv6 address taken first for b is rolled back too.
	CNI_ARGS='IP=fd00::9,10.10.0.50' ours ADD b
	assert_cni_error 101
	[ "$(snapshot)" = "$before" ]
	# The holder asking for another address in the same range set is refused as well.
	CNI_ARGS='IP=10.10.0.51' ours ADD a
	assert_cni_error 101
	[ "$(snapshot)" = "$before" ]
}

@test "requested IP outside every range: code 7 from config, code 4 from CNI_ARGS; nothing written" {
	CONF=$(mkconf 1.0.0 '{"ranges":[[{"subnet":"10.10.0.0/24","rangeStart":"10.10.0.10","rangeEnd":"10.10.0.20"}]]}')
	CNI_ARGS='IP=10.10.0.30' ours ADD a
	assert_cni_error 4
	CNI_ARGS='IP=banana' ours ADD a
	assert_cni_error 4
	CNI_ARGS='IP=10.10.0.11,10.10.0.12' ours ADD a
	assert_cni_error 4
	CONF=$(jq -c '.runtimeConfig = {ips: ["192.168.1.1/24"]}' <<<"$CONF")
	ours ADD a
	assert_cni_error 7
	CONF=$(jq -c '.runtimeConfig = {ips: ["10.10.0.1"]}' <<<"$(mkconf 1.0.0 "$V4")")
	ours ADD a
	assert_cni_error 7
	[[ $(jq -r .msg <<<"$output") == *gateway* ]]
	[ -z "$(ls -A "$DATA")" ]
}

@test "bad config: code 7 and nothing written" {
	local -a bad=(
		'{}'
		'{"ranges":[]}'
		'{"ranges":[[]]}'
		'{"ranges":[[{"rangeStart":"10.0.0.5"}]]}'
		'{"ranges":[[{"subnet":"10.0.0.0"}]]}'
		'{"ranges":[[{"subnet":"10.0.0.0/33"}]]}'
		'{"ranges":[[{"subnet":"banana/24"}]]}'
		'{"ranges":[[{"subnet":42}]]}'
		'{"ranges":[[{"subnet":"10.0.0.5/24"}]]}'
		'{"ranges":[[{"subnet":"10.0.0.0/31"}]]}'
		'{"ranges":[[{"subnet":"fd00::/127"}]]}'
		'{"ranges":[[{"subnet":"10.0.0.0/24","rangeStart":"10.0.1.5"}]]}'
		'{"ranges":[[{"subnet":"10.0.0.0/24","rangeEnd":"10.0.1.5"}]]}'
		'{"ranges":[[{"subnet":"10.0.0.0/24","gateway":"10.0.1.1"}]]}'
		'{"ranges":[[{"subnet":"10.0.0.0/24","rangeStart":"10.0.0.50","rangeEnd":"10.0.0.40"}]]}'
		'{"ranges":[[{"subnet":"10.0.0.0/24","rangeStart":"fd00::1"}]]}'
		'{"ranges":[[{"subnet":"10.0.0.0/24","rangeStart":"nope"}]]}'
		'{"ranges":[[{"subnet":"10.0.0.0/24"},{"subnet":"10.0.0.0/25"}]]}'
		'{"ranges":[[{"subnet":"10.0.0.0/24"},{"subnet":"fd00::/64"}]]}'
		'{"ranges":[[{"subnet":"10.0.0.0/24"}],[{"subnet":"10.0.0.0/24","rangeStart":"10.0.0.100"}]]}'
		'{"subnet":"10.0.0.0/24","ranges":[[{"subnet":"10.0.0.0/16"}]]}'
		'{"rangeStart":"10.0.0.5","ranges":[[{"subnet":"10.1.0.0/16"}]]}'
		'{"subnet":"10.0.0.0/24","routes":[{"gw":"10.0.0.1"}]}'
		'{"subnet":"10.0.0.0/24","routes":[{"dst":"nope"}]}'
		'{"subnet":"10.0.0.0/24","routes":{}}'
		'{"subnet":"10.0.0.0/24","dataDir":7}'
	)
	for ipam in "${bad[@]}"; do
		CONF=$(mkconf 1.0.0 "$ipam")
		ours ADD c1
		assert_cni_error 7 || { echo "ipam: $ipam" >&2; return 1; }
		[ -z "$(ls -A "$DATA")" ] || { echo "wrote for $ipam" >&2; return 1; }
	done
	CONF=$(jq -c 'del(.ipam)' <<<"$(mkconf 1.0.0 "$V4")")
	ours ADD c1
	assert_cni_error 7
	for name in a/b .. .; do
		CONF=$(jq -c --arg n "$name" '.name = $n' <<<"$(mkconf 1.0.0 "$V4")")
		ours ADD c1
		assert_cni_error 7
	done
	[ -z "$(ls -A "$DATA")" ]
}

@test "unwritable dataDir: ADD code 5, STATUS code 50; a usable one: STATUS ok and nothing created" {
	touch "$DATA/file"
	CONF=$(jq -c --arg d "$DATA/file/sub" '.ipam.dataDir = $d' <<<"$(mkconf 1.1.0 "$V4")")
	ours ADD c1
	assert_cni_error 5
	ours STATUS
	assert_cni_error 50
	CONF=$(jq -c --arg d "$DATA/new/deeper" '.ipam.dataDir = $d' <<<"$(mkconf 1.1.0 "$V4")")
	ours STATUS
	[ "$status" -eq 0 ]
	[ "$(ls -A "$DATA")" = file ]
	CONF=$(mkconf 1.1.0 '{"ranges":[]}')
	ours STATUS
	assert_cni_error 7
}

@test "GC releases every attachment not in cni.dev/valid-attachments" {
	CONF=$(mkconf 1.1.0 "$V4")
	add "$HL" keep
	add "$HL" keep net1
	add "$HL" gone
	add "$HL" gone2 net1
	printf 'legacykeep' >"$NETDIR/10.10.0.100"
	printf 'legacygone\r\n' >"$NETDIR/10.10.0.101"
	CONF=$(jq -c '.["cni.dev/valid-attachments"] = [{containerID: "keep", ifname: "eth0"}, {containerID: "keep", ifname: "net1"}, {containerID: "legacykeep", ifname: "eth0"}, {containerID: "gone2", ifname: "eth0"}]' <<<"$CONF")
	ours GC
	[ "$status" -eq 0 ]
	[ "$(ip_files | tr '\n' ' ')" = "10.10.0.100 10.10.0.2 10.10.0.3 " ]
	# The index follows: DEL and idempotent ADD of what is left still work.
	add "$HL" keep net1
	[ "$IP" = 10.10.0.3 ]
	del "$HL" keep
	[ "$(ip_files | tr '\n' ' ')" = "10.10.0.100 10.10.0.3 " ]
	# No list: nothing is collected.
	CONF=$(mkconf 1.1.0 "$V4")
	ours GC
	[ "$status" -eq 0 ]
	[ "$(ip_files | wc -l)" -eq 2 ]
	# A network never used: nothing created.
	rm -rf "$NETDIR"
	CONF=$(jq -c '.["cni.dev/valid-attachments"] = []' <<<"$CONF")
	ours GC
	[ "$status" -eq 0 ]
	[ ! -e "$NETDIR" ]
}

@test "legacy files holding the container ID alone: ADD returns them, DEL releases them" {
	CONF=$(mkconf 1.0.0 "$V4")
	mkdir -p "$NETDIR"
	printf 'old1' >"$NETDIR/10.10.0.40"
	printf 'old2\n' >"$NETDIR/10.10.0.41"
	add "$HL" old1
	[ "$IP" = 10.10.0.40 ]
	ours CHECK old1
	[ "$status" -eq 0 ]
	del "$HL" old1
	[ ! -e "$NETDIR/10.10.0.40" ]
	del "$HL" old2 net9
	[ ! -e "$NETDIR/10.10.0.41" ]
	# A file naming the interface takes precedence: the legacy one stays for another DEL.
	printf 'old3' >"$NETDIR/10.10.0.42"
	printf 'old3\r\neth0' >"$NETDIR/10.10.0.43"
	del "$HL" old3
	[ "$(ip_files)" = 10.10.0.42 ]
	del "$HL" old3
	[ -z "$(ip_files)" ]
}

@test "corrupt and foreign files are skipped with a message, never handed out, never a crash" {
	CONF=$(mkconf 1.0.0 '{"subnet":"10.10.0.0/29"}')
	mkdir -p "$NETDIR/10.10.0.4" "$NETDIR/subdir"
	: >"$NETDIR/10.10.0.2"
	printf '   \r\n  ' >"$NETDIR/10.10.0.3"
	head -c 5000 /dev/urandom >"$NETDIR/10.10.0.5"
	printf 'x' >"$NETDIR/README"
	printf 'x' >"$NETDIR/010.10.0.6"
	ours ADD c1
	[ "$status" -eq 0 ]
	[ "$(jq -r '.ips[0].address' <<<"$output")" = 10.10.0.6/29 ]
	[[ $stderr == *README* ]]
	[[ $stderr == *10.10.0.2* ]]
	ours ADD c2
	assert_cni_error 100
	del "$HL" c1
	[ ! -e "$NETDIR/10.10.0.6" ]
	[ -f "$NETDIR/10.10.0.2" ] && [ -d "$NETDIR/10.10.0.4" ] && [ -f "$NETDIR/README" ]
}

@test "the index survives being removed or damaged" {
	CONF=$(mkconf 1.0.0 "$V4")
	add "$HL" a
	add "$HL" b
	rm -rf "$NETDIR/.krafty-index"
	add "$HL" a
	[ "$IP" = 10.10.0.2 ]
	for f in "$NETDIR"/.krafty-index/*:*; do echo garbage >"$f"; done
	add "$HL" b
	[ "$IP" = 10.10.0.3 ]
	# An entry that lies (names an address someone else holds) is caught by the check.
	printf 'krafty-index v1\nc\teth0\t10.10.0.2\n' >"$NETDIR/.krafty-index/c:eth0"
	del "$HL" c
	[ "$(owner 10.10.0.2)" = a/eth0 ]
	del "$HL" a
	del "$HL" b
	[ -z "$(ip_files)" ]
}

@test "long container IDs use a hashed index name and still round-trip" {
	CONF=$(mkconf 1.0.0 "$V4")
	long=$(printf 'a%.0s' {1..250})
	long2=$(printf 'a%.0s' {1..249})b
	add "$HL" "$long"
	first=$IP
	add "$HL" "$long2"
	add "$HL" "$long"
	[ "$IP" = "$first" ]
	ls "$NETDIR/.krafty-index" | grep -q '^#'
	del "$HL" "$long"
	[ "$(ip_files | wc -l)" -eq 1 ]
	del "$HL" "$long2"
	[ -z "$(ip_files)" ]
}

# The spare count the index stamp records (spares.c).
spares_in_stamp() { sed -n 's/^spares \([0-9]*\)$/\1/p' "$NETDIR/.krafty-index/stamp"; }

@test "a DEL keeps its files as spares and the next ADD takes them: no new inode" {
	CONF=$(mkconf 1.0.0 "$V4")
	add "$HL" a
	ino_ip=$(stat -c %i "$NETDIR/$IP")
	ino_entry=$(stat -c %i "$NETDIR/.krafty-index/a:eth0")
	del "$HL" a
	[ ! -e "$NETDIR/$IP" ] && [ ! -e "$NETDIR/.krafty-index/a:eth0" ]
	[ "$(spares_in_stamp)" = 2 ]
	# A spare names no pod.
	[ "$(cat "$NETDIR/.krafty-index/spare.0")" = "krafty spare" ]
	[ "$(cat "$NETDIR/.krafty-index/spare.1")" = "krafty spare" ]
	[ "$(stat -c %i "$NETDIR/.krafty-index/spare.0" "$NETDIR/.krafty-index/spare.1" | sort -n | tr '\n' ' ')" = \
		"$(printf '%s\n' "$ino_ip" "$ino_entry" | sort -n | tr '\n' ' ')" ]
	add "$HL" b
	[ "$(spares_in_stamp)" = 0 ]
	[ ! -e "$NETDIR/.krafty-index/spare.0" ] && [ ! -e "$NETDIR/.krafty-index/spare.1" ]
	# The recycled files hold exactly the new owner, in the reference's format.
	[ "$(cat "$NETDIR/$IP")" = "$(printf 'b\r\neth0')" ]
	[ "$(printf '%s\n' "$(stat -c %i "$NETDIR/$IP")" "$(stat -c %i "$NETDIR/.krafty-index/b:eth0")" | sort -n | tr '\n' ' ')" = \
		"$(printf '%s\n' "$ino_ip" "$ino_entry" | sort -n | tr '\n' ' ')" ]
	ours CHECK b
	[ "$status" -eq 0 ]
	del "$HL" b
	[ -z "$(ip_files)" ]
}

@test "spares: a wrong count, a missing spare or a taken slot lose nothing and leak nothing" {
	CONF=$(mkconf 1.0.0 "$V4")
	add "$HL" a
	add "$HL" b
	del "$HL" a
	[ "$(spares_in_stamp)" = 2 ]
	# A missing spare (removed behind our back, as the reference's release walk may):
	# the ADD creates its files instead.
	rm "$NETDIR/.krafty-index/spare.1"
	add "$HL" c
	[ "$(cat "$NETDIR/$IP")" = "$(printf 'c\r\neth0')" ]
	ours CHECK c
	[ "$status" -eq 0 ]
	# A slot already taken by a file we did not park: the release removes instead.
	echo foreign >"$NETDIR/.krafty-index/spare.$(spares_in_stamp)"
	held=$IP
	del "$HL" c
	[ ! -e "$NETDIR/$held" ]
	[ "$(cat "$NETDIR/.krafty-index/spare.0")" = foreign ]
	ours CHECK b
	[ "$status" -eq 0 ]
	del "$HL" b
	[ -z "$(ip_files)" ]
	# At most 64 spares: 70 attachments released leave 64.
	for i in $(seq 1 70); do add "$HL" "m$i"; done
	for i in $(seq 1 70); do del "$HL" "m$i"; done
	[ -z "$(ip_files)" ]
	[ "$(spares_in_stamp)" -le 64 ]
	[ "$(find "$NETDIR/.krafty-index" -name 'spare.*' | wc -l)" -le 64 ]
}

@test "spares and the reference: it never sees them as addresses, its change drops them" {
	CONF=$(mkconf 1.0.0 "$V4")
	add "$HL" a
	del "$HL" a
	[ "$(spares_in_stamp)" = 2 ]
	# A spare still holds a's old owner: the reference's duplicate check and CHECK
	# must not take it for an address of a.
	add "$REF" a
	ref CHECK a
	[ "$status" -eq 0 ]
	# Its change makes our stamp stale: the rebuild removes every spare.
	add "$HL" z
	[ "$(spares_in_stamp)" = 0 ]
	[ -z "$(find "$NETDIR/.krafty-index" -name 'spare.*')" ]
	del "$REF" a
	del "$HL" z
	[ -z "$(ip_files)" ]
}

@test "spares: a symlink, FIFO or directory planted as the next spare is never written through and never hangs" {
	CONF=$(mkconf 1.0.0 "$V4")
	target=$DATA/outside
	echo untouched >"$target"
	add "$HL" a
	del "$HL" a
	for kind in symlink fifo dir; do
		rm -rf "$NETDIR/.krafty-index/spare."*
		printf 'krafty spare\n' >"$NETDIR/.krafty-index/spare.0"
		case $kind in
		symlink) ln -s "$target" "$NETDIR/.krafty-index/spare.1" ;;
		fifo) mkfifo "$NETDIR/.krafty-index/spare.1" ;;
		dir) mkdir "$NETDIR/.krafty-index/spare.1" ;;
		esac
		# The count says two spares (the stamp still matches the directory).
		sed -i 's/^spares .*/spares 2/' "$NETDIR/.krafty-index/stamp"
		run timeout 10 env CNI_COMMAND=ADD CNI_CONTAINERID="p-$kind" CNI_NETNS=/run/netns/hl-test \
			CNI_IFNAME=eth0 CNI_PATH="$BIN" "$HL" <<<"$CONF"
		[ "$status" -eq 0 ] || { echo "$kind: status $status: $output" >&2; return 1; }
		ip=$(jq -r '.ips[0].address' <<<"$output")
		[ "$(cat "$NETDIR/${ip%/*}")" = "$(printf 'p-%s\r\neth0' "$kind")" ]
		[ "$(cat "$target")" = untouched ]
		ours CHECK "p-$kind"
		[ "$status" -eq 0 ]
		del "$HL" "p-$kind"
	done
	[ -z "$(ip_files)" ]
	[ "$(cat "$target")" = untouched ]
}
