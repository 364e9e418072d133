/* Rename a link and set its alias in one request: a device takes its final
 * name and its owner's mark at the same instant (a killed caller leaves it
 * either as it was or fully named and marked, never in between). */
#include "knl-internal.h"

#include <errno.h>
#include <string.h>

int knl_link_adopt(struct knl_sock *sk, int ifindex, const char *new_name, const char *alias,
		   struct cni_error *err)
{
	cleanup_nl_msg struct nl_msg *msg = NULL;
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
	size_t len = alias ? strnlen(alias, KNL_IFALIAS_MAX) : 0;
	struct knl_status st;
	int r;

	if (ifindex <= 0)
		return knl_invalid(err, "adopt link: invalid interface index %d", ifindex);
	if ((r = cni_check_ifname(new_name, CNI_ERR_INVALID_CONFIG, err)) < 0)
		return r;
	msg = nlmsg_alloc_simple(RTM_NEWLINK, 0);
	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(msg, IFLA_IFNAME, new_name) < 0 ||
	    nla_put(msg, IFLA_IFALIAS, (int)len, alias ? alias : "") < 0)
		return knl_fail(err, -ENOMEM, NULL, "name link #%d %s", ifindex, new_name);
	r = knl_transact(sk, msg, NULL, NULL, &st);
	if (r < 0)
		return knl_fail(err, r, &st, "name link #%d %s", ifindex, new_name);
	return 0;
}
