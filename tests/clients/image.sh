#!/usr/bin/env bash
# Builds a tiny OCI image tar from Debian's busybox-static, locally, nothing pulled:
# an OCI layout (oci-layout, index.json, blobs/sha256/*) with one uncompressed layer,
# an image config and a manifest written here with their sha256 digests.
# Prints the tar's path. Cached under ${BUILD:-build}/clients/: rebuilt only when
# busybox or this script changes.
#   IMAGE_REF (printed by `image.sh --ref`) is the name `ctr image import` gives it.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-build}
[[ $build == /* ]] || build=$repo/$build
out=$build/clients
IMAGE_REF=docker.io/krafty/clients-busybox:test
if [[ ${1:-} == --ref ]]; then
	echo "$IMAGE_REF"
	exit 0
fi
busybox=/bin/busybox
if ! [[ -x $busybox ]] || ! "$busybox" --list >/dev/null 2>&1; then
	echo "image.sh: $busybox missing (apt-get install busybox-static)" >&2
	exit 1
fi
file "$busybox" 2>/dev/null | grep -q 'dynamically linked' &&
	{ echo "image.sh: $busybox is not static" >&2; exit 1; }

key=$( { sha256sum "$busybox" "$0" | cut -d' ' -f1; echo "$IMAGE_REF"; } | sha256sum | cut -d' ' -f1)
tar_path=$out/busybox-oci.tar
if [[ -s $tar_path && -f $out/busybox-oci.key && $(cat "$out/busybox-oci.key") == "$key" ]]; then
	echo "$tar_path"
	exit 0
fi

mkdir -p "$out"
work=$(mktemp -d "$out/image.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The root filesystem: busybox and one symlink per applet, plus the usual mount points.
rootfs=$work/rootfs
mkdir -p "$rootfs"/{bin,sbin,dev,proc,sys,etc,tmp,run,root}
chmod 1777 "$rootfs/tmp"
install -m 0755 "$busybox" "$rootfs/bin/busybox"
for applet in $("$busybox" --list); do
	[[ $applet == busybox ]] && continue
	ln -s busybox "$rootfs/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
echo 'root:x:0:' >"$rootfs/etc/group"

layout=$work/layout
mkdir -p "$layout/blobs/sha256"
blob() { # blob FILE -> moves FILE into blobs, prints "digest size"
	local d s
	d=$(sha256sum "$1" | cut -d' ' -f1)
	s=$(stat -c %s "$1")
	mv "$1" "$layout/blobs/sha256/$d"
	echo "sha256:$d $s"
}

# Deterministic layer tar: sorted, owned by root, mtime 0.
tar -C "$rootfs" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
	--format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
	-cf "$work/layer.tar" .
read -r layer_digest layer_size < <(blob "$work/layer.tar")

cat >"$work/config.json" <<JSON
{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["/bin/sh"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["$layer_digest"]},"history":[{"created_by":"tests/clients/image.sh (busybox-static)"}]}
JSON
read -r config_digest config_size < <(blob "$work/config.json")

cat >"$work/manifest.json" <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"$config_digest","size":$config_size},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"$layer_digest","size":$layer_size}]}
JSON
read -r manifest_digest manifest_size < <(blob "$work/manifest.json")

cat >"$layout/index.json" <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"$manifest_digest","size":$manifest_size,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"$IMAGE_REF","org.opencontainers.image.ref.name":"${IMAGE_REF##*:}"}}]}
JSON
echo '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"

# Every JSON document must parse and every blob must match its name.
for f in "$layout/index.json" "$layout/oci-layout" "$layout/blobs/sha256/${config_digest#sha256:}" \
	"$layout/blobs/sha256/${manifest_digest#sha256:}"; do
	jq -e . "$f" >/dev/null || { echo "image.sh: bad JSON in $f" >&2; exit 1; }
done
(cd "$layout/blobs/sha256" && for b in *; do echo "$b  $b"; done | sha256sum -c --quiet) ||
	{ echo "image.sh: blob digest mismatch" >&2; exit 1; }

tar -C "$layout" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$work/image.tar" \
	oci-layout index.json blobs
mv "$work/image.tar" "$tar_path"
echo "$key" >"$out/busybox-oci.key"
echo "$tar_path"
