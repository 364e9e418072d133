/* mutate and revert: the krang flow on a running pod. mutate runs ADD of a
 * chain (passthru + tuning-lite unless --chain names another) against the
 * pod's existing interface, as libcni's AddNetworkList would, and caches it
 * under the mutation's network name (kractl-mutate); revert runs DEL of what
 * was cached. tuning-lite keeps the first value it replaced across repeated
 * ADDs, so mutations stack and one revert restores the original. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni/cache.h"
#include "cni/cleanup.h"
#include "cni/json.h"
#include "cni/statefile.h"
#include "kractl.h"

static int bad_key(struct kc_opts *o, const char *kv, const char *why, struct cni_error *err)
{
	kc_hint(o, "keys are tuning-lite's: mtu=1300 mac=02:00:00:00:00:01 promisc=true "
		   "allmulti=false txQLen=1000 net.ipv4.conf.IFNAME.arp_filter=1 (or "
		   "sysctl.KEY=VALUE), or --keys FILE with a JSON object");
	return cni_err(err, CNI_ERR_INVALID_CONFIG, "%.200s: %s", kv, why);
}

/* The JSON value of a KEY=VALUE argument, typed as tuning-lite reads it; NULL
 * for a value of the wrong type or a key tuning-lite does not have. */
static cJSON *key_value(const char *key, const char *v)
{
	char *end;
	long long n;

	if (!strcmp(key, "mac") || !strcmp(key, "dataDir"))
		return cJSON_CreateString(v);
	if (!strcmp(key, "mtu") || !strcasecmp(key, "txQLen")) {
		n = strtoll(v, &end, 10);
		return *v && !*end ? cJSON_CreateNumber((double)n) : NULL;
	}
	if (!strcmp(key, "promisc") || !strcmp(key, "allmulti")) {
		if (!strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1"))
			return cJSON_CreateTrue();
		if (!strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "0"))
			return cJSON_CreateFalse();
		return NULL;
	}
	return NULL;
}

static int parse_key(struct kc_opts *o, cJSON *keys, const char *kv, struct cni_error *err)
{
	const char *eq = strchr(kv, '=');
	cleanup_free char *key = eq ? strndup(kv, (size_t)(eq - kv)) : NULL;
	cJSON *sysctl, *value;
	const char *name;

	if (!eq || eq == kv)
		return bad_key(o, kv, "not KEY=VALUE", err);
	if (!key)
		return cni_err(err, CNI_ERR_IO, "out of memory");
	if (!strncmp(key, "sysctl.", 7) || !strncmp(key, "net.", 4)) {
		name = strncmp(key, "sysctl.", 7) ? key : key + 7;
		if (!(sysctl = cJSON_GetObjectItemCaseSensitive(keys, "sysctl")) &&
		    !(sysctl = cJSON_AddObjectToObject(keys, "sysctl")))
			return cni_err(err, CNI_ERR_IO, "out of memory");
		if (!cJSON_IsObject(sysctl))
			return bad_key(o, kv, "\"sysctl\" in --keys is not an object", err);
		cJSON_DeleteItemFromObjectCaseSensitive(sysctl, name);
		cJSON_AddItemToObject(sysctl, name, cJSON_CreateString(eq + 1));
		return 0;
	}
	if (!(value = key_value(key, eq + 1)))
		return bad_key(o, kv, "not a tuning key, or a value of the wrong type", err);
	cJSON_DeleteItemFromObjectCaseSensitive(keys, key);
	cJSON_AddItemToObject(keys, key, value);
	return 0;
}

/* --keys FILE and the KEY=VALUE arguments, merged into one object. */
static int read_keys(struct kc_opts *o, cJSON **keys, struct cni_error *err)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	int rc;

	if (o->keys_file) {
		if ((rc = cni_file_read(o->keys_file, 1u << 20, &text, &len, err)) <= 0)
			return rc < 0 ? rc
				      : cni_err_errno(err, CNI_ERR_INVALID_CONFIG, ENOENT,
						      "--keys %.300s", o->keys_file);
		if (!(*keys = cJSON_ParseWithLength(text, len)) || !cJSON_IsObject(*keys)) {
			kc_hint(o, "--keys names a file holding one JSON object of tuning keys, "
				   "e.g. {\"mtu\": 1300, \"sysctl\": {\"net.ipv4.conf.IFNAME."
				   "arp_filter\": \"1\"}}");
			return cni_err(err, CNI_ERR_DECODE, "--keys %.300s is not a JSON object",
				       o->keys_file);
		}
	} else if (!(*keys = cJSON_CreateObject()))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	for (int i = 1; i < o->n_pos; i++)
		if ((rc = parse_key(o, *keys, o->pos[i], err)) < 0)
			return rc;
	return 0;
}

/* The list to run: --chain's (a single config made a list of one), or
 * passthru + tuning-lite. */
static int base_list(struct kc_opts *o, cJSON **list, struct cni_error *err)
{
	cleanup_netlist struct cni_netlist nl = {0};
	cJSON *plugins;
	int rc;

	if (!o->chain) {
		*list = cJSON_Parse(
		    "{\"cniVersion\":\"" KC_MUTATE_VERSION "\",\"name\":\"" KC_MUTATE_NETWORK
		    "\",\"plugins\":[{\"type\":\"passthru\"},{\"type\":\"tuning-lite\"}]}");
		return *list ? 0 : cni_err(err, CNI_ERR_IO, "out of memory");
	}
	if ((rc = kc_load_network(o, o->chain, &nl, err)) < 0)
		return rc;
	if (!nl.single) {
		*list = steal_ptr(nl.root);
		return 0;
	}
	if (!(*list = cJSON_CreateObject()) ||
	    !cJSON_AddStringToObject(*list, "cniVersion", nl.cni_version) ||
	    !cJSON_AddStringToObject(*list, "name", nl.name) ||
	    !(plugins = cJSON_AddArrayToObject(*list, "plugins")) ||
	    !cJSON_AddItemToArray(plugins, steal_ptr(nl.root)))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	return 0;
}

/* The plugin that takes the keys: the last tuning-lite, else the last one. */
static cJSON *key_target(cJSON *list)
{
	cJSON *p, *target = NULL;

	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(list, "plugins"))
	{
		const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(p, "type"));

		if (!target || (type && !strcmp(type, "tuning-lite")) ||
		    !cJSON_IsString(cJSON_GetObjectItem(target, "type")) ||
		    strcmp(cJSON_GetObjectItem(target, "type")->valuestring, "tuning-lite") != 0)
			target = p;
	}
	return target;
}

static void set_key(cJSON *o, const char *key, cJSON *value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	cJSON_AddItemToObject(o, key, value);
}

/* Keys into the target (sysctls merged), dataDir, name, logFile everywhere. */
static void apply_keys(struct kc_opts *o, cJSON *list, const cJSON *keys)
{
	cJSON *target = key_target(list), *p;
	const cJSON *k;

	cJSON_ArrayForEach(k, keys)
	{
		cJSON *have = cJSON_GetObjectItemCaseSensitive(target, k->string);
		const cJSON *s;

		if (!strcmp(k->string, "sysctl") && cJSON_IsObject(have) && cJSON_IsObject(k))
			cJSON_ArrayForEach(s, k) set_key(have, s->string, cJSON_Duplicate(s, 1));
		else
			set_key(target, k->string, cJSON_Duplicate(k, 1));
	}
	if (o->data_dir)
		set_key(target, "dataDir", cJSON_CreateString(o->data_dir));
	if (o->name)
		set_key(list, "name", cJSON_CreateString(o->name));
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(list, "plugins"))
	{
		if (!o->no_log && !cJSON_HasObjectItem(p, "logFile"))
			set_key(p, "logFile",
				cJSON_CreateString(o->log_file ? o->log_file : KC_DEFAULT_LOG));
	}
}

static int build_chain(struct kc_opts *o, const cJSON *keys, struct cni_netlist *nl,
		       struct cni_error *err)
{
	cleanup_json cJSON *list = NULL;
	cleanup_free char *text = NULL;
	int rc;

	if ((rc = base_list(o, &list, err)) < 0)
		return rc;
	apply_keys(o, list, keys);
	if (!(text = cJSON_Print(list)))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	return cni_netlist_parse(text, strlen(text),
				 o->chain ? o->chain : "kractl's mutation (passthru + tuning-lite)",
				 nl, err);
}

int kc_cmd_mutate(struct kc_opts *o, struct cni_error *err)
{
	_cleanup_(kc_pod_free) struct kc_pod pod = {0};
	cleanup_netlist struct cni_netlist nl = {0};
	cleanup_json cJSON *keys = NULL;
	struct cni_chain c;
	int rc;

	if ((rc = read_keys(o, &keys, err)) < 0)
		return rc;
	if (!o->chain && !cJSON_GetArraySize(keys))
		return bad_key(o, o->pos[0], "nothing to change: no KEY=VALUE and no --keys", err);
	if ((rc = kc_pod_resolve(o, o->pos[0], true, &pod, err)) < 0 ||
	    (rc = build_chain(o, keys, &nl, err)) < 0)
		return rc;
	kc_chain_init(o, &c);
	c.container_id = pod.id;
	c.netns = pod.netns;
	if ((rc = cni_chain_add(&nl, &c, NULL, err)) < 0) {
		kc_explain(o, &nl, &c, err);
		return rc;
	}
	printf("mutated %s of pod %s (netns %s) through network %s; kractl revert %s%s%s "
	       "puts back what it changed\n",
	       o->ifname, pod.id, pod.netns, nl.name, o->pos[0], o->name ? " --name " : "",
	       o->name ? o->name : "");
	return 0;
}

/* What the last mutation ran, from libcni's cache: 1 when found. */
static int cached_chain(struct kc_opts *o, const struct kc_pod *pod, const char *name,
			struct cni_netlist *nl, char **args, cJSON **caps, struct cni_error *err)
{
	cleanup_cache_entry struct cni_cache_entry e = {0};
	int r;

	r = cni_cache_read(o->cache_dir, name, pod->id, o->ifname, &e, err);
	if (r <= 0)
		return r;
	if (!e.config)
		return cni_err(err, CNI_ERR_DECODE, "cache file %s holds no config", e.path);
	if (cni_netlist_parse(e.config, e.config_len, e.path, nl, err) < 0)
		return cni_err_prefix(err, "the config cached in %s", e.path);
	if (!(*args = cni_cache_args(&e)) ||
	    (e.capability_args && !(*caps = cJSON_Duplicate(e.capability_args, 1))))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	return 1;
}

int kc_cmd_revert(struct kc_opts *o, struct cni_error *err)
{
	_cleanup_(kc_pod_free) struct kc_pod pod = {0};
	cleanup_netlist struct cni_netlist nl = {0};
	cleanup_json cJSON *none = cJSON_CreateObject(), *caps = NULL;
	cleanup_free char *args = NULL;
	const char *name = o->name ? o->name : KC_MUTATE_NETWORK;
	struct cni_chain c;
	int rc, found;

	if ((rc = kc_pod_resolve(o, o->pos[0], false, &pod, err)) < 0 ||
	    (found = rc = cached_chain(o, &pod, name, &nl, &args, &caps, err)) < 0)
		return rc;
	if (!found) {
		fprintf(stderr,
			"kractl: no cached mutation %s of %s/%s; running DEL of passthru + "
			"tuning-lite, which restores what tuning-lite saved\n",
			name, pod.id, o->ifname);
		if ((rc = build_chain(o, none, &nl, err)) < 0)
			return rc;
	}
	kc_chain_init(o, &c);
	c.container_id = pod.id;
	c.netns = pod.netns;
	if (found) {
		c.args = args;
		c.cap_args = caps;
	}
	if ((rc = cni_chain_del(&nl, &c, err)) < 0) {
		kc_explain(o, &nl, &c, err);
		return rc;
	}
	printf("reverted %s of pod %s%s%s\n", o->ifname, pod.id, pod.netns ? " in netns " : "",
	       pod.netns ? pod.netns : " (netns gone: saved values forgotten)");
	return 0;
}
