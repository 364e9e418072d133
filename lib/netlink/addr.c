/* Addresses: idempotent add/delete, per-interface listing. */
#include "knl-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_addr.h>

/* What a call does, for its messages ("add address 10.0.0.1/24 to eth0"),
 * formatted when a message needs it: most calls succeed and need none. */
struct addr_op {
	const char *verb;
	const struct cni_prefix *p;
	const char *prep, *ifname;
	char what[128];
};

static const char *addr_what(struct addr_op *op)
{
	char s[CNI_PREFIX_STRLEN];

	if (!op->what[0]) {
		cni_prefix_format(op->p, s);
		snprintf(op->what, sizeof(op->what), "%s address %s %s %s", op->verb, s, op->prep,
			 op->ifname);
	}
	return op->what;
}

/* Room for RTM_NEWADDR: header, ifaddrmsg, local, address, broadcast, flags. */
#define ADDR_REQ_SIZE 96

/* 127.0.0.0/8 gets host scope, as libnl (which this library was built on)
 * gave it; every other address universe scope. */
static uint8_t addr_scope(const struct cni_prefix *p)
{
	return p->ip.family == AF_INET && p->ip.addr[0] == 127 ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
}

/* RTM_NEWADDR (NLM_F_CREATE|NLM_F_EXCL) or RTM_DELADDR for p on ifindex, as
 * `ip addr` sends them: IFA_LOCAL and IFA_ADDRESS both p, the IPv4 broadcast
 * address when adding (`brd +`), and the flags beyond the 8 bits of ifa_flags
 * in IFA_FLAGS (only then: old kernels refuse attributes they do not know). */
static void addr_msg(struct knl_msg *m, void *buf, size_t size, uint16_t type, int ifindex,
		     const struct cni_prefix *p, uint32_t flags)
{
	bool add = type == RTM_NEWADDR;
	struct ifaddrmsg *ifa =
	    knl_msg_init(m, buf, size, type, add ? NLM_F_CREATE | NLM_F_EXCL : 0, sizeof(*ifa));
	int bytes = knl_family_bytes(p->ip.family);

	ifa->ifa_family = p->ip.family;
	ifa->ifa_prefixlen = p->len;
	ifa->ifa_flags = flags & 0xff;
	ifa->ifa_scope = addr_scope(p);
	ifa->ifa_index = ifindex;
	knl_put(m, IFA_LOCAL, bytes, p->ip.addr);
	knl_put(m, IFA_ADDRESS, bytes, p->ip.addr);
	if (add && p->ip.family == AF_INET && p->len < 31) {
		struct cni_ip last = cni_prefix_last(p);

		knl_put(m, IFA_BROADCAST, bytes, last.addr);
	}
	if (flags & ~0xffu)
		knl_put_u32(m, IFA_FLAGS, flags);
}

/* /0 addresses are never what a plugin means (and libnl, which this library
 * was built on, could not send them). */
static int check_addr(struct addr_op *op, struct cni_error *err)
{
	int r;

	if (knl_prefix_ok(op->p) && op->p->len > 0)
		return 0;
	if ((r = knl_prefix_check(op->p, addr_what(op), err)) < 0)
		return r;
	return knl_invalid(err, "%s: prefix length 0 is not supported", addr_what(op));
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
	KNL_MSG_BUF(buf, ADDR_REQ_SIZE);
	struct addr_op op = {"add", addr, "to", ifname, ""};
	struct knl_msg m;
	struct knl_status st;
	int ifindex, r;

	if (existed)
		*existed = false;
	if ((r = cni_check_ifname(ifname, CNI_ERR_INVALID_CONFIG, err)) < 0 ||
	    (r = check_addr(&op, err)) < 0)
		return r;
	/* RTM_NEWADDR takes only an index. */
	if ((r = knl_link_index(sk, ifname, &ifindex, err)) < 0) {
		cni_err_prefix(err, "%s", addr_what(&op));
		return r;
	}
	addr_msg(&m, buf, sizeof(buf), RTM_NEWADDR, ifindex, addr, flags);
	r = knl_transact(sk, &m, NULL, NULL, &st);
	if (r != -EEXIST)
		return r < 0 ? knl_fail(err, r, &st, "%s", addr_what(&op)) : 0;
	r = addr_present(sk, ifname, addr, err);
	if (r < 0)
		return r;
	if (r == 0)
		return knl_fail(err, -EEXIST, NULL,
				"%s: the address exists with another prefix length",
				addr_what(&op));
	if (existed)
		*existed = true;
	return 0;
}

int knl_addr_del(struct knl_sock *sk, const char *ifname, const struct cni_prefix *addr,
		 struct cni_error *err)
{
	KNL_MSG_BUF(buf, ADDR_REQ_SIZE);
	struct addr_op op = {"delete", addr, "from", ifname, ""};
	struct knl_msg m;
	struct knl_status st;
	int ifindex, r;

	if ((r = cni_check_ifname(ifname, CNI_ERR_INVALID_CONFIG, err)) < 0 ||
	    (r = check_addr(&op, err)) < 0)
		return r;
	if ((r = knl_link_find(sk, ifname, &ifindex, err)) <= 0)
		return r; /* no link, no address */
	addr_msg(&m, buf, sizeof(buf), RTM_DELADDR, ifindex, addr, 0);
	r = knl_transact(sk, &m, NULL, NULL, &st);
	if (r == -EADDRNOTAVAIL || r == -ENODEV)
		return 0;
	return r < 0 ? knl_fail(err, r, &st, "%s", addr_what(&op)) : 0;
}

/* ---- listing -------------------------------------------------------- */

struct addr_acc {
	struct cni_array found; /* first: knl_array_rewind() rewinds it */
	int ifindex, family;
};

/* One RTM_NEWADDR; the kernel filters by index with strict checking, older
 * kernels send every address, so filter here too. */
static int parse_addr(const struct nlmsghdr *nlh, void *arg)
{
	struct addr_acc *acc = arg;
	const struct ifaddrmsg *ifa = knl_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1], *ip;
	struct knl_addr *a;
	int bytes;

	if (nlh->nlmsg_type != RTM_NEWADDR || knl_payload_len(nlh) < sizeof(*ifa))
		return 0;
	bytes = knl_family_bytes(ifa->ifa_family);
	if ((int)ifa->ifa_index != acc->ifindex || !bytes ||
	    (acc->family != AF_UNSPEC && ifa->ifa_family != acc->family))
		return 0;
	if (knl_parse_attrs(nlh, sizeof(*ifa), tb, IFA_MAX) < 0)
		return 0;
	ip = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!ip || knl_attr_len(ip) != (size_t)bytes)
		return 0;
	if (!(a = CNI_ARRAY_PUSH(&acc->found, struct knl_addr, 0, "addresses", NULL)))
		return -ENOMEM;
	a->ifindex = acc->ifindex;
	a->prefix.ip.family = ifa->ifa_family;
	memcpy(a->prefix.ip.addr, knl_attr_data(ip), bytes);
	a->prefix.len = ifa->ifa_prefixlen;
	a->flags = knl_attr_u32(tb[IFA_FLAGS], ifa->ifa_flags);
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
