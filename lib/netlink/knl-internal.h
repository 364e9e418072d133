/* Internals shared by the lib/netlink sources; not part of the public API. */
#ifndef KNL_INTERNAL_H
#define KNL_INTERNAL_H

#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include <netlink/route/link.h>

#include "cni/array.h"
#include "cni/validate.h"
#include "knl.h"
#include "nl-cleanup.h"

/* Our socket: libnl's, behind a type of our own so that no header outside
 * lib/netlink names libnl. */
struct knl_sock {
	struct nl_sock *nl;
};

/* How one request ended: 0 or a negative errno, and the kernel's extended-ack
 * message (or libnl's description of a local failure); "" if none. */
struct knl_status {
	int err;
	char ext[256];
};

/* Called for each reply message; a negative return (an errno) becomes the
 * request's result (the remaining replies are still read and ignored). */
typedef int (*knl_parse_fn)(struct nl_msg *msg, void *arg);

/* Complete msg (sequence number, NLM_F_REQUEST, NLM_F_ACK unless it is a dump),
 * send it and read replies until the ack, the error or NLMSG_DONE.
 * Returns 0 or a negative errno; st (required) says why. */
int knl_transact(struct knl_sock *sk, struct nl_msg *msg, knl_parse_fn parse, void *arg,
		 struct knl_status *st);

/* A dump request: its header (ifinfomsg, ifaddrmsg or rtmsg) and the filters
 * the kernel applies with strict checking. */
struct knl_dump_req {
	int type; /* RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE */
	const void *hdr;
	size_t hdr_len;
	uint32_t table;		   /* RTA_TABLE when non-zero */
	int oif;		   /* RTA_OIF when non-zero */
	void (*rewind)(void *arg); /* forget what an interrupted try collected */
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

/* Look a link up by name or (name NULL) index: the libnl object in *out (a new
 * reference), or NULL when the link does not exist (that returns 0). */
int knl_link_get(struct knl_sock *sk, const char *name, struct rtnl_link **out,
		 struct cni_error *err);
int knl_link_get_by_index(struct knl_sock *sk, int ifindex, struct rtnl_link **out,
			  struct cni_error *err);

/* Negative errno for a libnl error code. */
int knl_errno_from_nl(int nlerr);

/* Fill err (CNI_ERR_IO) with "<what>: <strerror(-rc)>[ (<st->ext>)]" and return
 * rc (negative). st may be NULL. */
int knl_fail(struct cni_error *err, int rc, const struct knl_status *st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Same for a libnl error code: "<what>: <nl_geterror(nlerr)>". Returns a
 * negative errno. */
int knl_fail_nl(struct cni_error *err, int nlerr, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* CNI_ERR_INVALID_CONFIG with the message; returns -EINVAL. */
int knl_invalid(struct cni_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Address length in bytes of AF_INET/AF_INET6; 0 for anything else. */
static inline int knl_family_bytes(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

/* Check that p is a usable AF_INET/AF_INET6 prefix; -EINVAL otherwise. */
int knl_prefix_check(const struct cni_prefix *p, const char *what, struct cni_error *err);

#endif
