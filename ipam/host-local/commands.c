/* ADD, DEL, CHECK, STATUS and GC. Each holds the network's lock from the first look at the
 * store to its last change, so a call sees and leaves a consistent directory. */
#include "commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addrname.h"
#include "allocator.h"
#include "cni/cleanup.h"
#include "config.h"
#include "dns.h"
#include "hostlocal.h"
#include "index.h"
#include "rangeiter.h"
#include "store.h"

static void config_freep(struct hl_config *cfg)
{
	hl_config_free(cfg);
}
#define cleanup_config __attribute__((cleanup(config_freep)))

static void store_closep(struct hl_store *st)
{
	hl_store_close(st);
}
#define cleanup_store __attribute__((cleanup(store_closep)))

struct held {
	struct cni_ip ips[HL_MAX_HELD];
	size_t n;
};

/* Open the network's store under its lock, with an index that matches it. */
static int open_store(const struct hl_config *cfg, struct hl_store *st, bool create, bool *missing,
		      struct cni_error *err)
{
	if (hl_store_open(st, cfg->data_dir, cfg->name, create, missing, err) < 0)
		return -1;
	if (missing && *missing)
		return 0;
	return hl_index_sync(st, err);
}

static int lookup(struct hl_store *st, const char *id, const char *ifname, struct held *h,
		  struct cni_error *err)
{
	return hl_index_lookup(st, id, ifname, h->ips, HL_MAX_HELD, &h->n, err);
}

static const struct cni_ip *held_in_set(const struct held *h, const struct hl_range_set *set)
{
	for (size_t i = 0; i < h->n; i++)
		if (hl_range_for(set, &h->ips[i]))
			return &h->ips[i];
	return NULL;
}

static const struct hl_request *request_for_set(const struct hl_config *cfg, int idx)
{
	for (size_t i = 0; i < cfg->n_requests; i++)
		if (cfg->requests[i].set == idx)
			return &cfg->requests[i];
	return NULL;
}

/* ---- ADD ---- */

/* What an ADD asks of one range set and what it got. */
struct slot {
	struct cni_ip ip;
	bool fresh; /* reserved by this call (not held before) */
};

static int reserve_requested(struct hl_store *st, const struct hl_request *rq, int idx,
			     const char *id, const char *ifname, struct cni_error *err)
{
	char a[CNI_IP_STRLEN];
	struct hl_owner owner;
	bool taken;

	if (hl_store_reserve(st, &rq->ip, id, ifname, &taken, err) < 0)
		return -1;
	if (!taken)
		return 0;
	hl_ip_name(&rq->ip, a);
	cni_err(err, HL_ERR_UNAVAILABLE,
		"requested IP %s (%s) in range set %d is held by another attachment", a, rq->source,
		idx);
	if (hl_store_read_owner(st, a, &owner) == 0)
		cni_err_details(err, "held by container %s, interface %s", owner.id,
				owner.ifname ? owner.ifname : "(any)");
	return -1;
}

/* One address from range set idx: the one the attachment already holds there (ADD is
 * idempotent), else the requested one, else the next free one. */
static int fill_slot(struct hl_store *st, const struct hl_config *cfg, int idx, const char *id,
		     const char *ifname, const struct held *exact, const struct held *legacy,
		     struct slot *slot, struct cni_error *err)
{
	const struct hl_range_set *set = &cfg->sets[idx];
	const struct cni_ip *have = held_in_set(exact, set);
	const struct hl_request *rq = request_for_set(cfg, idx);

	if (!have)
		have = held_in_set(legacy, set);
	if (have) {
		char a[CNI_IP_STRLEN], b[CNI_IP_STRLEN];

		slot->ip = *have;
		if (!rq || cni_ip_equal(&rq->ip, have))
			return 0;
		hl_ip_name(have, a);
		hl_ip_name(&rq->ip, b);
		return cni_err(err, HL_ERR_UNAVAILABLE,
			       "%s/%s already holds %s in range set %d, %s asks for %s", id, ifname,
			       a, idx, rq->source, b);
	}
	if (rq) {
		if (reserve_requested(st, rq, idx, id, ifname, err) < 0)
			return -1;
		slot->ip = rq->ip;
	} else if (hl_allocate(st, set, idx, id, ifname, &slot->ip, err) < 0) {
		return -1;
	}
	slot->fresh = true;
	return 0;
}

static void roll_back(struct hl_store *st, const struct slot *slots, size_t n)
{
	struct cni_error ignored = CNI_ERROR_INIT;

	for (size_t i = 0; i < n; i++)
		if (slots[i].fresh)
			hl_store_release(st, &slots[i].ip, &ignored);
}

/* Reserve one address per range set; on any failure release what this call took. */
static int fill_slots(struct hl_store *st, const struct hl_config *cfg, const char *id,
		      const char *ifname, const struct held *exact, const struct held *legacy,
		      struct slot *slots, struct cni_error *err)
{
	for (size_t i = 0; i < cfg->n_sets; i++) {
		if (fill_slot(st, cfg, (int)i, id, ifname, exact, legacy, &slots[i], err) < 0) {
			roll_back(st, slots, i + 1);
			return -1;
		}
	}
	/* Written only once everything is reserved: a failed ADD leaves no trace. */
	for (size_t i = 0; i < cfg->n_sets; i++) {
		if (slots[i].fresh &&
		    hl_store_set_last_reserved(st, (int)i, &slots[i].ip, err) < 0) {
			roll_back(st, slots, cfg->n_sets);
			return -1;
		}
	}
	return 0;
}

static void record_in_index(struct hl_store *st, const char *id, const char *ifname,
			    const struct held *exact, const struct slot *slots, size_t n)
{
	struct held now = *exact;
	bool fresh = false;

	for (size_t i = 0; i < n && now.n < HL_MAX_HELD; i++) {
		if (!slots[i].fresh)
			continue;
		now.ips[now.n++] = slots[i].ip;
		fresh = true;
	}
	if (fresh)
		hl_index_put(st, id, ifname, now.ips, now.n);
}

static int build_result(const struct hl_config *cfg, const struct slot *slots,
			struct cni_result *res, struct cni_error *err)
{
	for (size_t i = 0; i < cfg->n_sets; i++) {
		const struct hl_range *r = hl_range_for(&cfg->sets[i], &slots[i].ip);
		struct cni_prefix addr = {.ip = slots[i].ip, .len = r->subnet.len};

		if (cni_result_add_ip(res, &addr, &r->gateway, -1, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < cfg->n_routes; i++) {
		const struct cni_route *rt = &cfg->routes[i];
		int k = cni_result_add_route(res, &rt->dst, rt->gw.family ? &rt->gw : NULL, err);

		if (k < 0)
			return -1;
		res->routes[k] = *rt;
	}
	return 0;
}

int hl_cmd_add(struct cni_ctx *ctx, struct cni_error *err)
{
	cleanup_config struct hl_config cfg = {0};
	cleanup_store struct hl_store st = {.dirfd = -1, .lockfd = -1, .idxfd = -1};
	cleanup_result struct cni_result *res = NULL;
	struct slot slots[HL_MAX_SETS] = {0};
	struct held exact, legacy;
	const char *id = ctx->env.container_id, *ifname = ctx->env.ifname;

	if (hl_config_load(&cfg, ctx, true, err) < 0)
		return -1;
	if (!(res = cni_result_new()))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	if (cfg.resolv_conf && hl_dns_load(cfg.resolv_conf, &res->dns, err) < 0)
		return -1;
	if (open_store(&cfg, &st, true, NULL, err) < 0 ||
	    lookup(&st, id, ifname, &exact, err) < 0 || lookup(&st, id, NULL, &legacy, err) < 0 ||
	    fill_slots(&st, &cfg, id, ifname, &exact, &legacy, slots, err) < 0)
		return -1;
	record_in_index(&st, id, ifname, &exact, slots, cfg.n_sets);
	if (st.changed)
		hl_index_commit(&st);
	if (build_result(&cfg, slots, res, err) < 0)
		return -1;
	ctx->result = steal_ptr(res);
	return 0;
}

/* ---- DEL ---- */

/* Release what (id, ifname) holds; like the reference, the legacy files that hold the
 * container ID alone are released only when no file names the interface. */
int hl_cmd_del(struct cni_ctx *ctx, struct cni_error *err)
{
	cleanup_config struct hl_config cfg = {0};
	cleanup_store struct hl_store st = {.dirfd = -1, .lockfd = -1, .idxfd = -1};
	const char *id = ctx->env.container_id, *ifname = ctx->env.ifname;
	struct held h;
	bool missing = false;

	if (hl_config_load(&cfg, ctx, false, err) < 0 ||
	    open_store(&cfg, &st, false, &missing, err) < 0)
		return -1;
	if (missing)
		return 0; /* nothing was ever allocated here */
	if (lookup(&st, id, ifname, &h, err) < 0)
		return -1;
	if (h.n == 0) {
		ifname = NULL;
		if (lookup(&st, id, NULL, &h, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < h.n; i++)
		if (hl_store_release(&st, &h.ips[i], err) < 0)
			return -1; /* the directory changed: the next call rebuilds the index */
	if (h.n) {
		hl_index_put(&st, id, ifname, NULL, 0);
		hl_index_commit(&st);
	}
	return 0;
}

/* ---- CHECK ---- */

int hl_cmd_check(struct cni_ctx *ctx, struct cni_error *err)
{
	cleanup_config struct hl_config cfg = {0};
	cleanup_store struct hl_store st = {.dirfd = -1, .lockfd = -1, .idxfd = -1};
	const char *id = ctx->env.container_id, *ifname = ctx->env.ifname;
	struct held exact = {.n = 0}, legacy = {.n = 0};
	bool missing = false;

	if (hl_config_load(&cfg, ctx, false, err) < 0 ||
	    open_store(&cfg, &st, false, &missing, err) < 0)
		return -1;
	if (!missing &&
	    (lookup(&st, id, ifname, &exact, err) < 0 || lookup(&st, id, NULL, &legacy, err) < 0))
		return -1;
	if (exact.n + legacy.n == 0)
		return cni_err(err, CNI_ERR_UNKNOWN_CONTAINER,
			       "container %s, interface %s holds no address in network %s", id,
			       ifname, cfg.name);
	for (size_t i = 0; i < cfg.n_sets; i++)
		if (!held_in_set(&exact, &cfg.sets[i]) && !held_in_set(&legacy, &cfg.sets[i]))
			return cni_err(
			    err, CNI_ERR_UNKNOWN_CONTAINER,
			    "container %s, interface %s holds no address in range set %zu", id,
			    ifname, i);
	return 0;
}

/* ---- STATUS ---- */

/* The network directory, or its nearest existing ancestor, must be a directory we can
 * create files in. Nothing is created. */
static int data_dir_usable(const char *path, struct cni_error *err)
{
	char buf[4096];
	struct stat s;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return cni_err(err, CNI_ERR_NOT_AVAILABLE, "dataDir path too long");
	for (;;) {
		char *slash;

		if (stat(buf, &s) == 0)
			break;
		if (errno != ENOENT || !(slash = strrchr(buf, '/')))
			return cni_err_errno(err, CNI_ERR_NOT_AVAILABLE, errno, "dataDir %s", buf);
		if (slash == buf)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	if (!S_ISDIR(s.st_mode))
		return cni_err(err, CNI_ERR_NOT_AVAILABLE, "dataDir: %s is not a directory", buf);
	if (access(buf, W_OK | X_OK) < 0)
		return cni_err_errno(err, CNI_ERR_NOT_AVAILABLE, errno,
				     "dataDir: cannot write in %s", buf);
	return 0;
}

int hl_cmd_status(struct cni_ctx *ctx, struct cni_error *err)
{
	cleanup_config struct hl_config cfg = {0};
	cleanup_free char *path = NULL;

	if (hl_config_load(&cfg, ctx, false, err) < 0)
		return -1;
	if (asprintf(&path, "%s/%s", cfg.data_dir, cfg.name) < 0) {
		path = NULL;
		return cni_err(err, CNI_ERR_IO, "out of memory");
	}
	return data_dir_usable(path, err);
}

/* ---- GC ---- */

static bool attachment_valid(const struct cni_conf *conf, const struct hl_holding *h)
{
	/* A legacy file names no interface: any attachment of its container keeps it. */
	return cni_conf_attachment_valid(conf, h->id, h->ifname);
}

int hl_cmd_gc(struct cni_ctx *ctx, struct cni_error *err)
{
	cleanup_config struct hl_config cfg = {0};
	cleanup_store struct hl_store st = {.dirfd = -1, .lockfd = -1, .idxfd = -1};
	struct hl_holding *h = NULL;
	size_t n = 0, kept = 0;
	bool missing = false;
	int rc = 0;

	if (hl_config_load(&cfg, ctx, false, err) < 0)
		return -1;
	/* Without the list there is nothing to compare with: an absent list is not an empty one. */
	if (!ctx->conf.has_valid_attachments)
		return 0;
	if (open_store(&cfg, &st, false, &missing, err) < 0)
		return -1;
	if (missing)
		return 0;
	if (hl_store_scan(&st, &h, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (attachment_valid(&ctx->conf, &h[i])) {
			h[kept++] = h[i];
			continue;
		}
		if (rc == 0 && hl_store_release(&st, &h[i].ip, err) < 0)
			rc = -1;
		free(h[i].id);
		free(h[i].ifname);
	}
	if (rc == 0)
		hl_index_rebuild(&st, h, kept);
	hl_holdings_free(h, kept);
	return rc;
}
