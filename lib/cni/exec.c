#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buildid.h"
#include "cleanup.h"
#include "conf.h"
#include "json.h"
#include "jsoncheck.h"
#include "plugin.h"
#include "statefile.h"
#include "validate.h"

extern char **environ;

int cni_find_plugin(const char *path, const char *type, char **out, struct cni_error *err)
{
	int rc;
	const char *p = path;

	*out = NULL;
	if ((rc = cni_validate_plugin_type(type, err)) < 0)
		return rc;
	if (!path || !*path)
		return cni_err(err, CNI_ERR_INVALID_ENV, "CNI_PATH is empty: cannot find plugin %s",
			       type);
	while (p && *p) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		cleanup_free char *cand = NULL;
		struct stat st;

		if (n && asprintf(&cand, "%.*s/%s", (int)n, p, type) < 0)
			return cni_err(err, CNI_ERR_IO, "out of memory");
		if (cand && stat(cand, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(cand, X_OK) == 0) {
			*out = steal_ptr(cand);
			return 0;
		}
		p = colon ? colon + 1 : NULL;
	}
	return cni_err(err, CNI_ERR_INVALID_CONFIG, "failed to find plugin \"%s\" in path [%s]",
		       type, path);
}

/* The delegation depth this process runs at: 0 when started by a runtime. A
 * value that is not a small number counts as the limit (delegate no further). */
static int current_depth(void)
{
	const char *s = getenv(CNI_DEPTH_ENV);
	char *end;
	long v;

	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0 || v > CNI_MAX_DEPTH)
		return CNI_MAX_DEPTH;
	return (int)v;
}

/* environ with CNI_COMMAND and CNI_DEPTH_ENV replaced; the strings are
 * borrowed except the new ones (in vars, 2 x 32 bytes). */
static char **child_env(enum cni_command cmd, int depth, char vars[2][32])
{
	size_t n = 0, k = 0, dlen = strlen(CNI_DEPTH_ENV);
	char **env;

	while (environ[n])
		n++;
	if (!(env = calloc(n + 3, sizeof(char *))))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "CNI_COMMAND=", 12) != 0 &&
		    !(strncmp(environ[i], CNI_DEPTH_ENV, dlen) == 0 && environ[i][dlen] == '='))
			env[k++] = environ[i];
	snprintf(vars[0], 32, "CNI_COMMAND=%s", cni_command_name(cmd));
	snprintf(vars[1], 32, CNI_DEPTH_ENV "=%d", depth);
	env[k++] = vars[0];
	env[k++] = vars[1];
	env[k] = NULL;
	return env;
}

static int stdin_memfd(const char *data, size_t len, struct cni_error *err)
{
	cleanup_close int fd = memfd_create("cni-stdin", MFD_CLOEXEC);

	if (fd < 0)
		return cni_err_errno(err, CNI_ERR_IO, errno, "memfd_create");
	for (size_t off = 0; off < len;) {
		ssize_t w = RETRY_EINTR(write(fd, data + off, len - off));

		if (w < 0)
			return cni_err_errno(err, CNI_ERR_IO, errno, "writing plugin stdin");
		off += (size_t)w;
	}
	lseek(fd, 0, SEEK_SET);
	return steal_fd(fd);
}

/* Turn a failed plugin's stdout into our error: its spec error if it printed one. */
static int plugin_failed(const char *type, const char *out, int status, struct cni_error *err)
{
	struct cni_error ignored = CNI_ERROR_INIT;
	cleanup_json cJSON *j = NULL;
	const cJSON *code, *msg, *details;

	if (out)
		(void)cni_json_parse_strict(out, strlen(out), CNI_ERR_DECODE, CNI_ERR_DECODE, type,
					    &j, &ignored);
	code = j ? cJSON_GetObjectItemCaseSensitive(j, "code") : NULL;
	msg = j ? cJSON_GetObjectItemCaseSensitive(j, "msg") : NULL;
	details = j ? cJSON_GetObjectItemCaseSensitive(j, "details") : NULL;
	if (code && msg && cJSON_IsNumber(code) && code->valueint > 0 && cJSON_IsString(msg)) {
		cni_err(err, code->valueint, "%s: %s", type, msg->valuestring);
		if (cJSON_IsString(details) && *details->valuestring)
			cni_err_details(err, "%s", details->valuestring);
		return -err->errnum;
	}
	if (WIFSIGNALED(status))
		return cni_err(err, CNI_ERR_PLUGIN, "%s: killed by signal %d", type,
			       WTERMSIG(status));
	return cni_err(err, CNI_ERR_PLUGIN, "%s failed with exit status %d: %.300s", type,
		       WIFEXITED(status) ? WEXITSTATUS(status) : -1,
		       out && *out ? out : "(no output)");
}

/* fd as `to` in the child, without close-on-exec: copied above 2 first, so
 * that neither move can overwrite the other's source (F_DUPFD_CLOEXEC: the
 * copy itself is closed by execve). Async-signal-safe. */
static int move_fd(int fd, int to)
{
	int high = fcntl(fd, F_DUPFD_CLOEXEC, 3);

	return high < 0 ? -1 : dup2(high, to);
}

/* The child between fork and execve (async-signal-safe calls only): it dies
 * with its parent, so killing a plugin kills the plugins it started, and
 * reports a failed execve through err_fd. */
static __attribute__((noreturn)) void child_exec(const char *bin, char **env, int in_fd, int out_fd,
						 int err_fd, pid_t parent)
{
	char *argv[] = {(char *)bin, NULL};
	int e;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == 0 && getppid() == parent &&
	    move_fd(in_fd, STDIN_FILENO) >= 0 && move_fd(out_fd, STDOUT_FILENO) >= 0)
		// NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): bin is never NULL here
		execve(bin, argv, env);
	e = errno;
	(void)!write(err_fd, &e, sizeof(e));
	_exit(127);
}

/* 0 when the child reached execve (err_fd closed on exec), else its errno. */
static int exec_status(int err_fd)
{
	int e = 0;
	ssize_t n = RETRY_EINTR(read(err_fd, &e, sizeof(e)));

	return n == (ssize_t)sizeof(e) ? (e ? e : EIO) : 0;
}

/* Start bin with stdin from in_fd and stdout into a pipe whose read end is *rd. */
static int spawn_plugin(const char *bin, char **env, int in_fd, pid_t *pid, int *rd,
			struct cni_error *err)
{
	cleanup_close int out_r = -1, out_w = -1, err_r = -1, err_w = -1;
	int fds[2], e;
	pid_t parent = getpid();

	if (pipe2(fds, O_CLOEXEC) < 0)
		return cni_err_errno(err, CNI_ERR_IO, errno, "pipe");
	out_r = fds[0];
	out_w = fds[1];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return cni_err_errno(err, CNI_ERR_IO, errno, "pipe");
	err_r = fds[0];
	err_w = fds[1];
	if ((*pid = fork()) < 0)
		return cni_err_errno(err, CNI_ERR_IO, errno, "fork to exec %s", bin);
	if (*pid == 0)
		child_exec(bin, env, in_fd, out_w, err_w, parent);
	cleanup_closep(&out_w);
	out_w = -1;
	cleanup_closep(&err_w);
	err_w = -1;
	if ((e = exec_status(err_r)) != 0) {
		RETRY_EINTR(waitpid(*pid, NULL, 0));
		return cni_err_errno(err, CNI_ERR_IO, e, "exec %s", bin);
	}
	*rd = steal_fd(out_r);
	return 0;
}

/* A plugin that delegates to itself runs for ever: refuse the binary we run
 * from, under any name (a hard link, a symlink, another directory of
 * CNI_PATH), and stop a chain through copies at CNI_MAX_DEPTH. */
static int refuse_depth(const char *type, int depth, struct cni_error *err)
{
	if (depth < CNI_MAX_DEPTH)
		return 0;
	return cni_err(err, CNI_ERR_INVALID_CONFIG,
		       "refusing to run %s: plugins delegating to plugins nest %d deep "
		       "(%s), a config that delegates to itself?",
		       type, depth, CNI_DEPTH_ENV);
}

static int refuse_loop(const char *type, const char *bin, int depth, struct cni_error *err)
{
	struct stat self, other;
	int rc;

	if ((rc = refuse_depth(type, depth, err)) < 0)
		return rc;
	// NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): bin is never NULL here
	if (stat("/proc/self/exe", &self) == 0 && stat(bin, &other) == 0 &&
	    self.st_dev == other.st_dev && self.st_ino == other.st_ino)
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "%s (%s) is this plugin's own binary: a plugin cannot delegate to "
			       "itself",
			       type, bin);
	return 0;
}

int cni_exec_plugin(const char *path, const char *type, enum cni_command cmd,
		    const char *stdin_data, size_t stdin_len, char **out, struct cni_error *err)
{
	cleanup_free char *bin = NULL;
	cleanup_free char **env = NULL;
	cleanup_free char *buf = NULL;
	cleanup_close int in_fd = -1;
	cleanup_close int rd = -1;
	char vars[2][32], what[300];
	size_t n = 0;
	int status = 0, rc, depth = current_depth();
	pid_t pid = -1;

	*out = NULL;
	if ((rc = cni_find_plugin(path, type, &bin, err)) < 0 ||
	    (rc = refuse_loop(type, bin, depth, err)) < 0)
		return rc;
	if (!(env = child_env(cmd, depth + 1, vars)))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	if ((in_fd = stdin_memfd(stdin_data, stdin_len, err)) < 0)
		return in_fd;
	if ((rc = spawn_plugin(bin, env, in_fd, &pid, &rd, err)) < 0)
		return rc;
	snprintf(what, sizeof(what), "the output of %s", type);
	rc = cni_read_fd(rd, CNI_MAX_PLUGIN_OUTPUT, CNI_ERR_DECODE, what, &buf, &n, err);
	/* Close our end before waiting: a child still writing (we stopped reading
	 * on a failure) gets EPIPE instead of blocking on a full pipe for ever. */
	cleanup_closep(&rd);
	rd = -1;
	RETRY_EINTR(waitpid(pid, &status, 0));
	if (rc < 0)
		return rc;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return plugin_failed(type, buf, status, err);
	*out = steal_ptr(buf);
	return 0;
}

/* The builtin that CNI_PATH's binary for type is a build of; NULL when none
 * (another binary, or none found: the exec then says why). */
static const struct cni_plugin *builtin_for(const struct cni_ctx *ctx, const char *type)
{
	struct cni_error ignored = CNI_ERROR_INIT;
	cleanup_free char *bin = NULL;
	char id[CNI_BUILD_ID_HEX_MAX + 1];
	const struct cni_builtin *b = ctx->builtins;

	while (b && b->type && strcmp(b->type, type) != 0)
		b++;
	if (!b || !b->type || !b->build_id || !*b->build_id ||
	    cni_find_plugin(ctx->env.path, type, &bin, &ignored) < 0)
		return NULL;
	return cni_build_id_of(bin, id) == 1 && strcmp(id, b->build_id) == 0 ? b->plugin : NULL;
}

/* Delegate to type: in-process when CNI_PATH's binary is a builtin's build,
 * else exec'd. Either way a failure reads "<type>: <its message>". */
static int delegate(const struct cni_ctx *ctx, const char *type, enum cni_command cmd, char **out,
		    struct cni_error *err)
{
	const struct cni_plugin *in_process = builtin_for(ctx, type);
	int rc;

	/* In-process or not, a plugin at the limit delegates no further. */
	if ((rc = refuse_depth(type, current_depth(), err)) < 0)
		return rc;
	if (!in_process)
		return cni_exec_plugin(ctx->env.path, type, cmd, ctx->conf.raw, ctx->conf.raw_len,
				       out, err);
	rc = cni_plugin_call(in_process, cmd, ctx->conf.raw, ctx->conf.raw_len, out, err);
	return rc < 0 ? cni_err_prefix(err, "%s", type) : 0;
}

int cni_ipam_exec(const struct cni_ctx *ctx, enum cni_command cmd, struct cni_result **result,
		  struct cni_error *err)
{
	int rc;
	cleanup_free char *out = NULL;
	cleanup_json cJSON *j = NULL;
	const char *type = ctx->conf.ipam_type;
	char what[300];

	if (result)
		*result = NULL;
	if (!type)
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "no ipam type in the config");
	/* The IPAM plugin gets this very config: naming ourselves starts a loop. */
	if ((ctx->plugin_name && strcmp(type, ctx->plugin_name) == 0) ||
	    (ctx->conf.type && strcmp(type, ctx->conf.type) == 0))
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "ipam.type \"%s\" names this plugin itself: it would delegate to "
			       "itself for ever (name an IPAM plugin, such as host-local)",
			       type);
	if ((rc = delegate(ctx, type, cmd, &out, err)) < 0)
		return rc;
	if (cmd != CNI_CMD_ADD || !result)
		return 0;
	if (!out)
		return cni_err(err, CNI_ERR_DECODE, "IPAM plugin %s returned no JSON result", type);
	snprintf(what, sizeof(what), "the result of IPAM plugin %s", type);
	if ((rc = cni_json_parse_strict(out, strlen(out), CNI_ERR_DECODE, CNI_ERR_DECODE, what, &j,
					err)) < 0)
		return rc;
	if (cni_result_parse(j, ctx->conf.cni_version, result, err) < 0)
		return cni_err_prefix(err, "IPAM plugin %s result", type);
	return 0;
}
