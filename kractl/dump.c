/* ls and gc read the node in two dumps, whatever the number of attachments:
 * every link (with its alias, VRF table and the peer's netns id) and every
 * route of every table. libmnl directly: this is kractl's own view, apart
 * from lib/netlink's per-object calls. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "kractl.h"

static void mnl_socket_closep(struct mnl_socket **nl)
{
	if (*nl)
		mnl_socket_close(*nl);
}

struct acc {
	struct cni_array *out;
	int err;
};

/* One dump request of type (RTM_GETLINK, RTM_GETROUTE), cb per message. */
static int dump(uint16_t type, size_t hdr_len, mnl_cb_t cb, void *data, struct cni_error *err)
{
	_cleanup_(mnl_socket_closep) struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	cleanup_free char *buf = malloc(MNL_SOCKET_BUFFER_SIZE * 4);
	struct nlmsghdr *h;
	uint32_t seq = (uint32_t)time(NULL), port;
	ssize_t n;
	int rc = MNL_CB_OK;

	if (!nl || !buf || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return cni_err_errno(err, CNI_ERR_IO, errno, "netlink socket");
	port = mnl_socket_get_portid(nl);
	h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	h->nlmsg_seq = seq;
	mnl_nlmsg_put_extra_header(h, hdr_len); /* zeroed: AF_UNSPEC, every table */
	if (mnl_socket_sendto(nl, h, h->nlmsg_len) < 0)
		return cni_err_errno(err, CNI_ERR_IO, errno, "netlink dump");
	while (rc > MNL_CB_STOP &&
	       (n = mnl_socket_recvfrom(nl, buf, MNL_SOCKET_BUFFER_SIZE * 4)) > 0)
		rc = mnl_cb_run(buf, (size_t)n, seq, port, cb, data);
	if (rc < 0 && errno == EINTR)
		return -EINTR; /* NLM_F_DUMP_INTR: the node changed during the dump */
	if (rc < 0)
		return cni_err_errno(err, CNI_ERR_IO, errno, "netlink dump");
	return 0;
}

/* A dump the node's changes interrupted is read again (a few times). */
static int dump_again(uint16_t type, size_t hdr_len, mnl_cb_t cb, struct cni_array *out,
		      struct cni_error *err)
{
	struct acc acc = {out, 0};
	int rc = -EINTR;

	for (int i = 0; i < 10 && rc == -EINTR; i++) {
		out->n = 0;
		acc.err = 0;
		rc = dump(type, hdr_len, cb, &acc, err);
	}
	if (acc.err)
		return cni_err(err, CNI_ERR_IO, "out of memory");
	if (rc == -EINTR)
		return cni_err_errno(err, CNI_ERR_TRY_AGAIN, EINTR,
				     "netlink dump: the node kept changing");
	return rc;
}

static void link_info(const struct nlattr *li, struct kc_link *l)
{
	const struct nlattr *a, *b;

	mnl_attr_for_each_nested(a, li)
	{
		if (mnl_attr_get_type(a) == IFLA_INFO_KIND)
			snprintf(l->kind, sizeof(l->kind), "%s", mnl_attr_get_str(a));
		if (mnl_attr_get_type(a) == IFLA_INFO_DATA && strcmp(l->kind, "vrf") == 0)
			mnl_attr_for_each_nested(b, a) if (mnl_attr_get_type(b) == IFLA_VRF_TABLE)
			    l->vrf_table = mnl_attr_get_u32(b);
	}
}

static int link_cb(const struct nlmsghdr *h, void *data)
{
	struct acc *acc = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
	const struct nlattr *a;
	struct kc_link *l;

	if (!(l = CNI_ARRAY_PUSH(acc->out, struct kc_link, 0, "links", NULL))) {
		acc->err = -ENOMEM;
		return MNL_CB_ERROR;
	}
	l->index = ifi->ifi_index;
	l->netnsid = -1;
	mnl_attr_for_each(a, h, sizeof(*ifi))
	{
		switch (mnl_attr_get_type(a)) {
		case IFLA_IFNAME:
			snprintf(l->name, sizeof(l->name), "%s", mnl_attr_get_str(a));
			break;
		case IFLA_IFALIAS:
			snprintf(l->alias, sizeof(l->alias), "%s", mnl_attr_get_str(a));
			break;
		case IFLA_MASTER:
			l->master = (int)mnl_attr_get_u32(a);
			break;
		case IFLA_LINK_NETNSID:
			l->netnsid = (int)mnl_attr_get_u32(a);
			break;
		case IFLA_LINKINFO:
			link_info(a, l);
			break;
		}
	}
	return MNL_CB_OK;
}

int kc_dump_links(struct cni_array *out, struct cni_error *err)
{
	return dump_again(RTM_GETLINK, sizeof(struct ifinfomsg), link_cb, out, err);
}

static void route_attr(const struct nlattr *a, int family, struct kc_route *r)
{
	switch (mnl_attr_get_type(a)) {
	case RTA_DST:
		memcpy(r->dst.ip.addr, mnl_attr_get_payload(a), family == AF_INET ? 4 : 16);
		break;
	case RTA_OIF:
		r->oif = (int)mnl_attr_get_u32(a);
		break;
	case RTA_PRIORITY:
		r->metric = mnl_attr_get_u32(a);
		break;
	case RTA_TABLE:
		r->table = mnl_attr_get_u32(a);
		break;
	}
}

static int route_cb(const struct nlmsghdr *h, void *data)
{
	struct acc *acc = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(h);
	const struct nlattr *a;
	struct kc_route *r;

	/* Only krafty's routes: its host routes and its table markers. */
	if (rtm->rtm_protocol != KR_RTPROT ||
	    (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6))
		return MNL_CB_OK;
	if (!(r = CNI_ARRAY_PUSH(acc->out, struct kc_route, 0, "routes", NULL))) {
		acc->err = -ENOMEM;
		return MNL_CB_ERROR;
	}
	r->dst.ip.family = rtm->rtm_family;
	r->dst.len = rtm->rtm_dst_len;
	r->type = rtm->rtm_type;
	r->table = rtm->rtm_table;
	mnl_attr_for_each(a, h, sizeof(*rtm)) route_attr(a, rtm->rtm_family, r);
	return MNL_CB_OK;
}

int kc_dump_routes(struct cni_array *out, struct cni_error *err)
{
	return dump_again(RTM_GETROUTE, sizeof(struct rtmsg), route_cb, out, err);
}
