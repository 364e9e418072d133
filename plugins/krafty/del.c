/* DEL: the reverse of ADD, for whatever is left.
 *
 * Deleting the host veth deletes its pod end wherever it is (renamed or not),
 * with the pod's addresses and routes; deleting the bridge takes the gateway
 * address and the host routes via it. So DEL needs neither the pod's netns
 * (which may be gone) nor prevResult, and succeeds when some or all parts are
 * already gone. Only devices whose alias is this attachment's are deleted.
 * The IPAM plugin is always asked to release the address, even when a device
 * could not be deleted; the first error is the one reported.
 */
#include "krafty.h"

#include "cni/exec.h"

static int delete_devices(const struct kr_ident *id, struct cni_error *err)
{
	int rc;
	cleanup_knl struct knl_sock *sk = NULL;

	if ((rc = knl_open(&sk, err)) < 0)
		return rc;
	if ((rc = kr_dev_delete(sk, id, KR_DEV_VETH, err)) < 0 ||
	    (rc = kr_dev_delete(sk, id, KR_DEV_BRIDGE, err)) < 0 ||
	    (rc = kr_dev_delete(sk, id, KR_DEV_VRF, err)) < 0)
		return rc;
	return 0;
}

int kr_cmd_del(struct cni_ctx *ctx, struct cni_error *err)
{
	struct cni_error ipam_err = CNI_ERROR_INIT;
	struct kr_conf conf;
	struct kr_ident id;
	int rc;

	if ((rc = kr_conf_load(ctx, false, &conf, err)) < 0)
		return rc;
	kr_ident_init(&id, ctx->env.container_id, ctx->conf.name, ctx->env.ifname);
	rc = delete_devices(&id, err);
	if (conf.use_ipam && cni_ipam_exec(ctx, CNI_CMD_DEL, NULL, &ipam_err) < 0) {
		if (rc == 0)
			*err = ipam_err;
		return -1;
	}
	return rc;
}
