#!/usr/bin/env bash
# make demo: build, then two throwaway pods (network namespaces) on one krafty
# network with the shipped example config (conf/krafty-host-local.conflist):
# ADD, the node's devices and routes, each pod pings its gateway, CHECK, DEL,
# and that nothing is left (the steps: tests/demo/steps.sh).
# On a kernel with VRF it runs on the host with "vrf": true. Without VRF it
# runs on the host with "vrf": false, then the same steps with "vrf": true in
# the VM of the test suite (tests/vm/run.sh --show with the scenario
# tests/vm/scenarios/30-demo.sh, Debian's 6.1 kernel under qemu).
#   tests/demo.sh        make demo
#   tests/demo.sh --vm   make demo-vm: only the VM part
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) == 0 ]] || { echo "the demo needs root (it makes network namespaces): run make demo as root" >&2; exit 2; }
VM_ONLY=0
case ${1:-} in
--vm) VM_ONLY=1 ;;
'') ;;
*) echo "usage: tests/demo.sh [--vm]" >&2; exit 2 ;;
esac

T0=$SECONDS
B='' N=''
if [[ -t 1 ]]; then B=$'\033[1m' N=$'\033[0m'; fi
say() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
# Headings of the steps ("== ...") in bold, as they come.
bold_headings() {
	local line
	while IFS= read -r line || [[ -n $line ]]; do
		if [[ $line == "== "* ]]; then printf '%s%s%s\n' "$B" "$line" "$N"; else printf '%s\n' "$line"; fi
	done
}

DEPS_QUIET=1 bash tests/deps.sh build demo
make -s -j"$(nproc)" all
VM_PACKAGES="qemu-system-x86 linux-image-amd64 busybox-static kmod cpio"

DATA=
cleanup() { if [[ -n $DATA ]]; then rm -rf "$DATA"; fi; }
trap cleanup EXIT

# host_demo VRF: the steps on this machine's kernel.
host_demo() {
	DATA=$(mktemp -d /tmp/krafty-demo-ipam.XXXXXX)
	DEMO_VRF=$1 DEMO_BIN=$PWD/build/bin DEMO_CONFLIST=conf/krafty-host-local.conflist DEMO_DATA=$DATA \
		sh tests/demo/steps.sh 2>&1 | bold_headings
}

# vm_demo: the steps with "vrf": true in the test suite's VM; the scenario
# checks what they showed and that nothing is left.
vm_demo() {
	local tap rc=0 line
	say "the same demo with \"vrf\": true in a VM: Debian's 6.1 kernel (it has VRF) under qemu"
	if ! DEPS_QUIET=1 bash tests/deps.sh vm; then
		echo "The VM needs the packages $VM_PACKAGES;"
		echo "some are missing and apt-get could not install them. Once it can, this runs the VM part alone:"
		echo "    make demo-vm"
		return 3
	fi
	echo "(booting it takes about 10 s)"
	tap=$(mktemp /tmp/krafty-demo-vm.XXXXXX)
	# The guest's lines stream to stderr as they come; the TAP result goes to $tap.
	VM_DIR=build/vm-demo bash tests/vm/run.sh --show --timeout 120 --bin build/bin \
		tests/vm/scenarios/30-demo.sh 2>&1 >"$tap" | bold_headings || rc=$?
	say "the VM's checks (tests/vm/scenarios/30-demo.sh): $(grep -c '^ok ' "$tap") passed," \
		"$(grep -c '^not ok ' "$tap") failed"
	grep '^not ok ' "$tap" || true
	while IFS= read -r line; do echo "${line#\# vm: }"; done < <(grep -E '^# vm: (kernel|FAILED)' "$tap")
	rm -f "$tap"
	return "$rc"
}

if ((VM_ONLY)); then
	vm_demo
	say "done in $((SECONDS - T0)) s"
	exit 0
fi

# Probe the kernel for VRF: without it krafty refuses "vrf": true (error 101).
if ip link add krvdemoprobe type vrf table 4242 2>/dev/null; then
	ip link del krvdemoprobe
	say "this kernel ($(uname -r)) has VRF: the demo runs here with \"vrf\": true"
	host_demo true
else
	say "this kernel ($(uname -r)) has no VRF (ip link add ... type vrf fails)"
	echo "First the demo here with \"vrf\": false (a bridge and a veth per pod, no VRF),"
	echo "then the same demo with \"vrf\": true in a VM whose kernel has VRF."
	host_demo false
	# Without the VM's packages the host demo stands alone (vm_demo said how to run the rest).
	vm_demo || (($? == 3))
fi
say "done in $((SECONDS - T0)) s"
