#include "result.h"

#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "version.h"

struct cni_result *cni_result_new(void)
{
	return calloc(1, sizeof(struct cni_result));
}

void cni_result_free(struct cni_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_interfaces; i++) {
		free(r->interfaces[i].name);
		free(r->interfaces[i].mac);
		free(r->interfaces[i].sandbox);
	}
	free(r->interfaces);
	free(r->ips);
	free(r->routes);
	cJSON_Delete(r->dns);
	free(r->cni_version);
	free(r);
}

static int grow(void **arr, size_t *n, size_t size, struct cni_error *err)
{
	void *p = realloc(*arr, (*n + 1) * size);

	if (!p)
		return cni_err(err, CNI_ERR_IO, "out of memory");
	memset((char *)p + *n * size, 0, size);
	*arr = p;
	return (int)(*n)++;
}

static int dup_or_null(const char *s, char **out, struct cni_error *err)
{
	*out = NULL;
	if (s && !(*out = strdup(s)))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	return 0;
}

int cni_result_add_interface(struct cni_result *r, const char *name, const char *mac,
			     const char *sandbox, struct cni_error *err)
{
	int rc;
	int i = grow((void **)&r->interfaces, &r->n_interfaces, sizeof(*r->interfaces), err);

	if (i < 0 || !r->interfaces) /* grow() set it when it returned an index */
		return i < 0 ? i : -EIO;
	if ((rc = dup_or_null(name ? name : "", &r->interfaces[i].name, err)) < 0 ||
	    (rc = dup_or_null(mac, &r->interfaces[i].mac, err)) < 0 ||
	    (rc = dup_or_null(sandbox, &r->interfaces[i].sandbox, err)) < 0)
		return rc;
	return i;
}

int cni_result_add_ip(struct cni_result *r, const struct cni_prefix *addr, const struct cni_ip *gw,
		      int interface, struct cni_error *err)
{
	int i = grow((void **)&r->ips, &r->n_ips, sizeof(*r->ips), err);

	if (i < 0 || !r->ips)
		return i < 0 ? i : -EIO;
	r->ips[i].address = *addr;
	if (gw)
		r->ips[i].gateway = *gw;
	r->ips[i].interface = interface;
	return i;
}

int cni_result_add_route(struct cni_result *r, const struct cni_prefix *dst,
			 const struct cni_ip *gw, struct cni_error *err)
{
	int i = grow((void **)&r->routes, &r->n_routes, sizeof(*r->routes), err);

	if (i < 0 || !r->routes)
		return i < 0 ? i : -EIO;
	r->routes[i].dst = *dst;
	if (gw)
		r->routes[i].gw = *gw;
	r->routes[i].mtu = r->routes[i].advmss = r->routes[i].scope = -1;
	r->routes[i].priority = r->routes[i].table = -1;
	return i;
}

int cni_result_find_interface(const struct cni_result *r, const char *name, const char *sandbox)
{
	for (size_t i = 0; i < r->n_interfaces; i++) {
		const struct cni_iface *f = &r->interfaces[i];

		if (strcmp(f->name, name) != 0)
			continue;
		if (sandbox && (!f->sandbox || strcmp(f->sandbox, sandbox) != 0))
			continue;
		return (int)i;
	}
	return -1;
}

struct cni_result *cni_result_dup(const struct cni_result *r, struct cni_error *err)
{
	struct cni_result *d = cni_result_new();

	if (!d)
		goto oom;
	for (size_t i = 0; i < r->n_interfaces; i++) {
		const struct cni_iface *f = &r->interfaces[i];

		if (cni_result_add_interface(d, f->name, f->mac, f->sandbox, err) < 0)
			goto fail;
		d->interfaces[i].mtu = f->mtu;
	}
	if (r->n_ips && !(d->ips = malloc(r->n_ips * sizeof(*r->ips))))
		goto oom;
	if (r->n_ips)
		memcpy(d->ips, r->ips, r->n_ips * sizeof(*r->ips));
	d->n_ips = r->n_ips;
	if (r->n_routes && !(d->routes = malloc(r->n_routes * sizeof(*r->routes))))
		goto oom;
	if (r->n_routes)
		memcpy(d->routes, r->routes, r->n_routes * sizeof(*r->routes));
	d->n_routes = r->n_routes;
	if (r->dns && !(d->dns = cJSON_Duplicate(r->dns, 1)))
		goto oom;
	if (dup_or_null(r->cni_version, &d->cni_version, err) < 0)
		goto fail;
	return d;
oom:
	cni_err(err, CNI_ERR_IO, "out of memory");
fail:
	cni_result_free(d);
	return NULL;
}

/* ---- parsing ---- */

static int parse_interfaces(struct cni_result *r, const cJSON *arr, struct cni_error *err)
{
	int rc;
	const cJSON *it;
	int idx = 0;

	cJSON_ArrayForEach(it, arr)
	{
		const char *name = NULL, *mac = NULL, *sandbox = NULL;
		char what[48];
		int64_t mtu = 0;
		int i;

		snprintf(what, sizeof(what), "prevResult interfaces[%d]", idx++);
		if (!cJSON_IsObject(it))
			return cni_err(err, CNI_ERR_DECODE, "%s is not an object", what);
		if ((rc = cni_json_string(it, "name", true, &name, what, err)) < 0 ||
		    (rc = cni_json_string(it, "mac", false, &mac, what, err)) < 0 ||
		    (rc = cni_json_string(it, "sandbox", false, &sandbox, what, err)) < 0 ||
		    (rc = cni_json_int(it, "mtu", false, 0, 1 << 20, &mtu, what, err)) < 0)
			return rc;
		if ((i = cni_result_add_interface(r, name, mac && *mac ? mac : NULL,
						  sandbox && *sandbox ? sandbox : NULL, err)) < 0)
			return i;
		r->interfaces[i].mtu = (int)mtu;
	}
	return 0;
}

static int parse_ips(struct cni_result *r, const cJSON *arr, const char *version,
		     struct cni_error *err)
{
	int rc;
	const cJSON *it;
	int idx = 0;

	cJSON_ArrayForEach(it, arr)
	{
		const char *address = NULL, *gateway = NULL, *ipver = NULL;
		struct cni_prefix addr;
		struct cni_ip gw = {0};
		int64_t iface = -1;
		char what[40];

		snprintf(what, sizeof(what), "prevResult ips[%d]", idx++);
		if (!cJSON_IsObject(it))
			return cni_err(err, CNI_ERR_DECODE, "%s is not an object", what);
		if ((rc = cni_json_string(it, "address", true, &address, what, err)) < 0 ||
		    (rc = cni_json_string(it, "gateway", false, &gateway, what, err)) < 0 ||
		    (rc = cni_json_string(it, "version", false, &ipver, what, err)) < 0 ||
		    (rc = cni_json_int(it, "interface", false, 0, 1 << 20, &iface, what, err)) < 0)
			return rc;
		if (cni_prefix_parse(address, &addr) < 0)
			return cni_err(err, CNI_ERR_DECODE, "%s: invalid address %.64s", what,
				       address);
		if (gateway && *gateway && cni_ip_parse(gateway, &gw) < 0)
			return cni_err(err, CNI_ERR_DECODE, "%s: invalid gateway %.64s", what,
				       gateway);
		if (gw.family && gw.family != addr.ip.family)
			return cni_err(err, CNI_ERR_DECODE,
				       "%s: gateway and address families differ", what);
		if (ipver && cni_version_cmp(version, "1.0.0") < 0 &&
		    strcmp(ipver, addr.ip.family == AF_INET ? "4" : "6") != 0)
			return cni_err(err, CNI_ERR_DECODE,
				       "%s: version %.8s does not match address %s", what, ipver,
				       address);
		if (iface >= (int64_t)r->n_interfaces)
			return cni_err(err, CNI_ERR_DECODE, "%s: interface %lld out of range", what,
				       (long long)iface);
		if ((rc = cni_result_add_ip(r, &addr, gw.family ? &gw : NULL, (int)iface, err)) < 0)
			return rc;
	}
	return 0;
}

static int parse_routes(struct cni_result *r, const cJSON *arr, struct cni_error *err)
{
	int rc;
	const cJSON *it;
	int idx = 0;

	cJSON_ArrayForEach(it, arr)
	{
		const char *dst = NULL, *gwstr = NULL;
		struct cni_prefix p;
		struct cni_ip gw = {0};
		int64_t mtu = -1, advmss = -1, prio = -1, table = -1, scope = -1;
		char what[40];
		int i;

		snprintf(what, sizeof(what), "routes[%d]", idx++);
		if (!cJSON_IsObject(it))
			return cni_err(err, CNI_ERR_DECODE, "%s is not an object", what);
		if ((rc = cni_json_string(it, "dst", true, &dst, what, err)) < 0 ||
		    (rc = cni_json_string(it, "gw", false, &gwstr, what, err)) < 0 ||
		    (rc = cni_json_int(it, "mtu", false, 0, 1 << 20, &mtu, what, err)) < 0 ||
		    (rc = cni_json_int(it, "advmss", false, 0, 1 << 20, &advmss, what, err)) < 0 ||
		    (rc = cni_json_int(it, "priority", false, 0, UINT32_MAX, &prio, what, err)) <
			0 ||
		    (rc = cni_json_int(it, "table", false, 0, UINT32_MAX, &table, what, err)) < 0 ||
		    (rc = cni_json_int(it, "scope", false, 0, 255, &scope, what, err)) < 0)
			return rc;
		if (cni_prefix_parse(dst, &p) < 0)
			return cni_err(err, CNI_ERR_DECODE, "%s: invalid dst %.64s", what, dst);
		if (gwstr && *gwstr && cni_ip_parse(gwstr, &gw) < 0)
			return cni_err(err, CNI_ERR_DECODE, "%s: invalid gw %.64s", what, gwstr);
		if ((i = cni_result_add_route(r, &p, gw.family ? &gw : NULL, err)) < 0)
			return i;
		r->routes[i].mtu = (int)mtu;
		r->routes[i].advmss = (int)advmss;
		r->routes[i].priority = prio;
		r->routes[i].table = table;
		r->routes[i].scope = (int)scope;
	}
	return 0;
}

/* The list `key` of json, NULL when absent; at most CNI_RESULT_MAX_ENTRIES. */
static int result_list(const cJSON *json, const char *key, const cJSON **arr, struct cni_error *err)
{
	int rc;

	*arr = NULL;
	if ((rc = cni_json_array(json, key, false, arr, "result", err)) < 0)
		return rc;
	if (*arr && cJSON_GetArraySize(*arr) > CNI_RESULT_MAX_ENTRIES)
		return cni_err(err, CNI_ERR_DECODE, "result: more than %d %s",
			       CNI_RESULT_MAX_ENTRIES, key);
	return 0;
}

int cni_result_parse(const cJSON *json, const char *version, struct cni_result **out,
		     struct cni_error *err)
{
	struct cni_result *r;
	const cJSON *arr = NULL, *dns = NULL;
	const char *v = version;

	*out = NULL;
	if (!cJSON_IsObject(json))
		return cni_err(err, CNI_ERR_DECODE, "result is not a JSON object");
	if (cni_json_string(json, "cniVersion", false, &v, "result", err) < 0)
		return cni_err_wrap(err, CNI_ERR_DECODE, "cannot decode result");
	if (!v)
		v = version;
	if (!cni_version_supported(v))
		return cni_err(err, CNI_ERR_INCOMPATIBLE_VERSION,
			       "result version %.16s is not supported", v ? v : "(none)");
	if (!(r = cni_result_new()) || !(r->cni_version = strdup(v))) {
		cni_result_free(r);
		return cni_err(err, CNI_ERR_IO, "out of memory");
	}
	if (result_list(json, "interfaces", &arr, err) < 0 ||
	    (arr && parse_interfaces(r, arr, err) < 0))
		goto fail;
	if (result_list(json, "ips", &arr, err) < 0 || (arr && parse_ips(r, arr, v, err) < 0))
		goto fail;
	if (result_list(json, "routes", &arr, err) < 0 || (arr && parse_routes(r, arr, err) < 0))
		goto fail;
	if (cni_json_object(json, "dns", false, &dns, "result", err) < 0)
		goto fail;
	if (dns && !(r->dns = cJSON_Duplicate(dns, 1))) {
		cni_err(err, CNI_ERR_IO, "out of memory");
		goto fail;
	}
	*out = r;
	return 0;
fail:
	cni_result_free(r);
	/* The JSON getters speak of configs; a result that breaks their rules is
	 * one we cannot decode (code 6). */
	if (err->code == CNI_ERR_INVALID_CONFIG)
		return cni_err_wrap(err, CNI_ERR_DECODE, "cannot decode result");
	return -err->errnum;
}

/* ---- rendering ---- */

static cJSON *add_str(cJSON *obj, const char *key, const char *value)
{
	return cJSON_AddStringToObject(obj, key, value);
}

static int render_interfaces(cJSON *root, const struct cni_result *r, bool v110)
{
	cJSON *arr = cJSON_AddArrayToObject(root, "interfaces");

	if (!arr)
		return -ENOMEM;
	for (size_t i = 0; i < r->n_interfaces; i++) {
		const struct cni_iface *f = &r->interfaces[i];
		cJSON *o = cJSON_CreateObject();

		if (!o || !cJSON_AddItemToArray(arr, o) || !add_str(o, "name", f->name))
			return -ENOMEM;
		if (f->mac && !add_str(o, "mac", f->mac))
			return -ENOMEM;
		if (v110 && f->mtu > 0 && !cJSON_AddNumberToObject(o, "mtu", f->mtu))
			return -ENOMEM;
		if (f->sandbox && !add_str(o, "sandbox", f->sandbox))
			return -ENOMEM;
	}
	return 0;
}

static int render_ips(cJSON *root, const struct cni_result *r, bool pre100)
{
	cJSON *arr = cJSON_AddArrayToObject(root, "ips");

	if (!arr)
		return -ENOMEM;
	for (size_t i = 0; i < r->n_ips; i++) {
		const struct cni_ipconf *ip = &r->ips[i];
		char addr[CNI_PREFIX_STRLEN], gw[CNI_IP_STRLEN];
		cJSON *o = cJSON_CreateObject();

		if (!o || !cJSON_AddItemToArray(arr, o))
			return -ENOMEM;
		if (pre100 && !add_str(o, "version", ip->address.ip.family == AF_INET ? "4" : "6"))
			return -ENOMEM;
		if (ip->interface >= 0 && !cJSON_AddNumberToObject(o, "interface", ip->interface))
			return -ENOMEM;
		cni_prefix_format(&ip->address, addr);
		if (!add_str(o, "address", addr))
			return -ENOMEM;
		if (ip->gateway.family) {
			cni_ip_format(&ip->gateway, gw);
			if (!add_str(o, "gateway", gw))
				return -ENOMEM;
		}
	}
	return 0;
}

static int render_routes(cJSON *root, const struct cni_result *r, bool v110)
{
	cJSON *arr = cJSON_AddArrayToObject(root, "routes");

	if (!arr)
		return -ENOMEM;
	for (size_t i = 0; i < r->n_routes; i++) {
		const struct cni_route *rt = &r->routes[i];
		char dst[CNI_PREFIX_STRLEN], gw[CNI_IP_STRLEN];
		cJSON *o = cJSON_CreateObject();
		struct {
			const char *key;
			int64_t value;
		} extra[] = {{"mtu", rt->mtu},
			     {"advmss", rt->advmss},
			     {"priority", rt->priority},
			     {"table", rt->table},
			     {"scope", rt->scope}};

		if (!o || !cJSON_AddItemToArray(arr, o))
			return -ENOMEM;
		cni_prefix_format(&rt->dst, dst);
		if (!add_str(o, "dst", dst))
			return -ENOMEM;
		if (rt->gw.family) {
			cni_ip_format(&rt->gw, gw);
			if (!add_str(o, "gw", gw))
				return -ENOMEM;
		}
		for (size_t k = 0; v110 && k < sizeof(extra) / sizeof(extra[0]); k++)
			if (extra[k].value >= 0 &&
			    !cJSON_AddNumberToObject(o, extra[k].key, (double)extra[k].value))
				return -ENOMEM;
	}
	return 0;
}

cJSON *cni_result_to_json(const struct cni_result *r, const char *version, struct cni_error *err)
{
	cJSON *root;
	bool pre100 = cni_version_cmp(version, "1.0.0") < 0;
	bool v110 = cni_version_cmp(version, "1.1.0") >= 0;

	if (!cni_version_supported(version)) {
		cni_err(err, CNI_ERR_INCOMPATIBLE_VERSION, "cannot convert result to version %.16s",
			version ? version : "(none)");
		return NULL;
	}
	root = cJSON_CreateObject();
	if (!root || !add_str(root, "cniVersion", version))
		goto oom;
	if (r->n_interfaces && render_interfaces(root, r, v110) < 0)
		goto oom;
	if (r->n_ips && render_ips(root, r, pre100) < 0)
		goto oom;
	if (r->n_routes && render_routes(root, r, v110) < 0)
		goto oom;
	if (r->dns) {
		cJSON *d = cJSON_Duplicate(r->dns, 1);

		if (!d || !cJSON_AddItemToObject(root, "dns", d)) {
			cJSON_Delete(d);
			goto oom;
		}
	} else if (!cJSON_AddObjectToObject(root, "dns")) {
		goto oom;
	}
	return root;
oom:
	cJSON_Delete(root);
	cni_err(err, CNI_ERR_IO, "out of memory rendering result");
	return NULL;
}

int cni_result_print(const struct cni_result *r, const char *version, struct cni_error *err)
{
	cleanup_json cJSON *j = cni_result_to_json(r, version, err);

	if (!j)
		return -err->errnum;
	return cni_json_print(j, err);
}
