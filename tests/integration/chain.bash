# Running a conflist the way a runtime (libcni) does, for bats tests. Load after helpers:
#   load helpers
#   load chain
#
# conflist_run CMD FILE  (CMD: ADD, DEL, CHECK)
#   Each plugin of FILE gets its own object plus the list's cniVersion and name.
#   ADD runs the plugins in order, each with the previous plugin's result as
#   prevResult (the first gets none); the last result is printed and cached.
#   DEL runs them in reverse, CHECK in order, each with the cached ADD result as
#   prevResult (cniVersion 0.4.0 and later, as libcni); DEL forgets the cache.
#   On a plugin's failure its output (the error JSON) is printed and the
#   status is 1; for DEL, the remaining plugins are not run (as libcni).
#   Environment: CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS as given;
#   CNI_PATH (default "$BIN:/usr/lib/cni") finds the binaries, first match wins.
#   CONFLIST_RUNTIME_CONFIG (JSON object, optional): runtime arguments; each plugin
#   gets the keys its "capabilities" declare as runtimeConfig.
#   CONFLIST_CACHE_DIR (default $BATS_TEST_TMPDIR): where results are cached, one
#   file per network, container and interface.
# Use it under bats `run` to get $status and $output.

# Path of the first executable named $1 on CNI_PATH.
conflist_find() {
	local dir
	local IFS=:
	for dir in ${CNI_PATH:-$BIN:/usr/lib/cni}; do
		if [[ -x $dir/$1 ]]; then
			echo "$dir/$1"
			return 0
		fi
	done
	echo "conflist_run: plugin $1 not found on ${CNI_PATH:-$BIN:/usr/lib/cni}" >&2
	return 1
}

conflist_cache_file() {
	echo "${CONFLIST_CACHE_DIR:-${BATS_TEST_TMPDIR:-/tmp}}/conflist-$1-${CNI_CONTAINERID:-}-${CNI_IFNAME:-}.json"
}

# The config one plugin of the list gets: $1 list, $2 index, $3 prevResult or "".
conflist_plugin_conf() {
	jq -c --argjson i "$2" --argjson prev "${3:-null}" \
		--argjson rt "${CONFLIST_RUNTIME_CONFIG:-{\}}" '
		. as $list | $list.plugins[$i] + {cniVersion: $list.cniVersion, name: $list.name}
		| if $prev != null then . + {prevResult: $prev} else . end
		| (.capabilities // {}) as $caps
		| ($rt | with_entries(select($caps[.key] == true))) as $sel
		| if ($sel | length) > 0 then . + {runtimeConfig: $sel} else . end' <<<"$1"
}

# conflist_exec CMD CONF: run the plugin CONF names; its stdout on stdout.
conflist_exec() {
	local bin
	bin=$(conflist_find "$(jq -r .type <<<"$2")") || return 1
	CNI_COMMAND=$1 CNI_CONTAINERID="${CNI_CONTAINERID:-}" CNI_NETNS="${CNI_NETNS:-}" \
		CNI_IFNAME="${CNI_IFNAME:-}" CNI_ARGS="${CNI_ARGS:-}" \
		CNI_PATH="${CNI_PATH:-$BIN:/usr/lib/cni}" "$bin" <<<"$2"
}

conflist_run() {
	local cmd=$1 list name n cache prev="" order i conf out
	list=$(jq -c . "$2") || return 1
	name=$(jq -r .name <<<"$list")
	n=$(jq '.plugins | length' <<<"$list")
	cache=$(conflist_cache_file "$name")
	case $cmd in
	ADD) order=$(seq 0 $((n - 1))) ;;
	DEL) order=$(seq $((n - 1)) -1 0) ;;
	CHECK) order=$(seq 0 $((n - 1))) ;;
	*) echo "conflist_run: unknown command $cmd" >&2; return 2 ;;
	esac
	if [[ $cmd != ADD && -f $cache ]] && conflist_version_ge "$(jq -r .cniVersion <<<"$list")" 0.4.0; then
		prev=$(cat "$cache")
	fi
	for i in $order; do
		conf=$(conflist_plugin_conf "$list" "$i" "$prev") || return 1
		if ! out=$(conflist_exec "$cmd" "$conf"); then
			echo "$out"
			return 1
		fi
		[[ $cmd == ADD ]] && prev=$out
	done
	case $cmd in
	ADD) echo "$prev" >"$cache" && echo "$prev" ;;
	DEL) rm -f "$cache" ;;
	esac
	return 0
}

# conflist_version_ge A B: dotted version A >= B.
conflist_version_ge() {
	[[ $(printf '%s\n%s\n' "$1" "$2" | sort -V | head -1) == "$2" ]]
}

# ---- pods for chained-plugin tests ---------------------------------------

# ref_bridge_conflist NAME BRIDGE SUBNET IPAM_DIR [PLUGIN_JSON...]: a conflist whose
# head is the reference bridge plugin (with the reference host-local keeping its
# leases in IPAM_DIR), followed by the given plugin objects.
ref_bridge_conflist() {
	local name=$1 br=$2 subnet=$3 dir=$4
	shift 4
	jq -n --arg n "$name" --arg b "$br" --arg s "$subnet" --arg d "$dir" \
		'{cniVersion: "1.0.0", name: $n, plugins: ([{type: "bridge", bridge: $b, isGateway: true,
		  ipam: {type: "host-local", subnet: $s, dataDir: $d, routes: [{dst: "0.0.0.0/0"}]}}]
		  + [$ARGS.positional[] | fromjson])}' --args "$@"
}

# pod_settle NS: wait until no address is tentative (IPv6 DAD), so that two
# snapshots of an untouched pod are equal.
pod_settle() {
	local i
	for i in $(seq 50); do
		ip -n "$1" addr show | grep -q tentative || return 0
		sleep 0.1
	done
	echo "addresses still tentative in $1" >&2
	return 1
}

# pod_snapshot NS: everything a plugin could change in the pod: links (with
# promiscuity, allmulti, txqueuelen, MTU, MAC), addresses, routes of every table,
# and every net.* sysctl.
pod_snapshot() {
	ip -n "$1" -d link show
	ip -n "$1" addr show
	ip -n "$1" route show table all
	ip -n "$1" -6 route show table all
	ip netns exec "$1" sysctl -a 2>/dev/null | grep '^net\.'
}

# same_snapshot BEFORE AFTER: equal, or the difference on stderr and status 1.
same_snapshot() {
	if [[ $1 != "$2" ]]; then
		echo "the pod changed:" >&2
		diff <(echo "$1") <(echo "$2") >&2
		return 1
	fi
}

# link_field NS IFNAME FIELD: one field of `ip -j -d link show` (mtu, address,
# txqlen, promiscuity, allmulti, ...).
link_field() {
	ip -n "$1" -j -d link show dev "$2" | jq -r ".[0].$3"
}

# pod_sysctl NS KEY: a sysctl's value inside the pod (dotted key, or a /proc/sys path).
pod_sysctl_get() {
	if [[ $2 == /* ]]; then
		ip netns exec "$1" cat "$2"
	else
		ip netns exec "$1" sysctl -n "$2"
	fi
}
