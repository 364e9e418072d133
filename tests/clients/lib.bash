# shellcheck disable=SC2016,SC2034,SC2154
# Shared helpers of tests/integration/clients-*.bats (load ../clients/lib after helpers).
#
# Every test gets a temp dir $T. Plugins run by the clients see, in a private mount
# namespace, $T/varlib bind-mounted over /var/lib/cni: host-local's and tuning-lite's
# default data dirs land there, so the configs from conf/ run exactly as shipped without
# touching the host's state (and the tests can read that state from $T/varlib).
#
# For checking the harness itself against the reference plugins (not what the suite runs):
#   CLIENTS_CONF_DIR  where the tests read conf/*.conflist and *-nad.yaml (default conf/)
#   CLIENTS_BIN_DIR   plugin dirs, colon-separated (default ${BUILD:-build}/bin)

CLIENTS_DIR=$REPO/tests/clients
CONF_DIR=${CLIENTS_CONF_DIR:-$REPO/conf}
PLUGIN_PATH=${CLIENTS_BIN_DIR:-$BIN}
# Debian's python3 (python3-yaml comes from tests/deps.sh); a pyenv shim earlier on PATH
# costs a second per call.
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3

clients_fail() {
	echo "$*" >&2
	return 1
}

clients_need_file() {
	[[ -f $1 ]] || clients_fail "$1 does not exist (yet)"
}

# The plugins a configuration names must be on $PLUGIN_PATH: our build must have made
# them; a missing binary is a failure, never a skip.
clients_need_plugins() {
	local p d found dirs
	IFS=: read -ra dirs <<<"$PLUGIN_PATH"
	for p in "$@"; do
		found=
		for d in "${dirs[@]}"; do
			[[ -x $d/$p ]] && found=1 && break
		done
		[[ -n $found ]] || clients_fail "plugin $p not found in $PLUGIN_PATH (make BUILD=${BUILD:-build})" || return 1
	done
}

clients_tmp() {
	T=$(mktemp -d /tmp/krafty-clients.XXXXXX)
	mkdir -p "$T/varlib" "$T/cache"
	export T
}

# Runs a command with $T/varlib over /var/lib/cni, in a mount namespace of its own.
# /var/lib/cni is created as a mount point when the host has none (and removed again by
# clients_tmp_cleanup if still empty).
clients_private() {
	if [[ ! -d /var/lib/cni ]]; then
		mkdir -p /var/lib/cni && touch "$T/created-var-lib-cni"
	fi
	unshare --mount --propagation private -- /bin/bash -c \
		'mount --bind "$1" /var/lib/cni && shift && exec "$@"' clients "$T/varlib" "$@"
}

clients_tmp_cleanup() {
	[[ -n ${T:-} && -d $T ]] || return 0
	if [[ -f $T/created-var-lib-cni ]]; then
		rmdir /var/lib/cni 2>/dev/null || true
	fi
	if findmnt -rn -o TARGET | grep -qF "$T/"; then
		echo "mounts left under $T; not removing it" >&2
		return 1
	fi
	rm -rf --one-file-system "$T"
}

# A random ID: 64 hex digits, as a kubelet sandbox ID (CNI_CONTAINERID).
clients_sandbox_id() {
	od -An -N32 -tx1 /dev/urandom | tr -d ' \n'
}
clients_uuid() {
	cat /proc/sys/kernel/random/uuid
}

# ---- configurations -------------------------------------------------------

# Does this kernel have VRF? (FACTS.md: no host so far had it; probe, never assume.)
clients_vrf_available() {
	if [[ -z ${CLIENTS_VRF:-} ]]; then
		CLIENTS_VRF=0
		if ip link add "krvprobe$$" type vrf table 4242 2>/dev/null; then
			ip link del "krvprobe$$" 2>/dev/null
			CLIENTS_VRF=1
		fi
	fi
	[[ $CLIENTS_VRF == 1 ]]
}

# conf_load SOURCE NAME: reads a conflist or a NAD manifest (tests/clients/conf-facts.py)
# into $T/NAME.json, as it is fed to the plugins on this host: as shipped, except that
# on a kernel without VRF every krafty plugin with VRF mode on (the default) gets
# "vrf": false (the tests then exercise everything but the VRF; a TAP note says so).
# Sets the CF_* facts (conf_use NAME sets them again later) and checks that the plugins
# it names exist.
conf_load() {
	local src=$1 name=$2 vrf=0
	clients_need_file "$src" || return 1
	clients_vrf_available && vrf=1
	"$PY" "$CLIENTS_DIR/conf-facts.py" "$src" "$T/$name.json" "$vrf" >"$T/$name.facts" ||
		clients_fail "cannot read the configuration in $src" || return 1
	conf_use "$name"
	if [[ -n $CF_VRF_OFF ]]; then
		{ echo "# no VRF in this kernel: $name fed to krafty with \"vrf\": false" >&3; } 2>/dev/null || true
	fi
	clients_need_plugins "${CF_TYPES[@]}"
}
conf_use() {
	# shellcheck disable=SC1090
	source "$T/$1.facts"
}
cf_has() { [[ " ${CF_TYPES[*]} " == *" $1 "* ]]; }
cf_declares() { [[ " ${CF_CAPS[*]} " == *" $1 "* ]]; }
# "path value" per sysctl of the current config, for interface $1 (the first "IFNAME" of
# a key stands for it, as in the reference).
cf_sysctl_paths() {
	local kv key
	for kv in "${CF_SYSCTLS[@]}"; do
		key=${kv%% *}
		key=${key/IFNAME/$1}
		echo "/proc/sys/${key//.//} ${kv#* }"
	done
}

# ---- the libcni client ----------------------------------------------------

# In setup_file: build (or find up to date) tests/clients/libcni-client; exports CLIENT.
clients_build_client() {
	CLIENT=$(BUILD=${BUILD:-build} bash "$CLIENTS_DIR/build-client.sh") ||
		clients_fail "building tests/clients/libcni-client failed" || return 1
	export CLIENT
}

# libcni_run add|check|del|validate CONF_FILE NETNS ID IFNAME [CNI_ARGS [CAPS_JSON]]
# Sets $status and $output (stdout+stderr) via bats `run`. Attachments added and not yet
# deleted are listed in $T/attached for clients_release_all.
libcni_run() {
	local cmd=$1 conf=$2 netns=$3 id=$4 ifname=$5 args=${6:-} caps=${7:-}
	run clients_private "$CLIENT" -conf "$conf" -netns "$netns" -id "$id" -ifname "$ifname" \
		-cache "$T/cache" -path "$PLUGIN_PATH" ${args:+-args "$args"} ${caps:+-caps "$caps"} "$cmd"
	local line="$conf"$'\t'"$netns"$'\t'"$id"$'\t'"$ifname"$'\t'"$args"
	if [[ $cmd == add && $status -eq 0 ]]; then
		echo "$line" >>"$T/attached"
	elif [[ $cmd == del && $status -eq 0 && -f $T/attached ]]; then
		grep -vxF "$line" "$T/attached" >"$T/attached.new" || true
		mv "$T/attached.new" "$T/attached"
	fi
	return 0
}

# Teardown: DEL, newest first, every attachment a test added and did not delete.
clients_release_all() {
	local conf netns id ifname args
	[[ -s ${T:-}/attached ]] || return 0
	while IFS=$'\t' read -r conf netns id ifname args; do
		clients_private "$CLIENT" -conf "$conf" -netns "$netns" -id "$id" -ifname "$ifname" \
			-cache "$T/cache" -path "$PLUGIN_PATH" ${args:+-args "$args"} del >/dev/null 2>&1 ||
			echo "teardown: DEL of $conf $ifname failed" >&2
	done < <(tac "$T/attached")
	return 0
}

# The libcni cache file of an attachment.
cache_file() { echo "$T/cache/results/$1-$2-$3"; }

# ---- what the pod and the host hold ----------------------------------------

# pod_link NETNS IFNAME: sets P_ADDRS (global "addr/len"s), P_MTU, P_MAC, P_STATE,
# P_FLAGS from one `ip -j addr show`; fails when the interface does not exist.
pod_link() {
	local js
	js=$(ip -n "$1" -j addr show dev "$2" 2>/dev/null) && [[ $js == '[{'* ]] || return 1
	eval "$(jq -r '.[0] | @sh "P_MTU=\(.mtu) P_MAC=\(.address) P_STATE=\(.operstate)",
		"P_FLAGS=(\(.flags | @sh))",
		"P_ADDRS=(\([.addr_info[] | select(.scope == "global") | "\(.local)/\(.prefixlen)"] | @sh))"' <<<"$js")"
}
pod_addrs() {
	pod_link "$1" "$2" || return 1
	printf '%s\n' "${P_ADDRS[@]}"
}
# pod_sysctls NETNS PATH...: "path value" per path, read inside NETNS.
pod_sysctls() {
	local ns=$1
	shift
	(($#)) || return 0
	nsenter --net="/run/netns/$ns" /bin/sh -c 'for p; do echo "$p $(cat "$p")"; done' sh "$@"
}

# assert_tuned NETNS IFNAME: the sysctls, MTU and flags of the current config (CF_*)
# hold for the interface.
assert_tuned() {
	local ns=$1 ifn=$2 want got paths=() path value flag
	pod_link "$ns" "$ifn" || clients_fail "no $ifn in $ns" || return 1
	want=$(cf_sysctl_paths "$ifn")
	while read -r path value; do
		[[ -n $path ]] && paths+=("$path")
	done <<<"$want"
	got=$(pod_sysctls "$ns" "${paths[@]}") || clients_fail "cannot read sysctls in $ns" || return 1
	[[ $got == "$want" ]] || clients_fail "sysctls of $ifn: got '$got', want '$want'" || return 1
	if [[ -n $CF_MTU && $P_MTU != "$CF_MTU" ]]; then
		clients_fail "MTU of $ifn: $P_MTU, want $CF_MTU" || return 1
	fi
	# promisc/allmulti true turns the flag on (false leaves it alone, as in the reference).
	for flag in "${CF_FLAGS[@]}"; do
		[[ " ${P_FLAGS[*]} " == *" $flag "* ]] || clients_fail "$ifn lacks the $flag flag" || return 1
	done
}

# Does ADDR (prefix optional) lie inside one of the subnets SUBNETS...?
in_subnet() {
	"$PY" - "$@" <<'PY'
import ipaddress, sys
a = ipaddress.ip_address(sys.argv[1].split("/")[0])
sys.exit(0 if any(a in ipaddress.ip_network(s, strict=False) for s in sys.argv[2:]) else 1)
PY
}

# addrs_cover "SUBNETS" "ADDRS": every subnet holds one of the addresses (whitespace-
# separated lists); names the subnets without one on stderr.
addrs_cover() {
	"$PY" - "$1" "$2" <<'PY'
import ipaddress, sys
addrs = [ipaddress.ip_address(a.split("/")[0]) for a in sys.argv[2].split()]
bare = [s for s in sys.argv[1].split() if not any(a in ipaddress.ip_network(s, strict=False) for a in addrs)]
if bare:
    sys.exit("no address in " + ", ".join(bare))
PY
}

# Host links that belong to attachment container ID $1: krafty's alias names it
# ("krafty <hash> <net>/<ifname>/<ID>"), or a name is built from its first characters
# (krv/krb + ID[0:6..12], veth + ID[0:5..11]). Prints "name alias" per link.
host_links_of() {
	local id=$1 links errf i
	errf=$(mktemp)
	# A dump that races with link changes elsewhere is "interrupted": take it again.
	for ((i = 0; i < 20; i++)); do
		links=$(ip -j -d link show 2>"$errf") && ! grep -q . "$errf" && break
		links=
	done
	rm -f "$errf"
	[[ -n $links ]] || clients_fail "ip link show failed 20 times" || return 1
	# Ours by alias (krafty sets it on every device it makes), or by the seed's exact
	# names; a 6-character prefix would also match another container of the same
	# ctr namespace whose ID starts alike.
	jq -r --arg id "$id" \
		--arg v "krv${id:0:12}" --arg b "krb${id:0:12}" --arg e "veth${id:0:11}" '.[]
		| select((.ifalias // "" | endswith("/" + $id)) or .ifname == $v
			or .ifname == $b or .ifname == $e)
		| "\(.ifname) \(.ifalias // "")"' <<<"$links"
}

# Remove what a failed test left on the host for container ID $1 (its links only).
host_links_cleanup() {
	local name rest
	while read -r name rest; do
		[[ -n $name ]] && ip link del "$name" 2>/dev/null
	done < <(host_links_of "$1")
	return 0
}

# host-local's reservations for container ID $2 in data dir $1: files named after an
# address whose first line is the ID. Prints the addresses.
ipam_reservations() {
	[[ -d $1 ]] || return 0
	grep -lsxE -- "$2"$'\r?' "$1"/*/* 2>/dev/null | sed 's|.*/||' | grep -E '^[0-9a-fA-F.:]+$'
	return 0
}

# The containerd of a file's tests (tests/clients/containerd.sh), shared by the
# files that start one in setup_file: ctrd_teardown_file stops it, ctrd_setup
# makes each test's temp dir and fails when setup_file could not start it.
ctrd_teardown_file() {
	# shellcheck source=tests/clients/containerd.sh
	source "$CLIENTS_DIR/containerd.sh"
	ctrd_stop
}
ctrd_setup() {
	# shellcheck source=tests/clients/containerd.sh
	source "$CLIENTS_DIR/containerd.sh"
	clients_tmp
	[[ -n ${CTRD_DIR:-} && -S $CTRD_DIR/containerd.sock ]] ||
		clients_fail "no containerd: setup_file failed"
}
