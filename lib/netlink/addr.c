/* Addresses: idempotent add/delete (rtnl_addr), per-interface listing. */
#include "knl-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_addr.h>
#include <netlink/route/addr.h>

static void addr_what(char *buf, size_t len, const char *verb, const struct cni_prefix *p,
		      const char *prep, const char *ifname)
{
	char s[CNI_PREFIX_STRLEN];

	cni_prefix_format(p, s);
	snprintf(buf, len, "%s address %s %s %s", verb, s, prep, ifname);
}

static struct nl_addr *make_nl_addr(const struct cni_ip *ip, int prefixlen)
{
	struct nl_addr *a = nl_addr_build(ip->family, ip->addr, knl_family_bytes(ip->family));

	if (a)
		nl_addr_set_prefixlen(a, prefixlen);
	return a;
}

/* The IPv4 broadcast address of p (as `ip addr add ... brd +`); NULL if none. */
static struct nl_addr *make_broadcast(const struct cni_prefix *p)
{
	struct cni_ip last;

	if (p->ip.family != AF_INET || p->len >= 31)
		return NULL;
	last = cni_prefix_last(p);
	return make_nl_addr(&last, 0);
}

/* An rtnl_addr for ifindex and p; broadcast only when adding. */
static int build_addr(int ifindex, const struct cni_prefix *p, uint32_t flags, bool adding,
		      struct rtnl_addr **out)
{
	cleanup_rtnl_addr struct rtnl_addr *a = rtnl_addr_alloc();
	cleanup_nl_addr struct nl_addr *local = make_nl_addr(&p->ip, p->len);
	cleanup_nl_addr struct nl_addr *brd = adding ? make_broadcast(p) : NULL;
	int r;

	if (!a || !local || (adding && p->ip.family == AF_INET && p->len < 31 && !brd))
		return -NLE_NOMEM;
	rtnl_addr_set_ifindex(a, ifindex);
	rtnl_addr_set_family(a, p->ip.family);
	if ((r = rtnl_addr_set_local(a, local)) < 0)
		return r;
	rtnl_addr_set_prefixlen(a, p->len);
	if (brd && (r = rtnl_addr_set_broadcast(a, brd)) < 0)
		return r;
	if (flags)
		rtnl_addr_set_flags(a, flags);
	*out = steal_ptr(a);
	return 0;
}

/* libnl drops the prefix length attribute for /0, and /0 addresses are never
 * what a plugin means. */
static int check_addr(const struct cni_prefix *p, const char *what, struct cni_error *err)
{
	int r = knl_prefix_check(p, what, err);

	if (r == 0 && p->len == 0)
		return knl_invalid(err, "%s: prefix length 0 is not supported", what);
	return r;
}

/* 1 if ifindex carries exactly p (address and prefix length), else 0. */
static int addr_present(struct knl_sock *sk, const char *ifname, const struct cni_prefix *p,
			struct cni_error *err)
{
	cleanup_free struct knl_addr *v = NULL;
	size_t n;
	int r;

	r = knl_addr_list(sk, ifname, p->ip.family, &v, &n, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		if (v[i].prefix.len == p->len && cni_ip_equal(&v[i].prefix.ip, &p->ip))
			return 1;
	return 0;
}

int knl_addr_add(struct knl_sock *sk, const char *ifname, const struct cni_prefix *addr,
		 uint32_t flags, bool *existed, struct cni_error *err)
{
	cleanup_rtnl_addr struct rtnl_addr *a = NULL;
	cleanup_nl_msg struct nl_msg *msg = NULL;
	struct knl_status st;
	char what[128];
	int ifindex, r;

	if (existed)
		*existed = false;
	if ((r = cni_check_ifname(ifname, CNI_ERR_INVALID_CONFIG, err)) < 0)
		return r;
	addr_what(what, sizeof(what), "add", addr, "to", ifname);
	if ((r = check_addr(addr, what, err)) < 0)
		return r;
	if ((r = knl_link_index(sk, ifname, &ifindex, err)) < 0) {
		cni_err_prefix(err, "%s", what);
		return r;
	}
	if ((r = build_addr(ifindex, addr, flags, true, &a)) < 0)
		return knl_fail_nl(err, r, "%s", what);
	if ((r = rtnl_addr_build_add_request(a, NLM_F_EXCL, &msg)) < 0)
		return knl_fail_nl(err, r, "%s", what);
	r = knl_transact(sk, msg, NULL, NULL, &st);
	if (r != -EEXIST)
		return r < 0 ? knl_fail(err, r, &st, "%s", what) : 0;
	r = addr_present(sk, ifname, addr, err);
	if (r < 0)
		return r;
	if (r == 0)
		return knl_fail(err, -EEXIST, NULL,
				"%s: the address exists with another prefix length", what);
	if (existed)
		*existed = true;
	return 0;
}

int knl_addr_del(struct knl_sock *sk, const char *ifname, const struct cni_prefix *addr,
		 struct cni_error *err)
{
	cleanup_rtnl_link struct rtnl_link *link = NULL;
	cleanup_rtnl_addr struct rtnl_addr *a = NULL;
	cleanup_nl_msg struct nl_msg *msg = NULL;
	struct knl_status st;
	char what[128];
	int r;

	if ((r = cni_check_ifname(ifname, CNI_ERR_INVALID_CONFIG, err)) < 0)
		return r;
	addr_what(what, sizeof(what), "delete", addr, "from", ifname);
	if ((r = check_addr(addr, what, err)) < 0)
		return r;
	if ((r = knl_link_get(sk, ifname, &link, err)) < 0)
		return r;
	if (!link)
		return 0;
	if ((r = build_addr(rtnl_link_get_ifindex(link), addr, 0, false, &a)) < 0)
		return knl_fail_nl(err, r, "%s", what);
	if ((r = rtnl_addr_build_delete_request(a, 0, &msg)) < 0)
		return knl_fail_nl(err, r, "%s", what);
	r = knl_transact(sk, msg, NULL, NULL, &st);
	if (r == -EADDRNOTAVAIL || r == -ENODEV)
		return 0;
	return r < 0 ? knl_fail(err, r, &st, "%s", what) : 0;
}

/* ---- listing -------------------------------------------------------- */

struct addr_acc {
	struct cni_array found; /* first: knl_array_rewind() rewinds it */
	int ifindex, family;
};

/* One RTM_NEWADDR; the kernel filters by index with strict checking, older
 * kernels send every address, so filter here too. */
static int parse_addr(struct nl_msg *msg, void *arg)
{
	struct addr_acc *acc = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[IFA_MAX + 1], *ip;
	struct ifaddrmsg *ifa;
	struct knl_addr *a;
	int bytes;

	if (nlh->nlmsg_type != RTM_NEWADDR || !nlmsg_valid_hdr(nlh, sizeof(*ifa)))
		return 0;
	ifa = nlmsg_data(nlh);
	bytes = knl_family_bytes(ifa->ifa_family);
	if ((int)ifa->ifa_index != acc->ifindex || !bytes ||
	    (acc->family != AF_UNSPEC && ifa->ifa_family != acc->family))
		return 0;
	if (nlmsg_parse(nlh, sizeof(*ifa), tb, IFA_MAX, NULL) < 0)
		return 0;
	ip = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!ip || nla_len(ip) != bytes)
		return 0;
	if (!(a = CNI_ARRAY_PUSH(&acc->found, struct knl_addr, 0, "addresses", NULL)))
		return -ENOMEM;
	a->ifindex = acc->ifindex;
	a->prefix.ip.family = ifa->ifa_family;
	memcpy(a->prefix.ip.addr, nla_data(ip), bytes);
	a->prefix.len = ifa->ifa_prefixlen;
	a->flags = tb[IFA_FLAGS] && nla_len(tb[IFA_FLAGS]) >= 4 ? nla_get_u32(tb[IFA_FLAGS])
								: ifa->ifa_flags;
	a->scope = ifa->ifa_scope;
	return 0;
}

int knl_addr_list(struct knl_sock *sk, const char *ifname, int family, struct knl_addr **out,
		  size_t *n, struct cni_error *err)
{
	struct addr_acc acc = {.family = family};
	struct ifaddrmsg ifa = {.ifa_family = family};
	struct knl_dump_req req = {RTM_GETADDR, &ifa, sizeof(ifa), .rewind = knl_array_rewind};
	struct knl_status st;
	int r;

	*out = NULL;
	*n = 0;
	if (family != AF_UNSPEC && !knl_family_bytes(family))
		return knl_invalid(err, "list addresses of %s: bad address family %d",
				   ifname ? ifname : "", family);
	if ((r = knl_link_index(sk, ifname, &acc.ifindex, err)) < 0)
		return r;
	ifa.ifa_index = acc.ifindex;
	r = knl_dump(sk, &req, parse_addr, &acc, &st);
	if (r < 0) {
		free(acc.found.v);
		return knl_fail(err, r, &st, "list addresses of %s", ifname);
	}
	return knl_array_out(&acc.found, (void **)out, n);
}
