/* floor: the kernel work of a krafty ADD / CHECK / DEL done in one process,
 * with no exec, timed per pod: the limit a plugin could reach on this node.
 *
 * ADD, per pod i (netns from --netns PATTERN, like cnibench), with lib/netlink:
 *   open the pod netns, a netlink socket on the node and one in the pod;
 *   reserve the address as host-local does (create <data>/<ip> O_EXCL, write
 *   "<id>\r\n<ifname>");
 *   [--vrf-table T: VRF fr<P><i> on table T, alias, disable_ipv6=1, up
 *   with forwarding=1 and rp_filter=0 in that request];
 *   bridge fb<P><i>: create, alias, [master VRF], disable_ipv6=1, up with
 *   forwarding=1 and rp_filter=0, gateway address without its prefix route;
 *   veth fv<P><i> with its peer created in the pod as CNI_IFNAME, one tx and
 *   one rx queue per end as krafty asks (the kernel's default would cut them
 *   from one per CPU, waiting for RCU twice), alias,
 *   disable_ipv6=1, master bridge, up; in the pod: alias, up, the pod address;
 *   the /32 route to the pod via the bridge (main table, or T), and the pod's
 *   default route via the gateway, metric 1024.
 * That is krafty's end state for "vrf": false (or true with --vrf-table)
 * without its look-ups (name checks, ownership probes, the result).
 * CHECK: the reads a CHECK needs: the node devices, the pod interface, its
 * addresses and routes.
 *
 * DEL, by --mode:
 *   plain   delete the veth (its pod end goes with it), the bridge [and the
 *           VRF], one request each: krafty's DEL with "spares": 0;
 *   group   one request for all of them: ADD also puts the pod's node devices
 *           in device group <group-base> + i, and DEL is one RTM_DELLINK by
 *           that group (what `ip link del group N` sends), so the kernel
 *           unregisters them in one batch (one RCU wait): the one-batch floor;
 *   spares  what krafty's DEL does with spares: delete the veth, then park
 *           the bridge [and the VRF]: [release it from the VRF,] down (the
 *           kernel drops the routes via it), delete the gateway address,
 *           rename it to fs<P><i> (VRF fq<P><i>) and set a spare alias in one
 *           request; ADD in this mode takes a parked one back (rename + alias
 *           in one request, mtu) instead of creating it. The parked devices'
 *           indexes are kept in <data>/spares (no look-up to find one; at
 *           most krafty's default number, KR_DEFAULT_SPARES: beyond, DEL
 *           deletes).
 * Every DEL also releases the address file.
 *
 * PROBE (--netns PATH of one netns; --samples PREFIX): enter that netns and,
 * until SIGTERM, --count rounds or --max-ms, time an exec of
 * `ip link add pa<k> type veth peer name pb<k>` and the same in-process (one
 * netlink request, no exec), --gap-ms apart; appends ms to PREFIX.ipadd and
 * PREFIX.nladd. The veths are deleted when it stops, in one request. Run
 * beside a load, it shows how long an unrelated link change waits on the
 * node (every link change takes the kernel's RTNL lock). With --rt the probe
 * runs SCHED_FIFO (the ip it execs does not): its in-process add then never
 * waits for a CPU, only for the kernel.
 *
 *   floor --cmd ADD|CHECK|DEL --netns /run/netns/x%d --id-prefix P --first N
 *         --count N --subnet 10.204.0.0/16 --data DIR [--ifname net1]
 *         [--vrf-table T] [--mode plain|group|spares] [--group-base G]
 *         [--samples FILE] [--cpu-samples FILE]
 *   floor --cmd PROBE --netns /run/netns/probe --samples PREFIX [--count N]
 *         [--ip /sbin/ip] [--gap-ms 5] [--max-ms 600000] [--rt]
 * Prints one JSON object like cnibench's (p50/p99/mean ms, throughput).
 * Pod i gets the subnet's address 2 + i; the gateway is its address 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "netlink/knl.h"
#include "../plugins/krafty/krafty.h"

#define BENCH_RTPROT  75
#define MARKER_METRIC 4278198272u
/* As many as krafty keeps by default (a smaller pool made the floor delete
 * bridges where krafty parked them). */
#define MAX_SPARES  KR_DEFAULT_SPARES
#define SPARE_ALIAS "kbench-floor spare"

enum mode { MODE_PLAIN, MODE_GROUP, MODE_SPARES };

struct opts {
	const char *cmd, *netns, *prefix, *ifname, *data, *samples, *cpu_samples, *ip;
	struct cni_prefix subnet;
	uint32_t vrf_table, group_base;
	enum mode mode;
	int first, count, gap_ms, max_ms, rt;
};

struct pod {
	int i;
	uint32_t group;
	char ns[256], id[64], br[KNL_IFNAMSIZ], veth[KNL_IFNAMSIZ], vrf[KNL_IFNAMSIZ];
	char spare_br[KNL_IFNAMSIZ], spare_vrf[KNL_IFNAMSIZ]; /* stems: + ifindex */
	char alias[KNL_IFALIAS_MAX + 1], ipfile[512];
	struct cni_prefix gw, addr;
};

static double clock_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
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
	snprintf(p->spare_br, sizeof(p->spare_br), "fs%s", o->prefix);
	snprintf(p->spare_vrf, sizeof(p->spare_vrf), "fq%s", o->prefix);
	p->group = o->group_base + (uint32_t)i;
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

/* A bridge's or VRF's: up with forwarding=1 and rp_filter=0 in the same
 * request (as krafty sends them), no IPv6 (an IPv4 network). */
static int router_up(struct knl_sock *sk, const char *dev, struct cni_error *err)
{
	static const struct knl_ipv4_conf ipv4[] = {{IPV4_DEVCONF_FORWARDING, 1},
						    {IPV4_DEVCONF_RP_FILTER, 0}};

	if (no_ipv6(dev, err) < 0)
		return -1;
	return knl_link_change(
	    sk, dev, &(struct knl_link_change){.up = true, .ipv4_conf = ipv4, .n_ipv4_conf = 2},
	    err);
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

/* ---- device groups: raw rtnetlink (lib/netlink has no group requests) ---- */

struct rtnl_req {
	struct nlmsghdr n;
	struct ifinfomsg i;
	char attrs[64];
};

static void rtnl_init(struct rtnl_req *r, unsigned short type)
{
	memset(r, 0, sizeof(*r));
	r->n.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	r->n.nlmsg_type = type;
	r->n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	r->n.nlmsg_seq = 1;
	r->i.ifi_family = AF_UNSPEC;
}

static void rtnl_attr(struct rtnl_req *r, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->n.nlmsg_len));

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	r->n.nlmsg_len = NLMSG_ALIGN(r->n.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* Send one request on a socket of its own and wait for the ack: 0 or -errno. */
static int rtnl_ack(struct rtnl_req *r)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	char buf[1024];
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), rc = -EIO;
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (sendto(fd, r, r->n.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		rc = -errno;
	else if ((n = recv(fd, buf, sizeof(buf), 0)) < 0)
		rc = -errno;
	else if ((size_t)n >= NLMSG_LENGTH(sizeof(struct nlmsgerr)) &&
		 ((struct nlmsghdr *)buf)->nlmsg_type == NLMSG_ERROR)
		rc = ((struct nlmsgerr *)NLMSG_DATA((struct nlmsghdr *)buf))->error;
	close(fd);
	return rc;
}

/* Put link `name` in device group `group` (ADD in group mode, untimed there). */
static int set_group(const char *name, uint32_t group, struct cni_error *err)
{
	struct rtnl_req r;
	int rc;

	rtnl_init(&r, RTM_NEWLINK);
	rtnl_attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
	rtnl_attr(&r, IFLA_GROUP, &group, sizeof(group));
	if ((rc = rtnl_ack(&r)) < 0)
		return cni_err_errno(err, CNI_ERR_IO, -rc, "group %u on %s", (unsigned int)group,
				     name);
	return 0;
}

/* Every link of device group `group`, in one RTM_DELLINK (ifindex 0, IFLA_GROUP). */
static int del_group(uint32_t group, struct cni_error *err)
{
	struct rtnl_req r;
	int rc;

	rtnl_init(&r, RTM_DELLINK);
	rtnl_attr(&r, IFLA_GROUP, &group, sizeof(group));
	if ((rc = rtnl_ack(&r)) < 0)
		return cni_err_errno(err, CNI_ERR_IO, -rc, "delete group %u", (unsigned int)group);
	return 0;
}

/* ---- parked devices (--mode spares) ------------------------------------- */

/* <data>/spares: one line per parked device, "<kind> <ifindex>", kind b
 * (bridge) or v (VRF). The floor keeps the index: no look-up to find one. */
struct spare {
	char kind;
	int index;
};

static int spares_load(const struct opts *o, struct spare *sp, int max)
{
	char path[512];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "%s/spares", o->data);
	if (!(f = fopen(path, "r")))
		return 0;
	while (n < max && fscanf(f, " %c %d", &sp[n].kind, &sp[n].index) == 2)
		n++;
	fclose(f);
	return n;
}

static int spares_save(const struct opts *o, const struct spare *sp, int n, struct cni_error *err)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/spares", o->data);
	if (!(f = fopen(path, "w")))
		return cni_err_errno(err, CNI_ERR_IO, errno, "write %s", path);
	for (int k = 0; k < n; k++)
		fprintf(f, "%c %d\n", sp[k].kind, sp[k].index);
	fclose(f);
	return 0;
}

static int spares_count(const struct opts *o, char kind)
{
	struct spare sp[4 * MAX_SPARES];
	int n = spares_load(o, sp, 4 * MAX_SPARES), c = 0;

	for (int k = 0; k < n; k++)
		c += sp[k].kind == kind;
	return c;
}

/* Take back the last parked device of `kind` as `name`: 1 when taken, 0 when
 * there is none (or it is gone: then the caller creates one). */
static int spare_take(const struct opts *o, struct knl_sock *sk, char kind, const char *name,
		      const char *alias, struct cni_error *err)
{
	struct spare sp[4 * MAX_SPARES];
	int n, k, index;

	if (o->mode != MODE_SPARES)
		return 0;
	n = spares_load(o, sp, 4 * MAX_SPARES);
	for (k = n - 1; k >= 0 && sp[k].kind != kind; k--)
		;
	if (k < 0)
		return 0;
	index = sp[k].index;
	memmove(&sp[k], &sp[k + 1], (size_t)(n - k - 1) * sizeof(sp[0]));
	if (spares_save(o, sp, n - 1, err) < 0)
		return -1;
	if (knl_link_adopt(sk, index, name, alias, NULL, err) < 0) {
		cni_err_clear(err);
		return 0;
	}
	return 1;
}

/* DEL in spares mode: strip the device and park it under `stem` + its
 * ifindex (a name no other device holds, whichever pod parked it), or delete
 * it when MAX_SPARES of its kind are parked. */
static int park(const struct opts *o, struct knl_sock *sk, char kind, const char *name,
		const char *stem, const struct cni_prefix *gw, struct cni_error *err)
{
	char path[512], spare[KNL_IFNAMSIZ];
	FILE *f;
	int index;

	if (spares_count(o, kind) >= MAX_SPARES)
		return knl_link_del(sk, name, err);
	if (knl_link_index(sk, name, &index, err) < 0)
		return -1;
	if ((size_t)snprintf(spare, sizeof(spare), "%s%d", stem, index) >= sizeof(spare))
		return cni_err(err, CNI_ERR_PLUGIN, "spare name %s%d: too long", stem, index);
	if (knl_link_set_down(sk, name, err) < 0 ||
	    (kind == 'b' && o->vrf_table && knl_link_set_master(sk, name, NULL, err) < 0) ||
	    (gw && knl_addr_del(sk, name, gw, err) < 0) ||
	    knl_link_adopt(sk, index, spare, SPARE_ALIAS, NULL, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/spares", o->data);
	if (!(f = fopen(path, "a")))
		return cni_err_errno(err, CNI_ERR_IO, errno, "append %s", path);
	fprintf(f, "%c %d\n", kind, index);
	fclose(f);
	return 0;
}

/* ---- ADD, CHECK, DEL ------------------------------------------------------ */

static int add_vrf(const struct opts *o, struct knl_sock *sk, const struct pod *p,
		   struct cni_error *err)
{
	int rc = spare_take(o, sk, 'v', p->vrf, p->alias, err);

	if (rc < 0 || (rc == 0 && (knl_vrf_add(sk, p->vrf, o->vrf_table, err) < 0 ||
				   knl_link_set_alias(sk, p->vrf, p->alias, err) < 0)))
		return -1;
	return router_up(sk, p->vrf, err) < 0 ? -1 : 0;
}

static int add_bridge(const struct opts *o, struct knl_sock *sk, const struct pod *p,
		      struct cni_error *err)
{
	int rc = spare_take(o, sk, 'b', p->br, p->alias, err);

	/* A spare may come from a network with another mtu: krafty sets it. */
	if (rc < 0 || (rc == 1 && knl_link_set_mtu(sk, p->br, 1500, err) < 0) ||
	    (rc == 0 && (knl_bridge_add(sk, p->br, 0, err) < 0 ||
			 knl_link_set_alias(sk, p->br, p->alias, err) < 0)))
		return -1;
	if ((o->vrf_table && knl_link_set_master(sk, p->br, p->vrf, err) < 0) ||
	    router_up(sk, p->br, err) < 0 ||
	    knl_addr_add(sk, p->br, &p->gw, IFA_F_NOPREFIXROUTE, NULL, err) < 0)
		return -1;
	return 0;
}

static int add_pod_side(const struct opts *o, struct knl_sock *sk, struct knl_sock *psk, int ns_fd,
			const struct pod *p, struct cni_error *err)
{
	struct knl_route host = {0}, def = {0};

	if (knl_veth_add(
		sk,
		&(struct knl_veth){
		    .host = p->veth, .peer = o->ifname, .peer_netns_fd = ns_fd, .queues = 1},
		err) < 0 ||
	    knl_link_set_alias(sk, p->veth, p->alias, err) < 0 || no_ipv6(p->veth, err) < 0 ||
	    knl_link_set_master(sk, p->veth, p->br, err) < 0 ||
	    knl_link_set_up(sk, p->veth, err) < 0)
		return -1;
	if (knl_link_set_alias(psk, o->ifname, p->alias, err) < 0 ||
	    knl_link_set_up(psk, o->ifname, err) < 0 ||
	    knl_addr_add(psk, o->ifname, &p->addr, 0, NULL, err) < 0)
		return -1;
	host.dst.ip = p->addr.ip;
	host.dst.len = 32;
	host.oif_name = p->br;
	host.table = o->vrf_table;
	host.protocol = BENCH_RTPROT;
	host.scope = KNL_SCOPE_AUTO;
	if (knl_route_add(sk, &host, NULL, err) < 0)
		return -1;
	def.dst.ip.family = AF_INET;
	def.gw = p->gw.ip;
	def.oif_name = o->ifname;
	def.metric = 1024;
	def.scope = KNL_SCOPE_AUTO;
	return knl_route_add(psk, &def, NULL, err) < 0 ? -1 : 0;
}

static int do_add(const struct opts *o, const struct pod *p, struct cni_error *err)
{
	cleanup_knl struct knl_sock *sk = NULL;
	cleanup_knl struct knl_sock *psk = NULL;
	int ns_fd = -1, rc = -1;

	if (knl_open(&sk, err) < 0 || open_pod(p, &ns_fd, &psk, err) < 0 || reserve(o, p, err) < 0)
		goto out;
	if ((o->vrf_table && add_vrf(o, sk, p, err) < 0) || add_bridge(o, sk, p, err) < 0 ||
	    add_pod_side(o, sk, psk, ns_fd, p, err) < 0)
		goto out;
	if (o->mode == MODE_GROUP &&
	    ((o->vrf_table && set_group(p->vrf, p->group, err) < 0) ||
	     set_group(p->br, p->group, err) < 0 || set_group(p->veth, p->group, err) < 0))
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

	switch (o->mode) {
	case MODE_GROUP:
		if (del_group(p->group, err) < 0)
			return -1;
		break;
	case MODE_SPARES:
		if (knl_open(&sk, err) < 0 || knl_link_del(sk, p->veth, err) < 0 ||
		    park(o, sk, 'b', p->br, p->spare_br, &p->gw, err) < 0 ||
		    (o->vrf_table && park(o, sk, 'v', p->vrf, p->spare_vrf, NULL, err) < 0))
			return -1;
		break;
	case MODE_PLAIN:
		if (knl_open(&sk, err) < 0 || knl_link_del(sk, p->veth, err) < 0 ||
		    knl_link_del(sk, p->br, err) < 0 ||
		    (o->vrf_table && knl_link_del(sk, p->vrf, err) < 0))
			return -1;
		break;
	}
	if (unlink(p->ipfile) < 0 && errno != ENOENT)
		return cni_err_errno(err, CNI_ERR_IO, errno, "release %s", p->ipfile);
	return 0;
}

/* ---- PROBE ----------------------------------------------------------------- */

static volatile sig_atomic_t stop_probe;

static void on_stop(int sig)
{
	(void)sig;
	stop_probe = 1;
}

/* Exec argv (looked up in PATH) under the normal scheduler, as any program
 * on the node runs, and wait for it: 0 when it exits 0. */
static int run_cmd(char *const argv[])
{
	struct sched_param sp = {.sched_priority = 0};
	posix_spawnattr_t attr;
	int status, rc;
	pid_t pid;

	posix_spawnattr_init(&attr);
	posix_spawnattr_setschedpolicy(&attr, SCHED_OTHER);
	posix_spawnattr_setschedparam(&attr, &sp);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSCHEDULER);
	rc = posix_spawnp(&pid, argv[0], NULL, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	if (rc != 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

#define PROBE_GROUP 4242 /* the probe's own netns: any group will do */

/* The probe's veths, deleted after the run in one request (untimed). */
static void probe_clean(int n)
{
	struct cni_error err = CNI_ERROR_INIT;
	char name[KNL_IFNAMSIZ];

	for (int k = 0; k < n; k++) {
		snprintf(name, sizeof(name), "pa%d", k);
		set_group(name, PROBE_GROUP, &err);
		snprintf(name, sizeof(name), "na%d", k);
		set_group(name, PROBE_GROUP, &err);
	}
	del_group(PROBE_GROUP, &err);
}

/* Exec `ip link add pa<k> type veth peer name pb<k>`, then create na<k>/nb<k>
 * in-process, timing each; the veths are deleted after the run, so that the
 * probe's own deletions neither wait in the way of its samples nor add to
 * the load it measures. */
static int probe_round(const struct opts *o, struct knl_sock *sk, int k, FILE *f[2])
{
	char pa[KNL_IFNAMSIZ], pb[KNL_IFNAMSIZ], na[KNL_IFNAMSIZ], nb[KNL_IFNAMSIZ];
	char *add[] = {(char *)o->ip, "link", "add", pa, "type", "veth", "peer", "name", pb, NULL};
	struct cni_error err = CNI_ERROR_INIT;
	int failures = 0;
	double t[3];

	snprintf(pa, sizeof(pa), "pa%d", k);
	snprintf(pb, sizeof(pb), "pb%d", k);
	snprintf(na, sizeof(na), "na%d", k);
	snprintf(nb, sizeof(nb), "nb%d", k);
	t[0] = now_ms();
	failures += run_cmd(add) < 0;
	t[1] = now_ms();
	failures +=
	    knl_veth_add(sk, &(struct knl_veth){.host = na, .peer = nb, .peer_netns_fd = -1},
			 &err) < 0;
	t[2] = now_ms();
	for (int m = 0; m < 2; m++)
		fprintf(f[m], "%.3f\n", t[m + 1] - t[m]);
	return failures;
}

static int do_probe(const struct opts *o)
{
	static const char *const metric[] = {"ipadd", "nladd"};
	struct sigaction sa = {.sa_handler = on_stop};
	struct cni_error err = CNI_ERROR_INIT;
	cleanup_knl struct knl_sock *sk = NULL;
	FILE *f[2] = {NULL};
	pid_t parent = getppid();
	double start = now_ms();
	int saved = -1, n = 0, failures = 0, rt = o->rt;

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* --rt: the probe itself runs SCHED_FIFO, so that its in-process add
	 * never waits for a CPU: what it waits for is the kernel (RTNL). */
	if (o->rt) {
		struct sched_param sp = {.sched_priority = 10};

		if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0) {
			perror("floor: probe: SCHED_FIFO");
			rt = 0;
		}
	}
	/* The process stays in the probe's netns: the ip it execs acts there. */
	if (knl_netns_enter_path(o->netns, &saved, &err) < 0 || knl_open(&sk, &err) < 0) {
		fprintf(stderr, "floor: probe: %s\n", err.msg);
		return 1;
	}
	for (int k = 0; k < 2; k++) {
		char path[512];

		snprintf(path, sizeof(path), "%s.%s", o->samples, metric[k]);
		if (!(f[k] = fopen(path, "a"))) {
			perror(path);
			return 2;
		}
	}
	while (!stop_probe && (o->count <= 0 || n < o->count) && now_ms() - start < o->max_ms &&
	       getppid() == parent) {
		failures += probe_round(o, sk, n++, f);
		if (o->gap_ms > 0)
			usleep((useconds_t)o->gap_ms * 1000);
	}
	for (int k = 0; k < 2; k++)
		fclose(f[k]);
	probe_clean(n);
	printf("{\"cmd\":\"PROBE\",\"count\":%d,\"rt\":%d,\"failures\":%d}\n", n, rt, failures);
	return failures ? 1 : 0;
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
			 .ip = "ip",
			 .count = 10,
			 .gap_ms = 5,
			 .max_ms = 600000};
	static const struct option longopts[] = {
	    {"cmd", 1, 0, 'c'},	    {"netns", 1, 0, 'n'},	{"id-prefix", 1, 0, 'I'},
	    {"first", 1, 0, 's'},   {"count", 1, 0, 'N'},	{"subnet", 1, 0, 'u'},
	    {"data", 1, 0, 'd'},    {"ifname", 1, 0, 'i'},	{"vrf-table", 1, 0, 't'},
	    {"samples", 1, 0, 'S'}, {"mode", 1, 0, 'm'},	{"group-base", 1, 0, 'g'},
	    {"ip", 1, 0, 'x'},	    {"gap-ms", 1, 0, 'G'},	{"max-ms", 1, 0, 'M'},
	    {"rt", 0, 0, 'r'},	    {"cpu-samples", 1, 0, 'C'}, {0, 0, 0, 0},
	};
	const char *subnet = "10.204.0.0/16";
	int ch, failures = 0;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o.cmd = optarg;
			break;
		case 'C':
			o.cpu_samples = optarg;
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
		case 'm':
			o.mode = !strcmp(optarg, "group")    ? MODE_GROUP
				 : !strcmp(optarg, "spares") ? MODE_SPARES
							     : MODE_PLAIN;
			break;
		case 'g':
			o.group_base = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'x':
			o.ip = optarg;
			break;
		case 'G':
			o.gap_ms = atoi(optarg);
			break;
		case 'M':
			o.max_ms = atoi(optarg);
			break;
		case 'r':
			o.rt = 1;
			break;
		default:
			fprintf(
			    stderr,
			    "usage: floor --cmd ADD|CHECK|DEL --netns PATTERN --id-prefix P "
			    "--first N --count N --subnet CIDR --data DIR [--ifname IF] "
			    "[--vrf-table T] [--mode plain|group|spares] [--group-base G] "
			    "[--samples FILE] [--cpu-samples FILE]\n"
			    "       floor --cmd PROBE --netns PATH --samples PREFIX [--count N] "
			    "[--ip IP] [--gap-ms MS] [--max-ms MS] [--rt]\n");
			return 2;
		}
	}
	if (!strcmp(o.cmd, "PROBE")) {
		if (!o.samples) {
			fprintf(stderr, "floor: PROBE needs --samples PREFIX\n");
			return 2;
		}
		return do_probe(&o);
	}
	if (o.mode == MODE_GROUP && !o.group_base) {
		fprintf(stderr, "floor: --mode group needs --group-base G (not 0)\n");
		return 2;
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
	FILE *cpu_samples = o.cpu_samples ? fopen(o.cpu_samples, "a") : NULL;
	struct rusage ru;

	if (!lat || (o.samples && !samples) || (o.cpu_samples && !cpu_samples)) {
		perror("floor");
		return 2;
	}
	for (int k = 0; k < o.count; k++) {
		struct pod p;
		double t, cpu;

		pod_init(&o, o.first + k, &p);
		cpu = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
		t = now_ms();
		cni_err_clear(&err);
		if (fn(&o, &p, &err) < 0) {
			failures++;
			fprintf(stderr, "floor: %s pod %d: %s\n", o.cmd, p.i, err.msg);
		}
		/* Each krafty call is a new process, which makes a procfs instance
		 * of its own for its sysctl paths (lib/netlink/sysctl.c) and lets
		 * it go when it exits: so does each pod here. */
		knl_sysctl_forget();
		lat[k] = now_ms() - t;
		if (samples)
			fprintf(samples, "%.3f\n", lat[k]);
		if (cpu_samples)
			fprintf(cpu_samples, "%.3f\n", clock_ms(CLOCK_PROCESS_CPUTIME_ID) - cpu);
	}
	total = now_ms() - t0;
	if (samples)
		fclose(samples);
	if (cpu_samples)
		fclose(cpu_samples);
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
