#!/usr/bin/env bats
# The kind lab cannot start on our machines (no Docker engine): check what can be
# checked here: manifests parse, scripts are clean, and the DaemonSet installs
# exactly what `make install` installs.

load helpers

@test "every kind/ and conf/ YAML manifest parses and NADs carry valid JSON configs" {
	run python3 - "$REPO" <<'PY'
import glob, json, sys, yaml
root = sys.argv[1]
files = sorted(glob.glob(root + "/kind/*.yaml") + glob.glob(root + "/conf/*.yaml"))
assert files, "no manifests"
nads = 0
for f in files:
    for doc in yaml.safe_load_all(open(f)):
        assert isinstance(doc, dict) and "kind" in doc, f + ": not a manifest"
        if doc["kind"] == "NetworkAttachmentDefinition":
            cfg = json.loads(doc["spec"]["config"])
            assert cfg.get("cniVersion") and cfg.get("name"), f + ": config without cniVersion/name"
            nads += 1
assert nads > 0, "no NetworkAttachmentDefinition found"
print(len(files), "manifests,", nads, "NADs")
PY
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "lab scripts pass shellcheck" {
	run shellcheck "$REPO"/kind/lab.sh "$REPO"/kind/validate.sh
	echo "$output"
	[ "$status" -eq 0 ]
	run shellcheck -s sh "$REPO"/kind/install-cni.sh
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "the DaemonSet's installer copies exactly what make install installs" {
	stage=$(mktemp -d) dest=$(mktemp -d)
	make -s -C "$REPO" BUILD=build SAN= DESTDIR="$stage" install >/dev/null
	run env SRC="$stage/opt/cni/bin" DEST="$dest" ONESHOT=1 sh "$REPO/kind/install-cni.sh"
	[ "$status" -eq 0 ]
	run diff -r "$stage/opt/cni/bin" "$dest"
	echo "$output"
	[ "$status" -eq 0 ]
	# Modes are kept (binaries stay executable) and no temp file is left.
	for p in "${PLUGINS[@]}"; do [ -x "$dest/$p" ]; done
	[ -z "$(find "$dest" -name '.*.tmp')" ]
	rm -rf "$stage" "$dest"
}

@test "the lab's manifests agree: images, NAD name, annotation" {
	grep -q 'image: krafty-install:dev' "$REPO/kind/daemonset.yaml"
	grep -q 'INSTALL_IMAGE:-krafty-install:dev' "$REPO/kind/lab.sh"
	nad=$(python3 -c 'import sys,yaml; print(yaml.safe_load(open(sys.argv[1]))["metadata"]["name"])' "$REPO/conf/krafty-nad.yaml")
	grep -q "k8s.v1.cni.cncf.io/networks: $nad" "$REPO/kind/nettools.yaml"
	grep -q 'path: /opt/cni/bin' "$REPO/kind/daemonset.yaml"
}
