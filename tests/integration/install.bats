#!/usr/bin/env bats
# `make install` output runs on a node that has none of our libraries:
# a chroot holding only libc, the loader and what make install put there.
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

@test "installed plugins need nothing outside libc, the loader and the install bundle" {
	for p in "${PLUGINS[@]}"; do
		# Every NEEDED library is libc/loader or shipped in krafty-libs.
		while read -r lib; do
			case $lib in
			libc.so.6 | ld-linux-x86-64.so.2) ;;
			*) [ -f "$STAGE/opt/cni/bin/krafty-libs/$lib" ] || { echo "$p needs $lib" >&2; return 1; } ;;
			esac
		done < <(readelf -d "$STAGE/opt/cni/bin/$p" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
	done
}

@test "every installed plugin answers VERSION in a chroot with only libc and the loader" {
	local libc ld
	libc=$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)
	ld=$(readlink -f /lib64/ld-linux-x86-64.so.2)
	mkdir -p "$STAGE/lib/x86_64-linux-gnu" "$STAGE/lib64"
	cp "$libc" "$STAGE/lib/x86_64-linux-gnu/libc.so.6"
	cp "$ld" "$STAGE/lib64/ld-linux-x86-64.so.2"
	# Nothing else: no /usr/lib, no ld.so.cache.
	[ ! -e "$STAGE/etc/ld.so.cache" ]
	[ ! -e "$STAGE/usr" ]
	# A node has /proc: the loader resolves the $ORIGIN runpath through /proc/self/exe.
	mkdir -p "$STAGE/proc"
	for p in "${PLUGINS[@]}"; do
		run env -i CNI_COMMAND=VERSION "$(command -v unshare)" -m -- /bin/sh -c \
			'mount -t proc proc "$1/proc" && exec /usr/sbin/chroot "$1" "/opt/cni/bin/$2"' sh "$STAGE" "$p" \
			<<<'{"cniVersion":"1.0.0"}'
		[ "$status" -eq 0 ] || { echo "$p: $output" >&2; return 1; }
		[ "$(jq -r '.supportedVersions | length' <<<"$output")" -eq 5 ]
	done
}

@test "installed kractl (cJSON, libmnl, libyaml from the bundle) validates a NAD in a chroot with only libc" {
	local libc ld
	libc=$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)
	ld=$(readlink -f /lib64/ld-linux-x86-64.so.2)
	mkdir -p "$STAGE/lib/x86_64-linux-gnu" "$STAGE/lib64" "$STAGE/proc" "$STAGE/conf"
	cp "$libc" "$STAGE/lib/x86_64-linux-gnu/libc.so.6"
	cp "$ld" "$STAGE/lib64/ld-linux-x86-64.so.2"
	cp "$REPO/conf/krafty-nad.yaml" "$STAGE/conf/"
	[ ! -e "$STAGE/usr" ]
	readelf -d "$STAGE/opt/cni/sbin/kractl" | grep -q 'NEEDED.*libyaml'
	run env -i "$(command -v unshare)" -m -- /bin/sh -c \
		'mount -t proc proc "$1/proc" && exec /usr/sbin/chroot "$1" /opt/cni/sbin/kractl validate /conf/krafty-nad.yaml' \
		sh "$STAGE"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"1 file(s), 1 network(s): 0 error(s), 0 warning(s)"* ]]
}
