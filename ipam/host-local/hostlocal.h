/* host-local IPAM: the types shared by its parts.
 *   config.c    the ipam section: range sets, routes, dataDir, resolvConf, requested IPs
 *   allocator.c which addresses a range set holds and the round-robin search for a free one
 *   store.c     the on-disk store of the reference plugin: <dataDir>/<network>/<ip>, lock
 *   index.c     the (containerID, ifname) -> addresses index that keeps DEL and ADD O(1)
 *   dns.c       the result's dns from resolvConf
 *   commands.c  ADD, DEL, CHECK, STATUS, GC
 *   fileio.c    small dirfd-relative file helpers
 */
#ifndef HOSTLOCAL_H
#define HOSTLOCAL_H

#include <stdbool.h>
#include <stddef.h>

#include "cni/error.h"
#include "cni/ip.h"
#include "cni/plugin.h"
#include "cni/result.h"

#define HL_DEFAULT_DATA_DIR "/var/lib/cni/networks"
/* Range sets in one config, and addresses one attachment can hold: one per range set, and
 * room for more left from earlier configs. */
#define HL_MAX_SETS 16
#define HL_MAX_HELD 64

/* Plugin-specific error codes (the spec reserves 100 and up for plugins). */
enum {
	HL_ERR_EXHAUSTED = 100,	  /* no address left in a range set */
	HL_ERR_UNAVAILABLE = 101, /* the requested address is held by another attachment */
};

struct hl_range {
	struct cni_prefix subnet; /* network address, host bits clear */
	struct cni_ip start, end; /* inclusive */
	struct cni_ip gateway;
};

struct hl_range_set {
	struct hl_range *ranges;
	size_t n;
};

/* An address asked for by the runtime; `code` is the error code to use when it cannot be
 * honoured (CNI_ARGS is the environment: 4; runtimeConfig and args are config: 7). */
struct hl_request {
	struct cni_ip ip;
	int code;
	const char *source;
	int set; /* range set it belongs to, -1 while unassigned */
};

struct hl_config {
	const char *name;
	const char *data_dir;
	const char *resolv_conf; /* NULL: no DNS in the result */
	struct hl_range_set *sets;
	size_t n_sets;
	struct cni_route *routes;
	size_t n_routes;
	struct hl_request *requests;
	size_t n_requests;
};

/* The owner recorded in an address file: "<id>\r\n<ifname>", or the legacy "<id>" alone
 * (ifname NULL). Pointers point into buf. */
struct hl_owner {
	char buf[1024];
	const char *id;
	const char *ifname;
};

/* config.c */
int hl_config_load(struct hl_config *cfg, const struct cni_ctx *ctx, bool with_requests,
		   struct cni_error *err);
void hl_config_free(struct hl_config *cfg);
/* IPv4-mapped IPv6 addresses become IPv4, as the reference canonicalizes them. */
void hl_ip_canonical(struct cni_ip *ip);
/* The text form Go's net.IP.String() gives, which the reference uses as file name. */
void hl_ip_name(const struct cni_ip *ip, char buf[CNI_IP_STRLEN]);
int hl_parse_ip_name(const char *name, struct cni_ip *ip);

/* allocator.c */
const struct hl_range *hl_range_for(const struct hl_range_set *set, const struct cni_ip *ip);
/* Gateway, network address and IPv4 broadcast: never handed out. */
bool hl_ip_reserved(const struct hl_range *r, const struct cni_ip *ip);
void hl_range_set_describe(const struct hl_range_set *set, char *buf, size_t size);
struct hl_store;
/* Reserve the next free address of range set `idx` for the owner, round robin from
 * last_reserved_ip.<idx>. Code HL_ERR_EXHAUSTED when every address is held. */
int hl_allocate(struct hl_store *st, const struct hl_range_set *set, int idx, const char *id,
		const char *ifname, struct cni_ip *out, struct cni_error *err);

/* dns.c: the result's dns from a resolv.conf file, parsed as the reference does. */
int hl_dns_load(const char *path, cJSON **out, struct cni_error *err);

/* commands.c: the handlers main.c gives the dispatcher. */
int hl_cmd_add(struct cni_ctx *ctx, struct cni_error *err);
int hl_cmd_del(struct cni_ctx *ctx, struct cni_error *err);
int hl_cmd_check(struct cni_ctx *ctx, struct cni_error *err);
int hl_cmd_status(struct cni_ctx *ctx, struct cni_error *err);
int hl_cmd_gc(struct cni_ctx *ctx, struct cni_error *err);

#endif
