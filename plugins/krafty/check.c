/* CHECK: compare the node and the pod with prevResult and the config, and
 * report every difference at once (joined with "; " in the message), then ask
 * the IPAM plugin to check its part. Devices are found by their alias (both
 * name candidates, no dump), so CHECK never judges another attachment's.
 */
#include "krafty.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cni/exec.h"

struct diffs {
	char text[768];
	size_t len;
	int count;
};

static void differ(struct diffs *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void differ(struct diffs *d, const char *fmt, ...)
{
	va_list ap;

	d->count++;
	if (d->len + 3 >= sizeof(d->text))
		return;
	if (d->len)
		d->len += snprintf(d->text + d->len, sizeof(d->text) - d->len, "; ");
	va_start(ap, fmt);
	d->len += vsnprintf(d->text + d->len, sizeof(d->text) - d->len, fmt, ap);
	va_end(ap);
	if (d->len >= sizeof(d->text))
		d->len = sizeof(d->text) - 1;
}

struct check {
	struct cni_ctx *ctx;
	const struct cni_result *prev;
	struct kr_conf conf;
	struct kr_ident id;
	struct knl_sock *sk;
	struct kr_pod *pod;
	struct diffs d;
	struct kr_link vrf, bridge, veth;
	char vrf_name[KNL_IFNAMSIZ], bridge_name[KNL_IFNAMSIZ], veth_name[KNL_IFNAMSIZ];
};

/* ---- node ------------------------------------------------------------- */

static int find_dev(struct check *c, enum kr_dev dev, char name[KNL_IFNAMSIZ], struct kr_link *l,
		    struct cni_error *err)
{
	int rc;
	if ((rc = kr_name_find(c->sk, &c->id, dev, name, l, err)) < 0)
		return rc;
	if (!name[0]) {
		differ(&c->d, "%s (%s or %s) of this attachment is missing", kr_dev_label(dev),
		       c->id.cand[dev][0], c->id.cand[dev][1]);
		return 0;
	}
	if (strcmp(l->info.kind, kr_dev_kind(dev)) != 0)
		differ(&c->d, "%s %s is a %s", kr_dev_label(dev), name, l->info.kind);
	/* The result lists the bridge and the host veth, not the VRF. */
	if (dev != KR_DEV_VRF && cni_result_find_interface(c->prev, name, NULL) < 0)
		differ(&c->d, "%s %s is not in prevResult's interfaces", kr_dev_label(dev), name);
	return 0;
}

/* 1 when ifname holds exactly p, 0 when not. */
static int has_addr(struct knl_sock *sk, const char *ifname, const struct cni_prefix *p,
		    struct cni_error *err)
{
	int rc;
	cleanup_free struct knl_addr *addrs = NULL;
	size_t n = 0;

	if ((rc = knl_addr_list(sk, ifname, p->ip.family, &addrs, &n, err)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		if (addrs[i].prefix.len == p->len && cni_ip_equal(&addrs[i].prefix.ip, &p->ip))
			return 1;
	return 0;
}

static int check_bridge_addrs(struct check *c, struct cni_error *err)
{
	for (size_t f = 0; f < c->conf.n_fam; f++) {
		struct cni_prefix gw = {.ip = c->conf.fam[f].gateway,
					.len = c->conf.fam[f].subnet.len};
		char s[CNI_PREFIX_STRLEN];
		int rc = has_addr(c->sk, c->bridge_name, &gw, err);

		if (rc < 0)
			return -1;
		cni_prefix_format(&gw, s);
		if (!rc)
			differ(&c->d, "bridge %s lacks the gateway address %s", c->bridge_name, s);
	}
	return 0;
}

static int check_node(struct check *c, struct cni_error *err)
{
	int rc;
	if (c->conf.vrf) {
		if ((rc = find_dev(c, KR_DEV_VRF, c->vrf_name, &c->vrf, err)) < 0)
			return rc;
		if (c->vrf_name[0] && c->vrf.info.vrf_table != c->conf.table)
			differ(&c->d, "VRF %s uses table %u, not %u", c->vrf_name,
			       c->vrf.info.vrf_table, c->conf.table);
	}
	if ((rc = find_dev(c, KR_DEV_BRIDGE, c->bridge_name, &c->bridge, err)) < 0 ||
	    (rc = find_dev(c, KR_DEV_VETH, c->veth_name, &c->veth, err)) < 0)
		return rc;
	if (c->bridge_name[0]) {
		if (c->conf.vrf && c->vrf_name[0] && c->bridge.info.master != c->vrf.info.index)
			differ(&c->d, "bridge %s is not enslaved to VRF %s", c->bridge_name,
			       c->vrf_name);
		if (!c->conf.vrf && c->bridge.info.master)
			differ(&c->d, "bridge %s has a master, but \"vrf\" is false",
			       c->bridge_name);
		if ((rc = check_bridge_addrs(c, err)) < 0)
			return rc;
	}
	if (c->veth_name[0] && c->bridge_name[0] && c->veth.info.master != c->bridge.info.index)
		differ(&c->d, "host veth %s is not attached to bridge %s", c->veth_name,
		       c->bridge_name);
	return 0;
}

/* ---- prevResult's addresses and routes -------------------------------- */

/* An ip of prevResult that belongs to the pod interface (or names none). */
static bool pod_ip(const struct check *c, const struct cni_ipconf *ip)
{
	const struct cni_iface *f;

	if (!kr_conf_family(&c->conf, ip->address.ip.family))
		return false;
	if (ip->interface < 0 || (size_t)ip->interface >= c->prev->n_interfaces)
		return true;
	f = &c->prev->interfaces[ip->interface];
	return strcmp(f->name, c->id.ifname) == 0 && f->sandbox;
}

/* The host route is what the FIB matches for the pod address (through the
 * VRF: in its table only; the kernel then reports the main table's number, so
 * the table is compared without a VRF only): one request, where a dump of the
 * table would cost more with every pod on the node. */
static int host_route_present(struct check *c, const struct knl_route *want, struct cni_error *err)
{
	struct knl_route got;
	int rc;

	if ((rc = knl_route_get(c->sk, &want->dst.ip, c->conf.vrf ? c->vrf.info.index : 0, &got,
				err)) <= 0)
		return rc;
	return got.dst.len == want->dst.len && cni_ip_equal(&got.dst.ip, &want->dst.ip) &&
	       got.oif == c->bridge.info.index && got.protocol == want->protocol &&
	       (c->conf.vrf || got.table == want->table);
}

static int check_host_routes(struct check *c, struct cni_error *err)
{
	for (size_t i = 0; i < c->prev->n_ips && c->bridge_name[0]; i++) {
		struct knl_route r;
		char desc[192];
		int rc;

		if (!pod_ip(c, &c->prev->ips[i]) || (c->conf.vrf && !c->vrf_name[0]))
			continue;
		kr_host_route(&c->conf, &c->prev->ips[i].address.ip, c->bridge_name, &r);
		if ((rc = host_route_present(c, &r, err)) < 0)
			return -1;
		knl_route_format(&r, desc, sizeof(desc));
		if (!rc)
			differ(&c->d, "node route %s is missing", desc);
	}
	return 0;
}

static int check_pod_addrs(struct check *c, struct cni_error *err)
{
	int found = 0;

	for (size_t i = 0; i < c->prev->n_ips; i++) {
		const struct cni_prefix *p = &c->prev->ips[i].address;
		char s[CNI_PREFIX_STRLEN];
		int rc;

		if (!pod_ip(c, &c->prev->ips[i]))
			continue;
		found++;
		if ((rc = has_addr(c->pod->sk, c->id.ifname, p, err)) < 0)
			return -1;
		cni_prefix_format(p, s);
		if (!rc)
			differ(&c->d, "pod interface %s lacks address %s", c->id.ifname, s);
	}
	if (!found)
		differ(&c->d, "prevResult holds no address of the pod interface %s", c->id.ifname);
	return 0;
}

static int check_pod_routes(struct check *c, struct cni_error *err)
{
	for (size_t i = 0; i < c->prev->n_routes; i++) {
		const struct cni_route *rt = &c->prev->routes[i];
		const struct kr_family *f = kr_conf_family(&c->conf, rt->dst.ip.family);
		struct knl_route r = {.dst = rt->dst, .oif_name = c->id.ifname};
		char desc[192];
		int rc;

		if (!f)
			continue;
		r.gw = rt->gw.family ? rt->gw : f->gateway;
		/* metric 0: any; krafty may have moved it past a taken slot. */
		if ((rc = knl_route_find(c->pod->sk, &r, NULL, err)) < 0)
			return -1;
		knl_route_format(&r, desc, sizeof(desc));
		if (!rc)
			differ(&c->d, "pod route %s is missing", desc);
	}
	return 0;
}

static int check_pod(struct check *c, struct cni_error *err)
{
	int rc;
	struct kr_link l;
	int idx;

	if ((rc = kr_link_probe(c->pod->sk, c->id.ifname, &c->id, &l, err)) < 0)
		return rc;
	if (!l.exists) {
		differ(&c->d, "pod interface %s is missing", c->id.ifname);
		return 0;
	}
	if (!l.ours)
		differ(&c->d, "pod interface %s is not this attachment's (alias)", c->id.ifname);
	idx = cni_result_find_interface(c->prev, c->id.ifname, c->ctx->env.netns);
	if (idx < 0)
		differ(&c->d, "prevResult does not list %s in sandbox %s", c->id.ifname,
		       c->ctx->env.netns);
	else if (c->prev->interfaces[idx].mac &&
		 strcasecmp(c->prev->interfaces[idx].mac, l.info.mac) != 0)
		differ(&c->d, "pod interface %s has MAC %s, prevResult says %s", c->id.ifname,
		       l.info.mac, c->prev->interfaces[idx].mac);
	if ((rc = check_pod_addrs(c, err)) < 0)
		return rc;
	return check_pod_routes(c, err);
}

/* ---- the command ------------------------------------------------------ */

static void check_ipam(struct check *c)
{
	struct cni_error ipam_err = CNI_ERROR_INIT;

	if (c->conf.use_ipam && cni_ipam_exec(c->ctx, CNI_CMD_CHECK, NULL, &ipam_err) < 0)
		differ(&c->d, "IPAM: %s", ipam_err.msg);
}

int kr_cmd_check(struct cni_ctx *ctx, struct cni_error *err)
{
	int rc;
	cleanup_knl struct knl_sock *sk = NULL;
	cleanup_kr_pod struct kr_pod pod = KR_POD_INIT;
	struct check c = {.ctx = ctx, .prev = ctx->conf.prev_result, .pod = &pod};

	if ((rc = kr_conf_load(ctx, true, &c.conf, err)) < 0)
		return rc;
	if (!c.prev)
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "CHECK needs prevResult (the ADD's result)");
	kr_ident_init(&c.id, ctx->env.container_id, ctx->conf.name, ctx->env.ifname);
	if ((rc = knl_open(&sk, err)) < 0 || (rc = kr_pod_open(&pod, ctx->env.netns, err)) < 0)
		return rc;
	c.sk = sk;
	if ((rc = check_node(&c, err)) < 0 || (rc = check_host_routes(&c, err)) < 0 ||
	    (rc = check_pod(&c, err)) < 0)
		return rc;
	check_ipam(&c);
	if (!c.d.count)
		return 0;
	cni_err(err, KR_ERR_GENERIC, "CHECK of %s/%s: %d difference%s: %s", ctx->conf.name,
		ctx->env.ifname, c.d.count, c.d.count == 1 ? "" : "s", c.d.text);
	return cni_err_details(err, "%s", c.d.text);
}
