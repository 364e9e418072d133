/* Where a pod's history is: the logFile and tuning-lite dataDir values named by
 * the options, the configs in the conf dir and the configs libcni cached. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni/cache.h"
#include "cni/cleanup.h"
#include "cni/json.h"
#include "cni/statefile.h"
#include "kractl.h"

#define KC_LOG_MAX_LINE (64u << 10)

static void free_strings(struct cni_array *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(((char **)a->v)[i]);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

void kc_sources_free(struct kc_sources *s)
{
	free_strings(&s->logs);
	free_strings(&s->data);
	free_strings(&s->ipam);
	free_strings(&s->nets);
}

int kc_add_unique(struct cni_array *a, const char *v, struct cni_error *err)
{
	char **slot;

	if (!v || !*v)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(((char **)a->v)[i], v) == 0)
			return 0;
	if (!(slot = CNI_ARRAY_PUSH(a, char *, 0, "sources", err)))
		return -err->errnum;
	if (!(*slot = strdup(v)))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	return 0;
}

/* A krafty plugin: its network is krafty's, its host-local dataDir is one ls reads. */
static int from_krafty(struct kc_sources *s, const cJSON *root, const cJSON *p,
		       struct cni_error *err)
{
	const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(p, "type"));
	const cJSON *ipam = cJSON_GetObjectItem(p, "ipam");
	const char *ipam_type = cJSON_GetStringValue(cJSON_GetObjectItem(ipam, "type"));
	int rc;

	if (!type || strcmp(type, "krafty") != 0)
		return 0;
	if ((rc = kc_add_unique(&s->nets, cJSON_GetStringValue(cJSON_GetObjectItem(root, "name")),
				err)) < 0 ||
	    !ipam_type || strcmp(ipam_type, "host-local") != 0)
		return rc;
	return kc_add_unique(&s->ipam, cJSON_GetStringValue(cJSON_GetObjectItem(ipam, "dataDir")),
			     err);
}

/* logFile of the list and of each plugin; dataDir of each tuning-lite. */
static int from_config(struct kc_sources *s, const cJSON *root, struct cni_error *err)
{
	const cJSON *plugins = cJSON_GetObjectItemCaseSensitive(root, "plugins"), *p;
	int rc;

	if ((rc = kc_add_unique(
		 &s->logs, cJSON_GetStringValue(cJSON_GetObjectItem(root, "logFile")), err)) < 0)
		return rc;
	if (!cJSON_IsArray(plugins))
		plugins = NULL;
	for (p = plugins ? plugins->child : root; p; p = plugins ? p->next : NULL) {
		const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(p, "type"));

		if ((rc = from_krafty(s, root, p, err)) < 0 ||
		    (rc = kc_add_unique(&s->logs,
					cJSON_GetStringValue(cJSON_GetObjectItem(p, "logFile")),
					err)) < 0 ||
		    (type && !strcmp(type, "tuning-lite") &&
		     (rc = kc_add_unique(&s->data,
					 cJSON_GetStringValue(cJSON_GetObjectItem(p, "dataDir")),
					 err)) < 0))
			return rc;
	}
	return 0;
}

static int visit_cached(const struct cni_cache_entry *e, void *data)
{
	struct kc_sources *s = data;
	cleanup_json cJSON *root = e->config ? cJSON_Parse(e->config) : NULL;
	struct cni_error ignored = CNI_ERROR_INIT;

	return root && from_config(s, root, &ignored) < 0 ? -ENOMEM : 0;
}

static int from_conf_dir(struct kc_sources *s, const char *dir, struct cni_error *err)
{
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *e;
	int rc;

	while (d && (e = readdir(d))) {
		const char *dot = strrchr(e->d_name, '.');
		cleanup_free char *path = NULL, *text = NULL;
		cleanup_json cJSON *root = NULL;
		size_t len;

		if (!dot || (strcmp(dot, ".conflist") != 0 && strcmp(dot, ".conf") != 0 &&
			     strcmp(dot, ".json") != 0))
			continue;
		if (asprintf(&path, "%s/%s", dir, e->d_name) < 0) {
			path = NULL;
			return cni_err(err, CNI_ERR_IO, "out of memory");
		}
		if (cni_file_read(path, 4u << 20, &text, &len, NULL) <= 0 ||
		    !(root = cJSON_ParseWithLength(text, len)))
			continue;
		if ((rc = from_config(s, root, err)) < 0)
			return rc;
	}
	return 0;
}

int kc_sources_find(const struct kc_opts *o, struct kc_sources *s, struct cni_error *err)
{
	int rc;

	for (size_t i = 0; i < o->n_more_logs; i++)
		if ((rc = kc_add_unique(&s->logs, o->more_logs[i], err)) < 0)
			return rc;
	if ((rc = kc_add_unique(&s->logs, o->log_file, err)) < 0 ||
	    (rc = kc_add_unique(&s->logs, KC_DEFAULT_LOG, err)) < 0 ||
	    (rc = kc_add_unique(&s->data, o->data_dir, err)) < 0 ||
	    (rc = kc_add_unique(&s->data, KC_DEFAULT_TUNING, err)) < 0 ||
	    (rc = kc_add_unique(&s->ipam, KC_DEFAULT_IPAM, err)) < 0 ||
	    (rc = from_conf_dir(s, o->conf_dir, err)) < 0)
		return rc;
	if ((rc = cni_cache_walk(o->cache_dir, visit_cached, s, err)) == -ENOMEM)
		return cni_err(err, CNI_ERR_IO, "out of memory");
	return rc < 0 ? rc : 0;
}

void kc_lines_free(struct cni_array *lines)
{
	for (size_t i = 0; i < lines->n; i++)
		cJSON_Delete(((cJSON **)lines->v)[i]);
	free(lines->v);
	memset(lines, 0, sizeof(*lines));
}

static const char *time_of(const cJSON *line)
{
	const char *t = cJSON_GetStringValue(cJSON_GetObjectItem(line, "time"));

	return t ? t : "";
}

/* Stable (lines of one call keep their order within a millisecond), and the
 * files are mostly in order already: an insertion sort. */
static void sort_by_time(cJSON **v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		cJSON *x = v[i];
		size_t j = i;

		for (; j > 0 && strcmp(time_of(v[j - 1]), time_of(x)) > 0; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static int read_log(const char *path, kc_line_filter keep, const void *data,
		    struct cni_array *lines, struct cni_error *err)
{
	cleanup_fclose FILE *f = fopen(path, "re");
	cleanup_free char *buf = NULL;
	size_t cap = 0;
	ssize_t n;

	while (f && (n = getline(&buf, &cap, f)) > 0) {
		cJSON *line, **slot;

		if ((size_t)n > KC_LOG_MAX_LINE || !(line = cJSON_ParseWithLength(buf, (size_t)n)))
			continue;
		if (!cJSON_IsObject(line) || !keep(line, data)) {
			cJSON_Delete(line);
			continue;
		}
		if (!(slot = CNI_ARRAY_PUSH(lines, cJSON *, 0, "log lines", err))) {
			cJSON_Delete(line);
			return -err->errnum;
		}
		*slot = line;
	}
	return 0;
}

int kc_log_lines(const struct kc_sources *s, kc_line_filter keep, const void *data,
		 struct cni_array *lines, struct cni_error *err)
{
	int rc;

	for (size_t i = 0; i < s->logs.n; i++)
		if ((rc = read_log(((char **)s->logs.v)[i], keep, data, lines, err)) < 0)
			return rc;
	sort_by_time(lines->v, lines->n);
	return 0;
}
