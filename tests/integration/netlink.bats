#!/usr/bin/env bats
# lib/netlink, driven through build/tools/nl-smoke and checked with iproute2.
# Each test gets two private network namespaces: a "host" one ($HNS, where
# nl-smoke runs with -n) and a "container" one ($CNS). Nothing touches the real
# host's interfaces; teardown deletes both namespaces and all links with them.

setup() {
	ROOT="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
	local build="${BUILD:-build}"
	[[ $build == /* ]] || build="$ROOT/$build"
	SMOKE="$build/tools/nl-smoke"
	if [[ ! -x $SMOKE ]]; then
		echo "missing $SMOKE: run make build/tools/nl-smoke" >&2
		return 1
	fi
	HNS="knl-h-$$-$BATS_TEST_NUMBER"
	CNS="knl-c-$$-$BATS_TEST_NUMBER"
	ip netns add "$HNS"
	ip netns add "$CNS"
	HPATH="/run/netns/$HNS"
	CPATH="/run/netns/$CNS"
}

teardown() {
	[[ -n ${HNS:-} ]] && ip netns del "$HNS" 2>/dev/null
	[[ -n ${CNS:-} ]] && ip netns del "$CNS" 2>/dev/null
	true
}

# nl-smoke inside the test's host namespace.
hsmoke() { "$SMOKE" -n "$HPATH" "$@"; }

# has REGEX CMD...: CMD succeeds and its output matches REGEX.
has() {
	local pat=$1 out
	shift
	out=$("$@" 2>&1) || { echo "command failed: $*" >&2; echo "$out" >&2; return 1; }
	grep -qE -- "$pat" <<<"$out" || {
		echo "expected /$pat/ in the output of: $*" >&2
		echo "$out" >&2
		return 1
	}
}

# lacks REGEX CMD...: CMD succeeds and its output does not match REGEX.
lacks() {
	local pat=$1 out
	shift
	out=$("$@" 2>&1) || { echo "command failed: $*" >&2; echo "$out" >&2; return 1; }
	if grep -qE -- "$pat" <<<"$out"; then
		echo "unexpected /$pat/ in the output of: $*" >&2
		echo "$out" >&2
		return 1
	fi
}

# fails CMD...: CMD exits non-zero.
fails() {
	if "$@" >/dev/null 2>&1; then
		echo "expected failure: $*" >&2
		return 1
	fi
}

ifindex() { ip -n "$1" -o link show "$2" | cut -d: -f1; }

chain() {
	run hsmoke bridge-veth kbr0 kveth0 "$CPATH" eth1 10.201.0.2/24 10.201.0.1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"OK netns-return"* ]]
}

@test "bridge-veth: bridge, enslaved veth, peer renamed in the netns with address and route" {
	chain
	has '^ +bridge ' ip -n "$HNS" -d link show kbr0
	has 'inet 10\.201\.0\.1/24 ' ip -n "$HNS" -o -4 addr show dev kbr0
	has '[<,]UP[,>]' ip -n "$HNS" link show kbr0
	has 'master kbr0 ' ip -n "$HNS" -o link show kveth0
	has '[<,]UP[,>]' ip -n "$HNS" -o link show kveth0
	has '^ +veth' ip -n "$HNS" -d link show kveth0
	# The peer went straight into the container namespace and got its name there.
	fails ip -n "$HNS" link show eth1
	has "link-netns $HNS" ip -n "$CNS" -o link show eth1
	lacks 'knltmp' ip -n "$CNS" -o link show
	has '[<,]UP[,>]' ip -n "$CNS" -o link show eth1
	has 'inet 10\.201\.0\.2/24 brd 10\.201\.0\.255 ' ip -n "$CNS" -o -4 addr show dev eth1
	has '^default via 10\.201\.0\.1 dev eth1' ip -n "$CNS" route show default
	has 'dev eth1' ip -n "$CNS" route get 10.201.0.1
	# Running it again fails cleanly on the existing bridge.
	run hsmoke bridge-veth kbr0 kveth0 "$CPATH" eth1 10.201.0.2/24 10.201.0.1
	[ "$status" -eq 1 ]
	[[ $output == *"ERROR bridge-add: create bridge kbr0: File exists"* ]]
}

@test "link-info: kind, mtu limits, master, flags" {
	chain
	run hsmoke link-info kveth0
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *$'\nkind=veth\n'* ]]
	[[ $output == *$'\nmin_mtu=68\n'* ]]
	[[ $output == *$'\nmax_mtu=65535\n'* ]]
	[[ $output == *$'\nup=1\n'* ]]
	[[ $output == *$'\nmaster='"$(ifindex "$HNS" kbr0)"$'\n'* ]]
	local mac
	mac=$(ip -n "$HNS" -o link show kveth0 | grep -oE 'link/ether [0-9a-f:]+' | cut -d' ' -f2)
	[[ $output == *$'\nmac='"$mac"$'\n'* ]]
	run hsmoke link-info kbr0
	[ "$status" -eq 0 ]
	[[ $output == *$'\nkind=bridge\n'* ]]
	[[ $output == *$'\nmaster=0\n'* ]]
	run hsmoke link-info nosuch0
	[ "$status" -eq 1 ]
	[[ $output == *"ERROR link-info: link nosuch0: No such device"* ]]
	run hsmoke link-exists nosuch0
	[ "$status" -eq 0 ]
	[ "$output" = no ]
	run hsmoke link-exists kbr0
	[ "$output" = yes ]
}

@test "del: removes veth (and its peer in the netns) and bridge; deleting again succeeds" {
	chain
	run hsmoke del kveth0 kbr0
	echo "$output"
	[ "$status" -eq 0 ]
	fails ip -n "$HNS" link show kveth0
	fails ip -n "$HNS" link show kbr0
	fails ip -n "$CNS" link show eth1
	run hsmoke del kveth0 kbr0 neverthere
	[ "$status" -eq 0 ]
	[[ $output == *"OK del"* ]]
}

@test "vrf-bridge-veth: creates the VRF where the kernel has it, fails clearly where not" {
	if ip -n "$HNS" link add kvrfprobe type vrf table 4242 2>/dev/null; then
		ip -n "$HNS" link del kvrfprobe
		run hsmoke vrf-bridge-veth kvrf 100 kbr0 kveth0 "$CPATH" eth1 10.202.0.2/24 10.202.0.1
		echo "$output"
		[ "$status" -eq 0 ]
		has 'vrf table 100' ip -n "$HNS" -d link show kvrf
		has 'master kvrf ' ip -n "$HNS" -o link show kbr0
		has '10\.202\.0\.0/24 dev kbr0' ip -n "$HNS" route show table 100
		has '^default via 10\.202\.0\.1 dev eth1' ip -n "$CNS" route show default
		run hsmoke link-info kvrf
		[[ $output == *$'\nkind=vrf\n'* ]]
		[[ $output == *$'\nvrf_table=100\n'* ]]
	else
		run hsmoke vrf-bridge-veth kvrf 100 kbr0 kveth0 "$CPATH" eth1 10.202.0.2/24 10.202.0.1
		echo "$output"
		[ "$status" -eq 1 ]
		[[ $output == *"ERROR vrf-add: create vrf kvrf (table 100): "* ]]
		[[ $output == *"Unknown device type"* || $output == *"Operation not supported"* ]]
		# The chain stopped at the first failure.
		fails ip -n "$HNS" link show kbr0
		fails ip -n "$HNS" link show kvrf
	fi
}

@test "addresses: idempotent add, noprefixroute, list, delete of absent ones" {
	run hsmoke bridge-add kbr0
	[ "$status" -eq 0 ]
	run hsmoke addr-add kbr0 10.203.0.1/24
	[ "$output" = "OK addr-add" ]
	run hsmoke addr-add kbr0 10.203.0.1/24
	[ "$status" -eq 0 ]
	[ "$output" = "OK addr-add (existed)" ]
	# A gateway address without its connected route.
	run hsmoke addr-add kbr0 10.204.0.1/24 noprefixroute
	[ "$status" -eq 0 ]
	has 'inet 10\.204\.0\.1/24 .*noprefixroute' ip -n "$HNS" -o addr show dev kbr0
	ip -n "$HNS" link set kbr0 up
	has '^10\.203\.0\.0/24 dev kbr0' ip -n "$HNS" route show
	lacks '10\.204\.0\.0/24' ip -n "$HNS" route show
	run hsmoke addr-add kbr0 fd00:203::1/64 nodad
	[ "$status" -eq 0 ]
	# IPv6: the same address with another prefix length is refused.
	run hsmoke addr-add kbr0 fd00:203::1/80
	[ "$status" -eq 1 ]
	[[ $output == *"add address fd00:203::1/80 to kbr0: "*"File exists"* ]]
	run hsmoke addr-list kbr0
	echo "$output"
	[[ $output == *"10.203.0.1/24 "* ]]
	[[ $output == *"10.204.0.1/24 "*"noprefixroute"* ]]
	[[ $output == *"fd00:203::1/64 "* ]]
	run hsmoke addr-list kbr0 4
	[[ $output != *"fd00:203::1"* ]]
	run hsmoke addr-del kbr0 10.204.0.1/24
	[ "$status" -eq 0 ]
	lacks '10\.204\.0\.1' ip -n "$HNS" -o addr show dev kbr0
	run hsmoke addr-del kbr0 10.204.0.1/24
	[ "$status" -eq 0 ]
	run hsmoke addr-del nosuch0 10.204.0.1/24
	[ "$status" -eq 0 ]
	run hsmoke addr-add nosuch0 10.204.0.1/24
	[ "$status" -eq 1 ]
	[[ $output == *"add address 10.204.0.1/24 to nosuch0: link nosuch0: No such device"* ]]
}

@test "routes: idempotent add, conflicts, find, other tables, IPv6, delete of absent ones" {
	hsmoke bridge-add kbr0
	hsmoke addr-add kbr0 10.205.0.1/24
	hsmoke addr-add kbr0 fd00:205::1/64 nodad
	hsmoke link-set kbr0 up
	run hsmoke route-add 10.206.0.0/16 10.205.0.9 kbr0
	[ "$output" = "OK route-add" ]
	has '^10\.206\.0\.0/16 via 10\.205\.0\.9 dev kbr0' ip -n "$HNS" route show
	run hsmoke route-add 10.206.0.0/16 10.205.0.9 kbr0
	[ "$status" -eq 0 ]
	[ "$output" = "OK route-add (existed)" ]
	run hsmoke route-add 10.206.0.0/16 10.205.0.8 kbr0
	[ "$status" -eq 1 ]
	[[ $output == *"add route 10.206.0.0/16 via 10.205.0.8 dev kbr0: "*"File exists"* ]]
	run hsmoke route-find 10.206.0.0/16 10.205.0.9 kbr0
	[ "$status" -eq 0 ]
	[[ $output == "found 10.206.0.0/16 via 10.205.0.9 dev #"* ]]
	run hsmoke route-find 10.206.0.0/16 10.205.0.8 kbr0
	[ "$status" -eq 3 ]
	# Another table, a device route with a metric.
	run hsmoke route-add 10.207.0.0/16 - kbr0 table 300 metric 5
	[ "$status" -eq 0 ]
	has '^10\.207\.0\.0/16 dev kbr0 scope link metric 5' ip -n "$HNS" route show table 300
	lacks '10\.207\.0\.0' ip -n "$HNS" route show table main
	run hsmoke route-find 10.207.0.0/16 - kbr0
	[ "$status" -eq 3 ]
	run hsmoke route-find 10.207.0.0/16 - kbr0 table 300
	[ "$status" -eq 0 ]
	run hsmoke route-del 10.207.0.0/16 - kbr0 table 300
	[ "$status" -eq 0 ]
	lacks '10\.207\.0\.0' ip -n "$HNS" route show table 300
	run hsmoke route-del 10.207.0.0/16 - kbr0 table 300
	[ "$status" -eq 0 ]
	# IPv6 default route via a neighbour on the bridge.
	run hsmoke route-add default6 fd00:205::9 kbr0
	[ "$status" -eq 0 ]
	has '^default via fd00:205::9 dev kbr0' ip -n "$HNS" -6 route show
	run hsmoke route-add default6 fd00:205::9 kbr0
	[ "$output" = "OK route-add (existed)" ]
	run hsmoke route-find default6 fd00:205::9 kbr0
	[ "$status" -eq 0 ]
	run hsmoke route-del default6 fd00:205::9 kbr0
	[ "$status" -eq 0 ]
	lacks '^default' ip -n "$HNS" -6 route show
	# Routes over a missing device.
	run hsmoke route-add 10.208.0.0/16 - nosuch0
	[ "$status" -eq 1 ]
	[[ $output == *"add route 10.208.0.0/16 dev nosuch0: No such device"* ]]
	run hsmoke route-del 10.208.0.0/16 - nosuch0
	[ "$status" -eq 0 ]
	run hsmoke route-find 10.208.0.0/16 - nosuch0
	[ "$status" -eq 3 ]
}

@test "link-set: mtu, mac, promisc, allmulti, txqlen, master, rename; bad input" {
	hsmoke bridge-add kbr0
	run hsmoke veth-add ka kb - 1400
	[ "$status" -eq 0 ]
	has 'mtu 1400 ' ip -n "$HNS" -o link show kb
	run hsmoke link-set ka mtu 1450 mac 02:11:22:33:44:55 promisc on allmulti on txqlen 500 master kbr0 up
	echo "$output"
	[ "$status" -eq 0 ]
	has 'mtu 1450 ' ip -n "$HNS" -o link show ka
	has 'link/ether 02:11:22:33:44:55 ' ip -n "$HNS" -o link show ka
	has '[<,]PROMISC[,>]' ip -n "$HNS" -o link show ka
	has '[<,]ALLMULTI[,>]' ip -n "$HNS" -o link show ka
	has 'qlen 500' ip -n "$HNS" -o link show ka
	has 'master kbr0 ' ip -n "$HNS" -o link show ka
	run hsmoke link-info ka
	[[ $output == *$'\npromisc=1\nallmulti=1\n'* ]]
	[[ $output == *$'\ntxqlen=500\n'* ]]
	run hsmoke link-set ka promisc off allmulti off nomaster down name kc
	echo "$output"
	[ "$status" -eq 0 ]
	fails ip -n "$HNS" link show ka
	lacks 'PROMISC|ALLMULTI|master|[<,]UP[,>]' ip -n "$HNS" -o link show kc
	run hsmoke link-set kc mac 02:11:22:33:44
	[ "$status" -eq 1 ]
	[[ $output == *'set mac of kc: invalid MAC address "02:11:22:33:44"'* ]]
	run hsmoke link-set kc mtu 70000
	[ "$status" -eq 1 ]
	[[ $output == *"set mtu of kc to 70000: Invalid argument"* ]]
	run hsmoke link-set kc master nosuch0
	[ "$status" -eq 1 ]
	[[ $output == *"set master of kc to nosuch0: link nosuch0: No such device"* ]]
	run hsmoke link-info 'bad/name'
	[ "$status" -eq 1 ]
	[[ $output == *"invalid character in interface name bad/name"* ]]
	run hsmoke link-info waytoolonginterfacename
	[ "$status" -eq 1 ]
	[[ $output == *"is longer than 15 characters"* ]]
}

@test "veth-add: peer created directly in another netns" {
	run hsmoke veth-add kh0 kp0 "$CPATH" 1300
	[ "$status" -eq 0 ]
	has 'mtu 1300 ' ip -n "$HNS" -o link show kh0
	has 'mtu 1300 ' ip -n "$CNS" -o link show kp0
	fails ip -n "$HNS" link show kp0
	# The peer name is taken in the container namespace now.
	run hsmoke veth-add kh1 kp0 "$CPATH"
	[ "$status" -eq 1 ]
	[[ $output == *"create veth kh1 (peer kp0): File exists"* ]]
	fails ip -n "$HNS" link show kh1
}

@test "sysctl: dotted keys, parts with a dotted interface name, bad keys rejected" {
	run hsmoke veth-add kv.1 kv2
	[ "$status" -eq 0 ]
	run hsmoke sysctl-write net.ipv4.conf.kv2.arp_filter 1
	[ "$status" -eq 0 ]
	[ "$(ip netns exec "$HNS" cat /proc/sys/net/ipv4/conf/kv2/arp_filter)" = 1 ]
	run hsmoke sysctl-read net.ipv4.conf.kv2.arp_filter
	[ "$output" = 1 ]
	# The sysctl is per namespace: the container's default is untouched.
	[ "$(ip netns exec "$CNS" cat /proc/sys/net/ipv4/conf/default/arp_filter)" = 0 ]
	run hsmoke sysctl-write-parts 1 net ipv4 conf kv.1 arp_filter
	[ "$status" -eq 0 ]
	[ "$(ip netns exec "$HNS" cat /proc/sys/net/ipv4/conf/kv.1/arp_filter)" = 1 ]
	run hsmoke sysctl-read-parts net ipv4 conf kv.1 arp_filter
	[ "$output" = 1 ]
	# A dotted key cannot name kv.1: it reads as kv/1.
	run hsmoke sysctl-read net.ipv4.conf.kv.1.arp_filter
	[ "$status" -eq 1 ]
	[[ $output == *"read sysctl net.ipv4.conf.kv.1.arp_filter: No such file or directory"* ]]
	for bad in "net..ipv4" ".net.ipv4" "net.ipv4." "/proc/sys/net" "net/ipv4/ip_forward" ""; do
		run hsmoke sysctl-read "$bad"
		echo "$bad: $output"
		[ "$status" -eq 1 ]
		[[ $output == *"sysctl key"* ]]
	done
	run hsmoke sysctl-read-parts net ipv4 conf .. arp_filter
	[ "$status" -eq 1 ]
	[[ $output == *'invalid sysctl key component ".."'* ]]
	run hsmoke sysctl-read-parts net ipv4 conf a/b arp_filter
	[ "$status" -eq 1 ]
}

@test "sysctl: one process moving between namespaces reads each one's own value" {
	# lib/netlink opens sysctl paths in a procfs instance of its own (under
	# /proc/sys a look-up of net/ipv4 costs more with every namespace on the
	# node): the value read must still be the current namespace's, first
	# visit or not.
	local third="knl-t-$$-$BATS_TEST_NUMBER"
	ip netns add "$third"
	ip netns exec "$HNS" sysctl -qw net.ipv4.conf.lo.arp_filter=1
	ip netns exec "$CNS" sysctl -qw net.ipv4.conf.lo.arp_filter=0
	ip netns exec "$third" sysctl -qw net.ipv4.conf.lo.arp_filter=1
	run hsmoke sysctl-across net.ipv4.conf.lo.arp_filter "$CPATH" "/run/netns/$third"
	ip netns del "$third"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "here 1
$CPATH 0
/run/netns/$third 1
here 1
here 1
$CPATH 0
/run/netns/$third 1
here 1" ]
}

@test "sysctl: paths are opened in a procfs of the process's own; without CAP_SYS_ADMIN under /proc/sys" {
	local want
	want=$(cat /proc/sys/net/ipv4/conf/lo/arp_filter)
	# LeakSanitizer cannot run under ptrace: off for this one run of a sanitizer
	# build (the other sysctl tests check the same paths for leaks).
	run env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -e trace=fsmount,openat "$SMOKE" sysctl-read net.ipv4.conf.lo.arp_filter
	[ "$status" -eq 0 ]
	[[ $output == *'fsmount('*') = '[0-9]* ]]
	[[ $output == *'openat('[0-9]*', "sys/net/ipv4/conf/lo/arp_filter"'* ]]
	[[ $output != *'"/proc/sys/'* ]]
	printf '%s\n' "${lines[@]}" | grep -qx -- "$want"
	# An unprivileged caller (a tool run by an operator) cannot mount one.
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$SMOKE" sysctl-read net.ipv4.conf.lo.arp_filter
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
}

@test "netns-check: only network namespaces are accepted" {
	run "$SMOKE" netns-check "$CPATH"
	[ "$status" -eq 0 ]
	run "$SMOKE" netns-check /proc/self/ns/net
	[ "$status" -eq 0 ]
	run "$SMOKE" netns-check /proc/self/ns/mnt
	[ "$status" -eq 1 ]
	[[ $output == *"is a namespace, but not a network namespace"* ]]
	run "$SMOKE" netns-check "$BATS_TEST_FILENAME"
	[ "$status" -eq 1 ]
	[[ $output == *"is not a network namespace"* ]]
	run "$SMOKE" netns-check /run/netns/knl-does-not-exist-$$
	[ "$status" -eq 1 ]
	[[ $output == *"open netns /run/netns/knl-does-not-exist-$$: No such file or directory"* ]]
	# A FIFO or a device is looked at, never opened: no hang, no side effect.
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	run timeout 10 "$SMOKE" netns-check "$BATS_TEST_TMPDIR/fifo"
	[ "$status" -eq 1 ]
	[[ $output == *"is not a network namespace"* ]]
	run timeout 10 "$SMOKE" netns-check /dev/zero
	[ "$status" -eq 1 ]
	[[ $output == *"is not a network namespace"* ]]
}
