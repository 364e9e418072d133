/* Rename a link and set its alias in one request: a device takes its final
 * name and its owner's mark at the same instant (a killed caller leaves it
 * either as it was or fully named and marked, never in between). */
#include "knl-internal.h"

#include <errno.h>
#include <string.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

/* ifinfomsg, IFLA_IFNAME (16), IFLA_IFALIAS (up to 255 + padding) and the
 * changes (MAC, MTU, master, group: 36 with their headers; the IPv4 settings:
 * 12 + 8 each). */
#define ADOPT_REQ_SIZE 448

int knl_link_adopt(struct knl_sock *sk, int ifindex, const char *new_name, const char *alias,
		   const struct knl_link_change *also, struct cni_error *err)
{
	KNL_MSG_BUF(buf, ADOPT_REQ_SIZE);
	size_t len = alias ? strnlen(alias, KNL_IFALIAS_MAX) : 0;
	struct ifinfomsg *ifi;
	struct knl_status st;
	struct knl_msg m;
	int r;

	if (ifindex <= 0)
		return knl_invalid(err, "adopt link: invalid interface index %d", ifindex);
	if (new_name && (r = cni_check_ifname(new_name, CNI_ERR_INVALID_CONFIG, err)) < 0)
		return r;
	ifi = knl_msg_init(&m, buf, sizeof(buf), RTM_NEWLINK, 0, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (new_name)
		knl_put_strz(&m, IFLA_IFNAME, new_name);
	knl_put(&m, IFLA_IFALIAS, len, alias ? alias : "");
	if (also && (r = knl_put_link_change(&m, ifi, also, err)) < 0)
		return r;
	r = knl_transact(sk, &m, NULL, NULL, &st);
	if (r < 0 && new_name)
		return knl_fail(err, r, &st, "name link #%d %s", ifindex, new_name);
	if (r < 0)
		return knl_fail(err, r, &st, "mark link #%d", ifindex);
	if (new_name)
		knl_names_put(sk, new_name, ifindex);
	return 0;
}
