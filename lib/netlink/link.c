/* Links: look-up by name or index (never a dump), creation, changes, deletion. */
#include "knl-internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <netlink/object.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/link/vrf.h>

/* ---- look-up -------------------------------------------------------- */

struct fetch {
	struct rtnl_link *link;
	int min_mtu, max_mtu;
};

static void take_object(struct nl_object *obj, void *arg)
{
	struct fetch *f = arg;

	if (f->link)
		return;
	nl_object_get(obj);
	f->link = (struct rtnl_link *)obj;
}

static int attr_u32(struct nlattr *a, int fallback)
{
	return a && nla_len(a) >= (int)sizeof(uint32_t) ? (int)nla_get_u32(a) : fallback;
}

/* One RTM_NEWLINK reply: the libnl object, plus what libnl does not parse. */
static int parse_link(struct nl_msg *msg, void *arg)
{
	struct fetch *f = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[IFLA_MAX + 1];
	int r;

	if (nlh->nlmsg_type != RTM_NEWLINK || f->link)
		return 0;
	r = nl_msg_parse(msg, take_object, f);
	if (r < 0)
		return knl_errno_from_nl(r);
	if (nlmsg_parse(nlh, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) < 0)
		return 0;
	f->min_mtu = attr_u32(tb[IFLA_MIN_MTU], -1);
	f->max_mtu = attr_u32(tb[IFLA_MAX_MTU], -1);
	return 0;
}

static void link_label(char *buf, size_t len, int ifindex, const char *name)
{
	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "#%d", ifindex);
}

/* RTM_GETLINK for one link. Returns 0 with f->link NULL when it is missing. */
static int fetch_link(struct knl_sock *sk, int ifindex, const char *name, struct fetch *f,
		      struct cni_error *err)
{
	cleanup_nl_msg struct nl_msg *msg = NULL;
	struct knl_status st;
	char label[32];
	int r;

	*f = (struct fetch){.min_mtu = -1, .max_mtu = -1};
	link_label(label, sizeof(label), ifindex, name);
	if (name && (r = cni_check_ifname(name, CNI_ERR_INVALID_CONFIG, err)) < 0)
		return r;
	if (!name && ifindex <= 0)
		return knl_invalid(err, "invalid interface index %d", ifindex);
	r = rtnl_link_build_get_request(name ? 0 : ifindex, name, &msg);
	if (r < 0)
		return knl_fail_nl(err, r, "look up link %s", label);
	r = knl_transact(sk, msg, parse_link, f, &st);
	if (r < 0 && f->link) {
		rtnl_link_put(f->link);
		f->link = NULL;
	}
	if (r == -ENODEV)
		return 0;
	if (r < 0)
		return knl_fail(err, r, &st, "look up link %s", label);
	if (!f->link)
		return knl_fail(err, -EIO, NULL, "look up link %s: no reply", label);
	return 0;
}

int knl_link_get(struct knl_sock *sk, const char *name, struct rtnl_link **out,
		 struct cni_error *err)
{
	struct fetch f;
	int r;

	*out = NULL;
	if (!name)
		return knl_invalid(err, "empty interface name");
	r = fetch_link(sk, 0, name, &f, err);
	if (r < 0)
		return r;
	*out = f.link;
	return 0;
}

int knl_link_get_by_index(struct knl_sock *sk, int ifindex, struct rtnl_link **out,
			  struct cni_error *err)
{
	struct fetch f;
	int r;

	*out = NULL;
	r = fetch_link(sk, ifindex, NULL, &f, err);
	if (r < 0)
		return r;
	*out = f.link;
	return 0;
}

int knl_link_exists(struct knl_sock *sk, const char *name, struct cni_error *err)
{
	cleanup_rtnl_link struct rtnl_link *link = NULL;
	int r = knl_link_get(sk, name, &link, err);

	return r < 0 ? r : link != NULL;
}

int knl_link_index(struct knl_sock *sk, const char *name, int *ifindex, struct cni_error *err)
{
	cleanup_rtnl_link struct rtnl_link *link = NULL;
	int r;

	*ifindex = 0;
	r = knl_link_get(sk, name, &link, err);
	if (r < 0)
		return r;
	if (!link)
		return knl_fail(err, -ENODEV, NULL, "link %s", name);
	*ifindex = rtnl_link_get_ifindex(link);
	return 0;
}

/* ---- info ----------------------------------------------------------- */

static void format_mac(struct nl_addr *a, char *buf, size_t len)
{
	const unsigned char *b;
	unsigned int n;
	size_t off = 0;

	buf[0] = '\0';
	if (!a)
		return;
	b = nl_addr_get_binary_addr(a);
	n = nl_addr_get_len(a);
	for (unsigned int i = 0; i < n && off + 4 <= len; i++)
		off += snprintf(buf + off, len - off, i ? ":%02x" : "%02x", b[i]);
}

static void fill_info(struct rtnl_link *link, const struct fetch *f, struct knl_link_info *info)
{
	const char *kind = rtnl_link_get_type(link);
	const char *name = rtnl_link_get_name(link);
	const char *alias = rtnl_link_get_ifalias(link);
	uint32_t table;

	memset(info, 0, sizeof(*info));
	info->index = rtnl_link_get_ifindex(link);
	snprintf(info->name, sizeof(info->name), "%s", name ? name : "");
	snprintf(info->kind, sizeof(info->kind), "%s", kind ? kind : "");
	info->mtu = rtnl_link_get_mtu(link);
	info->min_mtu = f->min_mtu;
	info->max_mtu = f->max_mtu;
	format_mac(rtnl_link_get_addr(link), info->mac, sizeof(info->mac));
	info->flags = rtnl_link_get_flags(link);
	info->up = info->flags & IFF_UP;
	info->promisc = info->flags & IFF_PROMISC;
	info->allmulti = info->flags & IFF_ALLMULTI;
	info->txqlen = rtnl_link_get_txqlen(link);
	info->master = rtnl_link_get_master(link);
	if (rtnl_link_is_vrf(link) && rtnl_link_vrf_get_tableid(link, &table) == 0)
		info->vrf_table = table;
	snprintf(info->alias, sizeof(info->alias), "%s", alias ? alias : "");
}

int knl_link_info(struct knl_sock *sk, const char *name, struct knl_link_info *info,
		  struct cni_error *err)
{
	struct fetch f;
	int r;

	memset(info, 0, sizeof(*info));
	if (!name)
		return knl_invalid(err, "empty interface name");
	r = fetch_link(sk, 0, name, &f, err);
	if (r < 0)
		return r;
	if (!f.link)
		return knl_fail(err, -ENODEV, NULL, "link %s", name);
	fill_info(f.link, &f, info);
	rtnl_link_put(f.link);
	return 0;
}

int knl_link_lookup(struct knl_sock *sk, const char *name, int ifindex, struct knl_link_info *info,
		    struct cni_error *err)
{
	struct fetch f;
	int r;

	memset(info, 0, sizeof(*info));
	r = fetch_link(sk, name ? 0 : ifindex, name, &f, err);
	if (r < 0 || !f.link)
		return r;
	fill_info(f.link, &f, info);
	rtnl_link_put(f.link);
	return 1;
}

/* ---- creation ------------------------------------------------------- */

static int link_create(struct knl_sock *sk, struct rtnl_link *link, const char *what,
		       struct cni_error *err)
{
	cleanup_nl_msg struct nl_msg *msg = NULL;
	struct knl_status st;
	int r;

	r = rtnl_link_build_add_request(link, NLM_F_CREATE | NLM_F_EXCL, &msg);
	if (r < 0)
		return knl_fail_nl(err, r, "create %s", what);
	r = knl_transact(sk, msg, NULL, NULL, &st);
	if (r < 0)
		return knl_fail(err, r, &st, "create %s", what);
	return 0;
}

int knl_bridge_add(struct knl_sock *sk, const char *name, unsigned int mtu, struct cni_error *err)
{
	cleanup_rtnl_link struct rtnl_link *link = NULL;
	char what[64];
	int r;

	if ((r = cni_check_ifname(name, CNI_ERR_INVALID_CONFIG, err)) < 0)
		return r;
	snprintf(what, sizeof(what), "bridge %s", name);
	link = rtnl_link_alloc();
	if (!link)
		return knl_fail(err, -ENOMEM, NULL, "create %s", what);
	r = rtnl_link_set_type(link, "bridge");
	if (r < 0)
		return knl_fail_nl(err, r, "create %s", what);
	rtnl_link_set_name(link, name);
	if (mtu)
		rtnl_link_set_mtu(link, mtu);
	return link_create(sk, link, what, err);
}

int knl_vrf_add(struct knl_sock *sk, const char *name, uint32_t table, struct cni_error *err)
{
	cleanup_rtnl_link struct rtnl_link *link = NULL;
	char what[64];
	int r;

	if ((r = cni_check_ifname(name, CNI_ERR_INVALID_CONFIG, err)) < 0)
		return r;
	if (table == 0)
		return knl_invalid(err, "vrf %s: table must be non-zero", name);
	snprintf(what, sizeof(what), "vrf %s (table %u)", name, table);
	link = rtnl_link_vrf_alloc();
	if (!link)
		return knl_fail(err, -ENOMEM, NULL, "create %s", what);
	rtnl_link_set_name(link, name);
	r = rtnl_link_vrf_set_tableid(link, table);
	if (r < 0)
		return knl_fail_nl(err, r, "create %s", what);
	return link_create(sk, link, what, err);
}

int knl_veth_add(struct knl_sock *sk, const char *host_name, const char *peer_name,
		 int peer_netns_fd, unsigned int mtu, struct cni_error *err)
{
	cleanup_rtnl_link struct rtnl_link *link = NULL;
	cleanup_rtnl_link struct rtnl_link *peer = NULL;
	char what[64];
	int r;

	if ((r = cni_check_ifname(host_name, CNI_ERR_INVALID_CONFIG, err)) < 0 ||
	    (r = cni_check_ifname(peer_name, CNI_ERR_INVALID_CONFIG, err)) < 0)
		return r;
	snprintf(what, sizeof(what), "veth %s (peer %s)", host_name, peer_name);
	link = rtnl_link_veth_alloc();
	if (!link)
		return knl_fail(err, -ENOMEM, NULL, "create %s", what);
	peer = rtnl_link_veth_get_peer(link);
	if (!peer)
		return knl_fail(err, -EIO, NULL, "create %s", what);
	rtnl_link_set_name(link, host_name);
	rtnl_link_set_name(peer, peer_name);
	if (peer_netns_fd >= 0)
		rtnl_link_set_ns_fd(peer, peer_netns_fd);
	if (mtu) {
		rtnl_link_set_mtu(link, mtu);
		rtnl_link_set_mtu(peer, mtu);
	}
	return link_create(sk, link, what, err);
}

/* ---- changes -------------------------------------------------------- */

/* A change set for an existing link, addressed by its index. */
static int link_changes(struct knl_sock *sk, const char *name, struct rtnl_link **chg,
			struct cni_error *err)
{
	int ifindex, r;

	*chg = NULL;
	r = knl_link_index(sk, name, &ifindex, err);
	if (r < 0)
		return r;
	*chg = rtnl_link_alloc();
	if (!*chg)
		return knl_fail(err, -ENOMEM, NULL, "change link %s", name);
	rtnl_link_set_ifindex(*chg, ifindex);
	return 0;
}

/* RTM_NEWLINK without NLM_F_CREATE on an ifindex modifies that link. */
static int link_commit(struct knl_sock *sk, struct rtnl_link *chg, struct cni_error *err,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int link_commit(struct knl_sock *sk, struct rtnl_link *chg, struct cni_error *err,
		       const char *fmt, ...)
{
	cleanup_nl_msg struct nl_msg *msg = NULL;
	struct knl_status st;
	char what[128];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	r = rtnl_link_build_add_request(chg, 0, &msg);
	if (r < 0)
		return knl_fail_nl(err, r, "%s", what);
	r = knl_transact(sk, msg, NULL, NULL, &st);
	if (r < 0)
		return knl_fail(err, r, &st, "%s", what);
	return 0;
}

int knl_link_set_master(struct knl_sock *sk, const char *name, const char *master_name,
			struct cni_error *err)
{
	cleanup_rtnl_link struct rtnl_link *chg = NULL;
	int master = 0, r;

	if (master_name && (r = knl_link_index(sk, master_name, &master, err)) < 0) {
		cni_err_prefix(err, "set master of %s to %s", name, master_name);
		return r;
	}
	if ((r = link_changes(sk, name, &chg, err)) < 0)
		return r;
	rtnl_link_set_master(chg, master);
	if (master_name)
		return link_commit(sk, chg, err, "set master of %s to %s", name, master_name);
	return link_commit(sk, chg, err, "release %s from its master", name);
}

int knl_link_rename(struct knl_sock *sk, const char *old_name, const char *new_name,
		    struct cni_error *err)
{
	cleanup_rtnl_link struct rtnl_link *chg = NULL;
	int r;

	if ((r = cni_check_ifname(new_name, CNI_ERR_INVALID_CONFIG, err)) < 0)
		return r;
	if ((r = link_changes(sk, old_name, &chg, err)) < 0)
		return r;
	rtnl_link_set_name(chg, new_name);
	return link_commit(sk, chg, err, "rename %s to %s", old_name, new_name);
}

static int link_set_flag(struct knl_sock *sk, const char *name, unsigned int flag, bool on,
			 const char *label, struct cni_error *err)
{
	cleanup_rtnl_link struct rtnl_link *chg = NULL;
	int r;

	if ((r = link_changes(sk, name, &chg, err)) < 0)
		return r;
	if (on)
		rtnl_link_set_flags(chg, flag);
	else
		rtnl_link_unset_flags(chg, flag);
	return link_commit(sk, chg, err, "set %s %s %s", name, label, on ? "on" : "off");
}

int knl_link_set_up(struct knl_sock *sk, const char *name, struct cni_error *err)
{
	cleanup_rtnl_link struct rtnl_link *chg = NULL;
	int r;

	if ((r = link_changes(sk, name, &chg, err)) < 0)
		return r;
	rtnl_link_set_flags(chg, IFF_UP);
	return link_commit(sk, chg, err, "set %s up", name);
}

int knl_link_set_down(struct knl_sock *sk, const char *name, struct cni_error *err)
{
	cleanup_rtnl_link struct rtnl_link *chg = NULL;
	int r;

	if ((r = link_changes(sk, name, &chg, err)) < 0)
		return r;
	rtnl_link_unset_flags(chg, IFF_UP);
	return link_commit(sk, chg, err, "set %s down", name);
}

int knl_link_set_promisc(struct knl_sock *sk, const char *name, bool on, struct cni_error *err)
{
	return link_set_flag(sk, name, IFF_PROMISC, on, "promisc", err);
}

int knl_link_set_allmulti(struct knl_sock *sk, const char *name, bool on, struct cni_error *err)
{
	return link_set_flag(sk, name, IFF_ALLMULTI, on, "allmulticast", err);
}

int knl_link_set_mtu(struct knl_sock *sk, const char *name, unsigned int mtu, struct cni_error *err)
{
	cleanup_rtnl_link struct rtnl_link *chg = NULL;
	int r;

	if (mtu == 0)
		return knl_invalid(err, "set mtu of %s: mtu must be non-zero", name);
	if ((r = link_changes(sk, name, &chg, err)) < 0)
		return r;
	rtnl_link_set_mtu(chg, mtu);
	return link_commit(sk, chg, err, "set mtu of %s to %u", name, mtu);
}

int knl_link_set_txqlen(struct knl_sock *sk, const char *name, unsigned int txqlen,
			struct cni_error *err)
{
	cleanup_rtnl_link struct rtnl_link *chg = NULL;
	int r;

	if ((r = link_changes(sk, name, &chg, err)) < 0)
		return r;
	rtnl_link_set_txqlen(chg, txqlen);
	return link_commit(sk, chg, err, "set txqueuelen of %s to %u", name, txqlen);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Exactly "xx:xx:xx:xx:xx:xx". */
static int parse_mac(const char *s, unsigned char mac[6])
{
	for (int i = 0; i < 6; i++) {
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);

		if (hi < 0 || lo < 0)
			return -1;
		mac[i] = (unsigned char)(hi << 4 | lo);
		s += 2;
		if (i < 5 && *s++ != ':')
			return -1;
	}
	return *s ? -1 : 0;
}

int knl_link_set_mac(struct knl_sock *sk, const char *name, const char *mac, struct cni_error *err)
{
	cleanup_rtnl_link struct rtnl_link *chg = NULL;
	cleanup_nl_addr struct nl_addr *a = NULL;
	unsigned char bytes[6];
	int r;

	if (!mac || parse_mac(mac, bytes) < 0)
		return knl_invalid(err, "set mac of %s: invalid MAC address \"%s\"", name,
				   mac ? mac : "");
	if ((r = link_changes(sk, name, &chg, err)) < 0)
		return r;
	a = nl_addr_build(AF_LLC, bytes, sizeof(bytes));
	if (!a)
		return knl_fail(err, -ENOMEM, NULL, "set mac of %s", name);
	rtnl_link_set_addr(chg, a);
	return link_commit(sk, chg, err, "set mac of %s to %s", name, mac);
}

/* A raw RTM_NEWLINK: libnl would send the alias with its NUL, and the kernel
 * refuses 255 bytes + NUL (IFALIASZ is 256 with the NUL). */
int knl_link_set_alias(struct knl_sock *sk, const char *name, const char *alias,
		       struct cni_error *err)
{
	cleanup_nl_msg struct nl_msg *msg = NULL;
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	size_t len = alias ? strnlen(alias, KNL_IFALIAS_MAX) : 0;
	struct knl_status st;
	int r;

	if ((r = knl_link_index(sk, name, &ifi.ifi_index, err)) < 0)
		return r;
	msg = nlmsg_alloc_simple(RTM_NEWLINK, 0);
	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, IFLA_IFALIAS, (int)len, alias ? alias : "") < 0)
		return knl_fail(err, -ENOMEM, NULL, "set alias of %s", name);
	r = knl_transact(sk, msg, NULL, NULL, &st);
	if (r < 0)
		return knl_fail(err, r, &st, "set alias of %s", name);
	return 0;
}

/* ---- deletion ------------------------------------------------------- */

int knl_link_del(struct knl_sock *sk, const char *name, struct cni_error *err)
{
	cleanup_rtnl_link struct rtnl_link *link = NULL;
	cleanup_nl_msg struct nl_msg *msg = NULL;
	struct knl_status st;
	int r;

	if ((r = cni_check_ifname(name, CNI_ERR_INVALID_CONFIG, err)) < 0)
		return r;
	link = rtnl_link_alloc();
	if (!link)
		return knl_fail(err, -ENOMEM, NULL, "delete link %s", name);
	rtnl_link_set_name(link, name);
	r = rtnl_link_build_delete_request(link, &msg);
	if (r < 0)
		return knl_fail_nl(err, r, "delete link %s", name);
	r = knl_transact(sk, msg, NULL, NULL, &st);
	if (r == -ENODEV)
		return 0;
	if (r < 0)
		return knl_fail(err, r, &st, "delete link %s", name);
	return 0;
}
