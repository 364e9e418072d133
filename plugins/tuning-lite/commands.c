/* ADD, DEL, CHECK and GC: config, state file and netns put together.
 *
 * ADD, in an order that changes nothing until everything is known to be valid:
 *   1. the config (keys, values, MACs) and prevResult;
 *   2. in the netns: the interface, MTU limits, sysctls that exist and are
 *      writable (nothing on disk yet, so a refused config leaves no trace);
 *   3. the state directory created and locked, the saved values loaded, the
 *      current value of everything the config names read again;
 *   4. the state file extended with the current value of each setting about
 *      to change for the first time (written before the change, so a crash
 *      never loses an original value);
 *   5. the changes; if one fails, the earlier ones are undone and the state
 *      file is put back as it was.
 * DEL restores the saved values, latest first, and forgets them. */
#include "tuning.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cni/cleanup.h"
#include "cni/history.h"

static void config_freep(struct tl_config *cfg)
{
	tl_config_free(cfg);
}
static void state_freep(struct tl_state *st)
{
	tl_state_free(st);
}
#define cleanup_config _cleanup_(config_freep)
#define cleanup_state  _cleanup_(state_freep)
#define cleanup_iface  _cleanup_(tl_iface_close)

/* Enter CNI_NETNS (a path that does not exist or is no netns: code 4). */
static int enter_netns(const struct cni_ctx *ctx, int *saved, struct cni_error *err)
{
	return knl_netns_enter_path(ctx->env.netns, saved, err);
}

static int open_iface(const struct cni_ctx *ctx, struct tl_iface *ifc, struct cni_error *err)
{
	int r = tl_iface_open(ctx->env.ifname, ifc, err);

	if (r == -ENODEV)
		cni_err(err, TL_ERR_NO_IFACE, "interface %s does not exist in %s", ctx->env.ifname,
			ctx->env.netns);
	return r;
}

/* saved plus the current value of every wanted item that will change and is
 * not saved yet: the first value seen is the one DEL restores. */
static int extend_saved(const struct tl_items *saved, const struct tl_items *want,
			const struct tl_items *current, struct tl_items *next,
			struct cni_error *err)
{
	cleanup_index struct tl_index ix = {0};
	int rc;

	/* want names each setting once: only saved can hold one already. */
	if ((rc = tl_index_build(saved, &ix, err)) < 0)
		return rc;
	for (size_t i = 0; i < saved->n; i++) {
		const struct tl_item *s = &saved->v[i];

		if ((rc = tl_items_add(next, s->kind, s->name, s->path, s->value, err)) < 0)
			return rc;
	}
	for (size_t i = 0; i < want->n; i++) {
		const struct tl_item *c = &current->v[i];

		if (tl_value_equal(&want->v[i], c->value) ||
		    (c->kind == TL_SYSCTL ? tl_index_find(&ix, c->path) >= 0
					  : tl_items_find(saved, c) != NULL))
			continue;
		if ((rc = tl_items_add(next, c->kind, c->name, c->path, c->value, err)) < 0)
			return rc;
	}
	return 0;
}

/* The result: prevResult, with the new MAC (and MTU, shown in 1.1.0) on
 * CNI_IFNAME's entry in the sandbox. */
static int update_result(struct cni_ctx *ctx, const struct tl_items *want, struct cni_error *err)
{
	struct cni_result *r = ctx->result;

	for (size_t i = 0; i < r->n_interfaces; i++) {
		struct cni_iface *f = &r->interfaces[i];

		if (!f->sandbox || strcmp(f->name, ctx->env.ifname) != 0)
			continue;
		for (size_t k = 0; k < want->n; k++) {
			const struct tl_item *w = &want->v[k];

			if (w->kind == TL_MTU)
				f->mtu = (int)strtol(w->value, NULL, 10);
			if (w->kind != TL_MAC)
				continue;
			free(f->mac);
			if (!(f->mac = strdup(w->value)))
				return cni_err(err, CNI_ERR_IO, "out of memory");
		}
	}
	return 0;
}

/* For the history log: each wanted value that differed, from what to what. */
static void note_changes(struct cni_ctx *ctx, const struct tl_items *want,
			 const struct tl_items *current)
{
	for (size_t i = 0; i < want->n; i++)
		if (!tl_value_equal(&want->v[i], current->v[i].value))
			cni_history_note(ctx, want->v[i].name, current->v[i].value,
					 want->v[i].value);
}

/* Steps 4 and 5: save what is about to change for the first time, change it. */
static int save_and_apply(struct cni_ctx *ctx, const struct tl_config *cfg, struct tl_iface *ifc,
			  struct tl_state *st, struct cni_error *err)
{
	int rc;
	cleanup_items struct tl_items current = {0};
	cleanup_items struct tl_items next = {0};
	struct cni_error ignored = CNI_ERROR_INIT;
	bool grown;

	/* Read again under the lock: another call may have changed things meanwhile. */
	if ((rc = tl_snapshot(ifc, &cfg->want, &current, err)) < 0 ||
	    (rc = extend_saved(&st->saved, &cfg->want, &current, &next, err)) < 0)
		return rc;
	grown = next.n > st->saved.n;
	if (grown) {
		struct tl_state ext = *st;

		ext.saved = next;
		if ((rc = tl_state_store(ctx, &ext, err)) < 0)
			return rc;
	}
	if (tl_apply(ifc, &cfg->want, &current, err) < 0) {
		/* The interface is as before (or err says what is not): so is the file. */
		if (grown)
			(void)tl_state_store(ctx, st, &ignored);
		return -1;
	}
	note_changes(ctx, &cfg->want, &current);
	return 0;
}

/* Steps 2 to 5. The netns is checked before the state directory is created or
 * locked, so that a config the netns refuses leaves no trace on the node. */
static int add_in_netns(struct cni_ctx *ctx, const struct tl_config *cfg, struct cni_error *err)
{
	int rc;
	cleanup_netns int saved_ns = -1;
	cleanup_iface struct tl_iface ifc = {0};
	cleanup_items struct tl_items unlocked = {0};
	cleanup_state struct tl_state st = {0};
	cleanup_close int lock = -1;

	if ((rc = enter_netns(ctx, &saved_ns, err)) < 0 || (rc = open_iface(ctx, &ifc, err)) < 0 ||
	    (rc = tl_snapshot(&ifc, &cfg->want, &unlocked, err)) < 0)
		return rc;
	if ((rc = tl_state_lock(cfg->data_dir, ctx, true, &st, &lock, err)) < 0 ||
	    (rc = tl_state_load(ctx, &st, err)) < 0 ||
	    (rc = save_and_apply(ctx, cfg, &ifc, &st, err)) < 0)
		return rc;
	return knl_netns_return(&saved_ns, err);
}

int tl_cmd_add(struct cni_ctx *ctx, struct cni_error *err)
{
	int rc;
	cleanup_config struct tl_config cfg = {0};

	if ((rc = tl_config_parse(ctx, &cfg, err)) < 0)
		return rc;
	if (!ctx->conf.prev_result)
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "tuning-lite needs a prevResult: chain it after an interface "
			       "plugin, or after passthru");
	if (!(ctx->result = cni_result_dup(ctx->conf.prev_result, err)))
		return -1;
	if ((rc = add_in_netns(ctx, &cfg, err)) < 0)
		return rc;
	return update_result(ctx, &cfg.want, err);
}

/* Restore in the netns; 0 also when the netns or the interface is gone
 * (nothing to restore). A netns file that is no longer a netns (unmounted, left
 * behind by the runtime) counts as gone. */
/* For the history log: each saved value DEL writes back, from its current one
 * (when it can be read). */
static void note_restores(struct cni_ctx *ctx, struct tl_iface *ifc, const struct tl_items *saved)
{
	cleanup_items struct tl_items current = {0};
	struct cni_error ignored = CNI_ERROR_INIT;
	bool have = tl_snapshot(ifc, saved, &current, &ignored) == 0;

	for (size_t i = saved->n; i-- > 0;)
		if (!have || !tl_value_equal(&saved->v[i], current.v[i].value))
			cni_history_note(ctx, saved->v[i].name, have ? current.v[i].value : NULL,
					 saved->v[i].value);
}

static int restore_in_netns(struct cni_ctx *ctx, struct tl_state *st, struct cni_error *err)
{
	int rc;
	cleanup_netns int saved_ns = -1;
	cleanup_iface struct tl_iface ifc = {0};
	int r;

	r = knl_netns_enter_path(ctx->env.netns, &saved_ns, err);
	if (r == 0)
		r = open_iface(ctx, &ifc, err);
	if (r == -ENOENT || r == -EINVAL || r == -ENODEV) {
		tl_items_free(&st->saved);
		return 0;
	}
	if (r < 0)
		return -1;
	note_restores(ctx, &ifc, &st->saved);
	if ((rc = tl_restore(&ifc, &st->saved, err)) < 0)
		return rc;
	return knl_netns_return(&saved_ns, err);
}

/* DEL cannot restore from a broken state file, and must not fail for ever:
 * the file is moved aside, where an operator finds everything it says. */
static int set_aside(const struct tl_state *st, struct cni_error *err)
{
	char moved[400];
	int rc;

	fprintf(stderr, "tuning-lite: %s\n", err->msg);
	if ((rc = tl_state_set_aside(st, moved, sizeof(moved), err)) < 0)
		return rc;
	fprintf(stderr, "tuning-lite: nothing restored; moved it to %s/%s\n", st->dir, moved);
	cni_err_clear(err);
	return 0;
}

int tl_cmd_del(struct cni_ctx *ctx, struct cni_error *err)
{
	int rc;
	cleanup_state struct tl_state st = {0};
	cleanup_close int lock = -1;
	const char *data_dir;
	struct cni_error store_err = CNI_ERROR_INIT;
	int r;

	if ((rc = tl_config_data_dir(ctx, &data_dir, err)) < 0 ||
	    (rc = tl_state_lock(data_dir, ctx, false, &st, &lock, err)) < 0)
		return rc;
	if (lock < 0)
		return 0; /* no state directory: nothing was ever saved */
	/* No netns, no interface: nothing left to restore, only to forget (even
	 * a state file we could not read). */
	if (!ctx->env.netns || access(ctx->env.netns, F_OK) < 0)
		return tl_state_store(ctx, &st, err);
	if ((rc = tl_state_load(ctx, &st, err)) < 0)
		return st.broken ? set_aside(&st, err) : rc;
	if (!st.existed)
		return 0; /* never changed anything, or a second DEL */
	r = restore_in_netns(ctx, &st, err);
	/* What was restored is forgotten; what failed stays for the next DEL. */
	if (tl_state_store(ctx, &st, r < 0 ? &store_err : err) < 0 && r == 0)
		return -1;
	return r;
}

int tl_cmd_check(struct cni_ctx *ctx, struct cni_error *err)
{
	int rc;
	cleanup_config struct tl_config cfg = {0};
	cleanup_netns int saved_ns = -1;
	cleanup_iface struct tl_iface ifc = {0};
	cleanup_items struct tl_items current = {0};

	if ((rc = tl_config_parse(ctx, &cfg, err)) < 0 ||
	    (rc = enter_netns(ctx, &saved_ns, err)) < 0 || (rc = open_iface(ctx, &ifc, err)) < 0 ||
	    (rc = tl_snapshot(&ifc, &cfg.want, &current, err)) < 0)
		return rc;
	return tl_check(&cfg.want, &current, err);
}

int tl_cmd_gc(struct cni_ctx *ctx, struct cni_error *err)
{
	int rc;
	const char *data_dir;

	if ((rc = tl_config_data_dir(ctx, &data_dir, err)) < 0)
		return rc;
	return tl_state_gc(data_dir, ctx, err);
}
