/* tuning-lite: sets sysctls and link attributes (mac, mtu, txqueuelen,
 * promisc, allmulti) on CNI_IFNAME inside CNI_NETNS, remembering every value it
 * replaces so that DEL puts the interface back as it was before the first ADD.
 * It reads the reference tuning plugin's keys, so existing configs work.
 *
 * Plugin-specific error codes (the spec leaves 100 and up to plugins):
 *   100  CNI_IFNAME does not exist in CNI_NETNS (ADD, CHECK).
 *   101  CHECK: the interface differs from the config; details list every
 *        difference.
 *   102  ADD: the saved state file is unusable (malformed, another attachment's,
 *        a value the key rules refuse, a symbolic link, not a regular file): it
 *        cannot know what to restore. DEL moves such a file aside
 *        (<file>.broken.<time>, kept for an operator) and succeeds (state.c).
 *   103  ADD failed midway and undoing its changes failed too: the interface
 *        may be partly changed; details say what was not undone.
 * Spec codes: 7 for every refused config (nothing is changed then), 4 when
 * CNI_NETNS does not exist on ADD/CHECK, 5 for I/O failures (a sysctl or link
 * change the kernel refused, after undoing what the call had changed).
 */
#ifndef TUNING_LITE_H
#define TUNING_LITE_H

#include <stdbool.h>
#include <stddef.h>

#include "cni/plugin.h"
#include "netlink/knl.h"

#define TL_ERR_NO_IFACE (CNI_ERR_PLUGIN + 0)
#define TL_ERR_CHECK	(CNI_ERR_PLUGIN + 1)
#define TL_ERR_STATE	(CNI_ERR_PLUGIN + 2)
#define TL_ERR_ROLLBACK (CNI_ERR_PLUGIN + 3)

#define TL_DEFAULT_DATA_DIR "/var/lib/cni/tuning"
#define TL_VALUE_MAX	    1024 /* longest sysctl value accepted or saved */
/* Sysctls in one config object (sysctl, args.cni.sysctl): a network namespace
 * has a few hundred net.* keys per interface and namespace-wide. */
#define TL_MAX_SYSCTLS 1024
/* Values in one state file: every sysctl of both objects and the link
 * attributes, and room for mutations that each change other ones. */
#define TL_MAX_SAVED 4096

/* What one setting is. Link attributes come first, in the order ADD applies
 * them; DEL restores in the reverse order. */
enum tl_kind {
	TL_MAC,
	TL_MTU,
	TL_TXQLEN,
	TL_PROMISC,
	TL_ALLMULTI,
	TL_SYSCTL,
};

/* One setting with a value: wanted (config) or saved (state). Every value is
 * a string in a canonical form: mac "aa:bb:cc:dd:ee:ff", mtu and txqlen in
 * decimal, promisc and allmulti "true"/"false", a sysctl as written. */
struct tl_item {
	enum tl_kind kind;
	char *name; /* "mac", "mtu", ...; a sysctl's dotted name, IFNAME replaced */
	char *path; /* sysctl: its /proc/sys path (the identity); NULL otherwise */
	char *value;
};

struct tl_items {
	struct tl_item *v;
	size_t n;
	size_t cap; /* elements allocated */
};

void tl_items_free(struct tl_items *items);
static inline void tl_items_freep(struct tl_items *items)
{
	tl_items_free(items);
}
#define cleanup_items _cleanup_(tl_items_freep)
/* Append a copy of (kind, name, path, value). */
int tl_items_add(struct tl_items *items, enum tl_kind kind, const char *name, const char *path,
		 const char *value, struct cni_error *err);
/* The item with the same identity (kind, and path for sysctls), or NULL. */
struct tl_item *tl_items_find(const struct tl_items *items, const struct tl_item *like);
const char *tl_kind_name(enum tl_kind kind);

/* The sysctls of a list sorted by path (then position), to find one by path
 * in O(log n): configs and state files carry up to thousands. It holds
 * positions, so appending to the list keeps it usable (what is appended is
 * not in it); nothing else may change the list meanwhile. */
struct tl_index {
	const struct tl_items *items;
	size_t *pos; /* positions in items->v */
	size_t n;
};
void tl_index_free(struct tl_index *ix);
static inline void tl_index_freep(struct tl_index *ix)
{
	tl_index_free(ix);
}
#define cleanup_index _cleanup_(tl_index_freep)
int tl_index_build(const struct tl_items *items, struct tl_index *ix, struct cni_error *err);
/* The first position of a sysctl with that path, or -1. */
long tl_index_find(const struct tl_index *ix, const char *path);
/* Two sysctls for one path: true, with their positions (*a < *b). */
bool tl_index_duplicate(const struct tl_index *ix, size_t *a, size_t *b);

/* ---- config.c: the config and the runtime's overrides ---- */

struct tl_config {
	const char *data_dir;
	struct tl_items want; /* link attributes first, then sysctls in config order */
};

void tl_config_free(struct tl_config *cfg);
/* Read and validate everything that can be checked without the netns
 * (CNI_ERR_INVALID_CONFIG otherwise). */
int tl_config_parse(const struct cni_ctx *ctx, struct tl_config *cfg, struct cni_error *err);
/* Only dataDir (DEL and GC must work with a config ADD would refuse). */
int tl_config_data_dir(const struct cni_ctx *ctx, const char **dir, struct cni_error *err);

/* ---- sysctl.c: which keys are allowed, and how they map to files ---- */

/* Check a config key and resolve it for ifname: replaces the first "IFNAME" as
 * the reference does, then applies the rules in sysctl.c. *name (malloc'd) is
 * the resolved dotted name, path its /proc/sys file. */
int tl_sysctl_resolve(const char *key, const char *ifname, char **name,
		      char path[KNL_SYSCTL_PATH_MAX], struct cni_error *err);
int tl_sysctl_value_check(const char *key, const char *value, struct cni_error *err);
/* Equal up to whitespace: the kernel prints "4096\t87380" for "4096 87380". */
bool tl_sysctl_values_equal(const char *a, const char *b);

/* ---- state.c: the saved values on disk ---- */

struct tl_state {
	char dir[4096];	 /* <dataDir>/<network>, for messages */
	char name[320];	 /* <containerID>:<ifname>.json */
	char path[4096]; /* <dir>/<name>, for messages */
	int dirfd;	 /* <dir>, borrowed from the lock (-1: none) */
	bool existed;	 /* a file was there when loaded */
	bool broken;	 /* it was there but unusable (see state.c) */
	struct tl_items saved;
};

void tl_state_free(struct tl_state *st);
/* Lock <dataDir>/<network> (opened below dataDir, never through a symbolic
 * link), creating it when create is set; *lock_fd holds the lock and is the
 * directory st->dirfd uses. Without create, a missing directory (or one that is
 * not a directory: never ours) means nothing is saved: 0 with *lock_fd -1 (DEL
 * must not leave directories behind). */
int tl_state_lock(const char *data_dir, const struct cni_ctx *ctx, bool create, struct tl_state *st,
		  int *lock_fd, struct cni_error *err);
/* Load the attachment's saved values (none when there is no file). A file
 * that is there but unusable sets st->broken: TL_ERR_STATE. */
int tl_state_load(const struct cni_ctx *ctx, struct tl_state *st, struct cni_error *err);
/* Move a broken state file aside to <name>.broken.<time> (its name in moved). */
int tl_state_set_aside(const struct tl_state *st, char *moved, size_t size, struct cni_error *err);
/* Write st->saved (atomically), or remove the file when nothing is saved. */
int tl_state_store(const struct cni_ctx *ctx, const struct tl_state *st, struct cni_error *err);
/* GC: remove the state files of attachments not in cni.dev/valid-attachments. */
int tl_state_gc(const char *data_dir, const struct cni_ctx *ctx, struct cni_error *err);

/* ---- apply.c: reading and changing the interface, inside the netns ---- */

/* The interface as found, opened by tl_iface_open in the current netns. */
struct tl_iface {
	struct knl_sock *sk;
	const char *name;
	struct knl_link_info info;
};

void tl_iface_close(struct tl_iface *ifc);
/* -ENODEV with TL_ERR_NO_IFACE when it does not exist. */
int tl_iface_open(const char *name, struct tl_iface *ifc, struct cni_error *err);
/* Read the link afresh, check what only the netns can tell (MTU limits,
 * sysctls that exist and are writable) and read each wanted item's current
 * value into *current (same order). Changes nothing. */
int tl_snapshot(struct tl_iface *ifc, const struct tl_items *want, struct tl_items *current,
		struct cni_error *err);
/* Whether the current value of an item equals value (MACs ignore case,
 * sysctls whitespace). */
bool tl_value_equal(const struct tl_item *item, const char *value);
/* Apply each wanted item whose current value differs, in order. If one fails,
 * the ones already changed get their current value back (latest first). */
int tl_apply(struct tl_iface *ifc, const struct tl_items *want, const struct tl_items *current,
	     struct cni_error *err);
/* Write the saved values back, latest first. Items whose sysctl vanished are
 * done. Those that fail stay in *saved; the error lists them. */
int tl_restore(struct tl_iface *ifc, struct tl_items *saved, struct cni_error *err);
/* TL_ERR_CHECK listing every wanted item whose current value differs. */
int tl_check(const struct tl_items *want, const struct tl_items *current, struct cni_error *err);

/* ---- commands.c ---- */

int tl_cmd_add(struct cni_ctx *ctx, struct cni_error *err);
int tl_cmd_del(struct cni_ctx *ctx, struct cni_error *err);
int tl_cmd_check(struct cni_ctx *ctx, struct cni_error *err);
int tl_cmd_gc(struct cni_ctx *ctx, struct cni_error *err);

#endif
