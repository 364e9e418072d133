#!/usr/bin/env bash
# Install build and test dependencies from Debian. Idempotent; skips apt when all are present.
#   tests/deps.sh [GROUP...]    groups: build demo vm test (default: all of them)
# make demo asks for "build demo" first and for "vm" only when it needs the VM.
# DEPS_QUIET=1: say nothing when everything is present.
set -euo pipefail
declare -A group=(
	[build]="build-essential pkg-config dpkg-dev libcjson-dev libyaml-dev"
	[demo]="jq iproute2 iputils-ping"
	[vm]="qemu-system-x86 linux-image-amd64 busybox-static kmod cpio"
	[test]="libcmocka-dev bats shellcheck clang clang-format clang-tidy libclang-rt-14-dev
		containernetworking-plugins
		python3-yaml containerd runc golang-go golang-github-appc-cni-dev
		python3-grpcio python3-grpc-tools podman conmon strace"
)
(($#)) || set -- build demo vm test
packages=()
for g in "$@"; do
	[[ -n ${group[$g]:-} ]] || { echo "deps: unknown group $g (build demo vm test)" >&2; exit 2; }
	read -ra p <<<"${group[$g]//$'\n'/ }"
	packages+=("${p[@]}")
done
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
	echo "deps: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
[[ ${DEPS_QUIET:-0} == 1 ]] || echo "deps: all present" >&2
