/* The ipam section of the network config, read as the reference host-local reads it. */
#ifndef HOSTLOCAL_CONFIG_H
#define HOSTLOCAL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "cni/cleanup.h"
#include "cni/error.h"
#include "cni/plugin.h"
#include "cni/result.h"
#include "hostlocal.h"

/* An address asked for by the runtime; `code` is the error code to use when it cannot be
 * honoured (CNI_ARGS is the environment: 4; runtimeConfig and args are config: 7). */
struct hl_request {
	struct cni_ip ip;
	int code;
	const char *source;
	int set; /* range set it belongs to, -1 while unassigned */
};

struct hl_config {
	const char *name;
	const char *data_dir;
	const char *resolv_conf; /* NULL: no DNS in the result */
	struct hl_range_set *sets;
	size_t n_sets;
	struct cni_route *routes;
	size_t n_routes;
	struct hl_request *requests;
	size_t n_requests;
};

/* Read ctx's ipam section; with_requests also reads the requested addresses (ADD) and
 * assigns each to its range set. On failure cfg holds what was read so far: free it. */
int hl_config_load(struct hl_config *cfg, const struct cni_ctx *ctx, bool with_requests,
		   struct cni_error *err);
void hl_config_free(struct hl_config *cfg);

static inline void hl_config_freep(struct hl_config *cfg)
{
	hl_config_free(cfg);
}
#define cleanup_config _cleanup_(hl_config_freep)

#endif
