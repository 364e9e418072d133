/* passthru: the empty head of a chain. It changes nothing; ADD hands the next
 * plugin a prevResult: the one it was given, or else a description of the
 * existing CNI_IFNAME in CNI_NETNS (MAC, MTU, sandbox, addresses, gateway
 * routes), so that a conflist [passthru, tuning-lite, ...] can run against a
 * pod that is already up (the krang mutation flow, hot plug).
 *
 * Plugin-specific error code:
 *   100  CNI_IFNAME does not exist in CNI_NETNS (ADD without prevResult, CHECK).
 * CNI_NETNS that does not exist: code 4 (ADD without prevResult, CHECK).
 * DEL, STATUS and GC always succeed: passthru holds nothing. */
#ifndef PASSTHRU_H
#define PASSTHRU_H

#include "cni/plugin.h"

#define PT_ERR_NO_IFACE (CNI_ERR_PLUGIN + 0)

int pt_cmd_add(struct cni_ctx *ctx, struct cni_error *err);
int pt_cmd_del(struct cni_ctx *ctx, struct cni_error *err);
int pt_cmd_check(struct cni_ctx *ctx, struct cni_error *err);

#endif
