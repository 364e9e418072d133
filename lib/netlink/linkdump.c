/* Every link of a namespace by one dump. Its cost grows with the node's
 * interfaces, so it is for rare sweeps (a plugin's GC); the per-call paths
 * look links up one at a time (link.c). */
#include "knl-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/route/link.h>

#define DUMP_TRIES 3

struct link_list_acc {
	struct knl_link_entry *v;
	size_t n, cap;
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
	if (acc->n == acc->cap) {
		size_t cap = acc->cap ? acc->cap * 2 : 64;
		struct knl_link_entry *v = reallocarray(acc->v, cap, sizeof(*v));

		if (!v) {
			acc->err = -ENOMEM;
			return;
		}
		acc->v = v;
		acc->cap = cap;
	}
	e = &acc->v[acc->n++];
	memset(e, 0, sizeof(*e));
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

static int dump_links(struct nl_sock *sk, struct link_list_acc *acc, struct knl_status *st)
{
	cleanup_nl_msg struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_DUMP);
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};

	acc->n = 0;
	acc->err = 0;
	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0) {
		st->err = -ENOMEM;
		st->ext[0] = '\0';
		return -ENOMEM;
	}
	return knl_transact(sk, msg, parse_entry, acc, st);
}

int knl_link_list(struct nl_sock *sk, struct knl_link_entry **out, size_t *n, struct cni_error *err)
{
	struct link_list_acc acc = {0};
	struct knl_status st;
	int rc, tries = 0;

	*out = NULL;
	*n = 0;
	do
		rc = dump_links(sk, &acc, &st);
	while (rc == -EAGAIN && ++tries < DUMP_TRIES);
	if (rc < 0) {
		free(acc.v);
		return knl_fail(err, rc, &st, "list links");
	}
	if (acc.n == 0) {
		free(acc.v);
		acc.v = NULL;
	}
	*out = acc.v;
	*n = acc.n;
	return 0;
}
