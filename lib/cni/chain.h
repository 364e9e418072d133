/* Running a network's plugin list as libcni does (libcni 1.1.2 AddNetworkList,
 * CheckNetworkList, DelNetworkList; STATUS and GC as libcni 1.2 and the 1.1.0
 * spec describe them), for a runtime of our own (kractl):
 *
 * - each plugin gets its own object with the list's "name" and "cniVersion",
 *   "prevResult" when there is one, and "runtimeConfig" holding the capability
 *   arguments it declares in "capabilities" (any other key of the capability
 *   arguments is not passed, as in libcni; a declared one replaces the object);
 * - ADD runs the plugins in order, each with the previous one's result as
 *   prevResult (converted to the list's version), and caches the last result in
 *   libcni's cache (cache.h); nothing is undone on failure: the runtime DELs;
 * - CHECK (0.4.0 and later; skipped with "disableCheck") runs them in order with
 *   the cached result as prevResult; DEL in reverse (the cached result from
 *   0.4.0 on), then forgets the cache entry;
 * - STATUS runs each in order, GC DELs every cached attachment of the network
 *   that is not valid, then (1.1.0 and later) sends each plugin GC with
 *   "cni.dev/valid-attachments". Below 1.1.0 both do nothing (libcni 1.2).
 * The plugins see CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS
 * and CNI_PATH, set in this process's environment (the caller is a single-
 * threaded command-line program). */
#ifndef CNI_CHAIN_H
#define CNI_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "cleanup.h"
#include "env.h"
#include "error.h"
#include "result.h"

/* A network configuration list, or a single network config run as a list of one. */
struct cni_netlist {
	cJSON *root; /* the parsed file (the config itself for a single one) */
	char *bytes; /* the file's bytes, as libcni caches them */
	size_t len;
	char *source; /* where it came from (a file name), for messages */
	const char *name, *cni_version;
	bool single;
	bool disable_check;
	size_t n_plugins;
};

void cni_netlist_free(struct cni_netlist *nl);
static inline void cni_netlist_freep(struct cni_netlist *nl)
{
	cni_netlist_free(nl);
}
#define cleanup_netlist _cleanup_(cni_netlist_freep)

/* Parse a conflist, or a single config (no "plugins" key). Names, types and
 * cniVersion are checked as the plugins check them (code 7, code 1). */
int cni_netlist_parse(const char *data, size_t len, const char *source, struct cni_netlist *nl,
		      struct cni_error *err);
int cni_netlist_load_file(const char *path, struct cni_netlist *nl, struct cni_error *err);
/* libcni's LoadConfList: the first *.conflist of dir (sorted by name) whose
 * "name" is name, else the first *.conf or *.json. Not found: -ENOENT with
 * CNI_ERR_INVALID_CONFIG, the message naming files that did not parse. */
int cni_netlist_find(const char *dir, const char *name, struct cni_netlist *nl,
		     struct cni_error *err);
/* The i-th plugin's object. */
const cJSON *cni_netlist_plugin(const struct cni_netlist *nl, size_t i);

/* One call on a list: what the runtime passes, and where it failed. */
struct cni_chain {
	const char *container_id, *netns, *ifname, *path;
	const char *args;      /* CNI_ARGS, may be NULL */
	const cJSON *cap_args; /* capability arguments (object), may be NULL */
	const char *cache_dir; /* NULL: CNI_CACHE_DEFAULT_DIR */
	const cJSON *valid;    /* GC: [{"containerID","ifname"}]; NULL: none valid */
	/* out */
	size_t failed; /* 1-based index of the plugin that failed; 0: none */
	const char *failed_type;
	bool cache_found;  /* CHECK/DEL had a cached result */
	bool skipped;	   /* the version does not have the command (or disableCheck) */
	size_t gc_deleted; /* GC: cached attachments DEL'd */
};

/* ADD: *out is the last plugin's result in the list's version (NULL allowed). */
int cni_chain_add(const struct cni_netlist *nl, struct cni_chain *c, struct cni_result **out,
		  struct cni_error *err);
int cni_chain_check(const struct cni_netlist *nl, struct cni_chain *c, struct cni_error *err);
int cni_chain_del(const struct cni_netlist *nl, struct cni_chain *c, struct cni_error *err);
int cni_chain_status(const struct cni_netlist *nl, struct cni_chain *c, struct cni_error *err);
int cni_chain_gc(const struct cni_netlist *nl, struct cni_chain *c, struct cni_error *err);

#endif
