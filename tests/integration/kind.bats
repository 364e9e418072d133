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

@test "make up needs no variables: Multus comes from a pinned release, its image pinned too" {
	# A stand-in curl (no network here) records the URL the lab fetches and answers with a
	# manifest shaped like Multus's release manifests (image tag snapshot-thick).
	fake=$(mktemp -d)
	cat >"$fake/curl" <<'SH'
#!/bin/sh
for a; do url=$a; done
echo "$url" >"$(dirname "$0")/url"
cat <<'YAML'
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: kube-multus-ds
  namespace: kube-system
spec:
  template:
    spec:
      containers:
        - name: kube-multus
          image: ghcr.io/k8snetworkplumbingwg/multus-cni:snapshot-thick
      initContainers:
        - name: install-multus-binary
          image: ghcr.io/k8snetworkplumbingwg/multus-cni:snapshot-thick
YAML
SH
	chmod +x "$fake/curl"
	run env -u MULTUS_VERSION -u MULTUS_MANIFEST -u MULTUS_IMAGE PATH="$fake:$PATH" \
		bash "$REPO/kind/lab.sh" multus-manifest
	echo "$output"
	[ "$status" -eq 0 ]
	url=$(cat "$fake/url")
	echo "fetched: $url"
	[[ $url =~ ^https://raw\.githubusercontent\.com/k8snetworkplumbingwg/multus-cni/v[0-9]+\.[0-9]+\.[0-9]+/deployments/multus-daemonset-thick\.yml$ ]]
	version=$(sed -E 's#.*/multus-cni/(v[^/]+)/.*#\1#' <<<"$url")
	[ "$(grep -c "image: ghcr.io/k8snetworkplumbingwg/multus-cni:$version-thick" <<<"$output")" -eq 2 ]
	[[ $output != *snapshot* ]]
	# A local file works too; something that is not the Multus DaemonSet is refused.
	echo 'kind: ConfigMap' >"$fake/other.yml"
	run env MULTUS_MANIFEST="$fake/other.yml" bash "$REPO/kind/lab.sh" multus-manifest
	[ "$status" -ne 0 ]
	rm -rf "$fake"
}

@test "nettools: a Service on 8080 selects the deployment's pods and its ready-checked http port" {
	run /usr/bin/python3 - "$REPO/kind/nettools.yaml" <<'PY'
import sys, yaml
docs = {d["kind"]: d for d in yaml.safe_load_all(open(sys.argv[1]))}
dep, svc = docs["Deployment"], docs["Service"]
tmpl = dep["spec"]["template"]
labels = tmpl["metadata"]["labels"]
assert all(labels.get(k) == v for k, v in svc["spec"]["selector"].items()), "selector misses the pods"
c = tmpl["spec"]["containers"][0]
ports = {p["name"]: p["containerPort"] for p in c["ports"]}
assert ports.get("http") == 8080, ports
sp = svc["spec"]["ports"][0]
assert sp["port"] == 8080 and sp["targetPort"] in ("http", 8080), sp
assert c["readinessProbe"]["httpGet"]["port"] in ("http", 8080)
assert "httpd" in " ".join(c["command"]) and "8080" in " ".join(c["command"])
print("service", svc["metadata"]["name"], "->", labels, "port", sp["port"])
PY
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q busybox "$REPO/kind/nettools.Dockerfile"
}

@test "nettools: the container's command serves its page on 8080 (run here with busybox)" {
	script=$(/usr/bin/python3 -c 'import sys, yaml
d = [x for x in yaml.safe_load_all(open(sys.argv[1])) if x["kind"] == "Deployment"][0]
c = d["spec"]["template"]["spec"]["containers"][0]["command"]
assert c[:2] == ["/bin/sh", "-c"], c
print(c[2])' "$REPO/kind/nettools.yaml")
	[ -n "$script" ]
	# In namespaces of its own: a hostname, a netns with lo only, a tmpfs on /srv.
	# shellcheck disable=SC2016
	run timeout 20 unshare --uts --net --mount --propagation private -- /bin/sh -c '
		hostname nettools-test && ip link set lo up && mount -t tmpfs none /srv || exit 1
		/bin/sh -c "$1" >/dev/null 2>&1 &
		i=0
		while [ $i -lt 50 ]; do
			out=$(busybox wget -q -O - http://127.0.0.1:8080/ 2>/dev/null) && break
			i=$((i + 1)); sleep 0.1
		done
		kill $! 2>/dev/null
		echo "$out"' nettools "$script"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(head -1 <<<"$output")" = "nettools nettools-test" ]
	[[ $output == *"lo"*"inet 127.0.0.1/8"* ]]
}
