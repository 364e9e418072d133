/* ADD: check the pod, take an address, then node side, veth, pod side, routes.
 *
 * Every step creates or reuses, so an ADD after an ADD killed at any step
 * succeeds: the VRF and the bridge are reused when their alias is ours, the
 * veth pair of a killed ADD is deleted and made anew, and an address the IPAM
 * plugin still holds for this attachment is released and asked for again. On
 * failure, what this call made is undone in reverse and the address released.
 * The steps are named for the test hook (KRAFTY_TEST_PAUSE_AT=<step>).
 */
#include "krafty.h"

#include <errno.h>
#include <string.h>

#include "cni/exec.h"
#include "cni/testhook.h"

struct add {
	struct cni_ctx *ctx;
	struct kr_conf conf;
	struct kr_ident id;
	struct knl_sock *sk;
	struct kr_pod *pod;
	struct cni_result *ipam; /* the IPAM plugin's result; NULL with a static podIP */
	struct cni_prefix addrs[KR_MAX_FAMILIES]; /* the pod's, in conf.fam order */
	char vrf[KNL_IFNAMSIZ], bridge[KNL_IFNAMSIZ], veth[KNL_IFNAMSIZ];
	/* the MACs this call gave: bridge, host end, pod end (the result's) */
	struct knl_mac bridge_mac, veth_macs[2];
	/* what this call made, for the undo */
	bool ip_held, vrf_made, bridge_made, veth_made;
	bool counted[KR_MAX_FAMILIES];
	bool host_route_made[KR_MAX_FAMILIES];
};

void kr_pause_at(const char *step)
{
	cni_test_pause_at(KR_PAUSE_ENV, KR_PLUGIN, step);
}

/* ---- the address ------------------------------------------------------ */

static int ipam_add(struct add *a, struct cni_error *err)
{
	struct cni_error first;
	struct cni_error ignored = CNI_ERROR_INIT;
	int rc;

	if (cni_ipam_exec(a->ctx, CNI_CMD_ADD, &a->ipam, err) == 0)
		return 0;
	/* host-local refuses a second allocation for one attachment: one that a
	 * killed ADD left is released, and asked for once more. */
	first = *err;
	if ((rc = cni_ipam_exec(a->ctx, CNI_CMD_DEL, NULL, &ignored)) < 0) {
		*err = first;
		return rc;
	}
	if ((rc = cni_ipam_exec(a->ctx, CNI_CMD_ADD, &a->ipam, err)) == 0)
		return 0;
	/* The IPAM plugin may hold an address although what it printed could not
	 * be read (not JSON, no result): release it, best effort. */
	cni_ipam_exec(a->ctx, CNI_CMD_DEL, NULL, &ignored);
	return rc;
}

/* The IPAM result's first address of each of the network's families inside
 * the subnet. */
static int ipam_addrs(struct add *a, struct cni_error *err)
{
	for (size_t f = 0; f < a->conf.n_fam; f++) {
		const struct kr_family *fam = &a->conf.fam[f];
		bool found = false;

		for (size_t i = 0; i < a->ipam->n_ips && !found; i++) {
			if (!cni_prefix_contains(&fam->subnet, &a->ipam->ips[i].address.ip))
				continue;
			a->addrs[f] = a->ipam->ips[i].address;
			found = true;
		}
		if (!found) {
			char net[CNI_PREFIX_STRLEN];

			cni_prefix_format(&fam->subnet, net);
			return cni_err(err, CNI_ERR_INVALID_CONFIG,
				       "IPAM plugin %s returned no address in subnet %s: its "
				       "ranges must lie in krafty's subnet",
				       a->ctx->conf.ipam_type, net);
		}
	}
	return 0;
}

static int take_address(struct add *a, struct cni_error *err)
{
	int rc;
	if (!a->conf.use_ipam) {
		for (size_t f = 0; f < a->conf.n_fam; f++)
			a->addrs[f] = a->conf.fam[f].pod_ip;
		return 0;
	}
	if ((rc = ipam_add(a, err)) < 0)
		return rc;
	a->ip_held = true;
	return ipam_addrs(a, err);
}

/* ---- routes ----------------------------------------------------------- */

static int pod_route(struct add *a, const struct cni_route *r, struct cni_error *err)
{
	const struct kr_family *f = kr_conf_family(&a->conf, r->dst.ip.family);
	const struct cni_ip *gw;

	if (!f) /* a route of a family the pod has no address of */
		return 0;
	gw = r->gw.family ? &r->gw : &f->gateway;
	return kr_pod_add_route(a->pod, &a->id, &r->dst, gw,
				r->dst.len == 0 ? a->conf.default_metric : 0, err);
}

static int static_default_routes(struct add *a, struct cni_error *err)
{
	int rc;
	for (size_t f = 0; f < a->conf.n_fam; f++) {
		struct cni_prefix any = {.ip = {.family = a->conf.fam[f].subnet.ip.family}};

		if ((rc = kr_pod_add_route(a->pod, &a->id, &any, &a->conf.fam[f].gateway,
					   a->conf.default_metric, err)) < 0)
			return rc;
	}
	return 0;
}

/* The address is routed to another bridge. With IPAM, the IPAM plugin has just
 * given the address to this attachment, so a krafty route holding it may
 * belong to an attachment that leaked (never DEL'd, its address since
 * released): the route moves to this pod only when that bridge is this
 * network's and its pod end is gone (guard.c). Anything else is a conflict:
 * another network's live pod, a static podIP held elsewhere. */
static int take_over_host_route(struct add *a, const struct knl_route *want, struct cni_error *err)
{
	struct knl_route held = *want, found;
	char desc[192];
	int rc;

	held.oif_name = NULL;
	if ((rc = knl_route_find(a->sk, &held, &found, err)) < 0)
		return rc;
	if (rc == 1 && a->conf.use_ipam && found.protocol == KR_RTPROT &&
	    (rc = kr_guard_route_is_leaked(a->sk, &a->conf, found.oif, err)) != 0) {
		if (rc < 0)
			return rc;
		if ((rc = knl_route_del(a->sk, &found, err)) < 0)
			return rc;
		return knl_route_add(a->sk, want, NULL, err) < 0 ? -1 : 0;
	}
	knl_route_format(want, desc, sizeof(desc));
	return cni_err(err, KR_ERR_GENERIC,
		       "%s: the pod address is already routed to another device%s", desc,
		       a->conf.use_ipam ? "" : " (another attachment with the same podIP?)");
}

static int add_host_route(struct add *a, size_t f, struct cni_error *err)
{
	struct knl_route r;
	bool existed = false;
	int rc;

	kr_host_route(&a->conf, &a->addrs[f].ip, a->bridge, &r);
	rc = knl_route_add(a->sk, &r, &existed, err);
	if (rc == -EEXIST)
		rc = take_over_host_route(a, &r, err);
	if (rc < 0)
		return -1;
	a->host_route_made[f] = !existed;
	return 0;
}

static int add_routes(struct add *a, struct cni_error *err)
{
	int rc;
	for (size_t f = 0; f < a->conf.n_fam; f++)
		if ((rc = add_host_route(a, f, err)) < 0)
			return rc;
	if (!a->ipam)
		return static_default_routes(a, err);
	for (size_t i = 0; i < a->ipam->n_routes; i++)
		if ((rc = pod_route(a, &a->ipam->routes[i], err)) < 0)
			return rc;
	return 0;
}

/* ---- the steps -------------------------------------------------------- */

static int attach(struct add *a, struct cni_error *err)
{
	int rc;
	if ((rc = take_address(a, err)) < 0)
		return rc;
	kr_pause_at("after-ipam");
	if (a->conf.vrf && (kr_table_claim(a->sk, &a->conf, a->counted, err) < 0 ||
			    kr_vrf_ensure(a->sk, &a->conf, &a->id, a->vrf, &a->vrf_made, err) < 0))
		return -1;
	kr_pause_at("after-vrf");
	if ((rc = kr_bridge_ensure(a->sk, &a->conf, &a->id, a->conf.vrf ? a->vrf : NULL, a->bridge,
				   &a->bridge_mac, &a->bridge_made, err)) < 0)
		return rc;
	kr_pause_at("after-bridge");
	if ((rc = kr_veth_create(a->sk, a->pod, &a->conf, &a->id, a->bridge, a->veth, a->veth_macs,
				 &a->veth_made, err)) < 0)
		return rc;
	kr_pause_at("after-veth");
	if ((rc = kr_pod_add_addrs(a->pod, &a->id, a->addrs, a->conf.n_fam, err)) < 0)
		return rc;
	kr_pause_at("after-pod-addr");
	if ((rc = add_routes(a, err)) < 0)
		return rc;
	kr_pause_at("after-routes");
	return 0;
}

/* Undo what this call made, in reverse; the first error stays the one reported. */
static void undo(struct add *a, struct cni_error *err)
{
	struct cni_error ignored = CNI_ERROR_INIT;

	/* A made device may be under its temporary name or either candidate:
	 * kr_dev_delete removes only those whose alias is ours (a name this call
	 * failed to claim is another attachment's device). */
	if (a->veth_made)
		kr_dev_delete(a->sk, &a->id, KR_DEV_VETH, &ignored);
	for (size_t f = 0; f < a->conf.n_fam && !a->bridge_made; f++) {
		struct knl_route r;

		if (!a->host_route_made[f])
			continue;
		kr_host_route(&a->conf, &a->addrs[f].ip, a->bridge, &r);
		knl_route_del(a->sk, &r, &ignored);
	}
	if (a->bridge_made)
		kr_dev_delete(a->sk, &a->id, KR_DEV_BRIDGE, &ignored);
	if (a->vrf_made)
		kr_dev_delete(a->sk, &a->id, KR_DEV_VRF, &ignored);
	kr_table_release(a->sk, &a->conf, a->counted, &ignored);
	if (a->ip_held && cni_ipam_exec(a->ctx, CNI_CMD_DEL, NULL, &ignored) < 0 &&
	    !err->details[0])
		cni_err_details(err, "releasing the address failed too: %s", ignored.msg);
}

/* ---- the result ------------------------------------------------------- */

/* An interface of the result with its MAC: the one this call gave it (mac),
 * else (a reused bridge) the kernel's. */
static int add_iface(struct cni_result *r, struct knl_sock *sk, const char *name,
		     const struct knl_mac *mac, const char *sandbox, struct cni_error *err)
{
	char given[KNL_MAC_STRLEN];
	struct knl_link_info l;
	int rc;

	if (mac) {
		knl_mac_format(mac, given, sizeof(given));
		return cni_result_add_interface(r, name, given, sandbox, err);
	}
	if ((rc = knl_link_info(sk, name, &l, err)) < 0)
		return rc;
	return cni_result_add_interface(r, name, l.mac[0] ? l.mac : NULL, sandbox, err);
}

static int result_routes(const struct add *a, struct cni_result *r, struct cni_error *err)
{
	int rc;
	if (a->ipam) {
		for (size_t i = 0; i < a->ipam->n_routes; i++) {
			const struct cni_route *rt = &a->ipam->routes[i];

			if (kr_conf_family(&a->conf, rt->dst.ip.family) &&
			    (rc = cni_result_add_route(r, &rt->dst, rt->gw.family ? &rt->gw : NULL,
						       err)) < 0)
				return rc;
		}
		return 0;
	}
	for (size_t f = 0; f < a->conf.n_fam; f++) {
		struct cni_prefix any = {.ip = {.family = a->conf.fam[f].subnet.ip.family}};

		if ((rc = cni_result_add_route(r, &any, &a->conf.fam[f].gateway, err)) < 0)
			return rc;
	}
	return 0;
}

static int build_result(struct add *a, struct cni_result **out, struct cni_error *err)
{
	int rc;
	cleanup_result struct cni_result *r = cni_result_new();
	int pod_if;

	if (!r)
		return cni_err(err, CNI_ERR_IO, "out of memory");
	if (add_iface(r, a->sk, a->bridge, a->bridge_made ? &a->bridge_mac : NULL, NULL, err) < 0 ||
	    add_iface(r, a->sk, a->veth, &a->veth_macs[0], NULL, err) < 0 ||
	    (pod_if = add_iface(r, a->pod->sk, a->id.ifname, &a->veth_macs[1], a->ctx->env.netns,
				err)) < 0)
		return -1;
	for (size_t f = 0; f < a->conf.n_fam; f++)
		if ((rc = cni_result_add_ip(r, &a->addrs[f], &a->conf.fam[f].gateway, pod_if,
					    err)) < 0)
			return rc;
	if ((rc = result_routes(a, r, err)) < 0)
		return rc;
	if (a->ipam && a->ipam->dns && !(r->dns = cJSON_Duplicate(a->ipam->dns, 1)))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	*out = steal_ptr(r);
	return 0;
}

int kr_cmd_add(struct cni_ctx *ctx, struct cni_error *err)
{
	cleanup_knl struct knl_sock *sk = NULL;
	cleanup_kr_pod struct kr_pod pod = KR_POD_INIT;
	struct add a = {.ctx = ctx, .pod = &pod};
	cleanup_result struct cni_result *ipam = NULL;
	int rc;

	if ((rc = kr_conf_load(ctx, true, &a.conf, err)) < 0)
		return rc;
	kr_ident_init(&a.id, ctx->env.container_id, ctx->conf.name, ctx->env.ifname);
	if ((rc = knl_open(&sk, err)) < 0 || (rc = kr_pod_open(&pod, ctx->env.netns, err)) < 0)
		return rc;
	a.sk = sk;
	if ((rc = kr_pod_check_ifname(&pod, &a.id, err)) < 0 ||
	    (rc = kr_guard_node(sk, &a.conf, err)) < 0)
		return rc;
	rc = attach(&a, err);
	ipam = a.ipam; // NOLINT(clang-analyzer-deadcode.DeadStores): its cleanup frees it
	if (rc == 0 && build_result(&a, &ctx->result, err) == 0)
		return 0;
	undo(&a, err);
	return -1;
}
