#!/usr/bin/env bash
# Dependencies of the real-client tests (tests/integration/clients-*.bats), from Debian:
# containerd + runc for `ctr run --cni`, Go and libcni's sources for our libcni client,
# busybox-static for the container image. Idempotent: apt runs only when one is missing.
set -euo pipefail
packages=(containerd runc golang-go golang-github-appc-cni-dev busybox-static)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
	echo "clients deps: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "clients deps: all present" >&2
