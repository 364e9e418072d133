/* The ipam section, read as the reference host-local reads it:
 *   ranges: [[{subnet, rangeStart, rangeEnd, gateway}, ...], ...]  one address per range set
 *   subnet/rangeStart/rangeEnd/gateway at the ipam level: a range set of its own, first
 *   runtimeConfig.ipRanges: range sets from the runtime, before all others
 *   routes, dataDir, resolvConf
 * and the requested addresses from CNI_ARGS IP=, args.cni.ips and runtimeConfig.ips. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addrname.h"
#include "cni/array.h"
#include "cni/json.h"
#include "rangeiter.h"

/* ---- ranges ---- */

/* An optional address key; "" counts as absent, as in the reference. */
static int optional_ip(const cJSON *obj, const char *key, const char *what, struct cni_ip *out,
		       struct cni_error *err)
{
	const char *s = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = cni_json_string(obj, key, false, &s, what, err)) < 0)
		return rc;
	if (!s || !*s)
		return 0;
	if (cni_ip_parse(s, out) < 0)
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "%s: invalid %s \"%.64s\"", what, key,
			       s);
	hl_ip_canonical(out);
	return 0;
}

static int parse_subnet(const cJSON *obj, const char *what, struct cni_prefix *out,
			struct cni_error *err)
{
	const char *s = NULL;
	struct cni_prefix net;
	char buf[CNI_IP_STRLEN];
	int bits, rc;

	if ((rc = cni_json_string(obj, "subnet", true, &s, what, err)) < 0)
		return rc;
	if (cni_prefix_parse(s, out) < 0)
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "%s: invalid subnet \"%.64s\"", what,
			       s);
	if (hl_ip_is_v4_mapped(&out->ip))
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "%s: subnet %s is an IPv4-mapped IPv6 prefix; write it as IPv4",
			       what, s);
	net = cni_prefix_network(out);
	if (!cni_ip_equal(&net.ip, &out->ip)) {
		hl_ip_name(&net.ip, buf);
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "%s: subnet %s has host bits set (the network address is %s)", what,
			       s, buf);
	}
	bits = cni_ip_bytes(&out->ip) * 8;
	if (out->len > bits - 2)
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "%s: subnet %s is too small to allocate from", what, s);
	return 0;
}

static int require_in_subnet(const struct hl_range *r, const struct cni_ip *ip, const char *key,
			     const char *what, struct cni_error *err)
{
	char a[CNI_IP_STRLEN], n[CNI_PREFIX_STRLEN];

	if (cni_prefix_contains(&r->subnet, ip))
		return 0;
	hl_ip_name(ip, a);
	cni_prefix_format(&r->subnet, n);
	return cni_err(err, CNI_ERR_INVALID_CONFIG, "%s: %s %s is not in subnet %s", what, key, a,
		       n);
}

/* Fill the defaults as the reference does: gateway and rangeStart are network+1 (the
 * iterator skips the gateway), rangeEnd the last address, less the IPv4 broadcast. */
static int parse_range(const cJSON *obj, const char *what, struct hl_range *r,
		       struct cni_error *err)
{
	char a[CNI_IP_STRLEN], b[CNI_IP_STRLEN];
	int rc;

	if (!cJSON_IsObject(obj))
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "%s must be an object", what);
	if ((rc = parse_subnet(obj, what, &r->subnet, err)) < 0 ||
	    (rc = optional_ip(obj, "gateway", what, &r->gateway, err)) < 0 ||
	    (rc = optional_ip(obj, "rangeStart", what, &r->start, err)) < 0 ||
	    (rc = optional_ip(obj, "rangeEnd", what, &r->end, err)) < 0)
		return rc;
	if (!r->gateway.family)
		r->gateway = cni_ip_add(&r->subnet.ip, 1);
	if (!r->start.family)
		r->start = cni_ip_add(&r->subnet.ip, 1);
	if (!r->end.family) {
		r->end = cni_prefix_last(&r->subnet);
		if (r->end.family == AF_INET)
			r->end = cni_ip_add(&r->end, -1);
	}
	if ((rc = require_in_subnet(r, &r->gateway, "gateway", what, err)) < 0 ||
	    (rc = require_in_subnet(r, &r->start, "rangeStart", what, err)) < 0 ||
	    (rc = require_in_subnet(r, &r->end, "rangeEnd", what, err)) < 0)
		return rc;
	if (cni_ip_cmp(&r->start, &r->end) > 0) {
		hl_ip_name(&r->start, a);
		hl_ip_name(&r->end, b);
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "%s: rangeStart %s is after rangeEnd %s", what, a, b);
	}
	return 0;
}

static int overlap_error(const struct hl_range *x, const struct hl_range *y, const char *what,
			 struct cni_error *err)
{
	char a[CNI_IP_STRLEN], b[CNI_IP_STRLEN], c[CNI_IP_STRLEN], d[CNI_IP_STRLEN];

	hl_ip_name(&x->start, a);
	hl_ip_name(&x->end, b);
	hl_ip_name(&y->start, c);
	hl_ip_name(&y->end, d);
	return cni_err(err, CNI_ERR_INVALID_CONFIG, "%s: ranges %s-%s and %s-%s overlap", what, a,
		       b, c, d);
}

static int parse_range_set(const cJSON *arr, const char *what, struct hl_range_set *set,
			   struct cni_error *err)
{
	const cJSON *it;
	size_t n;
	int rc;

	snprintf(set->what, sizeof(set->what), "%s", what);
	if (!cJSON_IsArray(arr))
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "%s must be a list of ranges", what);
	n = (size_t)cJSON_GetArraySize(arr);
	if (n == 0)
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "%s is an empty range set", what);
	if (n > HL_MAX_RANGES)
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "%s: more than %d ranges", what,
			       HL_MAX_RANGES);
	if (!(set->ranges = calloc(n, sizeof(*set->ranges))))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	cJSON_ArrayForEach(it, arr)
	{
		struct hl_range *r = &set->ranges[set->n];
		char rwhat[96];

		snprintf(rwhat, sizeof(rwhat), "%s[%zu]", what, set->n);
		if ((rc = parse_range(it, rwhat, r, err)) < 0)
			return rc;
		set->n++;
		if (r->subnet.ip.family != set->ranges[0].subnet.ip.family)
			return cni_err(err, CNI_ERR_INVALID_CONFIG, "%s: mixed address families",
				       what);
	}
	return 0;
}

/* Parse one more range set into sets (an array of struct hl_range_set). */
static int append_set(struct cni_array *sets, const cJSON *arr, const char *what,
		      struct cni_error *err)
{
	struct hl_range_set *set;

	if (sets->n == HL_MAX_SETS)
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "%s: more than %d range sets", what,
			       HL_MAX_SETS);
	/* The cap is checked above, with a message that names the key. */
	if (!(set = CNI_ARRAY_PUSH(sets, struct hl_range_set, 0, "range sets", err)))
		return -err->errnum;
	return parse_range_set(arr, what, set, err);
}

static int append_set_list(struct cni_array *sets, const cJSON *list, const char *what,
			   struct cni_error *err)
{
	const cJSON *it;
	int i = 0, rc;

	cJSON_ArrayForEach(it, list)
	{
		char swhat[64];

		snprintf(swhat, sizeof(swhat), "%s[%d]", what, i++);
		if ((rc = append_set(sets, it, swhat, err)) < 0)
			return rc;
	}
	return 0;
}

/* The legacy single range lives at the ipam level; the reference ignores its other keys
 * when subnet is absent, which hides mistakes, so we refuse them. */
static int parse_legacy_range(struct cni_array *sets, const cJSON *ipam, struct cni_error *err)
{
	static const char *const keys[] = {"rangeStart", "rangeEnd", "gateway"};
	const cJSON *subnet = cJSON_GetObjectItemCaseSensitive(ipam, "subnet");
	cleanup_json cJSON *wrap = NULL;

	if (!subnet || cJSON_IsNull(subnet)) {
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(ipam, keys[i]);

			if (v && !cJSON_IsNull(v))
				return cni_err(err, CNI_ERR_INVALID_CONFIG,
					       "ipam: %s given without subnet", keys[i]);
		}
		return 0;
	}
	/* A one-range set made of the ipam object itself (parse_range reads only its keys). */
	if (!(wrap = cJSON_CreateArray()) || !cJSON_AddItemReferenceToArray(wrap, (cJSON *)ipam))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	return append_set(sets, wrap, "ipam", err);
}

/* One range of the config, and where it is. */
struct range_tag {
	const struct hl_range *r;
	size_t set, idx;
};

static int tag_cmp(const void *a, const void *b)
{
	const struct range_tag *x = a, *y = b;
	int c = x->r->start.family - y->r->start.family;

	if (!c)
		c = cni_ip_cmp(&x->r->start, &y->r->start);
	if (!c)
		c = x->set != y->set ? (x->set > y->set) - (x->set < y->set)
				     : (x->idx > y->idx) - (x->idx < y->idx);
	return c;
}

/* x and y overlap: name the one the config has first first. */
static int tag_overlap_error(const struct hl_config *cfg, const struct range_tag *x,
			     const struct range_tag *y, struct cni_error *err)
{
	char what[64];

	if (x->set > y->set || (x->set == y->set && x->idx > y->idx)) {
		const struct range_tag *t = x;

		x = y;
		y = t;
	}
	if (x->set == y->set)
		return overlap_error(x->r, y->r, cfg->sets[x->set].what, err);
	snprintf(what, sizeof(what), "range sets %zu and %zu", x->set, y->set);
	return overlap_error(x->r, y->r, what, err);
}

/* The reference refuses ranges that share an address, in one range set or
 * across sets, even across subnets. Sorted by start, a range overlaps an
 * earlier one exactly when it starts before the largest end seen so far:
 * O(n log n) instead of comparing every pair. */
static int check_overlaps(const struct hl_config *cfg, struct cni_error *err)
{
	cleanup_free struct range_tag *tags = NULL;
	size_t n = 0, best = 0;

	for (size_t s = 0; s < cfg->n_sets; s++)
		n += cfg->sets[s].n;
	if (n < 2)
		return 0;
	if (!(tags = calloc(n, sizeof(*tags))))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	n = 0;
	for (size_t s = 0; s < cfg->n_sets; s++)
		for (size_t i = 0; i < cfg->sets[s].n; i++)
			tags[n++] = (struct range_tag){&cfg->sets[s].ranges[i], s, i};
	qsort(tags, n, sizeof(*tags), tag_cmp);
	for (size_t k = 1; k < n; k++) {
		if (hl_ranges_overlap(tags[best].r, tags[k].r))
			return tag_overlap_error(cfg, &tags[best], &tags[k], err);
		if (tags[k].r->start.family != tags[best].r->start.family ||
		    cni_ip_cmp(&tags[k].r->end, &tags[best].r->end) > 0)
			best = k;
	}
	return 0;
}

/* Range sets in the reference's order: the runtime's, the legacy one, then ipam.ranges. */
static int read_sets(struct cni_array *sets, const struct cni_ctx *ctx, struct cni_error *err)
{
	const cJSON *ipam = ctx->conf.ipam, *ranges = NULL, *rt_ranges = NULL;
	int rc;

	if (ctx->conf.runtime_config &&
	    (rc = cni_json_array(ctx->conf.runtime_config, "ipRanges", false, &rt_ranges,
				 "runtimeConfig", err)) < 0)
		return rc;
	if ((rc = cni_json_array(ipam, "ranges", false, &ranges, "ipam", err)) < 0)
		return rc;
	if ((rt_ranges &&
	     (rc = append_set_list(sets, rt_ranges, "runtimeConfig.ipRanges", err)) < 0) ||
	    (rc = parse_legacy_range(sets, ipam, err)) < 0 ||
	    (ranges && (rc = append_set_list(sets, ranges, "ipam.ranges", err)) < 0))
		return rc;
	return 0;
}

static int parse_sets(struct hl_config *cfg, const struct cni_ctx *ctx, struct cni_error *err)
{
	struct cni_array sets = CNI_ARRAY_INIT;
	int rc = read_sets(&sets, ctx, err);

	/* cfg owns what was read, also on failure: hl_config_free releases it. */
	cfg->sets = sets.v;
	cfg->n_sets = sets.n;
	if (rc < 0)
		return rc;
	if (cfg->n_sets == 0)
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "ipam: no IP ranges specified (give ranges or subnet)");
	return check_overlaps(cfg, err);
}

/* ---- routes ---- */

static int parse_route(const cJSON *obj, const char *what, struct cni_route *rt,
		       struct cni_error *err)
{
	const char *dst = NULL;
	struct cni_ip gw;
	int64_t v[5] = {-1, -1, -1, -1, -1};
	static const char *const extra[5] = {"mtu", "advmss", "priority", "table", "scope"};
	static const int64_t max[5] = {1 << 20, 1 << 20, UINT32_MAX, UINT32_MAX, 255};
	int rc;

	if (!cJSON_IsObject(obj))
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "%s must be an object", what);
	if ((rc = cni_json_string(obj, "dst", true, &dst, what, err)) < 0 ||
	    (rc = optional_ip(obj, "gw", what, &gw, err)) < 0)
		return rc;
	for (int i = 0; i < 5; i++)
		if ((rc = cni_json_int(obj, extra[i], false, 0, max[i], &v[i], what, err)) < 0)
			return rc;
	memset(rt, 0, sizeof(*rt));
	if (cni_prefix_parse(dst, &rt->dst) < 0)
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "%s: invalid dst \"%.64s\"", what, dst);
	if (gw.family && gw.family != rt->dst.ip.family)
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "%s: gw and dst families differ", what);
	rt->gw = gw;
	rt->mtu = (int)v[0];
	rt->advmss = (int)v[1];
	rt->priority = v[2];
	rt->table = v[3];
	rt->scope = (int)v[4];
	return 0;
}

static int parse_routes(struct hl_config *cfg, const cJSON *ipam, struct cni_error *err)
{
	const cJSON *arr = NULL, *it;
	size_t n;
	int rc;

	if ((rc = cni_json_array(ipam, "routes", false, &arr, "ipam", err)) < 0)
		return rc;
	if (!arr || !(n = (size_t)cJSON_GetArraySize(arr)))
		return 0;
	if (n > HL_MAX_ROUTES)
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "ipam.routes: more than %d routes",
			       HL_MAX_ROUTES);
	if (!(cfg->routes = calloc(n, sizeof(*cfg->routes))))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	cJSON_ArrayForEach(it, arr)
	{
		char what[48];

		snprintf(what, sizeof(what), "ipam.routes[%zu]", cfg->n_routes);
		if ((rc = parse_route(it, what, &cfg->routes[cfg->n_routes], err)) < 0)
			return rc;
		cfg->n_routes++;
	}
	return 0;
}

/* ---- requested addresses ---- */

/* Add one address to rqs (an array of struct hl_request), unless it is there already. */
static int add_request(struct cni_array *rqs, const char *text, size_t len, const char *source,
		       int code, struct cni_error *err)
{
	char buf[CNI_PREFIX_STRLEN + 1];
	struct cni_prefix p;
	struct cni_ip ip;
	struct hl_request *rq = rqs->v;

	if (len == 0)
		return 0;
	if (len >= sizeof(buf))
		return cni_err(err, code, "%s: invalid IP address \"%.*s\"", source, (int)len,
			       text);
	memcpy(buf, text, len);
	buf[len] = '\0';
	/* The ips capability carries CIDR notation ("10.1.2.3/24"); args carry bare addresses. */
	if (cni_prefix_parse(buf, &p) == 0)
		ip = p.ip;
	else if (cni_ip_parse(buf, &ip) < 0)
		return cni_err(err, code, "%s: invalid IP address \"%s\"", source, buf);
	hl_ip_canonical(&ip);
	for (size_t i = 0; i < rqs->n; i++)
		if (cni_ip_equal(&rq[i].ip, &ip))
			return 0;
	/* One address per range set: more distinct ones cannot all be honoured. */
	if (rqs->n == HL_MAX_SETS)
		return cni_err(err, code, "%s: more than %d distinct IP addresses requested",
			       source, HL_MAX_SETS);
	if (!(rq = CNI_ARRAY_PUSH(rqs, struct hl_request, 0, "requested IPs", err)))
		return -err->errnum;
	*rq = (struct hl_request){.ip = ip, .code = code, .source = source, .set = -1};
	return 0;
}

static int requests_from_json(struct cni_array *rqs, const cJSON *obj, const char *source,
			      struct cni_error *err)
{
	const cJSON *arr = NULL, *it;
	int rc;

	if (!obj)
		return 0;
	if ((rc = cni_json_array(obj, "ips", false, &arr, source, err)) < 0)
		return rc;
	cJSON_ArrayForEach(it, arr)
	{
		if (!cJSON_IsString(it))
			return cni_err(err, CNI_ERR_INVALID_CONFIG, "%s: ips must be strings",
				       source);
		if ((rc = add_request(rqs, it->valuestring, strlen(it->valuestring), source,
				      CNI_ERR_INVALID_CONFIG, err)) < 0)
			return rc;
	}
	return 0;
}

static int requests_from_env(struct cni_array *rqs, const struct cni_env *env,
			     struct cni_error *err)
{
	const char *list = cni_env_arg(env, "IP");
	int rc;

	/* IP=a,b,c: one address per range set, e.g. an IPv4 and an IPv6 one. */
	for (const char *p = list; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if ((rc = add_request(rqs, p, len, "CNI_ARGS IP", CNI_ERR_INVALID_ENV, err)) < 0)
			return rc;
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

static int reserved_request_error(const struct hl_request *rq, const struct hl_range *r,
				  struct cni_error *err)
{
	char a[CNI_IP_STRLEN];
	struct cni_ip last = cni_prefix_last(&r->subnet);
	const char *what = cni_ip_equal(&rq->ip, &r->gateway)	  ? "the gateway"
			   : cni_ip_equal(&rq->ip, &r->subnet.ip) ? "the network address"
			   : cni_ip_equal(&rq->ip, &last)	  ? "the broadcast address"
								  : "reserved";

	hl_ip_name(&rq->ip, a);
	return cni_err(err, rq->code, "%s: requested IP %s is %s of its subnet", rq->source, a,
		       what);
}

/* Each requested address must fall in one range set, at most one per set. */
static int assign_requests(struct hl_config *cfg, struct cni_error *err)
{
	for (size_t i = 0; i < cfg->n_requests; i++) {
		struct hl_request *rq = &cfg->requests[i];
		char a[CNI_IP_STRLEN];

		hl_ip_name(&rq->ip, a);
		for (size_t s = 0; s < cfg->n_sets && rq->set < 0; s++) {
			const struct hl_range *r = hl_range_for(&cfg->sets[s], &rq->ip);

			if (!r)
				continue;
			if (hl_ip_reserved(r, &rq->ip))
				return reserved_request_error(rq, r, err);
			rq->set = (int)s;
		}
		if (rq->set < 0)
			return cni_err(err, rq->code,
				       "%s: requested IP %s is not in any range of network %s",
				       rq->source, a, cfg->name);
		for (size_t j = 0; j < i; j++)
			if (cfg->requests[j].set == rq->set)
				return cni_err(err, rq->code,
					       "%s: requested IP %s is the second address asked "
					       "for in range set %d",
					       rq->source, a, rq->set);
	}
	return 0;
}

/* Requested addresses in the reference's order: CNI_ARGS, args, runtimeConfig. */
static int read_requests(struct cni_array *rqs, const struct cni_ctx *ctx, struct cni_error *err)
{
	const cJSON *cni_args = NULL;
	int rc;

	if (ctx->conf.args &&
	    (rc = cni_json_object(ctx->conf.args, "cni", false, &cni_args, "args", err)) < 0)
		return rc;
	if ((rc = requests_from_env(rqs, &ctx->env, err)) < 0 ||
	    (rc = requests_from_json(rqs, cni_args, "args.cni.ips", err)) < 0 ||
	    (rc = requests_from_json(rqs, ctx->conf.runtime_config, "runtimeConfig.ips", err)) < 0)
		return rc;
	return 0;
}

static int parse_requests(struct hl_config *cfg, const struct cni_ctx *ctx, struct cni_error *err)
{
	struct cni_array rqs = CNI_ARRAY_INIT;
	int rc = read_requests(&rqs, ctx, err);

	/* cfg owns what was read, also on failure: hl_config_free releases it. */
	cfg->requests = rqs.v;
	cfg->n_requests = rqs.n;
	return rc < 0 ? rc : assign_requests(cfg, err);
}

/* ---- the whole section ---- */

int hl_config_load(struct hl_config *cfg, const struct cni_ctx *ctx, bool with_requests,
		   struct cni_error *err)
{
	const cJSON *ipam = ctx->conf.ipam;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	cfg->name = ctx->conf.name;
	if (!ipam)
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "IPAM config missing \"ipam\" key");
	if ((rc = cni_json_string(ipam, "dataDir", false, &cfg->data_dir, "ipam", err)) < 0 ||
	    (rc = cni_json_string(ipam, "resolvConf", false, &cfg->resolv_conf, "ipam", err)) < 0)
		return rc;
	if (!cfg->data_dir || !*cfg->data_dir)
		cfg->data_dir = HL_DEFAULT_DATA_DIR;
	if (cfg->resolv_conf && !*cfg->resolv_conf)
		cfg->resolv_conf = NULL;
	/* Relative to what? The runtime's working directory is nobody's choice. */
	if (cfg->data_dir[0] != '/')
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "ipam.dataDir \"%.200s\" must be an absolute path", cfg->data_dir);
	if (cfg->resolv_conf && cfg->resolv_conf[0] != '/')
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "ipam.resolvConf \"%.200s\" must be an absolute path",
			       cfg->resolv_conf);
	if ((rc = parse_sets(cfg, ctx, err)) < 0 || (rc = parse_routes(cfg, ipam, err)) < 0)
		return rc;
	return with_requests ? parse_requests(cfg, ctx, err) : 0;
}

void hl_config_free(struct hl_config *cfg)
{
	for (size_t i = 0; i < cfg->n_sets; i++)
		free(cfg->sets[i].ranges);
	free(cfg->sets);
	free(cfg->routes);
	free(cfg->requests);
	memset(cfg, 0, sizeof(*cfg));
}
