/* STATUS (1.1.0): can krafty serve an ADD now? Code 50 when the config asks
 * for a VRF and this kernel cannot make one (probed by creating and deleting a
 * VRF with a throwaway name), or when the IPAM plugin is not on CNI_PATH;
 * otherwise the IPAM plugin's own STATUS answers. */
#include "krafty.h"

#include <stdlib.h>

#include "cni/exec.h"

static int vrf_available(const struct kr_conf *conf, struct cni_error *err)
{
	cleanup_knl struct knl_sock *sk = NULL;
	int rc;

	if (knl_open(&sk, err) < 0 || (rc = kr_vrf_probe(sk, conf->table, err)) < 0)
		return -1;
	if (rc == 0)
		return cni_err(err, CNI_ERR_NOT_AVAILABLE,
			       "this kernel lacks VRF support: krafty cannot attach network %s "
			       "with \"vrf\": true (set \"vrf\": false to attach without a VRF)",
			       conf->netname);
	return 0;
}

static int ipam_available(const struct cni_ctx *ctx, struct cni_error *err)
{
	cleanup_free char *path = NULL;

	if (cni_find_plugin(ctx->env.path, ctx->conf.ipam_type, &path, err) < 0)
		return cni_err_wrap(err, CNI_ERR_NOT_AVAILABLE, "IPAM plugin unavailable");
	return cni_ipam_exec(ctx, CNI_CMD_STATUS, NULL, err);
}

int kr_cmd_status(struct cni_ctx *ctx, struct cni_error *err)
{
	int rc;
	struct kr_conf conf;

	if ((rc = kr_conf_load(ctx, false, &conf, err)) < 0)
		return rc;
	if (conf.vrf && vrf_available(&conf, err) < 0)
		return -1;
	return conf.use_ipam ? ipam_available(ctx, err) : 0;
}
