/* Every link of a namespace by one dump. Its cost grows with the node's
 * interfaces, so it is for rare sweeps (a plugin's GC); the per-call paths
 * look links up one at a time (link.c). */
#include "knl-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_link.h>

struct link_list_acc {
	struct cni_array found; /* first: knl_array_rewind() rewinds it */
};

static int parse_entry(const struct nlmsghdr *nlh, void *arg)
{
	struct link_list_acc *acc = arg;
	const struct ifinfomsg *ifi = knl_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1];
	struct knl_link_entry *e;

	if (nlh->nlmsg_type != RTM_NEWLINK || knl_parse_attrs(nlh, sizeof(*ifi), tb, IFLA_MAX) < 0)
		return 0;
	if (!(e = CNI_ARRAY_PUSH(&acc->found, struct knl_link_entry, 0, "links", NULL)))
		return -ENOMEM;
	e->index = ifi->ifi_index;
	e->master = (int)knl_attr_u32(tb[IFLA_MASTER], 0);
	e->netnsid = tb[IFLA_LINK_NETNSID] ? (int)knl_attr_u32(tb[IFLA_LINK_NETNSID], 0) : -1;
	e->link = (int)knl_attr_u32(tb[IFLA_LINK], 0);
	knl_attr_str(tb[IFLA_IFNAME], e->name, sizeof(e->name));
	knl_linkinfo_kind(tb[IFLA_LINKINFO], e->kind, sizeof(e->kind), &e->vrf_table);
	knl_attr_str(tb[IFLA_IFALIAS], e->alias, sizeof(e->alias));
	return 0;
}

int knl_link_list(struct knl_sock *sk, struct knl_link_entry **out, size_t *n,
		  struct cni_error *err)
{
	struct link_list_acc acc = {0};
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	/* Without statistics: a fraction of the bytes per link. */
	struct knl_dump_req req = {RTM_GETLINK, &ifi, sizeof(ifi), .rewind = knl_array_rewind,
				   .ext_mask = RTEXT_FILTER_SKIP_STATS};
	struct knl_status st;
	int rc;

	*out = NULL;
	*n = 0;
	rc = knl_dump(sk, &req, parse_entry, &acc, &st);
	if (rc < 0) {
		free(acc.found.v);
		return knl_fail(err, rc, &st, "list links");
	}
	return knl_array_out(&acc.found, (void **)out, n);
}
