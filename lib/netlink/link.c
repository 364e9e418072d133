/* Links: look-up by name or index (never a dump), creation, changes, deletion. */
#include "knl-internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/veth.h>

/* Request buffers. The largest link request is a veth pair's (136 bytes with
 * two 15-character names); an alias request holds up to 255 bytes of alias. */
#define GET_REQ_SIZE   64
#define LINK_REQ_SIZE  256
#define ALIAS_REQ_SIZE (LINK_REQ_SIZE + KNL_IFALIAS_MAX)

/* A NULL name is the caller's mistake; a bad one is the config's. */
static int check_name(const char *name, struct cni_error *err)
{
	if (!name)
		return knl_invalid(err, "empty interface name");
	return cni_check_ifname(name, CNI_ERR_INVALID_CONFIG, err);
}

/* ---- hardware addresses --------------------------------------------- */

int knl_mac_random(struct knl_mac *mac, struct cni_error *err)
{
	if (getrandom(mac->octet, sizeof(mac->octet), 0) != (ssize_t)sizeof(mac->octet))
		return cni_err_errno(err, CNI_ERR_IO, errno, "random MAC address");
	mac->octet[0] = (unsigned char)((mac->octet[0] & 0xfe) | 0x02); /* unicast, local */
	return 0;
}

void knl_mac_format(const struct knl_mac *mac, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac->octet[0], mac->octet[1],
		 mac->octet[2], mac->octet[3], mac->octet[4], mac->octet[5]);
}

/* ---- look-up -------------------------------------------------------- */

struct fetch {
	struct knl_link_info *info; /* NULL: the index is all the caller wants */
	int index;
	bool found;
};

/* "aa:bb:...", as many octets as fit (by hand: snprintf per octet cost more
 * than the rest of a look-up). */
static void format_mac(const struct nlattr *a, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *b = a ? knl_attr_data(a) : NULL;
	size_t n = a ? knl_attr_len(a) : 0;
	size_t off = 0;

	for (size_t i = 0; i < n && off + 4 <= len; i++) {
		if (i)
			buf[off++] = ':';
		buf[off++] = hex[b[i] >> 4];
		buf[off++] = hex[b[i] & 15];
	}
	buf[off] = '\0';
}

void knl_linkinfo_kind(const struct nlattr *linkinfo, char *kind, size_t len, uint32_t *vrf_table)
{
	const struct nlattr *li[IFLA_INFO_MAX + 1], *data[IFLA_VRF_MAX + 1];

	kind[0] = '\0';
	if (!linkinfo)
		return;
	knl_parse_nested(linkinfo, li, IFLA_INFO_MAX);
	knl_attr_str(li[IFLA_INFO_KIND], kind, len);
	if (!vrf_table || strcmp(kind, "vrf") != 0 || !li[IFLA_INFO_DATA])
		return;
	knl_parse_nested(li[IFLA_INFO_DATA], data, IFLA_VRF_MAX);
	*vrf_table = knl_attr_u32(data[IFLA_VRF_TABLE], 0);
}

void knl_link_info_parse(const struct nlmsghdr *nlh, struct knl_link_info *info)
{
	const struct ifinfomsg *ifi = knl_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1];

	memset(info, 0, sizeof(*info));
	info->index = ifi->ifi_index;
	info->flags = ifi->ifi_flags;
	info->up = info->flags & IFF_UP;
	info->promisc = info->flags & IFF_PROMISC;
	info->allmulti = info->flags & IFF_ALLMULTI;
	(void)knl_parse_attrs(nlh, sizeof(*ifi), tb, IFLA_MAX);
	knl_attr_str(tb[IFLA_IFNAME], info->name, sizeof(info->name));
	knl_linkinfo_kind(tb[IFLA_LINKINFO], info->kind, sizeof(info->kind), &info->vrf_table);
	info->mtu = knl_attr_u32(tb[IFLA_MTU], 0);
	info->min_mtu = tb[IFLA_MIN_MTU] ? (int)knl_attr_u32(tb[IFLA_MIN_MTU], -1) : -1;
	info->max_mtu = tb[IFLA_MAX_MTU] ? (int)knl_attr_u32(tb[IFLA_MAX_MTU], -1) : -1;
	format_mac(tb[IFLA_ADDRESS], info->mac, sizeof(info->mac));
	info->txqlen = knl_attr_u32(tb[IFLA_TXQLEN], 0);
	info->master = (int)knl_attr_u32(tb[IFLA_MASTER], 0);
	info->link = (int)knl_attr_u32(tb[IFLA_LINK], 0);
	info->link_netnsid =
	    tb[IFLA_LINK_NETNSID] ? (int)knl_attr_u32(tb[IFLA_LINK_NETNSID], 0) : -1;
	info->group = knl_attr_u32(tb[IFLA_GROUP], 0);
	knl_attr_str(tb[IFLA_IFALIAS], info->alias, sizeof(info->alias));
}

/* The one RTM_NEWLINK reply of a GETLINK. */
static int parse_link(const struct nlmsghdr *nlh, void *arg)
{
	struct fetch *f = arg;

	if (nlh->nlmsg_type != RTM_NEWLINK || f->found ||
	    knl_payload_len(nlh) < sizeof(struct ifinfomsg))
		return 0;
	f->found = true;
	f->index = ((const struct ifinfomsg *)knl_payload(nlh))->ifi_index;
	if (f->info)
		knl_link_info_parse(nlh, f->info);
	return 0;
}

static void link_label(char *buf, size_t len, int ifindex, const char *name)
{
	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "#%d", ifindex);
}

/* RTM_GETLINK for one link (by name, or by index when name is NULL), in the
 * socket's namespace or (netnsid >= 0, by index) in the one that netnsid
 * names there. Returns 0 with f->found false when it is missing. */
static int fetch_link_in(struct knl_sock *sk, int netnsid, int ifindex, const char *name,
			 struct fetch *f, struct cni_error *err)
{
	KNL_MSG_BUF(buf, GET_REQ_SIZE);
	struct knl_msg m;
	struct ifinfomsg *ifi;
	struct knl_status st;
	char label[32];
	int r;

	f->found = false;
	f->index = 0;
	if (name && (r = cni_check_ifname(name, CNI_ERR_INVALID_CONFIG, err)) < 0)
		return r;
	if (!name && ifindex <= 0)
		return knl_invalid(err, "invalid interface index %d", ifindex);
	ifi = knl_msg_init(&m, buf, sizeof(buf), RTM_GETLINK, 0, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = name ? 0 : ifindex;
	if (name)
		knl_put_strz(&m, IFLA_IFNAME, name);
	if (netnsid >= 0)
		knl_put_u32(&m, IFLA_TARGET_NETNSID, (uint32_t)netnsid);
	/* No statistics (nor VF details, never asked for): a smaller reply that
	 * the kernel fills faster. */
	knl_put_u32(&m, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	r = knl_transact(sk, &m, parse_link, f, &st);
	if (name && r == 0 && f->found)
		knl_names_put(sk, name, f->index);
	if (name && r == -ENODEV)
		knl_names_forget(sk, name, 0);
	if (r == -ENODEV || (r == 0 && f->found))
		return 0;
	link_label(label, sizeof(label), ifindex, name);
	if (r < 0)
		return knl_fail(err, r, &st, "look up link %s", label);
	return knl_fail(err, -EIO, NULL, "look up link %s: no reply", label);
}

static int fetch_link(struct knl_sock *sk, int ifindex, const char *name, struct fetch *f,
		      struct cni_error *err)
{
	return fetch_link_in(sk, -1, ifindex, name, f, err);
}

int knl_link_peer(struct knl_sock *sk, int link, int link_netnsid, struct knl_link_info *peer,
		  struct cni_error *err)
{
	struct fetch f = {.info = peer};
	int r;

	memset(peer, 0, sizeof(*peer));
	if (link <= 0)
		return 0;
	if ((r = fetch_link_in(sk, link_netnsid, link, NULL, &f, err)) < 0)
		return r;
	return f.found;
}

int knl_link_find(struct knl_sock *sk, const char *name, int *ifindex, struct cni_error *err)
{
	struct fetch f = {0};
	int r;

	*ifindex = 0;
	if (!name)
		return knl_invalid(err, "empty interface name");
	if ((r = fetch_link(sk, 0, name, &f, err)) < 0)
		return r;
	*ifindex = f.index;
	return f.found;
}

int knl_link_exists(struct knl_sock *sk, const char *name, struct cni_error *err)
{
	int ifindex;

	return knl_link_find(sk, name, &ifindex, err);
}

int knl_link_index(struct knl_sock *sk, const char *name, int *ifindex, struct cni_error *err)
{
	int r;

	if (name && (*ifindex = knl_names_get(sk, name)) > 0)
		return 0;
	r = knl_link_find(sk, name, ifindex, err);

	if (r == 0)
		return knl_fail(err, -ENODEV, NULL, "link %s", name);
	return r < 0 ? r : 0;
}

int knl_link_info(struct knl_sock *sk, const char *name, struct knl_link_info *info,
		  struct cni_error *err)
{
	struct fetch f = {.info = info};
	int r;

	memset(info, 0, sizeof(*info));
	if (!name)
		return knl_invalid(err, "empty interface name");
	if ((r = fetch_link(sk, 0, name, &f, err)) < 0)
		return r;
	if (!f.found)
		return knl_fail(err, -ENODEV, NULL, "link %s", name);
	return 0;
}

int knl_link_lookup(struct knl_sock *sk, const char *name, int ifindex, struct knl_link_info *info,
		    struct cni_error *err)
{
	struct fetch f = {.info = info};
	int r;

	memset(info, 0, sizeof(*info));
	r = fetch_link(sk, name ? 0 : ifindex, name, &f, err);
	return r < 0 ? r : f.found;
}

/* ---- requests that change links ---------------------------------------- */

/* err for a failed request: "<fmt ...>: <reason> (<extack>)". Formatted on
 * failure only: the message costs more than the request. */
static int request_fail(struct cni_error *err, int r, const struct knl_status *st, const char *fmt,
			va_list ap)
{
	char what[128];

	vsnprintf(what, sizeof(what), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	return knl_fail(err, r, st, "%s", what);
}

/* ---- creation ------------------------------------------------------- */

/* RTM_NEWLINK with NLM_F_CREATE|NLM_F_EXCL for name (mtu 0: the kernel's),
 * kind in IFLA_LINKINFO; returns the open IFLA_LINKINFO nest, which the
 * caller closes after adding IFLA_INFO_DATA if the kind has data. */
static struct nlattr *create_msg(struct knl_msg *m, void *buf, size_t size, const char *name,
				 unsigned int mtu, const char *kind)
{
	struct ifinfomsg *ifi;
	struct nlattr *li;

	ifi = knl_msg_init(m, buf, size, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	knl_put_strz(m, IFLA_IFNAME, name);
	if (mtu)
		knl_put_u32(m, IFLA_MTU, mtu);
	li = knl_nest_start(m, IFLA_LINKINFO);
	knl_put_strz(m, IFLA_INFO_KIND, kind);
	return li;
}

/* Send a request that selects no link by name (a creation, a change by index). */
static int link_send(struct knl_sock *sk, struct knl_msg *m, struct cni_error *err, const char *fmt,
		     ...) __attribute__((format(printf, 4, 5)));
static int link_send(struct knl_sock *sk, struct knl_msg *m, struct cni_error *err, const char *fmt,
		     ...)
{
	struct knl_status st;
	va_list ap;
	int r = knl_transact(sk, m, NULL, NULL, &st);

	if (r >= 0)
		return 0;
	va_start(ap, fmt);
	r = request_fail(err, r, &st, fmt, ap);
	va_end(ap);
	return r;
}

int knl_bridge_add(struct knl_sock *sk, const char *name, unsigned int mtu, struct cni_error *err)
{
	KNL_MSG_BUF(buf, LINK_REQ_SIZE);
	struct knl_msg m;
	int r;

	if ((r = cni_check_ifname(name, CNI_ERR_INVALID_CONFIG, err)) < 0)
		return r;
	knl_names_forget(sk, name, 0); /* a new device under a name seen before */
	knl_nest_end(&m, create_msg(&m, buf, sizeof(buf), name, mtu, "bridge"));
	return link_send(sk, &m, err, "create bridge %s", name);
}

int knl_vrf_add(struct knl_sock *sk, const char *name, uint32_t table, struct cni_error *err)
{
	KNL_MSG_BUF(buf, LINK_REQ_SIZE);
	struct knl_msg m;
	struct nlattr *li, *data;
	int r;

	if ((r = cni_check_ifname(name, CNI_ERR_INVALID_CONFIG, err)) < 0)
		return r;
	if (table == 0)
		return knl_invalid(err, "vrf %s: table must be non-zero", name);
	knl_names_forget(sk, name, 0); /* a new device under a name seen before */
	li = create_msg(&m, buf, sizeof(buf), name, 0, "vrf");
	data = knl_nest_start(&m, IFLA_INFO_DATA);
	knl_put_u32(&m, IFLA_VRF_TABLE, table);
	knl_nest_end(&m, data);
	knl_nest_end(&m, li);
	return link_send(sk, &m, err, "create vrf %s (table %u)", name, table);
}

/* The peer goes in IFLA_INFO_DATA/VETH_INFO_PEER: a (zeroed) ifinfomsg, then
 * its own attributes. */
static void put_queues(struct knl_msg *m, unsigned int queues)
{
	if (!queues)
		return;
	knl_put_u32(m, IFLA_NUM_TX_QUEUES, queues);
	knl_put_u32(m, IFLA_NUM_RX_QUEUES, queues);
}

static void veth_peer(struct knl_msg *m, const struct knl_veth *v)
{
	struct nlattr *data = knl_nest_start(m, IFLA_INFO_DATA);
	struct nlattr *peer = knl_nest_start(m, VETH_INFO_PEER);

	(void)knl_put_raw(m, sizeof(struct ifinfomsg));
	knl_put_strz(m, IFLA_IFNAME, v->peer);
	if (v->mtu)
		knl_put_u32(m, IFLA_MTU, v->mtu);
	if (v->peer_netns_fd >= 0)
		knl_put_u32(m, IFLA_NET_NS_FD, (uint32_t)v->peer_netns_fd);
	if (v->macs)
		knl_put(m, IFLA_ADDRESS, sizeof(v->macs[1].octet), v->macs[1].octet);
	if (v->peer_group)
		knl_put_u32(m, IFLA_GROUP, v->peer_group);
	put_queues(m, v->queues);
	knl_nest_end(m, peer);
	knl_nest_end(m, data);
}

int knl_veth_add(struct knl_sock *sk, const struct knl_veth *v, struct cni_error *err)
{
	KNL_MSG_BUF(buf, LINK_REQ_SIZE);
	struct knl_msg m;
	struct nlattr *li;
	int r;

	if ((r = cni_check_ifname(v->host, CNI_ERR_INVALID_CONFIG, err)) < 0 ||
	    (r = cni_check_ifname(v->peer, CNI_ERR_INVALID_CONFIG, err)) < 0)
		return r;
	knl_names_forget(sk, v->host, 0); /* a new device under a name seen before */
	li = create_msg(&m, buf, sizeof(buf), v->host, v->mtu, "veth");
	veth_peer(&m, v);
	knl_nest_end(&m, li);
	put_queues(&m, v->queues);
	if (v->macs)
		knl_put(&m, IFLA_ADDRESS, sizeof(v->macs[0].octet), v->macs[0].octet);
	return link_send(sk, &m, err, "create veth %s (peer %s)", v->host, v->peer);
}

/* ---- changes -------------------------------------------------------- */

/* RTM_NEWLINK without NLM_F_CREATE changes a link. With ifi_index 0 the
 * kernel selects the link by IFLA_IFNAME itself, so a change costs one
 * request, not a look-up for the index and then the request. Returns the
 * ifinfomsg (for flag changes). */
static struct ifinfomsg *change_msg(struct knl_msg *m, void *buf, size_t size, const char *name)
{
	struct ifinfomsg *ifi = knl_msg_init(m, buf, size, RTM_NEWLINK, 0, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	knl_put_strz(m, IFLA_IFNAME, name);
	return ifi;
}

/* Send a change to the link name. A link that does not exist fails as a
 * look-up of it did: "link eth0: No such device". */
static int link_commit(struct knl_sock *sk, struct knl_msg *m, const char *name,
		       struct cni_error *err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int link_commit(struct knl_sock *sk, struct knl_msg *m, const char *name,
		       struct cni_error *err, const char *fmt, ...)
{
	struct knl_status st;
	va_list ap;
	int r = knl_transact(sk, m, NULL, NULL, &st);

	if (r >= 0)
		return 0;
	/* The kernel says "no such link" without an extack message. */
	if (r == -ENODEV && !st.ext[0])
		return knl_fail(err, r, NULL, "link %s", name);
	va_start(ap, fmt);
	r = request_fail(err, r, &st, fmt, ap);
	va_end(ap);
	return r;
}

/* IFLA_AF_SPEC { AF_INET { IFLA_INET_CONF { id: value, ... } } } */
static void put_ipv4_conf(struct knl_msg *m, const struct knl_ipv4_conf *conf, size_t n)
{
	struct nlattr *spec = knl_nest_start(m, IFLA_AF_SPEC);
	struct nlattr *inet = knl_nest_start(m, AF_INET);
	struct nlattr *list = knl_nest_start(m, IFLA_INET_CONF);

	for (size_t i = 0; i < n; i++)
		knl_put_u32(m, (uint16_t)conf[i].id, conf[i].value);
	knl_nest_end(m, list);
	knl_nest_end(m, inet);
	knl_nest_end(m, spec);
}

int knl_put_link_change(struct knl_msg *m, struct ifinfomsg *ifi, const struct knl_link_change *c,
			struct cni_error *err)
{
	if (c->n_ipv4_conf > KNL_IPV4_CONF_MAX || (c->n_ipv4_conf && !c->ipv4_conf))
		return knl_invalid(err, "link change: %zu IPv4 settings, at most %d",
				   c->n_ipv4_conf, KNL_IPV4_CONF_MAX);
	for (size_t i = 0; i < c->n_ipv4_conf; i++)
		if (c->ipv4_conf[i].id <= 0 || c->ipv4_conf[i].id > IPV4_DEVCONF_MAX)
			return knl_invalid(err, "link change: unknown IPv4 setting %d",
					   c->ipv4_conf[i].id);
	if (c->mac)
		knl_put(m, IFLA_ADDRESS, sizeof(c->mac->octet), c->mac->octet);
	if (c->mtu)
		knl_put_u32(m, IFLA_MTU, c->mtu);
	if (c->master > 0)
		knl_put_u32(m, IFLA_MASTER, (uint32_t)c->master);
	if (c->group)
		knl_put_u32(m, IFLA_GROUP, *c->group);
	if (c->up) {
		ifi->ifi_flags = IFF_UP;
		ifi->ifi_change = IFF_UP;
	}
	if (c->n_ipv4_conf)
		put_ipv4_conf(m, c->ipv4_conf, c->n_ipv4_conf);
	return 0;
}

/* A name, up to KNL_IPV4_CONF_MAX IPv4 settings and the rest (see adopt.c). */
#define CHANGE_REQ_SIZE (LINK_REQ_SIZE + 12 + 8 * KNL_IPV4_CONF_MAX)

int knl_link_change(struct knl_sock *sk, const char *name, const struct knl_link_change *c,
		    struct cni_error *err)
{
	KNL_MSG_BUF(buf, CHANGE_REQ_SIZE);
	struct ifinfomsg *ifi;
	struct knl_msg m;
	int r;

	if ((r = check_name(name, err)) < 0)
		return r;
	ifi = change_msg(&m, buf, sizeof(buf), name);
	if ((r = knl_put_link_change(&m, ifi, c, err)) < 0)
		return r;
	return link_commit(sk, &m, name, err, "change link %s", name);
}

int knl_link_set_master(struct knl_sock *sk, const char *name, const char *master_name,
			struct cni_error *err)
{
	KNL_MSG_BUF(buf, LINK_REQ_SIZE);
	struct knl_msg m;
	int master = 0, r;

	/* IFLA_MASTER is an index: the master is looked up, the link is not. */
	if (master_name && (r = knl_link_index(sk, master_name, &master, err)) < 0) {
		cni_err_prefix(err, "set master of %s to %s", name, master_name);
		return r;
	}
	if ((r = check_name(name, err)) < 0)
		return r;
	change_msg(&m, buf, sizeof(buf), name);
	knl_put_u32(&m, IFLA_MASTER, (uint32_t)master);
	if (master_name)
		return link_commit(sk, &m, name, err, "set master of %s to %s", name, master_name);
	return link_commit(sk, &m, name, err, "release %s from its master", name);
}

int knl_link_rename(struct knl_sock *sk, const char *old_name, const char *new_name,
		    struct cni_error *err)
{
	KNL_MSG_BUF(buf, LINK_REQ_SIZE);
	struct knl_msg m;
	struct ifinfomsg *ifi;
	int ifindex, r;

	if ((r = cni_check_ifname(new_name, CNI_ERR_INVALID_CONFIG, err)) < 0)
		return r;
	/* IFLA_IFNAME carries the new name here: the link is selected by index. */
	if ((r = knl_link_index(sk, old_name, &ifindex, err)) < 0)
		return r;
	ifi = knl_msg_init(&m, buf, sizeof(buf), RTM_NEWLINK, 0, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	knl_put_strz(&m, IFLA_IFNAME, new_name);
	knl_names_forget(sk, old_name, ifindex);
	if ((r = link_send(sk, &m, err, "rename %s to %s", old_name, new_name)) < 0)
		return r;
	knl_names_put(sk, new_name, ifindex);
	return 0;
}

/* A change that sets (on) or clears one IFF_* flag: ifi_change says which
 * flags to touch. */
static int flag_msg(struct knl_msg *m, void *buf, size_t size, const char *name, unsigned int flag,
		    bool on, struct cni_error *err)
{
	struct ifinfomsg *ifi;
	int r;

	if ((r = check_name(name, err)) < 0)
		return r;
	ifi = change_msg(m, buf, size, name);
	ifi->ifi_flags = on ? flag : 0;
	ifi->ifi_change = flag;
	return 0;
}

static int link_set_flag(struct knl_sock *sk, const char *name, unsigned int flag, bool on,
			 const char *label, struct cni_error *err)
{
	KNL_MSG_BUF(buf, LINK_REQ_SIZE);
	struct knl_msg m;
	int r;

	if ((r = flag_msg(&m, buf, sizeof(buf), name, flag, on, err)) < 0)
		return r;
	return link_commit(sk, &m, name, err, "set %s %s %s", name, label, on ? "on" : "off");
}

int knl_link_set_up(struct knl_sock *sk, const char *name, struct cni_error *err)
{
	KNL_MSG_BUF(buf, LINK_REQ_SIZE);
	struct knl_msg m;
	int r;

	if ((r = flag_msg(&m, buf, sizeof(buf), name, IFF_UP, true, err)) < 0)
		return r;
	return link_commit(sk, &m, name, err, "set %s up", name);
}

int knl_link_set_down(struct knl_sock *sk, const char *name, struct cni_error *err)
{
	KNL_MSG_BUF(buf, LINK_REQ_SIZE);
	struct knl_msg m;
	int r;

	if ((r = flag_msg(&m, buf, sizeof(buf), name, IFF_UP, false, err)) < 0)
		return r;
	return link_commit(sk, &m, name, err, "set %s down", name);
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
	KNL_MSG_BUF(buf, LINK_REQ_SIZE);
	struct knl_msg m;
	int r;

	if (mtu == 0)
		return knl_invalid(err, "set mtu of %s: mtu must be non-zero", name);
	if ((r = check_name(name, err)) < 0)
		return r;
	change_msg(&m, buf, sizeof(buf), name);
	knl_put_u32(&m, IFLA_MTU, mtu);
	return link_commit(sk, &m, name, err, "set mtu of %s to %u", name, mtu);
}

int knl_link_set_txqlen(struct knl_sock *sk, const char *name, unsigned int txqlen,
			struct cni_error *err)
{
	KNL_MSG_BUF(buf, LINK_REQ_SIZE);
	struct knl_msg m;
	int r;

	if ((r = check_name(name, err)) < 0)
		return r;
	change_msg(&m, buf, sizeof(buf), name);
	knl_put_u32(&m, IFLA_TXQLEN, txqlen);
	return link_commit(sk, &m, name, err, "set txqueuelen of %s to %u", name, txqlen);
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
	KNL_MSG_BUF(buf, LINK_REQ_SIZE);
	struct knl_msg m;
	unsigned char bytes[6];
	int r;

	if (!mac || parse_mac(mac, bytes) < 0)
		return knl_invalid(err, "set mac of %s: invalid MAC address \"%s\"", name,
				   mac ? mac : "");
	if ((r = check_name(name, err)) < 0)
		return r;
	change_msg(&m, buf, sizeof(buf), name);
	knl_put(&m, IFLA_ADDRESS, sizeof(bytes), bytes);
	return link_commit(sk, &m, name, err, "set mac of %s to %s", name, mac);
}

/* The alias goes without its NUL: the kernel refuses 255 bytes + NUL
 * (IFALIASZ is 256 with the NUL). */
int knl_link_set_alias(struct knl_sock *sk, const char *name, const char *alias,
		       struct cni_error *err)
{
	KNL_MSG_BUF(buf, ALIAS_REQ_SIZE);
	struct knl_msg m;
	size_t len = alias ? strnlen(alias, KNL_IFALIAS_MAX) : 0;
	int r;

	if ((r = check_name(name, err)) < 0)
		return r;
	change_msg(&m, buf, sizeof(buf), name);
	knl_put(&m, IFLA_IFALIAS, len, alias ? alias : "");
	return link_commit(sk, &m, name, err, "set alias of %s", name);
}

/* ---- deletion ------------------------------------------------------- */

int knl_link_del(struct knl_sock *sk, const char *name, struct cni_error *err)
{
	KNL_MSG_BUF(buf, LINK_REQ_SIZE);
	struct knl_msg m;
	struct ifinfomsg *ifi;
	struct knl_status st;
	int r;

	if ((r = cni_check_ifname(name, CNI_ERR_INVALID_CONFIG, err)) < 0)
		return r;
	ifi = knl_msg_init(&m, buf, sizeof(buf), RTM_DELLINK, 0, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	knl_put_strz(&m, IFLA_IFNAME, name);
	knl_names_forget(sk, name, 0);
	r = knl_transact(sk, &m, NULL, NULL, &st);
	if (r == -ENODEV)
		return 0;
	if (r < 0)
		return knl_fail(err, r, &st, "delete link %s", name);
	return 0;
}
