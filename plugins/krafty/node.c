/* The node side: the VRF, the bridge, per-device sysctls and the host route
 * to each pod (the network's routing table: table.c).
 *
 * Sysctls are set per device, never globally (no .all/.default, no
 * ip_forward), on the bridge and, in VRF mode, on the VRF. The IPv4 ones
 * ride in the request that names the device (IFLA_INET_CONF): a path under
 * /proc/sys/net/ipv4 costs a look-up that grows with the namespaces on the
 * node (lib/netlink/sysctl.c). IPv6 has no such attribute: its settings are
 * written under /proc/sys, before the device goes up.
 *  - net.ipv4.conf.<dev>.forwarding=1: IPv4 forwards a packet only when its
 *    input device forwards. Traffic from a pod comes in on its bridge, and in
 *    VRF mode the VRF device becomes the input device for the route look-up,
 *    so both need it.
 *  - net.ipv4.conf.<dev>.rp_filter=0: the kernel applies max(all, <dev>), so
 *    this leaves the node's own policy in force; with all=0 (the kernel's
 *    default) pod traffic is not reverse-path checked. A strict or loose check
 *    still passes for pod addresses: their /32 route points back at the bridge.
 *  - net.ipv6.conf.<dev>.forwarding=1 when the network has IPv6: the device
 *    acts as a router (NA router flag, no RA processing). IPv6 forwarding
 *    itself follows net.ipv6.conf.all.forwarding, which krafty leaves alone.
 *  - net.ipv6.conf.<dev>.disable_ipv6=1 on the host veth (a bridge port needs
 *    no address) and, for an IPv4-only network, on the bridge and the VRF:
 *    no link-local addresses, routes, DAD or MLD for them, and the kernel
 *    skips its walk of every IPv6 route when such a device goes up or down,
 *    a cost that otherwise grows with the interfaces on the node.
 */
#include "krafty.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_addr.h>
#include <linux/ip.h>
#include <linux/rtnetlink.h>

/* ---- sysctls --------------------------------------------------------- */

static int dev_sysctl(const char *proto, const char *dev, const char *key, const char *value,
		      struct cni_error *err)
{
	int rc;
	const char *parts[] = {"net", proto, "conf", dev, key, NULL};
	char path[KNL_SYSCTL_PATH_MAX];

	if ((rc = knl_sysctl_path_parts(parts, path, sizeof(path), err)) < 0 ||
	    (rc = knl_sysctl_write_path(path, value, err)) < 0)
		return rc;
	return 0;
}

/* A node booted without IPv6 has no net.ipv6: nothing to disable there. */
static int no_ipv6_sysctl(const char *dev, struct cni_error *err)
{
	const char *parts[] = {"net", "ipv6", "conf", dev, "disable_ipv6", NULL};
	char path[KNL_SYSCTL_PATH_MAX];
	int rc;

	if ((rc = knl_sysctl_path_parts(parts, path, sizeof(path), err)) < 0)
		return rc;
	rc = knl_sysctl_write_path(path, "1", err);
	return rc == -ENOENT || rc == 0 ? 0 : -1;
}

/* The IPv4 half of a router's settings, for a knl_link_change. */
static const struct knl_ipv4_conf router_ipv4[] = {
    {IPV4_DEVCONF_FORWARDING, 1},
    {IPV4_DEVCONF_RP_FILTER, 0},
};
#define ROUTER_IPV4_N (sizeof(router_ipv4) / sizeof(router_ipv4[0]))
#define ROUTER_IPV4   .ipv4_conf = router_ipv4, .n_ipv4_conf = ROUTER_IPV4_N

/* Up, with the IPv4 half in the same request. */
static const struct knl_link_change router_up = {.up = true, ROUTER_IPV4};

/* Why these and only per device: see the comment at the top. The IPv6 half,
 * set before the device goes up (a kr_prepare_fn). */
static int routing_sysctls(const struct kr_conf *c, const char *dev, struct cni_error *err)
{
	int rc;
	bool v6 = kr_conf_family(c, AF_INET6) != NULL;

	if (!v6)
		return no_ipv6_sysctl(dev, err);
	if ((rc = dev_sysctl("ipv6", dev, "disable_ipv6", "0", err)) < 0 ||
	    (rc = dev_sysctl("ipv6", dev, "forwarding", "1", err)) < 0)
		return rc;
	return 0;
}

/* A killed ADD's VRF or bridge, found under its final name: set up again. */
static int router_up_again(struct knl_sock *sk, const struct kr_conf *conf, const char *name,
			   struct cni_error *err)
{
	int rc = routing_sysctls(conf, name, err);

	return rc < 0 ? rc : knl_link_change(sk, name, &router_up, err);
}

int kr_port_sysctls(const char *dev, struct cni_error *err)
{
	return no_ipv6_sysctl(dev, err);
}

/* ---- VRF ------------------------------------------------------------- */

static int no_vrf(const char *name, struct cni_error *err)
{
	char why[sizeof(err->msg)];

	snprintf(why, sizeof(why), "%s", err->msg);
	cni_err(err, KR_ERR_NO_VRF,
		"this kernel lacks VRF support, so krafty cannot create VRF %s; "
		"set \"vrf\": false in the network config to attach without a VRF",
		name);
	return cni_err_details(err, "%s", why);
}

/* A device made under its temporary name is prepared there, then adopted
 * with the changes in also; one that could not be is deleted: the caller
 * made it. */
static int prepare_and_adopt(struct knl_sock *sk, const struct kr_conf *c,
			     const struct kr_ident *id, enum kr_dev dev,
			     const struct knl_link_change *also, char name[KNL_IFNAMSIZ],
			     struct cni_error *err)
{
	struct cni_error ignored = CNI_ERROR_INIT;
	int rc;

	if ((rc = routing_sysctls(c, id->tmp[dev], err)) < 0 ||
	    (rc = kr_dev_adopt(sk, id, dev, also, name, err)) < 0)
		knl_link_del(sk, id->tmp[dev], &ignored);
	return rc;
}

/* Created under the temporary name, then adopted: ours from birth. A leftover
 * under the temporary name (a killed ADD) is deleted and the VRF made anew. */
static int vrf_create(struct knl_sock *sk, const struct kr_conf *c, const struct kr_ident *id,
		      const struct knl_link_change *also, char name[KNL_IFNAMSIZ],
		      struct cni_error *err)
{
	const char *tmp = id->tmp[KR_DEV_VRF];
	int rc = knl_vrf_add(sk, tmp, c->table, err);

	if (rc == -EEXIST && (rc = knl_link_del(sk, tmp, err)) == 0)
		rc = knl_vrf_add(sk, tmp, c->table, err);
	if (rc == -EOPNOTSUPP)
		return no_vrf(name, err);
	if (rc < 0)
		return rc;
	kr_pause_at("after-vrf-create");
	return prepare_and_adopt(sk, c, id, KR_DEV_VRF, also, name, err);
}

/* A VRF or bridge this call takes or makes is prepared under the name it has,
 * and named, aliased, changed and brought up in one request. */
int kr_vrf_ensure(struct knl_sock *sk, const struct kr_conf *conf, const struct kr_ident *id,
		  char name[KNL_IFNAMSIZ], bool *created, struct cni_error *err)
{
	int rc;
	struct kr_link l;

	*created = false;
	if ((rc = kr_name_pick(sk, id, KR_DEV_VRF, name, &l, err)) < 0)
		return rc;
	/* Ours with another table: a killed ADD under an older config. */
	if (l.exists && l.info.vrf_table != conf->table && knl_link_del(sk, name, err) < 0)
		return -1;
	if (l.exists && l.info.vrf_table == conf->table) /* a killed ADD's: set it up again */
		return router_up_again(sk, conf, name, err);
	if ((rc = kr_spare_take(sk, conf, id, KR_DEV_VRF, routing_sysctls, &router_up, name,
				err)) == 0)
		rc = vrf_create(sk, conf, id, &router_up, name, err);
	if (rc < 0)
		return rc;
	*created = true;
	return 0;
}

int kr_vrf_probe(struct knl_sock *sk, uint32_t table, struct cni_error *err)
{
	char name[KNL_IFNAMSIZ];
	int rc;

	snprintf(name, sizeof(name), "krvprobe%u", (unsigned int)getpid() % 10000000u);
	rc = knl_vrf_add(sk, name, table, err);
	if (rc == -EEXIST) { /* left by a probe that was killed: ours by its name */
		if ((rc = knl_link_del(sk, name, err)) < 0)
			return rc;
		rc = knl_vrf_add(sk, name, table, err);
	}
	if (rc == -EOPNOTSUPP)
		return 0;
	if (rc < 0)
		return -1;
	return knl_link_del(sk, name, err) < 0 ? -1 : 1;
}

/* ---- bridge ---------------------------------------------------------- */

static int gateway_addrs(struct knl_sock *sk, const struct kr_conf *c, const char *bridge,
			 struct cni_error *err)
{
	int rc;
	for (size_t i = 0; i < c->n_fam; i++) {
		const struct kr_family *f = &c->fam[i];
		struct cni_prefix gw = {.ip = f->gateway, .len = f->subnet.len};
		uint32_t flags = IFA_F_NOPREFIXROUTE;

		if (f->gateway.family == AF_INET6)
			flags |= IFA_F_NODAD;
		if ((rc = knl_addr_add(sk, bridge, &gw, flags, NULL, err)) < 0)
			return rc;
	}
	return 0;
}

/* As vrf_create. */
static int bridge_create(struct knl_sock *sk, const struct kr_conf *c, const struct kr_ident *id,
			 const struct knl_link_change *also, char name[KNL_IFNAMSIZ],
			 struct cni_error *err)
{
	const char *tmp = id->tmp[KR_DEV_BRIDGE];
	int rc = knl_bridge_add(sk, tmp, c->mtu, err);

	if (rc == -EEXIST && (rc = knl_link_del(sk, tmp, err)) == 0)
		rc = knl_bridge_add(sk, tmp, c->mtu, err);
	if (rc < 0)
		return rc;
	kr_pause_at("after-bridge-create");
	return prepare_and_adopt(sk, c, id, KR_DEV_BRIDGE, also, name, err);
}

/* A bridge this call takes or makes gets a MAC of its own (mac): a bridge
 * whose MAC was never set takes its lowest port's and changes it as ports
 * come and go, so the pod's gateway MAC stays put only when it is set, and
 * the result then needs no look-up to report it. Up with the same request,
 * except in a VRF: a VRF cycles a slave that is up when it is enslaved (down
 * and up again), so there the bridge is enslaved here and brought up by the
 * caller. */
static int bridge_take_or_make(struct knl_sock *sk, const struct kr_conf *conf,
			       const struct kr_ident *id, const char *vrf, char name[KNL_IFNAMSIZ],
			       struct knl_mac *mac, struct cni_error *err)
{
	struct knl_link_change also = {.mac = mac, .up = !vrf, ROUTER_IPV4};
	int rc;

	if ((rc = knl_mac_random(mac, err)) < 0 ||
	    (vrf && (rc = knl_link_index(sk, vrf, &also.master, err)) < 0))
		return rc;
	also.mtu = conf->mtu ? conf->mtu : 1500; /* a spare may come from another network */
	rc = kr_spare_take(sk, conf, id, KR_DEV_BRIDGE, routing_sysctls, &also, name, err);
	if (rc == 0) {
		also.mtu = 0; /* made with the network's */
		rc = bridge_create(sk, conf, id, &also, name, err);
	}
	return rc;
}

int kr_bridge_ensure(struct knl_sock *sk, const struct kr_conf *conf, const struct kr_ident *id,
		     const char *vrf, char name[KNL_IFNAMSIZ], struct knl_mac *mac, bool *created,
		     struct cni_error *err)
{
	int rc;
	struct kr_link l;

	*created = false;
	if ((rc = kr_name_pick(sk, id, KR_DEV_BRIDGE, name, &l, err)) < 0)
		return rc;
	if (!l.exists) {
		if ((rc = bridge_take_or_make(sk, conf, id, vrf, name, mac, err)) < 0)
			return rc;
		*created = true; /* from here on, a failure's undo deletes it */
		if (vrf && (rc = knl_link_set_up(sk, name, err)) < 0)
			return rc;
		return gateway_addrs(sk, conf, name, err);
	}
	/* A killed ADD's bridge, set up again. Enslaved before the addresses:
	 * their local routes then go to the VRF's table. */
	if (vrf && knl_link_set_master(sk, name, vrf, err) < 0)
		return -1;
	if ((rc = router_up_again(sk, conf, name, err)) < 0)
		return rc;
	return gateway_addrs(sk, conf, name, err);
}

/* ---- host routes and deletion ---------------------------------------- */

void kr_host_route(const struct kr_conf *conf, const struct cni_ip *pod, const char *bridge,
		   struct knl_route *r)
{
	memset(r, 0, sizeof(*r));
	r->dst.ip = *pod;
	r->dst.len = cni_ip_bytes(pod) * 8;
	r->oif_name = bridge;
	r->table = kr_conf_route_table(conf);
	r->protocol = KR_RTPROT;
	r->scope = KNL_SCOPE_AUTO;
}

int kr_dev_adopt(struct knl_sock *sk, const struct kr_ident *id, enum kr_dev dev,
		 const struct knl_link_change *also, char name[KNL_IFNAMSIZ], struct cni_error *err)
{
	int index, rc;

	if ((rc = knl_link_index(sk, id->tmp[dev], &index, err)) < 0)
		return rc;
	return kr_name_claim(sk, id, dev, index, also, name, err);
}

/* Both candidates (a killed ADD may have left one under each name; a host
 * veth killed before its alias is found by its pod end's name) and the
 * temporary name (a killed ADD's device not yet adopted; host veths had one
 * before they were born under their final name). */
int kr_dev_delete(struct knl_sock *sk, const struct kr_ident *id, enum kr_dev dev,
		  struct cni_error *err)
{
	int rc;

	if ((rc = knl_link_del(sk, id->tmp[dev], err)) < 0)
		return rc;
	for (int i = 0; i < 2; i++) {
		struct kr_link l;

		if ((rc = kr_link_probe(sk, id->cand[dev][i], id, &l, err)) < 0 ||
		    (rc = kr_dev_is_ours(sk, id, dev, &l, err)) < 0)
			return rc;
		if (rc && knl_link_del(sk, id->cand[dev][i], err) < 0)
			return -1;
	}
	return 0;
}
