# Helpers for the host-local suites: a private dataDir per test, and calls to our binary
# or the reference one (/usr/lib/cni/host-local) as a runtime makes them.
bats_require_minimum_version 1.5.0
load helpers

HL=$BIN/host-local
REF=$REF_BIN/host-local
NET=hlnet

hl_setup() {
	DATA=$(mktemp -d "${TMPDIR:-/tmp}/hl-bats.XXXXXX")
	NETDIR=$DATA/$NET
	CNI_ARGS=
}

hl_teardown() {
	rm -rf "$DATA"
}

# mkconf VERSION IPAM_JSON: a network config whose ipam gets type and dataDir added.
mkconf() {
	jq -cn --arg v "$1" --arg d "$DATA" --arg n "$NET" --argjson ipam "$2" \
		'{cniVersion: $v, name: $n, type: "host-local", ipam: ({type: "host-local", dataDir: $d} + $ipam)}'
}

# call BINARY COMMAND CONTAINERID [IFNAME]: runs with $CONF on stdin and $CNI_ARGS;
# sets $status, $output (stdout) and $stderr.
call() {
	local bin=$1 cmd=$2 id=${3:-} ifname=${4:-eth0}
	local i # bats 1.8's `run --separate-stderr` assigns a global $i: keep the caller's loop safe
	run --separate-stderr env CNI_COMMAND="$cmd" CNI_CONTAINERID="$id" CNI_NETNS=/run/netns/hl-test \
		CNI_IFNAME="$ifname" CNI_ARGS="${CNI_ARGS:-}" CNI_PATH="$BIN" "$bin" <<<"$CONF"
}
ours() { call "$HL" "$@"; }
ref() { call "$REF" "$@"; }

# Assert success and print the first address of the result.
ok_ip() {
	if [[ $status -ne 0 ]]; then
		echo "failed: status $status: $output $stderr" >&2
		return 1
	fi
	jq -r '.ips[0].address' <<<"$output"
}

# add BINARY ID [IFNAME]: ADD, assert success, set $IP to the first address (no prefix).
add() {
	call "$1" ADD "$2" "${3:-eth0}"
	if [[ $status -ne 0 ]]; then
		echo "ADD $2 failed: status $status: $output $stderr" >&2
		return 1
	fi
	IP=$(jq -r '.ips[0].address' <<<"$output")
	IP=${IP%/*}
}

# del BINARY ID [IFNAME]: DEL, assert success.
del() {
	call "$1" DEL "$2" "${3:-eth0}"
	if [[ $status -ne 0 ]]; then
		echo "DEL $2 failed: status $status: $output $stderr" >&2
		return 1
	fi
}

# The address files of the network (names that are neither lock, last_reserved_ip.* nor ours).
ip_files() {
	find "$NETDIR" -maxdepth 1 -type f ! -name lock ! -name 'last_reserved_ip.*' -printf '%f\n' 2>/dev/null | sort
}

# A fingerprint of everything the reference format holds (names and contents, not times).
snapshot() {
	(cd "$DATA" && find . -path ./"$NET"/.krafty-index -prune -o -print | sort &&
		find . -path ./"$NET"/.krafty-index -prune -o -type f -print0 | sort -z | xargs -0 -r sha1sum)
}

# The owner recorded in an address file, as "id/ifname".
owner() {
	tr '\r\n' '/ ' <"$NETDIR/$1" | tr -d ' '
}
