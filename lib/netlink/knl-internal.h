/* Internals shared by the lib/netlink sources; not part of the public API. */
#ifndef KNL_INTERNAL_H
#define KNL_INTERNAL_H

#include <netlink/attr.h>
#include <netlink/msg.h>

#include "knl.h"

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
int knl_transact(struct nl_sock *sk, struct nl_msg *msg, knl_parse_fn parse, void *arg,
		 struct knl_status *st);

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
