#!/usr/bin/env bash
# shellcheck disable=SC2016
# A private containerd for the client tests. Source it and call:
#   ctrd_start            start containerd (root, state, sockets under a fresh temp dir
#                         $CTRD_DIR), wait for it and import the busybox OCI image
#                         (tests/clients/image.sh) as $CTRD_IMAGE
#   ctrd_ctr ARGS...      ctr against that containerd, in namespace $CTRD_NS
#   ctrd_ctr_cni ARGS...  the same, for `ctr run --cni`: see below
#   ctrd_stop             kill and delete every task and container, stop containerd and
#                         the shims it started (by PID), remove $CTRD_DIR
# or run it: `containerd.sh start` prints the dir; `CTRD_DIR=... containerd.sh stop`.
#
# With CTRD_CRI=1 (tests/integration/clients-cri.bats) the CRI plugin is on, as kubelet's
# node runs it: see "The CRI mode" below.
#
# Where `ctr run --cni` finds CNI: ctr (containerd 1.6) does the CNI calls itself, in the
# client process, through go-cni with its defaults: the first config file in
# /etc/cni/net.d, plugins in /opt/cni/bin, libcni's cache in /var/lib/cni. It has no flag
# or environment variable to move them, and containerd's own config (the CRI plugin's
# conf_dir/bin_dir) is not read by ctr. So ctrd_ctr_cni runs ctr in a private mount
# namespace where $CTRD_DIR/cni/{net.d,bin,lib} are bind-mounted over those three
# directories: the host's files there are neither read nor written, and the plugins (children
# of ctr) see the same view, so host-local's default dataDir (/var/lib/cni/networks) lands
# in $CTRD_DIR/cni/lib too. Debian's go-cni adds /usr/lib/cni (the reference plugins) to
# CNI_PATH: an empty dir is mounted over it, so only the plugins in $CTRD_DIR/cni/bin run.
# A directory missing on the host is created as a mount point
# and removed again by ctrd_stop if it is still empty.
#
# The shim of containerd 1.6 puts its socket under /run/containerd/s/<hash of our address>
# whatever the state dir is; it goes away with the shim.

# ctr passes "<namespace>-<container>" as CNI_CONTAINERID: keep the namespace short.
CTRD_NS=${CTRD_NS:-kc}
CTRD_CNI_DIRS=(/etc/cni/net.d /opt/cni/bin /var/lib/cni)
CTRD_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/clients/privdir.bash
. "$CTRD_HERE/privdir.bash"

ctrd_ctr() {
	ctr --address "$CTRD_DIR/containerd.sock" --namespace "$CTRD_NS" "$@"
}

# Creates a missing mount point and records it (deepest last) for ctrd_stop.
_ctrd_mountpoint() {
	local d=$1 missing=() p=$1
	while [[ ! -e $p ]]; do
		missing=("$p" "${missing[@]}")
		p=$(dirname "$p")
	done
	((${#missing[@]})) || return 0
	mkdir -p "$d" || return 1
	printf '%s\n' "${missing[@]}" >>"$CTRD_DIR/created-dirs"
}

ctrd_ctr_cni() {
	local d
	for d in "${CTRD_CNI_DIRS[@]}"; do
		_ctrd_mountpoint "$d" || return 1
	done
	# The bind mounts exist only in this namespace and vanish when ctr exits.
	unshare --mount --propagation private -- /bin/bash -c '
		set -e
		mount --bind "$1/cni/net.d" /etc/cni/net.d
		mount --bind "$1/cni/bin" /opt/cni/bin
		mount --bind "$1/cni/lib" /var/lib/cni
		# Debian'"'"'s go-cni also searches /usr/lib/cni: hide the reference plugins there,
		# so that a plugin missing from our bin dir fails instead of running theirs.
		if [ -d /usr/lib/cni ]; then mount --bind "$1/cni/empty" /usr/lib/cni; fi
		shift
		exec "$@"' ctrd "$CTRD_DIR" \
		ctr --address "$CTRD_DIR/containerd.sock" --namespace "$CTRD_NS" "$@"
}

# ---- The CRI mode (CTRD_CRI=1) ------------------------------------------------------
# containerd's CRI plugin runs the CNI calls itself (go-cni in the daemon): plugins from
# cni.bin_dir ($CTRD_DIR/cni/bin; it must hold `loopback` too), the first config of
# cni.conf_dir ($CTRD_DIR/cni/net.d), libcni's cache in /var/lib/cni (containerd 1.6 has no
# setting for it). So containerd runs in a mount namespace of its own, held open by a
# `sleep` ($CTRD_DIR/mntns.pid) so that it outlives a containerd that is killed and started
# again: there $CTRD_DIR/cni/lib is mounted over /var/lib/cni (libcni's cache and
# host-local's default dataDir land in it) and an empty dir over /usr/lib/cni. The pod
# netns files are bind mounts under $CTRD_DIR/state/netns (netns_mounts_under_state_dir),
# visible in that namespace only: ctrd_in_ns runs a command there. Sandboxes use the
# image `image.sh pause` imported into the k8s.io namespace as sandbox_image; the runtime
# handler "crifail" uses $CTRD_DIR/cni/net.d-fail as its CNI config dir instead.
# restrict_oom_score_adj: this machine refuses the oom_score_adj of -998 that CRI asks for
# a sandbox (runc then fails with "can't get final child's PID from pipe: EOF").
CTRD_CRI_NS=k8s.io

# ctrd_in_ns CMD...: run CMD in containerd's mount namespace.
ctrd_in_ns() {
	nsenter --mount="/proc/$(cat "$CTRD_DIR/mntns.pid")/ns/mnt" -- "$@"
}

_ctrd_cri_config() {
	cat <<EOF
version = 2
root = "$CTRD_DIR/root"
state = "$CTRD_DIR/state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.tracing.processor.v1.otlp"]

[grpc]
  address = "$CTRD_DIR/containerd.sock"
[ttrpc]
  address = "$CTRD_DIR/containerd.sock.ttrpc"
[debug]
  address = ""
  level = "info"
[metrics]
  address = ""

[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "$CTRD_PAUSE_IMAGE"
    restrict_oom_score_adj = true
    netns_mounts_under_state_dir = true
    disable_tcp_service = true
    stream_server_address = "127.0.0.1"
    stream_server_port = "0"
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "native"
      default_runtime_name = "runc"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.crifail]
        runtime_type = "io.containerd.runc.v2"
        cni_conf_dir = "$CTRD_DIR/cni/net.d-fail"
        cni_max_conf_num = 1
    [plugins."io.containerd.grpc.v1.cri".cni]
      conf_dir = "$CTRD_DIR/cni/net.d"
      bin_dir = "$CTRD_DIR/cni/bin"
      max_conf_num = 1
  [plugins."io.containerd.internal.v1.opt"]
    path = "$CTRD_DIR/opt"
EOF
}

# The mount namespace containerd runs in (CRI mode), held by a sleep.
_ctrd_mntns_start() {
	local i
	for i in /var/lib/cni /usr/lib/cni; do
		_ctrd_mountpoint "$i" || return 1
	done
	unshare --mount --propagation private -- /bin/sh -c '
		mount --bind "$1/cni/lib" /var/lib/cni &&
		mount --bind "$1/cni/empty" /usr/lib/cni &&
		touch "$1/mntns.ready" && exec sleep infinity' holder "$CTRD_DIR" \
		</dev/null >"$CTRD_DIR/mntns.log" 2>&1 3>&- &
	echo $! >"$CTRD_DIR/mntns.pid"
	for ((i = 0; i < 100; i++)); do
		[[ -e $CTRD_DIR/mntns.ready ]] && return 0
		kill -0 "$(cat "$CTRD_DIR/mntns.pid")" 2>/dev/null || break
		sleep 0.05
	done
	echo "containerd.sh: the mount namespace for containerd was not set up:" >&2
	cat "$CTRD_DIR/mntns.log" >&2
	return 1
}

# Starts containerd (again) with $CTRD_DIR/config.toml and waits until it answers.
_ctrd_daemon() {
	local i
	if [[ -n ${CTRD_CRI:-} ]]; then
		# A simple command, so that $! is containerd itself (nsenter execs it).
		nsenter --mount="/proc/$(cat "$CTRD_DIR/mntns.pid")/ns/mnt" -- \
			containerd --config "$CTRD_DIR/config.toml" >>"$CTRD_DIR/containerd.log" 2>&1 3>&- &
		# No job notice ("Killed") from the shell that started it when ctrd_restart kills it.
		disown "$!"
	else
		containerd --config "$CTRD_DIR/config.toml" >>"$CTRD_DIR/containerd.log" 2>&1 &
	fi
	echo $! >"$CTRD_DIR/containerd.pid"
	for ((i = 0; i < 100; i++)); do
		ctrd_ctr version >/dev/null 2>&1 && return 0
		if ! kill -0 "$(cat "$CTRD_DIR/containerd.pid")" 2>/dev/null; then
			echo "containerd.sh: containerd exited at start; its log:" >&2
			tail -n 30 "$CTRD_DIR/containerd.log" >&2
			return 1
		fi
		sleep 0.1
	done
	echo "containerd.sh: containerd did not answer in 10 s; its log:" >&2
	tail -n 30 "$CTRD_DIR/containerd.log" >&2
	return 1
}

# ctrd_restart: kill -9 containerd (its shims and sandboxes go on) and start it again in
# the same mount namespace, as after a crash of the node's containerd.
ctrd_restart() {
	local pid i
	pid=$(cat "$CTRD_DIR/containerd.pid")
	kill -9 "$pid" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		_ctrd_alive "$pid" || break
		sleep 0.1
	done
	wait "$pid" 2>/dev/null || true # a child only when started by this shell
	echo "containerd.sh: --- killed $pid, starting again ---" >>"$CTRD_DIR/containerd.log"
	_ctrd_daemon
}

ctrd_start() {
	local image_tar pause_tar i
	for i in containerd ctr runc containerd-shim-runc-v2 unshare; do
		command -v "$i" >/dev/null ||
			{ echo "containerd.sh: $i not found (tests/deps.sh installs it)" >&2; return 1; }
	done
	image_tar=$(BUILD=${BUILD:-build} bash "$CTRD_HERE/image.sh") || return 1
	CTRD_IMAGE=$(bash "$CTRD_HERE/image.sh" --ref)
	if [[ -n ${CTRD_CRI:-} ]]; then
		pause_tar=$(BUILD=${BUILD:-build} bash "$CTRD_HERE/image.sh" pause) || return 1
		CTRD_PAUSE_IMAGE=$(bash "$CTRD_HERE/image.sh" pause --ref)
		command -v nsenter >/dev/null || { echo "containerd.sh: nsenter not found" >&2; return 1; }
	fi
	# Short path: unix socket paths are limited to 107 bytes.
	CTRD_DIR=$(mktemp -d /tmp/krafty-ctrd.XXXXXX) || return 1
	export CTRD_DIR CTRD_IMAGE CTRD_PAUSE_IMAGE
	mkdir -p "$CTRD_DIR"/{root,state,opt,logs,cni/net.d,cni/net.d-fail,cni/bin,cni/lib,cni/empty}
	# Fixed paths that the shim (runc root, socket dir) and ctr (stdio FIFOs) use whatever
	# our dirs are: those missing now are removed by ctrd_stop if left empty.
	for i in /run/containerd /run/containerd/fifo /run/containerd/s /run/containerd/runc \
		"/run/containerd/runc/$CTRD_NS" "/run/containerd/runc/$CTRD_CRI_NS"; do
		[[ -e $i ]] || echo "$i" >>"$CTRD_DIR/created-dirs"
	done
	if [[ -n ${CTRD_CRI:-} ]]; then
		_ctrd_cri_config >"$CTRD_DIR/config.toml"
		_ctrd_mntns_start || return 1
	else
		cat >"$CTRD_DIR/config.toml" <<EOF
version = 2
root = "$CTRD_DIR/root"
state = "$CTRD_DIR/state"
# No CRI: only ctr talks to this containerd. (Were CRI on, its CNI dirs would be these;
# ctr itself does not read them, see the header of tests/clients/containerd.sh.)
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp"]

[grpc]
  address = "$CTRD_DIR/containerd.sock"
[ttrpc]
  address = "$CTRD_DIR/containerd.sock.ttrpc"
[debug]
  address = ""
  level = "info"
[metrics]
  address = ""

[plugins]
  [plugins."io.containerd.grpc.v1.cri".cni]
    conf_dir = "$CTRD_DIR/cni/net.d"
    bin_dir = "$CTRD_DIR/cni/bin"
  [plugins."io.containerd.internal.v1.opt"]
    path = "$CTRD_DIR/opt"
EOF
	fi
	_ctrd_daemon || return 1
	if [[ -n ${CTRD_CRI:-} ]]; then
		# The sandbox image, where the CRI plugin looks for it (and never pulls it).
		ctr --address "$CTRD_DIR/containerd.sock" --namespace "$CTRD_CRI_NS" image import \
			--snapshotter native "$pause_tar" >"$CTRD_DIR/import.log" 2>&1 ||
			{ echo "containerd.sh: ctr image import of the pause image failed:" >&2
			  cat "$CTRD_DIR/import.log" >&2; return 1; }
		return 0
	fi
	ctrd_ctr image import --snapshotter native "$image_tar" >"$CTRD_DIR/import.log" 2>&1 ||
		{ echo "containerd.sh: ctr image import failed:" >&2; cat "$CTRD_DIR/import.log" >&2; return 1; }
	ctrd_ctr image ls -q | grep -qxF "$CTRD_IMAGE" ||
		{ echo "containerd.sh: $CTRD_IMAGE not among the imported images:" >&2
		  ctrd_ctr image ls >&2; return 1; }
}

# Is PID running? (A zombie child is not: kill -0 would say it is.)
_ctrd_alive() {
	local state
	state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[[ -n $state && $state != Z ]]
}

# PIDs of the processes whose command line names our socket (containerd's shims).
_ctrd_shim_pids() {
	# "[.]" keeps grep from finding its own command line.
	grep -alsE -- "$CTRD_DIR/containerd[.]sock" /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3
}

ctrd_stop() {
	[[ -n ${CTRD_DIR:-} && -d $CTRD_DIR ]] || return 0
	# Best effort to the end, also when called under set -e (options local to this call).
	local -
	set +e
	local id pid i m ns rc=0
	if [[ -f $CTRD_DIR/containerd.pid ]] && kill -0 "$(cat "$CTRD_DIR/containerd.pid")" 2>/dev/null; then
		for ns in $(ctr --address "$CTRD_DIR/containerd.sock" namespaces ls -q 2>/dev/null); do
			for id in $(CTRD_NS=$ns ctrd_ctr task ls -q 2>/dev/null); do
				CTRD_NS=$ns ctrd_ctr task kill -s SIGKILL "$id" >/dev/null 2>&1
			done
			for id in $(CTRD_NS=$ns ctrd_ctr task ls -q 2>/dev/null); do
				for ((i = 0; i < 50; i++)); do
					CTRD_NS=$ns ctrd_ctr task delete -f "$id" >/dev/null 2>&1 && break
					sleep 0.1
				done
			done
			for id in $(CTRD_NS=$ns ctrd_ctr container ls -q 2>/dev/null); do
				CTRD_NS=$ns ctrd_ctr container delete "$id" >/dev/null 2>&1
			done
		done
		pid=$(cat "$CTRD_DIR/containerd.pid")
		kill "$pid" 2>/dev/null
		for ((i = 0; i < 50; i++)); do
			_ctrd_alive "$pid" || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	# Shims outlive containerd; they are ours when they name our socket.
	for pid in $(_ctrd_shim_pids); do
		kill -9 "$pid" 2>/dev/null
	done
	# The mount namespace of the CRI mode (its mounts go with its last process).
	if [[ -f $CTRD_DIR/mntns.pid ]]; then
		pid=$(cat "$CTRD_DIR/mntns.pid")
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	# Nothing may stay mounted below the dir before it is removed.
	while read -r m; do
		umount -l "$m" 2>/dev/null || rc=1
	done < <(findmnt -rn -o TARGET | awk -v d="$CTRD_DIR/" 'index($0, d) == 1' | sort -r)
	privdir_remove "$CTRD_DIR" containerd.sh || return 1
	return $rc
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	case ${1:-} in
	start) ctrd_start && echo "$CTRD_DIR" ;;
	stop) ctrd_stop ;;
	*) echo "usage: $0 start | CTRD_DIR=dir $0 stop" >&2; exit 2 ;;
	esac
fi
