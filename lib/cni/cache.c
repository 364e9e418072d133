#include "cache.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "cleanup.h"
#include "env.h"
#include "json.h"
#include "statefile.h"

#define CACHE_MAX (4u << 20)

void cni_cache_entry_free(struct cni_cache_entry *e)
{
	free(e->path);
	free(e->config);
	cJSON_Delete(e->root);
	memset(e, 0, sizeof(*e));
}

static const char *pair_item(const cJSON *pair, int i)
{
	const char *v = cJSON_GetStringValue(cJSON_GetArrayItem(pair, i));

	return v ? v : "";
}

char *cni_cache_args(const struct cni_cache_entry *e)
{
	size_t size = 1, n;
	const cJSON *p;
	char *s;

	cJSON_ArrayForEach(p, e->cni_args) size +=
	    2 + strlen(pair_item(p, 0)) + strlen(pair_item(p, 1));
	if (!(s = calloc(1, size)))
		return NULL;
	cJSON_ArrayForEach(p, e->cni_args)
	{
		if (!*pair_item(p, 0))
			continue;
		n = strlen(s);
		snprintf(s + n, size - n, "%s%s=%s", n ? ";" : "", pair_item(p, 0),
			 pair_item(p, 1));
	}
	return s;
}

int cni_cache_path(const char *dir, const char *network, const char *container_id,
		   const char *ifname, char **out, struct cni_error *err)
{
	*out = NULL;
	if (!network || !*network || !container_id || !*container_id || !ifname || !*ifname)
		return cni_err(err, CNI_ERR_INVALID_ENV,
			       "the cache file path needs a network name, a container ID and an "
			       "interface name");
	if (asprintf(out, "%s/results/%s-%s-%s", dir && *dir ? dir : CNI_CACHE_DEFAULT_DIR, network,
		     container_id, ifname) < 0) {
		*out = NULL;
		return cni_err(err, CNI_ERR_IO, "out of memory");
	}
	return 0;
}

static int bad_entry(const char *path, const char *why, struct cni_error *err)
{
	cni_err(err, CNI_ERR_DECODE, "cache file %s is not a libcni cache entry: %s", path, why);
	return cni_err_details(err, "remove it if nothing uses it, or point --cache-dir elsewhere");
}

static int parse_entry(const char *path, const char *text, size_t len, struct cni_cache_entry *e,
		       struct cni_error *err)
{
	const char *kind = NULL, *config = NULL;

	if (!(e->root = cJSON_ParseWithLength(text, len)) || !cJSON_IsObject(e->root))
		return bad_entry(path, "not a JSON object", err);
	if (cni_json_string(e->root, "kind", true, &kind, "cache", err) < 0 ||
	    cni_json_string(e->root, "containerId", true, &e->container_id, "cache", err) < 0 ||
	    cni_json_string(e->root, "ifName", true, &e->ifname, "cache", err) < 0 ||
	    cni_json_string(e->root, "networkName", true, &e->network, "cache", err) < 0 ||
	    cni_json_string(e->root, "netns", false, &e->netns, "cache", err) < 0 ||
	    cni_json_string(e->root, "config", false, &config, "cache", err) < 0 ||
	    cni_json_array(e->root, "cniArgs", false, &e->cni_args, "cache", err) < 0 ||
	    cni_json_object(e->root, "capabilityArgs", false, &e->capability_args, "cache", err) <
		0 ||
	    cni_json_object(e->root, "result", false, &e->result, "cache", err) < 0)
		return bad_entry(path, err->msg, err);
	if (strcmp(kind, CNI_CACHE_KIND) != 0)
		return bad_entry(path, "kind is not " CNI_CACHE_KIND, err);
	if (config && cni_base64_decode(config, &e->config, &e->config_len, err) < 0)
		return bad_entry(path, "config is not base64", err);
	return 0;
}

int cni_cache_load(const char *path, struct cni_cache_entry *e, struct cni_error *err)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	int r;

	memset(e, 0, sizeof(*e));
	if (!path)
		return cni_err(err, CNI_ERR_INVALID_ENV, "no cache file");
	if ((r = cni_file_read(path, CACHE_MAX, &text, &len, err)) <= 0)
		return r;
	if (!(e->path = strdup(path)))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	if ((r = parse_entry(path, text, len, e, err)) < 0) {
		cni_cache_entry_free(e);
		return r;
	}
	return 1;
}

int cni_cache_read(const char *dir, const char *network, const char *container_id,
		   const char *ifname, struct cni_cache_entry *e, struct cni_error *err)
{
	cleanup_free char *path = NULL;
	int r;

	memset(e, 0, sizeof(*e));
	if ((r = cni_cache_path(dir, network, container_id, ifname, &path, err)) < 0 ||
	    (r = cni_cache_load(path, e, err)) <= 0)
		return r;
	if (strcmp(e->container_id, container_id) == 0 && strcmp(e->ifname, ifname) == 0 &&
	    strcmp(e->network, network) == 0)
		return 1;
	cni_err(err, CNI_ERR_UNKNOWN_CONTAINER,
		"cache file %s belongs to container %.256s, interface %.16s of network %.253s, "
		"not to container %.256s, interface %.16s of network %.253s",
		path, e->container_id, e->ifname, e->network, container_id, ifname, network);
	cni_cache_entry_free(e);
	return cni_err_details(err, "the names join to the same file name: use another "
				    "container ID or network name, or another --cache-dir");
}

/* [["K","V"],...] from "K=V;K=V", or NULL for none (omitempty). */
static int args_json(const char *raw, cJSON **out, struct cni_error *err)
{
	struct cni_arg *args = NULL;
	size_t n = 0;
	int rc;
	cJSON *arr;

	*out = NULL;
	if ((rc = cni_args_parse(raw, &args, &n, err)) < 0 || n == 0)
		return rc;
	if (!(arr = cJSON_CreateArray()))
		goto oom;
	*out = arr;
	for (size_t i = 0; i < n; i++) {
		const char *kv[2] = {args[i].key, args[i].value};
		cJSON *pair = cJSON_CreateStringArray(kv, 2);

		if (!pair || !cJSON_AddItemToArray(arr, pair)) {
			cJSON_Delete(pair);
			goto oom;
		}
	}
	cni_args_free(args, n);
	return 0;
oom:
	cni_args_free(args, n);
	return cni_err(err, CNI_ERR_IO, "out of memory");
}

static int record_json(const struct cni_cache_record *rec, cJSON **out, struct cni_error *err)
{
	cleanup_json cJSON *o = cJSON_CreateObject();
	cleanup_free char *b64 = cni_base64_encode(rec->config, rec->config_len);
	cJSON *args = NULL;
	int rc;

	*out = NULL;
	if (!o || !b64 || !cJSON_AddStringToObject(o, "kind", CNI_CACHE_KIND) ||
	    !cJSON_AddStringToObject(o, "containerId", rec->container_id) ||
	    !cJSON_AddStringToObject(o, "config", b64) ||
	    !cJSON_AddStringToObject(o, "ifName", rec->ifname) ||
	    !cJSON_AddStringToObject(o, "networkName", rec->network))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	if ((rc = args_json(rec->cni_args, &args, err)) < 0)
		return rc;
	if (args && !cJSON_AddItemToObject(o, "cniArgs", args)) {
		cJSON_Delete(args);
		return cni_err(err, CNI_ERR_IO, "out of memory");
	}
	if ((rec->capability_args && cJSON_GetArraySize(rec->capability_args) > 0 &&
	     !cJSON_AddItemToObject(o, "capabilityArgs",
				    cJSON_Duplicate(rec->capability_args, 1))) ||
	    (rec->result && !cJSON_AddItemToObject(o, "result", cJSON_Duplicate(rec->result, 1))) ||
	    (rec->netns && *rec->netns && !cJSON_AddStringToObject(o, "netns", rec->netns)))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	*out = steal_ptr(o);
	return 0;
}

int cni_cache_write(const char *dir, const struct cni_cache_record *rec, struct cni_error *err)
{
	cleanup_free char *path = NULL;
	cleanup_free char *text = NULL;
	cleanup_json cJSON *o = NULL;
	char *slash;
	int rc;

	if ((rc = cni_cache_path(dir, rec->network, rec->container_id, rec->ifname, &path, err)) <
		0 ||
	    (rc = record_json(rec, &o, err)) < 0)
		return rc;
	if (!(text = cJSON_PrintUnformatted(o)))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	if (!path || !(slash = strrchr(path, '/')))
		return cni_err(err, CNI_ERR_IO, "no cache file");
	*slash = '\0';
	if (cni_mkdir_p(path, 0700, err) < 0)
		return cni_err_prefix(err, "libcni cache");
	*slash = '/';
	return cni_file_write_atomic(path, text, strlen(text), 0600, err);
}

int cni_cache_remove(const char *dir, const char *network, const char *container_id,
		     const char *ifname, struct cni_error *err)
{
	cleanup_free char *path = NULL;
	int rc;

	if ((rc = cni_cache_path(dir, network, container_id, ifname, &path, err)) < 0)
		return rc;
	return cni_file_remove(path, err);
}

int cni_cache_walk(const char *dir, cni_cache_visit fn, void *data, struct cni_error *err)
{
	cleanup_free char *results = NULL;
	cleanup_dir DIR *d = NULL;
	struct dirent *ent;

	if (asprintf(&results, "%s/results", dir && *dir ? dir : CNI_CACHE_DEFAULT_DIR) < 0) {
		results = NULL;
		return cni_err(err, CNI_ERR_IO, "out of memory");
	}
	if (!(d = opendir(results)))
		return errno == ENOENT
			   ? 0
			   : cni_err_errno(err, CNI_ERR_IO, errno, "read directory %s", results);
	while ((ent = readdir(d))) {
		cleanup_cache_entry struct cni_cache_entry e = {0};
		cleanup_free char *path = NULL;
		struct cni_error ignored = CNI_ERROR_INIT;
		int r;

		if (ent->d_name[0] == '.' || strstr(ent->d_name, ".tmp."))
			continue;
		if (asprintf(&path, "%s/%s", results, ent->d_name) < 0) {
			path = NULL;
			return cni_err(err, CNI_ERR_IO, "out of memory");
		}
		if (cni_cache_load(path, &e, &ignored) <= 0)
			continue;
		if ((r = fn(&e, data)) != 0)
			return r;
	}
	return 0;
}
