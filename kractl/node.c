/* The node's krafty attachments, read once for ls and gc: two kernel dumps
 * (links, routes of every table), host-local's and tuning-lite's state dirs
 * and libcni's cache, joined by the attachment's hash (kr_ident_hash). */
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../ipam/host-local/addrname.h"
#include "../ipam/host-local/store.h"
#include "cni/cache.h"
#include "cni/cleanup.h"
#include "kractl.h"

void kc_node_free(struct kc_node *nd)
{
	kc_sources_free(&nd->src);
	free(nd->links.v);
	free(nd->routes.v);
	free(nd->atts.v);
	free(nd->temps.v);
	memset(nd, 0, sizeof(*nd));
}

static bool wanted(const struct kc_node *nd, const char *net)
{
	return !nd->only_net || strcmp(nd->only_net, net) == 0;
}

/* The attachment (found or added); NULL when out of memory. */
static struct kc_att *att_get(struct kc_node *nd, const char *id, const char *net,
			      const char *ifname, uint64_t hash)
{
	struct kc_att *v = nd->atts.v, *a;

	for (size_t i = 0; i < nd->atts.n; i++)
		if (v[i].hash == hash)
			return &v[i];
	if (!(a = CNI_ARRAY_PUSH(&nd->atts, struct kc_att, 0, "attachments", NULL)))
		return NULL;
	snprintf(a->id, sizeof(a->id), "%s", id);
	snprintf(a->net, sizeof(a->net), "%s", net);
	snprintf(a->ifname, sizeof(a->ifname), "%s", ifname);
	a->hash = hash;
	a->netnsid = -1;
	a->netns_state = -1;
	return a;
}

static bool is_temp_name(const char *name)
{
	return strlen(name) == 15 && strncmp(name, "kt", 2) == 0 && strchr("vbh", name[2]) &&
	       strspn(name + 3, "0123456789abcdef") == 12;
}

static int from_link(struct kc_node *nd, const struct knl_link_entry *l)
{
	struct kr_alias al;
	struct kc_att *a;
	int dev;

	if (is_temp_name(l->name))
		return CNI_ARRAY_PUSH(&nd->temps, struct knl_link_entry, 0, "links", NULL)
			   ? (*((struct knl_link_entry *)nd->temps.v + nd->temps.n - 1) = *l, 0)
			   : -ENOMEM;
	if (strncmp(l->alias, KR_SPARE_ALIAS, strlen(KR_SPARE_ALIAS)) == 0 ||
	    !kr_alias_parse(l->alias, &al) || !wanted(nd, al.netname))
		return 0;
	dev = strcmp(l->kind, "vrf") == 0      ? KR_DEV_VRF
	      : strcmp(l->kind, "bridge") == 0 ? KR_DEV_BRIDGE
	      : strcmp(l->kind, "veth") == 0   ? KR_DEV_VETH
					       : -1;
	if (dev < 0)
		return 0;
	if (!(a = att_get(nd, al.container_id, al.netname, al.ifname, al.hash)))
		return -ENOMEM;
	a->net_cut = al.net_cut;
	snprintf(a->dev[dev], sizeof(a->dev[dev]), "%s", l->name);
	a->ifindex[dev] = l->index;
	if (dev == KR_DEV_VRF)
		a->table = l->vrf_table;
	if (dev == KR_DEV_VETH)
		a->netnsid = l->netnsid;
	return 0;
}

/* Host routes through an attachment's bridge are its pod addresses. */
static void from_route(struct kc_node *nd, const struct knl_route *r)
{
	struct kc_att *v = nd->atts.v;

	if (r->type != RTN_UNICAST || !r->oif)
		return;
	for (size_t i = 0; i < nd->atts.n; i++)
		if (v[i].ifindex[KR_DEV_BRIDGE] == r->oif && v[i].n_addr < KC_MAX_HELD)
			v[i].addr[v[i].n_addr++] = r->dst;
}

static int from_kernel(struct kc_node *nd, struct cni_error *err)
{
	int rc;

	if ((rc = kc_dump_node(&nd->links, &nd->routes, err)) < 0)
		return rc;
	for (size_t i = 0; i < nd->links.n; i++)
		if (from_link(nd, (struct knl_link_entry *)nd->links.v + i) < 0)
			return cni_err(err, CNI_ERR_IO, "out of memory");
	for (size_t i = 0; i < nd->routes.n; i++)
		from_route(nd, (struct knl_route *)nd->routes.v + i);
	return 0;
}

static bool is_krafty_net(const struct kc_node *nd, const char *net)
{
	char **v = nd->src.nets.v;
	const struct kc_att *a = nd->atts.v;

	for (size_t i = 0; i < nd->src.nets.n; i++)
		if (strcmp(v[i], net) == 0)
			return true;
	for (size_t i = 0; i < nd->atts.n; i++)
		if (strcmp(a[i].net, net) == 0)
			return true;
	return false;
}

/* One network directory of host-local (its lock held while read). */
static int ipam_net(struct kc_node *nd, const char *dir, const char *net, struct cni_error *err)
{
	cleanup_store struct hl_store st = HL_STORE_INIT;
	cleanup_holdings struct hl_holdings hs = {0};
	bool missing = false;
	char name[CNI_IP_STRLEN];
	struct stat sb;
	int rc;

	if ((rc = hl_store_open(&st, dir, net, false, &missing, err)) < 0 || missing ||
	    (rc = hl_store_scan(&st, &hs, err)) < 0)
		return rc;
	for (size_t i = 0; i < hs.n; i++) {
		const struct hl_holding *h = &hs.v[i];
		struct kc_att *a;

		if (!h->ifname)
			continue; /* a legacy file names no interface: not krafty's */
		if (!(a = att_get(nd, h->id, net, h->ifname, kr_ident_hash(h->id, net, h->ifname))))
			return cni_err(err, CNI_ERR_IO, "out of memory");
		if (a->n_held < KC_MAX_HELD)
			a->held[a->n_held++] = h->ip;
		a->held_dir = dir;
		hl_ip_name(&h->ip, name);
		if (fstatat(st.dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (a->held_age == 0 || time(NULL) - sb.st_mtime < a->held_age))
			a->held_age = (long)(time(NULL) - sb.st_mtime) + 1;
	}
	return 0;
}

/* tuning-lite: <dataDir>/<network>/<containerID>:<ifname>.json */
static int tuning_net(struct kc_node *nd, const char *dir, const char *net, struct cni_error *err)
{
	char path[3800];
	cleanup_dir DIR *d = NULL;
	struct dirent *e;

	snprintf(path, sizeof(path), "%s/%s", dir, net);
	d = opendir(path);
	while (d && (e = readdir(d))) {
		char id[KR_ALIAS_MAX], *colon, *ext;
		struct kc_att *a;

		snprintf(id, sizeof(id), "%s", e->d_name);
		if (!(colon = strrchr(id, ':')) || !(ext = strstr(colon, ".json")) || ext[5])
			continue;
		*colon = *ext = '\0';
		if (!(a = att_get(nd, id, net, colon + 1, kr_ident_hash(id, net, colon + 1))))
			return cni_err(err, CNI_ERR_IO, "out of memory");
		if (snprintf(a->tuning, sizeof(a->tuning), "%.3800s/%s", path, e->d_name) < 0)
			a->tuning[0] = '\0';
	}
	return 0;
}

/* Each krafty network's directory in the state directories dirs (host-local's
 * dataDirs, tuning-lite's), handed to read_net. */
static int from_state_dirs(struct kc_node *nd, const struct cni_array *dirs,
			   int (*read_net)(struct kc_node *, const char *, const char *,
					   struct cni_error *),
			   struct cni_error *err)
{
	for (size_t i = 0; i < dirs->n; i++) {
		const char *dir = ((char **)dirs->v)[i];
		cleanup_dir DIR *d = opendir(dir);
		struct dirent *e;
		int rc;

		while (d && (e = readdir(d)))
			if (e->d_name[0] != '.' && wanted(nd, e->d_name) &&
			    is_krafty_net(nd, e->d_name) &&
			    (rc = read_net(nd, dir, e->d_name, err)) < 0)
				return rc;
	}
	return 0;
}

static int visit_cache(const struct cni_cache_entry *e, void *data)
{
	struct kc_node *nd = data;
	struct kc_att *a;

	if (!e->network || !e->container_id || !e->ifname || !wanted(nd, e->network) ||
	    !is_krafty_net(nd, e->network))
		return 0;
	if (!(a = att_get(nd, e->container_id, e->network, e->ifname,
			  kr_ident_hash(e->container_id, e->network, e->ifname))))
		return -ENOMEM;
	a->cached = true;
	snprintf(a->netns, sizeof(a->netns), "%s", e->netns ? e->netns : "");
	return 0;
}

/* The netns: a host veth has its peer (veth pairs die together); else the
 * cache's path; else a completed ADD (a host route) without a veth: gone. */
static void netns_state(struct kc_att *a)
{
	struct stat sb;

	if (a->dev[KR_DEV_VETH][0])
		a->netns_state = 1;
	else if (a->netns[0])
		a->netns_state = stat(a->netns, &sb) == 0;
	else if (a->n_addr && a->dev[KR_DEV_BRIDGE][0])
		a->netns_state = 0;
}

static void classify(const struct kc_node *nd, struct kc_att *a)
{
	bool devs = a->dev[KR_DEV_VRF][0] || a->dev[KR_DEV_BRIDGE][0] || a->dev[KR_DEV_VETH][0];

	netns_state(a);
	if (!devs) {
		a->state = a->n_held ? "address held without devices" : "state without devices";
		a->orphan = a->netns_state != 1 && (!a->n_held || a->held_age > nd->min_age);
	} else if (a->netns_state == 0) {
		a->state = "netns gone";
		a->orphan = true;
	} else if (!a->dev[KR_DEV_VETH][0] || !a->dev[KR_DEV_BRIDGE][0]) {
		a->state = "partial";
	} else if (!a->n_addr && !a->n_held) {
		a->state = "devices without an address";
	} else {
		a->state = "ok";
	}
	if (a->net_cut) /* the alias lost the ID: never collected */
		a->orphan = false;
}

static int by_name(const void *x, const void *y)
{
	const struct kc_att *a = x, *b = y;
	int c = strcmp(a->net, b->net);

	return c ? c : (c = strcmp(a->id, b->id)) ? c : strcmp(a->ifname, b->ifname);
}

int kc_node_read(const struct kc_opts *o, struct kc_node *nd, struct cni_error *err)
{
	const char *cache = o->cache_dir ? o->cache_dir : CNI_CACHE_DEFAULT_DIR;
	int rc;

	nd->only_net = o->network;
	nd->min_age = o->min_age;
	if ((rc = kc_sources_find(o, &nd->src, err)) < 0 || (rc = from_kernel(nd, err)) < 0 ||
	    (rc = from_state_dirs(nd, &nd->src.ipam, ipam_net, err)) < 0 ||
	    (rc = from_state_dirs(nd, &nd->src.data, tuning_net, err)) < 0)
		return rc;
	if ((rc = cni_cache_walk(cache, visit_cache, nd, err)) == -ENOMEM)
		return cni_err(err, CNI_ERR_IO, "out of memory");
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < nd->atts.n; i++)
		classify(nd, (struct kc_att *)nd->atts.v + i);
	if (nd->atts.n)
		qsort(nd->atts.v, nd->atts.n, sizeof(struct kc_att), by_name);
	return 0;
}
