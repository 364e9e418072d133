#!/usr/bin/env bash
# The one test command: installs dependencies, builds (plain and ASan/UBSan),
# runs every suite as TAP and ends with "N passed, N failed".
# Suites: unit (cmocka), integration (bats, plain build), sanitizer (bats on the
# ASan/UBSan build), fuzz (a short libFuzzer run of every target on its corpus),
# vm (VRF scenarios in a qemu guest).
# Select suites with SUITES="unit integration" (default: all).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
root=$PWD
results=$root/build/test-results
SUITES=${SUITES:-unit integration sanitizer fuzz vm}

if [[ $(id -u) != 0 ]]; then
	echo "tests need root (network namespaces); run make test as root" >&2
	exit 2
fi
bash tests/deps.sh || { echo "0 passed, 1 failed"; exit 1; }
make -s -j"$(nproc)" all unit >/dev/null || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
if [[ " $SUITES " == *" sanitizer "* ]]; then
	make -s -j"$(nproc)" BUILD=build-san SAN=1 all >/dev/null ||
		{ echo "sanitizer build failed"; echo "0 passed, 1 failed"; exit 1; }
fi
rm -rf "$results" && mkdir -p "$results"

run_unit() {
	local t
	for t in build/unit/test_*; do
		[[ -x $t ]] || continue
		CMOCKA_MESSAGE_OUTPUT=TAP "$t" || true
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

total_pass=0 total_fail=0 total_skip=0
for suite in $SUITES; do
	tap=$results/$suite.tap
	start=$SECONDS
	"run_$suite" >"$tap" 2>"$results/$suite.stderr"
	pass=$(grep -cE '^ok ' "$tap" | tr -d '\n'); pass=${pass:-0}
	skip=$(grep -cE '^ok .*# (skip|SKIP)' "$tap" | tr -d '\n'); skip=${skip:-0}
	fail=$(grep -cE '^not ok ' "$tap" | tr -d '\n'); fail=${fail:-0}
	pass=$((pass - skip))
	# A plan that is not met (a crash mid-suite) is a failure of its own.
	planned=$(grep -hE '^1\.\.[0-9]+' "$tap" | awk -F'[.][.]' '{s += $2} END {print s + 0}')
	if ((pass + fail + skip < planned)); then
		echo "not ok - $suite: $((planned - pass - fail - skip)) planned tests did not report" >>"$tap"
		fail=$((fail + planned - pass - fail - skip))
	fi
	if ((pass + fail + skip == 0)); then
		echo "not ok - $suite: suite ran no test" >>"$tap"
		fail=$((fail + 1))
	fi
	grep -E '^not ok ' "$tap" | sed "s/^/[$suite] /"
	printf '%-11s %4d passed, %3d failed, %3d skipped (%ds)  %s\n' "$suite:" "$pass" "$fail" "$skip" \
		$((SECONDS - start)) "${tap#"$root"/}"
	total_pass=$((total_pass + pass)) total_fail=$((total_fail + fail)) total_skip=$((total_skip + skip))
done
if ((total_skip)); then
	echo "$total_pass passed, $total_fail failed, $total_skip skipped"
else
	echo "$total_pass passed, $total_fail failed"
fi
((total_fail == 0))
