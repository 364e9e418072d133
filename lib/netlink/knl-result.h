/* Links read back as CNI result entries: what passthru returns for an
 * interface that already exists, and what any plugin can use to report the
 * state of one it did not create. */
#ifndef KNL_RESULT_H
#define KNL_RESULT_H

#include "cni/result.h"
#include "knl.h"

/* Append the link ifname of the current netns to r as an interface entry
 * (name, mac when it has one, mtu, sandbox). Returns the new index, or a
 * negative errno (-ENODEV when the link does not exist). */
int knl_result_add_link(struct knl_sock *sk, struct cni_result *r, const char *ifname,
			const char *sandbox, struct cni_error *err);

/* Append the link's addresses as ips (global and site scope: link-local and
 * host addresses are not what a result reports), with interface = iface
 * (-1: none), and its main-table routes that have a gateway as routes. An
 * address whose prefix holds the gateway of a default route through the link
 * gets that gateway. */
int knl_result_add_addrs(struct knl_sock *sk, struct cni_result *r, const char *ifname, int iface,
			 struct cni_error *err);

/* Describe ifname in the netns at netns_path (CNI_NETNS) as a new result: one
 * interface (sandbox = netns_path) with its addresses and gateway routes.
 * -ENOENT when the netns does not exist and -EINVAL when the path is not a
 * network namespace (both with CNI_ERR_INVALID_ENV), -ENODEV when the link does
 * not exist. */
int knl_result_describe(const char *netns_path, const char *ifname, struct cni_result **out,
			struct cni_error *err);

#endif
