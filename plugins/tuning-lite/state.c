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
 *
 * Not trusted: dataDir comes from the config, so whoever writes configs may
 * choose where the state lives and what is there. <network> and the files in
 * it are opened below a descriptor of dataDir without following a symbolic
 * link (dataDir itself may be one: the operator's choice), only regular files
 * are read, and every saved value passes the rules a config's value passes
 * (sysctl.c: a sysctl of CNI_IFNAME, "all", "default" or the namespace, under
 * net.; a MAC, numbers and flags in their form) before DEL writes it back.
 *
 * A file that breaks them (malformed JSON, another attachment's identity, a
 * value the rules refuse, a link, not a regular file, too large) is "broken":
 * ADD refuses to go on (code 102: it cannot know the values to restore), and
 * DEL, which cannot restore from it either, moves it aside to
 * <file>.broken.<time> and succeeds, so that the pod's teardown is not stuck
 * and nothing the file says is lost: an operator can read it and restore by
 * hand. GC keeps .broken files.
 */
#include "tuning.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/file.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cni/cleanup.h"
#include "cni/json.h"
#include "cni/jsoncheck.h"
#include "cni/statefile.h"

#define STATE_VERSION 1
#define STATE_MAX     (256u << 10)

void tl_state_free(struct tl_state *st)
{
	tl_items_free(&st->saved);
}

/* The network directory below dataDir, not through a symbolic link. */
static int open_network_dir(const char *data_dir, const struct cni_ctx *ctx, bool create, int *fd,
			    struct cni_error *err)
{
	cleanup_close int dd = -1;
	int rc;

	*fd = -1;
	if (create && (rc = cni_mkdir_p(data_dir, 0700, err)) < 0)
		return rc;
	dd = open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dd < 0 && errno == ENOENT && !create)
		return 0;
	if (dd < 0)
		return cni_err_errno(err, CNI_ERR_IO, errno, "open dataDir %s", data_dir);
	rc = cni_dir_open_at(dd, ctx->conf.name, create, 0700, fd, err);
	if (rc == -ENOENT)
		return 0;
	if (rc < 0 && (err->errnum == ELOOP || err->errnum == ENOTDIR)) {
		/* Never ours: we make it a directory. Nothing of ours can be in it. */
		if (!create)
			return 0;
		cni_err(err, TL_ERR_STATE,
			"state directory %s/%s is not a directory (a symbolic "
			"link?): it is not followed",
			data_dir, ctx->conf.name);
		return cni_err_details(err, "move it away: tuning-lite makes its own");
	}
	return rc;
}

int tl_state_lock(const char *data_dir, const struct cni_ctx *ctx, bool create, struct tl_state *st,
		  int *lock_fd, struct cni_error *err)
{
	cleanup_close int fd = -1;
	int n, rc;

	*lock_fd = -1;
	st->dirfd = -1;
	n = snprintf(st->dir, sizeof(st->dir), "%s/%s", data_dir, ctx->conf.name);
	if (n < 0 || (size_t)n >= sizeof(st->dir))
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "dataDir and network name are too long");
	n = snprintf(st->name, sizeof(st->name), "%s:%s.json", ctx->env.container_id,
		     ctx->env.ifname);
	if (n < 0 || (size_t)n >= sizeof(st->name) ||
	    (size_t)snprintf(st->path, sizeof(st->path), "%s/%s", st->dir, st->name) >=
		sizeof(st->path))
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "state file path is too long");
	if ((rc = open_network_dir(data_dir, ctx, create, &fd, err)) < 0)
		return rc;
	if (fd < 0)
		return 0;
	if (RETRY_EINTR(flock(fd, LOCK_EX)) < 0)
		return cni_err_errno(err, CNI_ERR_IO, errno, "lock directory %s", st->dir);
	st->dirfd = fd;
	*lock_fd = steal_fd(fd);
	return 0;
}

/* ---- reading ---- */

static int bad_state(struct tl_state *st, const char *why, struct cni_error *err)
{
	st->broken = true;
	cni_err(err, TL_ERR_STATE, "state file %s is unusable: %.300s", st->path, why);
	return cni_err_details(err,
			       "it records the values to restore; DEL of this attachment "
			       "moves it aside to %s.broken.<time> (nothing is lost), or move "
			       "it aside by hand",
			       st->name);
}

static int kind_from_name(const char *s)
{
	for (int k = TL_MAC; k <= TL_SYSCTL; k++)
		if (!strcmp(s, tl_kind_name(k)))
			return k;
	return -1;
}

static bool all_digits(const char *v, size_t max_len)
{
	size_t n = strspn(v, "0123456789");

	return n && !v[n] && n <= max_len;
}

/* A saved link attribute in the form ADD saves it. */
static bool link_value_ok(enum tl_kind kind, const char *v)
{
	switch (kind) {
	case TL_MAC:
		for (int i = 0; i < 17; i++)
			if (i % 3 == 2 ? v[i] != ':' : !strchr("0123456789abcdef", v[i]) || !v[i])
				return false;
		return v[17] == '\0';
	case TL_MTU:
	case TL_TXQLEN:
		return all_digits(v, 10) && strtoull(v, NULL, 10) <= UINT32_MAX;
	case TL_PROMISC:
	case TL_ALLMULTI:
		return !strcmp(v, "true") || !strcmp(v, "false");
	case TL_SYSCTL:
		break;
	}
	return false;
}

/* A saved sysctl: its name passes the rules a config's key passes (for this
 * attachment's CNI_IFNAME), and names the file saved with it; its value is one
 * line. */
static int load_sysctl(const cJSON *it, const char *ifname, const char *value, struct tl_state *st,
		       struct tl_items *saved, struct cni_error *err)
{
	cleanup_free char *resolved = NULL;
	const char *name = NULL, *path = NULL;
	char want[KNL_SYSCTL_PATH_MAX];
	struct cni_error why = CNI_ERROR_INIT;

	if (cni_json_string(it, "name", true, &name, "saved", &why) < 0 ||
	    cni_json_string(it, "path", true, &path, "saved", &why) < 0 ||
	    tl_sysctl_resolve(name, ifname, &resolved, want, &why) < 0)
		return bad_state(st, why.msg, err);
	if (strcmp(path, want) != 0)
		return bad_state(st, "a sysctl's path is not the file its name names", err);
	for (const char *c = value; *c; c++)
		if ((unsigned char)*c < 0x20 && *c != '\t')
			return bad_state(st, "a sysctl value has a control character", err);
	if (strlen(value) >= TL_VALUE_MAX)
		return bad_state(st, "a sysctl value is too long", err);
	return tl_items_add(saved, TL_SYSCTL, resolved, want, value, err);
}

static int load_item(const cJSON *it, const char *ifname, struct tl_state *st,
		     struct tl_items *saved, struct cni_error *err)
{
	const char *what = NULL, *value = NULL;
	struct cni_error why = CNI_ERROR_INIT;
	int kind;

	if (cni_json_string(it, "what", true, &what, "saved", &why) < 0 ||
	    cni_json_string(it, "value", true, &value, "saved", &why) < 0)
		return bad_state(st, why.msg, err);
	if ((kind = kind_from_name(what)) < 0)
		return bad_state(st, "an entry has an unknown kind", err);
	if (kind == TL_SYSCTL)
		return load_sysctl(it, ifname, value, st, saved, err);
	if (!link_value_ok(kind, value))
		return bad_state(st, "a link attribute has a value not in its form", err);
	if (tl_items_find(saved, &(struct tl_item){.kind = kind}))
		return bad_state(st, "a link attribute is saved twice", err);
	return tl_items_add(saved, kind, NULL, NULL, value, err);
}

static int check_identity(const cJSON *root, const struct cni_ctx *ctx, struct tl_state *st,
			  struct cni_error *err)
{
	const char *net = NULL, *cid = NULL, *ifname = NULL;
	int64_t version = 0;
	struct cni_error why = CNI_ERROR_INIT;

	if (cni_json_int(root, "version", true, 1, 1000, &version, NULL, &why) < 0 ||
	    cni_json_string(root, "network", true, &net, NULL, &why) < 0 ||
	    cni_json_string(root, "containerID", true, &cid, NULL, &why) < 0 ||
	    cni_json_string(root, "ifname", true, &ifname, NULL, &why) < 0)
		return bad_state(st, why.msg, err);
	if (version != STATE_VERSION)
		return bad_state(st, "unknown version", err);
	if (strcmp(net, ctx->conf.name) != 0 || strcmp(cid, ctx->env.container_id) != 0 ||
	    strcmp(ifname, ctx->env.ifname) != 0)
		return bad_state(st, "it belongs to another attachment", err);
	return 0;
}

/* Every entry of "saved", each sysctl file once. */
static int load_items(const cJSON *root, const struct cni_ctx *ctx, struct tl_state *st,
		      struct cni_error *err)
{
	cleanup_index struct tl_index ix = {0};
	struct cni_error why = CNI_ERROR_INIT;
	const cJSON *saved = NULL, *it;
	size_t a, b;
	int rc;

	if (cni_json_array(root, "saved", true, &saved, NULL, &why) < 0)
		return bad_state(st, why.msg, err);
	if (cJSON_GetArraySize(saved) > TL_MAX_SAVED)
		return bad_state(st, "more saved values than tuning-lite ever saves", err);
	cJSON_ArrayForEach(it, saved)
	{
		if ((rc = load_item(it, ctx->env.ifname, st, &st->saved, err)) < 0)
			return rc;
	}
	if ((rc = tl_index_build(&st->saved, &ix, err)) < 0)
		return rc;
	if (tl_index_duplicate(&ix, &a, &b))
		return bad_state(st, "a sysctl is saved twice", err);
	return 0;
}

int tl_state_load(const struct cni_ctx *ctx, struct tl_state *st, struct cni_error *err)
{
	cleanup_free char *text = NULL;
	cleanup_json cJSON *root = NULL;
	struct cni_error why = CNI_ERROR_INIT;
	size_t len;
	int r;

	tl_items_free(&st->saved);
	st->existed = st->broken = false;
	r = cni_file_read_regular(st->dirfd, st->name, false, STATE_MAX, TL_ERR_STATE, st->path,
				  &text, &len, &why);
	if (r == 0)
		return 0;
	st->existed = true;
	if (r < 0 && why.code != TL_ERR_STATE) {
		*err = why;
		return r;
	}
	if (r < 0 ||
	    cni_json_parse_strict(text, len, TL_ERR_STATE, TL_ERR_STATE, "it", &root, &why) < 0)
		return bad_state(st, why.msg, err);
	if (!cJSON_IsObject(root))
		return bad_state(st, "not a JSON object", err);
	if ((r = check_identity(root, ctx, st, err)) < 0 ||
	    (r = load_items(root, ctx, st, err)) < 0) {
		tl_items_free(&st->saved);
		return r;
	}
	return 0;
}

int tl_state_set_aside(const struct tl_state *st, char *moved, size_t size, struct cni_error *err)
{
	long now = (long)time(NULL);

	for (int i = 0; i < 100; i++) {
		if ((size_t)snprintf(moved, size, "%s.broken.%ld", st->name, now + i) >= size)
			return cni_err(err, CNI_ERR_IO, "state file name too long");
		if (renameat2(st->dirfd, st->name, st->dirfd, moved, RENAME_NOREPLACE) == 0)
			return 0;
		if (errno != EEXIST)
			return cni_err_errno(err, CNI_ERR_IO, errno, "move %s aside", st->path);
	}
	return cni_err_errno(err, CNI_ERR_IO, EEXIST, "move %s aside", st->path);
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
		return cni_file_remove_at(st->dirfd, st->name, err);
	if (!(root = state_json(ctx, st)) || !(text = cJSON_Print(root)))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	return cni_file_write_atomic_at(st->dirfd, st->name, text, strlen(text), 0600, err);
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
	cleanup_close int fd = -1;
	cleanup_dir DIR *d = NULL;
	struct dirent *e;
	int rc;

	/* Without the list the runtime has not said what is valid: keep everything. */
	if (!ctx->conf.has_valid_attachments)
		return 0;
	if ((rc = open_network_dir(data_dir, ctx, false, &fd, err)) < 0)
		return rc;
	if (fd < 0)
		return 0;
	if (RETRY_EINTR(flock(fd, LOCK_EX)) < 0)
		return cni_err_errno(err, CNI_ERR_IO, errno, "lock directory %s/%s", data_dir,
				     ctx->conf.name);
	if (!(d = cni_dir_stream(fd)))
		return cni_err_errno(err, CNI_ERR_IO, errno, "read directory %s/%s", data_dir,
				     ctx->conf.name);
	while ((e = readdir(d))) {
		if (stale(&ctx->conf, e->d_name) &&
		    (rc = cni_file_remove_at(fd, e->d_name, err)) < 0)
			return rc;
	}
	return 0;
}
