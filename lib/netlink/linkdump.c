/* Every link of a namespace by one dump. Its cost grows with the node's
 * interfaces, so it is for rare sweeps (a plugin's GC); the per-call paths
 * look links up one at a time (link.c). */
#include "knl-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/route/link.h>

struct link_list_acc {
	struct cni_array found; /* first: knl_array_rewind() rewinds it */
	int err;
};

static void add_entry(struct nl_object *obj, void *arg)
{
	struct link_list_acc *acc = arg;
	struct rtnl_link *link = (struct rtnl_link *)obj;
	const char *name = rtnl_link_get_name(link), *kind = rtnl_link_get_type(link);
	const char *alias = rtnl_link_get_ifalias(link);
	struct knl_link_entry *e;

	if (acc->err)
		return;
	if (!(e = CNI_ARRAY_PUSH(&acc->found, struct knl_link_entry, 0, "links", NULL))) {
		acc->err = -ENOMEM;
		return;
	}
	e->index = rtnl_link_get_ifindex(link);
	e->master = rtnl_link_get_master(link);
	snprintf(e->name, sizeof(e->name), "%s", name ? name : "");
	snprintf(e->kind, sizeof(e->kind), "%s", kind ? kind : "");
	snprintf(e->alias, sizeof(e->alias), "%s", alias ? alias : "");
}

static int parse_entry(struct nl_msg *msg, void *arg)
{
	struct link_list_acc *acc = arg;
	int r;

	if (nlmsg_hdr(msg)->nlmsg_type != RTM_NEWLINK)
		return 0;
	r = nl_msg_parse(msg, add_entry, acc);
	if (r < 0)
		return knl_errno_from_nl(r);
	return acc->err;
}

int knl_link_list(struct knl_sock *sk, struct knl_link_entry **out, size_t *n,
		  struct cni_error *err)
{
	struct link_list_acc acc = {0};
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct knl_dump_req req = {RTM_GETLINK, &ifi, sizeof(ifi), .rewind = knl_array_rewind};
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
