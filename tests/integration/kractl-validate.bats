#!/usr/bin/env bats
# kractl validate: the shipped conf/ passes (exit 0); a set of conflicting configs,
# each conflict found with a message naming file, network and key (exit 1). No root
# and no kernel state: configs only.

load helpers

KRACTL=$BUILD_DIR/sbin/kractl
ROOT=$BATS_TEST_DIRNAME/../..

# krafty + host-local: kconf NAME SUBNET GATEWAY RANGE_START RANGE_END [EXTRA JSON KEYS]
kconf() {
	printf '{"cniVersion":"1.0.0","name":"%s","plugins":[{"type":"krafty","subnet":"%s",
"gateway":"%s"%s,"ipam":{"type":"host-local","ranges":[[{"subnet":"%s","rangeStart":"%s",
"rangeEnd":"%s"}]]}}]}\n' "$1" "$2" "$3" "${6:-}" "$2" "$4" "$5"
}

@test "validate: the shipped conf/ has no error" {
	run "$KRACTL" validate "$ROOT"/conf/*
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"9 file(s), 9 network(s): 0 error(s)"* ]]
}

@test "validate: overlapping subnets of two networks" {
	D=$BATS_TEST_TMPDIR
	kconf kg-a 10.252.0.0/24 10.252.0.1 10.252.0.10 10.252.0.20 >"$D/a.conflist"
	kconf kg-b 10.252.0.128/25 10.252.0.129 10.252.0.130 10.252.0.140 >"$D/b.conflist"
	run "$KRACTL" validate "$D/a.conflist" "$D/b.conflist"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"$D/b.conflist: network kg-b: subnet: error: 10.252.0.128/25 overlaps 10.252.0.0/24 of network kg-a ($D/a.conflist)"* ]]
}

@test "validate: one vrfTable for two networks, explicit and derived" {
	D=$BATS_TEST_TMPDIR
	kconf kg-a 10.252.1.0/24 10.252.1.1 10.252.1.10 10.252.1.20 ',"vrfTable":1000' >"$D/a.conflist"
	kconf kg-b 10.252.2.0/24 10.252.2.1 10.252.2.10 10.252.2.20 ',"vrfTable":1000' >"$D/b.conflist"
	# kg-c's table is derived from its name: give kg-d that number explicitly.
	kconf kg-c 10.252.3.0/24 10.252.3.1 10.252.3.10 10.252.3.20 >"$D/c.conflist"
	t=$(python3 -c 'import sys
h=0x811c9dc5
for b in b"kg-c": h=((h^b)*0x01000193)&0xffffffff
print(h+256 if h<256 else h)')
	kconf kg-d 10.252.4.0/24 10.252.4.1 10.252.4.10 10.252.4.20 ",\"vrfTable\":$t" >"$D/d.conflist"
	run "$KRACTL" validate "$D"/*.conflist
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"$D/b.conflist: network kg-b: vrfTable: error: table 1000 (vrfTable) is also the table of network kg-a"* ]]
	[[ $output == *"$D/d.conflist: network kg-d: vrfTable: error: table $t (vrfTable) is also the table of network kg-c ($D/c.conflist, derived from the name)"* ]]
}

@test "validate: IPAM range and gateway outside krafty's subnet" {
	D=$BATS_TEST_TMPDIR
	cat >"$D/a.conflist" <<-'JSON'
	{"cniVersion":"1.0.0","name":"kg-a","plugins":[{"type":"krafty","subnet":"10.252.5.0/24",
	"gateway":"10.252.5.1","ipam":{"type":"host-local","ranges":[[{"subnet":"10.252.6.0/24",
	"gateway":"10.252.6.1","rangeStart":"10.252.6.10","rangeEnd":"10.252.6.20"}]]}}]}
	JSON
	run "$KRACTL" validate "$D/a.conflist"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"network kg-a: plugins[0].ipam.ranges[0][0]: error: range 10.252.6.0/24 is outside krafty's subnet"* ]]
	[[ $output == *"plugins[0].ipam.ranges[0][0]: error: gateway 10.252.6.1 is not krafty's gateway and outside its subnet"* ]]
}

@test "validate: the plugins' own rules, two networks with one name, unknown keys, YAML" {
	D=$BATS_TEST_TMPDIR
	kconf kg-a 10.252.7.0/24 10.252.9.1 10.252.7.10 10.252.7.20 >"$D/bad-gw.conflist"
	kconf kg-n 10.252.8.0/24 10.252.8.1 10.252.8.10 10.252.8.20 ',"vrfTabel":7' >"$D/n1.conflist"
	kconf kg-n 10.253.8.0/24 10.253.8.1 10.253.8.10 10.253.8.20 >"$D/n2.conflist"
	cat >"$D/nad.yaml" <<-'YAML'
	apiVersion: k8s.cni.cncf.io/v1
	kind: NetworkAttachmentDefinition
	metadata: {name: kg-y, namespace: default}
	spec:
	  config: '{"cniVersion":"1.0.0","name":"kg-y","type":"tuning-lite","promisc":"yes"}'
	---
	apiVersion: k8s.cni.cncf.io/v1
	kind: NetworkAttachmentDefinition
	metadata: {name: kg-z}
	YAML
	printf 'kind: [unclosed\n' >"$D/broken.yaml"
	run "$KRACTL" validate "$D"/*.conflist "$D/nad.yaml" "$D/broken.yaml"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"$D/bad-gw.conflist: network kg-a: plugins[0]: error: krafty: gateway 10.252.9.1 is outside subnet 10.252.7.0/24"* ]]
	[[ $output == *"$D/n2.conflist: network kg-n: name: error: a different network of the same name is in $D/n1.conflist"* ]]
	[[ $output == *"$D/n1.conflist: network kg-n: plugins[0].vrfTabel: warning: unknown key"* ]]
	[[ $output == *"$D/nad.yaml:1 (NetworkAttachmentDefinition kg-y): network kg-y: -: error: tuning-lite: "*promisc* ]]
	[[ $output == *"$D/nad.yaml:6 (NetworkAttachmentDefinition kg-z): network (unnamed): spec.config: warning: not set"* ]]
	[[ $output == *"$D/broken.yaml: network (unnamed): -: error: YAML line"* ]]
}
