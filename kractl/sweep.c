/* kractl gc [--dry-run] [--network NAME] without a network file: remove what
 * ls marks as orphaned, without a runtime. Per orphan: its devices (only
 * those whose alias is the attachment's: kr_dev_delete, krafty's own rule),
 * its host-local files (only those naming it as owner, under the store's
 * lock), its tuning-lite state and its cache entry; then the markers of the
 * tables no pod route is left in (kr_table_recount). An attachment whose host
 * veth exists (its netns exists) is never an orphan; holdings younger than
 * --min-age are left to a running ADD. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../ipam/host-local/addrname.h"
#include "../ipam/host-local/store.h"
#include "cni/cache.h"
#include "kractl.h"

static const char *what(const struct kc_opts *o)
{
	return o->dry_run ? "would remove" : "removed";
}

static int sweep_devices(const struct kc_opts *o, struct knl_sock *sk, const struct kc_att *a,
			 struct cni_error *err)
{
	static const enum kr_dev order[] = {KR_DEV_VETH, KR_DEV_BRIDGE, KR_DEV_VRF};
	struct kr_ident id;
	int rc;

	kr_ident_init(&id, a->id, a->net, a->ifname);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!a->dev[order[i]][0])
			continue;
		printf("%s %s %s of %s/%s/%s\n", what(o), kr_dev_label(order[i]), a->dev[order[i]],
		       a->net, a->ifname, a->id);
		if (!o->dry_run && (rc = kr_dev_delete(sk, &id, order[i], err)) < 0)
			return rc;
	}
	return 0;
}

static int sweep_ipam(const struct kc_opts *o, const struct kc_att *a, struct cni_error *err)
{
	cleanup_store struct hl_store st = HL_STORE_INIT;
	bool missing = false;
	int rc;

	if (!a->n_held ||
	    (rc = hl_store_open(&st, a->held_dir, a->net, false, &missing, err)) < 0 || missing)
		return a->n_held ? rc : 0;
	for (size_t i = 0; i < a->n_held; i++) {
		struct hl_owner owner;
		char name[CNI_IP_STRLEN];

		hl_ip_name(&a->held[i], name);
		if (hl_store_read_owner(&st, name, &owner) < 0 ||
		    !hl_owner_is(&owner, a->id, a->ifname))
			continue; /* released or taken by another since ls read it */
		printf("%s address %s held by %s/%s/%s in %s/%s\n", what(o), name, a->net,
		       a->ifname, a->id, a->held_dir, a->net);
		if (!o->dry_run && (rc = hl_store_release(&st, &a->held[i], err)) < 0)
			return rc;
	}
	return 0;
}

static int sweep_state(const struct kc_opts *o, const struct kc_att *a, struct cni_error *err)
{
	const char *cache = o->cache_dir ? o->cache_dir : CNI_CACHE_DEFAULT_DIR;
	int rc;

	if (a->tuning[0]) {
		printf("%s tuning-lite state %s\n", what(o), a->tuning);
		if (!o->dry_run && unlink(a->tuning) < 0 && errno != ENOENT)
			return cni_err_errno(err, CNI_ERR_IO, errno, "remove %s", a->tuning);
	}
	if (!a->cached)
		return 0;
	printf("%s cache entry of %s/%s/%s in %s\n", what(o), a->net, a->ifname, a->id, cache);
	if (!o->dry_run && (rc = cni_cache_remove(cache, a->net, a->id, a->ifname, err)) < 0)
		return rc;
	return 0;
}

/* The markers of table t go when no pod route is left in it (krafty's rule). */
static int sweep_table(const struct kc_opts *o, struct knl_sock *sk, const struct kc_node *nd,
		       uint32_t t, struct cni_error *err)
{
	struct kr_conf conf;
	const struct knl_route *r = nd->routes.v;

	memset(&conf, 0, sizeof(conf));
	conf.vrf = true;
	conf.table = t;
	for (size_t i = 0; i < nd->routes.n && conf.n_fam < KR_MAX_FAMILIES; i++)
		if (r[i].table == t && r[i].type == RTN_UNREACHABLE &&
		    r[i].metric == KR_MARKER_METRIC &&
		    !(conf.n_fam && conf.fam[0].subnet.ip.family == r[i].dst.ip.family))
			conf.fam[conf.n_fam++].subnet.ip.family = r[i].dst.ip.family;
	if (!conf.n_fam)
		return 0;
	printf("%s table %u's marker%s unless a pod route is left in it\n", what(o),
	       (unsigned int)t, conf.n_fam > 1 ? "s" : "");
	return o->dry_run ? 0 : kr_table_recount(sk, &conf, err);
}

static int sweep(const struct kc_opts *o, struct knl_sock *sk, const struct kc_node *nd, size_t *n,
		 struct cni_error *err)
{
	const struct kc_att *v = nd->atts.v;
	int rc;

	for (size_t i = 0; i < nd->atts.n; i++) {
		if (!v[i].orphan)
			continue;
		(*n)++;
		if (sweep_devices(o, sk, &v[i], err) < 0 || sweep_ipam(o, &v[i], err) < 0 ||
		    sweep_state(o, &v[i], err) < 0)
			return cni_err_prefix(err, "%s/%s/%s", v[i].net, v[i].ifname, v[i].id);
	}
	for (size_t i = 0; i < nd->atts.n; i++)
		if (v[i].orphan && v[i].table && (rc = sweep_table(o, sk, nd, v[i].table, err)) < 0)
			return rc;
	return 0;
}

int kc_node_gc(struct kc_opts *o, struct cni_error *err)
{
	struct kc_node nd;
	cleanup_knl struct knl_sock *sk = NULL;
	size_t n = 0;
	int rc;

	memset(&nd, 0, sizeof(nd));
	if ((rc = knl_open(&sk, err)) == 0 && (rc = kc_node_read(o, &nd, err)) == 0 &&
	    (rc = sweep(o, sk, &nd, &n, err)) == 0)
		printf("%zu orphaned attachment(s)%s\n", n, o->dry_run ? " (dry run)" : "");
	kc_node_free(&nd);
	return rc;
}

/* gc NETWORK|FILE runs the network's GC as a runtime would; gc alone sweeps. */
int kc_cmd_gc_any(struct kc_opts *o, struct cni_error *err)
{
	return o->n_pos ? kc_cmd_gc(o, err) : kc_node_gc(o, err);
}
