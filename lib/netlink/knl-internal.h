/* Internals shared by the lib/netlink sources; not part of the public API. */
#ifndef KNL_INTERNAL_H
#define KNL_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/netlink.h>

#include "cni/array.h"
#include "cni/validate.h"
#include "knl.h"

/* Names this socket has seen with their index (names.c). */
#define KNL_NAMES_MAX 32
struct knl_name_index {
	char name[KNL_IFNAMSIZ];
	int index;
};

struct knl_sock {
	int fd;	      /* NETLINK_ROUTE, never bound: the kernel gives it a port */
	uint32_t seq; /* of the last request sent */
	struct knl_name_index names[KNL_NAMES_MAX];
	unsigned int next_name; /* the slot a new name takes when all are used */
};

/* ---- the names a socket has seen (names.c) ---------------------------------
 *
 * A request that addresses a link by index (an address, a route, a master)
 * needs the index of a name: one RTM_GETLINK, unless this socket has already
 * looked the name up or given it by a rename (krafty resolved its bridge and
 * its pod interface five times per ADD). Every create, rename and delete
 * through this socket updates the entries. A device that another process
 * renames or deletes meanwhile is then addressed by the index we saw (the
 * device we looked at, or ENODEV), never by a name that has come to mean
 * another device. The entries live as long as the socket: one plugin call. */
int knl_names_get(const struct knl_sock *sk, const char *name);
void knl_names_put(struct knl_sock *sk, const char *name, int index);
/* Forget name, and any entry of index (> 0). */
void knl_names_forget(struct knl_sock *sk, const char *name, int index);

/* How one request ended: 0 or a negative errno, and the kernel's extended-ack
 * message (or a description of a local failure); "" if none. */
struct knl_status {
	int err;
	char ext[256];
};

/* ---- building a request -------------------------------------------------- */

/* A request built in a buffer of the caller's (a stack array sized for the
 * request: no allocation, nothing zeroed but what is written). An attribute
 * that does not fit is not written and marks the request, which then fails
 * with -EMSGSIZE when sent; so the builders need no checks of their own. */
struct knl_msg {
	struct nlmsghdr *nlh;
	size_t size; /* of the buffer */
	bool overflow;
};

/* Room for a request's buffer: aligned as netlink wants its messages. */
#define KNL_MSG_BUF(name, size) char name[size] __attribute__((aligned(NLMSG_ALIGNTO)))

/* Start a request of type and flags (NLM_F_REQUEST and, where the kind of
 * request wants it, NLM_F_ACK are added when it is sent) with a zeroed family
 * header of hdr_len bytes, which is returned. */
void *knl_msg_init(struct knl_msg *m, void *buf, size_t size, uint16_t type, uint16_t flags,
		   size_t hdr_len);
void knl_put(struct knl_msg *m, uint16_t type, size_t len, const void *data);
void knl_put_u32(struct knl_msg *m, uint16_t type, uint32_t v);
/* A string with its NUL, as the kernel wants names (IFLA_IFNAME, ...). */
void knl_put_strz(struct knl_msg *m, uint16_t type, const char *s);
/* Nested attributes: knl_nest_end() closes what knl_nest_start() opened
 * (NULL when it did not fit: the request has overflowed, nothing to close). */
struct nlattr *knl_nest_start(struct knl_msg *m, uint16_t type);
void knl_nest_end(struct knl_msg *m, struct nlattr *nest);
/* Append raw bytes (a family header inside a nest, as veth's peer has). */
void *knl_put_raw(struct knl_msg *m, size_t len);

struct ifinfomsg;
/* The changes c lists, into a link request whose header is ifi; -EINVAL
 * (the caller's mistake) for more IPv4 settings than KNL_IPV4_CONF_MAX or an
 * id the kernel does not know. */
int knl_put_link_change(struct knl_msg *m, struct ifinfomsg *ifi, const struct knl_link_change *c,
			struct cni_error *err);

/* ---- reading replies ------------------------------------------------------ */

/* A message's payload (after its netlink header) and its length; an
 * attribute's data and its length. Messages and attributes reach these only
 * after their lengths were checked against what was received. */
static inline const void *knl_payload(const struct nlmsghdr *nlh)
{
	return (const char *)nlh + NLMSG_HDRLEN;
}

static inline size_t knl_payload_len(const struct nlmsghdr *nlh)
{
	return nlh->nlmsg_len > NLMSG_HDRLEN ? nlh->nlmsg_len - NLMSG_HDRLEN : 0;
}

static inline void *knl_attr_data(const struct nlattr *a)
{
	return (char *)a + NLA_HDRLEN;
}

static inline size_t knl_attr_len(const struct nlattr *a)
{
	return a->nla_len > NLA_HDRLEN ? a->nla_len - NLA_HDRLEN : 0;
}

/* Called for each reply message; a negative return (an errno) becomes the
 * request's result (the remaining replies are still read and ignored). */
typedef int (*knl_parse_fn)(const struct nlmsghdr *nlh, void *arg);

/* The attributes of a message after its family header of hdr_len bytes (or of
 * a nest) by type into tb[0..max] (zeroed first; unknown types are skipped).
 * Returns 0, or -EBADMSG when the message is malformed. */
int knl_parse_attrs(const struct nlmsghdr *nlh, size_t hdr_len, const struct nlattr **tb,
		    unsigned int max);
void knl_parse_nested(const struct nlattr *nest, const struct nlattr **tb, unsigned int max);
/* The attributes after off bytes of a message's payload (an error's TLVs). */
void knl_parse_payload_at(const struct nlmsghdr *nlh, size_t off, const struct nlattr **tb,
			  unsigned int max);
/* A u32 attribute's value, or fallback when a is NULL or too short. */
uint32_t knl_attr_u32(const struct nlattr *a, uint32_t fallback);
/* Copy a string attribute (up to its NUL or its end) into buf; "" if a is NULL. */
void knl_attr_str(const struct nlattr *a, char *buf, size_t len);

/* What a request's replies have said so far (socket.c). */
struct knl_replies {
	knl_parse_fn parse;
	void *arg;
	struct knl_status *st;
	bool get; /* a GET that is not a dump: its one reply ends it */
	bool done;
};
/* Hand the len bytes of one read to t: replies of another sequence number than
 * seq (to a request given up on), NOOP and OVERRUN are skipped; an
 * interrupted dump is noted (-EAGAIN, read to its end); an ack, an error, a
 * GET's reply or NLMSG_DONE ends the request. Reads stay inside buf (the fuzz
 * target drives this with arbitrary bytes). */
void knl_replies_take(struct knl_replies *t, uint32_t seq, const void *buf, size_t len);

/* Send the request in m (sequence number, NLM_F_REQUEST; NLM_F_ACK unless it is
 * a GET, whose reply or error ends it, or a dump, which ends with NLMSG_DONE)
 * and read replies until the ack, the error, the reply or NLMSG_DONE.
 * Returns 0 or a negative errno; st (required) says why. */
int knl_transact(struct knl_sock *sk, struct knl_msg *m, knl_parse_fn parse, void *arg,
		 struct knl_status *st);

/* A dump request: its header (ifinfomsg, ifaddrmsg or rtmsg) and the filters
 * the kernel applies with strict checking. */
struct knl_dump_req {
	uint16_t type; /* RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE */
	const void *hdr;
	size_t hdr_len;
	uint32_t table;		   /* RTA_TABLE when non-zero */
	int oif;		   /* RTA_OIF when non-zero */
	void (*rewind)(void *arg); /* forget what an interrupted try collected */
	uint32_t ext_mask;	   /* IFLA_EXT_MASK when non-zero (link dumps) */
};

/* A dump changed under us (NLM_F_DUMP_INTR): tries before giving up. */
#define KNL_DUMP_TRIES 3

/* Send the dump, hand every reply to parse(), and start over (after
 * req->rewind) while the kernel reports the dump interrupted. Returns 0 or a
 * negative errno; st says why. */
int knl_dump(struct knl_sock *sk, const struct knl_dump_req *req, knl_parse_fn parse, void *arg,
	     struct knl_status *st);
/* For a dump collected into a cni_array: knl_array_rewind is its rewind, and
 * knl_array_out hands the elements to the caller (NULL when there are none). */
void knl_array_rewind(void *arg);
int knl_array_out(struct cni_array *a, void **out, size_t *n);

/* ---- links ---------------------------------------------------------------- */

/* One RTM_NEWLINK message whose payload holds at least an ifinfomsg into info
 * (the look-ups' parser; the fuzz target's too). */
void knl_link_info_parse(const struct nlmsghdr *nlh, struct knl_link_info *info);
/* A single-path route of family from an RTM_NEWROUTE into got; false to skip
 * the message (another type or family, cloned, multipath, malformed). */
bool knl_route_decode(const struct nlmsghdr *nlh, int family, struct knl_route *got);

/* The index of the link name (checked as an interface name): 1 and *ifindex
 * set when it exists, 0 (*ifindex 0) when it does not, negative on error. */
int knl_link_find(struct knl_sock *sk, const char *name, int *ifindex, struct cni_error *err);
/* IFLA_INFO_KIND of an IFLA_LINKINFO nest (NULL: none) into kind ("" if none),
 * and a vrf's IFLA_VRF_TABLE into *vrf_table when that is non-NULL. */
void knl_linkinfo_kind(const struct nlattr *linkinfo, char *kind, size_t len, uint32_t *vrf_table);

/* ---- errors and checks ---------------------------------------------------- */

/* Fill err (CNI_ERR_IO) with "<what>: <strerror(-rc)>[ (<st->ext>)]" and return
 * rc (negative). st may be NULL. */
int knl_fail(struct cni_error *err, int rc, const struct knl_status *st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* CNI_ERR_INVALID_CONFIG with the message; returns -EINVAL. */
int knl_invalid(struct cni_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Address length in bytes of AF_INET/AF_INET6; 0 for anything else. */
static inline int knl_family_bytes(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

/* Whether p is a usable AF_INET/AF_INET6 prefix (a check without a message). */
static inline bool knl_prefix_ok(const struct cni_prefix *p)
{
	int bytes = knl_family_bytes(p->ip.family);

	return bytes && p->len >= 0 && p->len <= bytes * 8;
}

/* Check that p is a usable AF_INET/AF_INET6 prefix; -EINVAL otherwise. */
int knl_prefix_check(const struct cni_prefix *p, const char *what, struct cni_error *err);

#endif
