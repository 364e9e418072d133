#!/usr/bin/env bats
# The shared dispatcher, seen through every plugin binary as a runtime execs it.

load helpers

conf() { echo "{\"cniVersion\":\"$1\",\"name\":\"dispatch-test\",\"type\":\"$2\"}"; }

@test "every plugin answers VERSION with the five spec versions" {
	for p in "${PLUGINS[@]}"; do
		cni_exec "$p" VERSION '{"cniVersion":"1.0.0"}'
		[ "$status" -eq 0 ]
		[ "$(jq -c .supportedVersions <<<"$output")" = '["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]' ]
		[ "$(jq -r .cniVersion <<<"$output")" = "1.0.0" ]
	done
}

@test "VERSION without stdin answers in the latest version" {
	for p in "${PLUGINS[@]}"; do
		run env CNI_COMMAND=VERSION "$BIN/$p" </dev/null
		[ "$status" -eq 0 ]
		[ "$(jq -r .cniVersion <<<"$output")" = "1.1.0" ]
	done
}

@test "missing CNI_COMMAND: code 4" {
	for p in "${PLUGINS[@]}"; do
		run env -u CNI_COMMAND "$BIN/$p" <<<"$(conf 1.0.0 "$p")"
		assert_cni_error 4
	done
}

@test "unknown CNI_COMMAND: code 4" {
	for p in "${PLUGINS[@]}"; do
		CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/none CNI_IFNAME=eth0 cni_exec "$p" FROB "$(conf 1.0.0 "$p")"
		assert_cni_error 4
		[[ $(jq -r .msg <<<"$output") == *FROB* ]]
	done
}

@test "ADD without CNI_CONTAINERID, CNI_NETNS or CNI_IFNAME: code 4 naming the variable" {
	for p in "${PLUGINS[@]}"; do
		CNI_NETNS=/run/netns/x CNI_IFNAME=eth0 cni_exec "$p" ADD "$(conf 1.0.0 "$p")"
		assert_cni_error 4
		[[ $(jq -r .msg <<<"$output") == *CNI_CONTAINERID* ]]
		CNI_CONTAINERID=c1 CNI_IFNAME=eth0 cni_exec "$p" ADD "$(conf 1.0.0 "$p")"
		assert_cni_error 4
		[[ $(jq -r .msg <<<"$output") == *CNI_NETNS* ]]
		CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/x cni_exec "$p" ADD "$(conf 1.0.0 "$p")"
		assert_cni_error 4
		[[ $(jq -r .msg <<<"$output") == *CNI_IFNAME* ]]
	done
}

@test "bad names in the environment: code 4" {
	for p in "${PLUGINS[@]}"; do
		for ifname in 0123456789abcdef a/b .. 'a b'; do
			CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/x CNI_IFNAME=$ifname cni_exec "$p" ADD "$(conf 1.0.0 "$p")"
			assert_cni_error 4
		done
		for id in '-x' 'a;b' 'a/b'; do
			CNI_CONTAINERID=$id CNI_NETNS=/run/netns/x CNI_IFNAME=eth0 cni_exec "$p" DEL "$(conf 1.0.0 "$p")"
			assert_cni_error 4
		done
		CNI_CONTAINERID=c1 CNI_NETNS=relative/ns CNI_IFNAME=eth0 cni_exec "$p" ADD "$(conf 1.0.0 "$p")"
		assert_cni_error 4
		CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/x CNI_IFNAME=eth0 CNI_ARGS='IgnoreUnknown=1;junk' \
			cni_exec "$p" ADD "$(conf 1.0.0 "$p")"
		assert_cni_error 4
	done
}

@test "malformed config: code 6; missing name or type: code 7" {
	for p in "${PLUGINS[@]}"; do
		CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/x CNI_IFNAME=eth0 cni_exec "$p" ADD '{"cniVersion": "1.0.0", '
		assert_cni_error 6
		CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/x CNI_IFNAME=eth0 cni_exec "$p" ADD ''
		assert_cni_error 6
		CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/x CNI_IFNAME=eth0 cni_exec "$p" ADD '{"cniVersion":"1.0.0","type":"x"}'
		assert_cni_error 7
		CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/x CNI_IFNAME=eth0 cni_exec "$p" ADD '{"cniVersion":"1.0.0","name":"n"}'
		assert_cni_error 7
	done
}

@test "unknown cniVersion: code 1" {
	for p in "${PLUGINS[@]}"; do
		for v in 0.1.0 0.2.0 2.0.0 banana; do
			CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/x CNI_IFNAME=eth0 cni_exec "$p" ADD "$(conf "$v" "$p")"
			assert_cni_error 1
		done
	done
}

@test "CHECK before 0.4.0 and GC/STATUS before 1.1.0: code 1" {
	for p in "${PLUGINS[@]}"; do
		CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/x CNI_IFNAME=eth0 cni_exec "$p" CHECK "$(conf 0.3.1 "$p")"
		assert_cni_error 1
		cni_exec "$p" GC "$(conf 1.0.0 "$p")"
		assert_cni_error 1
		cni_exec "$p" STATUS "$(conf 1.0.0 "$p")"
		assert_cni_error 1
	done
}

@test "errors are reported in the config's cniVersion" {
	for p in "${PLUGINS[@]}"; do
		CNI_NETNS=/run/netns/x CNI_IFNAME=eth0 cni_exec "$p" ADD "$(conf 0.4.0 "$p")"
		assert_cni_error 4
		[ "$(jq -r .cniVersion <<<"$output")" = "0.4.0" ]
	done
}
