#include "history.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "json.h"
#include "plugin.h"

static const char *const allowed_dirs[] = {"/var/log/", "/run/", "/var/lib/cni/"};

void cni_history_note(struct cni_ctx *ctx, const char *key, const char *from, const char *to)
{
	cJSON *o;

	if (!ctx->changes && !(ctx->changes = cJSON_CreateArray()))
		return;
	if (!(o = cJSON_CreateObject()))
		return;
	if (!cJSON_AddStringToObject(o, "key", key ? key : "?") ||
	    (from && !cJSON_AddStringToObject(o, "from", from)) ||
	    (to && !cJSON_AddStringToObject(o, "to", to)) || !cJSON_AddItemToArray(ctx->changes, o))
		cJSON_Delete(o);
}

int cni_history_check_path(const char *path, struct cni_error *err)
{
	size_t n = sizeof(allowed_dirs) / sizeof(allowed_dirs[0]), i;

	if (!path || path[0] != '/' || strlen(path) >= PATH_MAX)
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "logFile must be an absolute path");
	for (i = 0; i < n; i++)
		if (!strncmp(path, allowed_dirs[i], strlen(allowed_dirs[i])))
			break;
	if (i == n)
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "logFile %.200s is not under /var/log/, /run/ or /var/lib/cni/",
			       path);
	if (strstr(path, "//") || strstr(path, "/./") || strstr(path, "/../") ||
	    path[strlen(path) - 1] == '/' ||
	    (strlen(path) >= 2 && !strcmp(path + strlen(path) - 2, "/.")) ||
	    (strlen(path) >= 3 && !strcmp(path + strlen(path) - 3, "/..")))
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "logFile %.200s has an empty, \".\" or \"..\" component", path);
	return 0;
}

/* A directory the line may be written in: real, root's, writable by root only. */
static int safe_dir(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == 0 &&
	       !(st.st_mode & (S_IWGRP | S_IWOTH));
}

/* Walk the directories of path from / without following symlinks, each one
 * checked; the last one is created when missing. Returns a dir fd and *base,
 * or -1. For kernels without openat2 (before 5.6). */
static int walk_dir(char *path, const char **base)
{
	cleanup_close int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	char *p = path + 1, *slash;

	while (fd >= 0 && (slash = strchr(p, '/'))) {
		int next;

		*slash = '\0';
		next = openat(fd, p, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && !strchr(slash + 1, '/') &&
		    mkdirat(fd, p, 0700) == 0)
			next = openat(fd, p, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 || !safe_dir(next)) {
			if (next >= 0)
				close(next);
			return -1;
		}
		close(fd);
		fd = next;
		p = slash + 1;
	}
	*base = p;
	return steal_fd(fd);
}

/* dir resolved in one call with no symlink (nor /proc magic link) anywhere. */
static int open_nofollow(const char *dir)
{
	struct open_how how = {
	    .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
	    .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};

	return (int)syscall(SYS_openat2, AT_FDCWD, dir, &how, sizeof(how));
}

/* The directory of path (cut at its last '/', *base after it), resolved with
 * no symlink and checked: a symlink-free path to a directory that only root
 * can write cannot be steered elsewhere by anyone but root. A missing last
 * directory is created in a parent that passes the same check. -1 on failure. */
static int open_dir(char *path, const char **base)
{
	char *slash = strrchr(path, '/'), *up;
	int fd, parent;

	*slash = '\0';
	*base = slash + 1;
	fd = open_nofollow(path);
	if (fd < 0 && errno == ENOSYS) {
		*slash = '/';
		return walk_dir(path, base);
	}
	if (fd < 0 && errno == ENOENT && (up = strrchr(path, '/')) && up != path) {
		*up = '\0';
		parent = open_nofollow(path);
		*up = '/';
		if (parent >= 0 && safe_dir(parent))
			(void)mkdirat(parent, up + 1, 0700);
		if (parent >= 0)
			close(parent);
		fd = open_nofollow(path);
	}
	if (fd >= 0 && !safe_dir(fd)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static int open_log(const char *file)
{
	char path[PATH_MAX];
	const char *base = NULL;
	cleanup_close int dir = -1;
	int fd;
	struct stat st;

	if (cni_history_check_path(file, NULL) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s", file);
	if ((dir = open_dir(path, &base)) < 0)
		return -1;
	fd = openat(dir, base,
		    O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY,
		    0600);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* UTC "YYYY-MM-DDTHH:MM:SS.mmmZ" by arithmetic (H. Hinnant's civil_from_days):
 * gmtime_r() and strftime() read /etc/localtime on their first call in a
 * process, seven system calls that every plugin call would pay. */
static void add_time(cJSON *o)
{
	struct timespec ts;
	char when[64];
	long long days, secs, era, doe, yoe, doy, mp, y;
	unsigned d, m;

	clock_gettime(CLOCK_REALTIME, &ts);
	days = ts.tv_sec / 86400;
	secs = ts.tv_sec % 86400;
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	y = yoe + era * 400 + (m <= 2);
	snprintf(when, sizeof(when), "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03dZ", y, m, d,
		 secs / 3600, secs / 60 % 60, secs % 60, (int)(ts.tv_nsec / 1000000) % 1000);
	cJSON_AddStringToObject(o, "time", when);
}

static void add_str(cJSON *o, const char *key, const char *value)
{
	if (value)
		cJSON_AddStringToObject(o, key, value);
}

static void add_outcome(cJSON *o, const struct cni_ctx *ctx, int rc, const struct cni_error *err)
{
	struct cni_error ignored = CNI_ERROR_INIT;
	cJSON *e;

	if (rc < 0 && (e = cJSON_AddObjectToObject(o, "error"))) {
		cJSON_AddNumberToObject(e, "code", err->code ? err->code : CNI_ERR_PLUGIN);
		cJSON_AddStringToObject(e, "msg", err->msg);
		if (err->details[0])
			cJSON_AddStringToObject(e, "details", err->details);
	}
	if (rc >= 0 && ctx->result && ctx->conf.cni_version)
		cJSON_AddItemToObject(
		    o, "result", cni_result_to_json(ctx->result, ctx->conf.cni_version, &ignored));
	if (ctx->changes)
		cJSON_AddItemReferenceToObject(o, "changes", ctx->changes);
}

static cJSON *make_line(const char *plugin, const struct cni_ctx *ctx, int rc,
			const struct cni_error *err)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(ctx->conf.root, "name");
	cJSON *o = cJSON_CreateObject();
	struct stat st;

	if (!o)
		return NULL;
	add_time(o);
	add_str(o, "plugin", plugin);
	add_str(o, "command", ctx->env.command_name);
	add_str(o, "network", cJSON_GetStringValue(name));
	add_str(o, "containerID", ctx->env.container_id);
	add_str(o, "netns", ctx->env.netns);
	if (ctx->env.netns && stat(ctx->env.netns, &st) == 0)
		cJSON_AddNumberToObject(o, "netnsInode", (double)st.st_ino);
	add_str(o, "ifname", ctx->env.ifname);
	add_str(o, "cniVersion", ctx->conf.cni_version);
	add_outcome(o, ctx, rc, err);
	return o;
}

/* The line, shortened until it fits in one atomic write (NULL if it cannot). */
static char *render(cJSON *o)
{
	static const char *const droppable[] = {"result", "changes", "details"};
	char *s = cJSON_PrintUnformatted(o);

	for (size_t i = 0; s && strlen(s) + 1 > PIPE_BUF && i < 3; i++) {
		cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "error");

		free(s);
		cJSON_DeleteItemFromObjectCaseSensitive(i == 2 && e ? e : o, droppable[i]);
		cJSON_DeleteItemFromObjectCaseSensitive(o, "truncated");
		cJSON_AddTrueToObject(o, "truncated");
		s = cJSON_PrintUnformatted(o);
	}
	if (s && strlen(s) + 1 > PIPE_BUF) {
		free(s);
		return NULL;
	}
	return s;
}

void cni_history_append(const char *plugin, const struct cni_ctx *ctx, int rc,
			const struct cni_error *err)
{
	const cJSON *file = cJSON_GetObjectItemCaseSensitive(ctx->conf.root, "logFile");
	const cJSON *level = cJSON_GetObjectItemCaseSensitive(ctx->conf.root, "logLevel");
	cleanup_json cJSON *line = NULL;
	cleanup_free char *text = NULL;
	cleanup_close int fd = -1;
	size_t len;

	if (!cJSON_IsString(file) || !*file->valuestring)
		return;
	if (rc >= 0 && cJSON_IsString(level) &&
	    (!strcmp(level->valuestring, "error") || !strcmp(level->valuestring, "panic")))
		return;
	if (!(line = make_line(plugin, ctx, rc, err)) || !(text = render(line)))
		return;
	if ((fd = open_log(file->valuestring)) < 0)
		return;
	len = strlen(text);
	text[len] = '\n'; /* the NUL goes: one write of the line and its newline */
	(void)!write(fd, text, len + 1);
}
