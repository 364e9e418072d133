#!/usr/bin/env bash
# Install build and test dependencies from Debian. Idempotent; skips apt when all are present.
set -euo pipefail
packages=(
	build-essential pkg-config libcjson-dev libnl-3-dev libnl-route-3-dev libmnl-dev
	libcmocka-dev bats jq iproute2 shellcheck clang libclang-rt-14-dev
	qemu-system-x86 linux-image-amd64 busybox-static kmod cpio
	containernetworking-plugins python3-yaml iputils-ping
	containerd runc golang-go golang-github-appc-cni-dev python3-grpcio python3-grpc-tools podman conmon
)
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
echo "deps: all present" >&2
