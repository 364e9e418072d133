# shellcheck disable=SC2016,SC2034
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

# The plugins a configuration names (types and IPAM types) must be on $PLUGIN_PATH: our
# build must have made them; a missing binary is a failure, never a skip.
conf_types() { jq -r '(.plugins // [.])[] | .type, (.ipam.type // empty)' <<<"$1" | sort -u; }
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

clients_need_file() {
	[[ -f $1 ]] || clients_fail "$1 does not exist (yet)"
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
	local name
	name=krvprobe$$
	name=${name:0:15}
	if ip link add "$name" type vrf table 4242 2>/dev/null; then
		ip link del "$name" 2>/dev/null
		return 0
	fi
	return 1
}

# Prints the configuration as it is fed to the plugins on this host: as shipped, except
# that on a kernel without VRF every krafty plugin with VRF mode on (the default) gets
# "vrf": false; the tests then exercise everything but the VRF. A note goes to fd 3.
clients_host_conf() {
	local conf=$1
	if clients_vrf_available; then
		jq -c . <<<"$conf"
		return
	fi
	if jq -e '[(.plugins // [.])[] | select(.type == "krafty" and .vrf != false)] | length > 0' \
		<<<"$conf" >/dev/null; then
		{ echo "# no VRF in this kernel: feeding \"vrf\": false to krafty" >&3; } 2>/dev/null || true
	fi
	jq -c 'def novrf: if .type == "krafty" then .vrf = false else . end;
		if .plugins then .plugins |= map(novrf) else novrf end' <<<"$conf"
}

# The spec.config of a NetworkAttachmentDefinition manifest, as compact JSON.
clients_nad_config() {
	"$PY" - "$1" <<'PY'
import json, sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
nads = [d for d in docs if d.get("kind") == "NetworkAttachmentDefinition"]
if len(nads) != 1:
    sys.exit("%s: %d NetworkAttachmentDefinitions, want 1" % (sys.argv[1], len(nads)))
print(json.dumps(json.loads(nads[0]["spec"]["config"]), separators=(",", ":")))
PY
}

# Facts about a configuration (JSON on $1), for the checks:
conf_name() { jq -r .name <<<"$1"; }
conf_has() { jq -e --arg t "$2" '[(.plugins // [.])[] | select(.type == $t)] | length > 0' <<<"$1" >/dev/null; }
# The MTU the interface must end with: the last plugin in the chain that sets one.
conf_mtu() { jq -r '[(.plugins // [.])[] | .mtu // empty] | last // empty' <<<"$1"; }
# "path value" per sysctl tuning-lite sets, IFNAME replaced by $2.
conf_sysctls() {
	jq -r --arg ifn "$2" '(.plugins // [.])[] | select(.type == "tuning-lite" or .type == "tuning")
		| (.sysctl // {}) | to_entries[]
		| "/proc/sys/\(.key | sub("IFNAME"; $ifn) | gsub("\\."; "/")) \(.value)"' <<<"$1"
}
# The subnets addresses come from: krafty's subnet(s), else the IPAM ranges.
conf_subnets() {
	jq -r '(.plugins // [.])[] | select(.ipam or .subnet)
		| if .subnet then (.subnet | if type == "array" then .[] else . end)
		  else .ipam.ranges[][]?.subnet // .ipam.subnet end' <<<"$1"
}

# ---- the libcni client ----------------------------------------------------

clients_build_client() {
	CLIENT=$(BUILD=${BUILD:-build} bash "$CLIENTS_DIR/build-client.sh") ||
		clients_fail "building tests/clients/libcni-client failed"
}

# libcni_run add|check|del CONF_FILE NETNS ID IFNAME [extra client flags...]
# Sets $status and $output (stdout+stderr) via bats `run`.
libcni_run() {
	local cmd=$1 conf=$2 netns=$3 id=$4 ifname=$5
	shift 5
	run clients_private "$CLIENT" -conf "$conf" -netns "$netns" -id "$id" -ifname "$ifname" \
		-cache "$T/cache" -path "$PLUGIN_PATH" "$@" "$cmd"
}

# The libcni cache file of an attachment.
cache_file() { echo "$T/cache/results/$1-$2-$3"; }

# ---- what the pod and the host hold ----------------------------------------

# pod_addrs NETNS IFNAME: "addr/len" per global address, one a line.
pod_addrs() {
	ip -n "$1" -j addr show dev "$2" | jq -r '.[0].addr_info[] | select(.scope == "global") | "\(.local)/\(.prefixlen)"'
}
pod_mtu() { ip -n "$1" -j link show dev "$2" | jq -r '.[0].mtu'; }
pod_mac() { ip -n "$1" -j link show dev "$2" | jq -r '.[0].address'; }
pod_sysctl() { ip netns exec "$1" cat "$2"; }

# The sysctls and MTU of CONF hold for IFNAME in NETNS.
assert_tuned() {
	local netns=$1 ifname=$2 conf=$3 path value got want
	while read -r path value; do
		[[ -n $path ]] || continue
		got=$(pod_sysctl "$netns" "$path") || clients_fail "cannot read $path in $netns" || return 1
		[[ $got == "$value" ]] || clients_fail "$path = $got, want $value" || return 1
	done < <(conf_sysctls "$conf" "$ifname")
	want=$(conf_mtu "$conf")
	if [[ -n $want ]]; then
		got=$(pod_mtu "$netns" "$ifname")
		[[ $got == "$want" ]] || clients_fail "MTU of $ifname: $got, want $want" || return 1
	fi
	# promisc/allmulti true turns the flag on (false leaves it alone, as in the reference).
	for want in $(jq -r '[(.plugins // [.])[] | select(.type == "tuning-lite" or .type == "tuning")
		| (if .promisc == true then "PROMISC" else empty end), (if .allmulti == true then "ALLMULTI" else empty end)]
		| unique[]' <<<"$conf"); do
		ip -n "$netns" -j link show dev "$ifname" | jq -e --arg f "$want" '.[0].flags | index($f)' >/dev/null ||
			clients_fail "$ifname lacks the $want flag" || return 1
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
	jq -r --arg id "$id" \
		--arg v "krv${id:0:6}" --arg b "krb${id:0:6}" --arg e "veth${id:0:5}" '.[]
		| select((.ifalias // "" | endswith("/" + $id)) or (.ifname | startswith($v))
			or (.ifname | startswith($b)) or (.ifname | startswith($e)))
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

# host-local's reservations for container ID $2 in data dir $1 (files named after an
# address whose first line is the ID). Prints the addresses.
ipam_reservations() {
	local dir=$1 id=$2 f
	[[ -d $dir ]] || return 0
	for f in "$dir"/*/*; do
		[[ -f $f ]] || continue
		[[ $(basename "$f") =~ ^[0-9a-fA-F.:]+$ ]] || continue
		[[ $(head -n1 "$f" | tr -d '\r') == "$id" ]] && basename "$f"
	done
	return 0
}
