/* libcni's result cache, in its format and directory, so that what containerd,
 * cnitool or any libcni runtime cached, kractl can CHECK and DEL, and the other
 * way round (libcni 1.1.2, api.go: cachedInfo, getCacheFilePath):
 *
 *   <cacheDir>/results/<networkName>-<containerID>-<ifName>   (dir 0700, file 0600)
 *   {"kind":"cniCacheV1","containerId":"...","config":"<base64 of the config bytes>",
 *    "ifName":"...","networkName":"...","cniArgs":[["K","V"],...],
 *    "capabilityArgs":{...},"result":{...},"netns":"..."}
 *
 * cniArgs and capabilityArgs are left out when empty, as Go's omitempty does.
 * "netns" is what libcni 1.2 adds (1.1.2 ignores it); it lets GC and kractl find
 * a pod's namespace again. The default cacheDir is /var/lib/cni. */
#ifndef CNI_CACHE_H
#define CNI_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "cleanup.h"
#include "error.h"

#define CNI_CACHE_DEFAULT_DIR "/var/lib/cni"
#define CNI_CACHE_KIND	      "cniCacheV1"

struct cni_cache_entry {
	char *path;  /* the file */
	cJSON *root; /* owned; the pointers below point into it */
	const char *container_id, *ifname, *network;
	const char *netns; /* NULL when the writer did not record it (libcni 1.1) */
	char *config;	   /* the decoded config bytes (owned, NUL-terminated) */
	size_t config_len;
	const cJSON *cni_args;	      /* array of [K, V] or NULL */
	const cJSON *capability_args; /* object or NULL */
	const cJSON *result;	      /* object or NULL */
};

void cni_cache_entry_free(struct cni_cache_entry *e);
static inline void cni_cache_entry_freep(struct cni_cache_entry *e)
{
	cni_cache_entry_free(e);
}
#define cleanup_cache_entry _cleanup_(cni_cache_entry_freep)

/* The cached cniArgs as CNI_ARGS, "K=V;K=V" (malloc'd, "" for none; NULL on OOM). */
char *cni_cache_args(const struct cni_cache_entry *e);

/* The file of an attachment (malloc'd). All three names must be non-empty. */
int cni_cache_path(const char *dir, const char *network, const char *container_id,
		   const char *ifname, char **out, struct cni_error *err);

/* Parse one cache file. Returns 1 when read, 0 when it does not exist. A file
 * that is not a cniCacheV1 entry is CNI_ERR_DECODE. */
int cni_cache_load(const char *path, struct cni_cache_entry *e, struct cni_error *err);

/* The entry of an attachment: 1 when found, 0 when there is none. An entry
 * whose content names another container, interface or network than its file
 * name (two names can join to the same file name) is CNI_ERR_UNKNOWN_CONTAINER. */
int cni_cache_read(const char *dir, const char *network, const char *container_id,
		   const char *ifname, struct cni_cache_entry *e, struct cni_error *err);

struct cni_cache_record {
	const char *network, *container_id, *ifname, *netns; /* netns may be NULL */
	const char *config;				     /* bytes as loaded */
	size_t config_len;
	const char *cni_args;	      /* raw CNI_ARGS, may be NULL or empty */
	const cJSON *capability_args; /* may be NULL */
	const cJSON *result;	      /* the final result, in the list's version */
};

/* Write (atomically) the entry of an attachment after a successful ADD. */
int cni_cache_write(const char *dir, const struct cni_cache_record *rec, struct cni_error *err);
/* Remove it; succeeds when it is already gone. */
int cni_cache_remove(const char *dir, const char *network, const char *container_id,
		     const char *ifname, struct cni_error *err);

/* Call fn for every readable entry under <dir>/results (unreadable or foreign
 * files are skipped). fn returning non-zero stops the walk with that value. */
typedef int (*cni_cache_visit)(const struct cni_cache_entry *e, void *data);
int cni_cache_walk(const char *dir, cni_cache_visit fn, void *data, struct cni_error *err);

#endif
