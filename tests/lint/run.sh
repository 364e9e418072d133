#!/usr/bin/env bash
# The lint suite, as TAP: clang-format (check mode) and clang-tidy with the
# repo's configs over every C file, shellcheck over every shell script, and the
# 60-line limit on functions in lib/, plugins/, ipam/ and kractl/. A finding fails its test.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2

mapfile -t c_files < <(git ls-files '*.c' '*.h')
mapfile -t prod_c < <(git ls-files 'lib/*.c' 'plugins/*.c' 'ipam/*.c' 'kractl/*.c')
mapfile -t shell_files < <(git ls-files '*.sh' .ci/run)
mapfile -t bats_libs < <(git ls-files '*.bash')

n=0
report() { # report NAME STATUS OUTPUT
	n=$((n + 1))
	if [[ $2 == 0 ]]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		while IFS= read -r line; do echo "# $line"; done <<<"$3" | head -60
	fi
}

echo "1..4"
out=$(clang-format --dry-run --Werror "${c_files[@]}" 2>&1)
report "clang-format: ${#c_files[@]} C files match .clang-format" $? "$out"

out=$(clang-tidy --quiet "${prod_c[@]}" -- -std=gnu11 -D_GNU_SOURCE -Ilib 2>&1 |
	grep -E 'warning:|error:' -A3)
[[ -z $out ]]
report "clang-tidy: ${#prod_c[@]} files of lib/, plugins/, ipam/ and kractl/ without findings (.clang-tidy)" $? "$out"

# The bats libraries share globals with the tests that load them (PLUGINS,
# bats's $status and $output): unused and unassigned variables are not findings there.
out=$({ shellcheck -x "${shell_files[@]}" && shellcheck -x -e SC2034,SC2154 "${bats_libs[@]}"; } 2>&1)
report "shellcheck: ${#shell_files[@]} shell scripts and ${#bats_libs[@]} bats libraries" $? "$out"

out=$(/usr/bin/python3 tests/lint/funclen.py 60 "${prod_c[@]}" 2>&1)
report "no function in lib/, plugins/, ipam/ or kractl/ longer than 60 lines" $? "$out"
