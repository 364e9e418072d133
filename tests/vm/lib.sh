# shellcheck shell=sh
# Helpers for VM scenarios (tests/vm/scenarios/*.sh). Sourced in the guest as
#   . /vm/lib.sh
# POSIX/busybox sh. Each check prints one TAP line without a number:
#   ok - NAME
#   not ok - NAME: REASON
# run.sh numbers them on the host. Lines starting with "# " are diagnostics.
#
# Debian's busybox sh runs its own applets before PATH: "ip" would be busybox's
# reduced ip, so always call iproute2 as $IP (/sbin/ip). Commands run through
# "ip netns exec" are looked up in PATH (no applet preference there), so
# "$IP netns exec NS ip ..." does run iproute2.

IP=/sbin/ip
# Where run.sh puts binaries in the guest (see tests/vm/README.md).
KRAFTY_BIN=/opt/cni/bin
REF_BIN=/usr/lib/cni
TOOLS=/opt/krafty/tools
if command -v jq >/dev/null 2>&1; then HAVE_JQ=1; else HAVE_JQ=0; fi
export IP KRAFTY_BIN REF_BIN TOOLS HAVE_JQ

VM_FAILS=0
VM_CHECKS=0

# diag MSG...: a diagnostic line ("# MSG"); multi-line MSG gives one per line.
diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

# ok NAME
ok() {
	VM_CHECKS=$((VM_CHECKS + 1))
	printf 'ok - %s\n' "$1"
}

# not_ok NAME [REASON]
not_ok() {
	VM_CHECKS=$((VM_CHECKS + 1))
	VM_FAILS=$((VM_FAILS + 1))
	if [ -n "${2:-}" ]; then
		printf 'not ok - %s: %s\n' "$1" "$2"
	else
		printf 'not ok - %s\n' "$1"
	fi
	return 1
}

# skip NAME REASON: a check that could not run here (reported as SKIP, never as a pass).
skip() {
	VM_CHECKS=$((VM_CHECKS + 1))
	printf 'ok - %s # SKIP %s\n' "$1" "$2"
}

# check NAME CMD [ARG...]: runs CMD (in a subshell: variable assignments in it
# are lost); ok if it exits 0, else not ok with its status and output.
# Returns CMD's status, so "check ... || return" works.
check() {
	_vm_name=$1
	shift
	_vm_out=$("$@" 2>&1)
	_vm_rc=$?
	if [ "$_vm_rc" -eq 0 ]; then
		ok "$_vm_name"
	else
		not_ok "$_vm_name" "exit $_vm_rc: $*"
		[ -n "$_vm_out" ] && diag "$_vm_out"
	fi
	return "$_vm_rc"
}

# check_fail NAME CMD [ARG...]: ok if CMD fails (exits non-zero).
check_fail() {
	_vm_name=$1
	shift
	_vm_out=$("$@" 2>&1)
	_vm_rc=$?
	if [ "$_vm_rc" -ne 0 ]; then
		ok "$_vm_name"
		return 0
	fi
	not_ok "$_vm_name" "succeeded but should fail: $*"
	[ -n "$_vm_out" ] && diag "$_vm_out"
	return 1
}

# check_match NAME ERE CMD [ARG...]: ok if CMD exits 0 and a line of its
# output (stdout and stderr) matches the extended regexp ERE.
check_match() {
	_vm_name=$1
	_vm_re=$2
	shift 2
	_vm_out=$("$@" 2>&1)
	_vm_rc=$?
	if [ "$_vm_rc" -ne 0 ]; then
		not_ok "$_vm_name" "exit $_vm_rc: $*"
	elif printf '%s\n' "$_vm_out" | grep -Eq -- "$_vm_re"; then
		ok "$_vm_name"
		return 0
	else
		not_ok "$_vm_name" "no line matches /$_vm_re/: $*"
	fi
	[ -n "$_vm_out" ] && diag "$_vm_out"
	return 1
}

# check_nomatch NAME ERE CMD [ARG...]: ok if CMD exits 0 and no line of its
# output matches ERE.
check_nomatch() {
	_vm_name=$1
	_vm_re=$2
	shift 2
	_vm_out=$("$@" 2>&1)
	_vm_rc=$?
	if [ "$_vm_rc" -ne 0 ]; then
		not_ok "$_vm_name" "exit $_vm_rc: $*"
	elif printf '%s\n' "$_vm_out" | grep -Eq -- "$_vm_re"; then
		not_ok "$_vm_name" "a line matches /$_vm_re/: $*"
	else
		ok "$_vm_name"
		return 0
	fi
	[ -n "$_vm_out" ] && diag "$_vm_out"
	return 1
}

# netns_add NAME: creates the named netns /run/netns/NAME with lo up.
netns_add() {
	$IP netns add "$1" && $IP -n "$1" link set lo up
}

# in_ns NAME CMD [ARG...]: runs CMD inside netns NAME (PATH lookup, see top).
in_ns() {
	_vm_ns=$1
	shift
	$IP netns exec "$_vm_ns" "$@"
}

# json_get JSON FILTER: prints jq -r FILTER applied to the JSON text.
json_get() {
	printf '%s\n' "$1" | jq -r "$2"
}

# check_json NAME JSON FILTER EXPECTED: ok if jq -r FILTER on JSON prints
# exactly EXPECTED. jq is a test dependency: without it in the guest the check fails.
check_json() {
	if [ "$HAVE_JQ" != 1 ]; then
		not_ok "$1" "no jq in the guest"
		return 1
	fi
	_vm_got=$(json_get "$2" "$3" 2>&1)
	if [ "$_vm_got" = "$4" ]; then
		ok "$1"
		return 0
	fi
	not_ok "$1" "$3 is '$_vm_got', want '$4'"
	diag "$2"
	return 1
}

# finish: call last; the scenario's exit status is 1 if any check failed.
finish() {
	diag "$VM_CHECKS checks, $VM_FAILS failed"
	[ "$VM_FAILS" -eq 0 ] && exit 0
	exit 1
}
