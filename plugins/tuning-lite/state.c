/* The values an attachment replaced, saved on disk until its DEL.
 *
 * One file per attachment: <dataDir>/<network>/<containerID>:<ifname>.json.
 * The network name is part of the key because an attachment is (network,
 * container, ifname): a mutation conflist run on a pod whose own network
 * already chains tuning-lite keeps its own saved values, and its DEL undoes
 * only the mutation. ':' can appear in neither a container ID nor an interface
 * name, so the name splits back unambiguously (GC reads it). The reference
 * tuning keeps <dataDir>/<containerID>_<ifname>.json; ours live one directory
 * down, so both can share the default dataDir.
 *
 * Content (written atomically: temp file, fsync, rename):
 *   {"version":1,"network":"n","containerID":"c","ifname":"eth0","netns":"/run/netns/p",
 *    "saved":[{"what":"mtu","value":"1500"},
 *             {"what":"sysctl","name":"net.ipv4.conf.eth0.arp_filter",
 *              "path":"/proc/sys/net/ipv4/conf/eth0/arp_filter","value":"0"}]}
 * "saved" is in the order the values were first replaced; DEL restores the
 * last first. A value is saved once, by the first ADD that changes it; later
 * ADDs (mutations) add only what they change for the first time. The
 * directory <dataDir>/<network> is flock'ed for each ADD, DEL and GC.
 */
#include "tuning.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cni/cleanup.h"
#include "cni/json.h"
#include "cni/statefile.h"

#define STATE_VERSION 1
#define STATE_MAX     (256u << 10)

void tl_state_free(struct tl_state *st)
{
	tl_items_free(&st->saved);
}

int tl_state_lock(const char *data_dir, const struct cni_ctx *ctx, bool create, struct tl_state *st,
		  int *lock_fd, struct cni_error *err)
{
	int n;

	*lock_fd = -1;
	n = snprintf(st->dir, sizeof(st->dir), "%s/%s", data_dir, ctx->conf.name);
	if (n < 0 || (size_t)n >= sizeof(st->dir))
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "dataDir and network name are too long");
	n = snprintf(st->path, sizeof(st->path), "%s/%s:%s.json", st->dir, ctx->env.container_id,
		     ctx->env.ifname);
	if (n < 0 || (size_t)n >= sizeof(st->path))
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "state file path is too long");
	if (!create && access(st->dir, F_OK) < 0 && errno == ENOENT)
		return 0;
	if (create && cni_mkdir_p(st->dir, 0700, err) < 0)
		return -1;
	return cni_dir_lock(st->dir, lock_fd, err);
}

/* ---- reading ---- */

static int bad_state(const struct tl_state *st, const char *why, struct cni_error *err)
{
	cni_err(err, TL_ERR_STATE, "state file %s is malformed: %s", st->path, why);
	return cni_err_details(err,
			       "remove or repair it by hand; it records the values to restore");
}

static int kind_from_name(const char *s)
{
	for (int k = TL_MAC; k <= TL_SYSCTL; k++)
		if (!strcmp(s, tl_kind_name(k)))
			return k;
	return -1;
}

/* A saved value must be one DEL can write back without doing harm. */
static bool value_ok(enum tl_kind kind, const char *path, const char *v)
{
	char *end;

	switch (kind) {
	case TL_MAC:
		return strlen(v) == 17;
	case TL_MTU:
	case TL_TXQLEN:
		return *v && strtoull(v, &end, 10) <= UINT32_MAX && !*end;
	case TL_PROMISC:
	case TL_ALLMULTI:
		return !strcmp(v, "true") || !strcmp(v, "false");
	case TL_SYSCTL:
		return path && !strncmp(path, "/proc/sys/net/", 14) && !strstr(path, "/..") &&
		       strlen(v) < TL_VALUE_MAX && !strchr(v, '\n');
	}
	return false;
}

static int load_item(const cJSON *it, const struct tl_state *st, struct tl_items *saved,
		     struct cni_error *err)
{
	const char *what = NULL, *name = NULL, *path = NULL, *value = NULL;
	int kind;

	if (cni_json_string(it, "what", true, &what, "saved", err) < 0 ||
	    cni_json_string(it, "value", true, &value, "saved", err) < 0 ||
	    cni_json_string(it, "name", false, &name, "saved", err) < 0 ||
	    cni_json_string(it, "path", false, &path, "saved", err) < 0)
		return bad_state(st, err->msg, err);
	kind = kind_from_name(what);
	if (kind < 0 || !value_ok(kind, path, value))
		return bad_state(st, "an entry has an unknown kind or an unusable value", err);
	return tl_items_add(saved, kind, name, kind == TL_SYSCTL ? path : NULL, value, err);
}

static int check_identity(const cJSON *root, const struct cni_ctx *ctx, const struct tl_state *st,
			  struct cni_error *err)
{
	const char *net = NULL, *cid = NULL, *ifname = NULL;
	int64_t version = 0;

	if (cni_json_int(root, "version", true, 1, 1000, &version, NULL, err) < 0 ||
	    cni_json_string(root, "network", true, &net, NULL, err) < 0 ||
	    cni_json_string(root, "containerID", true, &cid, NULL, err) < 0 ||
	    cni_json_string(root, "ifname", true, &ifname, NULL, err) < 0)
		return bad_state(st, err->msg, err);
	if (version != STATE_VERSION)
		return bad_state(st, "unknown version", err);
	if (strcmp(net, ctx->conf.name) != 0 || strcmp(cid, ctx->env.container_id) != 0 ||
	    strcmp(ifname, ctx->env.ifname) != 0)
		return bad_state(st, "it belongs to another attachment", err);
	return 0;
}

int tl_state_load(const struct cni_ctx *ctx, struct tl_state *st, struct cni_error *err)
{
	cleanup_free char *text = NULL;
	cleanup_json cJSON *root = NULL;
	const cJSON *saved = NULL, *it;
	size_t len;
	int r;

	tl_items_free(&st->saved);
	st->existed = false;
	r = cni_file_read(st->path, STATE_MAX, &text, &len, err);
	if (r <= 0)
		return r;
	st->existed = true;
	if (!(root = cJSON_ParseWithLength(text, len)) || !cJSON_IsObject(root))
		return bad_state(st, "not a JSON object", err);
	if (check_identity(root, ctx, st, err) < 0 ||
	    cni_json_array(root, "saved", true, &saved, NULL, err) < 0)
		return err->code == TL_ERR_STATE ? -1 : bad_state(st, err->msg, err);
	cJSON_ArrayForEach(it, saved) if (load_item(it, st, &st->saved, err) < 0) return -1;
	return 0;
}

/* ---- writing ---- */

static cJSON *item_json(const struct tl_item *it)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddStringToObject(o, "what", tl_kind_name(it->kind)) ||
	    (it->kind == TL_SYSCTL && (!cJSON_AddStringToObject(o, "name", it->name) ||
				       !cJSON_AddStringToObject(o, "path", it->path))) ||
	    !cJSON_AddStringToObject(o, "value", it->value)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *state_json(const struct cni_ctx *ctx, const struct tl_state *st)
{
	cJSON *root = cJSON_CreateObject(), *arr;

	if (!root || !cJSON_AddNumberToObject(root, "version", STATE_VERSION) ||
	    !cJSON_AddStringToObject(root, "network", ctx->conf.name) ||
	    !cJSON_AddStringToObject(root, "containerID", ctx->env.container_id) ||
	    !cJSON_AddStringToObject(root, "ifname", ctx->env.ifname) ||
	    (ctx->env.netns && !cJSON_AddStringToObject(root, "netns", ctx->env.netns)) ||
	    !(arr = cJSON_AddArrayToObject(root, "saved")))
		goto oom;
	for (size_t i = 0; i < st->saved.n; i++) {
		cJSON *o = item_json(&st->saved.v[i]);

		if (!o || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			goto oom;
		}
	}
	return root;
oom:
	cJSON_Delete(root);
	return NULL;
}

int tl_state_store(const struct cni_ctx *ctx, const struct tl_state *st, struct cni_error *err)
{
	cleanup_json cJSON *root = NULL;
	cleanup_free char *text = NULL;

	if (st->saved.n == 0)
		return cni_file_remove(st->path, err);
	if (!(root = state_json(ctx, st)) || !(text = cJSON_Print(root)))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	return cni_file_write_atomic(st->path, text, strlen(text), 0600, err);
}

/* ---- GC ---- */

/* Whether a directory entry is a state file (or a temp file left by a crash:
 * under the lock no write is in progress) of an attachment that is gone. */
static bool stale(const struct cni_conf *conf, const char *entry)
{
	char cid[300], ifname[64];
	const char *colon = strchr(entry, ':');
	size_t len = strlen(entry);
	const char *ext = strstr(entry, ".json");

	if (!colon || !ext || (size_t)(colon - entry) >= sizeof(cid))
		return false;
	if (strstr(entry, ".json.tmp."))
		return true;
	if (ext != entry + len - 5 || (size_t)(ext - colon - 1) >= sizeof(ifname))
		return false;
	snprintf(cid, sizeof(cid), "%.*s", (int)(colon - entry), entry);
	snprintf(ifname, sizeof(ifname), "%.*s", (int)(ext - colon - 1), colon + 1);
	return !cni_conf_attachment_valid(conf, cid, ifname);
}

int tl_state_gc(const char *data_dir, const struct cni_ctx *ctx, struct cni_error *err)
{
	int rc;
	char dir[4096], path[4096 + 256];
	cleanup_close int lock = -1;
	cleanup_dir DIR *d = NULL;
	struct dirent *e;

	/* Without the list the runtime has not said what is valid: keep everything. */
	if (!ctx->conf.has_valid_attachments)
		return 0;
	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", data_dir, ctx->conf.name) >= sizeof(dir))
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "dataDir and network name are too long");
	if (access(dir, F_OK) < 0 && errno == ENOENT)
		return 0;
	if ((rc = cni_dir_lock(dir, &lock, err)) < 0)
		return rc;
	if (!(d = opendir(dir)))
		return cni_err_errno(err, CNI_ERR_IO, errno, "read directory %s", dir);
	while ((e = readdir(d))) {
		if (!stale(&ctx->conf, e->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if ((rc = cni_file_remove(path, err)) < 0)
			return rc;
	}
	return 0;
}
