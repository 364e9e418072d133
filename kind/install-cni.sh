#!/bin/sh
# Copy the krafty suite (static binaries; a STATIC=0 build adds its krafty-libs bundle) into the node's CNI bin dir,
# atomically per file (copy to a temp name, then rename) so a kubelet exec never
# sees a half-written binary. Then sleep, so the DaemonSet pod stays Running.
# SRC and DEST can be overridden (the tests run this script against a temp dir).
set -eu
SRC=${SRC:-/krafty/bin}
DEST=${DEST:-/host/opt/cni/bin}
ONESHOT=${ONESHOT:-0}

copy_tree() {
	from=$1 to=$2
	mkdir -p "$to"
	for f in "$from"/*; do
		name=$(basename "$f")
		if [ -d "$f" ]; then
			# a subshell: POSIX sh has no local variables, recursion would clobber from/to
			(copy_tree "$f" "$to/$name")
		else
			cp "$f" "$to/.$name.tmp"
			chmod "$(stat -c %a "$f")" "$to/.$name.tmp"
			mv -f "$to/.$name.tmp" "$to/$name"
		fi
	done
}

copy_tree "$SRC" "$DEST"
echo "krafty: installed $(find "$SRC" -type f | wc -l) files into $DEST"
[ "$ONESHOT" = 1 ] && exit 0
exec sleep infinity
