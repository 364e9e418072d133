#!/usr/bin/env bats
# kractl on a pod made by containerd (`ctr run --cni` on a private containerd,
# tests/clients/containerd.sh): the pod's network is krafty ("vrf": false, 10.242.N.0/24) +
# tuning-lite, logged to a history file under /run. From the host, by the container's pid:
# CHECK of the pod's network from ctr's own cache (ctr passes /proc/PID/ns/net as the netns), mutate of MTU, MAC, promisc and a
# sysctl and revert to exactly what was there (read inside the container), and the
# history of the pod after ADD, mutate, revert and the DEL ctr runs at the end.

load helpers
load ../clients/lib

KRACTL=$BUILD_DIR/sbin/kractl

setup_file() {
	# shellcheck source=../clients/containerd.sh
	source "$CLIENTS_DIR/containerd.sh"
	if ! ctrd_start; then
		echo "containerd could not be started (see above)" >&2
		ctrd_stop
		return 1
	fi
	export CTRD_DIR CTRD_IMAGE
}

teardown_file() { ctrd_teardown_file; }

setup() {
	ctrd_setup || return 1
	CID=c$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
	FULL=$CTRD_NS-$CID
	LOGDIR=/run/kc-ctr-$$-$BATS_TEST_NUMBER
	mkdir -p "$LOGDIR"
	LIB=$CTRD_DIR/cni/lib
	SUB=10.242.$((BATS_TEST_NUMBER % 250))
}

teardown() {
	local id
	for id in $(ctrd_ctr task ls -q 2>/dev/null); do
		ctrd_ctr task kill -s SIGKILL "$id" >/dev/null 2>&1
	done
	[[ -z ${CTR_PID:-} ]] || wait "$CTR_PID" 2>/dev/null || true
	for id in $(ctrd_ctr task ls -q 2>/dev/null); do
		ctrd_ctr task delete -f "$id" >/dev/null 2>&1
	done
	for id in $(ctrd_ctr container ls -q 2>/dev/null); do
		ctrd_ctr container delete "$id" >/dev/null 2>&1
	done
	rm -f "$CTRD_DIR"/cni/net.d/* "$CTRD_DIR"/cni/bin/*
	rm -rf "${CTRD_DIR:?}"/cni/lib/*
	host_links_cleanup "$FULL"
	rm -rf "$LOGDIR"
	clients_tmp_cleanup
}

# The pod's network: ctr's only config, our build its only plugins.
install_net() {
	jq -n --arg s "$SUB.0/24" --arg g "$SUB.1" --arg lib "$LIB" --arg l "$LOGDIR/cni.log" \
		'{cniVersion: "1.0.0", name: "kc-ctr", plugins: [
		  {type: "krafty", vrf: false, subnet: $s, gateway: $g, logFile: $l,
		   ipam: {type: "host-local", dataDir: ($lib + "/networks"), ranges: [[{subnet: $s}]]}},
		  {type: "tuning-lite", mtu: 1400, dataDir: ($lib + "/tuning"), logFile: $l}]}' \
		>"$CTRD_DIR/cni/net.d/10-kc.conflist"
	cp "$BIN"/* "$CTRD_DIR/cni/bin/"
}

start_container() {
	local i
	ctrd_ctr_cni run --rm --cni --snapshotter native "$CTRD_IMAGE" "$CID" sleep 120 \
		>"$T/ctr.out" 2>"$T/ctr.err" &
	CTR_PID=$!
	for ((i = 0; i < 150; i++)); do
		PID=$(ctrd_ctr task ls 2>/dev/null | awk -v id="$CID" '$1 == id && $3 == "RUNNING" {print $2}')
		[[ -n $PID ]] && return 0
		kill -0 "$CTR_PID" 2>/dev/null || { cat "$T/ctr.err" >&2; return 1; }
		sleep 0.1
	done
	return 1
}

stop_container() {
	local i
	ctrd_ctr task kill -s SIGKILL "$CID"
	for ((i = 0; i < 150; i++)); do
		kill -0 "$CTR_PID" 2>/dev/null || break
		sleep 0.1
	done
	wait "$CTR_PID" || true
	CTR_PID=
}

# "mtu mac promisc arp_filter" of eth0, read inside the container.
inside() {
	ctrd_ctr task exec --exec-id "x$RANDOM$RANDOM" "$CID" sh -c \
		'echo $(cat /sys/class/net/eth0/mtu) $(cat /sys/class/net/eth0/address) $(( $(cat /sys/class/net/eth0/flags) >> 8 & 1 )) $(cat /proc/sys/net/ipv4/conf/eth0/arp_filter)'
}

@test "kractl on a containerd pod: check, mutate and revert by pid, history through ctr's DEL" {
	install_net
	start_container
	KC=("$KRACTL" -C "$CTRD_DIR/cni/net.d" -p "$CTRD_DIR/cni/bin" -D "$LIB" -d "$T/tuning" -l "$LOGDIR/cni.log")
	orig=$(inside)
	echo "inside: $orig"
	read -r mtu mac promisc arp <<<"$orig"
	[ "$mtu $promisc $arp" = "1400 0 0" ]

	# ctr's cache entry: CHECK of the pod's network from the host, by pid.
	[ -f "$LIB/results/kc-ctr-$FULL-eth0" ]
	run "${KC[@]}" check kc-ctr "$PID" --id "$FULL"
	echo "$output"
	[ "$status" -eq 0 ]

	run "${KC[@]}" mutate "$PID" mtu=1300 mac=02:00:5e:10:00:04 promisc=true net.ipv4.conf.IFNAME.arp_filter=1
	echo "$output"
	[ "$status" -eq 0 ]
	# The container ID came from the pod's history (its netns inode).
	[ "$output" = "mutated eth0 of pod $FULL (netns /proc/$PID/ns/net) through network kractl-mutate; kractl revert $PID puts back what it changed" ]
	[ "$(inside)" = "1300 02:00:5e:10:00:04 1 1" ]
	run "${KC[@]}" mutate "$PID" mtu=1280
	[ "$status" -eq 0 ]
	[ "$(inside)" = "1280 02:00:5e:10:00:04 1 1" ]

	run "${KC[@]}" revert "$PID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(inside)" = "$orig" ]

	stop_container
	[ ! -e "$LIB/results/kc-ctr-$FULL-eth0" ]
	run "${KC[@]}" history "$FULL" --json
	echo "$output"
	[ "$(jq -r '[.command, .network, .plugin] | join(" ")' <<<"$output")" = \
"ADD kc-ctr host-local
ADD kc-ctr krafty
ADD kc-ctr tuning-lite
CHECK kc-ctr host-local
CHECK kc-ctr krafty
CHECK kc-ctr tuning-lite
ADD kractl-mutate passthru
ADD kractl-mutate tuning-lite
ADD kractl-mutate passthru
ADD kractl-mutate tuning-lite
DEL kractl-mutate tuning-lite
DEL kractl-mutate passthru
DEL kc-ctr tuning-lite
DEL kc-ctr host-local
DEL kc-ctr krafty" ]
	[ "$(jq -c 'select(.plugin == "tuning-lite") | .changes' <<<"$output")" = \
"[{\"key\":\"mtu\",\"from\":\"1500\",\"to\":\"1400\"}]
null
[{\"key\":\"mac\",\"from\":\"$mac\",\"to\":\"02:00:5e:10:00:04\"},{\"key\":\"mtu\",\"from\":\"1400\",\"to\":\"1300\"},{\"key\":\"promisc\",\"from\":\"false\",\"to\":\"true\"},{\"key\":\"net.ipv4.conf.eth0.arp_filter\",\"from\":\"0\",\"to\":\"1\"}]
[{\"key\":\"mtu\",\"from\":\"1300\",\"to\":\"1280\"}]
[{\"key\":\"net.ipv4.conf.eth0.arp_filter\",\"from\":\"1\",\"to\":\"0\"},{\"key\":\"promisc\",\"from\":\"true\",\"to\":\"false\"},{\"key\":\"mtu\",\"from\":\"1280\",\"to\":\"1400\"},{\"key\":\"mac\",\"from\":\"02:00:5e:10:00:04\",\"to\":\"$mac\"}]
null" ]
	# ctr's DEL comes after the task is gone: no netns.
	[ "$(jq -r 'select(.command == "DEL" and .network == "kc-ctr") | .netns // "none"' <<<"$output" | sort -u)" = none ]
	[[ $(jq -r 'select(.plugin == "krafty" and .command == "ADD") | .result.ips[0].address' <<<"$output") == "$SUB".*/24 ]]
	run host_links_of "$FULL"
	[ -z "$output" ]
}
