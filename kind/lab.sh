#!/usr/bin/env bash
# The krafty kind lab: up | deployment | validate | down (and multus-manifest: print the
# Multus manifest `up` applies). With no variables set it uses a pinned Multus release.
# Needs docker, kind and kubectl on the operator's machine (not available on our CI
# machines: there the tests check manifests, scripts and the installer only).
set -euo pipefail
cd "$(dirname "$0")/.."

CLUSTER_NAME=${CLUSTER_NAME:-krafty}
CONTEXT=kind-$CLUSTER_NAME
INSTALL_IMAGE=${INSTALL_IMAGE:-krafty-install:dev}
NETTOOLS_IMAGE=${NETTOOLS_IMAGE:-krafty-nettools:dev}
# Multus, thick plugin: the DaemonSet manifest of a pinned release
# (deployments/multus-daemonset-thick.yml at the release's tag). The manifests of Multus
# releases name the moving image tag snapshot-thick, so the image is pinned too: to
# the release's own -thick image. Override either with a local file or another URL.
MULTUS_VERSION=${MULTUS_VERSION:-v4.1.4}
MULTUS_MANIFEST=${MULTUS_MANIFEST:-https://raw.githubusercontent.com/k8snetworkplumbingwg/multus-cni/$MULTUS_VERSION/deployments/multus-daemonset-thick.yml}
MULTUS_IMAGE=${MULTUS_IMAGE:-ghcr.io/k8snetworkplumbingwg/multus-cni:$MULTUS_VERSION-thick}
KUBECTL=(kubectl --context "$CONTEXT")

need() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || { echo "lab: $t is required" >&2; exit 1; }
	done
}

# Prints the Multus manifest to apply: MULTUS_MANIFEST (fetched when a URL) with the
# snapshot image tags replaced by MULTUS_IMAGE; fails unless it holds the DaemonSet.
multus_manifest() {
	local text
	if [[ $MULTUS_MANIFEST == *://* ]]; then
		need curl
		text=$(curl -fsSL --retry 3 "$MULTUS_MANIFEST") ||
			{ echo "lab: cannot fetch $MULTUS_MANIFEST" >&2; return 1; }
	else
		text=$(cat "$MULTUS_MANIFEST") || return 1
	fi
	text=$(sed -E "s#(image: *)ghcr\.io/k8snetworkplumbingwg/multus-cni:snapshot(-thick)?#\1$MULTUS_IMAGE#" <<<"$text")
	if ! grep -q 'name: kube-multus-ds' <<<"$text" || grep -q 'multus-cni:snapshot' <<<"$text"; then
		echo "lab: $MULTUS_MANIFEST is not a Multus thick DaemonSet manifest pinned to $MULTUS_IMAGE" >&2
		return 1
	fi
	printf '%s\n' "$text"
}

up() {
	need docker kind kubectl make curl
	local stage multus
	multus=$(multus_manifest) || exit 1
	stage=$(mktemp -d)
	make -s all
	make -s DESTDIR="$stage" install
	cp kind/install-cni.sh "$stage/"
	docker build -q -t "$INSTALL_IMAGE" -f kind/Dockerfile "$stage"
	docker build -q -t "$NETTOOLS_IMAGE" -f kind/nettools.Dockerfile kind
	rm -rf "$stage"
	kind get clusters | grep -qx "$CLUSTER_NAME" ||
		kind create cluster --name "$CLUSTER_NAME" --config kind/cluster.yaml
	kind load docker-image --name "$CLUSTER_NAME" "$INSTALL_IMAGE" "$NETTOOLS_IMAGE"
	"${KUBECTL[@]}" apply -f - <<<"$multus"
	sed "s|krafty-install:dev|$INSTALL_IMAGE|" kind/daemonset.yaml | "${KUBECTL[@]}" apply -f -
	"${KUBECTL[@]}" -n kube-system rollout status ds/krafty-install --timeout=180s
	"${KUBECTL[@]}" -n kube-system rollout status ds/kube-multus-ds --timeout=300s
	"${KUBECTL[@]}" apply -f conf/krafty-nad.yaml
	echo "lab: cluster $CLUSTER_NAME is up with Multus and krafty"
}

deployment() {
	need kubectl
	sed "s|krafty-nettools:dev|$NETTOOLS_IMAGE|" kind/nettools.yaml | "${KUBECTL[@]}" apply -f -
	"${KUBECTL[@]}" rollout status deploy/nettools --timeout=180s
	echo "lab: nettools is up; its HTTP port: ${KUBECTL[*]} port-forward svc/nettools 8080:8080"
}

down() {
	need kind
	kind delete cluster --name "$CLUSTER_NAME"
}

case ${1:-} in
up) up ;;
deployment) deployment ;;
validate) exec bash kind/validate.sh ;;
down) down ;;
multus-manifest) multus_manifest ;;
*)
	echo "usage: $0 up|deployment|validate|down|multus-manifest" >&2
	exit 2
	;;
esac
