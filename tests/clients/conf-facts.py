#!/usr/bin/python3
"""Reads a CNI configuration for the client tests and says what to expect of it.

usage: conf-facts.py SOURCE OUT_JSON VRF(0|1)

SOURCE is a conflist / single-plugin config (JSON) or a manifest holding exactly one
NetworkAttachmentDefinition (YAML; its spec.config is the config). The config is written
to OUT_JSON as it is fed to the plugins on this host: as shipped, except that with VRF=0
(a kernel without VRF) every krafty plugin gets "vrf": false. Prints bash assignments:
  CF_FILE CF_NET CF_VERSION   the written file, the network name, cniVersion
  CF_TYPES      plugin types and IPAM types, to look up on CNI_PATH
  CF_SUBNETS    krafty's subnet(s), else the IPAM ranges' subnets
  CF_MTU        the MTU the interface ends with (the last plugin in the chain setting one)
  CF_SYSCTLS    "key value" per sysctl tuning-lite sets (key still holding IFNAME)
  CF_FLAGS      link flags tuning-lite turns on (PROMISC, ALLMULTI)
  CF_CAPS       capabilities some plugin declares
  CF_REQ_IP     an address a pod annotation could ask for: the first subnet's 77th
  CF_VRF_OFF    1 when "vrf": false was put in for this host
"""
import ipaddress
import json
import shlex
import sys


def load(path):
    if path.endswith((".yaml", ".yml")):
        import yaml
        docs = [d for d in yaml.safe_load_all(open(path)) if d]
        nads = [d for d in docs if d.get("kind") == "NetworkAttachmentDefinition"]
        if len(nads) != 1:
            sys.exit("%s: %d NetworkAttachmentDefinitions, want 1" % (path, len(nads)))
        return json.loads(nads[0]["spec"]["config"])
    return json.load(open(path))


def listify(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def main():
    src, out, vrf = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
    conf = load(src)
    plugins = conf["plugins"] if "plugins" in conf else [conf]
    vrf_off = False
    if not vrf:
        for p in plugins:
            if p.get("type") == "krafty" and p.get("vrf") is not False:
                p["vrf"] = False
                vrf_off = True
    with open(out, "w") as f:
        json.dump(conf, f)
        f.write("\n")

    types, subnets, sysctls, flags, caps, mtu = [], [], [], [], [], ""
    for p in plugins:
        types.append(p.get("type", ""))
        ipam = p.get("ipam") or {}
        if ipam.get("type"):
            types.append(ipam["type"])
        if p.get("subnet"):
            subnets += listify(p["subnet"])
        elif ipam:
            for rs in ipam.get("ranges", []):
                subnets += [r["subnet"] for r in rs if "subnet" in r]
            if ipam.get("subnet"):
                subnets.append(ipam["subnet"])
        if p.get("mtu"):
            mtu = str(p["mtu"])
        if p.get("type") in ("tuning-lite", "tuning"):
            for k, v in (p.get("sysctl") or {}).items():
                sysctls.append("%s %s" % (k, v))
            for key, flag in (("promisc", "PROMISC"), ("allmulti", "ALLMULTI")):
                if p.get(key) is True and flag not in flags:
                    flags.append(flag)
        for c, on in (p.get("capabilities") or {}).items():
            if on is True and c not in caps:
                caps.append(c)
    req = ""
    if subnets:
        n = ipaddress.ip_network(subnets[0], strict=False)
        req = "%s/%d" % (n.network_address + 77, n.prefixlen)

    def arr(name, values):
        print("%s=(%s)" % (name, " ".join(shlex.quote(v) for v in values)))

    def var(name, value):
        print("%s=%s" % (name, shlex.quote(value)))

    var("CF_FILE", out)
    var("CF_NET", conf.get("name", ""))
    var("CF_VERSION", conf.get("cniVersion", ""))
    arr("CF_TYPES", sorted(set(t for t in types if t)))
    arr("CF_SUBNETS", subnets)
    var("CF_MTU", mtu)
    arr("CF_SYSCTLS", sysctls)
    arr("CF_FLAGS", flags)
    arr("CF_CAPS", caps)
    var("CF_REQ_IP", req)
    var("CF_VRF_OFF", "1" if vrf_off else "")


if __name__ == "__main__":
    main()
