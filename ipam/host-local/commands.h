/* ADD, DEL, CHECK, STATUS and GC: the handlers host-local gives the dispatcher. */
#ifndef HOSTLOCAL_COMMANDS_H
#define HOSTLOCAL_COMMANDS_H

#include "cni/error.h"
#include "cni/plugin.h"

int hl_cmd_add(struct cni_ctx *ctx, struct cni_error *err);
int hl_cmd_del(struct cni_ctx *ctx, struct cni_error *err);
int hl_cmd_check(struct cni_ctx *ctx, struct cni_error *err);
int hl_cmd_status(struct cni_ctx *ctx, struct cni_error *err);
int hl_cmd_gc(struct cni_ctx *ctx, struct cni_error *err);

/* The table of the handlers above (plugin.c). */
extern const struct cni_plugin hl_plugin;

#endif
