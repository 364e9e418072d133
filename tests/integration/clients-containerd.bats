#!/usr/bin/env bats
# Our plugins under containerd 1.6: `ctr run --cni` of a busybox container on a private
# containerd (tests/clients/containerd.sh) with a shipped conflist from conf/ as the only
# config in ctr's CNI config dir and our build as the only plugins. Checked from inside
# the running container (ctr task exec): its interface, address, MTU and tuning-lite's
# sysctls; on the host: the IP reservation and krafty's devices while it runs, and that
# none of them is left once the container is gone (ctr runs DEL when the task exits).
#
# Order of a real ctr lifecycle: the task exits (its netns goes away with it), then ctr
# runs DEL with CNI_NETNS empty: the plugins must release everything without the netns.

load helpers
load ../clients/lib

setup_file() {
	# shellcheck source=../clients/containerd.sh
	source "$CLIENTS_DIR/containerd.sh"
	if ! ctrd_start; then
		echo "containerd could not be started for the client tests (see above)" >&2
		ctrd_stop
		return 1
	fi
	export CTRD_DIR CTRD_IMAGE
}

teardown_file() { ctrd_teardown_file; }

setup() {
	ctrd_setup || return 1
	CID=c$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
	FULL=$CTRD_NS-$CID # what ctr passes as CNI_CONTAINERID
}

teardown() {
	local i id pid full
	# Every container this test started (start_container lists them in $T).
	for id in $(ctrd_ctr task ls -q 2>/dev/null); do
		ctrd_ctr task kill -s SIGKILL "$id" >/dev/null 2>&1
	done
	while read -r pid; do
		for ((i = 0; i < 50; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null
	done < <(cat "$T/pids" 2>/dev/null)
	for id in $(ctrd_ctr task ls -q 2>/dev/null); do
		ctrd_ctr task delete -f "$id" >/dev/null 2>&1
	done
	for id in $(ctrd_ctr container ls -q 2>/dev/null); do
		ctrd_ctr container delete "$id" >/dev/null 2>&1
	done
	rm -f "$CTRD_DIR"/cni/net.d/* "$CTRD_DIR"/cni/bin/*
	rm -rf "${CTRD_DIR:?}"/cni/lib/*
	while read -r full; do
		host_links_cleanup "$full"
	done < <(cat "$T/fulls" 2>/dev/null)
	clients_tmp_cleanup
}

# install_conf FILE: the shipped conflist (as fed on this host) is ctr's only CNI config,
# and the plugins of our build are its only plugins. Sets the CF_* facts.
install_conf() {
	local d f dirs
	conf_load "$CONF_DIR/$1" ctr || return 1
	cp "$CF_FILE" "$CTRD_DIR/cni/net.d/10-$1"
	IFS=: read -ra dirs <<<"$PLUGIN_PATH"
	for d in "${dirs[@]}"; do
		for f in "$d"/*; do
			[[ -f $f && -x $f && ! -e $CTRD_DIR/cni/bin/${f##*/} ]] && cp "$f" "$CTRD_DIR/cni/bin/"
		done
	done
	return 0
}

# Starts `ctr run --cni --rm` in the background and waits until the task runs (ctr sets
# the network up before it starts the task).
start_container() {
	local i
	ctrd_ctr_cni run --rm --cni --snapshotter native "$CTRD_IMAGE" "$CID" sleep 120 \
		>"$T/ctr.out" 2>"$T/ctr.err" &
	CTR_PID=$!
	echo "$CTR_PID" >>"$T/pids"
	echo "$FULL" >>"$T/fulls"
	for ((i = 0; i < 150; i++)); do
		if ctrd_ctr task ls 2>/dev/null | awk -v id="$CID" '$1 == id && $3 == "RUNNING" {f = 1} END {exit !f}'; then
			return 0
		fi
		if ! kill -0 "$CTR_PID" 2>/dev/null; then
			echo "ctr run exited before the task ran:" >&2
			cat "$T/ctr.out" "$T/ctr.err" >&2
			return 1
		fi
		sleep 0.1
	done
	echo "the task did not run in 15 s:" >&2
	cat "$T/ctr.err" >&2
	return 1
}

# Kills the task and waits for ctr to finish (DEL, container removal).
stop_container() {
	local i
	ctrd_ctr task kill -s SIGKILL "$CID" || return 1
	for ((i = 0; i < 150; i++)); do
		kill -0 "$CTR_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$CTR_PID" 2>/dev/null; then
		echo "ctr run did not finish in 15 s after the kill" >&2
		return 1
	fi
	wait "$CTR_PID" || true # the task's status: 137
	CTR_PID=
	echo "ctr stderr:"
	cat "$T/ctr.err"
	# ctr only logs a failed DEL ("network review"), so its log is where it shows.
	if grep -qiE 'level=(error|fatal)|network review|failed|Sanitizer|runtime error' "$T/ctr.err"; then
		echo "ctr reported errors" >&2
		return 1
	fi
}

# in_container CMD: run CMD with busybox sh inside the running container.
in_container() {
	ctrd_ctr task exec --exec-id "x$RANDOM$RANDOM" "$CID" sh -c "$1"
}

# The container holds eth0, up, with the address libcni cached for it, in the subnet,
# and the MTU, flags and sysctls of the conflist. One exec reads everything (an exec
# costs 0.3 s).
assert_container_attached() {
	local cache addr got path value want script flag
	cache=$CTRD_DIR/cni/lib/results/$CF_NET-$FULL-eth0
	[[ -f $cache ]] || clients_fail "no libcni cache entry $cache" || return 1
	addr=$(jq -r '.result.ips[0].address // empty' "$cache")
	[[ -n $addr ]] || clients_fail "no address in the cached result: $(cat "$cache")" || return 1
	in_subnet "$addr" "${CF_SUBNETS[@]}" || clients_fail "$addr is outside ${CF_SUBNETS[*]}" || return 1
	want=$(cf_sysctl_paths eth0)
	script='ip -o addr show dev eth0 | sed "s/^/addr /"; ip -o link show dev eth0 | sed "s/^/link /"
		echo "state $(cat /sys/class/net/eth0/operstate)"
		echo "mtu $(cat /sys/class/net/eth0/mtu)"'
	while read -r path value; do
		[[ -n $path ]] && script+="; echo \"$path \$(cat $path)\""
	done <<<"$want"
	got=$(in_container "$script") || clients_fail "exec in the container failed: $got" || return 1
	echo "in the container:"
	echo "$got"
	grep -qE "^addr .* inet6? ${addr//./\\.} " <<<"$got" ||
		clients_fail "eth0 in the container lacks $addr" || return 1
	grep -qxE 'state (up|unknown)' <<<"$got" || clients_fail "eth0 is not up" || return 1
	if [[ -n $CF_MTU ]]; then
		grep -qx "mtu $CF_MTU" <<<"$got" || clients_fail "eth0's MTU is not $CF_MTU" || return 1
	fi
	for flag in "${CF_FLAGS[@]}"; do
		grep -qE "^link .*[<,]$flag[,>]" <<<"$got" || clients_fail "eth0 lacks $flag" || return 1
	done
	while read -r path value; do
		[[ -n $path ]] || continue
		grep -qxF "$path $value" <<<"$got" || clients_fail "$path is not $value in the container" || return 1
	done <<<"$want"
	ADDR=${addr%/*}
}

# ctr_lifecycle FILE: run, check inside and on the host, stop, check nothing is left.
ctr_lifecycle() {
	install_conf "$1"
	start_container
	assert_container_attached
	[ "$(ipam_reservations "$CTRD_DIR/cni/lib/networks" "$FULL")" = "$ADDR" ]
	if cf_has krafty; then
		run host_links_of "$FULL"
		echo "host links of $FULL: $output"
		[ -n "$output" ]
	fi

	stop_container
	[ ! -e "$CTRD_DIR/cni/lib/results/$CF_NET-$FULL-eth0" ]
	[ -z "$(ipam_reservations "$CTRD_DIR/cni/lib/networks" "$FULL")" ]
	run host_links_of "$FULL"
	echo "host links of $FULL after: $output"
	[ -z "$output" ]
	run ctrd_ctr container ls -q
	[[ $output != *"$CID"* ]]
}

@test "containerd: ctr run --cni with krafty-host-local.conflist, and nothing left after" {
	ctr_lifecycle krafty-host-local.conflist
}

@test "containerd: ctr run --cni with krafty-tuning-lite.conflist: sysctls and MTU inside" {
	ctr_lifecycle krafty-tuning-lite.conflist
	cf_has tuning-lite
}

@test "containerd: two containers at once get two addresses; each leaves nothing" {
	install_conf krafty-host-local.conflist
	start_container
	assert_container_attached
	first_cid=$CID first_full=$FULL first_pid=$CTR_PID first_addr=$ADDR
	CID=c$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n') FULL=$CTRD_NS-$CID
	start_container
	assert_container_attached
	[ "$ADDR" != "$first_addr" ]
	stop_container
	[ -z "$(ipam_reservations "$CTRD_DIR/cni/lib/networks" "$FULL")" ]
	run host_links_of "$FULL"
	echo "host links of $FULL after: $output"
	[ -z "$output" ]
	# The first one is untouched by the second's DEL.
	CID=$first_cid FULL=$first_full CTR_PID=$first_pid
	[ "$(ipam_reservations "$CTRD_DIR/cni/lib/networks" "$FULL")" = "$first_addr" ]
	in_container "ip -o addr show dev eth0" | grep -qF "inet $first_addr/"
	stop_container
	[ -z "$(ipam_reservations "$CTRD_DIR/cni/lib/networks" "$FULL")" ]
	[ -z "$(host_links_of "$FULL")" ]
}
