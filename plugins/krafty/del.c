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

/* The bridge and the VRF under their final name are parked as spares; a
 * killed ADD's device under the other candidate or the temporary name is
 * deleted (kr_dev_delete). */
static int park_or_delete(struct knl_sock *sk, const struct kr_conf *conf,
			  const struct kr_ident *id, enum kr_dev dev, bool removed[KR_MAX_FAMILIES],
			  struct cni_error *err)
{
	char name[KNL_IFNAMSIZ];
	struct kr_link l;
	int rc;

	if ((rc = kr_name_find(sk, id, dev, name, &l, err)) < 0)
		return rc;
	if (name[0] && (rc = kr_spare_park(sk, conf, dev, name, err)) < 0)
		return rc;
	/* The attachment counted itself in the table before it made its bridge
	 * (table.c): finding the bridge is what uncounts it, once. */
	for (size_t f = 0; name[0] && removed && f < conf->n_fam; f++)
		removed[f] = true;
	return kr_dev_delete(sk, id, dev, err);
}

static int delete_devices(const struct kr_conf *conf, const struct kr_ident *id,
			  struct cni_error *err)
{
	bool removed[KR_MAX_FAMILIES] = {false};
	cleanup_knl struct knl_sock *sk = NULL;
	int rc;

	if ((rc = knl_open(&sk, err)) < 0)
		return rc;
	if ((rc = kr_dev_delete(sk, id, KR_DEV_VETH, err)) < 0 ||
	    (rc = park_or_delete(sk, conf, id, KR_DEV_BRIDGE, removed, err)) < 0 ||
	    (rc = park_or_delete(sk, conf, id, KR_DEV_VRF, NULL, err)) < 0)
		return rc;
	return kr_table_release(sk, conf, removed, err);
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
	rc = delete_devices(&conf, &id, err);
	if (conf.use_ipam && cni_ipam_exec(ctx, CNI_CMD_DEL, NULL, &ipam_err) < 0) {
		if (rc == 0)
			*err = ipam_err;
		return -1;
	}
	return rc;
}
