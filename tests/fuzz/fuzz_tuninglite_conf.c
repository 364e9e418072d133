/* libFuzzer target: tuning-lite's config, as ADD and CHECK read it: lib/cni's
 * parser (strict JSON, prevResult), then sysctl keys and values, MACs from
 * every source, mtu, txQLen, promisc, allmulti, dataDir. The first byte picks
 * CNI_IFNAME and CNI_ARGS, so that IFNAME substitution and MAC= are reached. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../plugins/tuning-lite/tuning.h"

static const char *const ifnames[] = {"eth0", "net1", "eth0.100", "IFNAME", "a-b_c"};
static const char *const cni_args[] = {NULL, "IgnoreUnknown=1;MAC=02:00:00:00:00:01", "MAC=zz",
				       "MAC="};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cni_ctx ctx;
	struct cni_error err = CNI_ERROR_INIT;
	struct tl_config cfg;
	const char *dir = NULL;

	if (size < 1)
		return 0;
	memset(&ctx, 0, sizeof(ctx));
	ctx.plugin_name = "tuning-lite";
	ctx.env.container_id = "fuzz";
	ctx.env.ifname = ifnames[data[0] % 5];
	ctx.env.netns = "/run/netns/fuzz";
	if (cni_args[(data[0] >> 3) % 4] &&
	    cni_args_parse(cni_args[(data[0] >> 3) % 4], &ctx.env.args, &ctx.env.n_args, &err) < 0)
		return 0;
	if (cni_conf_parse(&ctx.conf, (const char *)data + 1, size - 1, &err) == 0) {
		if (tl_config_parse(&ctx, &cfg, &err) == 0)
			tl_config_free(&cfg);
		(void)tl_config_data_dir(&ctx, &dir, &err);
	}
	cni_conf_free(&ctx.conf);
	cni_args_free(ctx.env.args, ctx.env.n_args);
	return 0;
}
