/* Which pod: a netns path, a pid, a netns name or a container ID, and the
 * other half found in libcni's cache or the history log. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cni/cache.h"
#include "cni/cleanup.h"
#include "cni/validate.h"
#include "kractl.h"

#define NSFS_MAGIC_NUMBER 0x6e736673

void kc_pod_free(struct kc_pod *p)
{
	free(p->netns);
	free(p->id);
	memset(p, 0, sizeof(*p));
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

int kc_netns_path(const char *arg, char **path, struct cni_error *err)
{
	int n;

	if (all_digits(arg))
		n = asprintf(path, "/proc/%s/ns/net", arg);
	else if (strchr(arg, '/'))
		n = asprintf(path, "%s", arg);
	else
		n = asprintf(path, "/run/netns/%s", arg);
	if (n < 0) {
		*path = NULL;
		return cni_err(err, CNI_ERR_IO, "out of memory");
	}
	return cni_validate_netns_path(*path, err);
}

int kc_netns_exists(const char *path, struct cni_error *err)
{
	struct statfs fs;

	if (!path)
		return cni_err(err, CNI_ERR_INVALID_ENV, "no netns");
	if (statfs(path, &fs) < 0)
		return cni_err_errno(err, CNI_ERR_INVALID_ENV, errno, "netns %s", path);
	if (fs.f_type != NSFS_MAGIC_NUMBER)
		return cni_err(err, CNI_ERR_INVALID_ENV,
			       "netns %s is not a network namespace (a file left behind?)", path);
	return 0;
}

static ino_t inode_of(const char *path)
{
	struct stat st;

	return path && stat(path, &st) == 0 ? st.st_ino : 0;
}

/* The sandbox path of the first interface that has one, in a cached result. */
static const char *result_sandbox(const cJSON *result)
{
	const cJSON *f;

	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(result, "interfaces"))
	{
		const char *s =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "sandbox"));

		if (s && *s)
			return s;
	}
	return NULL;
}

struct lookup {
	struct kc_pod *p;
	bool by_netns; /* find the ID of p->netns (else the netns of p->id) */
};

static int visit_cache(const struct cni_cache_entry *e, void *data)
{
	struct lookup *l = data;
	const char *ns = e->netns ? e->netns : result_sandbox(e->result);

	if (!ns)
		return 0;
	if (l->by_netns && (strcmp(ns, l->p->netns) == 0 || inode_of(ns) == l->p->ino))
		return (l->p->id = strdup(e->container_id)) ? 1 : -ENOMEM;
	if (!l->by_netns && strcmp(e->container_id, l->p->id) == 0 &&
	    kc_netns_exists(ns, NULL) == 0)
		return (l->p->netns = strdup(ns)) ? 1 : -ENOMEM;
	return 0;
}

static bool line_matches(const cJSON *line, const void *data)
{
	const struct lookup *l = data;
	const cJSON *ino = cJSON_GetObjectItemCaseSensitive(line, "netnsInode");
	const char *id =
	    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(line, "containerID"));
	const char *ns = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(line, "netns"));

	if (l->by_netns)
		return id && cJSON_IsNumber(ino) && (ino_t)ino->valuedouble == l->p->ino;
	return id && ns && strcmp(id, l->p->id) == 0 && kc_netns_exists(ns, NULL) == 0;
}

/* The newest history line about the pod fills in the other half. */
static int lookup_logs(const struct kc_opts *o, struct lookup *l, struct cni_error *err)
{
	_cleanup_(kc_sources_free) struct kc_sources s = {0};
	_cleanup_(kc_lines_free) struct cni_array lines = CNI_ARRAY_INIT;
	const cJSON *last;
	int rc;

	if ((rc = kc_sources_find(o, &s, err)) < 0 ||
	    (rc = kc_log_lines(&s, line_matches, l, &lines, err)) < 0 || lines.n == 0)
		return rc;
	last = ((cJSON **)lines.v)[lines.n - 1];
	if (l->by_netns)
		l->p->id = strdup(cJSON_GetStringValue(cJSON_GetObjectItem(last, "containerID")));
	else
		l->p->netns = strdup(cJSON_GetStringValue(cJSON_GetObjectItem(last, "netns")));
	if (!(l->by_netns ? l->p->id : l->p->netns))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	return 0;
}

/* A pod named by its netns: the container ID from --id, the cache, the
 * history, or netns-<inode> when no runtime ever named it. */
static int pod_by_netns(struct kc_opts *o, const char *arg, bool need, struct kc_pod *p,
			struct cni_error *err)
{
	struct lookup l = {p, true};
	int rc;

	if ((rc = kc_netns_path(arg, &p->netns, err)) < 0)
		return rc;
	if ((rc = kc_netns_exists(p->netns, err)) < 0) {
		kc_hint(o, "the pod is gone (or the pid/path is wrong); name it by container ID "
			   "to see its history or revert what is left");
		return rc;
	}
	p->ino = inode_of(p->netns);
	if (o->id)
		return (p->id = strdup(o->id)) ? 0 : cni_err(err, CNI_ERR_IO, "out of memory");
	if ((rc = cni_cache_walk(o->cache_dir, visit_cache, &l, err)) < 0 && rc != -ENOMEM)
		return rc;
	if (!p->id && (rc = lookup_logs(o, &l, err)) < 0)
		return rc;
	if (!p->id) {
		p->id_guessed = true;
		if (asprintf(&p->id, "netns-%" PRIuMAX, (uintmax_t)p->ino) < 0) {
			p->id = NULL;
			return cni_err(err, CNI_ERR_IO, "out of memory");
		}
	}
	return 0;
}

/* A pod named by its container ID: the netns from --netns, the cache or the
 * history (NULL when none exists any more and need is false). */
static int pod_by_id(struct kc_opts *o, const char *arg, bool need, struct kc_pod *p,
		     struct cni_error *err)
{
	struct lookup l = {p, false};
	int rc;

	if ((rc = cni_validate_container_id(arg, err)) < 0 || !(p->id = strdup(arg)))
		return rc < 0 ? rc : cni_err(err, CNI_ERR_IO, "out of memory");
	if (o->netns) {
		if ((rc = kc_netns_path(o->netns, &p->netns, err)) < 0 ||
		    (need && (rc = kc_netns_exists(p->netns, err)) < 0))
			return rc;
	} else if ((rc = cni_cache_walk(o->cache_dir, visit_cache, &l, err)) < 0 ||
		   (!p->netns && (rc = lookup_logs(o, &l, err)) < 0)) {
		return rc;
	}
	if (!p->netns && need) {
		kc_hint(o,
			"no running netns is known for container %s in the cache (%s) or the "
			"history: give the pod as a netns path or a pid, or --netns",
			arg, o->cache_dir ? o->cache_dir : CNI_CACHE_DEFAULT_DIR);
		return cni_err(err, CNI_ERR_INVALID_ENV,
			       "pod %s: its network namespace is unknown "
			       "or gone",
			       arg);
	}
	p->ino = inode_of(p->netns);
	return 0;
}

int kc_pod_resolve(struct kc_opts *o, const char *arg, bool need_netns, struct kc_pod *p,
		   struct cni_error *err)
{
	char named[4096];

	memset(p, 0, sizeof(*p));
	snprintf(named, sizeof(named), "/run/netns/%s", arg);
	if (all_digits(arg) || strchr(arg, '/') || (!strchr(arg, '/') && access(named, F_OK) == 0))
		return pod_by_netns(o, arg, need_netns, p, err);
	return pod_by_id(o, arg, need_netns, p, err);
}
