/* add, check, del, status, gc: a network's plugin list run as libcni runs it. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cni/cache.h"
#include "cni/cleanup.h"
#include "cni/hash.h"
#include "cni/json.h"
#include "kractl.h"

int kc_load_network(struct kc_opts *o, const char *what, struct cni_netlist *nl,
		    struct cni_error *err)
{
	int rc;

	if (strchr(what, '/') || access(what, F_OK) == 0) {
		if ((rc = cni_netlist_load_file(what, nl, err)) < 0)
			kc_hint(o,
				rc == -ENOENT ? "give an existing file, or a network name found "
						"in --conf-dir (NETCONFPATH)"
					      : "fix %s: kractl runs what libcni would accept",
				what);
		return rc;
	}
	if ((rc = cni_netlist_find(o->conf_dir, what, nl, err)) < 0)
		kc_hint(o,
			"the networks are the \"name\"s of %s/*.conflist, *.conf and *.json; "
			"or give the config file's path",
			o->conf_dir);
	return rc;
}

void kc_chain_init(const struct kc_opts *o, struct cni_chain *c)
{
	memset(c, 0, sizeof(*c));
	c->container_id = o->id;
	c->netns = o->netns;
	c->ifname = o->ifname;
	c->path = o->path;
	c->args = o->args;
	c->cap_args = o->caps;
	c->cache_dir = o->cache_dir;
	c->valid = o->valid;
}

/* The netns (positional or --netns) and the container ID (--id, else one
 * derived from the netns path, as cnitool derives its own). */
static int pod_args(struct kc_opts *o, bool need_netns, char **netns, char **id,
		    struct cni_error *err)
{
	const char *arg = o->n_pos > 1 ? o->pos[1] : o->netns;
	int rc;

	if (arg && (rc = kc_netns_path(arg, netns, err)) < 0)
		return rc;
	if (need_netns && !*netns) {
		kc_hint(o, "kractl %s NETWORK NETNS (a path, a pid or a name in /run/netns)",
			o->cmd);
		return cni_err(err, CNI_ERR_INVALID_ENV, "%s needs the pod's network namespace",
			       o->cmd);
	}
	if (need_netns && (rc = kc_netns_exists(*netns, err)) < 0) {
		kc_hint(o, "the pod is gone or the netns is wrong; DEL works without a netns: "
			   "kractl del NETWORK --id ID");
		return rc;
	}
	if (!o->id && !*netns) {
		kc_hint(o, "name the attachment with --id (and --ifname), or give its netns");
		return cni_err(err, CNI_ERR_INVALID_ENV, "%s needs a container ID or a netns",
			       o->cmd);
	}
	if (!o->id && asprintf(id, "kractl-%016" PRIx64, cni_fnv64a_str(*netns)) < 0) {
		*id = NULL;
		return cni_err(err, CNI_ERR_IO, "out of memory");
	}
	o->netns = *netns;
	o->id = o->id ? o->id : *id;
	return 0;
}

/* What add, check and del start with: the network's conflist, the pod's netns
 * and container ID settled, the chain ready to run. */
static int chain_setup(struct kc_opts *o, bool need_netns, struct cni_netlist *nl, char **netns,
		       char **id, struct cni_chain *c, struct cni_error *err)
{
	int rc;

	if ((rc = kc_load_network(o, o->pos[0], nl, err)) < 0 ||
	    (rc = pod_args(o, need_netns, netns, id, err)) < 0)
		return rc;
	kc_chain_init(o, c);
	return 0;
}

int kc_cmd_add(struct kc_opts *o, struct cni_error *err)
{
	cleanup_netlist struct cni_netlist nl = {0};
	cleanup_free char *netns = NULL, *id = NULL, *text = NULL;
	cleanup_result struct cni_result *r = NULL;
	cleanup_json cJSON *j = NULL;
	struct cni_chain c;
	int rc;

	if ((rc = chain_setup(o, true, &nl, &netns, &id, &c, err)) < 0)
		return rc;
	if ((rc = cni_chain_add(&nl, &c, &r, err)) < 0) {
		kc_explain(o, &nl, &c, err);
		return rc;
	}
	if (!(j = cni_result_to_json(r, nl.cni_version, err)))
		return -err->errnum;
	if (!(text = cJSON_Print(j)))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	printf("%s\n", text);
	return 0;
}

int kc_cmd_check(struct kc_opts *o, struct cni_error *err)
{
	cleanup_netlist struct cni_netlist nl = {0};
	cleanup_free char *netns = NULL, *id = NULL;
	struct cni_chain c;
	int rc;

	if ((rc = chain_setup(o, true, &nl, &netns, &id, &c, err)) < 0)
		return rc;
	if ((rc = cni_chain_check(&nl, &c, err)) < 0) {
		kc_explain(o, &nl, &c, err);
		if (err->code == CNI_ERR_INCOMPATIBLE_VERSION && !c.failed_type)
			kc_hint(o, "CHECK needs cniVersion 0.4.0 or later in %s", nl.source);
		return rc;
	}
	if (c.skipped)
		fprintf(stderr, "kractl: %s has \"disableCheck\": CHECK skipped\n", nl.source);
	else if (!c.cache_found)
		fprintf(stderr,
			"kractl: no cached result for %s/%s/%s: CHECK ran without "
			"prevResult\n",
			nl.name, o->id, o->ifname);
	return 0;
}

int kc_cmd_del(struct kc_opts *o, struct cni_error *err)
{
	cleanup_netlist struct cni_netlist nl = {0};
	cleanup_free char *netns = NULL, *id = NULL;
	struct cni_chain c;
	int rc;

	if ((rc = chain_setup(o, false, &nl, &netns, &id, &c, err)) < 0)
		return rc;
	if ((rc = cni_chain_del(&nl, &c, err)) < 0) {
		kc_explain(o, &nl, &c, err);
		if (err->code == CNI_ERR_UNKNOWN_CONTAINER && !c.failed_type)
			kc_hint(o, "the cache entry is another attachment's: check --id, --ifname "
				   "and the network, or use another --cache-dir");
		return rc;
	}
	return 0;
}

int kc_cmd_status(struct kc_opts *o, struct cni_error *err)
{
	cleanup_netlist struct cni_netlist nl = {0};
	struct cni_chain c;
	int rc;

	if ((rc = kc_load_network(o, o->pos[0], &nl, err)) < 0)
		return rc;
	kc_chain_init(o, &c);
	if ((rc = cni_chain_status(&nl, &c, err)) < 0) {
		kc_explain(o, &nl, &c, err);
		return rc;
	}
	if (c.skipped)
		printf("network %s: cniVersion %s has no STATUS (1.1.0 and later): assumed "
		       "available\n",
		       nl.name, nl.cni_version);
	else
		printf("network %s: available (%zu plugins answered STATUS)\n", nl.name,
		       nl.n_plugins);
	return 0;
}

struct cached_valid {
	const char *network;
	cJSON *valid;
};

static int add_cached(const struct cni_cache_entry *e, void *data)
{
	struct cached_valid *v = data;
	cJSON *a;

	if (strcmp(e->network, v->network) != 0)
		return 0;
	if (!(a = cJSON_CreateObject()) || !cJSON_AddItemToArray(v->valid, a) ||
	    !cJSON_AddStringToObject(a, "containerID", e->container_id) ||
	    !cJSON_AddStringToObject(a, "ifname", e->ifname))
		return -ENOMEM;
	return 0;
}

/* Without --valid: every attachment the cache holds for the network is valid,
 * so GC reclaims only what plugins hold without a runtime knowing of it. */
static int default_valid(struct kc_opts *o, const char *network, struct cni_error *err)
{
	struct cached_valid v = {network, cJSON_CreateArray()};
	int rc;

	if (!v.valid)
		return cni_err(err, CNI_ERR_IO, "out of memory");
	o->valid = v.valid;
	if ((rc = cni_cache_walk(o->cache_dir, add_cached, &v, err)) == -ENOMEM)
		return cni_err(err, CNI_ERR_IO, "out of memory");
	return rc;
}

int kc_cmd_gc(struct kc_opts *o, struct cni_error *err)
{
	cleanup_netlist struct cni_netlist nl = {0};
	struct cni_chain c;
	int rc;

	if ((rc = kc_load_network(o, o->pos[0], &nl, err)) < 0 ||
	    (!o->valid && (rc = default_valid(o, nl.name, err)) < 0))
		return rc;
	kc_chain_init(o, &c);
	rc = cni_chain_gc(&nl, &c, err);
	printf("network %s: %zu stale cached attachment(s) deleted; %s\n", nl.name, c.gc_deleted,
	       c.skipped ? "no GC below cniVersion 1.1.0" : "GC sent to every plugin");
	if (rc < 0)
		kc_explain(o, &nl, &c, err);
	return rc;
}
