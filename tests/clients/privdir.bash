# shellcheck shell=bash
# The end of a client's private directory (containerd.sh, podman.sh): the
# directories it created outside, listed in DIR/created-dirs, are removed when
# empty, and DIR itself only when nothing is mounted below it any more.
# privdir_remove DIR LABEL: 0, or 1 with a message when mounts are left.
privdir_remove() {
	local dir=$1 label=$2 m
	if [[ -f $dir/created-dirs ]]; then
		sort -ru "$dir/created-dirs" | while read -r m; do
			rmdir "$m" 2>/dev/null
		done
	fi
	if findmnt -rn -o TARGET | grep -qF "$dir/"; then
		echo "$label: mounts left under $dir, not removing it" >&2
		return 1
	fi
	rm -rf --one-file-system "$dir"
}
