#!/usr/bin/env bash
# Builds tests/clients/libcni-client with Debian's Go against Debian's libcni sources,
# offline, in GOPATH mode: GOPATH = a temp dir holding our source + /usr/share/gocode.
# Output: ${BUILD:-build}/clients/libcni-client (printed); rebuilt only when the source,
# libcni or the Go toolchain changed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${BUILD:-build}
[[ $build == /* ]] || build=$repo/$build
out=$build/clients
bin=$out/libcni-client
libcni=/usr/share/gocode/src/github.com/containernetworking/cni
command -v go >/dev/null || { echo "build-client.sh: go missing (tests/deps.sh installs it)" >&2; exit 1; }
[[ -d $libcni/libcni ]] || { echo "build-client.sh: $libcni missing (golang-github-appc-cni-dev)" >&2; exit 1; }

key=$( { cat "$here/libcni-client/main.go"; go version; dpkg-query -W -f='${Version}' golang-github-appc-cni-dev; } |
	sha256sum | cut -d' ' -f1)
if [[ -x $bin && -f $bin.key && $(cat "$bin.key") == "$key" ]]; then
	echo "$bin"
	exit 0
fi
mkdir -p "$out"
gopath=$(mktemp -d "$out/gopath.XXXXXX")
trap 'rm -rf "$gopath"' EXIT
mkdir -p "$gopath/src/krafty-tests/libcni-client"
cp "$here/libcni-client/main.go" "$gopath/src/krafty-tests/libcni-client/"
(
	cd "$gopath/src/krafty-tests/libcni-client"
	GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOFLAGS="" GOPROXY=off \
		GOCACHE="$out/go-cache" CGO_ENABLED=0 go build -o "$bin.tmp" .
)
mv "$bin.tmp" "$bin"
echo "$key" >"$bin.key"
echo "$bin"
