/* Routes: raw RTM_*ROUTE messages (libnl's route builder guesses scopes and
 * would fill delete requests the same way), idempotent add/delete, and a
 * look-up that reads one table (and one device), filtered by the kernel. */
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

static int check_route(const struct knl_route *r, const char *what, struct cni_error *err)
{
	int r2 = knl_prefix_check(&r->dst, what, err);

	if (r2 < 0)
		return r2;
	if (r->gw.family && r->gw.family != family_of(r))
		return knl_invalid(err, "%s: gateway and destination families differ", what);
	if (r->gw.family && type_of(r) != RTN_UNICAST)
		return knl_invalid(err, "%s: only a unicast route has a gateway", what);
	if (r->scope < KNL_SCOPE_AUTO || r->scope > 255)
		return knl_invalid(err, "%s: invalid scope %d", what, r->scope);
	if (r->oif_name && !r->oif)
		return cni_check_ifname(r->oif_name, CNI_ERR_INVALID_CONFIG, err);
	return 0;
}

/* The output interface index in *oif: r->oif, or r->oif_name looked up; 0 if
 * the route names none. Returns 1, or 0 when the named link does not exist. */
static int resolve_oif(struct knl_sock *sk, const struct knl_route *r, int *oif,
		       struct cni_error *err)
{
	cleanup_rtnl_link struct rtnl_link *link = NULL;
	int rc;

	*oif = r->oif;
	if (r->oif || !r->oif_name)
		return 1;
	rc = knl_link_get(sk, r->oif_name, &link, err);
	if (rc < 0 || !link)
		return rc;
	*oif = rtnl_link_get_ifindex(link);
	return 1;
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

/* RTM_NEWROUTE / RTM_DELROUTE. A delete leaves protocol, type and scope open
 * (RT_SCOPE_NOWHERE, as `ip route del`) so it matches what was added. */
static int route_msg(int type, int flags, const struct knl_route *r, int oif, struct nl_msg **out)
{
	cleanup_nl_msg struct nl_msg *msg = nlmsg_alloc_simple(type, flags);
	bool del = type == RTM_DELROUTE;
	int bytes = knl_family_bytes(family_of(r));
	struct cni_prefix net = cni_prefix_network(&r->dst);
	struct rtmsg rtm = {
	    .rtm_family = family_of(r),
	    .rtm_dst_len = r->dst.len,
	    .rtm_table = table_of(r) < 256 ? table_of(r) : RT_TABLE_UNSPEC,
	    .rtm_protocol = del ? RTPROT_UNSPEC : protocol_of(r),
	    .rtm_scope = del ? RT_SCOPE_NOWHERE : scope_of(r),
	    .rtm_type = del ? RTN_UNSPEC : type_of(r),
	    .rtm_flags = !del && r->onlink ? RTNH_F_ONLINK : 0,
	};

	if (!msg || nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(msg, RTA_TABLE, table_of(r)) < 0 ||
	    (r->dst.len && nla_put(msg, RTA_DST, bytes, net.ip.addr) < 0) ||
	    (r->gw.family && nla_put(msg, RTA_GATEWAY, bytes, r->gw.addr) < 0) ||
	    (oif && nla_put_u32(msg, RTA_OIF, oif) < 0) ||
	    (r->metric && nla_put_u32(msg, RTA_PRIORITY, r->metric) < 0))
		return -ENOMEM;
	*out = steal_ptr(msg);
	return 0;
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

static void nla_copy_ip(struct nlattr *a, int family, struct cni_ip *ip)
{
	int bytes = knl_family_bytes(family);

	if (!a || nla_len(a) != bytes)
		return;
	ip->family = family;
	memcpy(ip->addr, nla_data(a), bytes);
}

/* A single-path route of any type from an RTM_NEWROUTE; false to skip it. */
static bool decode_route(struct nlmsghdr *nlh, int family, struct knl_route *got)
{
	struct nlattr *tb[RTA_MAX + 1];
	struct rtmsg *rtm;

	memset(got, 0, sizeof(*got));
	if (nlh->nlmsg_type != RTM_NEWROUTE || !nlmsg_valid_hdr(nlh, sizeof(*rtm)))
		return false;
	rtm = nlmsg_data(nlh);
	if (rtm->rtm_family != family || (rtm->rtm_flags & RTM_F_CLONED))
		return false;
	if (nlmsg_parse(nlh, sizeof(*rtm), tb, RTA_MAX, NULL) < 0 || tb[RTA_MULTIPATH])
		return false;
	got->dst.ip.family = family;
	nla_copy_ip(tb[RTA_DST], family, &got->dst.ip);
	got->dst.len = rtm->rtm_dst_len;
	nla_copy_ip(tb[RTA_GATEWAY], family, &got->gw);
	got->oif = tb[RTA_OIF] ? (int)nla_get_u32(tb[RTA_OIF]) : 0;
	got->table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	got->metric = tb[RTA_PRIORITY] ? nla_get_u32(tb[RTA_PRIORITY]) : 0;
	got->scope = rtm->rtm_scope;
	got->onlink = rtm->rtm_flags & RTNH_F_ONLINK;
	got->protocol = rtm->rtm_protocol;
	got->type = rtm->rtm_type;
	return true;
}

static int parse_route(struct nl_msg *msg, void *arg)
{
	struct route_acc *acc = arg;
	struct knl_route got;

	if (acc->hit || !decode_route(nlmsg_hdr(msg), family_of(acc->want), &got))
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
static int find_route(struct knl_sock *sk, const struct knl_route *r, int oif,
		      struct knl_route *found, const char *what, struct cni_error *err)
{
	struct route_acc acc = {.want = r, .oif = oif, .found = found};
	uint32_t table = table_of(r);
	struct rtmsg rtm = {
	    .rtm_family = family_of(r),
	    .rtm_table = table < 256 ? table : RT_TABLE_UNSPEC,
	    .rtm_type = type_of(r),
	};
	struct knl_dump_req req = {RTM_GETROUTE, &rtm, sizeof(rtm), table, oif, forget_hit};
	struct knl_status st;
	int rc;

	rc = knl_dump(sk, &req, parse_route, &acc, &st);
	if (rc == -ENOENT) /* a table that was never used: it holds no route */
		return 0;
	if (rc < 0)
		return knl_fail(err, rc, &st, "%s", what);
	return acc.hit;
}

int knl_route_find(struct knl_sock *sk, const struct knl_route *r, struct knl_route *found,
		   struct cni_error *err)
{
	char what[192], desc[160];
	int oif, rc;

	knl_route_format(r, desc, sizeof(desc));
	snprintf(what, sizeof(what), "look up route %s", desc);
	if ((rc = check_route(r, what, err)) < 0)
		return rc;
	rc = resolve_oif(sk, r, &oif, err);
	if (rc <= 0)
		return rc; /* no such device: no such route */
	return find_route(sk, r, oif, found, what, err);
}

/* ---- add / delete --------------------------------------------------- */

static int route_request(struct knl_sock *sk, int type, int flags, const struct knl_route *r,
			 int oif, struct knl_status *st)
{
	cleanup_nl_msg struct nl_msg *msg = NULL;

	if (route_msg(type, flags, r, oif, &msg) < 0) {
		st->err = -ENOMEM;
		st->ext[0] = '\0';
		return -ENOMEM;
	}
	return knl_transact(sk, msg, NULL, NULL, st);
}

int knl_route_add(struct knl_sock *sk, const struct knl_route *r, bool *existed,
		  struct cni_error *err)
{
	char what[192], desc[160];
	struct knl_status st;
	int oif, rc;

	if (existed)
		*existed = false;
	knl_route_format(r, desc, sizeof(desc));
	snprintf(what, sizeof(what), "add route %s", desc);
	if ((rc = check_route(r, what, err)) < 0)
		return rc;
	rc = resolve_oif(sk, r, &oif, err);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return knl_fail(err, -ENODEV, NULL, "%s", what);
	rc = route_request(sk, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, r, oif, &st);
	if (rc != -EEXIST)
		return rc < 0 ? knl_fail(err, rc, &st, "%s", what) : 0;
	rc = find_route(sk, r, oif, NULL, what, err);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return knl_fail(err, -EEXIST, NULL,
				"%s: a different route to that destination exists", what);
	if (existed)
		*existed = true;
	return 0;
}

int knl_route_del(struct knl_sock *sk, const struct knl_route *r, struct cni_error *err)
{
	char what[192], desc[160];
	struct knl_status st;
	int oif, rc;

	knl_route_format(r, desc, sizeof(desc));
	snprintf(what, sizeof(what), "delete route %s", desc);
	if ((rc = check_route(r, what, err)) < 0)
		return rc;
	rc = resolve_oif(sk, r, &oif, err);
	if (rc <= 0)
		return rc; /* its device is gone, and the route with it */
	rc = route_request(sk, RTM_DELROUTE, 0, r, oif, &st);
	if (rc == -ESRCH || rc == -ENOENT)
		return 0;
	return rc < 0 ? knl_fail(err, rc, &st, "%s", what) : 0;
}

/* ---- listing -------------------------------------------------------- */

struct route_list_acc {
	struct cni_array found; /* first: knl_array_rewind() rewinds it */
	int family, oif;
	bool any_type; /* else unicast routes only */
	uint32_t table;
};

/* Kernels without strict checking send every route: filter here too. */
static int parse_route_list(struct nl_msg *msg, void *arg)
{
	struct route_list_acc *acc = arg;
	struct knl_route got, *slot;

	if (!decode_route(nlmsg_hdr(msg), acc->family, &got))
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
				   acc->table,	 acc->oif, knl_array_rewind};
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

/* ---- the route the kernel would use ---------------------------------- */

struct route_get {
	int family;
	struct knl_route *out;
	bool hit;
};

static int parse_route_get(struct nl_msg *msg, void *arg)
{
	struct route_get *g = arg;

	if (g->hit || !decode_route(nlmsg_hdr(msg), g->family, g->out))
		return 0;
	g->hit = true;
	return 0;
}

int knl_route_get(struct knl_sock *sk, const struct cni_ip *dst, uint32_t table,
		  struct knl_route *out, struct cni_error *err)
{
	cleanup_nl_msg struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETROUTE, 0);
	int bytes = knl_family_bytes(dst->family);
	struct rtmsg rtm = {
	    .rtm_family = dst->family,
	    .rtm_dst_len = bytes * 8,
	    .rtm_flags = RTM_F_FIB_MATCH,
	};
	struct route_get g = {.family = dst->family, .out = out};
	char what[96], ip[CNI_IP_STRLEN];
	struct knl_status st;
	int rc;

	memset(out, 0, sizeof(*out));
	cni_ip_format(dst, ip);
	snprintf(what, sizeof(what), "look up the route to %s", ip);
	if (!bytes)
		return knl_invalid(err, "%s: bad address family", what);
	if (!msg || nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, RTA_DST, bytes, dst->addr) < 0 ||
	    (table && nla_put_u32(msg, RTA_TABLE, table) < 0))
		return knl_fail(err, -ENOMEM, NULL, "%s", what);
	rc = knl_transact(sk, msg, parse_route_get, &g, &st);
	if (rc == -ENETUNREACH || rc == -EHOSTUNREACH || rc == -ESRCH)
		return 0;
	if (rc < 0)
		return knl_fail(err, rc, &st, "%s", what);
	return g.hit;
}
