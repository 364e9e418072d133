/* Running a plugin list (chain.h), as libcni's api.go does. */
#include "chain.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "cleanup.h"
#include "exec.h"
#include "json.h"
#include "version.h"

/* What every plugin of this call sees; libcni sets all of them, empty or not. */
static int set_env(const struct cni_chain *c, struct cni_error *err)
{
	const char *vars[][2] = {
	    {"CNI_CONTAINERID", c->container_id},
	    {"CNI_NETNS", c->netns},
	    {"CNI_IFNAME", c->ifname},
	    {"CNI_ARGS", c->args},
	    {"CNI_PATH", c->path},
	};

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (setenv(vars[i][0], vars[i][1] ? vars[i][1] : "", 1) < 0)
			return cni_err_errno(err, CNI_ERR_IO, errno, "setenv %s", vars[i][0]);
	return 0;
}

static int replace(cJSON *o, const char *key, cJSON *value)
{
	if (!value)
		return -1;
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	if (!cJSON_AddItemToObject(o, key, value)) {
		cJSON_Delete(value);
		return -1;
	}
	return 0;
}

/* runtimeConfig: the capability arguments the plugin declares (NULL: none). */
static cJSON *runtime_config(const cJSON *plugin, const cJSON *cap_args)
{
	const cJSON *caps = cJSON_GetObjectItemCaseSensitive(plugin, "capabilities"), *cap;
	cJSON *rc = NULL;

	if (!cJSON_IsObject(caps) || !cJSON_IsObject(cap_args))
		return NULL;
	cJSON_ArrayForEach(cap, caps)
	{
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(cap_args, cap->string);

		if (!cJSON_IsTrue(cap) || !v)
			continue;
		if (!rc && !(rc = cJSON_CreateObject()))
			return NULL;
		cJSON_AddItemToObject(rc, cap->string, cJSON_Duplicate(v, 1));
	}
	return rc;
}

/* The config plugin i gets on stdin (malloc'd). prev and extra may be NULL;
 * extra is GC's valid-attachments list. */
static char *plugin_conf(const struct cni_netlist *nl, size_t i, const cJSON *prev,
			 const struct cni_chain *c, const cJSON *extra)
{
	cleanup_json cJSON *o = cJSON_Duplicate(cni_netlist_plugin(nl, i), 1);
	cJSON *rc;

	if (!o || replace(o, "name", cJSON_CreateString(nl->name)) < 0 ||
	    replace(o, "cniVersion", cJSON_CreateString(nl->cni_version)) < 0 ||
	    (prev && replace(o, "prevResult", cJSON_Duplicate(prev, 1)) < 0) ||
	    (extra && replace(o, "cni.dev/valid-attachments", cJSON_Duplicate(extra, 1)) < 0))
		return NULL;
	if ((rc = runtime_config(o, c->cap_args)) && replace(o, "runtimeConfig", rc) < 0)
		return NULL;
	return cJSON_PrintUnformatted(o);
}

static const char *type_of(const struct cni_netlist *nl, size_t i)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(cni_netlist_plugin(nl, i), "type");

	return cJSON_IsString(t) ? t->valuestring : "?";
}

/* Run plugin i with cmd; its stdout in *out (may be NULL). */
static int exec_one(const struct cni_netlist *nl, size_t i, enum cni_command cmd, const cJSON *prev,
		    const cJSON *extra, struct cni_chain *c, char **out, struct cni_error *err)
{
	cleanup_free char *conf = plugin_conf(nl, i, prev, c, extra);
	cleanup_free char *stdout_buf = NULL;
	int rc;

	if (!conf)
		return cni_err(err, CNI_ERR_IO, "out of memory");
	c->failed = i + 1;
	c->failed_type = type_of(nl, i);
	if ((rc = cni_exec_plugin(c->path, c->failed_type, cmd, conf, strlen(conf), &stdout_buf,
				  err)) < 0)
		return rc;
	c->failed = 0;
	c->failed_type = NULL;
	if (out)
		*out = steal_ptr(stdout_buf);
	return 0;
}

/* A plugin's ADD output as a result in the list's version (*out owned). */
static int convert_result(const struct cni_netlist *nl, const cJSON *in, cJSON **out,
			  struct cni_error *err)
{
	cleanup_result struct cni_result *r = NULL;
	int rc;

	*out = NULL;
	if ((rc = cni_result_parse(in, nl->cni_version, &r, err)) < 0)
		return rc;
	if (!(*out = cni_result_to_json(r, nl->cni_version, err)))
		return -err->errnum;
	return 0;
}

static int add_step(const struct cni_netlist *nl, size_t i, struct cni_chain *c, cJSON **prev,
		    struct cni_error *err)
{
	cleanup_free char *out = NULL;
	cleanup_json cJSON *j = NULL;
	cJSON *next = NULL;
	int rc;

	if ((rc = exec_one(nl, i, CNI_CMD_ADD, *prev, NULL, c, &out, err)) < 0)
		return rc;
	if (!out || !(j = cJSON_Parse(out)) || convert_result(nl, j, &next, err) < 0) {
		c->failed = i + 1;
		c->failed_type = type_of(nl, i);
		if (!j)
			return cni_err(err, CNI_ERR_DECODE, "%s: ADD printed no JSON result",
				       c->failed_type);
		return cni_err_prefix(err, "%s: its ADD result", c->failed_type);
	}
	cJSON_Delete(*prev);
	*prev = next;
	return 0;
}

int cni_chain_add(const struct cni_netlist *nl, struct cni_chain *c, struct cni_result **out,
		  struct cni_error *err)
{
	cleanup_json cJSON *prev = NULL;
	struct cni_cache_record rec = {
	    .network = nl->name,
	    .container_id = c->container_id,
	    .ifname = c->ifname,
	    .netns = c->netns,
	    .config = nl->bytes,
	    .config_len = nl->len,
	    .cni_args = c->args,
	    .capability_args = c->cap_args,
	};
	int rc;

	if (out)
		*out = NULL;
	if ((rc = set_env(c, err)) < 0)
		return rc;
	for (size_t i = 0; i < nl->n_plugins; i++)
		if ((rc = add_step(nl, i, c, &prev, err)) < 0)
			return rc;
	rec.result = prev;
	if (cni_cache_write(c->cache_dir, &rec, err) < 0)
		return cni_err_prefix(err, "network %s was added, but caching its result failed",
				      nl->name);
	if (out && cni_result_parse(prev, nl->cni_version, out, err) < 0)
		return -err->errnum;
	return 0;
}

/* The cached result, in the list's version (NULL when there is none). */
static int cached_prev(const struct cni_netlist *nl, struct cni_chain *c, cJSON **prev,
		       struct cni_error *err)
{
	cleanup_cache_entry struct cni_cache_entry e = {0};
	int r;

	*prev = NULL;
	c->cache_found = false;
	r = cni_cache_read(c->cache_dir, nl->name, c->container_id, c->ifname, &e, err);
	if (r <= 0)
		return r;
	c->cache_found = true;
	if (!e.result)
		return 0;
	if (convert_result(nl, e.result, prev, err) < 0)
		return cni_err_prefix(err, "the cached result in %s", e.path);
	return 0;
}

int cni_chain_check(const struct cni_netlist *nl, struct cni_chain *c, struct cni_error *err)
{
	cleanup_json cJSON *prev = NULL;
	int rc;

	if (cni_version_cmp(nl->cni_version, "0.4.0") < 0)
		return cni_err(err, CNI_ERR_INCOMPATIBLE_VERSION,
			       "configuration version %s does not support the CHECK command",
			       nl->cni_version);
	if ((c->skipped = nl->disable_check))
		return 0;
	if ((rc = set_env(c, err)) < 0 || (rc = cached_prev(nl, c, &prev, err)) < 0)
		return rc;
	for (size_t i = 0; i < nl->n_plugins; i++)
		if ((rc = exec_one(nl, i, CNI_CMD_CHECK, prev, NULL, c, NULL, err)) < 0)
			return rc;
	return 0;
}

int cni_chain_del(const struct cni_netlist *nl, struct cni_chain *c, struct cni_error *err)
{
	cleanup_json cJSON *prev = NULL;
	int rc;

	if ((rc = set_env(c, err)) < 0)
		return rc;
	if (cni_version_cmp(nl->cni_version, "0.4.0") >= 0 &&
	    (rc = cached_prev(nl, c, &prev, err)) < 0)
		return rc;
	for (size_t i = nl->n_plugins; i-- > 0;)
		if ((rc = exec_one(nl, i, CNI_CMD_DEL, prev, NULL, c, NULL, err)) < 0)
			return rc;
	return cni_cache_remove(c->cache_dir, nl->name, c->container_id, c->ifname, err);
}

int cni_chain_status(const struct cni_netlist *nl, struct cni_chain *c, struct cni_error *err)
{
	struct cni_chain none = {.path = c->path};
	int rc;

	if ((c->skipped = cni_version_cmp(nl->cni_version, "1.1.0") < 0))
		return 0;
	if ((rc = set_env(&none, err)) < 0)
		return rc;
	for (size_t i = 0; i < nl->n_plugins; i++)
		if ((rc = exec_one(nl, i, CNI_CMD_STATUS, NULL, NULL, c, NULL, err)) < 0)
			return rc;
	return 0;
}

/* ---- GC ---- */

static bool attachment_valid(const cJSON *valid, const char *cid, const char *ifname)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, valid)
	{
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(a, "containerID");
		const cJSON *ifn = cJSON_GetObjectItemCaseSensitive(a, "ifname");

		if (cJSON_IsString(id) && cJSON_IsString(ifn) && !strcmp(id->valuestring, cid) &&
		    !strcmp(ifn->valuestring, ifname))
			return true;
	}
	return false;
}

struct gc_walk {
	const struct cni_netlist *nl;
	struct cni_chain *c;
	struct cni_error *err;
	int rc; /* the first failure */
};

/* DEL one cached attachment that is not valid, with what its ADD was given. */
static int gc_visit(const struct cni_cache_entry *e, void *data)
{
	struct gc_walk *w = data;
	cleanup_free char *args = NULL;
	struct cni_error one = CNI_ERROR_INIT;
	struct cni_chain del = {
	    .container_id = e->container_id,
	    .netns = e->netns,
	    .ifname = e->ifname,
	    .path = w->c->path,
	    .cap_args = e->capability_args,
	    .cache_dir = w->c->cache_dir,
	};
	int rc;

	if (strcmp(e->network, w->nl->name) != 0 ||
	    attachment_valid(w->c->valid, e->container_id, e->ifname))
		return 0;
	if (!(args = cni_cache_args(e)))
		return cni_err(w->err, CNI_ERR_IO, "out of memory");
	del.args = args;
	if ((rc = cni_chain_del(w->nl, &del, &one)) < 0) {
		if (w->rc == 0) {
			*w->err = one;
			cni_err_prefix(w->err, "GC: DEL of %.256s/%.16s", e->container_id,
				       e->ifname);
			w->c->failed = del.failed;
			w->c->failed_type = del.failed_type;
			w->rc = rc;
		}
		return 0;
	}
	w->c->gc_deleted++;
	return 0;
}

int cni_chain_gc(const struct cni_netlist *nl, struct cni_chain *c, struct cni_error *err)
{
	struct gc_walk w = {nl, c, err, 0};
	struct cni_chain none = {.path = c->path};
	cleanup_json cJSON *empty = cJSON_CreateArray();
	int rc;

	c->gc_deleted = 0;
	if ((rc = cni_cache_walk(c->cache_dir, gc_visit, &w, err)) < 0)
		return rc;
	if ((c->skipped = cni_version_cmp(nl->cni_version, "1.1.0") < 0))
		return w.rc;
	if ((rc = set_env(&none, err)) < 0)
		return rc;
	/* Every plugin gets its GC; the first failure is the one reported. */
	for (size_t i = 0; i < nl->n_plugins; i++) {
		struct cni_error one = CNI_ERROR_INIT;
		size_t failed = c->failed;
		const char *failed_type = c->failed_type;

		rc = exec_one(nl, i, CNI_CMD_GC, NULL, c->valid ? c->valid : empty, c, NULL, &one);
		if (rc < 0 && w.rc == 0) {
			*err = one;
			w.rc = rc;
		} else if (failed) {
			c->failed = failed;
			c->failed_type = failed_type;
		}
	}
	return w.rc;
}
