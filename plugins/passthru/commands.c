#include "passthru.h"

#include <errno.h>

#include "netlink/knl-result.h"

/* An interface that is not there is code 100 (a netns that is not there is
 * code 4, said by lib/netlink). */
static int describe_error(const struct cni_ctx *ctx, int rc, struct cni_error *err)
{
	if (rc == -ENODEV)
		return cni_err(err, PT_ERR_NO_IFACE, "interface %s does not exist in %s",
			       ctx->env.ifname, ctx->env.netns);
	return rc;
}

int pt_cmd_add(struct cni_ctx *ctx, struct cni_error *err)
{
	int rc;

	/* The dispatcher prints the result in the config's version. */
	if (ctx->conf.prev_result) {
		ctx->result = cni_result_dup(ctx->conf.prev_result, err);
		return ctx->result ? 0 : -1;
	}
	rc = knl_result_describe(ctx->env.netns, ctx->env.ifname, &ctx->result, err);
	return rc < 0 ? describe_error(ctx, rc, err) : 0;
}

int pt_cmd_del(struct cni_ctx *ctx, struct cni_error *err)
{
	return 0;
}

int pt_cmd_check(struct cni_ctx *ctx, struct cni_error *err)
{
	struct cni_result *r = NULL;
	int rc = knl_result_describe(ctx->env.netns, ctx->env.ifname, &r, err);

	cni_result_free(r);
	return rc < 0 ? describe_error(ctx, rc, err) : 0;
}
