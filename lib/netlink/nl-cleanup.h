/* __attribute__((cleanup)) helpers for libnl objects, in the style of
 * lib/cni/cleanup.h: `cleanup_nl_msg struct nl_msg *msg = NULL;` releases
 * the object on every return path; steal_ptr() hands ownership out. */
#ifndef KNL_NL_CLEANUP_H
#define KNL_NL_CLEANUP_H

#include <netlink/addr.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>

#include "cni/cleanup.h"

static inline void knl_nl_sock_freep(struct nl_sock **p)
{
	if (*p)
		nl_socket_free(*p);
}
static inline void knl_nl_msg_freep(struct nl_msg **p)
{
	if (*p)
		nlmsg_free(*p);
}
static inline void knl_nl_cb_putp(struct nl_cb **p)
{
	if (*p)
		nl_cb_put(*p);
}
static inline void knl_nl_addr_putp(struct nl_addr **p)
{
	if (*p)
		nl_addr_put(*p);
}
static inline void knl_rtnl_link_putp(struct rtnl_link **p)
{
	if (*p)
		rtnl_link_put(*p);
}
static inline void knl_rtnl_addr_putp(struct rtnl_addr **p)
{
	if (*p)
		rtnl_addr_put(*p);
}

#define cleanup_nl_sock	  _cleanup_(knl_nl_sock_freep)
#define cleanup_nl_msg	  _cleanup_(knl_nl_msg_freep)
#define cleanup_nl_cb	  _cleanup_(knl_nl_cb_putp)
#define cleanup_nl_addr	  _cleanup_(knl_nl_addr_putp)
#define cleanup_rtnl_link _cleanup_(knl_rtnl_link_putp)
#define cleanup_rtnl_addr _cleanup_(knl_rtnl_addr_putp)

#endif
