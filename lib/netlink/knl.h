/* knl: the suite's small netlink library (links, addresses, routes, netns,
 * sysctl), on the wire format of linux/netlink.h alone (msg.c, socket.c; no
 * library, so that the plugins can be static): requests are built on the stack
 * and replies read into it, one request per change where the kernel allows (links are changed
 * by name, with no look-up of their index first).
 *
 * Include as "netlink/knl.h". (The header is deliberately not called
 * netlink.h, a name that other netlink libraries' headers use.)
 *
 * Conventions
 *  - Every function that can fail takes `struct cni_error *err` last. It
 *    returns 0 (or a documented non-negative value) on success, and on failure
 *    a negative errno value (-EEXIST, -ENODEV, ...; -EIO when the kernel's
 *    answer made no sense) after filling err with CNI_ERR_IO (CNI_ERR_INVALID_CONFIG
 *    for bad arguments). Messages name the object and carry the kernel's
 *    reason, with its extended-ack text when it sent one:
 *    "create vrf red (table 10): Operation not supported (Unknown device type)".
 *  - Links are looked up one at a time (RTM_GETLINK by name or index); only
 *    knl_link_list() dumps all links (for rare sweeps such as GC), so the
 *    cost of a call does not grow with the number of interfaces on the node.
 *    Address and route reads use dumps the kernel filters by interface /
 *    table (NETLINK_GET_STRICT_CHK).
 *  - A socket belongs to the network namespace it was opened in. After
 *    knl_netns_enter(), open a new socket to act inside the namespace.
 *  - Nothing here prints or exits; functions release what they took on every
 *    path.
 */
#ifndef KNL_H
#define KNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "cni/cleanup.h"
#include "cni/error.h"
#include "cni/ip.h"

/* A NETLINK_ROUTE socket (opaque: its insides stay in lib/netlink). */
struct knl_sock;

/* ---- sockets (socket.c) ------------------------------------------------ */

/* Open a NETLINK_ROUTE socket bound to the current network namespace, with
 * extended acks and strict GET checking enabled when the kernel has them. */
int knl_open(struct knl_sock **sk, struct cni_error *err);
/* Close a socket from knl_open(); NULL is fine. */
void knl_close(struct knl_sock *sk);
/* Open a NETLINK_ROUTE socket in the network namespace ns_fd refers to, and
 * come back: the socket acts in that namespace while the caller stays in its
 * own (a socket keeps the namespace it was opened in). */
int knl_open_in_netns(int ns_fd, struct knl_sock **sk, struct cni_error *err);
/* `cleanup_knl struct knl_sock *sk = NULL;` closes it on return. */
DEFINE_CLEANUP_FUNC(struct knl_sock *, knl_close)
#define cleanup_knl _cleanup_(knl_closep)

/* ---- links (link.c) ---------------------------------------------------- */

/* Interface names are checked by cni_validate_ifname() (lib/cni/validate.h),
 * one rule for CNI_IFNAME and every name given here. */

/* 1 if the link exists, 0 if not, negative on error. */
int knl_link_exists(struct knl_sock *sk, const char *name, struct cni_error *err);
/* Interface index of a link; -ENODEV ("link eth0: No such device") if missing. */
int knl_link_index(struct knl_sock *sk, const char *name, int *ifindex, struct cni_error *err);

/* A 6-octet hardware address. */
struct knl_mac {
	unsigned char octet[6];
};
/* A random locally administered unicast address, as the kernel gives a new
 * device: given in the create request, it is known without a look-up. */
int knl_mac_random(struct knl_mac *mac, struct cni_error *err);
/* "aa:bb:cc:dd:ee:ff" into buf (at least 18 bytes). */
void knl_mac_format(const struct knl_mac *mac, char *buf, size_t len);

/* Create links (down). mtu 0 = kernel default. They fail with -EEXIST when the
 * name is taken; the caller decides whether an existing link is acceptable
 * (knl_link_info() tells its kind). */
int knl_bridge_add(struct knl_sock *sk, const char *name, unsigned int mtu, struct cni_error *err);
int knl_vrf_add(struct knl_sock *sk, const char *name, uint32_t table, struct cni_error *err);
/* A veth pair: host stays in the current namespace, peer is created directly
 * in the namespace peer_netns_fd refers to (-1: the current one). */
struct knl_veth {
	const char *host, *peer;
	int peer_netns_fd;
	unsigned int mtu;	    /* both ends; 0: the kernel's */
	const struct knl_mac *macs; /* [0] the host end's, [1] the peer's; NULL: random */
	uint32_t peer_group;	    /* the peer's device group from birth; 0: none */
	/* tx and rx queues of each end; 0: the kernel's (one per possible CPU, of
	 * which it then uses one: cutting the real count waits for an expedited
	 * RCU grace period per end, in the create request). */
	unsigned int queues;
};
int knl_veth_add(struct knl_sock *sk, const struct knl_veth *v, struct cni_error *err);

/* Enslave a link to master_name, or release it from its master when
 * master_name is NULL. */
int knl_link_set_master(struct knl_sock *sk, const char *name, const char *master_name,
			struct cni_error *err);
/* Rename a link (the kernel may refuse while it is up: -EBUSY). */
int knl_link_rename(struct knl_sock *sk, const char *old_name, const char *new_name,
		    struct cni_error *err);
int knl_link_set_up(struct knl_sock *sk, const char *name, struct cni_error *err);
int knl_link_set_down(struct knl_sock *sk, const char *name, struct cni_error *err);
int knl_link_set_mtu(struct knl_sock *sk, const char *name, unsigned int mtu,
		     struct cni_error *err);
/* mac: "aa:bb:cc:dd:ee:ff" (6 octets; CNI_ERR_INVALID_CONFIG when malformed). */
int knl_link_set_mac(struct knl_sock *sk, const char *name, const char *mac, struct cni_error *err);
int knl_link_set_promisc(struct knl_sock *sk, const char *name, bool on, struct cni_error *err);
int knl_link_set_allmulti(struct knl_sock *sk, const char *name, bool on, struct cni_error *err);
int knl_link_set_txqlen(struct knl_sock *sk, const char *name, unsigned int txqlen,
			struct cni_error *err);
/* Set the link's alias (IFLA_IFALIAS, `ip link show` prints it; at most
 * KNL_IFALIAS_MAX bytes, longer ones are cut); NULL or "" removes it. Read it
 * back in knl_link_info.alias. The kernel
 * ignores an alias in a create request: set it after knl_*_add(). */
int knl_link_set_alias(struct knl_sock *sk, const char *name, const char *alias,
		       struct cni_error *err);
/* One IPv4 per-device setting, net.ipv4.conf.<dev>.<key>: id is its
 * IPV4_DEVCONF_* number (linux/ip.h: FORWARDING, RP_FILTER, ...). */
struct knl_ipv4_conf {
	int id;
	uint32_t value;
};
#define KNL_IPV4_CONF_MAX 8 /* settings in one change */

/* What a rename (knl_link_adopt) also sets, in the same request, or a change
 * (knl_link_change) sets. The kernel applies one change request in a fixed
 * order, MAC and MTU, then the name and the alias, then the flags, then the
 * master, then the IPv4 settings: so a device is renamed while still down (a
 * rename of an up device is refused) and comes up named. */
struct knl_link_change {
	const struct knl_mac *mac; /* NULL: unchanged */
	unsigned int mtu;	   /* 0: unchanged */
	int master;		   /* ifindex of the new master; 0: unchanged */
	bool up;		   /* false: the flags unchanged */
	const uint32_t *group;	   /* the device group; NULL: unchanged */
	/* IPv4 settings carried in the request (IFLA_AF_SPEC) instead of written
	 * under /proc/sys: one request fewer each, and no path look-up. The
	 * kernel sends no RTM_NEWNETCONF for them, as it does for a sysctl write.
	 * At most KNL_IPV4_CONF_MAX; 0: none. */
	const struct knl_ipv4_conf *ipv4_conf;
	size_t n_ipv4_conf;
};
/* Rename link ifindex to new_name (NULL: it keeps its name) and set its alias
 * (NULL or "": none) in one request, so that it carries its final name and
 * its owner's mark from the same instant; with also (NULL: nothing more) the
 * changes it lists too. -EEXIST when new_name is taken, -ENODEV when the link
 * is gone. */
int knl_link_adopt(struct knl_sock *sk, int ifindex, const char *new_name, const char *alias,
		   const struct knl_link_change *also, struct cni_error *err);
/* Make the changes c lists to link name in one request. */
int knl_link_change(struct knl_sock *sk, const char *name, const struct knl_link_change *c,
		    struct cni_error *err);
/* Delete a link; succeeds (returns 0) when it does not exist. Deleting one end
 * of a veth pair deletes both. */
int knl_link_del(struct knl_sock *sk, const char *name, struct cni_error *err);

#define KNL_IFNAMSIZ	16  /* IFNAMSIZ, without pulling in <net/if.h> */
#define KNL_MAC_STRLEN	96  /* room for any hardware address as "xx:xx:..." */
#define KNL_IFALIAS_MAX 255 /* IFALIASZ - 1 */

struct knl_link_info {
	int index;
	char name[KNL_IFNAMSIZ];
	char kind[32]; /* IFLA_INFO_KIND: "bridge", "vrf", "veth"; "" if none */
	unsigned int mtu;
	int min_mtu, max_mtu;	  /* IFLA_MIN_MTU / IFLA_MAX_MTU; -1 if not reported */
	char mac[KNL_MAC_STRLEN]; /* "aa:bb:cc:dd:ee:ff"; "" if none */
	unsigned int flags;	  /* IFF_* as reported (IFF_PROMISC/ALLMULTI: user-set) */
	bool up, promisc, allmulti;
	unsigned int txqlen;
	int master;	    /* ifindex of the master; 0 if none */
	int link;	    /* IFLA_LINK (a veth's peer, in its netns); 0 if none */
	int link_netnsid;   /* IFLA_LINK_NETNSID (that netns, seen from here); -1 if none */
	uint32_t group;	    /* IFLA_GROUP, the device group; 0: the default */
	uint32_t vrf_table; /* table of a vrf; 0 for other kinds */
	char alias[KNL_IFALIAS_MAX + 1]; /* IFLA_IFALIAS; "" if none */
};

/* Describe a link; -ENODEV ("link eth0: No such device") if it does not exist. */
int knl_link_info(struct knl_sock *sk, const char *name, struct knl_link_info *info,
		  struct cni_error *err);
/* Look a link up by name, or by index when name is NULL: 1 and *info filled
 * when it exists, 0 (info zeroed) when it does not, negative on error. */
int knl_link_lookup(struct knl_sock *sk, const char *name, int ifindex, struct knl_link_info *info,
		    struct cni_error *err);

/* The link that a look-up or a dump reported in IFLA_LINK (link: a veth's
 * peer's index) and IFLA_LINK_NETNSID (link_netnsid: its netns as seen from
 * here; -1: this one): 1 and *peer filled, 0 when there is none (link <= 0)
 * or it is gone, negative on error. */
int knl_link_peer(struct knl_sock *sk, int link, int link_netnsid, struct knl_link_info *peer,
		  struct cni_error *err);

/* One link of a dump (linkdump.c). */
struct knl_link_entry {
	int index;
	int master; /* ifindex of the master; 0 if none */
	char name[KNL_IFNAMSIZ];
	char kind[32];			 /* IFLA_INFO_KIND; "" if none */
	char alias[KNL_IFALIAS_MAX + 1]; /* IFLA_IFALIAS; "" if none */
	uint32_t vrf_table;		 /* table of a vrf; 0 for other kinds */
	int netnsid;			 /* IFLA_LINK_NETNSID (a veth's peer's netns); -1 if none */
	int link;			 /* IFLA_LINK (a veth's peer's index there); 0 if none */
};
/* Every link of the current namespace, as a malloc'd array in *out (free()
 * it; NULL when *n == 0). The one function here that dumps all links: its
 * cost grows with the node's interfaces, so keep it to rare sweeps (GC). */
int knl_link_list(struct knl_sock *sk, struct knl_link_entry **out, size_t *n,
		  struct cni_error *err);

/* ---- addresses (addr.c) ------------------------------------------------ */

struct knl_addr {
	int ifindex;
	struct cni_prefix prefix; /* local address and prefix length */
	uint32_t flags;		  /* IFA_F_* (the 32-bit IFA_FLAGS when present) */
	int scope;		  /* RT_SCOPE_* */
};

/* Add an address to a link. flags: IFA_F_* bits, typically 0,
 * IFA_F_NOPREFIXROUTE (no connected route; a gateway address on a bridge) or
 * IFA_F_NODAD. Idempotent: when the same address with the same prefix length is
 * already on the link, returns 0 and sets *existed (if non-NULL) to true; flags
 * of the existing address are not compared. For IPv6 the kernel refuses the same
 * address with another prefix length (-EEXIST, reported as such); IPv4 accepts
 * it as a second address. */
int knl_addr_add(struct knl_sock *sk, const char *ifname, const struct cni_prefix *addr,
		 uint32_t flags, bool *existed, struct cni_error *err);
/* Delete an address (address and prefix length must match); succeeds when the
 * address or the link is absent. */
int knl_addr_del(struct knl_sock *sk, const char *ifname, const struct cni_prefix *addr,
		 struct cni_error *err);
/* The addresses of one link (family AF_INET, AF_INET6 or AF_UNSPEC for both),
 * as a malloc'd array in *out (free() it; NULL when *n == 0). */
int knl_addr_list(struct knl_sock *sk, const char *ifname, int family, struct knl_addr **out,
		  size_t *n, struct cni_error *err);

/* ---- routes (route.c) -------------------------------------------------- */

#define KNL_SCOPE_AUTO (-1)

struct knl_route {
	struct cni_prefix dst; /* family comes from dst.ip.family; 0/0 = default */
	struct cni_ip gw;      /* gw.family == 0: no gateway (device route) */
	int oif;	       /* output interface index; 0 = none ... */
	const char *oif_name;  /* ... or by name (resolved when oif == 0) */
	uint32_t table;	       /* 0 = main (RT_TABLE_MAIN) */
	uint32_t metric;       /* RTA_PRIORITY; 0 = kernel default. In lookups 0
				  matches any metric. */
	int scope;	       /* RT_SCOPE_*; KNL_SCOPE_AUTO: link for an IPv4
				  device route, universe otherwise. (Zero-initialized
				  = RT_SCOPE_UNIVERSE, valid for every route.) */
	bool onlink;	       /* RTNH_F_ONLINK: gateway need not be on a subnet */
	uint8_t protocol;      /* RTPROT_*; 0 = RTPROT_BOOT (as `ip route add`) */
	uint8_t type;	       /* RTN_*; 0 = RTN_UNICAST. Other types
				  (RTN_UNREACHABLE, RTN_BLACKHOLE, ...) take
				  no gateway; lookups compare the type. */
};

/* Add a route (unicast unless r->type says otherwise). Idempotent: if the
 * kernel reports EEXIST and a route matching r (knl_route_find) is present,
 * returns 0 with *existed = true (existed may be NULL). If another route holds
 * the slot (same destination and metric, other gateway/device), returns
 * -EEXIST with the error set. */
int knl_route_add(struct knl_sock *sk, const struct knl_route *r, bool *existed,
		  struct cni_error *err);
/* Delete a route matching r (dst, table, and gw/oif/metric when set);
 * succeeds when there is none. */
int knl_route_del(struct knl_sock *sk, const struct knl_route *r, struct cni_error *err);
/* Look for a route of r's type in r's table with r's destination, and r's
 * gateway (or none when r has none), oif (if set) and metric (if non-zero).
 * Returns 1 and fills *found (if non-NULL; its oif_name is NULL) when present,
 * 0 when not (a table that does not exist holds no route), negative on error.
 * Only the routes of that table (and oif) are read. */
int knl_route_find(struct knl_sock *sk, const struct knl_route *r, struct knl_route *found,
		   struct cni_error *err);
/* The single-path unicast routes of one family (AF_INET or AF_INET6) in one
 * table (0 = main), only those through interface index oif when oif > 0, as a
 * malloc'd array in *out (free() it; NULL when *n == 0; oif_name is NULL).
 * One dump that the kernel filters by table and oif. */
int knl_route_list(struct knl_sock *sk, int family, uint32_t table, int oif, struct knl_route **out,
		   size_t *n, struct cni_error *err);
/* Every route of one family in one table (0 = main), of any type (local,
 * broadcast, unreachable, ... with their type in .type), as knl_route_list()
 * returns them: one dump that the kernel filters by table. */
int knl_route_list_table(struct knl_sock *sk, int family, uint32_t table, struct knl_route **out,
			 size_t *n, struct cni_error *err);
/* The route the kernel's FIB matches for dst (RTM_GETROUTE with
 * RTM_F_FIB_MATCH: the matching entry itself, with its prefix, type, table
 * and device), as a packet sent through device oif would be routed: a VRF's
 * index looks in the VRF's table, 0 lets the policy rules decide (IPv4 takes
 * no table in a route get). 1 and *out filled, 0 when nothing matches
 * (unreachable), negative on error. One request, however many routes the
 * table holds: a dump's cost grows with them. */
int knl_route_get(struct knl_sock *sk, const struct cni_ip *dst, int oif, struct knl_route *out,
		  struct cni_error *err);
/* Every route of one protocol (RTPROT_*), in every table and family, of any
 * type: one dump that the kernel filters by protocol. For rare sweeps (an
 * operator's listing): its cost grows with the node's routes. */
int knl_route_list_proto(struct knl_sock *sk, uint8_t protocol, struct knl_route **out, size_t *n,
			 struct cni_error *err);
/* "10.0.0.0/24 via 10.0.0.1 dev eth0 table 100 metric 10" (for messages). */
void knl_route_format(const struct knl_route *r, char *buf, size_t len);

/* ---- network namespaces (netns.c) -------------------------------------- */

/* Open a pod's netns file (CNI_NETNS: /var/run/netns/x, /proc/PID/ns/net)
 * and check that it is a network namespace, and not the node's own. The file
 * is looked at through an O_PATH descriptor first (a regular file on nsfs or,
 * on old kernels, procfs), so a FIFO does not block and a device is never
 * opened, then opened O_RDONLY|O_CLOEXEC|O_NONBLOCK through that descriptor
 * and checked with NS_GET_NSTYPE == CLONE_NEWNET where supported. A bad path
 * is the runtime's error, decided here: code 4 (CNI_ERR_INVALID_ENV) with
 * -ENOENT when it is unset or does not exist, -EINVAL when it is not a netns,
 * -EPERM when it is the network namespace this process started in or init's
 * (/proc/self/ns/net, /proc/1/ns/net): a plugin that creates or changes
 * interfaces there would change the node's. */
int knl_netns_open(const char *path, int *fd, struct cni_error *err);
/* The same without the node check: any network namespace (for tools). */
int knl_netns_open_any(const char *path, int *fd, struct cni_error *err);
/* setns() into ns_fd, after saving an fd of the current namespace in *saved_fd
 * (the calling thread's; our plugins are single-threaded). On failure nothing
 * changed and *saved_fd is -1. */
int knl_netns_enter(int ns_fd, int *saved_fd, struct cni_error *err);
/* knl_netns_open() and knl_netns_enter() in one: the file is closed again,
 * *saved_fd holds the way back. -ENOENT when the path does not exist. */
int knl_netns_enter_path(const char *path, int *saved_fd, struct cni_error *err);
/* setns() back into *saved_fd, close it and set it to -1 (so a cleanup_netns
 * variable can be returned explicitly, with the error reported). */
int knl_netns_return(int *saved_fd, struct cni_error *err);
/* Cleanup for a saved fd: returns to that namespace (best effort) and closes it.
 * `cleanup_netns int saved = -1; knl_netns_enter(fd, &saved, err);` */
void knl_netns_returnp(int *saved_fd);
#define cleanup_netns _cleanup_(knl_netns_returnp)

/* ---- sysctl (sysctl.c), in the current network namespace ---------------- */

#define KNL_SYSCTL_PATH_MAX 256

/* Map a dotted key "net.ipv4.ip_forward" to "/proc/sys/net/ipv4/ip_forward".
 * Rejects (CNI_ERR_INVALID_CONFIG) empty keys and parts, a leading '/' or '.',
 * "..", and '/' inside the key. A dotted key cannot name an interface whose name
 * has a dot (eth0.100): use knl_sysctl_path_parts() for those. */
int knl_sysctl_path(const char *key, char *buf, size_t len, struct cni_error *err);
/* Join a NULL-terminated list of parts: {"net","ipv4","conf","eth0.100",
 * "arp_filter",NULL} -> "/proc/sys/net/ipv4/conf/eth0.100/arp_filter". Parts may
 * contain dots but not '/', and may not be empty, "." or "..". */
int knl_sysctl_path_parts(const char *const *parts, char *buf, size_t len, struct cni_error *err);
/* Read a dotted key; the value without its trailing newline. -ERANGE if it
 * does not fit in len. */
int knl_sysctl_read(const char *key, char *buf, size_t len, struct cni_error *err);
int knl_sysctl_write(const char *key, const char *value, struct cni_error *err);
/* The same on a path from knl_sysctl_path*(): it must be under /proc/sys/ and
 * free of "." / ".." / empty components. */
int knl_sysctl_read_path(const char *path, char *buf, size_t len, struct cni_error *err);
int knl_sysctl_write_path(const char *path, const char *value, struct cni_error *err);
/* Let go of the procfs instance sysctl paths are opened in (sysctl.c): the
 * next access makes a new one, as a new process does. For tools that time
 * one call's kernel work in a long-lived process (bench/floor). */
void knl_sysctl_forget(void);

#endif
