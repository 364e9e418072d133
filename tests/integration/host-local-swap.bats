#!/usr/bin/env bats
# host-local: taking over the reference's state and back (/usr/lib/cni/host-local, v1.1.1,
# speaks up to 1.0.0), and many calls at once against one network.

load host-local

setup() {
	hl_setup
	CONF=$(mkconf 1.0.0 '{"subnet":"10.10.0.0/24"}')
}
teardown() { hl_teardown; }

# parallel COMMAND N PICK: N calls at once; PICK i prints the binary for attachment c<i>.
# Each call's stdout, stderr and exit status land in $DATA/out/<i>.{out,err,rc}.
parallel() {
	local cmd=$1 n=$2 pick=$3 i
	mkdir -p "$DATA/out"
	for ((i = 1; i <= n; i++)); do
		(
			env CNI_COMMAND="$cmd" CNI_CONTAINERID="c$i" CNI_NETNS=/run/netns/hl-test CNI_IFNAME=eth0 \
				CNI_PATH="$BIN" "$($pick "$i")" <<<"$CONF" >"$DATA/out/$i.out" 2>"$DATA/out/$i.err"
			echo $? >"$DATA/out/$i.rc"
		) &
	done
	wait
}

# All N calls succeeded.
all_ok() {
	local n=$1 i
	for ((i = 1; i <= n; i++)); do
		if [[ $(cat "$DATA/out/$i.rc") != 0 ]]; then
			echo "call $i failed: $(cat "$DATA/out/$i.out" "$DATA/out/$i.err")" >&2
			return 1
		fi
	done
}

pick_ours() { echo "$HL"; }
pick_ref() { echo "$REF"; }
pick_mixed() { if (($1 % 2)); then echo "$REF"; else echo "$HL"; fi; }
pick_other() { if (($1 % 2)); then echo "$HL"; else echo "$REF"; fi; }

# After N ADDs: N distinct addresses, each file naming the attachment that got it.
check_adds() {
	local n=$1 i ip
	all_ok "$n"
	[ "$(cat "$DATA"/out/*.out | jq -r '.ips[0].address' | sort -u | wc -l)" -eq "$n" ]
	[ "$(ip_files | wc -l)" -eq "$n" ]
	for ((i = 1; i <= n; i++)); do
		ip=$(jq -r '.ips[0].address' "$DATA/out/$i.out")
		[ "$(owner "${ip%/*}")" = "c$i/eth0" ] || { echo "c$i: $ip owned by $(owner "${ip%/*}")" >&2; return 1; }
	done
}

@test "the reference's allocations: seen, kept and released by ours" {
	for i in 1 2 3 4 5; do add "$REF" "r$i"; done
	[ "$IP" = 10.10.0.6 ]
	add "$HL" o1
	[ "$IP" = 10.10.0.7 ]
	add "$HL" r3
	[ "$IP" = 10.10.0.4 ]
	ours CHECK r2
	[ "$status" -eq 0 ]
	del "$HL" r4
	[ ! -e "$NETDIR/10.10.0.5" ]
	del "$HL" r5
	[ "$(ip_files | tr '\n' ' ')" = "10.10.0.2 10.10.0.3 10.10.0.4 10.10.0.7 " ]
	# And back: the reference releases what we allocated, and keeps our index alone.
	del "$REF" o1
	[ ! -e "$NETDIR/10.10.0.7" ]
	[ -n "$(ls "$NETDIR/.krafty-index")" ]
	for i in 1 2 3; do del "$HL" "r$i"; done
	[ -z "$(ip_files)" ]
}

@test "our allocations: seen, kept and released by the reference" {
	for i in 1 2 3 4 5; do add "$HL" "o$i"; done
	add "$REF" r1
	[ "$IP" = 10.10.0.7 ]
	# The reference refuses a second ADD of an attachment it sees holding an address.
	ref ADD o2
	[ "$status" -ne 0 ]
	[[ $output == *"duplicate allocation"* ]]
	ref CHECK o3
	[ "$status" -eq 0 ]
	del "$REF" o4
	[ ! -e "$NETDIR/10.10.0.5" ]
	# Ours sees the release behind its index: nothing left to DEL, CHECK fails, ADD is fresh.
	ours CHECK o4
	assert_cni_error 3
	del "$HL" o4
	add "$HL" o4
	[ "$IP" = 10.10.0.8 ]
	# The reference's release walk reads our index files and must leave them be.
	for i in 1 2 3 4 5; do del "$REF" "o$i"; done
	del "$REF" r1
	[ -z "$(ip_files)" ]
	[ -d "$NETDIR/.krafty-index" ]
	[ "$(ls "$NETDIR/.krafty-index")" = stamp ] || [ -n "$(ls "$NETDIR/.krafty-index")" ]
}

@test "the reference reassigns an address behind our index: ours notices" {
	CONF=$(mkconf 1.0.0 '{"subnet":"10.10.0.0/29"}')
	add "$HL" a
	[ "$IP" = 10.10.0.2 ]
	del "$REF" a
	printf 10.10.0.6 >"$NETDIR/last_reserved_ip.0" # the reference wraps around to .2
	add "$REF" b
	[ "$IP" = 10.10.0.2 ]
	# Our index still says a holds .2; the check against the file catches it.
	add "$HL" a
	[ "$IP" != 10.10.0.2 ]
	[ "$(owner 10.10.0.2)" = b/eth0 ]
	del "$HL" b
	[ ! -e "$NETDIR/10.10.0.2" ]
	ours CHECK a
	[ "$status" -eq 0 ]
}

@test "changes by the reference right after ours (same clock tick) are seen" {
	for i in $(seq 1 15); do
		add "$HL" "x$i"
		add "$REF" "y$i"
		y=$IP
		# Our index never heard of y: only the directory stamp tells us to look.
		del "$HL" "y$i"
		[ ! -e "$NETDIR/$y" ] || { echo "round $i: $y left behind" >&2; return 1; }
		add "$REF" "z$i"
		z=$IP
		add "$HL" "z$i"
		[ "$IP" = "$z" ] || { echo "round $i: ours gave $IP, reference held $z" >&2; return 1; }
	done
}

@test "64 concurrent ADDs then 64 concurrent DELs (ours): no failure, no duplicate, nothing left" {
	parallel ADD 64 pick_ours
	check_adds 64
	rm -rf "$DATA/out"
	parallel DEL 64 pick_ours
	all_ok 64
	[ -z "$(ip_files)" ]
	# Left: the stamp and the released files kept as spares (at most 64).
	[ "$(ls "$NETDIR/.krafty-index" | grep -v '^spare\.[0-9]*$')" = stamp ]
	[ "$(ls "$NETDIR/.krafty-index" | grep -c '^spare\.')" -le 64 ]
}

@test "64 concurrent ADDs and DELs, ours and the reference mixed, each DEL by the other binary" {
	parallel ADD 64 pick_mixed
	check_adds 64
	rm -rf "$DATA/out"
	parallel DEL 64 pick_other
	all_ok 64
	[ -z "$(ip_files)" ]
	# Our index caught up with the reference's releases.
	add "$HL" c1
	[ "$(ip_files | wc -l)" -eq 1 ]
	del "$HL" c1
	[ -z "$(ip_files)" ]
}
