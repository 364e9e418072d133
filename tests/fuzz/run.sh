#!/usr/bin/env bash
# Run every libFuzzer target for FUZZ_SECONDS each on its corpus (tests/fuzz/corpus/<name>),
# printing TAP. New inputs go to a scratch dir, not the repo; crashes are kept in
# build-fuzz/crashes/ and must become regression inputs in the corpus.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
secs=${FUZZ_SECONDS:-10}
bins=(build-fuzz/fuzz/fuzz_*)
echo "1..${#bins[@]}"
n=0
for bin in "${bins[@]}"; do
	n=$((n + 1))
	name=$(basename "$bin")
	corpus=tests/fuzz/corpus/${name#fuzz_}
	scratch=$(mktemp -d)
	mkdir -p build-fuzz/crashes "$corpus"
	if "$bin" -max_total_time="$secs" -timeout=5 -rss_limit_mb=1024 -print_final_stats=0 \
		-artifact_prefix=build-fuzz/crashes/"$name"- "$scratch" "$corpus" >build-fuzz/"$name".log 2>&1; then
		execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+|#[0-9]+' build-fuzz/"$name".log | tail -1)
		echo "ok $n - fuzz: $name ran ${secs}s on $(find "$corpus" -type f | wc -l) seed inputs, no crash ${execs:+($execs)}"
	else
		echo "not ok $n - fuzz: $name crashed; see build-fuzz/$name.log and build-fuzz/crashes/"
		tail -20 build-fuzz/"$name".log | sed 's/^/# /'
	fi
	rm -rf "$scratch"
done
