# Shared helpers for the bats suites: paths, plugin exec as a runtime does, netns.
REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BUILD_DIR=$REPO/${BUILD:-build}
BIN=$BUILD_DIR/bin
REF_BIN=/usr/lib/cni
PLUGINS=(krafty passthru tuning-lite host-local)

# cni_exec PLUGIN COMMAND CONFIG_JSON [extra env assignments...]
# Runs the plugin with CNI_* taken from the caller's CNI_CONTAINERID, CNI_NETNS,
# CNI_IFNAME, CNI_ARGS and CNI_PATH (default: our bin dir); sets $status/$output via bats `run`.
cni_exec() {
	local plugin=$1 cmd=$2 conf=$3
	shift 3
	run env CNI_COMMAND="$cmd" CNI_CONTAINERID="${CNI_CONTAINERID:-}" CNI_NETNS="${CNI_NETNS:-}" \
		CNI_IFNAME="${CNI_IFNAME:-}" CNI_ARGS="${CNI_ARGS:-}" CNI_PATH="${CNI_PATH:-$BIN}" "$@" \
		"$BIN/$plugin" <<<"$conf"
}

# Assert the last `run` printed a spec error with code $1 and exited non-zero.
assert_cni_error() {
	local want=$1
	if [[ $status -eq 0 ]]; then
		echo "expected failure with code $want, got success: $output" >&2
		return 1
	fi
	if [[ $status -ge 128 ]]; then
		echo "died by signal: status $status: $output" >&2
		return 1
	fi
	local code msg
	code=$(jq -r .code <<<"$output") || { echo "not JSON: $output" >&2; return 1; }
	msg=$(jq -r .msg <<<"$output")
	if [[ $code != "$want" ]]; then
		echo "code $code, want $want: $output" >&2
		return 1
	fi
	if [[ -z $msg || $msg == null ]]; then
		echo "no message: $output" >&2
		return 1
	fi
}

# A network namespace that the test owns; removed by netns_cleanup.
netns_make() {
	local name=$1
	ip netns add "$name"
	ip -n "$name" link set lo up
	echo "/run/netns/$name"
}
netns_cleanup() {
	local name
	for name in "$@"; do
		ip netns del "$name" 2>/dev/null || true
	done
}
