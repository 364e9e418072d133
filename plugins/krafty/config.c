/* The network configuration: parse and validate (every refusal is code 7).
 *
 *   subnet       "172.16.10.0/24", or a list of one IPv4 and one IPv6 subnet (dual stack)
 *   gateway      an address inside subnet (a list, one per subnet, for dual stack)
 *   ipam         delegated to the IPAM plugin it names ...
 *   podIP        ... or a static address (with or without prefix; a list for dual stack)
 *   vrf          true (default): a VRF per pod; false: the bridge lives in the main table
 *   vrfTable     the network's table (VRF mode); default FNV-32a of the network name
 *   mtu          68..65535, for the veth pair and the bridge
 *   defaultRouteMetric  metric of the default routes krafty adds in the pod (1024)
 *   spares       bridges and VRFs (per table) that DEL keeps for ADD to reuse (64; 0..99)
 * Unknown keys are ignored: Multus and runtimes add their own.
 */
#include "krafty.h"

#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "cni/exec.h"
#include "cni/hash.h"
#include "cni/json.h"

#define MAX_ADDRS KR_MAX_FAMILIES

/* A string or a list of strings: `key` as up to MAX_ADDRS strings. */
static int string_list(const cJSON *root, const char *key, bool required, const char **out,
		       size_t *n, struct cni_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key), *it;

	*n = 0;
	if (!v || cJSON_IsNull(v)) {
		if (required)
			return cni_err(err, CNI_ERR_INVALID_CONFIG, "\"%s\" is required", key);
		return 0;
	}
	if (cJSON_IsString(v)) {
		out[(*n)++] = v->valuestring;
		return 0;
	}
	if (!cJSON_IsArray(v))
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "\"%s\" must be a string or a list of strings", key);
	cJSON_ArrayForEach(it, v)
	{
		if (!cJSON_IsString(it))
			return cni_err(err, CNI_ERR_INVALID_CONFIG, "\"%s\" must hold strings",
				       key);
		if (*n == MAX_ADDRS)
			return cni_err(err, CNI_ERR_INVALID_CONFIG,
				       "\"%s\" holds more than %d entries (one per address family)",
				       key, MAX_ADDRS);
		out[(*n)++] = it->valuestring;
	}
	if (*n == 0 && required)
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "\"%s\" is empty", key);
	return 0;
}

static const char *family_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

/* Address ranges a pod network must not take: the node's own (loopback), the
 * link's (link-local, where 169.254.169.254 answers as the cloud's metadata
 * service), multicast, "this network", and IPv4-mapped IPv6. */
static const struct {
	const char *prefix, *what;
} reserved[] = {
    {"0.0.0.0/8", "\"this network\""},
    {"127.0.0.0/8", "loopback"},
    {"169.254.0.0/16", "link-local"},
    {"224.0.0.0/3", "multicast and reserved"},
    {"::/127", "unspecified and loopback"},
    {"::ffff:0:0/96", "IPv4-mapped"},
    {"fe80::/10", "link-local"},
    {"ff00::/8", "multicast"},
};

static bool overlaps(const struct cni_prefix *a, const struct cni_prefix *b)
{
	return a->ip.family == b->ip.family &&
	       (cni_prefix_contains(a, &b->ip) || cni_prefix_contains(b, &a->ip));
}

static int check_not_reserved(const char *s, const struct cni_prefix *p, struct cni_error *err)
{
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		struct cni_prefix r;

		if (cni_prefix_parse(reserved[i].prefix, &r) == 0 && overlaps(p, &r))
			return cni_err(err, CNI_ERR_INVALID_CONFIG,
				       "subnet %s overlaps %s (%s addresses): not for pods", s,
				       reserved[i].prefix, reserved[i].what);
	}
	return 0;
}

/* A subnet needs room for its network address, the gateway and a pod. */
static int parse_subnet(const char *s, struct kr_family *f, struct cni_error *err)
{
	struct cni_prefix p;
	int max_len;

	if (cni_prefix_parse(s, &p) < 0)
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "subnet \"%s\" is not a CIDR prefix",
			       s);
	max_len = p.ip.family == AF_INET ? 30 : 126;
	if (p.len > max_len)
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "subnet %s is too small: a gateway and a pod need a /%d or larger",
			       s, max_len);
	f->subnet = cni_prefix_network(&p);
	return check_not_reserved(s, &f->subnet, err);
}

static int parse_subnets(const cJSON *root, struct kr_conf *c, struct cni_error *err)
{
	int rc;
	const char *s[MAX_ADDRS];
	size_t n;

	if ((rc = string_list(root, "subnet", true, s, &n, err)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if ((rc = parse_subnet(s[i], &c->fam[i], err)) < 0)
			return rc;
		if (i && c->fam[0].subnet.ip.family == c->fam[i].subnet.ip.family)
			return cni_err(err, CNI_ERR_INVALID_CONFIG,
				       "\"subnet\" lists two %s subnets: at most one per family",
				       family_name(c->fam[i].subnet.ip.family));
	}
	c->n_fam = n;
	return 0;
}

static struct kr_family *family_of(struct kr_conf *c, int family)
{
	for (size_t i = 0; i < c->n_fam; i++)
		if (c->fam[i].subnet.ip.family == family)
			return &c->fam[i];
	return NULL;
}

/* Not the network address, not the last one (IPv4 broadcast), inside the subnet. */
static int check_host_addr(const char *what, const char *s, const struct cni_ip *ip,
			   const struct kr_family *f, struct cni_error *err)
{
	char net[CNI_PREFIX_STRLEN];
	struct cni_ip last = cni_prefix_last(&f->subnet);

	cni_prefix_format(&f->subnet, net);
	if (!cni_prefix_contains(&f->subnet, ip))
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "%s %s is outside subnet %s", what, s,
			       net);
	if (cni_ip_equal(ip, &f->subnet.ip))
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "%s %s is the network address of %s",
			       what, s, net);
	if (ip->family == AF_INET && cni_ip_equal(ip, &last))
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "%s %s is the broadcast address of %s",
			       what, s, net);
	return 0;
}

static int parse_gateways(const cJSON *root, struct kr_conf *c, struct cni_error *err)
{
	int rc;
	const char *s[MAX_ADDRS];
	size_t n;

	if ((rc = string_list(root, "gateway", true, s, &n, err)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct cni_ip ip;
		struct kr_family *f;

		if (cni_ip_parse(s[i], &ip) < 0)
			return cni_err(err, CNI_ERR_INVALID_CONFIG,
				       "gateway \"%s\" is not an IP address", s[i]);
		if (!(f = family_of(c, ip.family)))
			return cni_err(err, CNI_ERR_INVALID_CONFIG,
				       "gateway %s is outside subnet: no %s subnet is configured",
				       s[i], family_name(ip.family));
		if (f->gateway.family)
			return cni_err(err, CNI_ERR_INVALID_CONFIG, "two %s gateways",
				       family_name(ip.family));
		if ((rc = check_host_addr("gateway", s[i], &ip, f, err)) < 0)
			return rc;
		f->gateway = ip;
	}
	for (size_t i = 0; i < c->n_fam; i++) {
		char net[CNI_PREFIX_STRLEN];

		if (c->fam[i].gateway.family)
			continue;
		cni_prefix_format(&c->fam[i].subnet, net);
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "no gateway for subnet %s", net);
	}
	return 0;
}

/* "10.0.0.5" or "10.0.0.5/24": the prefix, when given, must be the subnet's. */
static int parse_pod_ip(const char *s, struct kr_conf *c, struct cni_error *err)
{
	int rc;
	struct cni_prefix p;
	struct kr_family *f;

	if (strchr(s, '/') ? cni_prefix_parse(s, &p) < 0 : cni_ip_parse(s, &p.ip) < 0)
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "podIP \"%s\" is not an IP address", s);
	if (!(f = family_of(c, p.ip.family)))
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "podIP %s is outside subnet: no %s subnet is configured", s,
			       family_name(p.ip.family));
	if (strchr(s, '/') && p.len != f->subnet.len)
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "podIP %s: prefix length /%d differs from the subnet's /%d", s,
			       p.len, f->subnet.len);
	if (f->has_pod_ip)
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "two %s podIPs",
			       family_name(p.ip.family));
	if ((rc = check_host_addr("podIP", s, &p.ip, f, err)) < 0)
		return rc;
	if (cni_ip_equal(&p.ip, &f->gateway))
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "podIP %s is the gateway address", s);
	f->pod_ip = (struct cni_prefix){.ip = p.ip, .len = f->subnet.len};
	f->has_pod_ip = true;
	return 0;
}

static int parse_addressing(const struct cni_ctx *ctx, struct kr_conf *c, bool check_binary,
			    struct cni_error *err)
{
	int rc;
	const char *s[MAX_ADDRS];
	size_t n;

	if ((rc = string_list(ctx->conf.root, "podIP", false, s, &n, err)) < 0)
		return rc;
	if (n && ctx->conf.ipam)
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "both \"ipam\" and \"podIP\" are set: use one of them");
	if (!n && !ctx->conf.ipam)
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "neither \"ipam\" nor \"podIP\" is set: krafty needs one of them");
	for (size_t i = 0; i < n; i++)
		if ((rc = parse_pod_ip(s[i], c, err)) < 0)
			return rc;
	for (size_t i = 0; n && i < c->n_fam; i++)
		if (!c->fam[i].has_pod_ip)
			return cni_err(err, CNI_ERR_INVALID_CONFIG, "no %s podIP for subnet",
				       family_name(c->fam[i].subnet.ip.family));
	c->use_ipam = ctx->conf.ipam != NULL;
	if (c->use_ipam && check_binary) {
		char *path = NULL;
		int r = cni_find_plugin(ctx->env.path, ctx->conf.ipam_type, &path, err);

		free(path);
		if (r < 0)
			return cni_err_prefix(err, "ipam");
	}
	return 0;
}

/* The kernel's reserved tables: unspec (0), default (253), main (254), local (255). */
static bool table_reserved(uint32_t t)
{
	return t == RT_TABLE_UNSPEC || t == RT_TABLE_DEFAULT || t == RT_TABLE_MAIN ||
	       t == RT_TABLE_LOCAL;
}

/* FNV-32a of the network name. A hash below 256 (odds 1 in 16 million) is moved
 * up by 256: 0..255 are the tables that the kernel reserves and that operators
 * number by hand. */
static uint32_t derived_table(const char *netname)
{
	uint32_t t = cni_fnv32a_str(netname);

	return t < 256 ? t + 256 : t;
}

static int parse_table(const cJSON *root, struct kr_conf *c, struct cni_error *err)
{
	int rc;
	int64_t t = -1;

	if ((rc = cni_json_int(root, "vrfTable", false, 1, UINT32_MAX, &t, NULL, err)) < 0)
		return rc;
	if (t >= 0 && table_reserved((uint32_t)t))
		return cni_err(
		    err, CNI_ERR_INVALID_CONFIG,
		    "vrfTable %lld is reserved by the kernel (253 default, 254 main, 255 local)",
		    (long long)t);
	/* Without a VRF the host routes live in the main table: vrfTable is unused. */
	if (c->vrf)
		c->table = t >= 0 ? (uint32_t)t : derived_table(c->netname);
	return 0;
}

static int parse_options(const cJSON *root, struct kr_conf *c, struct cni_error *err)
{
	int rc;
	int64_t mtu = 0, metric = KR_DEFAULT_ROUTE_METRIC, spares = KR_DEFAULT_SPARES;

	c->vrf = true;
	if ((rc = cni_json_bool(root, "vrf", false, &c->vrf, NULL, err)) < 0 ||
	    (rc = cni_json_int(root, "mtu", false, 68, 65535, &mtu, NULL, err)) < 0 ||
	    (rc = cni_json_int(root, "defaultRouteMetric", false, 0, UINT32_MAX, &metric, NULL,
			       err)) < 0 ||
	    (rc = cni_json_int(root, "spares", false, 0, KR_MAX_SPARES, &spares, NULL, err)) < 0)
		return rc;
	c->spares = (int)spares;
	c->mtu = (unsigned int)mtu;
	c->default_metric = (uint32_t)metric;
	return parse_table(root, c, err);
}

int kr_conf_load(const struct cni_ctx *ctx, bool check_ipam_binary, struct kr_conf *conf,
		 struct cni_error *err)
{
	int rc;
	const cJSON *root = ctx->conf.root;

	memset(conf, 0, sizeof(*conf));
	conf->netname = ctx->conf.name;
	if ((rc = parse_subnets(root, conf, err)) < 0 ||
	    (rc = parse_gateways(root, conf, err)) < 0 ||
	    (rc = parse_addressing(ctx, conf, check_ipam_binary, err)) < 0 ||
	    (rc = parse_options(root, conf, err)) < 0)
		return rc;
	return 0;
}

const struct kr_family *kr_conf_family(const struct kr_conf *conf, int family)
{
	for (size_t i = 0; i < conf->n_fam; i++)
		if (conf->fam[i].subnet.ip.family == family)
			return &conf->fam[i];
	return NULL;
}

uint32_t kr_conf_route_table(const struct kr_conf *conf)
{
	return conf->vrf ? conf->table : RT_TABLE_MAIN;
}
