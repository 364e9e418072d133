#!/usr/bin/env bats
# `make install` output runs on a node that has none of our libraries: the
# static binaries in a chroot holding nothing else, a STATIC=0 build with its
# bundle in a chroot holding only libc and the loader.
# Always the shipped (plain) build, also when the suite runs under BUILD=build-san.

load helpers

setup() {
	STAGE=$(mktemp -d)
	make -s -C "$REPO" BUILD=build SAN= DESTDIR="$STAGE" install >/dev/null
}

teardown() {
	rm -rf "$STAGE"
}

@test "make install puts every plugin in /opt/cni/bin" {
	for p in "${PLUGINS[@]}"; do
		[ -x "$STAGE/opt/cni/bin/$p" ]
	done
}

@test "installed plugins and kractl are static: no loader, no library, no bundle" {
	local f
	for f in "${PLUGINS[@]/#/$STAGE/opt/cni/bin/}" "$STAGE/opt/cni/sbin/kractl"; do
		readelf -h "$f" | grep -q 'Type: *DYN' || { echo "$f: not position-independent" >&2; return 1; }
		! readelf -l "$f" | grep -q INTERP || { echo "$f: has a program interpreter" >&2; return 1; }
		! readelf -d "$f" | grep -q NEEDED || { echo "$f: names a shared library" >&2; return 1; }
	done
	[ ! -e "$STAGE/opt/cni/bin/krafty-libs" ]
}

# A chroot holding nothing but what make install put there (and /proc, as on a node).
chroot_run() { # dir, command...
	local dir=$1
	shift
	mkdir -p "$dir/proc"
	[ ! -e "$dir/lib" ] && [ ! -e "$dir/lib64" ] && [ ! -e "$dir/usr" ]
	run env -i CNI_COMMAND=VERSION "$(command -v unshare)" -m -- /bin/sh -c \
		'dir=$1; shift; mount -t proc proc "$dir/proc" && exec /usr/sbin/chroot "$dir" "$@"' sh "$dir" "$@"
}

@test "every installed plugin answers VERSION in a chroot with no libc and no loader" {
	for p in "${PLUGINS[@]}"; do
		chroot_run "$STAGE" "/opt/cni/bin/$p" <<<'{"cniVersion":"1.0.0"}'
		[ "$status" -eq 0 ] || { echo "$p: $output" >&2; return 1; }
		[ "$(jq -r '.supportedVersions | length' <<<"$output")" -eq 5 ]
	done
}

@test "installed kractl validates a NAD (cJSON and libyaml linked in) in a chroot with no libc" {
	mkdir -p "$STAGE/conf"
	cp "$REPO/conf/krafty-nad.yaml" "$STAGE/conf/"
	chroot_run "$STAGE" /opt/cni/sbin/kractl validate /conf/krafty-nad.yaml
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"1 file(s), 1 network(s): 0 error(s), 0 warning(s)"* ]]
}

@test "make STATIC=0 install carries cJSON and libyaml in krafty-libs, found by the runpath in a chroot with only libc" {
	local dyn=$BATS_TEST_TMPDIR/build-dyn stage=$BATS_TEST_TMPDIR/stage lib p
	make -s -j"$(nproc)" -C "$REPO" BUILD="$dyn" SAN= STATIC=0 DESTDIR="$stage" install >/dev/null
	# Every NEEDED library is libc, the loader or shipped in the bundle.
	for p in "${PLUGINS[@]/#/$stage/opt/cni/bin/}" "$stage/opt/cni/sbin/kractl"; do
		readelf -l "$p" | grep -q INTERP
		while read -r lib; do
			case $lib in
			libc.so.6 | ld-linux-x86-64.so.2) ;;
			*) [ -f "$stage/opt/cni/bin/krafty-libs/$lib" ] || { echo "$p needs $lib" >&2; return 1; } ;;
			esac
		done < <(readelf -d "$p" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
	done
	[ -f "$stage/opt/cni/bin/krafty-libs/libcjson.so.1" ]
	mkdir -p "$stage/lib/x86_64-linux-gnu" "$stage/lib64" "$stage/conf" "$stage/proc"
	cp "$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)" "$stage/lib/x86_64-linux-gnu/libc.so.6"
	cp "$(readlink -f /lib64/ld-linux-x86-64.so.2)" "$stage/lib64/ld-linux-x86-64.so.2"
	cp "$REPO/conf/krafty-nad.yaml" "$stage/conf/"
	# Nothing else: no /usr/lib, no ld.so.cache. The loader resolves $ORIGIN through /proc/self/exe.
	[ ! -e "$stage/etc/ld.so.cache" ] && [ ! -e "$stage/usr" ]
	for p in "${PLUGINS[@]}"; do
		run env -i CNI_COMMAND=VERSION "$(command -v unshare)" -m -- /bin/sh -c \
			'mount -t proc proc "$1/proc" && exec /usr/sbin/chroot "$1" "/opt/cni/bin/$2"' sh "$stage" "$p" \
			<<<'{"cniVersion":"1.0.0"}'
		[ "$status" -eq 0 ] || { echo "$p: $output" >&2; return 1; }
		[ "$(jq -r '.supportedVersions | length' <<<"$output")" -eq 5 ]
	done
	run env -i "$(command -v unshare)" -m -- /bin/sh -c \
		'mount -t proc proc "$1/proc" && exec /usr/sbin/chroot "$1" /opt/cni/sbin/kractl validate /conf/krafty-nad.yaml' \
		sh "$stage"
	[ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
}
