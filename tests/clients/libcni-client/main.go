// libcni-client: a small cnitool-like runtime of our own for the client tests, built
// against Debian's libcni (golang-github-appc-cni-dev) in GOPATH mode by
// tests/clients/build-client.sh. It runs ADD, CHECK or DEL of a network configuration the
// way containerd and Multus do, through libcni: the plugin list in order (DEL in reverse),
// prevResult chaining, runtimeConfig injected only into plugins that declare the
// capability, and libcni's result cache in the given cache dir (CHECK and DEL read the
// cached result; DEL removes it).
//
// Usage:
//
//	libcni-client [flags] add|check|del|cached|validate
//
// A configuration with a "plugins" array is run as a list (AddNetworkList and so on); one
// without is run as a single network (AddNetwork), as Multus does with such a delegate.
// Before add and check the client checks versions: the configuration's cniVersion must be
// one that libcni speaks, every plugin must list it in its VERSION answer, and the result
// of ADD must come back in that same version. Prints the result JSON of add (and the cached
// result for cached); exits 1 with the error on stderr on failure.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io/ioutil"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"
)

type options struct {
	conf, netns, id, ifname, cacheDir, path, args, caps string
	timeout                                              time.Duration
	noVersionCheck                                       bool
}

func fail(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "libcni-client: "+format+"\n", a...)
	os.Exit(1)
}

// parseArgs splits CNI_ARGS as runtimes pass it: "K=V;K=V", values may be empty and keys
// may repeat; each pair is kept in order.
func parseArgs(s string) ([][2]string, error) {
	var out [][2]string
	if s == "" {
		return nil, nil
	}
	for _, kv := range strings.Split(s, ";") {
		i := strings.Index(kv, "=")
		if i <= 0 {
			return nil, fmt.Errorf("CNI_ARGS element %q is not KEY=VALUE", kv)
		}
		out = append(out, [2]string{kv[:i], kv[i+1:]})
	}
	return out, nil
}

func speaks(v string) bool {
	for _, s := range version.All.SupportedVersions() {
		if s == v {
			return true
		}
	}
	return false
}

// A single network configuration or a list, as libcni would load either.
type network struct {
	list   *libcni.NetworkConfigList
	single *libcni.NetworkConfig
}

func (n *network) version() string {
	if n.list != nil {
		return n.list.CNIVersion
	}
	return n.single.Network.CNIVersion
}

func load(path string) (*network, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = ioutil.ReadAll(os.Stdin)
	} else {
		data, err = ioutil.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%s: not a JSON object: %w", path, err)
	}
	if _, ok := probe["plugins"]; ok {
		l, err := libcni.ConfListFromBytes(data)
		if err != nil {
			return nil, err
		}
		return &network{list: l}, nil
	}
	c, err := libcni.ConfFromBytes(data)
	if err != nil {
		return nil, err
	}
	return &network{single: c}, nil
}

func main() {
	var o options
	flag.StringVar(&o.conf, "conf", "", "network configuration file (conflist or single conf; - for stdin)")
	flag.StringVar(&o.netns, "netns", "", "network namespace path (CNI_NETNS)")
	flag.StringVar(&o.id, "id", "", "container ID (CNI_CONTAINERID)")
	flag.StringVar(&o.ifname, "ifname", "eth0", "interface name in the container (CNI_IFNAME)")
	flag.StringVar(&o.cacheDir, "cache", "", "libcni cache dir (results/ under it); required")
	flag.StringVar(&o.path, "path", os.Getenv("CNI_PATH"), "plugin dirs, colon-separated (default $CNI_PATH)")
	flag.StringVar(&o.args, "args", "", "CNI_ARGS, K=V;K=V")
	flag.StringVar(&o.caps, "caps", "", "capability args as a JSON object, e.g. {\"ips\":[\"10.0.0.5/24\"]}")
	flag.DurationVar(&o.timeout, "timeout", 30*time.Second, "time limit for the whole command")
	flag.BoolVar(&o.noVersionCheck, "no-version-check", false, "skip the VERSION checks of the plugins")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: %s [flags] add|check|del|cached|validate\n", filepath.Base(os.Args[0]))
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	cmd := strings.ToLower(flag.Arg(0))
	if o.conf == "" || o.cacheDir == "" || o.path == "" {
		fail("-conf, -cache and -path (or CNI_PATH) are required")
	}
	if cmd != "validate" && (o.id == "" || o.ifname == "") {
		fail("-id and -ifname are required")
	}
	if (cmd == "add" || cmd == "check") && o.netns == "" {
		fail("-netns is required for %s", cmd)
	}

	net, err := load(o.conf)
	if err != nil {
		fail("loading %s: %v", o.conf, err)
	}
	args, err := parseArgs(o.args)
	if err != nil {
		fail("%v", err)
	}
	rt := &libcni.RuntimeConf{ContainerID: o.id, NetNS: o.netns, IfName: o.ifname, Args: args}
	if o.caps != "" {
		if err := json.Unmarshal([]byte(o.caps), &rt.CapabilityArgs); err != nil {
			fail("-caps: %v", err)
		}
	}
	cni := libcni.NewCNIConfigWithCacheDir(filepath.SplitList(o.path), o.cacheDir, nil)
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()

	want := net.version()
	if (cmd == "add" || cmd == "check" || cmd == "validate") && !o.noVersionCheck {
		if !speaks(want) {
			fail("cniVersion %q is not one libcni %s speaks (%v)", want, version.Current(),
				version.All.SupportedVersions())
		}
		if net.list != nil {
			_, err = cni.ValidateNetworkList(ctx, net.list)
		} else {
			_, err = cni.ValidateNetwork(ctx, net.single)
		}
		if err != nil {
			fail("version check: %v", err)
		}
	}

	switch cmd {
	case "validate":
		fmt.Printf("{\"cniVersion\":%q,\"ok\":true}\n", want)
	case "add":
		var res types.Result
		if net.list != nil {
			res, err = cni.AddNetworkList(ctx, net.list, rt)
		} else {
			res, err = cni.AddNetwork(ctx, net.single, rt)
		}
		if err != nil {
			fail("ADD: %v", err)
		}
		if res == nil {
			fail("ADD: no result")
		}
		if !o.noVersionCheck && res.Version() != want {
			fail("ADD: result in version %q, configuration asks for %q", res.Version(), want)
		}
		if err := res.Print(); err != nil {
			fail("printing the result: %v", err)
		}
		fmt.Println()
	case "check":
		if net.list != nil {
			err = cni.CheckNetworkList(ctx, net.list, rt)
		} else {
			err = cni.CheckNetwork(ctx, net.single, rt)
		}
		if err != nil {
			fail("CHECK: %v", err)
		}
	case "del":
		if net.list != nil {
			err = cni.DelNetworkList(ctx, net.list, rt)
		} else {
			err = cni.DelNetwork(ctx, net.single, rt)
		}
		if err != nil {
			fail("DEL: %v", err)
		}
	case "cached":
		var res types.Result
		if net.list != nil {
			res, err = cni.GetNetworkListCachedResult(net.list, rt)
		} else {
			res, err = cni.GetNetworkCachedResult(net.single, rt)
		}
		if err != nil {
			fail("cached result: %v", err)
		}
		if res == nil {
			fail("no cached result")
		}
		if err := res.Print(); err != nil {
			fail("printing the result: %v", err)
		}
		fmt.Println()
	default:
		flag.Usage()
		os.Exit(2)
	}
}
