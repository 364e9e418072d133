/* The config: the reference tuning plugin's keys, with its override order.
 *
 * Keys: sysctl (object of strings), mac, mtu, promisc, allmulti, txQLen,
 * dataDir; runtimeConfig.mac; CNI_ARGS MAC=; args.cni.{sysctl, mac, mtu,
 * promisc, allmulti, txQLen}. Later sources win, as in the reference:
 *   mac:   mac < CNI_ARGS MAC < runtimeConfig.mac < args.cni.mac
 *   other: the top-level key < args.cni.<key> (sysctls merge key by key)
 * promisc/allmulti: true turns the flag on; false or absent leaves it alone
 * (the reference's meaning, so that "promisc": false in an existing config
 * does not start changing interfaces). mtu 0 or absent leaves the MTU alone.
 * Every source present is validated, even one a later source overrides. */
#include "tuning.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni/cleanup.h"
#include "cni/json.h"

void tl_config_free(struct tl_config *cfg)
{
	tl_items_free(&cfg->want);
}

static int hexval(char c)
{
	if (isdigit((unsigned char)c))
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Six octets separated by ':' or '-' (one kind throughout); canonical out. */
static int parse_mac(const char *s, unsigned char mac[6])
{
	char sep = '\0';

	if (strlen(s) == 17)
		sep = s[2];
	if (sep != ':' && sep != '-')
		return -1;
	for (int i = 0; i < 6; i++, s += 3) {
		int hi = hexval(s[0]), lo = hexval(s[1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[2] != sep))
			return -1;
		mac[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* A unicast, non-zero MAC from `source`, in canonical form. */
static int check_mac(const char *s, const char *source, char out[18], struct cni_error *err)
{
	unsigned char m[6];
	static const unsigned char zero[6];

	if (parse_mac(s, m) < 0)
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "%s: invalid MAC address \"%.64s\" (expected aa:bb:cc:dd:ee:ff)",
			       source, s);
	if (m[0] & 1)
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "%s: %s is a multicast address, an interface needs a unicast one",
			       source, s);
	if (!memcmp(m, zero, sizeof(m)))
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "%s: the all-zero MAC address is not usable", source);
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return 0;
}

/* The effective MAC: later sources override earlier ones; all are checked. */
static int want_mac(const struct cni_ctx *ctx, const cJSON *args_cni, char out[18], bool *has,
		    struct cni_error *err)
{
	int rc;
	const char *sources[4] = {NULL, cni_env_arg(&ctx->env, "MAC"), NULL, NULL};
	const char *what[4] = {"mac", "CNI_ARGS MAC", "runtimeConfig.mac", "args.cni.mac"};

	if ((rc = cni_json_string(ctx->conf.root, "mac", false, &sources[0], NULL, err)) < 0 ||
	    (rc = cni_json_string(ctx->conf.runtime_config, "mac", false, &sources[2],
				  "runtimeConfig", err)) < 0 ||
	    (rc = cni_json_string(args_cni, "mac", false, &sources[3], "args.cni", err)) < 0)
		return rc;
	*has = false;
	for (int i = 0; i < 4; i++) {
		if (!sources[i] || !*sources[i]) /* "" means unset, as in the reference */
			continue;
		if ((rc = check_mac(sources[i], what[i], out, err)) < 0)
			return rc;
		*has = true;
	}
	return 0;
}

struct link_wants {
	int64_t mtu, txqlen;
	bool has_txqlen, promisc, allmulti;
};

/* mtu, txQLen, promisc, allmulti from one object (the top level or args.cni). */
static int read_link_keys(const cJSON *obj, const char *what, struct link_wants *w,
			  struct cni_error *err)
{
	int rc;
	int64_t txqlen = -1;

	if ((rc = cni_json_int(obj, "mtu", false, 0, INT32_MAX, &w->mtu, what, err)) < 0 ||
	    (rc = cni_json_int(obj, "txQLen", false, 0, UINT32_MAX, &txqlen, what, err)) < 0 ||
	    (rc = cni_json_bool(obj, "promisc", false, &w->promisc, what, err)) < 0 ||
	    (rc = cni_json_bool(obj, "allmulti", false, &w->allmulti, what, err)) < 0)
		return rc;
	if (txqlen >= 0) {
		w->txqlen = txqlen;
		w->has_txqlen = true;
	}
	return 0;
}

static int add_number(struct tl_items *want, enum tl_kind kind, int64_t v, struct cni_error *err)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	return tl_items_add(want, kind, NULL, NULL, buf, err);
}

static int want_link(const struct cni_ctx *ctx, const cJSON *args_cni, struct tl_items *want,
		     struct cni_error *err)
{
	int rc;
	struct link_wants w = {0};
	char mac[18];
	bool has_mac;

	if ((rc = want_mac(ctx, args_cni, mac, &has_mac, err)) < 0 ||
	    (rc = read_link_keys(ctx->conf.root, NULL, &w, err)) < 0 ||
	    (rc = read_link_keys(args_cni, "args.cni", &w, err)) < 0)
		return rc;
	if (has_mac && tl_items_add(want, TL_MAC, NULL, NULL, mac, err) < 0)
		return -1;
	if (w.mtu && add_number(want, TL_MTU, w.mtu, err) < 0)
		return -1;
	if (w.has_txqlen && add_number(want, TL_TXQLEN, w.txqlen, err) < 0)
		return -1;
	if (w.promisc && tl_items_add(want, TL_PROMISC, NULL, NULL, "true", err) < 0)
		return -1;
	if (w.allmulti && tl_items_add(want, TL_ALLMULTI, NULL, NULL, "true", err) < 0)
		return -1;
	return 0;
}

/* One sysctl entry, resolved and checked, into this object's list. */
static int add_sysctl(const cJSON *entry, const char *ifname, struct tl_items *list,
		      struct cni_error *err)
{
	int rc;
	cleanup_free char *name = NULL;
	char path[KNL_SYSCTL_PATH_MAX];

	if (!cJSON_IsString(entry))
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "sysctl \"%s\": the value must be a string", entry->string);
	if ((rc = tl_sysctl_resolve(entry->string, ifname, &name, path, err)) < 0 ||
	    (rc = tl_sysctl_value_check(entry->string, entry->valuestring, err)) < 0)
		return rc;
	return tl_items_add(list, TL_SYSCTL, name, path, entry->valuestring, err);
}

/* Two entries of one object for the same file are refused. */
static int no_shared_paths(const struct tl_items *list, struct cni_error *err)
{
	int rc;
	cleanup_index struct tl_index ix = {0};
	size_t a, b;

	if ((rc = tl_index_build(list, &ix, err)) < 0)
		return rc;
	if (!tl_index_duplicate(&ix, &a, &b) || !list->v)
		return 0;
	return cni_err(err, CNI_ERR_INVALID_CONFIG, "sysctl keys \"%s\" and \"%s\" both name %s",
		       list->v[a].name, list->v[b].name, list->v[a].path);
}

/* Merge a later object's sysctls: same file -> the later value. The later
 * object names each file once, so what it adds need not be looked up. */
static int merge_sysctls(struct tl_items *want, const struct tl_items *later, struct cni_error *err)
{
	int rc;
	cleanup_index struct tl_index ix = {0};

	if ((rc = tl_index_build(want, &ix, err)) < 0)
		return rc;
	for (size_t i = 0; i < later->n; i++) {
		const struct tl_item *it = &later->v[i];
		long old = tl_index_find(&ix, it->path);

		if (old < 0) {
			if ((rc = tl_items_add(want, TL_SYSCTL, it->name, it->path, it->value,
					       err)) < 0)
				return rc;
			continue;
		}
		free(want->v[old].value);
		if (!(want->v[old].value = strdup(it->value)))
			return cni_err(err, CNI_ERR_IO, "out of memory");
	}
	return 0;
}

static int want_sysctls(const cJSON *obj, const char *what, const char *ifname,
			struct tl_items *want, struct cni_error *err)
{
	int rc;
	cleanup_items struct tl_items list = {0};
	const cJSON *map = NULL, *entry;

	if ((rc = cni_json_object(obj, "sysctl", false, &map, what, err)) < 0)
		return rc;
	if (!map)
		return 0;
	if (cJSON_GetArraySize(map) > TL_MAX_SYSCTLS)
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "%s has more than %d keys",
			       what ? "args.cni.sysctl" : "sysctl", TL_MAX_SYSCTLS);
	cJSON_ArrayForEach(entry, map) if (add_sysctl(entry, ifname, &list, err) < 0) return -1;
	if ((rc = no_shared_paths(&list, err)) < 0)
		return rc;
	return merge_sysctls(want, &list, err);
}

int tl_config_data_dir(const struct cni_ctx *ctx, const char **dir, struct cni_error *err)
{
	int rc;
	*dir = TL_DEFAULT_DATA_DIR;
	if ((rc = cni_json_string(ctx->conf.root, "dataDir", false, dir, NULL, err)) < 0)
		return rc;
	if (!**dir)
		*dir = TL_DEFAULT_DATA_DIR;
	/* Relative to what? The runtime's working directory is nobody's choice. */
	if ((*dir)[0] != '/')
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "dataDir \"%.200s\" must be an absolute path", *dir);
	if (strlen(*dir) > 3000)
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "dataDir is too long");
	return 0;
}

static int args_cni(const struct cni_conf *conf, const cJSON **out, struct cni_error *err)
{
	*out = NULL;
	if (!conf->args)
		return 0;
	return cni_json_object(conf->args, "cni", false, out, "args", err);
}

/* A NUL in a string or a key twice in an object is refused by lib/cni's
 * parser for every plugin (cni_json_parse_strict). */
int tl_config_parse(const struct cni_ctx *ctx, struct tl_config *cfg, struct cni_error *err)
{
	const struct cni_conf *conf = &ctx->conf;
	const cJSON *cni_args = NULL;

	memset(cfg, 0, sizeof(*cfg));
	if (args_cni(conf, &cni_args, err) < 0 || tl_config_data_dir(ctx, &cfg->data_dir, err) < 0)
		return -1;
	if (want_link(ctx, cni_args, &cfg->want, err) < 0 ||
	    want_sysctls(conf->root, NULL, ctx->env.ifname, &cfg->want, err) < 0 ||
	    want_sysctls(cni_args, "args.cni", ctx->env.ifname, &cfg->want, err) < 0) {
		tl_config_free(cfg);
		return -1;
	}
	return 0;
}
