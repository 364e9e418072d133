#!/usr/bin/env bash
# The one test command: installs dependencies, builds (plain and ASan/UBSan),
# runs every suite as TAP and ends with "N passed, N failed".
# Suites: unit (cmocka), integration (bats, plain build), sanitizer (bats on the
# ASan/UBSan build), fuzz (a short libFuzzer run of every target on its corpus),
# vm (VRF scenarios in a qemu guest).
# Select suites with SUITES="unit integration" (default: all).
# SUITES=unit (make check) needs no root: it checks the unit suite's own build
# dependencies instead of running tests/deps.sh. Every other suite needs root.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
root=$PWD
results=$root/build/test-results
SUITES=${SUITES:-lint unit integration sanitizer fuzz vm}
# The terminal: a suite's stdout goes to its TAP file, per-binary lines come here.
exec 3>&1

need_root=0
for suite in $SUITES; do
	case $suite in
	unit) ;;
	lint | integration | sanitizer | fuzz | vm) need_root=1 ;;
	*)
		echo "unknown suite \"$suite\" (suites: lint unit integration sanitizer fuzz vm)" >&2
		exit 2
		;;
	esac
done

# The unit suite's build dependencies, as the Debian packages missing here.
# A library counts as present when a program including its headers links.
links() { # package, headers (space-separated), then the link flags
	local pkg=$1 headers=$2 h
	shift 2
	for h in $headers; do printf '#include <%s>\n' "$h"; done |
		{ cat; echo 'int main(void) { return 0; }'; } |
		cc -x c - -o /dev/null "$@" >/dev/null 2>&1 || echo "$pkg"
}
unit_deps_missing() {
	command -v make >/dev/null || echo make
	command -v cc >/dev/null || { echo gcc; return; }
	links libcmocka-dev "stdarg.h stddef.h stdint.h setjmp.h cmocka.h" -lcmocka
	links libcjson-dev cjson/cJSON.h -lcjson
}

if ((need_root)); then
	if [[ $(id -u) != 0 ]]; then
		echo "suites $SUITES need root (network namespaces); run make test as root," >&2
		echo "or SUITES=unit (make check) as any user" >&2
		exit 2
	fi
	bash tests/deps.sh || { echo "0 passed, 1 failed"; exit 1; }
else
	mapfile -t missing < <(unit_deps_missing | sort -u)
	if ((${#missing[@]})); then
		if [[ $(id -u) != 0 ]]; then
			echo "unit tests need these Debian packages, missing here: ${missing[*]}" >&2
			echo "install them as root: apt-get install ${missing[*]} (or: bash tests/deps.sh)" >&2
			exit 2
		fi
		bash tests/deps.sh || { echo "0 passed, 1 failed"; exit 1; }
	fi
fi
targets=(unit)
((need_root)) && targets=(all unit)
make -s -j"$(nproc)" "${targets[@]}" >/dev/null || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
if [[ " $SUITES " == *" sanitizer "* ]]; then
	make -s -j"$(nproc)" BUILD=build-san SAN=1 all >/dev/null ||
		{ echo "sanitizer build failed"; echo "0 passed, 1 failed"; exit 1; }
fi
rm -rf "$results" && mkdir -p "$results"

# Counts of one TAP file into pass, fail, skip (passes without the skips) and
# planned (the sum of its plans), for the caller's variables.
count_tap() {
	pass=$(grep -cE '^ok ' "$1")
	skip=$(grep -cE '^ok .*# (skip|SKIP)' "$1")
	fail=$(grep -cE '^not ok ' "$1")
	pass=$((pass - skip))
	planned=$(grep -hE '^1\.\.[0-9]+' "$1" | awk -F'[.][.]' '{s += $2} END {print s + 0}')
}

# Every tests/unit/test_*.c is one cmocka binary: each one's TAP (test names
# prefixed with the binary's) and one summary line per binary on the terminal.
# A binary that is missing, reports no plan, stops before its plan is met or
# dies of a signal fails on its own.
run_unit() {
	local src name bin out status how i pass fail skip planned
	mkdir -p "$results/unit"
	for src in tests/unit/test_*.c; do
		name=$(basename "$src" .c) bin=build/unit/$(basename "$src" .c)
		out=$results/unit/$name.tap
		if [[ ! -x $bin ]]; then
			echo "not ok - $name: $bin was not built" >"$out"
		else
			CMOCKA_MESSAGE_OUTPUT=TAP "$bin" | sed -E "s/^((not )?ok [0-9]+ - )/\1$name: /" >"$out"
			status=${PIPESTATUS[0]}
			how="exit status $status"
			((status > 128)) && how="killed by signal $((status - 128))"
			count_tap "$out"
			if ((planned == 0)); then
				echo "not ok - $name: no plan ($how)" >>"$out"
			elif ((pass + fail + skip < planned)); then
				for ((i = pass + fail + skip + 1; i <= planned; i++)); do
					echo "not ok $i - $name: test $i of $planned did not report ($how)" >>"$out"
				done
			elif ((status > 128 && fail == 0)); then
				echo "not ok - $name: $how after its tests passed" >>"$out"
			fi
		fi
		count_tap "$out"
		printf '  %-24s %4d passed, %3d failed, %3d skipped  %s\n' "$name" "$pass" "$fail" "$skip" \
			"${out#"$root"/}" >&3
		cat "$out"
	done
}
run_integration() { BUILD=build bats --tap tests/integration/; }
run_sanitizer() {
	BUILD=build-san SAN=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 bats --tap tests/integration/
}
run_fuzz() {
	make -s BUILD=build-fuzz CC=clang FUZZ=1 fuzzers >/dev/null 2>&1 ||
		{ echo "not ok - fuzz: building the fuzz targets failed"; return; }
	FUZZ_SECONDS=${FUZZ_SECONDS:-10} bash tests/fuzz/run.sh
}
run_vm() { BUILD=build bash tests/vm/run.sh; }
run_lint() { bash tests/lint/run.sh; }

# The suites' krafty DELs park bridges in the node-wide pool of spares
# (/run/krafty/spares.lock); a run trims it back to the count the node had, so
# that it leaves no krsbNN bridges behind. Not a test: it prints nothing.
# shellcheck source=bench/lib.sh
. bench/lib.sh
spares_before=$(krafty_spares)

total_pass=0 total_fail=0 total_skip=0
for suite in $SUITES; do
	tap=$results/$suite.tap
	start=$SECONDS
	"run_$suite" >"$tap" 2>"$results/$suite.stderr"
	count_tap "$tap"
	# A plan that is not met (a crash mid-suite) is a failure of its own.
	if ((pass + fail + skip < planned)); then
		echo "not ok - $suite: $((planned - pass - fail - skip)) planned tests did not report" >>"$tap"
		fail=$((fail + planned - pass - fail - skip))
	fi
	if ((pass + fail + skip == 0)); then
		echo "not ok - $suite: suite ran no test" >>"$tap"
		fail=$((fail + 1))
	fi
	# Each failure with the first lines of its diagnostics, so that a CI log
	# that keeps only the terminal still says why.
	awk -v s="[$suite] " '/^not ok /{n = 0; show = 1; print s $0; next}
		/^(ok|1\.\.)/{show = 0} show && /^#/ && n++ < 25 {print s "  " $0}' "$tap"
	printf '%-11s %4d passed, %3d failed, %3d skipped (%ds)  %s\n' "$suite:" "$pass" "$fail" "$skip" \
		$((SECONDS - start)) "${tap#"$root"/}"
	total_pass=$((total_pass + pass)) total_fail=$((total_fail + fail)) total_skip=$((total_skip + skip))
done
krafty_spares_trim "$spares_before" "$root/build/bin"
if ((total_skip)); then
	echo "$total_pass passed, $total_fail failed, $total_skip skipped"
else
	echo "$total_pass passed, $total_fail failed"
fi
((total_fail == 0))
