/* GC (1.1.0): delete the devices of this network whose attachment is not in
 * cni.dev/valid-attachments, then let the IPAM plugin collect its holdings.
 *
 * Devices are found by a link dump (GC is rare) and matched by their alias:
 * "krafty <h> <network>/..." with h the attachment's hash, so a device is kept
 * exactly when h is the hash of a valid (containerID, this network, ifname).
 * Pod ends need no visit: deleting a host veth deletes its pair. Once no
 * device of the network is left, the table's marker goes too (node.c).
 * Without cni.dev/valid-attachments nothing is known to be stale: no device
 * is deleted.
 */
#include "krafty.h"

#include <stdlib.h>
#include <string.h>

#include "cni/exec.h"

struct gc {
	const struct cni_ctx *ctx;
	struct kr_conf conf;
	uint64_t *valid; /* hashes of the valid attachments */
	size_t n_valid;
	size_t kept;
};

static int valid_hashes(struct gc *g, struct cni_error *err)
{
	const struct cni_conf *c = &g->ctx->conf;

	g->n_valid = c->n_valid_attachments;
	if (!g->n_valid)
		return 0;
	if (!(g->valid = calloc(g->n_valid, sizeof(*g->valid))))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	for (size_t i = 0; i < g->n_valid; i++)
		g->valid[i] = kr_ident_hash(c->valid_attachments[i].container_id, c->name,
					    c->valid_attachments[i].ifname);
	return 0;
}

static bool is_valid(const struct gc *g, uint64_t hash)
{
	for (size_t i = 0; i < g->n_valid; i++)
		if (g->valid[i] == hash)
			return true;
	return false;
}

/* A cut alias holds the start of a long network name: the hash decides
 * validity, the visible part which network it is. */
static bool same_network(const struct kr_alias *a, const char *netname)
{
	if (a->net_cut)
		return a->netname[0] && strncmp(netname, a->netname, strlen(a->netname)) == 0;
	return strcmp(a->netname, netname) == 0;
}

/* A temporary name, prefix + 12 hash digits (names.c): "ktv"/"ktb" for a
 * VRF or a bridge ("kth" for a host veth of an older krafty), "krt" for a pod
 * end. It was made by an ADD that was killed before it named it: such a name
 * lives for a few requests of a running ADD, so it is stale unless the first
 * 48 bits of a valid attachment's hash match. The name carries no network: a
 * GC that races another network's ADD can make that ADD fail (it undoes
 * itself). */
static bool stale_tmp(const struct gc *g, const char *name, const char *const *prefixes)
{
	uint64_t prefix;
	bool known = false;

	for (; *prefixes && !known; prefixes++)
		known = strncmp(name, *prefixes, 3) == 0;
	if (!known || strlen(name) != 15 || strspn(name + 3, "0123456789abcdef") != 12)
		return false;
	prefix = strtoull(name + 3, NULL, 16);
	for (size_t i = 0; i < g->n_valid; i++)
		if (g->valid[i] >> 16 == prefix)
			return false;
	return true;
}

/* A birth group (names.c) that a valid attachment's pod end would have. */
static bool valid_birth_group(const struct gc *g, uint32_t group)
{
	for (size_t i = 0; i < g->n_valid; i++)
		if (kr_birth_group(g->valid[i]) == group)
			return true;
	return false;
}

/* A node device left by a killed ADD: under a temporary name, or a host veth
 * (born under its final name, aliased by the next request) without an alias
 * whose pod end has no alias either and is still in a birth group (or has an
 * older krafty's temporary name; one peer look-up per such veth: GC is rare).
 * 1, 0 or negative. */
static int stale_unnamed(const struct gc *g, struct knl_sock *sk, const struct knl_link_entry *l,
			 struct cni_error *err)
{
	static const char *const node_tmp[] = {"ktv", "ktb", "kth", NULL};
	static const char *const pod_tmp[] = {"krt", NULL};
	struct knl_link_info peer;
	int rc;

	if (stale_tmp(g, l->name, node_tmp))
		return 1;
	if (l->alias[0] || strcmp(l->kind, "veth") != 0 || strncmp(l->name, "veth", 4) != 0)
		return 0;
	if ((rc = knl_link_peer(sk, l->link, l->netnsid, &peer, err)) <= 0)
		return rc;
	if (!peer.alias[0] && (peer.group & KR_BIRTH_GROUP_TAG))
		return !valid_birth_group(g, peer.group);
	return stale_tmp(g, peer.name, pod_tmp);
}

/* Stale devices of one kind: veths first, then bridges, then VRFs (the reverse of ADD). */
static int collect_kind(struct gc *g, struct knl_sock *sk, const struct knl_link_entry *links,
			size_t n, const char *kind, struct cni_error *err)
{
	int rc;
	for (size_t i = 0; i < n; i++) {
		struct kr_alias a;

		if (strcmp(links[i].kind, kind) != 0)
			continue;
		if ((rc = stale_unnamed(g, sk, &links[i], err)) < 0)
			return rc;
		if (rc) {
			if ((rc = knl_link_del(sk, links[i].name, err)) < 0)
				return rc;
			continue;
		}
		if (!kr_alias_parse(links[i].alias, &a) || !same_network(&a, g->conf.netname))
			continue;
		if (is_valid(g, a.hash)) {
			g->kept++;
			continue;
		}
		if ((rc = knl_link_del(sk, links[i].name, err)) < 0)
			return rc;
	}
	return 0;
}

static int collect_devices(struct gc *g, struct cni_error *err)
{
	int rc;
	static const char *const kinds[] = {"veth", "bridge", "vrf"};
	cleanup_knl struct knl_sock *sk = NULL;
	cleanup_free struct knl_link_entry *links = NULL;
	size_t n = 0;

	if ((rc = knl_open(&sk, err)) < 0 || (rc = knl_link_list(sk, &links, &n, err)) < 0)
		return rc;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if ((rc = collect_kind(g, sk, links, n, kinds[k], err)) < 0)
			return rc;
	/* Spares above the cap go; so do the VRF spares of a network without attachments. */
	if ((rc = kr_spares_trim(sk, &g->conf, !g->kept, err)) < 0)
		return rc;
	return kr_table_recount(sk, &g->conf, err);
}

int kr_cmd_gc(struct cni_ctx *ctx, struct cni_error *err)
{
	struct gc g = {.ctx = ctx};
	int rc = 0;

	if ((rc = kr_conf_load(ctx, false, &g.conf, err)) < 0)
		return rc;
	if (ctx->conf.has_valid_attachments &&
	    (valid_hashes(&g, err) < 0 || collect_devices(&g, err) < 0))
		rc = -1;
	free(g.valid);
	if (rc == 0 && g.conf.use_ipam)
		rc = cni_ipam_exec(ctx, CNI_CMD_GC, NULL, err);
	return rc;
}
