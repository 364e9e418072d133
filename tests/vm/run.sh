#!/usr/bin/env bash
# Runs VM scenarios (tests/vm/scenarios/*.sh) in a VRF-capable Debian 6.1 kernel
# under qemu and prints TAP. See tests/vm/README.md.
#
#   tests/vm/run.sh [--bin DIR[=GUESTDIR]]... [--timeout SECS] [--show] [scenario.sh ...]
#
# --show copies what the scenarios print to stderr while the VM runs (all but
# the ok lines and the "# " diagnostics of passing checks): make demo uses it.
# Environment: BUILD (default build), VM_TIMEOUT (whole run, default 300 s),
# VM_SCENARIO_TIMEOUT (one scenario, default 120 s), VM_ACCEL (auto|tcg|kvm),
# VM_KERNEL (a vmlinuz; default the newest /boot/vmlinuz-6.1*), VM_MODULES
# (extra kernel modules), VM_VERBOSE=1 (copy the console to stderr), VM_DIR
# (the work directory: initramfs cache, console log; default $BUILD/vm).
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$REPO/$BUILD ;; esac
VMDIR=${VM_DIR:-$BUILD/vm}
case $VMDIR in /*) ;; *) VMDIR=$REPO/$VMDIR ;; esac
LOG=$VMDIR/console.log
TIMEOUT=${VM_TIMEOUT:-300}
STIMEOUT=${VM_SCENARIO_TIMEOUT:-120}
ACCEL=${VM_ACCEL:-auto}
BASE_MODULES="vrf bridge stp llc veth"

usage() {
	sed -n '2,/^set -u/{/^set -u/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

# Any problem before the VM runs is reported as TAP too.
bail() {
	echo "1..1"
	echo "not ok 1 - vm: setup: $*"
	exit 1
}

BINS=()
SCENARIOS=()
SHOW=0
while [ $# -gt 0 ]; do
	case $1 in
	--bin) [ $# -ge 2 ] || bail "--bin needs a directory"; BINS+=("$2"); shift 2 ;;
	--bin=*) BINS+=("${1#--bin=}"); shift ;;
	--timeout) [ $# -ge 2 ] || bail "--timeout needs seconds"; TIMEOUT=$2; shift 2 ;;
	--timeout=*) TIMEOUT=${1#--timeout=}; shift ;;
	--show) SHOW=1; shift ;;
	-h | --help) usage; exit 0 ;;
	--) shift; SCENARIOS+=("$@"); break ;;
	-*) bail "unknown option $1 (see --help)" ;;
	*) SCENARIOS+=("$1"); shift ;;
	esac
done
case $TIMEOUT in '' | *[!0-9]*) bail "timeout must be whole seconds: $TIMEOUT" ;; esac
case $STIMEOUT in '' | *[!0-9]*) bail "VM_SCENARIO_TIMEOUT must be whole seconds" ;; esac

# Binary directories: DIR=GUESTDIR, or DIR alone: .../bin -> /opt/cni/bin,
# .../tools -> /opt/krafty/tools, .../sbin -> /opt/krafty/sbin (kractl),
# anything else -> the same path in the guest.
EXPLICIT_BINS=1
if [ ${#BINS[@]} -eq 0 ]; then
	EXPLICIT_BINS=0
	BINS=("$BUILD/bin=/opt/cni/bin" "$BUILD/tools=/opt/krafty/tools" "$BUILD/sbin=/opt/krafty/sbin")
	[ -d /usr/lib/cni ] && BINS+=("/usr/lib/cni=/usr/lib/cni")
fi

if [ ${#SCENARIOS[@]} -eq 0 ]; then
	for f in "$HERE"/scenarios/*.sh; do
		[ -e "$f" ] && SCENARIOS+=("$f")
	done
	[ ${#SCENARIOS[@]} -gt 0 ] || bail "no scenarios in $HERE/scenarios"
fi

# --- prerequisites ---
QEMU=$(command -v qemu-system-x86_64) || bail "qemu-system-x86_64 missing (tests/deps.sh installs it)"
for t in cpio gzip ldd timeout sha256sum; do
	command -v "$t" >/dev/null || bail "$t missing"
done
BUSYBOX=
for b in /bin/busybox /usr/bin/busybox "$(command -v busybox 2>/dev/null)"; do
	[ -n "$b" ] && [ -x "$b" ] && { BUSYBOX=$(readlink -f "$b"); break; }
done
[ -n "$BUSYBOX" ] || bail "busybox missing (package busybox-static)"
IPBIN=
for b in /sbin/ip /usr/sbin/ip /bin/ip /usr/bin/ip; do
	[ -x "$b" ] && { IPBIN=$(readlink -f "$b"); break; }
done
[ -n "$IPBIN" ] || bail "iproute2's ip missing"
JQBIN=$(command -v jq 2>/dev/null) && JQBIN=$(readlink -f "$JQBIN")

if [ -n "${VM_KERNEL:-}" ]; then
	KERNEL=$VM_KERNEL
else
	KERNEL=$(printf '%s\n' /boot/vmlinuz-6.1* | sort -V | tail -n 1)
fi
[ -r "$KERNEL" ] || bail "no kernel ${VM_KERNEL:-/boot/vmlinuz-6.1*} (package linux-image-amd64)"
KVER=${KERNEL##*/vmlinuz-}
MODDIR=/lib/modules/$KVER
[ -r "$MODDIR/modules.dep" ] || bail "no $MODDIR/modules.dep for kernel $KERNEL"

mkdir -p "$VMDIR" || bail "cannot create $VMDIR"
# Runs sharing a build directory take turns.
exec 9>"$VMDIR/.lock"
if command -v flock >/dev/null; then flock 9; fi

T_START=$(date +%s.%N)

# --- the plan of the initramfs: one action per line, "KIND<TAB>DEST<TAB>SRC" ---
# KIND: d (directory), f (copy SRC), l (symlink to SRC), x/z/g (decompress SRC
# with xz/zstd/gzip), c (/dev/console node).
GEN=$VMDIR/gen
rm -rf "$GEN"
mkdir -p "$GEN"
PLAN=$GEN/plan
: >"$PLAN"
plan() { printf '%s\t%s\t%s\n' "$1" "$2" "${3:-}" >>"$PLAN"; }

is_elf() {
	local magic
	LC_ALL=C IFS= read -r -n 4 magic <"$1" 2>/dev/null
	[[ $magic == $'\x7fELF' ]]
}

# add_libs FILE: the libraries that ldd lists for FILE go into the initramfs
# (plan_libs does it once for all files).
ELF_FILES=()
add_libs() { if is_elf "$1"; then ELF_FILES+=("$1"); fi; }

# plan_libs: plans every library of ELF_FILES (with the loader). ldd's answers
# are cached in $VMDIR/ldd.cache by path, size and mtime.
plan_libs() {
	local cache=$VMDIR/ldd.cache key line f out path name dir dest libdir=
	local -A known=() libs=() dirs=()
	local stats=() all=() uniq=()
	[ ${#ELF_FILES[@]} -gt 0 ] || return 0
	if [ -f "$cache" ]; then
		while IFS=$'\t' read -r key line; do known[$key]=$line; done <"$cache"
	fi
	mapfile -t stats < <(stat -L -c '%s %Y %n' "${ELF_FILES[@]}")
	: >"$cache.new"
	for key in "${stats[@]}"; do
		f=${key#* * }
		if [ -z "${known[$key]+set}" ]; then
			line=
			if out=$(ldd "$f" 2>&1); then
				while IFS= read -r out; do
					out=${out#"${out%%[![:space:]]*}"}
					case $out in
					*"=> not found"*) bail "ldd $f: ${out%% *} not found" ;;
					*"=> "/*) path=${out#*=> }; line+=" ${path%% (*}" ;;
					/*) line+=" ${out%% (*}" ;;
					esac
				done <<<"$out"
			fi # else "not a dynamic executable": no libraries
			known[$key]=$line
		fi
		printf '%s\t%s\n' "$key" "${known[$key]}" >>"$cache.new"
		for path in ${known[$key]}; do all+=("$path"); done
	done
	mv "$cache.new" "$cache"
	for path in "${all[@]}"; do
		[ -n "${libs[$path]:-}" ] && continue
		libs[$path]=1
		uniq+=("$path")
		dir=${path%/*}
		[ -n "${dirs[$dir]:-}" ] || dirs[$dir]=$(readlink -f "$dir")
		case ${path##*/} in libc.so.*) libdir=${dirs[$dir]} ;; esac
	done
	# Libraries found outside the standard directories (e.g. through an
	# $ORIGIN runpath) go next to libc.
	for path in "${uniq[@]}"; do
		name=${path##*/}
		dir=${dirs[${path%/*}]}
		if [[ $dir =~ ^(/usr)?/lib(64|32)?(/[^/]+-linux-gnu[^/]*)?$ ]]; then
			dest=$dir/$name
		else
			dest=${libdir:-/usr/lib/x86_64-linux-gnu}/$name
		fi
		plan f "$dest" "$path"
	done
}

for d in bin sbin usr/bin usr/sbin usr/lib usr/lib64 proc sys dev run tmp var \
	etc root vm/scenarios vm/files opt/cni/bin opt/krafty/tools opt/krafty/sbin etc/cni/net.d; do
	plan d "/$d"
done
plan l /lib usr/lib
plan l /lib64 usr/lib64
plan c /dev/console

# busybox and its applets; real binaries planned later replace the links.
plan f /bin/busybox "$BUSYBOX"
add_libs "$BUSYBOX"
while IFS= read -r a; do
	[ -n "$a" ] && [ "$a" != bin/busybox ] && plan l "/$a" /bin/busybox
done < <("$BUSYBOX" --list-full 2>/dev/null)
plan f /sbin/ip "$IPBIN"
add_libs "$IPBIN"
if [ -n "$JQBIN" ]; then
	plan f /usr/bin/jq "$JQBIN"
	add_libs "$JQBIN"
fi
for d in /etc/iproute2 /usr/share/iproute2; do
	[ -d "$d" ] || continue
	while IFS= read -r -d '' f; do
		plan f "$f" "$f"
	done < <(find "$d" -type f -print0 | sort -z)
done
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$GEN/passwd"
printf 'root:x:0:\n' >"$GEN/group"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$GEN/hosts"
plan f /etc/passwd "$GEN/passwd"
plan f /etc/group "$GEN/group"
plan f /etc/hosts "$GEN/hosts"

# Binaries: every executable regular file at the top of each directory.
BIN_NOTES=()
for spec in "${BINS[@]}"; do
	src=${spec%%=*}
	if [ "$spec" != "$src" ]; then
		gdir=${spec#*=}
	else
		case ${src%/} in
		*/bin | bin) gdir=/opt/cni/bin ;;
		*/tools | tools) gdir=/opt/krafty/tools ;;
		*/sbin | sbin) gdir=/opt/krafty/sbin ;;
		*) gdir=$(readlink -f "$src") ;;
		esac
	fi
	if [ ! -d "$src" ]; then
		[ "$EXPLICIT_BINS" = 1 ] && bail "--bin $src: not a directory"
		BIN_NOTES+=("$src missing: nothing copied to $gdir")
		continue
	fi
	n=0
	for f in "$src"/*; do
		if [ ! -f "$f" ] || [ ! -x "$f" ]; then continue; fi
		case $f in /*) ;; *) f=$PWD/$f ;; esac
		plan f "$gdir/${f##*/}" "$f"
		add_libs "$f"
		n=$((n + 1))
	done
	plan d "$gdir"
	BIN_NOTES+=("$n executables from $src in $gdir")
done

plan_libs

# Scenarios, the modules they ask for ("# vm-modules: a b" lines) and the
# files of the repository they need ("# vm-files: dir/f" lines: /vm/files/f).
WANT_MODULES="$BASE_MODULES ${VM_MODULES:-}"
SNAMES=()
declare -A VM_FILES=()
for s in "${SCENARIOS[@]}"; do
	[ -f "$s" ] || bail "no scenario $s"
	name=$(basename "$s" .sh)
	for o in "${SNAMES[@]}"; do
		[ "$o" = "$name" ] && bail "two scenarios named $name"
	done
	case $name in *[!A-Za-z0-9._-]*) bail "scenario name $name: use A-Z a-z 0-9 . _ -" ;; esac
	SNAMES+=("$name")
	plan f "/vm/scenarios/$name.sh" "$(readlink -f "$s")"
	WANT_MODULES+=" $(sed -n 's/^# vm-modules:\(.*\)/\1/p' "$s" | tr '\n' ' ')"
	read -ra files <<<"$(sed -n 's/^# vm-files:\(.*\)/\1/p' "$s" | tr '\n' ' ')"
	for f in "${files[@]}"; do
		[ -f "$REPO/$f" ] || bail "$name: vm-files: no file $f in $REPO"
		b=${f##*/}
		if [ -n "${VM_FILES[$b]:-}" ]; then
			[ "${VM_FILES[$b]}" = "$f" ] && continue
			bail "vm-files: two files named $b (${VM_FILES[$b]}, $f)"
		fi
		VM_FILES[$b]=$f
		plan f "/vm/files/$b" "$REPO/$f"
	done
done
plan f /vm/lib.sh "$HERE/lib.sh"
plan f /init "$HERE/init.sh"

# Modules in dependency order (dependencies first), from modules.dep.
declare -A MOD_PATH=() MOD_DEPS=() MOD_DONE=()
while IFS= read -r line; do
	p=${line%%:*}
	b=${p##*/}
	b=${b%%.ko*}
	b=${b//-/_}
	MOD_PATH[$b]=$p
	MOD_DEPS[$b]=${line#*:}
done <"$MODDIR/modules.dep"
MOD_ORDER=()
add_module() {
	local m=${1//-/_} d db
	[ -n "${MOD_DONE[$m]:-}" ] && return 0
	MOD_DONE[$m]=1
	if [ -z "${MOD_PATH[$m]:-}" ]; then
		grep -q "/${m}.ko" "$MODDIR/modules.builtin" 2>/dev/null && return 0
		grep -q "/${1}.ko" "$MODDIR/modules.builtin" 2>/dev/null && return 0
		bail "kernel module $1 not found in $MODDIR"
	fi
	for d in ${MOD_DEPS[$m]}; do
		db=${d##*/}
		add_module "${db%%.ko*}"
	done
	MOD_ORDER+=("${MOD_PATH[$m]}")
}
for m in $WANT_MODULES; do add_module "$m"; done
GMODS=()
for p in "${MOD_ORDER[@]}"; do
	case $p in
	*.ko.xz) kind=x; g=${p%.xz} ;;
	*.ko.zst) kind=z; g=${p%.zst} ;;
	*.ko.gz) kind=g; g=${p%.gz} ;;
	*) kind=f; g=$p ;;
	esac
	plan "$kind" "/lib/modules/$KVER/$g" "$MODDIR/$p"
	GMODS+=("/lib/modules/$KVER/$g")
done

{
	echo "# written by tests/vm/run.sh"
	echo "MODULES='${GMODS[*]}'"
	echo "SCENARIOS='${SNAMES[*]}'"
} >"$GEN/config"
plan f /vm/config "$GEN/config"

# --- build the initramfs when the plan or any input changed ---
# The staging tree $VMDIR/root is kept: a rebuild applies only the plan lines
# that changed (each copied file's line carries its content hash).
INITRD=$VMDIR/initramfs.cpio.gz
ROOT=$VMDIR/root
awk -F'\t' '$1 ~ /^[fxzg]$/ {print $3}' "$PLAN" | sort -u | tr '\n' '\0' |
	xargs -0 sha256sum >"$GEN/hashes" || bail "cannot read the initramfs inputs"
awk -F'\t' -v OFS='\t' 'FILENAME == ARGV[1] { h = $0; sub(/ .*/, "", h); sub(/^[^ ]*  /, ""); hash[$0] = h; next }
	$1 ~ /^[fxzg]$/ { $4 = hash[$3] } { print }' "$GEN/hashes" "$PLAN" >"$GEN/plan.full"
KEY=$(sha256sum <"$GEN/plan.full" | cut -d' ' -f1)
OLDPLAN=$VMDIR/plan.applied
BUILT=cached
if [ ! -s "$INITRD" ] || [ "$(cat "$VMDIR/initramfs.key" 2>/dev/null)" != "$KEY" ]; then
	BUILT=built
	if [ ! -d "$ROOT" ] || [ ! -f "$OLDPLAN" ]; then
		rm -rf "$ROOT"
		: >"$GEN/old"
	else
		mv "$OLDPLAN" "$GEN/old"
	fi
	mkdir -p "$ROOT"
	# Entries gone from the plan.
	awk -F'\t' 'FILENAME == ARGV[1] { keep[$2] = 1; next } !($2 in keep) { print $2 }' \
		"$GEN/plan.full" "$GEN/old" | while IFS= read -r dest; do rm -rf "${ROOT:?}$dest"; done
	# New or changed entries, in plan order.
	while IFS=$'\t' read -r kind dest src _; do
		t=$ROOT$dest
		[ -d "${t%/*}" ] || mkdir -p "${t%/*}"
		if [ "$kind" != d ] && { [ -e "$t" ] || [ -L "$t" ]; }; then rm -rf "$t"; fi
		case $kind in
		d) [ -d "$t" ] || mkdir -p "$t" ;;
		l) ln -s "$src" "$t" ;;
		c) mknod -m 600 "$t" c 5 1 2>/dev/null || true ;;
		f) cp "$src" "$t" ;;
		x) xz -dc "$src" >"$t" ;;
		z) zstd -qdc "$src" >"$t" ;;
		g) gzip -dc "$src" >"$t" ;;
		esac || bail "initramfs: cannot install $src as $dest"
	done < <(awk 'FILENAME == ARGV[1] { old[$0] = 1; next } !($0 in old)' "$GEN/old" "$GEN/plan.full")
	chmod 755 "$ROOT/init"
	(cd "$ROOT" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc --quiet -R 0:0) | gzip -1 >"$INITRD.tmp" ||
		bail "initramfs: cpio/gzip failed"
	mv "$INITRD.tmp" "$INITRD"
	cp "$GEN/plan.full" "$OLDPLAN"
	echo "$KEY" >"$VMDIR/initramfs.key"
fi
T_BUILT=$(date +%s.%N)

# --- qemu ---
QEMU_ARGS=(-m 512 -nographic -no-reboot -nic none -kernel "$KERNEL" -initrd "$INITRD")
APPEND="console=ttyS0 quiet panic=-1"

# KVM only if /dev/kvm is usable and a probe boot gets to /init in time; the
# result is remembered per host kernel and guest kernel.
if [ "$ACCEL" = auto ]; then
	ACCEL=tcg
	if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		probe_key="$(uname -r) $KERNEL"
		probe_file=$VMDIR/kvm-probe
		if [ "$(sed -n 2p "$probe_file" 2>/dev/null)" = "$probe_key" ]; then
			ACCEL=$(sed -n 1p "$probe_file")
		else
			# A qemu killed by a signal (it aborts where KVM does not work) makes
			# bash print a notice: the subshell's, to /dev/null (|| keeps it from exec'ing).
			(timeout -k 2 "${VM_KVM_PROBE_TIMEOUT:-20}" "$QEMU" -accel kvm -cpu host \
				"${QEMU_ARGS[@]}" -append "$APPEND VMTEST_PROBE=1" </dev/null >"$VMDIR/kvm-probe.log" 2>&1 ||
				true) 2>/dev/null
			if grep -q VM-PROBE-OK "$VMDIR/kvm-probe.log"; then ACCEL=kvm; fi
			printf '%s\n%s\n' "$ACCEL" "$probe_key" >"$probe_file"
		fi
	fi
fi
case $ACCEL in
kvm) QEMU_ARGS=(-accel kvm -cpu host "${QEMU_ARGS[@]}") ;;
tcg) QEMU_ARGS=(-accel tcg "${QEMU_ARGS[@]}") ;;
*) bail "VM_ACCEL must be auto, tcg or kvm: $ACCEL" ;;
esac

# --show: the scenarios' lines (VMTAP: payloads) as they come, but for the ok
# lines of passing checks and the diagnostics ("# " lines) other than those
# right after a failed check.
show_console() {
	local line t after_fail=0
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in *"VMTAP: "*) ;; *) continue ;; esac
		t=${line#*VMTAP: }
		t=${t%$'\r'}
		case $t in
		ok | "ok "* | ok$'\t'*) after_fail=0; continue ;;
		"not ok"*) after_fail=1 ;;
		"#"*) [ "$after_fail" = 1 ] || continue ;;
		*) after_fail=0 ;;
		esac
		printf '%s\n' "$t"
	done
}

if [ "${VM_VERBOSE:-0}" = 1 ]; then
	timeout -k 5 "$TIMEOUT" "$QEMU" "${QEMU_ARGS[@]}" \
		-append "$APPEND VMTEST_STIMEOUT=$STIMEOUT" </dev/null 2>&1 | tee "$LOG" >&2
	QRC=${PIPESTATUS[0]}
elif [ "$SHOW" = 1 ]; then
	timeout -k 5 "$TIMEOUT" "$QEMU" "${QEMU_ARGS[@]}" \
		-append "$APPEND VMTEST_STIMEOUT=$STIMEOUT" </dev/null 2>&1 | tee "$LOG" | show_console >&2
	QRC=${PIPESTATUS[0]}
else
	timeout -k 5 "$TIMEOUT" "$QEMU" "${QEMU_ARGS[@]}" \
		-append "$APPEND VMTEST_STIMEOUT=$STIMEOUT" </dev/null >"$LOG" 2>&1
	QRC=$?
fi
T_END=$(date +%s.%N)

case $QRC in
124 | 137) WHY="timed out after ${TIMEOUT}s (VM_TIMEOUT or --timeout)" ;;
0) WHY="qemu exited before it (kernel panic or a crash of /init?)" ;;
*) WHY="qemu exited with status $QRC" ;;
esac

# --- console -> TAP ---
tr -d '\r' <"$LOG" | awk -v scen="init ${SNAMES[*]}" -v why="$WHY" -v stimeout="$STIMEOUT" '
function add(line) { items[++nitems] = line }
function result(ok, desc) {
	add((ok ? "ok" : "not ok") " - vm: " desc)
	if (!ok && desc !~ /# TODO/) failed = 1
}
function finish_scenario(s,   r) {
	if (rc[s] == 137)
		result(0, s ": killed: over VM_SCENARIO_TIMEOUT (" stimeout " s) or by SIGKILL")
	else if (nres[s] == 0)
		result(0, s ": printed no result (no ok/not ok line)")
	else if (rc[s] != 0 && nfail[s] == 0)
		result(0, s ": exited with status " rc[s] " after passing checks")
}
BEGIN { nwant = split(scen, want, " ") }
# Markers are found anywhere in a line: terminal escapes or kernel output may
# precede them.
index($0, "VMTAP-BEGIN: ") {
	$0 = substr($0, index($0, "VMTAP-BEGIN: "))
	cur = $2; begun[cur] = 1; next
}
index($0, "VMTAP-END: ") {
	$0 = substr($0, index($0, "VMTAP-END: "))
	s = $2; ended[s] = 1
	for (i = 3; i <= NF; i++) {
		if ($i ~ /^rc=/) rc[s] = substr($i, 4) + 0
		if ($i ~ /^secs=/) secs[s] = substr($i, 6)
	}
	add("# " s ": " secs[s] " s")
	finish_scenario(s)
	cur = ""
	next
}
/VMTAP: / {
	t = substr($0, index($0, "VMTAP: ") + 7)
	s = (cur == "") ? "?" : cur
	if (match(t, /^(not )?ok([ \t]|$)/)) {
		ok = (t !~ /^not /)
		sub(/^(not )?ok[ \t]*([0-9]+[ \t]*)?(-[ \t]*)?/, "", t)
		nres[s]++
		if (!ok) nfail[s]++
		result(ok, s ": " t)
	} else {
		sub(/^#[ \t]?/, "", t)
		add("# " s ": " t)
	}
	next
}
/VM-DONE$/ { done = 1 }
/Kernel panic/ && panic == "" { panic = $0 }
END {
	for (i = 1; i <= nwant; i++) {
		s = want[i]
		if (!begun[s]) result(0, s ": did not run (the VM stopped before it)")
		else if (!ended[s]) result(0, s ": did not finish (the VM stopped during it)")
	}
	if (panic != "") result(0, "kernel panic: " panic)
	if (!done) result(0, "VM-DONE never printed: " why)
	n = 0
	for (i = 1; i <= nitems; i++) if (items[i] !~ /^#/) n++
	print "1.." n
	n = 0
	for (i = 1; i <= nitems; i++) {
		if (items[i] ~ /^#/) print items[i]
		else { n++; sub(/^ok/, "ok " n, items[i]); sub(/^not ok/, "not ok " n, items[i]); print items[i] }
	}
	exit failed
}'
RC=$?

fmt() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", b-a}'; }
for note in "${BIN_NOTES[@]}"; do echo "# vm: $note"; done
echo "# vm: kernel $KVER, accel $ACCEL, initramfs $BUILT in $(fmt "$T_START" "$T_BUILT") s," \
	"VM $(fmt "$T_BUILT" "$T_END") s, wall time $(fmt "$T_START" "$T_END") s"
if [ "$RC" -ne 0 ]; then
	echo "# vm: FAILED; full console log: $LOG"
fi
exit "$RC"
