#!/usr/bin/env bats
# kractl on real network namespaces on the host: add, check, del, status and gc of
# conflists (passthru + tuning-lite, krafty + host-local with "vrf": false) with libcni's
# result cache, capabilities and CNI_ARGS; mutate and revert of MTU, MAC, promisc and a
# sysctl on a running pod (by netns name, pid and container ID); the history after ADD,
# mutate, revert and DEL; errors that name the spec code and the plugin; bad input.
# Everything is private: netns kc-*, container IDs kc*, subnet 10.241.0.0/16, conf, cache
# and data dirs under BATS_TEST_TMPDIR, the history log under /run/kc-* (logFile must lie
# under /var/log/, /run/ or /var/lib/cni/).

load helpers
load chain

KRACTL=$BUILD_DIR/sbin/kractl

setup() {
	N=$BATS_TEST_NUMBER
	NS=kc-$$-$N
	NETNS=$(netns_make "$NS")
	ip -n "$NS" link add eth0 type veth peer name kcpeer
	D=$BATS_TEST_TMPDIR
	mkdir -p "$D/net.d" "$D/cache" "$D/tuning"
	LOGDIR=/run/kc-$$-$N
	mkdir -p "$LOGDIR"
	LOG=$LOGDIR/cni.log
	ID=kc$$x$N
	unset NETCONFPATH CNI_PATH CNI_ARGS CNI_IFNAME CAP_ARGS CNI_CONTAINERID
	KC=("$KRACTL" -C "$D/net.d" -p "$BIN" -D "$D/cache" -d "$D/tuning" -l "$LOG")
}

teardown() {
	if [[ -n ${KRAFTY_UP:-} ]]; then
		"${KC[@]}" del kc-krafty "$NS" --id "$ID" -I net1 >/dev/null 2>&1 || true
	fi
	[[ -z ${SLEEPER:-} ]] || kill "$SLEEPER" 2>/dev/null || true
	netns_cleanup "$NS" "$NS-b"
	rm -rf "$LOGDIR"
}

# mutate_conf: passthru + tuning-lite with MTU 1400, logged, in the test's conf dir.
mutate_conf() {
	jq -n --arg d "$D/tuning" --arg l "$LOG" --arg v "${1:-1.0.0}" \
		'{cniVersion: $v, name: "kc-tuned", plugins: [{type: "passthru", logFile: $l},
		  {type: "tuning-lite", mtu: 1400, dataDir: $d, logFile: $l}]}' >"$D/net.d/10-tuned.conflist"
}

@test "kractl add, check, del by network name: result, libcni's cache file, the interface" {
	mutate_conf
	mac=$(link_field "$NS" eth0 address)
	run "${KC[@]}" add kc-tuned "$NS" --id "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r .cniVersion <<<"$output")" = 1.0.0 ]
	[ "$(jq -c '.interfaces' <<<"$output")" = "[{\"name\":\"eth0\",\"mac\":\"$mac\",\"sandbox\":\"$NETNS\"}]" ]
	[ "$(link_field "$NS" eth0 mtu)" = 1400 ]

	cache=$D/cache/results/kc-tuned-$ID-eth0
	[ -f "$cache" ]
	[ "$(stat -c %a "$cache")" = 600 ]
	[ "$(stat -c %a "$D/cache/results")" = 700 ]
	[ "$(jq -r '[.kind, .containerId, .ifName, .networkName, .netns] | join(" ")' "$cache")" = \
		"cniCacheV1 $ID eth0 kc-tuned $NETNS" ]
	[ "$(jq -r .config "$cache" | base64 -d)" = "$(cat "$D/net.d/10-tuned.conflist")" ]
	[ "$(jq -cS .result "$cache")" = "$(jq -cS . <<<"$output")" ]
	[ "$(jq -r 'has("cniArgs"), has("capabilityArgs")' "$cache" | tr '\n' ' ')" = "false false " ]

	run "${KC[@]}" check kc-tuned "$NS" --id "$ID"
	[ "$status" -eq 0 ]

	# Drift behind tuning-lite's back: CHECK fails with its code, naming the plugin.
	ip -n "$NS" link set eth0 mtu 1450
	run "${KC[@]}" check kc-tuned "$NS" --id "$ID"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"CNI code 101 (plugin-specific error) from plugin tuning-lite (2 of 2)"* ]]
	[[ $output == *"mtu: config 1400, current 1450"* ]]
	ip -n "$NS" link set eth0 mtu 1400

	run "${KC[@]}" del kc-tuned "$NS" --id "$ID"
	[ "$status" -eq 0 ]
	[ ! -e "$cache" ]
	[ "$(link_field "$NS" eth0 mtu)" = 1500 ]
	# DEL again: nothing cached, nothing saved; succeeds.
	run "${KC[@]}" del kc-tuned --id "$ID"
	[ "$status" -eq 0 ]
}

@test "kractl with cnitool's environment: NETCONFPATH, CNI_PATH, CNI_IFNAME, CNI_ARGS, CAP_ARGS" {
	jq -n --arg d "$D/tuning" \
		'{cniVersion: "1.0.0", name: "kc-env", plugins: [{type: "passthru"},
		  {type: "tuning-lite", dataDir: $d, capabilities: {mac: true}}]}' >"$D/net.d/env.conflist"
	ip -n "$NS" link add kcx0 type veth peer name kcx1
	before=$(link_field "$NS" kcx0 address)
	export NETCONFPATH=$D/net.d CNI_PATH=$BIN CNI_IFNAME=kcx0 CNI_ARGS="IgnoreUnknown=true;K8S_POD_NAME=p1"
	export CAP_ARGS='{"mac":"02:00:5e:10:00:01","portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]}'
	run "$KRACTL" add kc-env "$NETNS" --id "$ID" -D "$D/cache"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(link_field "$NS" kcx0 address)" = 02:00:5e:10:00:01 ]
	cache=$D/cache/results/kc-env-$ID-kcx0
	[ "$(jq -c .cniArgs "$cache")" = '[["IgnoreUnknown","true"],["K8S_POD_NAME","p1"]]' ]
	[ "$(jq -c .capabilityArgs "$cache")" = "$CAP_ARGS" ]
	run "$KRACTL" del kc-env "$NETNS" --id "$ID" -D "$D/cache"
	[ "$status" -eq 0 ]
	[ "$(link_field "$NS" kcx0 address)" = "$before" ]
}

@test "kractl runs a single .conf given as a file; the cache holds its bytes" {
	jq -n --arg d "$D/tuning" '{cniVersion: "0.4.0", name: "kc-single", type: "tuning-lite",
		promisc: true, dataDir: $d, prevResult: {cniVersion: "0.4.0"}}' >"$D/single.conf"
	run "${KC[@]}" add "$D/single.conf" "$NETNS" --id "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(link_field "$NS" eth0 promiscuity)" = 1 ]
	[ "$(jq -r .config "$D/cache/results/kc-single-$ID-eth0" | base64 -d)" = "$(cat "$D/single.conf")" ]
	run "${KC[@]}" check "$D/single.conf" "$NETNS" --id "$ID"
	[ "$status" -eq 0 ]
	run "${KC[@]}" del "$D/single.conf" "$NETNS" --id "$ID"
	[ "$status" -eq 0 ]
	[ "$(link_field "$NS" eth0 promiscuity)" = 0 ]
}

@test "kractl add, check, del of krafty + host-local: capability ips reach IPAM; nothing left" {
	sub=10.241.$((N % 250))
	jq -n --arg s "$sub.0/24" --arg g "$sub.1" --arg d "$D/ipam" \
		'{cniVersion: "1.0.0", name: "kc-krafty", plugins: [{type: "krafty", vrf: false,
		  subnet: $s, gateway: $g, capabilities: {ips: true},
		  ipam: {type: "host-local", dataDir: $d, ranges: [[{subnet: $s}]]}}]}' >"$D/net.d/krafty.conflist"
	KRAFTY_UP=1
	run "${KC[@]}" add kc-krafty "$NS" --id "$ID" -I net1 --caps "{\"ips\":[\"$sub.77/24\"]}"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.ips[0].address' <<<"$output")" = "$sub.77/24" ]
	[ "$(ip -n "$NS" -j addr show dev net1 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')" = "$sub.77" ]
	[ "$(jq -c .capabilityArgs "$D/cache/results/kc-krafty-$ID-net1")" = "{\"ips\":[\"$sub.77/24\"]}" ]
	grep -q "^$ID" "$D/ipam/kc-krafty/$sub.77"
	run "${KC[@]}" check kc-krafty "$NS" --id "$ID" -I net1
	[ "$status" -eq 0 ]
	run "${KC[@]}" del kc-krafty "$NS" --id "$ID" -I net1
	[ "$status" -eq 0 ]
	KRAFTY_UP=
	run ip -n "$NS" link show net1
	[ "$status" -ne 0 ]
	run ip -d link show
	[[ $output != *"/$ID"* ]]
	# host-local no longer holds the address.
	[ ! -e "$D/ipam/kc-krafty/$sub.77" ]
}

@test "kractl status and gc: 1.1.0 STATUS; GC DELs cached attachments that are not valid" {
	mutate_conf 1.1.0
	run "${KC[@]}" status kc-tuned
	[ "$status" -eq 0 ]
	[ "$output" = "network kc-tuned: available (2 plugins answered STATUS)" ]
	netns_make "$NS-b" >/dev/null
	ip -n "$NS-b" link add eth0 type veth peer name kcpeer
	run "${KC[@]}" add kc-tuned "$NS" --id "${ID}a"
	[ "$status" -eq 0 ]
	run "${KC[@]}" add kc-tuned "$NS-b" --id "${ID}b"
	[ "$status" -eq 0 ]
	[ "$(link_field "$NS-b" eth0 mtu)" = 1400 ]
	# Without --valid every cached attachment is valid: nothing is deleted.
	run "${KC[@]}" gc kc-tuned
	[ "$output" = "network kc-tuned: 0 stale cached attachment(s) deleted; GC sent to every plugin" ]
	run "${KC[@]}" gc kc-tuned --valid "${ID}a/eth0"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "network kc-tuned: 1 stale cached attachment(s) deleted; GC sent to every plugin" ]
	[ "$(link_field "$NS-b" eth0 mtu)" = 1500 ]
	[ "$(link_field "$NS" eth0 mtu)" = 1400 ]
	[ ! -e "$D/cache/results/kc-tuned-${ID}b-eth0" ]
	[ -e "$D/cache/results/kc-tuned-${ID}a-eth0" ]
	[ -e "$D/tuning/kc-tuned/${ID}a:eth0.json" ]
	[ ! -e "$D/tuning/kc-tuned/${ID}b:eth0.json" ]
	# 1.0.0 has no STATUS: said, not run.
	mutate_conf 1.0.0
	run "${KC[@]}" status kc-tuned
	[ "$output" = "network kc-tuned: cniVersion 1.0.0 has no STATUS (1.1.0 and later): assumed available" ]
}

@test "kractl errors name the code and the plugin and say what to do" {
	# A plugin that is not there.
	echo '{"cniVersion":"1.0.0","name":"kc-missing","plugins":[{"type":"passthru"},{"type":"kc-nosuch"}]}' \
		>"$D/net.d/missing.conflist"
	run "${KC[@]}" add kc-missing "$NS" --id "$ID"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *'failed to find plugin "kc-nosuch" in path ['"$BIN"']'* ]]
	[[ $output == *"CNI code 7 (invalid network config) from plugin kc-nosuch (2 of 2)"* ]]
	[[ $output == *"what to do: install kc-nosuch into one of the plugin dirs"* ]]

	# A netns that is gone.
	mutate_conf
	run "${KC[@]}" add kc-tuned /run/netns/kc-gone-$$ --id "$ID"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"netns /run/netns/kc-gone-$$: No such file or directory"* ]]
	[[ $output == *"CNI code 4 (invalid environment), from kractl"* ]]
	[[ $output == *"DEL works without a netns"* ]]

	# A config that does not parse: named in the error when looked up by name.
	printf '{"cniVersion":"1.0.0","name":"kc-broken",' >"$D/net.d/broken.conflist"
	run "${KC[@]}" add kc-broken "$NS" --id "$ID"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"no network named kc-broken in $D/net.d"* ]]
	[[ $output == *"details: files that do not parse: $D/net.d/broken.conflist ($D/net.d/broken.conflist is not a JSON object)"* ]]
	run "${KC[@]}" add "$D/net.d/broken.conflist" "$NS" --id "$ID"
	[ "$status" -eq 1 ]
	[[ $output == *"CNI code 6 (failed to decode content), from kractl"* ]]
	[[ $output == *"details: parse error near byte 40"* ]]

	# A cache entry that belongs to another container: network "kc-a" and container "b-x"
	# join to the same file name as network "kc-a-b" and container "x".
	mkdir -p "$D/cache/results"
	printf '{"kind":"cniCacheV1","containerId":"x","config":"e30=","ifName":"eth0","networkName":"kc-a-b"}' \
		>"$D/cache/results/kc-a-b-x-eth0"
	echo '{"cniVersion":"1.0.0","name":"kc-a","plugins":[{"type":"passthru"}]}' >"$D/a.conflist"
	run "${KC[@]}" del "$D/a.conflist" --id b-x
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"cache file $D/cache/results/kc-a-b-x-eth0 belongs to container x, interface eth0 of network kc-a-b"* ]]
	[[ $output == *"CNI code 3 (unknown container), from kractl"* ]]
	[ -e "$D/cache/results/kc-a-b-x-eth0" ]

	# A version the plugin does not speak: the reference tuning (up to 1.0.0) under 1.1.0.
	if [[ -x $REF_BIN/tuning ]]; then
		echo '{"cniVersion":"1.1.0","name":"kc-ref","plugins":[{"type":"passthru"},{"type":"tuning","mtu":1400}]}' \
			>"$D/ref.conflist"
		run "$KRACTL" -p "$BIN:$REF_BIN" -D "$D/cache" add "$D/ref.conflist" "$NS" --id "$ID"
		echo "$output"
		[ "$status" -eq 1 ]
		[[ $output == *"from plugin tuning (2 of 2)"* ]]
		[[ $output == *"what to do: tuning speaks 0.1.0 0.2.0 0.3.0 0.3.1 0.4.0 1.0.0; set \"cniVersion\""* ]]
	fi
}

# link_state NS: "mtu mac promiscuity arp_filter" of eth0.
link_state() {
	echo "$(link_field "$1" eth0 mtu) $(link_field "$1" eth0 address) $(link_field "$1" eth0 promiscuity)" \
		"$(pod_sysctl_get "$1" net.ipv4.conf.eth0.arp_filter)"
}

@test "kractl mutate stacks MTU, MAC, promisc and a sysctl; revert restores the original exactly" {
	orig=$(link_state "$NS")
	mac=$(link_field "$NS" eth0 address)
	[ "$orig" = "1500 $mac 0 0" ]
	run "${KC[@]}" mutate "$NS" --id "$ID" mtu=1300 promisc=true net.ipv4.conf.IFNAME.arp_filter=1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "mutated eth0 of pod $ID (netns $NETNS) through network kractl-mutate; kractl revert $NS puts back what it changed" ]
	[ "$(link_state "$NS")" = "1300 $mac 1 1" ]
	echo '{"mtu": 1280, "mac": "02:00:5e:10:00:02"}' >"$D/keys.json"
	run "${KC[@]}" mutate "$NS" --id "$ID" --keys "$D/keys.json"
	[ "$status" -eq 0 ]
	[ "$(link_state "$NS")" = "1280 02:00:5e:10:00:02 1 1" ]
	# tuning-lite holds the first value of each key.
	[ "$(jq -c '[.saved[] | [.what, .value]]' "$D/tuning/kractl-mutate/$ID:eth0.json")" = \
		"[[\"mtu\",\"1500\"],[\"promisc\",\"false\"],[\"sysctl\",\"0\"],[\"mac\",\"$mac\"]]" ]
	# The cache holds the last mutation's config: revert finds the pod by container ID.
	[ "$(jq -r .config "$D/cache/results/kractl-mutate-$ID-eth0" | base64 -d | jq -c '.plugins[1] | {mtu, mac}')" = \
		'{"mtu":1280,"mac":"02:00:5e:10:00:02"}' ]
	run "${KC[@]}" revert "$ID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "reverted eth0 of pod $ID in netns $NETNS" ]
	[ "$(link_state "$NS")" = "$orig" ]
	[ ! -e "$D/tuning/kractl-mutate/$ID:eth0.json" ]
	[ ! -e "$D/cache/results/kractl-mutate-$ID-eth0" ]
}

@test "kractl mutate and revert a pod given by pid; the ID is found again" {
	ip netns exec "$NS" sleep 300 &
	SLEEPER=$!
	for _ in $(seq 50); do
		[[ $(readlink /proc/$SLEEPER/ns/net) == "$(ip netns exec "$NS" readlink /proc/self/ns/net)" ]] && break
		sleep 0.05
	done
	orig=$(link_state "$NS")
	run "${KC[@]}" mutate "$SLEEPER" mtu=1360
	echo "$output"
	[ "$status" -eq 0 ]
	ino=$(stat -L -c %i "$NETNS")
	[ "$output" = "mutated eth0 of pod netns-$ino (netns /proc/$SLEEPER/ns/net) through network kractl-mutate; kractl revert $SLEEPER puts back what it changed" ]
	[ "$(link_field "$NS" eth0 mtu)" = 1360 ]
	run "${KC[@]}" revert "$SLEEPER"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "reverted eth0 of pod netns-$ino in netns /proc/$SLEEPER/ns/net" ]
	[ "$(link_state "$NS")" = "$orig" ]
}

@test "kractl history after ADD, mutate, revert and DEL: every call, what changed, errors" {
	mutate_conf
	run "${KC[@]}" add kc-tuned "$NS" --id "$ID"
	[ "$status" -eq 0 ]
	run "${KC[@]}" mutate "$NS" mtu=1300 promisc=true
	[ "$status" -eq 0 ]
	# A refused mutation is logged with its error.
	run "${KC[@]}" mutate "$NS" mtu=99999
	[ "$status" -eq 1 ]
	[[ $output == *"from plugin tuning-lite (2 of 2)"* ]]
	run "${KC[@]}" revert "$NS"
	[ "$status" -eq 0 ]
	run "${KC[@]}" del kc-tuned "$NS" --id "$ID"
	[ "$status" -eq 0 ]

	run "${KC[@]}" history "$ID" --json
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r '[.command, .network, .plugin, .ifname, .containerID == "'"$ID"'", .netns == "'"$NETNS"'"] | join(" ")' <<<"$output")" = \
"ADD kc-tuned passthru eth0 true true
ADD kc-tuned tuning-lite eth0 true true
ADD kractl-mutate passthru eth0 true true
ADD kractl-mutate tuning-lite eth0 true true
ADD kractl-mutate passthru eth0 true true
ADD kractl-mutate tuning-lite eth0 true true
DEL kractl-mutate tuning-lite eth0 true true
DEL kractl-mutate passthru eth0 true true
DEL kc-tuned tuning-lite eth0 true true
DEL kc-tuned passthru eth0 true true" ]
	[ "$(jq -c 'select(.plugin == "tuning-lite") | .changes // .error.code' <<<"$output")" = \
'[{"key":"mtu","from":"1500","to":"1400"}]
[{"key":"mtu","from":"1400","to":"1300"},{"key":"promisc","from":"false","to":"true"}]
7
[{"key":"promisc","from":"true","to":"false"},{"key":"mtu","from":"1300","to":"1400"}]
[{"key":"mtu","from":"1400","to":"1500"}]' ]
	[ "$(jq -r 'select(.command == "ADD" and .plugin == "passthru") | .result.interfaces[0].sandbox' <<<"$output" | sort -u)" = "$NETNS" ]
	ino=$(stat -L -c %i "$NETNS")
	[ "$(jq -r .netnsInode <<<"$output" | sort -u)" = "$ino" ]

	run "${KC[@]}" history "$ID"
	echo "$output"
	[ "${lines[0]}" = "history of pod $ID (netns $NETNS): 10 call(s) logged" ]
	[[ ${lines[4]} == *" ADD    kractl-mutate/eth0           tuning-lite  ok: mtu 1400 -> 1300, promisc false -> true" ]]
	[[ ${lines[6]} == *" ADD    kractl-mutate/eth0           tuning-lite  error 7: mtu 99999 is outside the limits of eth0 (68 to 65535)" ]]
	[ "${lines[11]}" = "no original values held by tuning-lite" ]
}

@test "kractl history shows the originals tuning-lite holds while a mutation is in place" {
	run "${KC[@]}" mutate "$NS" --id "$ID" mtu=1300 net.ipv4.conf.eth0.arp_filter=1
	[ "$status" -eq 0 ]
	run "${KC[@]}" history "$NS"
	echo "$output"
	[ "${lines[0]}" = "history of pod $ID (netns $NETNS): 2 call(s) logged" ]
	[ "${lines[3]}" = "originals tuning-lite holds (revert or DEL restores them):" ]
	[ "${lines[4]}" = "  kractl-mutate/eth0: mtu=1500, net.ipv4.conf.eth0.arp_filter=0" ]
	run "${KC[@]}" revert "$NS"
	[ "$status" -eq 0 ]
}

# tl_call LOGFILE [LEVEL] [MTU]: one tuning-lite ADD with that logFile; its status.
tl_call() {
	local conf
	conf=$(jq -nc --arg d "$D/tuning" --arg l "$1" --arg lv "${2:-}" --argjson m "${3:-1400}" \
		'{cniVersion: "1.0.0", name: "kc-log", type: "tuning-lite", dataDir: $d, mtu: $m,
		  logFile: $l, prevResult: {cniVersion: "1.0.0"}} + (if $lv != "" then {logLevel: $lv} else {} end)')
	CNI_CONTAINERID=$ID CNI_NETNS=$NETNS CNI_IFNAME=eth0 cni_exec tuning-lite ADD "$conf"
}

@test "logFile: only under /var/log, /run or /var/lib/cni, no symlinks, never fails a call" {
	tl_call "$LOG"
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$LOG")" -eq 1 ]
	[ "$(stat -c %a "$LOG")" = 600 ]
	# Outside the allowed dirs, relative, with "..": the call succeeds, nothing is written.
	for bad in "$D/out.log" "kc-relative.log" "$LOGDIR/../etc-kc-$$.log" "/etc/kc-$$.log"; do
		tl_call "$bad"
		[ "$status" -eq 0 ]
	done
	[ ! -e "$D/out.log" ] && [ ! -e "/etc/kc-$$.log" ] && [ ! -e "/run/etc-kc-$$.log" ]
	# A symlinked directory or file on the way is not followed.
	mkdir "$D/target"
	ln -s "$D/target" "$LOGDIR/link"
	tl_call "$LOGDIR/link/x.log"
	[ "$status" -eq 0 ]
	[ -z "$(ls "$D/target")" ]
	ln -s "$D/target/y.log" "$LOGDIR/y.log"
	tl_call "$LOGDIR/y.log"
	[ "$status" -eq 0 ]
	[ ! -e "$D/target/y.log" ]
	# A directory others may write is refused; a FIFO is not written (nor waited on).
	mkdir -m 0777 "$LOGDIR/open"
	tl_call "$LOGDIR/open/z.log"
	[ "$status" -eq 0 ]
	[ ! -e "$LOGDIR/open/z.log" ]
	mkfifo "$LOGDIR/fifo"
	conf=$(jq -nc --arg l "$LOGDIR/fifo" --arg d "$D/tuning" '{cniVersion: "1.0.0", name: "kc-log",
		type: "tuning-lite", dataDir: $d, mtu: 1400, logFile: $l, prevResult: {cniVersion: "1.0.0"}}')
	run timeout 5 env CNI_COMMAND=ADD CNI_CONTAINERID="$ID" CNI_NETNS="$NETNS" CNI_IFNAME=eth0 \
		CNI_PATH="$BIN" "$BIN/tuning-lite" <<<"$conf"
	[ "$status" -eq 0 ]
	# The last directory is made when missing, 0700.
	tl_call "$LOGDIR/new/cni.log"
	[ "$status" -eq 0 ]
	[ "$(stat -c %a "$LOGDIR/new")" = 700 ]
	[ "$(wc -l <"$LOGDIR/new/cni.log")" -eq 1 ]
	[ "$(wc -l <"$LOG")" -eq 1 ]
}

@test "logLevel error logs failed calls only; every line is one JSON object" {
	tl_call "$LOG" error
	[ "$status" -eq 0 ]
	[ ! -s "$LOG" ]
	tl_call "$LOG" error 99999
	[ "$status" -eq 1 ]
	[ "$(jq -r '[.command, .error.code] | join(" ")' "$LOG")" = "ADD 7" ]
	tl_call "$LOG" verbose 1300
	[ "$status" -eq 0 ]
	tl_call "$LOG" debug 1300
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$LOG")" -eq 3 ]
	[ "$(jq -c '.changes' "$LOG" | tr '\n' ' ')" = 'null [{"key":"mtu","from":"1400","to":"1300"}] null ' ]
	# 64 concurrent calls: 64 whole lines.
	for i in $(seq 64); do tl_call "$LOG" debug 1300 & done
	wait
	[ "$(wc -l <"$LOG")" -eq 67 ]
	[ "$(jq -c . "$LOG" | wc -l)" -eq 67 ]
}

@test "kractl refuses bad input with the code a plugin would give, and never crashes" {
	mutate_conf
	check() { # check WANT_STATUS PATTERN ARGS...
		local want=$1 pat=$2
		shift 2
		run "$@"
		echo "$* -> $status: $output"
		[ "$status" -eq "$want" ] && [[ $output == *"$pat"* ]]
	}
	check 2 "unknown command" "${KC[@]}" frobnicate
	check 2 "usage" "${KC[@]}" add
	check 2 "usage" "${KC[@]}" status a b
	check 1 "CNI code 7" "${KC[@]}" add kc-tuned "$NS" --caps '[1,2'
	check 1 "CNI code 4" "${KC[@]}" add kc-tuned "$NS" --args 'novalue'
	check 1 "CNI code 4" "${KC[@]}" add kc-tuned "$NS" --id '-bad'
	check 1 "CNI code 4" "${KC[@]}" add kc-tuned "$NS" --ifname 'much-too-long-name'
	check 1 "CNI code 4" "${KC[@]}" add kc-tuned "$NS" --ifname 'a/b'
	check 1 "CNI code 4" "${KC[@]}" add kc-tuned relative/netns --id "$ID"
	check 1 "CNI code 7" "${KC[@]}" mutate "$NS" mtu
	check 1 "CNI code 7" "${KC[@]}" mutate "$NS" mtu=abc
	check 1 "CNI code 7" "${KC[@]}" mutate "$NS" promisc=maybe
	check 1 "CNI code 7" "${KC[@]}" mutate "$NS"
	check 1 "CNI code 7" "${KC[@]}" mutate "$NS" net.ipv4.conf.lo.arp_filter=1
	check 1 "CNI code 7" "${KC[@]}" mutate "$NS" ../../etc/passwd=1
	echo '[1,2]' >"$D/keys.json"
	check 1 "CNI code 6" "${KC[@]}" mutate "$NS" --keys "$D/keys.json"
	check 1 "CNI code 4" "${KC[@]}" mutate kc-no-such-pod-$$ mtu=1300
	check 1 "CNI code 4" "${KC[@]}" mutate 999999999 mtu=1300
	check 1 "CNI code 4" "${KC[@]}" --valid nope gc kc-tuned
	for conf in '' '{' '[]' '{"name":"x"}' '{"cniVersion":"1.0.0","name":"x"}' \
		'{"cniVersion":"1.0.0","name":"x","plugins":[]}' '{"cniVersion":"1.0.0","name":"x","plugins":[1]}' \
		'{"cniVersion":"1.0.0","name":"../x","type":"passthru"}' '{"cniVersion":"1.0.0","name":"x","type":"../bin/sh"}' \
		'{"cniVersion":"7.0.0","name":"x","type":"passthru"}'; do
		printf '%s' "$conf" >"$D/bad.conf"
		run "${KC[@]}" add "$D/bad.conf" "$NS" --id "$ID"
		echo "$conf -> $status: $output"
		[ "$status" -eq 1 ]
		[[ $output =~ CNI\ code\ (1|6|7)\ .*from\ kractl ]]
	done
	# Garbage in the cache and the log is skipped, not fatal.
	mkdir -p "$D/cache/results"
	head -c 3000 /dev/urandom >"$D/cache/results/kc-tuned-$ID-eth0"
	check 1 "CNI code 6" "${KC[@]}" del kc-tuned --id "$ID"
	head -c 3000 /dev/urandom >"$LOG"
	check 0 "0 call(s) logged" "${KC[@]}" history "$NS"
}

@test "make install puts kractl in /opt/cni/sbin; it runs with only libc, the loader and the bundle" {
	stage=$D/stage
	make -s -C "$REPO" BUILD=build SAN= DESTDIR="$stage" install >/dev/null
	[ -x "$stage/opt/cni/sbin/kractl" ]
	[ ! -e "$stage/opt/cni/bin/kractl" ]
	mkdir -p "$stage/lib/x86_64-linux-gnu" "$stage/lib64" "$stage/proc"
	cp "$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)" "$stage/lib/x86_64-linux-gnu/libc.so.6"
	cp "$(readlink -f /lib64/ld-linux-x86-64.so.2)" "$stage/lib64/ld-linux-x86-64.so.2"
	[ ! -e "$stage/usr" ]
	run env -i "$(command -v unshare)" -m -- /bin/sh -c \
		'mount -t proc proc "$1/proc" && exec /usr/sbin/chroot "$1" /opt/cni/sbin/kractl --help' sh "$stage"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "usage: kractl COMMAND [ARGS] [OPTIONS]" ]
}
