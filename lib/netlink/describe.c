/* A link's state as CNI result entries (knl-result.h). */
#include "knl-result.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool has_mac(const char *mac)
{
	return mac[0] && strspn(mac, "0:") != strlen(mac);
}

int knl_result_add_link(struct knl_sock *sk, struct cni_result *r, const char *ifname,
			const char *sandbox, struct cni_error *err)
{
	struct knl_link_info li;
	int i, rc;

	if ((rc = knl_link_info(sk, ifname, &li, err)) < 0)
		return rc;
	/* lo, tun and friends report no address or an all-zero one: no MAC. */
	i = cni_result_add_interface(r, li.name, has_mac(li.mac) ? li.mac : NULL, sandbox, err);
	if (i < 0)
		return -ENOMEM;
	r->interfaces[i].mtu = (int)li.mtu;
	return i;
}

static bool reportable(const struct knl_addr *a)
{
	return a->scope != RT_SCOPE_LINK && a->scope != RT_SCOPE_HOST &&
	       a->scope != RT_SCOPE_NOWHERE;
}

/* The gateway of the first default route in routes whose gateway is in p. */
static const struct cni_ip *gateway_for(const struct cni_prefix *p, const struct knl_route *routes,
					size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (routes[i].dst.len == 0 && routes[i].gw.family &&
		    cni_prefix_contains(p, &routes[i].gw))
			return &routes[i].gw;
	return NULL;
}

/* One family: addresses, then the gateway routes. */
static int add_family(struct knl_sock *sk, struct cni_result *r, const char *ifname, int ifindex,
		      int family, int iface, struct cni_error *err)
{
	cleanup_free struct knl_addr *addrs = NULL;
	cleanup_free struct knl_route *routes = NULL;
	size_t na, nr;
	int rc;

	if ((rc = knl_addr_list(sk, ifname, family, &addrs, &na, err)) < 0 ||
	    (rc = knl_route_list(sk, family, 0, ifindex, &routes, &nr, err)) < 0)
		return rc;
	for (size_t i = 0; i < na; i++) {
		if (reportable(&addrs[i]) &&
		    cni_result_add_ip(r, &addrs[i].prefix,
				      gateway_for(&addrs[i].prefix, routes, nr), iface, err) < 0)
			return -ENOMEM;
	}
	for (size_t i = 0; i < nr; i++) {
		if (routes[i].gw.family &&
		    cni_result_add_route(r, &routes[i].dst, &routes[i].gw, err) < 0)
			return -ENOMEM;
	}
	return 0;
}

int knl_result_add_addrs(struct knl_sock *sk, struct cni_result *r, const char *ifname, int iface,
			 struct cni_error *err)
{
	int ifindex, rc;

	if ((rc = knl_link_index(sk, ifname, &ifindex, err)) < 0 ||
	    (rc = add_family(sk, r, ifname, ifindex, AF_INET, iface, err)) < 0)
		return rc;
	return add_family(sk, r, ifname, ifindex, AF_INET6, iface, err);
}

int knl_result_describe(const char *netns_path, const char *ifname, struct cni_result **out,
			struct cni_error *err)
{
	cleanup_netns int saved = -1;
	cleanup_knl struct knl_sock *sk = NULL;
	struct cni_result *r = NULL;
	int rc, i;

	*out = NULL;
	rc = knl_netns_enter_path(netns_path, &saved, err);
	if (rc < 0 || (rc = knl_open(&sk, err)) < 0)
		return rc;
	if (!(r = cni_result_new())) {
		cni_err(err, CNI_ERR_IO, "out of memory");
		return -ENOMEM;
	}
	if ((i = rc = knl_result_add_link(sk, r, ifname, netns_path, err)) < 0 ||
	    (rc = knl_result_add_addrs(sk, r, ifname, i, err)) < 0 ||
	    (rc = knl_netns_return(&saved, err)) < 0) {
		cni_result_free(r);
		return rc;
	}
	*out = r;
	return 0;
}
