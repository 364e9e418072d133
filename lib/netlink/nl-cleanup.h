/* Cleanup helpers for libnl objects, in the style of lib/cni/cleanup.h:
 * `cleanup_nl_msg struct nl_msg *msg = NULL;` releases the object on every
 * return path; steal_ptr() hands ownership out. Internal to lib/netlink. */
#ifndef KNL_NL_CLEANUP_H
#define KNL_NL_CLEANUP_H

#include <netlink/addr.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>

#include "cni/cleanup.h"

DEFINE_CLEANUP_FUNC(struct nl_msg *, nlmsg_free)
DEFINE_CLEANUP_FUNC(struct nl_cb *, nl_cb_put)
DEFINE_CLEANUP_FUNC(struct nl_addr *, nl_addr_put)
DEFINE_CLEANUP_FUNC(struct rtnl_link *, rtnl_link_put)
DEFINE_CLEANUP_FUNC(struct rtnl_addr *, rtnl_addr_put)

#define cleanup_nl_msg	  _cleanup_(nlmsg_freep)
#define cleanup_nl_cb	  _cleanup_(nl_cb_putp)
#define cleanup_nl_addr	  _cleanup_(nl_addr_putp)
#define cleanup_rtnl_link _cleanup_(rtnl_link_putp)
#define cleanup_rtnl_addr _cleanup_(rtnl_addr_putp)

#endif
