/* libFuzzer target: krafty's config, as ADD, DEL and GC read it: lib/cni's
 * parser first (strict JSON, common keys, prevResult), then krafty's own keys
 * (subnets, gateways, podIP, vrf, vrfTable, mtu, ...). The IPAM binary is not
 * looked up (nothing on disk is touched). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../plugins/krafty/krafty.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cni_ctx ctx;
	struct cni_error err = CNI_ERROR_INIT;
	struct kr_conf conf;

	memset(&ctx, 0, sizeof(ctx));
	ctx.plugin_name = "krafty";
	ctx.env.container_id = "fuzz";
	ctx.env.ifname = "net1";
	ctx.env.netns = "/run/netns/fuzz";
	ctx.env.path = "/nonexistent";
	if (cni_conf_parse(&ctx.conf, (const char *)data, size, &err) == 0) {
		if (kr_conf_load(&ctx, false, &conf, &err) == 0)
			(void)kr_conf_route_table(&conf);
		cni_err_clear(&err);
	}
	cni_conf_free(&ctx.conf);
	return 0;
}
