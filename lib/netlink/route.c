/* Routes: RTM_*ROUTE messages with the scope, protocol and type the caller
 * means (a delete leaves them open), idempotent add/delete, and a look-up
 * that reads one table (and one device), filtered by the kernel. */
#include "knl-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t table_of(const struct knl_route *r)
{
	return r->table ? r->table : RT_TABLE_MAIN;
}

static int family_of(const struct knl_route *r)
{
	return r->dst.ip.family;
}

static bool is_default(const struct knl_route *r)
{
	return r->dst.len == 0;
}

static uint8_t type_of(const struct knl_route *r)
{
	return r->type ? r->type : RTN_UNICAST;
}

static const char *type_name(uint8_t type)
{
	switch (type) {
	case RTN_UNICAST:
		return "";
	case RTN_LOCAL:
		return "local ";
	case RTN_BROADCAST:
		return "broadcast ";
	case RTN_ANYCAST:
		return "anycast ";
	case RTN_MULTICAST:
		return "multicast ";
	case RTN_BLACKHOLE:
		return "blackhole ";
	case RTN_UNREACHABLE:
		return "unreachable ";
	case RTN_PROHIBIT:
		return "prohibit ";
	case RTN_THROW:
		return "throw ";
	default:
		return "type? ";
	}
}

void knl_route_format(const struct knl_route *r, char *buf, size_t len)
{
	char dst[CNI_PREFIX_STRLEN], gw[CNI_IP_STRLEN];
	struct cni_prefix net = cni_prefix_network(&r->dst);
	size_t off;

	if (is_default(r))
		snprintf(dst, sizeof(dst), "default%s", family_of(r) == AF_INET6 ? " (IPv6)" : "");
	else
		cni_prefix_format(&net, dst);
	off = snprintf(buf, len, "%s%s", type_name(type_of(r)), dst);
	if (r->gw.family && off < len) {
		cni_ip_format(&r->gw, gw);
		off += snprintf(buf + off, len - off, " via %s", gw);
	}
	if (r->oif_name && off < len)
		off += snprintf(buf + off, len - off, " dev %s", r->oif_name);
	else if (r->oif && off < len)
		off += snprintf(buf + off, len - off, " dev #%d", r->oif);
	if (table_of(r) != RT_TABLE_MAIN && off < len)
		off += snprintf(buf + off, len - off, " table %u", table_of(r));
	if (r->metric && off < len)
		snprintf(buf + off, len - off, " metric %u", r->metric);
}

/* What a call does, for its messages ("add route 10.0.0.0/24 via ..."),
 * formatted when a message needs it: most calls succeed and need none. */
struct route_op {
	const char *verb;
	const struct knl_route *r;
	char what[192];
};

static const char *route_what(struct route_op *op)
{
	char desc[160];

	if (!op->what[0]) {
		knl_route_format(op->r, desc, sizeof(desc));
		snprintf(op->what, sizeof(op->what), "%s %s", op->verb, desc);
	}
	return op->what;
}

static int check_route(struct route_op *op, struct cni_error *err)
{
	const struct knl_route *r = op->r;

	if (!knl_prefix_ok(&r->dst))
		return knl_prefix_check(&r->dst, route_what(op), err);
	if (r->gw.family && r->gw.family != family_of(r))
		return knl_invalid(err, "%s: gateway and destination families differ",
				   route_what(op));
	if (r->gw.family && type_of(r) != RTN_UNICAST)
		return knl_invalid(err, "%s: only a unicast route has a gateway", route_what(op));
	if (r->scope < KNL_SCOPE_AUTO || r->scope > 255)
		return knl_invalid(err, "%s: invalid scope %d", route_what(op), r->scope);
	if (r->oif_name && !r->oif)
		return cni_check_ifname(r->oif_name, CNI_ERR_INVALID_CONFIG, err);
	return 0;
}

/* The output interface index in *oif: r->oif, or r->oif_name looked up; 0 if
 * the route names none. Returns 1, or 0 when the named link does not exist. */
static int resolve_oif(struct knl_sock *sk, const struct knl_route *r, int *oif,
		       struct cni_error *err)
{
	*oif = r->oif;
	if (r->oif || !r->oif_name)
		return 1;
	if ((*oif = knl_names_get(sk, r->oif_name)) > 0)
		return 1;
	return knl_link_find(sk, r->oif_name, oif, err);
}

static uint8_t scope_of(const struct knl_route *r)
{
	if (r->scope != KNL_SCOPE_AUTO)
		return (uint8_t)r->scope;
	return family_of(r) == AF_INET && !r->gw.family && type_of(r) == RTN_UNICAST
		   ? RT_SCOPE_LINK
		   : RT_SCOPE_UNIVERSE;
}

static uint8_t protocol_of(const struct knl_route *r)
{
	return r->protocol ? r->protocol : RTPROT_BOOT;
}

/* Room for a route request: header, rtmsg, table, destination, gateway,
 * device and metric. */
#define ROUTE_REQ_SIZE 128

/* RTM_NEWROUTE / RTM_DELROUTE. A delete leaves protocol, type and scope open
 * (RT_SCOPE_NOWHERE, as `ip route del`) so it matches what was added. */
static void route_msg(struct knl_msg *m, void *buf, size_t size, uint16_t type, uint16_t flags,
		      const struct knl_route *r, int oif)
{
	bool del = type == RTM_DELROUTE;
	int bytes = knl_family_bytes(family_of(r));
	struct cni_prefix net = cni_prefix_network(&r->dst);
	struct rtmsg *rtm = knl_msg_init(m, buf, size, type, flags, sizeof(*rtm));

	rtm->rtm_family = family_of(r);
	rtm->rtm_dst_len = r->dst.len;
	rtm->rtm_table = table_of(r) < 256 ? table_of(r) : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = del ? RTPROT_UNSPEC : protocol_of(r);
	rtm->rtm_scope = del ? RT_SCOPE_NOWHERE : scope_of(r);
	rtm->rtm_type = del ? RTN_UNSPEC : type_of(r);
	rtm->rtm_flags = !del && r->onlink ? RTNH_F_ONLINK : 0;
	knl_put_u32(m, RTA_TABLE, table_of(r));
	if (r->dst.len)
		knl_put(m, RTA_DST, bytes, net.ip.addr);
	if (r->gw.family)
		knl_put(m, RTA_GATEWAY, bytes, r->gw.addr);
	if (oif)
		knl_put_u32(m, RTA_OIF, (uint32_t)oif);
	if (r->metric)
		knl_put_u32(m, RTA_PRIORITY, r->metric);
}

/* ---- look-up -------------------------------------------------------- */

struct route_acc {
	const struct knl_route *want;
	int oif;
	struct knl_route *found;
	bool hit;
};

static bool route_match(const struct route_acc *acc, const struct knl_route *got)
{
	const struct knl_route *w = acc->want;
	struct cni_prefix wnet = cni_prefix_network(&w->dst);

	if (type_of(got) != type_of(w) || table_of(got) != table_of(w) ||
	    got->dst.len != w->dst.len || !cni_ip_equal(&got->dst.ip, &wnet.ip))
		return false;
	if (w->gw.family ? !cni_ip_equal(&got->gw, &w->gw) : got->gw.family != 0)
		return false;
	if (acc->oif && got->oif != acc->oif)
		return false;
	return !w->metric || got->metric == w->metric;
}

static void attr_copy_ip(const struct nlattr *a, int family, struct cni_ip *ip)
{
	int bytes = knl_family_bytes(family);

	if (!a || knl_attr_len(a) != (size_t)bytes)
		return;
	ip->family = family;
	memcpy(ip->addr, knl_attr_data(a), bytes);
}

/* A single-path route of any type from an RTM_NEWROUTE; false to skip it. */
bool knl_route_decode(const struct nlmsghdr *nlh, int family, struct knl_route *got)
{
	const struct rtmsg *rtm = knl_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1];

	memset(got, 0, sizeof(*got));
	if (nlh->nlmsg_type != RTM_NEWROUTE || knl_payload_len(nlh) < sizeof(*rtm))
		return false;
	if (rtm->rtm_family != family || (rtm->rtm_flags & RTM_F_CLONED))
		return false;
	if (knl_parse_attrs(nlh, sizeof(*rtm), tb, RTA_MAX) < 0 || tb[RTA_MULTIPATH])
		return false;
	got->dst.ip.family = family;
	attr_copy_ip(tb[RTA_DST], family, &got->dst.ip);
	got->dst.len = rtm->rtm_dst_len;
	attr_copy_ip(tb[RTA_GATEWAY], family, &got->gw);
	got->oif = (int)knl_attr_u32(tb[RTA_OIF], 0);
	got->table = knl_attr_u32(tb[RTA_TABLE], rtm->rtm_table);
	got->metric = knl_attr_u32(tb[RTA_PRIORITY], 0);
	got->scope = rtm->rtm_scope;
	got->onlink = rtm->rtm_flags & RTNH_F_ONLINK;
	got->protocol = rtm->rtm_protocol;
	got->type = rtm->rtm_type;
	return true;
}

static int parse_route(const struct nlmsghdr *nlh, void *arg)
{
	struct route_acc *acc = arg;
	struct knl_route got;

	if (acc->hit || !knl_route_decode(nlh, family_of(acc->want), &got))
		return 0;
	if (!route_match(acc, &got))
		return 0;
	acc->hit = true;
	if (acc->found)
		*acc->found = got;
	return 0;
}

static void forget_hit(void *arg)
{
	((struct route_acc *)arg)->hit = false;
}

/* Dump one table (and one device, and one route type): the kernel filters
 * with strict checking, so a look-up for a rare type (an unreachable marker)
 * reads one route however many unicast routes share the table; parse_route
 * filters again for kernels without it. */
static int find_route(struct knl_sock *sk, struct route_op *op, int oif, struct knl_route *found,
		      struct cni_error *err)
{
	const struct knl_route *r = op->r;
	struct route_acc acc = {.want = r, .oif = oif, .found = found};
	uint32_t table = table_of(r);
	struct rtmsg rtm = {
	    .rtm_family = family_of(r),
	    .rtm_table = table < 256 ? table : RT_TABLE_UNSPEC,
	    .rtm_type = type_of(r),
	};
	struct knl_dump_req req = {RTM_GETROUTE, &rtm, sizeof(rtm),
				   table,	 oif,  .rewind = forget_hit};
	struct knl_status st;
	int rc;

	rc = knl_dump(sk, &req, parse_route, &acc, &st);
	if (rc == -ENOENT) /* a table that was never used: it holds no route */
		return 0;
	if (rc < 0)
		return knl_fail(err, rc, &st, "%s", route_what(op));
	return acc.hit;
}

int knl_route_find(struct knl_sock *sk, const struct knl_route *r, struct knl_route *found,
		   struct cni_error *err)
{
	struct route_op op = {"look up route", r, ""};
	int oif, rc;

	if ((rc = check_route(&op, err)) < 0)
		return rc;
	rc = resolve_oif(sk, r, &oif, err);
	if (rc <= 0)
		return rc; /* no such device: no such route */
	return find_route(sk, &op, oif, found, err);
}

/* ---- add / delete --------------------------------------------------- */

static int route_request(struct knl_sock *sk, uint16_t type, uint16_t flags,
			 const struct knl_route *r, int oif, struct knl_status *st)
{
	KNL_MSG_BUF(buf, ROUTE_REQ_SIZE);
	struct knl_msg m;

	route_msg(&m, buf, sizeof(buf), type, flags, r, oif);
	return knl_transact(sk, &m, NULL, NULL, st);
}

int knl_route_add(struct knl_sock *sk, const struct knl_route *r, bool *existed,
		  struct cni_error *err)
{
	struct route_op op = {"add route", r, ""};
	struct knl_status st;
	int oif, rc;

	if (existed)
		*existed = false;
	if ((rc = check_route(&op, err)) < 0)
		return rc;
	rc = resolve_oif(sk, r, &oif, err);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return knl_fail(err, -ENODEV, NULL, "%s", route_what(&op));
	rc = route_request(sk, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, r, oif, &st);
	if (rc != -EEXIST)
		return rc < 0 ? knl_fail(err, rc, &st, "%s", route_what(&op)) : 0;
	rc = find_route(sk, &op, oif, NULL, err);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return knl_fail(err, -EEXIST, NULL,
				"%s: a different route to that destination exists",
				route_what(&op));
	if (existed)
		*existed = true;
	return 0;
}

int knl_route_del(struct knl_sock *sk, const struct knl_route *r, struct cni_error *err)
{
	struct route_op op = {"delete route", r, ""};
	struct knl_status st;
	int oif, rc;

	if ((rc = check_route(&op, err)) < 0)
		return rc;
	rc = resolve_oif(sk, r, &oif, err);
	if (rc <= 0)
		return rc; /* its device is gone, and the route with it */
	rc = route_request(sk, RTM_DELROUTE, 0, r, oif, &st);
	if (rc == -ESRCH || rc == -ENOENT)
		return 0;
	return rc < 0 ? knl_fail(err, rc, &st, "%s", route_what(&op)) : 0;
}

/* ---- listing -------------------------------------------------------- */

struct route_list_acc {
	struct cni_array found; /* first: knl_array_rewind() rewinds it */
	int family, oif;
	bool any_type; /* else unicast routes only */
	uint32_t table;
};

/* Kernels without strict checking send every route: filter here too. */
static int parse_route_list(const struct nlmsghdr *nlh, void *arg)
{
	struct route_list_acc *acc = arg;
	struct knl_route got, *slot;

	if (!knl_route_decode(nlh, acc->family, &got))
		return 0;
	if (table_of(&got) != acc->table || (acc->oif && got.oif != acc->oif))
		return 0;
	if (!acc->any_type && type_of(&got) != RTN_UNICAST)
		return 0;
	if (!(slot = CNI_ARRAY_PUSH(&acc->found, struct knl_route, 0, "routes", NULL)))
		return -ENOMEM;
	*slot = got;
	return 0;
}

static int route_list(struct knl_sock *sk, struct route_list_acc *acc, struct knl_route **out,
		      size_t *n, struct cni_error *err)
{
	struct rtmsg rtm = {
	    .rtm_family = acc->family,
	    .rtm_table = acc->table < 256 ? acc->table : RT_TABLE_UNSPEC,
	};
	struct knl_dump_req req = {RTM_GETROUTE, &rtm,	   sizeof(rtm),
				   acc->table,	 acc->oif, .rewind = knl_array_rewind};
	struct knl_status st;
	int rc;

	*out = NULL;
	*n = 0;
	if (!knl_family_bytes(acc->family))
		return knl_invalid(err, "list routes: bad address family %d", acc->family);
	rc = knl_dump(sk, &req, parse_route_list, acc, &st);
	if (rc == -ENOENT) { /* a table that was never used: it holds no route */
		acc->found.n = 0;
		rc = 0;
	}
	if (rc < 0) {
		free(acc->found.v);
		return knl_fail(err, rc, &st, "list routes of table %u", acc->table);
	}
	return knl_array_out(&acc->found, (void **)out, n);
}

int knl_route_list(struct knl_sock *sk, int family, uint32_t table, int oif, struct knl_route **out,
		   size_t *n, struct cni_error *err)
{
	struct route_list_acc acc = {
	    .family = family, .oif = oif, .table = table ? table : RT_TABLE_MAIN};

	return route_list(sk, &acc, out, n, err);
}

int knl_route_list_table(struct knl_sock *sk, int family, uint32_t table, struct knl_route **out,
			 size_t *n, struct cni_error *err)
{
	struct route_list_acc acc = {
	    .family = family, .any_type = true, .table = table ? table : RT_TABLE_MAIN};

	return route_list(sk, &acc, out, n, err);
}

struct route_proto_acc {
	struct cni_array found; /* first: knl_array_rewind() rewinds it */
	uint8_t protocol;
};

static int parse_route_proto(const struct nlmsghdr *nlh, void *arg)
{
	struct route_proto_acc *acc = arg;
	struct knl_route got, *slot;

	if (!knl_route_decode(nlh, AF_INET, &got) && !knl_route_decode(nlh, AF_INET6, &got))
		return 0;
	if (got.protocol != acc->protocol)
		return 0;
	if (!(slot = CNI_ARRAY_PUSH(&acc->found, struct knl_route, 0, "routes", NULL)))
		return -ENOMEM;
	*slot = got;
	return 0;
}

int knl_route_list_proto(struct knl_sock *sk, uint8_t protocol, struct knl_route **out, size_t *n,
			 struct cni_error *err)
{
	struct rtmsg rtm = {.rtm_family = AF_UNSPEC, .rtm_protocol = protocol};
	struct knl_dump_req req = {RTM_GETROUTE, &rtm, sizeof(rtm), .rewind = knl_array_rewind};
	struct route_proto_acc acc = {.protocol = protocol};
	struct knl_status st;
	int rc;

	*out = NULL;
	*n = 0;
	rc = knl_dump(sk, &req, parse_route_proto, &acc, &st);
	if (rc < 0) {
		free(acc.found.v);
		return knl_fail(err, rc, &st, "list the routes of protocol %u", protocol);
	}
	return knl_array_out(&acc.found, (void **)out, n);
}

/* ---- the route the kernel would use ---------------------------------- */

struct route_get {
	int family;
	struct knl_route *out;
	bool hit;
};

static int parse_route_get(const struct nlmsghdr *nlh, void *arg)
{
	struct route_get *g = arg;

	if (g->hit || !knl_route_decode(nlh, g->family, g->out))
		return 0;
	g->hit = true;
	return 0;
}

int knl_route_get(struct knl_sock *sk, const struct cni_ip *dst, int oif, struct knl_route *out,
		  struct cni_error *err)
{
	KNL_MSG_BUF(buf, 128);
	int bytes = knl_family_bytes(dst->family);
	struct route_get g = {.family = dst->family, .out = out};
	char what[96], ip[CNI_IP_STRLEN];
	struct knl_status st;
	struct knl_msg m;
	struct rtmsg *rtm;
	int rc;

	memset(out, 0, sizeof(*out));
	cni_ip_format(dst, ip);
	snprintf(what, sizeof(what), "look up the route to %s", ip);
	if (!bytes)
		return knl_invalid(err, "%s: bad address family", what);
	rtm = knl_msg_init(&m, buf, sizeof(buf), RTM_GETROUTE, 0, sizeof(*rtm));
	rtm->rtm_family = dst->family;
	rtm->rtm_dst_len = bytes * 8;
	rtm->rtm_flags = RTM_F_FIB_MATCH;
	knl_put(&m, RTA_DST, bytes, dst->addr);
	if (oif > 0)
		knl_put_u32(&m, RTA_OIF, (uint32_t)oif);
	rc = knl_transact(sk, &m, parse_route_get, &g, &st);
	if (rc == -ENETUNREACH || rc == -EHOSTUNREACH || rc == -ESRCH)
		return 0;
	if (rc < 0)
		return knl_fail(err, rc, &st, "%s", what);
	return g.hit;
}
