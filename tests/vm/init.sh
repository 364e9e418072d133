#!/bin/sh
# /init of the test VM built by tests/vm/run.sh (runs as PID 1 under busybox sh).
#
# Reads /vm/config (written by run.sh: MODULES, SCENARIOS), loads the kernel
# modules with insmod in the given (dependency) order, then runs every scenario
# with busybox sh and prints to the serial console:
#   VMTAP-BEGIN: <scenario>
#   VMTAP: <every line the scenario printed, stdout and stderr>
#   VMTAP-END: <scenario> rc=<exit status> secs=<seconds>
# and finally "VM-DONE" before powering off. The host side (run.sh) turns the
# VMTAP lines into TAP. Options arrive as environment variables from the kernel
# command line: VMTEST_STIMEOUT (seconds per scenario), VMTEST_PROBE=1 (just
# print VM-PROBE-OK and power off: used to probe KVM).
#
# Never exit: PID 1 exiting panics the kernel.

PATH=/sbin:/bin:/usr/sbin:/usr/bin:/opt/krafty/tools
export PATH
IP=/sbin/ip
# init is not started by a login: give scenarios a sane environment.
HOME=/root
export HOME

halt_vm() {
	sync
	poweroff -f
	# Not reached unless poweroff failed.
	echo o >/proc/sysrq-trigger
	while :; do sleep 1; done
}

mkdir -p /proc /sys /dev /run /tmp /var
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# The kernel opened /dev/console from the initramfs; reopen it from devtmpfs so
# that output keeps working even if that node was missing.
exec </dev/null >/dev/console 2>&1
mount -t tmpfs -o mode=0755 run /run

if [ "${VMTEST_PROBE:-}" = 1 ]; then
	echo VM-PROBE-OK
	halt_vm
fi

# Fresh /tmp and /var for every scenario (state files of CNI IPAM live in /var).
fresh_tmp_var() {
	umount /tmp 2>/dev/null
	umount /var 2>/dev/null
	mount -t tmpfs -o mode=1777 tmp /tmp
	mount -t tmpfs -o mode=0755 var /var
	ln -s /run /var/run
	mkdir -p /var/lib /var/log /var/tmp
}

# Remove what a scenario left behind in the network: named netns and links.
# Other state (sysctls, ip rules, routes in unused tables) is kept.
reset_net() {
	for _ns in /run/netns/*; do
		[ -e "$_ns" ] || continue
		$IP netns delete "${_ns##*/}" 2>/dev/null
	done
	for _l in $($IP -o link show | sed -n 's/^[0-9]*: \([^:@ ]*\).*/\1/p'); do
		[ "$_l" = lo ] && continue
		$IP link delete "$_l" 2>/dev/null
	done
}

uptime_s() { cut -d' ' -f1 /proc/uptime; }

# True while process $1 runs (a zombie, exited but not reaped, does not count).
alive() {
	case $(cat "/proc/$1/stat" 2>/dev/null) in
	"" | *") Z "*) return 1 ;;
	esac
	return 0
}

# Prefixes every line read from stdin (a last line without newline included).
prefix_lines() {
	while IFS= read -r _line || [ -n "$_line" ]; do
		printf 'VMTAP: %s\n' "$_line"
	done
}

# Quiet the kernel on the console so that result lines are not interleaved
# (emergencies such as panics still print).
dmesg -n 1 2>/dev/null
hostname krafty-vm 2>/dev/null
mkdir -p /run/netns /run/vmtest /etc/cni/net.d
fresh_tmp_var

MODULES=
SCENARIOS=
# shellcheck source=/dev/null
. /vm/config
STIMEOUT=${VMTEST_STIMEOUT:-120}

# --- setup, reported as the pseudo-scenario "init" ---
echo "VMTAP-BEGIN: init"
t0=$(uptime_s)
setup_fail=0
for m in $MODULES; do
	if ! out=$(insmod "$m" 2>&1); then
		# Already present (built in or loaded) is fine.
		case "$out" in
		*"File exists"*) ;;
		*)
			echo "VMTAP: not ok - insmod ${m##*/}: $out"
			setup_fail=1
			;;
		esac
	fi
done
# shellcheck disable=SC2086 # word splitting wanted: count the modules
set -- $MODULES
[ "$setup_fail" = 0 ] && echo "VMTAP: ok - kernel modules loaded ($#)"
if $IP link set lo up; then
	echo "VMTAP: ok - lo up"
else
	echo "VMTAP: not ok - lo up"
fi
echo "VMTAP: # kernel $(uname -r), $(nproc) cpu, $(sed -n 's/^MemTotal: *//p' /proc/meminfo) memory"
echo "VMTAP-END: init rc=0 secs=$(awk -v a="$t0" -v b="$(uptime_s)" 'BEGIN{printf "%.2f", b-a}')"

# --- scenarios ---
FIFO=/run/vmtest/out
for s in $SCENARIOS; do
	reset_net
	fresh_tmp_var
	echo "VMTAP-BEGIN: $s"
	t0=$(uptime_s)
	rm -f "$FIFO"
	mkfifo "$FIFO"
	prefix_lines <"$FIFO" &
	reader=$!
	# setsid: the scenario and its children form one process group that can be
	# killed as a whole; timeout bounds a hung scenario.
	(cd /tmp && exec timeout -s KILL "$STIMEOUT" setsid sh "/vm/scenarios/$s.sh") \
		</dev/null >"$FIFO" 2>&1 &
	spid=$!
	wait "$spid"
	rc=$?
	# Leftover children of the scenario (same process group).
	kill -KILL -- "-$spid" 2>/dev/null
	# The reader ends when every writer has gone; do not hang on escaped daemons.
	n=0
	while alive "$reader" && [ "$n" -lt 50 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	kill "$reader" 2>/dev/null
	wait "$reader" 2>/dev/null
	echo "VMTAP-END: $s rc=$rc secs=$(awk -v a="$t0" -v b="$(uptime_s)" 'BEGIN{printf "%.2f", b-a}')"
done

echo "VM-DONE"
halt_vm
