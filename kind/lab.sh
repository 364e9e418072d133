#!/usr/bin/env bash
# The krafty kind lab: up | deployment | validate | down.
# Needs docker, kind and kubectl on the operator's machine (not available on our CI
# machines: there the tests check manifests, scripts and the installer only).
set -euo pipefail
cd "$(dirname "$0")/.."

CLUSTER_NAME=${CLUSTER_NAME:-krafty}
CONTEXT=kind-$CLUSTER_NAME
INSTALL_IMAGE=${INSTALL_IMAGE:-krafty-install:dev}
NETTOOLS_IMAGE=${NETTOOLS_IMAGE:-krafty-nettools:dev}
# The Multus thick-plugin DaemonSet manifest (deployments/multus-daemonset-thick.yml of
# the Multus project): a local file or a URL that kubectl can apply.
MULTUS_MANIFEST=${MULTUS_MANIFEST:-kind/multus-daemonset-thick.yml}
KUBECTL=(kubectl --context "$CONTEXT")

need() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || { echo "lab: $t is required" >&2; exit 1; }
	done
}

up() {
	need docker kind kubectl make
	if [[ $MULTUS_MANIFEST != *://* && ! -f $MULTUS_MANIFEST ]]; then
		echo "lab: set MULTUS_MANIFEST to the Multus thick-plugin manifest (file or URL)" >&2
		exit 1
	fi
	local stage
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
	"${KUBECTL[@]}" apply -f "$MULTUS_MANIFEST"
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
*)
	echo "usage: $0 up|deployment|validate|down" >&2
	exit 2
	;;
esac
