/* What a config must not take from the node or from another pod.
 *
 * A NetworkAttachmentDefinition is written by users less trusted than the
 * node, and krafty runs as root. Before ADD makes anything:
 *  - a gateway goes on a node bridge: one that is already an address of a
 *    device on the node that is not krafty's (the node's own address, a
 *    metadata address on a dummy device, ...) is refused;
 *  - without a VRF the pod routes go to the main table: a subnet that the node
 *    already routes (a route matching its first or last address, other than
 *    the default route and krafty's own) is refused, so that a pod network
 *    cannot take part of the node's routing. Each is one RTM_GETROUTE with
 *    RTM_F_FIB_MATCH: O(1) whatever the node holds. A more specific route
 *    strictly inside the subnet is not seen by those two look-ups (a VRF
 *    network's table is checked whole when it is claimed: table.c).
 * And when the pod's /32 host route is already held by another device, it
 * moves to this pod only when that device is a bridge of this same network
 * whose attachment is verifiably gone (its host veth no longer exists).
 */
#include "krafty.h"

#include <stdio.h>
#include <string.h>
#include <linux/rtnetlink.h>

static int check_gateway(struct knl_sock *sk, const struct kr_family *f, struct cni_error *err)
{
	char gw[CNI_IP_STRLEN];
	struct knl_route r;
	int rc;

	if ((rc = knl_route_get(sk, &f->gateway, 0, &r, err)) <= 0)
		return rc;
	if (r.type != RTN_LOCAL || (rc = kr_ifindex_is_krafty(sk, r.oif, err)) != 0)
		return rc < 0 ? rc : 0;
	cni_ip_format(&f->gateway, gw);
	return cni_err(err, CNI_ERR_INVALID_CONFIG,
		       "gateway %s is already an address of a device on this node that is not "
		       "krafty's (ifindex %d): a pod network cannot take it",
		       gw, r.oif);
}

static int check_route_at(struct knl_sock *sk, const struct kr_family *f, const struct cni_ip *at,
			  struct cni_error *err)
{
	char net[CNI_PREFIX_STRLEN], desc[192];
	struct knl_route r;
	int rc;

	if ((rc = knl_route_get(sk, at, 0, &r, err)) <= 0)
		return rc;
	if (r.type != RTN_UNICAST || r.dst.len == 0 || r.protocol == KR_RTPROT ||
	    (rc = kr_ifindex_is_krafty(sk, r.oif, err)) != 0)
		return rc < 0 ? rc : 0;
	cni_prefix_format(&f->subnet, net);
	knl_route_format(&r, desc, sizeof(desc));
	return cni_err(err, CNI_ERR_INVALID_CONFIG,
		       "subnet %s overlaps the node's route %s: with \"vrf\": false the pods "
		       "would take part of the node's routing (choose another subnet, or a VRF)",
		       net, desc);
}

int kr_guard_node(struct knl_sock *sk, const struct kr_conf *conf, struct cni_error *err)
{
	int rc;

	for (size_t i = 0; i < conf->n_fam; i++) {
		const struct kr_family *f = &conf->fam[i];
		struct cni_ip last = cni_prefix_last(&f->subnet);

		if ((rc = check_gateway(sk, f, err)) < 0)
			return rc;
		if (conf->vrf)
			continue;
		if ((rc = check_route_at(sk, f, &f->subnet.ip, err)) < 0 ||
		    (rc = check_route_at(sk, f, &last, err)) < 0)
			return rc;
	}
	return 0;
}

int kr_guard_route_is_leaked(struct knl_sock *sk, const struct kr_conf *conf, int oif,
			     struct cni_error *err)
{
	struct knl_link_info li;
	struct kr_alias a;
	struct kr_ident other;
	int rc;

	if ((rc = knl_link_lookup(sk, NULL, oif, &li, err)) <= 0)
		return rc;
	if (strcmp(li.kind, "bridge") != 0 || !kr_alias_parse(li.alias, &a) || a.net_cut ||
	    strcmp(a.netname, conf->netname) != 0 || !a.ifname[0] || !a.container_id[0])
		return 0;
	kr_ident_init(&other, a.container_id, a.netname, a.ifname);
	if (other.hash != a.hash) /* an alias cut inside the container ID */
		return 0;
	for (int i = 0; i < 2; i++) {
		struct kr_link l;

		if ((rc = kr_link_probe(sk, other.cand[KR_DEV_VETH][i], &other, &l, err)) < 0)
			return rc;
		if (l.ours)
			return 0; /* its pod end is still attached: not leaked */
	}
	return 1;
}
