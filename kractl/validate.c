/* kractl validate FILE...: conflists, single configs and
 * NetworkAttachmentDefinitions checked one by one with the plugins' own parsers
 * (kr_conf_load, hl_config_load, tl_config_parse: their objects are linked
 * in) and against each other (crosscheck.c). Every finding is one line:
 *   FILE: network NAME: KEY: error|warning: message
 * Exit status 1 when there is an error, 0 otherwise (warnings included). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ipam/host-local/config.h"
#include "../plugins/krafty/krafty.h"
#include "../plugins/tuning-lite/tuning.h"
#include "cni/cleanup.h"
#include "cni/json.h"
#include "cni/statefile.h"
#include "kractl.h"

void kc_say(struct kc_check *k, const struct kc_vnet *n, const char *key, bool error,
	    const char *fmt, ...)
{
	va_list ap;

	printf("%s: network %s: %s: %s: ", n->source, n->name[0] ? n->name : "(unnamed)",
	       key ? key : "-", error ? "error" : "warning");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (error)
		k->errors++;
	else
		k->warnings++;
}

/* Keys a plugin's parser reads, besides those libcni and the dispatcher read. */
static const char *const common_keys[] = {"cniVersion",	   "name",	   "type", "args",
					  "runtimeConfig", "capabilities", "ipam", "dns",
					  "prevResult",	   "logFile",	   NULL};
static const char *const krafty_keys[] = {
    "subnet", "gateway", "podIP", "vrf", "vrfTable", "defaultRouteMetric", "spares", "mtu", NULL};
static const char *const tuning_keys[] = {"mac",      "mtu",	"txQLen",  "promisc",
					  "allmulti", "sysctl", "dataDir", NULL};
static const char *const passthru_keys[] = {NULL};
static const char *const hl_keys[] = {"type",	 "ranges", "subnet",  "rangeStart", "rangeEnd",
				      "gateway", "routes", "dataDir", "resolvConf", NULL};
static const char *const list_keys[] = {"cniVersion",	"cniVersions", "name", "plugins",
					"disableCheck", "disableGC",   NULL};

static bool in(const char *const *keys, const char *k)
{
	for (; *keys; keys++)
		if (strcmp(*keys, k) == 0)
			return true;
	return false;
}

/* Unknown keys of obj are warnings (likely typos): a plugin ignores them. */
static void unknown_keys(struct kc_check *k, const struct kc_vnet *n, const cJSON *obj,
			 const char *where, const char *const *a, const char *const *b)
{
	const cJSON *it;
	char key[320];

	cJSON_ArrayForEach(it, obj)
	{
		if (in(a, it->string) || (b && in(b, it->string)))
			continue;
		snprintf(key, sizeof(key), "%s%s", where, it->string);
		kc_say(k, n, key, false, "unknown key (a typo? the plugin ignores it)");
	}
}

static const char *const *keys_of(const char *type)
{
	static const struct {
		const char *type;
		const char *const *keys;
	} known[] = {
	    {"krafty", krafty_keys},
	    {"tuning-lite", tuning_keys},
	    {"passthru", passthru_keys},
	};

	for (size_t i = 0; type && i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(known[i].type, type) == 0)
			return known[i].keys;
	return NULL;
}

/* "plugins[0]." as a key of its own: "plugins[0]" ("-" for a single config). */
static const char *label(const char *where, char buf[64])
{
	size_t n = strlen(where);

	if (!n)
		return "-";
	snprintf(buf, 64, "%.*s", (int)n - 1, where);
	return buf;
}

/* host-local as the IPAM of krafty: its ranges and gateways inside krafty's subnets. */
static void ranges_in_subnet(struct kc_check *k, const struct kc_vnet *n, const char *where,
			     const struct hl_config *hl)
{
	char key[320], a[CNI_PREFIX_STRLEN], b[CNI_IP_STRLEN];

	for (size_t s = 0; s < hl->n_sets; s++)
		for (size_t r = 0; r < hl->sets[s].n; r++) {
			const struct hl_range *rg = &hl->sets[s].ranges[r];
			const struct kr_family *f = kr_conf_family(&n->kr, rg->subnet.ip.family);

			snprintf(key, sizeof(key), "%sipam.ranges[%zu][%zu]", where, s, r);
			cni_prefix_format(&rg->subnet, a);
			if (!f) {
				kc_say(k, n, key, true,
				       "range %s: krafty has no subnet of its family", a);
				continue;
			}
			if (!cni_prefix_contains(&f->subnet, &rg->start) ||
			    !cni_prefix_contains(&f->subnet, &rg->end))
				kc_say(k, n, key, true, "range %s is outside krafty's subnet", a);
			cni_ip_format(&rg->gateway, b);
			if (rg->gateway.family && !cni_ip_equal(&rg->gateway, &f->gateway))
				kc_say(k, n, key, !cni_prefix_contains(&f->subnet, &rg->gateway),
				       "gateway %s is not krafty's gateway%s", b,
				       cni_prefix_contains(&f->subnet, &rg->gateway)
					   ? ""
					   : " and outside its subnet");
		}
}

/* The IPAM section, when it is host-local. */
static void check_ipam(struct kc_check *k, struct kc_vnet *n, const struct cni_ctx *ctx,
		       const char *where, bool of_krafty)
{
	cleanup_config struct hl_config hl = {0};
	struct cni_error err = CNI_ERROR_INIT;
	char key[320];

	snprintf(key, sizeof(key), "%sipam", where);
	if (!ctx->conf.ipam_type || strcmp(ctx->conf.ipam_type, "host-local") != 0)
		return;
	unknown_keys(k, n, ctx->conf.ipam, key[0] ? key : "ipam", hl_keys, NULL);
	if (hl_config_load(&hl, ctx, false, &err) < 0) {
		kc_say(k, n, key, true, "host-local: %s", err.msg);
		return;
	}
	if (of_krafty)
		ranges_in_subnet(k, n, where, &hl);
}

/* krafty's own rules, and what the cross check needs. */
static void check_krafty(struct kc_check *k, struct kc_vnet *n, const struct cni_ctx *ctx,
			 const char *where)
{
	struct cni_error err = CNI_ERROR_INIT;
	char buf[64];

	if (kr_conf_load(ctx, false, &n->kr, &err) < 0) {
		kc_say(k, n, label(where, buf), true, "krafty: %s", err.msg);
		return;
	}
	n->kr.netname = n->name; /* ctx is freed after the check */
	n->krafty = true;
	n->table_explicit = cJSON_HasObjectItem(ctx->conf.root, "vrfTable");
	check_ipam(k, n, ctx, where, true);
}

/* The i-th plugin as the runtime passes it: with the list's name and version. */
static int plugin_conf(const struct cni_netlist *nl, size_t i, struct cni_conf *conf,
		       struct cni_error *err)
{
	cleanup_json cJSON *c = cJSON_Duplicate(cni_netlist_plugin(nl, i), true);
	cleanup_free char *text = NULL;

	if (!c)
		return cni_err(err, CNI_ERR_IO, "out of memory");
	cJSON_DeleteItemFromObjectCaseSensitive(c, "name");
	cJSON_DeleteItemFromObjectCaseSensitive(c, "cniVersion");
	cJSON_AddStringToObject(c, "name", nl->name);
	cJSON_AddStringToObject(c, "cniVersion", nl->cni_version);
	if (!(text = cJSON_PrintUnformatted(c)))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	return cni_conf_parse(conf, text, strlen(text), err);
}

static void check_plugin(struct kc_check *k, struct kc_vnet *n, const struct cni_netlist *nl,
			 size_t i)
{
	struct cni_ctx ctx;
	struct cni_error err = CNI_ERROR_INIT;
	struct tl_config tl;
	const char *const *keys, *type;
	char where[64] = "", buf[64];

	memset(&ctx, 0, sizeof(ctx));
	/* What a runtime would pass: rules that depend on it (IFNAME in a sysctl key) see eth0. */
	ctx.env.ifname = KC_DEFAULT_IFNAME;
	ctx.env.container_id = "kractl-validate";
	if (!nl->single)
		snprintf(where, sizeof(where), "plugins[%zu].", i);
	if (plugin_conf(nl, i, &ctx.conf, &err) < 0) {
		kc_say(k, n, label(where, buf), true, "%s", err.msg);
		cni_conf_free(&ctx.conf);
		return;
	}
	type = ctx.conf.type ? ctx.conf.type : ""; /* cni_conf_parse requires it */
	if ((keys = keys_of(type)))
		unknown_keys(k, n, ctx.conf.root, where, common_keys, keys);
	if (strcmp(type, "krafty") == 0) {
		check_krafty(k, n, &ctx, where);
	} else if (strcmp(type, "tuning-lite") == 0) {
		memset(&tl, 0, sizeof(tl));
		if (tl_config_parse(&ctx, &tl, &err) < 0)
			kc_say(k, n, label(where, buf), true, "tuning-lite: %s", err.msg);
		tl_config_free(&tl);
	} else {
		check_ipam(k, n, &ctx, where, false);
	}
	cni_conf_free(&ctx.conf);
}

/* One network (a conflist, a single config or a NAD's config). */
static int check_network(struct kc_check *k, const char *source, bool nad, const char *text,
			 size_t len)
{
	cleanup_netlist struct cni_netlist nl;
	struct cni_error err = CNI_ERROR_INIT;
	struct kc_vnet *n;

	memset(&nl, 0, sizeof(nl));
	if (!(n = CNI_ARRAY_PUSH(&k->nets, struct kc_vnet, 0, "networks", &err)) ||
	    !(n->source = strdup(source)))
		return -ENOMEM;
	n->nad = nad;
	if (cni_netlist_parse(text, len, source, &nl, &err) < 0) {
		const cJSON *name = NULL;
		cleanup_json cJSON *root = cJSON_ParseWithLength(text, len);

		name = cJSON_GetObjectItemCaseSensitive(root, "name");
		snprintf(n->name, sizeof(n->name), "%s",
			 cJSON_IsString(name) ? name->valuestring : "");
		kc_say(k, n, "-", true, "%s", err.msg);
		return 0;
	}
	snprintf(n->name, sizeof(n->name), "%s", nl.name);
	if (!nl.single)
		unknown_keys(k, n, nl.root, "", list_keys, NULL);
	n->plugins = cJSON_CreateArray();
	for (size_t i = 0; i < nl.n_plugins; i++) {
		cJSON *p = cJSON_Duplicate(cni_netlist_plugin(&nl, i), true);

		cJSON_DeleteItemFromObjectCaseSensitive(p, "name");
		cJSON_DeleteItemFromObjectCaseSensitive(p, "cniVersion");
		cJSON_AddItemToArray(n->plugins, p);
		check_plugin(k, n, &nl, i);
	}
	return 0;
}

static bool is_yaml(const char *path, const char *text)
{
	const char *dot = strrchr(path, '.');

	if (dot && (strcmp(dot, ".yaml") == 0 || strcmp(dot, ".yml") == 0))
		return true;
	text += strspn(text, " \t\r\n");
	return *text && *text != '{';
}

static int check_yaml(struct kc_check *k, const char *path, const char *text, size_t len)
{
	struct cni_array nads = CNI_ARRAY_INIT;
	struct cni_error err = CNI_ERROR_INIT;
	struct kc_nad *v;
	char source[4096];
	int rc = kc_yaml_nads(text, len, &nads, &err);

	if (rc < 0 || nads.n == 0) {
		struct kc_vnet n = {.source = (char *)path};

		kc_say(k, &n, "-", true, "%s", rc < 0 ? err.msg : "no NetworkAttachmentDefinition");
		kc_nads_free(&nads);
		return 0;
	}
	v = nads.v;
	for (size_t i = 0; i < nads.n && rc == 0; i++) {
		snprintf(source, sizeof(source), "%s:%zu (NetworkAttachmentDefinition %s)", path,
			 v[i].line, v[i].name);
		if (!v[i].config) {
			struct kc_vnet n = {.source = source};

			kc_say(k, &n, "spec.config", false,
			       "not set: the config is a file on the nodes, not checked here");
			continue;
		}
		rc = check_network(k, source, true, v[i].config, strlen(v[i].config));
	}
	kc_nads_free(&nads);
	return rc;
}

static int check_file(struct kc_check *k, const char *path)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	struct cni_error err = CNI_ERROR_INIT;

	if (cni_file_read(path, 1 << 20, &text, &len, &err) < 0) {
		struct kc_vnet n = {.source = (char *)path};

		kc_say(k, &n, "-", true, "%s", err.msg);
		return 0;
	}
	if (is_yaml(path, text))
		return check_yaml(k, path, text, len);
	return check_network(k, path, false, text, len);
}

int kc_cmd_validate(struct kc_opts *o, struct cni_error *err)
{
	struct kc_check k;
	struct kc_vnet *v;

	memset(&k, 0, sizeof(k));
	for (int i = 0; i < o->n_pos; i++)
		if (check_file(&k, o->pos[i]) < 0)
			return cni_err(err, CNI_ERR_IO, "out of memory");
	kc_crosscheck(&k);
	printf("%d file(s), %zu network(s): %zu error(s), %zu warning(s)\n", o->n_pos, k.nets.n,
	       k.errors, k.warnings);
	v = k.nets.v;
	for (size_t i = 0; i < k.nets.n; i++) {
		free(v[i].source);
		cJSON_Delete(v[i].plugins);
	}
	free(k.nets.v);
	return k.errors ? KC_EXIT_FINDINGS : 0;
}
