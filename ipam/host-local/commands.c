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

struct held {
	struct cni_ip ips[HL_MAX_HELD];
	size_t n;
};

/* Open the network's store under its lock, with an index that matches it. */
static int open_store(const struct hl_config *cfg, struct hl_store *st, bool create, bool *missing,
		      struct cni_error *err)
{
	int rc;

	if ((rc = hl_store_open(st, cfg->data_dir, cfg->name, create, missing, err)) < 0)
		return rc;
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
	int rc;

	if ((rc = hl_store_reserve(st, &rq->ip, id, ifname, &taken, err)) < 0)
		return rc;
	if (!taken)
		return 0;
	hl_ip_name(&rq->ip, a);
	rc = cni_err(err, HL_ERR_UNAVAILABLE,
		     "requested IP %s (%s) in range set %d is held by another attachment", a,
		     rq->source, idx);
	if (hl_store_read_owner(st, a, &owner) == 0)
		cni_err_details(err, "held by container %s, interface %s", owner.id,
				owner.ifname ? owner.ifname : "(any)");
	return rc;
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
	int rc;

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
		if ((rc = reserve_requested(st, rq, idx, id, ifname, err)) < 0)
			return rc;
		slot->ip = rq->ip;
	} else if ((rc = hl_allocate(st, set, idx, id, ifname, &slot->ip, err)) < 0) {
		return rc;
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
	int rc;

	for (size_t i = 0; i < cfg->n_sets; i++) {
		rc = fill_slot(st, cfg, (int)i, id, ifname, exact, legacy, &slots[i], err);
		if (rc < 0) {
			roll_back(st, slots, i + 1);
			return rc;
		}
	}
	/* Written only once everything is reserved: a failed ADD leaves no trace. */
	for (size_t i = 0; i < cfg->n_sets; i++) {
		if (slots[i].fresh &&
		    (rc = hl_store_set_last_reserved(st, (int)i, &slots[i].ip, err)) < 0) {
			roll_back(st, slots, cfg->n_sets);
			return rc;
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
	int rc;

	for (size_t i = 0; i < cfg->n_sets; i++) {
		const struct hl_range *r = hl_range_for(&cfg->sets[i], &slots[i].ip);
		struct cni_prefix addr = {.ip = slots[i].ip, .len = r->subnet.len};

		if ((rc = cni_result_add_ip(res, &addr, &r->gateway, -1, err)) < 0)
			return rc;
	}
	for (size_t i = 0; i < cfg->n_routes; i++) {
		const struct cni_route *rt = &cfg->routes[i];
		int k = cni_result_add_route(res, &rt->dst, rt->gw.family ? &rt->gw : NULL, err);

		if (k < 0)
			return k;
		res->routes[k] = *rt;
	}
	return 0;
}

int hl_cmd_add(struct cni_ctx *ctx, struct cni_error *err)
{
	cleanup_config struct hl_config cfg = {0};
	cleanup_store struct hl_store st = HL_STORE_INIT;
	cleanup_result struct cni_result *res = NULL;
	struct slot slots[HL_MAX_SETS] = {0};
	struct held exact, legacy;
	const char *id = ctx->env.container_id, *ifname = ctx->env.ifname;
	int rc;

	if ((rc = hl_config_load(&cfg, ctx, true, err)) < 0)
		return rc;
	if (!(res = cni_result_new()))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	if (cfg.resolv_conf && (rc = hl_dns_load(cfg.resolv_conf, &res->dns, err)) < 0)
		return rc;
	if ((rc = open_store(&cfg, &st, true, NULL, err)) < 0 ||
	    (rc = lookup(&st, id, ifname, &exact, err)) < 0 ||
	    (rc = lookup(&st, id, NULL, &legacy, err)) < 0 ||
	    (rc = fill_slots(&st, &cfg, id, ifname, &exact, &legacy, slots, err)) < 0)
		return rc;
	record_in_index(&st, id, ifname, &exact, slots, cfg.n_sets);
	if (st.changed)
		hl_index_commit(&st);
	if ((rc = build_result(&cfg, slots, res, err)) < 0)
		return rc;
	ctx->result = steal_ptr(res);
	return 0;
}

/* ---- DEL ---- */

/* Release what (id, ifname) holds; like the reference, the legacy files that hold the
 * container ID alone are released only when no file names the interface. */
int hl_cmd_del(struct cni_ctx *ctx, struct cni_error *err)
{
	cleanup_config struct hl_config cfg = {0};
	cleanup_store struct hl_store st = HL_STORE_INIT;
	const char *id = ctx->env.container_id, *ifname = ctx->env.ifname;
	struct held h;
	bool missing = false;
	int rc;

	if ((rc = hl_config_load(&cfg, ctx, false, err)) < 0 ||
	    (rc = open_store(&cfg, &st, false, &missing, err)) < 0)
		return rc;
	if (missing)
		return 0; /* nothing was ever allocated here */
	if ((rc = lookup(&st, id, ifname, &h, err)) < 0)
		return rc;
	if (h.n == 0) {
		ifname = NULL;
		if ((rc = lookup(&st, id, NULL, &h, err)) < 0)
			return rc;
	}
	for (size_t i = 0; i < h.n; i++)
		if ((rc = hl_store_release(&st, &h.ips[i], err)) < 0)
			return rc; /* the directory changed: the next call rebuilds the index */
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
	cleanup_store struct hl_store st = HL_STORE_INIT;
	const char *id = ctx->env.container_id, *ifname = ctx->env.ifname;
	struct held exact = {.n = 0}, legacy = {.n = 0};
	bool missing = false;
	int rc;

	if ((rc = hl_config_load(&cfg, ctx, false, err)) < 0 ||
	    (rc = open_store(&cfg, &st, false, &missing, err)) < 0)
		return rc;
	if (!missing && ((rc = lookup(&st, id, ifname, &exact, err)) < 0 ||
			 (rc = lookup(&st, id, NULL, &legacy, err)) < 0))
		return rc;
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
	int rc;

	if ((rc = hl_config_load(&cfg, ctx, false, err)) < 0)
		return rc;
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

/* Release the address files of attachments the runtime no longer has; h keeps the others.
 * After a failed release nothing more is released. */
static int release_invalid(struct hl_store *st, const struct cni_conf *conf, struct hl_holdings *h,
			   struct cni_error *err)
{
	size_t kept = 0;
	int rc = 0;

	for (size_t i = 0; i < h->n; i++) {
		if (attachment_valid(conf, &h->v[i])) {
			h->v[kept++] = h->v[i];
			continue;
		}
		if (rc == 0)
			rc = hl_store_release(st, &h->v[i].ip, err);
		free(h->v[i].id);
		free(h->v[i].ifname);
	}
	h->n = kept;
	return rc;
}

int hl_cmd_gc(struct cni_ctx *ctx, struct cni_error *err)
{
	cleanup_config struct hl_config cfg = {0};
	cleanup_store struct hl_store st = HL_STORE_INIT;
	cleanup_holdings struct hl_holdings h = {NULL, 0};
	bool missing = false;
	int rc;

	if ((rc = hl_config_load(&cfg, ctx, false, err)) < 0)
		return rc;
	/* Without the list there is nothing to compare with: an absent list is not an empty one. */
	if (!ctx->conf.has_valid_attachments)
		return 0;
	if ((rc = open_store(&cfg, &st, false, &missing, err)) < 0)
		return rc;
	if (missing)
		return 0;
	if ((rc = hl_store_reclaim(&st, err)) < 0 || (rc = hl_store_scan(&st, &h, err)) < 0)
		return rc;
	if ((rc = release_invalid(&st, &ctx->conf, &h, err)) < 0)
		return rc;
	hl_index_rebuild(&st, &h);
	return 0;
}
