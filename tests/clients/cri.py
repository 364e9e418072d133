#!/usr/bin/python3
"""A small CRI client: drives containerd's CRI plugin as kubelet does, for the tests.

usage: cri.py --addr SOCKET [--api v1|v1alpha2] [--timeout S] COMMAND ...

  gen DIR                   compile tests/clients/cri/cri.proto into DIR (grpc_tools.protoc);
                            later calls find the module through CRI_PROTO_OUT=DIR (without
                            it every call compiles into a temp dir of its own)
  version                   RuntimeService.Version as JSON
  status                    Status: {"RuntimeReady": bool, "NetworkReady": bool, ...reasons}
  run NAME [--uid U] [--namespace NS] [--handler H] [--label K=V]... [--logdir D]
                            RunPodSandbox as kubelet sends it (pod network namespace, a
                            hostname, DNS config, labels); prints the sandbox ID
  inspect ID...             PodSandboxStatus (verbose), one JSON line per ID: {"id", "name",
                            "state", "ip", "additional_ips", "pid", "netns", "netns_closed",
                            "cni_result"} (pid, netns and cni_result from containerd's info)
  stop ID... / rm ID...     StopPodSandbox / RemovePodSandbox
  ls [--label K=V]...       ListPodSandbox: [{"id", "name", "state"}]
  run-many N PREFIX [--label K=V]...
                            N RunPodSandbox calls at once (one thread each); prints the IDs
                            one a line; fails if any failed (all errors on stderr)
  teardown ID...            StopPodSandbox then RemovePodSandbox of every ID at once

A failed call prints "cri.py: METHOD: CODE: DETAILS" (the gRPC status containerd sent)
on stderr and exits 1.
"""
import argparse
import concurrent.futures
import importlib
import json
import os
import shutil
import sys
import tempfile
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_DIR = os.path.join(HERE, "cri")
PROTO = "cri.proto"


def compile_proto(out):
    from grpc_tools import protoc
    rc = protoc.main(["protoc", "-I" + PROTO_DIR, "--python_out=" + out,
                      os.path.join(PROTO_DIR, PROTO)])
    if rc != 0:
        sys.exit("cri.py: protoc failed on %s (rc %d)" % (PROTO, rc))


def load_messages():
    out = os.environ.get("CRI_PROTO_OUT")
    tmp = None
    if not out or not os.path.exists(os.path.join(out, "cri_pb2.py")):
        tmp = out = tempfile.mkdtemp(prefix="cri-proto.")
        compile_proto(out)
    sys.path.insert(0, out)
    try:
        return importlib.import_module("cri_pb2")
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


class CriError(Exception):
    pass


class Runtime:
    def __init__(self, addr, api, timeout):
        import grpc
        self.grpc = grpc
        self.pb = load_messages()
        self.timeout = timeout
        self.service = self.pb.DESCRIPTOR.services_by_name["RuntimeService"]
        self.package = "runtime." + api
        self.channel = grpc.insecure_channel("unix://" + os.path.abspath(addr))
        self.calls = {}

    def call(self, method, **fields):
        m = self.service.methods_by_name[method]
        req_cls = getattr(self.pb, m.input_type.name)
        resp_cls = getattr(self.pb, m.output_type.name)
        stub = self.calls.get(method)
        if stub is None:
            stub = self.channel.unary_unary(
                "/%s.RuntimeService/%s" % (self.package, method),
                request_serializer=req_cls.SerializeToString,
                response_deserializer=resp_cls.FromString)
            self.calls[method] = stub
        req = fields.pop("_request", None) or req_cls(**fields)
        try:
            return stub(req, timeout=self.timeout)
        except self.grpc.RpcError as e:
            raise CriError("%s: %s: %s" % (method, e.code().name, e.details()))

    # ---- the calls -------------------------------------------------------------

    def version(self):
        r = self.call("Version", version="v1")
        return {"version": r.version, "runtime_name": r.runtime_name,
                "runtime_version": r.runtime_version,
                "runtime_api_version": r.runtime_api_version}

    def status(self):
        r = self.call("Status", verbose=False)
        out = {}
        for c in r.status.conditions:
            out[c.type] = c.status
            if c.reason or c.message:
                out[c.type + "Reason"] = ("%s: %s" % (c.reason, c.message)).strip(": ")
        return out

    def run(self, name, uid=None, namespace="krafty-cri", handler="", labels=None,
            logdir=""):
        pb = self.pb
        uid = uid or str(uuid.uuid4())
        config = pb.PodSandboxConfig(
            metadata=pb.PodSandboxMetadata(name=name, uid=uid, namespace=namespace, attempt=0),
            hostname=name[:63],
            log_directory=logdir,
            dns_config=pb.DNSConfig(servers=["10.230.255.10"], searches=["cri.test"],
                                    options=["ndots:5"]),
            labels=dict(labels or {}, **{"io.kubernetes.pod.name": name,
                                         "io.kubernetes.pod.namespace": namespace,
                                         "io.kubernetes.pod.uid": uid}),
            annotations={"kubernetes.io/config.source": "krafty-tests"},
            linux=pb.LinuxPodSandboxConfig(
                security_context=pb.LinuxSandboxSecurityContext(
                    namespace_options=pb.NamespaceOption(network=pb.POD, pid=pb.CONTAINER,
                                                         ipc=pb.POD))))
        r = self.call("RunPodSandbox",
                      _request=pb.RunPodSandboxRequest(config=config, runtime_handler=handler))
        return r.pod_sandbox_id

    def inspect(self, sid):
        pb = self.pb
        r = self.call("PodSandboxStatus", pod_sandbox_id=sid, verbose=True)
        s = r.status
        info = {}
        if "info" in r.info:
            info = json.loads(r.info["info"])
        netns = ""
        for ns in ((info.get("runtimeSpec") or {}).get("linux") or {}).get("namespaces") or []:
            if ns.get("type") == "network":
                netns = ns.get("path", "")
        return {
            "id": s.id,
            "name": s.metadata.name,
            "state": pb.PodSandboxState.Name(s.state),
            "ip": s.network.ip,
            "additional_ips": [p.ip for p in s.network.additional_ips],
            "pid": info.get("pid", 0),
            "netns": netns,
            "netns_closed": info.get("netNamespaceClosed"),
            "cni_result": info.get("cniResult"),
        }

    def stop(self, sid):
        self.call("StopPodSandbox", pod_sandbox_id=sid)

    def remove(self, sid):
        self.call("RemovePodSandbox", pod_sandbox_id=sid)

    def ls(self, labels=None):
        pb = self.pb
        req = pb.ListPodSandboxRequest(filter=pb.PodSandboxFilter(label_selector=labels or {}))
        r = self.call("ListPodSandbox", _request=req)
        return [{"id": i.id, "name": i.metadata.name, "state": pb.PodSandboxState.Name(i.state)}
                for i in r.items]


def parse_labels(items):
    out = {}
    for kv in items or []:
        k, sep, v = kv.partition("=")
        if not sep:
            sys.exit("cri.py: a label is K=V: %s" % kv)
        out[k] = v
    return out


def in_parallel(fn, args):
    """Runs fn(arg) for every arg at once; returns ([(arg, result)], [(arg, error)])."""
    ok, failed = [], []
    if not args:
        return ok, failed
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(args)) as ex:
        futures = {ex.submit(fn, a): a for a in args}
        for f in concurrent.futures.as_completed(futures):
            try:
                ok.append((futures[f], f.result()))
            except CriError as e:
                failed.append((futures[f], str(e)))
    return ok, failed


def main():
    ap = argparse.ArgumentParser(description="CRI client for the krafty tests")
    ap.add_argument("--addr", default=os.environ.get("CRI_ADDR", ""))
    ap.add_argument("--api", default=os.environ.get("CRI_API", "v1"), choices=["v1", "v1alpha2"])
    ap.add_argument("--timeout", type=float, default=float(os.environ.get("CRI_TIMEOUT", "60")))
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("dir")
    sub.add_parser("version")
    sub.add_parser("status")
    r = sub.add_parser("run")
    r.add_argument("name")
    r.add_argument("--uid")
    r.add_argument("--namespace", default="krafty-cri")
    r.add_argument("--handler", default="")
    r.add_argument("--label", action="append")
    r.add_argument("--logdir", default="")
    i = sub.add_parser("inspect")
    i.add_argument("ids", nargs="+")
    for c in ("stop", "rm", "teardown"):
        p = sub.add_parser(c)
        p.add_argument("ids", nargs="*")
    ls = sub.add_parser("ls")
    ls.add_argument("--label", action="append")
    rm = sub.add_parser("run-many")
    rm.add_argument("n", type=int)
    rm.add_argument("prefix")
    rm.add_argument("--label", action="append")
    rm.add_argument("--logdir", default="")
    a = ap.parse_args()

    if a.cmd == "gen":
        os.makedirs(a.dir, exist_ok=True)
        compile_proto(a.dir)
        return 0
    if not a.addr:
        sys.exit("cri.py: --addr (or CRI_ADDR) names containerd's socket")
    rt = Runtime(a.addr, a.api, a.timeout)
    try:
        if a.cmd == "version":
            print(json.dumps(rt.version()))
        elif a.cmd == "status":
            print(json.dumps(rt.status()))
        elif a.cmd == "run":
            print(rt.run(a.name, uid=a.uid, namespace=a.namespace, handler=a.handler,
                         labels=parse_labels(a.label), logdir=a.logdir))
        elif a.cmd == "inspect":
            for sid in a.ids:
                print(json.dumps(rt.inspect(sid)))
        elif a.cmd == "stop":
            for sid in a.ids:
                rt.stop(sid)
        elif a.cmd == "rm":
            for sid in a.ids:
                rt.remove(sid)
        elif a.cmd == "ls":
            print(json.dumps(rt.ls(parse_labels(a.label))))
        elif a.cmd == "run-many":
            labels = parse_labels(a.label)
            names = ["%s-%02d" % (a.prefix, k) for k in range(a.n)]
            ok, failed = in_parallel(
                lambda n: rt.run(n, labels=labels, logdir=a.logdir), names)
            for _, sid in ok:
                print(sid)
            for name, err in failed:
                print("cri.py: %s: %s" % (name, err), file=sys.stderr)
            return 1 if failed else 0
        elif a.cmd == "teardown":
            def down(sid):
                rt.stop(sid)
                rt.remove(sid)
            _, failed = in_parallel(down, a.ids)
            for sid, err in failed:
                print("cri.py: %s: %s" % (sid, err), file=sys.stderr)
            return 1 if failed else 0
    except CriError as e:
        print("cri.py: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
