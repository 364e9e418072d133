#!/usr/bin/env bash
# shellcheck disable=SC2016
# A private podman (Debian's 4.3) on its CNI network backend, for the client tests.
# Source it and call:
#   podman_start      a fresh $PODMAN_DIR (under /tmp) with podman's config, storage and CNI
#                     dirs; loads the busybox OCI image of tests/clients/image.sh as
#                     $PODMAN_IMAGE
#   pm ARGS...        podman with that config, in the mount namespace below
#   pm_ns CMD...      any command in that mount namespace (the pods' netns files are there)
#   podman_stop       remove every container (their DELs run), end the namespace, remove
#                     $PODMAN_DIR
#
# podman's CNI backend runs the plugins itself through libcni: plugins from
# cni_plugin_dirs ($PODMAN_DIR/cni/bin), networks from network_config_dir
# ($PODMAN_DIR/cni/net.d; one conflist per network, named by its "name"), both set in the
# containers.conf named by CONTAINERS_CONF; storage (vfs) and run root in the
# storage.conf named by CONTAINERS_STORAGE_CONF. What has no setting is moved by mounts,
# in a mount namespace of its own held by a `sleep` ($PODMAN_DIR/mntns.pid), in which
# every podman command runs (and conmon, and the containers): libcni's cache and
# host-local's default dataDir (/var/lib/cni -> $PODMAN_DIR/cni/lib), the netns files
# (/run/netns -> $PODMAN_DIR/netns), c/image's blob cache (/var/lib/containers ->
# $PODMAN_DIR/varlib-containers), and /usr/lib/cni (Debian's reference plugins, which
# podman also searches) is hidden by an empty dir. Mount points missing on the host are
# created and removed again by podman_stop when still empty.
# `podman run` needs --ulimit nofile=1024:1024 --ulimit nproc=1000:1000 on our machines
# (it refuses podman's default rlimits): $PODMAN_RUN_OPTS.

PODMAN_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/clients/privdir.bash
. "$PODMAN_HERE/privdir.bash"
# shellcheck disable=SC2034 # used by the bats files that source this
PODMAN_RUN_OPTS=(--ulimit nofile=1024:1024 --ulimit nproc=1000:1000)
PODMAN_MOUNTS=(/var/lib/cni:cni/lib /usr/lib/cni:cni/empty /run/netns:netns
	/var/lib/containers:varlib-containers)

pm_ns() {
	nsenter --mount="/proc/$(cat "$PODMAN_DIR/mntns.pid")/ns/mnt" -- "$@"
}

pm() {
	CONTAINERS_CONF=$PODMAN_DIR/containers.conf CONTAINERS_STORAGE_CONF=$PODMAN_DIR/storage.conf \
		pm_ns podman "$@"
}

podman_start() {
	local image_tar i m missing p
	for i in podman conmon runc nsenter unshare; do
		command -v "$i" >/dev/null ||
			{ echo "podman.sh: $i not found (tests/deps.sh installs it)" >&2; return 1; }
	done
	image_tar=$(BUILD=${BUILD:-build} bash "$PODMAN_HERE/image.sh") || return 1
	PODMAN_IMAGE=$(bash "$PODMAN_HERE/image.sh" --ref)
	PODMAN_DIR=$(mktemp -d /tmp/krafty-podman.XXXXXX) || return 1
	export PODMAN_DIR PODMAN_IMAGE
	mkdir -p "$PODMAN_DIR"/{cni/net.d,cni/bin,cni/lib,cni/empty,netns,varlib-containers,storage,runroot,tmp}
	# Sanitizer options (the sanitizer suite) with reports written to $PODMAN_DIR/san.*:
	# exported, and in containers.conf's engine env too, as conmon starts the
	# `podman container cleanup` that runs a stopped container's DEL with only
	# CONTAINERS_CONF and a few other variables of ours.
	local engine_env=()
	if [[ -n ${ASAN_OPTIONS:-} ]]; then
		export ASAN_OPTIONS=$ASAN_OPTIONS:log_path=$PODMAN_DIR/san.asan
		engine_env+=("\"ASAN_OPTIONS=$ASAN_OPTIONS\"")
	fi
	if [[ -n ${UBSAN_OPTIONS:-} ]]; then
		export UBSAN_OPTIONS=$UBSAN_OPTIONS:log_path=$PODMAN_DIR/san.ubsan
		engine_env+=("\"UBSAN_OPTIONS=$UBSAN_OPTIONS\"")
	fi
	cat >"$PODMAN_DIR/containers.conf" <<EOF
[network]
network_backend = "cni"
cni_plugin_dirs = ["$PODMAN_DIR/cni/bin"]
network_config_dir = "$PODMAN_DIR/cni/net.d"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$PODMAN_DIR/events.log"
runtime = "runc"
tmp_dir = "$PODMAN_DIR/tmp"
env = [$(IFS=,; echo "${engine_env[*]}")]
EOF
	cat >"$PODMAN_DIR/storage.conf" <<EOF
[storage]
driver = "vfs"
graphroot = "$PODMAN_DIR/storage"
runroot = "$PODMAN_DIR/runroot"
EOF
	for m in "${PODMAN_MOUNTS[@]}"; do
		missing=() p=${m%%:*}
		while [[ ! -e $p ]]; do
			missing=("$p" "${missing[@]}")
			p=$(dirname "$p")
		done
		if ((${#missing[@]})); then
			mkdir -p "${m%%:*}" || return 1
			printf '%s\n' "${missing[@]}" >>"$PODMAN_DIR/created-dirs"
		fi
	done
	unshare --mount --propagation private -- /bin/sh -c '
		d=$1; shift
		for m; do mount --bind "$d/${m#*:}" "${m%%:*}" || exit 1; done
		touch "$d/mntns.ready" && exec sleep infinity' holder "$PODMAN_DIR" "${PODMAN_MOUNTS[@]}" \
		</dev/null >"$PODMAN_DIR/mntns.log" 2>&1 3>&- &
	echo $! >"$PODMAN_DIR/mntns.pid"
	disown "$!"
	for ((i = 0; i < 100; i++)); do
		[[ -e $PODMAN_DIR/mntns.ready ]] && break
		kill -0 "$(cat "$PODMAN_DIR/mntns.pid")" 2>/dev/null || break
		sleep 0.05
	done
	[[ -e $PODMAN_DIR/mntns.ready ]] ||
		{ echo "podman.sh: the mount namespace was not set up:" >&2; cat "$PODMAN_DIR/mntns.log" >&2; return 1; }
	pm load -q -i "$image_tar" >"$PODMAN_DIR/load.log" 2>&1 ||
		{ echo "podman.sh: podman load failed:" >&2; cat "$PODMAN_DIR/load.log" >&2; return 1; }
	pm image exists "$PODMAN_IMAGE" ||
		{ echo "podman.sh: $PODMAN_IMAGE not loaded" >&2; pm images >&2; return 1; }
}

# PIDs of processes whose command line names our dir (conmon, podman cleanup).
_podman_pids() {
	grep -alsF -- "$PODMAN_DIR/" /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3
}

podman_stop() {
	[[ -n ${PODMAN_DIR:-} && -d $PODMAN_DIR ]] || return 0
	# Best effort to the end, also when called under set -e (options local to this call).
	local -
	set +e
	local pid m rc=0
	if [[ -f $PODMAN_DIR/mntns.pid ]] && kill -0 "$(cat "$PODMAN_DIR/mntns.pid")" 2>/dev/null; then
		pm rm -a -f -t 0 >/dev/null 2>&1 || rc=1
		for pid in $(_podman_pids); do
			kill -9 "$pid" 2>/dev/null
		done
		kill "$(cat "$PODMAN_DIR/mntns.pid")" 2>/dev/null
	fi
	privdir_remove "$PODMAN_DIR" podman.sh || return 1
	return $rc
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	case ${1:-} in
	start) podman_start && echo "$PODMAN_DIR" ;;
	stop) podman_stop ;;
	*) echo "usage: $0 start | PODMAN_DIR=dir $0 stop" >&2; exit 2 ;;
	esac
fi
