/* The CNI result (interfaces, ips, routes, dns) and its conversion between
 * spec versions: 0.3.0/0.3.1/0.4.0 carry "version" in each ip; 1.x do not. */
#ifndef CNI_RESULT_H
#define CNI_RESULT_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "cleanup.h"
#include "error.h"
#include "ip.h"

struct cni_iface {
	char *name;
	char *mac;     /* may be NULL */
	char *sandbox; /* may be NULL: a host-side interface */
	int mtu;       /* 1.1.0; 0 = unset */
};

struct cni_ipconf {
	struct cni_prefix address;
	struct cni_ip gateway; /* family 0 = none */
	int interface;	       /* index into interfaces, -1 = none */
};

struct cni_route {
	struct cni_prefix dst;
	struct cni_ip gw;	 /* family 0 = none */
	int mtu, advmss, scope;	 /* 1.1.0; -1 = unset */
	int64_t priority, table; /* 1.1.0; unsigned 32-bit in the kernel; -1 = unset */
};

struct cni_result {
	char *cni_version; /* version it was parsed from, or NULL */
	struct cni_iface *interfaces;
	size_t n_interfaces;
	struct cni_ipconf *ips;
	size_t n_ips;
	struct cni_route *routes;
	size_t n_routes;
	cJSON *dns; /* owned copy, may be NULL */
};

/* A result with more interfaces, IPs or routes than this is refused when
 * parsed (code 6): no plugin makes one, and each entry costs the plugins that
 * act on it a netlink request. */
#define CNI_RESULT_MAX_ENTRIES 1024

struct cni_result *cni_result_new(void);
void cni_result_free(struct cni_result *r);
DEFINE_CLEANUP_FUNC(struct cni_result *, cni_result_free)
#define cleanup_result _cleanup_(cni_result_freep)

/* Append; return the new element's index, or a negative errno on OOM (err set). */
int cni_result_add_interface(struct cni_result *r, const char *name, const char *mac,
			     const char *sandbox, struct cni_error *err);
int cni_result_add_ip(struct cni_result *r, const struct cni_prefix *addr, const struct cni_ip *gw,
		      int interface, struct cni_error *err);
int cni_result_add_route(struct cni_result *r, const struct cni_prefix *dst,
			 const struct cni_ip *gw, struct cni_error *err);
/* Index of the interface with that name and sandbox (NULL sandbox matches any), or -1. */
int cni_result_find_interface(const struct cni_result *r, const char *name, const char *sandbox);
/* Deep copy. */
struct cni_result *cni_result_dup(const struct cni_result *r, struct cni_error *err);

/* Parse a result object of any supported version (0.3.0 .. 1.1.0). */
int cni_result_parse(const cJSON *json, const char *version, struct cni_result **out,
		     struct cni_error *err);
/* Render in the given version. */
cJSON *cni_result_to_json(const struct cni_result *r, const char *version, struct cni_error *err);
/* Print to stdout in the given version. */
int cni_result_print(const struct cni_result *r, const char *version, struct cni_error *err);

#endif
