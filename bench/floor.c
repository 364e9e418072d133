/* floor: the kernel work of a krafty ADD / CHECK / DEL done in one process,
 * with no exec, timed per pod: the limit a plugin could reach on this node.
 *
 * ADD, per pod i (netns from --netns PATTERN, like cnibench), with lib/netlink:
 *   open the pod netns, a netlink socket on the node and one in the pod;
 *   reserve the address as host-local does (create <data>/<ip> O_EXCL, write
 *   "<id>\r\n<ifname>");
 *   [--vrf-table T: VRF fr<P><i> on table T, alias, forwarding=1,
 *   rp_filter=0, disable_ipv6=1, up];
 *   bridge fb<P><i>: create, alias, [master VRF], forwarding=1, rp_filter=0,
 *   disable_ipv6=1, up, gateway address without its prefix route;
 *   veth fv<P><i> with its peer created in the pod as CNI_IFNAME (krafty
 *   creates it under a temporary name and renames it: one step more), alias,
 *   disable_ipv6=1, master bridge, up; in the pod: alias, up, the pod address;
 *   the /32 route to the pod via the bridge (main table, or T), and the pod's
 *   default route via the gateway, metric 1024.
 * That is krafty's end state for "vrf": false (or true with --vrf-table)
 * without its look-ups (name checks, ownership probes, the result).
 * CHECK: the reads a CHECK needs: the node devices, the pod interface, its
 * addresses and routes. DEL: delete the veth (its pod end goes with it), the
 * bridge [and the VRF], release the address file.
 *
 *   floor --cmd ADD|CHECK|DEL --netns /run/netns/x%d --id-prefix P --first N
 *         --count N --subnet 10.204.0.0/16 --data DIR [--ifname net1]
 *         [--vrf-table T] [--samples FILE]
 * Prints one JSON object like cnibench's (p50/p99/mean ms, throughput).
 * Pod i gets the subnet's address 2 + i; the gateway is its address 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "netlink/knl.h"

#define BENCH_RTPROT  75
#define MARKER_METRIC 4278198272u

struct opts {
	const char *cmd, *netns, *prefix, *ifname, *data, *samples;
	struct cni_prefix subnet;
	uint32_t vrf_table;
	int first, count;
};

struct pod {
	int i;
	char ns[256], id[64], br[KNL_IFNAMSIZ], veth[KNL_IFNAMSIZ], vrf[KNL_IFNAMSIZ];
	char alias[KNL_IFALIAS_MAX + 1], ipfile[512];
	struct cni_prefix gw, addr;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void pod_init(const struct opts *o, int i, struct pod *p)
{
	char ip[CNI_IP_STRLEN];

	memset(p, 0, sizeof(*p));
	p->i = i;
	snprintf(p->ns, sizeof(p->ns), o->netns, i);
	snprintf(p->id, sizeof(p->id), "floor%s%d", o->prefix, i);
	snprintf(p->br, sizeof(p->br), "fb%s%d", o->prefix, i);
	snprintf(p->veth, sizeof(p->veth), "fv%s%d", o->prefix, i);
	snprintf(p->vrf, sizeof(p->vrf), "fr%s%d", o->prefix, i);
	/* As long as krafty's "krafty <16 hex> <network>/<ifname>/<containerID>". */
	snprintf(p->alias, sizeof(p->alias), "kbench-floor %016x floor/%s/%s", (unsigned int)i,
		 o->ifname, p->id);
	p->gw.ip = cni_ip_add(&o->subnet.ip, 1);
	p->gw.len = o->subnet.len;
	p->addr.ip = cni_ip_add(&o->subnet.ip, 2 + i);
	p->addr.len = o->subnet.len;
	cni_ip_format(&p->addr.ip, ip);
	snprintf(p->ipfile, sizeof(p->ipfile), "%s/%s", o->data, ip);
}

/* disable_ipv6=1 (a node without IPv6 has no net.ipv6: nothing to do). */
static int no_ipv6(const char *dev, struct cni_error *err)
{
	const char *parts[] = {"net", "ipv6", "conf", dev, "disable_ipv6", NULL};
	char path[KNL_SYSCTL_PATH_MAX];
	int rc;

	if ((rc = knl_sysctl_path_parts(parts, path, sizeof(path), err)) < 0)
		return rc;
	rc = knl_sysctl_write_path(path, "1", err);
	return rc == 0 || rc == -ENOENT ? 0 : -1;
}

/* A bridge's or VRF's: forwarding=1, rp_filter=0, no IPv6 (an IPv4 network). */
static int sysctls(const char *dev, struct cni_error *err)
{
	const char *fwd[] = {"net", "ipv4", "conf", dev, "forwarding", NULL};
	const char *rpf[] = {"net", "ipv4", "conf", dev, "rp_filter", NULL};
	char path[KNL_SYSCTL_PATH_MAX];
	int rc;

	if ((rc = knl_sysctl_path_parts(fwd, path, sizeof(path), err)) < 0 ||
	    (rc = knl_sysctl_write_path(path, "1", err)) < 0 ||
	    (rc = knl_sysctl_path_parts(rpf, path, sizeof(path), err)) < 0 ||
	    (rc = knl_sysctl_write_path(path, "0", err)) < 0)
		return rc;
	return no_ipv6(dev, err);
}

static int reserve(const struct opts *o, const struct pod *p, struct cni_error *err)
{
	char buf[128];
	int fd = open(p->ipfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	int n = snprintf(buf, sizeof(buf), "%s\r\n%s", p->id, o->ifname);

	if (fd < 0)
		return cni_err_errno(err, CNI_ERR_IO, errno, "reserve %s", p->ipfile);
	if (write(fd, buf, (size_t)n) != n) {
		close(fd);
		return cni_err_errno(err, CNI_ERR_IO, errno, "write %s", p->ipfile);
	}
	close(fd);
	return 0;
}

static int open_pod(const struct pod *p, int *ns_fd, struct knl_sock **psk, struct cni_error *err)
{
	int rc;

	if ((rc = knl_netns_open(p->ns, ns_fd, err)) < 0 ||
	    (rc = knl_open_in_netns(*ns_fd, psk, err)) < 0)
		return rc;
	return 0;
}

static int do_add(const struct opts *o, const struct pod *p, struct cni_error *err)
{
	cleanup_knl struct knl_sock *sk = NULL;
	cleanup_knl struct knl_sock *psk = NULL;
	int ns_fd = -1, rc = -1;
	struct knl_route host = {0}, def = {0};

	if (knl_open(&sk, err) < 0 || open_pod(p, &ns_fd, &psk, err) < 0)
		goto out;
	if (reserve(o, p, err) < 0)
		goto out;
	if (o->vrf_table && (knl_vrf_add(sk, p->vrf, o->vrf_table, err) < 0 ||
			     knl_link_set_alias(sk, p->vrf, p->alias, err) < 0 ||
			     sysctls(p->vrf, err) < 0 || knl_link_set_up(sk, p->vrf, err) < 0))
		goto out;
	if (knl_bridge_add(sk, p->br, 0, err) < 0 ||
	    knl_link_set_alias(sk, p->br, p->alias, err) < 0 ||
	    (o->vrf_table && knl_link_set_master(sk, p->br, p->vrf, err) < 0) ||
	    sysctls(p->br, err) < 0 || knl_link_set_up(sk, p->br, err) < 0 ||
	    knl_addr_add(sk, p->br, &p->gw, IFA_F_NOPREFIXROUTE, NULL, err) < 0)
		goto out;
	if (knl_veth_add(sk, p->veth, o->ifname, ns_fd, 0, err) < 0 ||
	    knl_link_set_alias(sk, p->veth, p->alias, err) < 0 || no_ipv6(p->veth, err) < 0 ||
	    knl_link_set_master(sk, p->veth, p->br, err) < 0 ||
	    knl_link_set_up(sk, p->veth, err) < 0)
		goto out;
	if (knl_link_set_alias(psk, o->ifname, p->alias, err) < 0 ||
	    knl_link_set_up(psk, o->ifname, err) < 0 ||
	    knl_addr_add(psk, o->ifname, &p->addr, 0, NULL, err) < 0)
		goto out;
	host.dst.ip = p->addr.ip;
	host.dst.len = 32;
	host.oif_name = p->br;
	host.table = o->vrf_table;
	host.protocol = BENCH_RTPROT;
	host.scope = KNL_SCOPE_AUTO;
	if (knl_route_add(sk, &host, NULL, err) < 0)
		goto out;
	def.dst.ip.family = AF_INET;
	def.gw = p->gw.ip;
	def.oif_name = o->ifname;
	def.metric = 1024;
	def.scope = KNL_SCOPE_AUTO;
	if (knl_route_add(psk, &def, NULL, err) < 0)
		goto out;
	rc = 0;
out:
	if (ns_fd >= 0)
		close(ns_fd);
	return rc;
}

static int do_check(const struct opts *o, const struct pod *p, struct cni_error *err)
{
	cleanup_knl struct knl_sock *sk = NULL;
	cleanup_knl struct knl_sock *psk = NULL;
	struct knl_link_info info;
	struct knl_addr *addrs = NULL;
	struct knl_route *routes = NULL;
	size_t n_addrs = 0, n_routes = 0;
	int ns_fd = -1, rc = -1;

	if (knl_open(&sk, err) < 0 || open_pod(p, &ns_fd, &psk, err) < 0)
		goto out;
	if ((o->vrf_table && knl_link_info(sk, p->vrf, &info, err) < 0) ||
	    knl_link_info(sk, p->br, &info, err) < 0 ||
	    knl_link_info(sk, p->veth, &info, err) < 0 ||
	    knl_link_info(psk, o->ifname, &info, err) < 0 ||
	    knl_addr_list(psk, o->ifname, AF_INET, &addrs, &n_addrs, err) < 0 ||
	    knl_route_list(psk, AF_INET, 0, info.index, &routes, &n_routes, err) < 0)
		goto out;
	if (n_addrs != 1 || n_routes < 1) {
		cni_err(err, CNI_ERR_IO, "%s: %zu addresses, %zu routes", p->ns, n_addrs, n_routes);
		goto out;
	}
	rc = 0;
out:
	free(addrs);
	free(routes);
	if (ns_fd >= 0)
		close(ns_fd);
	return rc;
}

static int do_del(const struct opts *o, const struct pod *p, struct cni_error *err)
{
	cleanup_knl struct knl_sock *sk = NULL;

	if (knl_open(&sk, err) < 0 || knl_link_del(sk, p->veth, err) < 0 ||
	    knl_link_del(sk, p->br, err) < 0 || (o->vrf_table && knl_link_del(sk, p->vrf, err) < 0))
		return -1;
	if (unlink(p->ipfile) < 0 && errno != ENOENT)
		return cni_err_errno(err, CNI_ERR_IO, errno, "release %s", p->ipfile);
	return 0;
}

/* The table's marker, as krafty claims a table (not timed: once per network). */
static int claim_table(const struct opts *o, struct cni_error *err)
{
	cleanup_knl struct knl_sock *sk = NULL;
	struct knl_route marker = {0};
	int rc;

	marker.dst.ip.family = AF_INET;
	marker.table = o->vrf_table;
	marker.metric = MARKER_METRIC;
	marker.protocol = BENCH_RTPROT;
	marker.type = RTN_UNREACHABLE;
	if ((rc = knl_open(&sk, err)) < 0 || (rc = knl_route_add(sk, &marker, NULL, err)) < 0)
		return rc;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct opts o = {.cmd = "ADD",
			 .netns = "/run/netns/floor%d",
			 .prefix = "x",
			 .ifname = "net1",
			 .data = NULL,
			 .count = 10};
	static const struct option longopts[] = {
	    {"cmd", 1, 0, 'c'},	    {"netns", 1, 0, 'n'},  {"id-prefix", 1, 0, 'I'},
	    {"first", 1, 0, 's'},   {"count", 1, 0, 'N'},  {"subnet", 1, 0, 'u'},
	    {"data", 1, 0, 'd'},    {"ifname", 1, 0, 'i'}, {"vrf-table", 1, 0, 't'},
	    {"samples", 1, 0, 'S'}, {0, 0, 0, 0},
	};
	const char *subnet = "10.204.0.0/16";
	int ch, failures = 0;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o.cmd = optarg;
			break;
		case 'n':
			o.netns = optarg;
			break;
		case 'I':
			o.prefix = optarg;
			break;
		case 's':
			o.first = atoi(optarg);
			break;
		case 'N':
			o.count = atoi(optarg);
			break;
		case 'u':
			subnet = optarg;
			break;
		case 'd':
			o.data = optarg;
			break;
		case 'i':
			o.ifname = optarg;
			break;
		case 't':
			o.vrf_table = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'S':
			o.samples = optarg;
			break;
		default:
			fprintf(stderr,
				"usage: floor --cmd ADD|CHECK|DEL --netns PATTERN --id-prefix P "
				"--first N --count N --subnet CIDR --data DIR [--ifname IF] "
				"[--vrf-table T] [--samples FILE]\n");
			return 2;
		}
	}
	if (!o.data || o.count < 1 || cni_prefix_parse(subnet, &o.subnet) < 0 ||
	    o.subnet.ip.family != AF_INET || strlen(o.prefix) > 6) {
		fprintf(stderr, "floor: need --data DIR, --count >= 1, an IPv4 --subnet and a "
				"--id-prefix of at most 6 characters\n");
		return 2;
	}
	o.subnet = cni_prefix_network(&o.subnet);

	struct cni_error err = CNI_ERROR_INIT;
	int (*fn)(const struct opts *, const struct pod *, struct cni_error *) =
	    !strcmp(o.cmd, "ADD")     ? do_add
	    : !strcmp(o.cmd, "CHECK") ? do_check
	    : !strcmp(o.cmd, "DEL")   ? do_del
				      : NULL;

	if (!fn) {
		fprintf(stderr, "floor: --cmd is ADD, CHECK or DEL\n");
		return 2;
	}
	if (fn == do_add && o.vrf_table && claim_table(&o, &err) < 0) {
		fprintf(stderr, "floor: %s\n", err.msg);
		return 1;
	}

	double *lat = calloc((size_t)o.count, sizeof(double)), t0 = now_ms(), total, sum = 0;
	FILE *samples = o.samples ? fopen(o.samples, "a") : NULL;
	struct rusage ru;

	if (!lat || (o.samples && !samples)) {
		perror("floor");
		return 2;
	}
	for (int k = 0; k < o.count; k++) {
		struct pod p;
		double t;

		pod_init(&o, o.first + k, &p);
		t = now_ms();
		cni_err_clear(&err);
		if (fn(&o, &p, &err) < 0) {
			failures++;
			fprintf(stderr, "floor: %s pod %d: %s\n", o.cmd, p.i, err.msg);
		}
		lat[k] = now_ms() - t;
		if (samples)
			fprintf(samples, "%.3f\n", lat[k]);
	}
	total = now_ms() - t0;
	if (samples)
		fclose(samples);
	qsort(lat, (size_t)o.count, sizeof(double), cmp_double);
	for (int k = 0; k < o.count; k++)
		sum += lat[k];
	getrusage(RUSAGE_SELF, &ru);
	printf("{\"cmd\":\"%s\",\"count\":%d,\"inflight\":1,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
	       "\"mean_ms\":%.3f,\"throughput\":%.1f,\"max_rss_kb\":%ld,\"failures\":%d}\n",
	       o.cmd, o.count, lat[o.count / 2], lat[(int)(o.count * 0.99)], sum / o.count,
	       o.count / (total / 1e3), ru.ru_maxrss, failures);
	free(lat);
	return failures ? 1 : 0;
}
