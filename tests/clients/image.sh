#!/usr/bin/env bash
# Builds a tiny OCI image tar locally, nothing pulled: an OCI layout (oci-layout,
# index.json, blobs/sha256/*) with one uncompressed layer, an image config and a
# manifest written here with their sha256 digests. Prints the tar's path. Cached under
# ${BUILD:-build}/clients/: rebuilt only when its inputs or this script change.
#   image.sh [busybox|pause] [--ref]
#   busybox  (default) Debian's busybox-static, one symlink per applet; Cmd /bin/sh
#   pause    tests/clients/pause.c linked statically: the CRI tests' sandbox_image
#   --ref    print the name `ctr image import` gives the image instead of building it
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-build}
[[ $build == /* ]] || build=$repo/$build
out=$build/clients
kind=busybox ref_only=
for arg in "$@"; do
	case $arg in
	busybox | pause) kind=$arg ;;
	--ref) ref_only=1 ;;
	*) echo "usage: $0 [busybox|pause] [--ref]" >&2; exit 2 ;;
	esac
done
case $kind in
busybox) IMAGE_REF=docker.io/krafty/clients-busybox:test ;;
pause) IMAGE_REF=docker.io/krafty/clients-pause:test ;;
esac
if [[ -n $ref_only ]]; then
	echo "$IMAGE_REF"
	exit 0
fi
busybox=/bin/busybox
pause_src=$repo/tests/clients/pause.c
cc=${CC:-cc}
if [[ $kind == busybox ]]; then
	if ! [[ -x $busybox ]] || ! "$busybox" --list >/dev/null 2>&1; then
		echo "image.sh: $busybox missing (apt-get install busybox-static)" >&2
		exit 1
	fi
	file "$busybox" 2>/dev/null | grep -q 'dynamically linked' &&
		{ echo "image.sh: $busybox is not static" >&2; exit 1; }
	inputs=("$busybox" "$0")
else
	command -v "$cc" >/dev/null || { echo "image.sh: no C compiler ($cc)" >&2; exit 1; }
	inputs=("$pause_src" "$0" "$(command -v "$cc")")
fi

key=$( { sha256sum "${inputs[@]}" | cut -d' ' -f1; echo "$IMAGE_REF"; } | sha256sum | cut -d' ' -f1)
tar_path=$out/$kind-oci.tar
if [[ -s $tar_path && -f $out/$kind-oci.key && $(cat "$out/$kind-oci.key") == "$key" ]]; then
	echo "$tar_path"
	exit 0
fi

mkdir -p "$out"
work=$(mktemp -d "$out/image.XXXXXX")
trap 'rm -rf "$work"' EXIT

rootfs=$work/rootfs
if [[ $kind == busybox ]]; then
	# The root filesystem: busybox and one symlink per applet, plus the usual mount points.
	mkdir -p "$rootfs"/{bin,sbin,dev,proc,sys,etc,tmp,run,root}
	chmod 1777 "$rootfs/tmp"
	install -m 0755 "$busybox" "$rootfs/bin/busybox"
	for applet in $("$busybox" --list); do
		[[ $applet == busybox ]] && continue
		ln -s busybox "$rootfs/bin/$applet"
	done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
	echo 'root:x:0:' >"$rootfs/etc/group"
	exec_config='"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["/bin/sh"]'
	history='tests/clients/image.sh (busybox-static)'
else
	# The root filesystem: the static pause binary and the mount points runc needs.
	mkdir -p "$rootfs"/{dev,proc,sys,etc}
	"$cc" -static -Os -Wall -Wextra -Werror -o "$rootfs/pause" "$pause_src"
	# Static: no program interpreter (readelf comes with binutils, as cc does).
	if readelf -l "$rootfs/pause" | grep -q INTERP; then
		echo "image.sh: $cc did not link pause statically" >&2
		exit 1
	fi
	exec_config='"Env":["PATH=/"],"Entrypoint":["/pause"]'
	history='tests/clients/image.sh (tests/clients/pause.c)'
fi

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
{"architecture":"amd64","os":"linux","config":{$exec_config,"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["$layer_digest"]},"history":[{"created_by":"$history"}]}
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
echo "$key" >"$out/$kind-oci.key"
echo "$tar_path"
