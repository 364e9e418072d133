#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "conf.h"
#include "json.h"
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

/* environ with CNI_COMMAND replaced; the strings are borrowed except the new one. */
static char **child_env(enum cni_command cmd, char *command_var)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	if (!(env = calloc(n + 2, sizeof(char *))))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "CNI_COMMAND=", 12) != 0)
			env[k++] = environ[i];
	snprintf(command_var, 32, "CNI_COMMAND=%s", cni_command_name(cmd));
	env[k++] = command_var;
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
	cleanup_json cJSON *j = out ? cJSON_Parse(out) : NULL;
	const cJSON *code = j ? cJSON_GetObjectItemCaseSensitive(j, "code") : NULL;
	const cJSON *msg = j ? cJSON_GetObjectItemCaseSensitive(j, "msg") : NULL;
	const cJSON *details = j ? cJSON_GetObjectItemCaseSensitive(j, "details") : NULL;

	if (code && msg && cJSON_IsNumber(code) && cJSON_IsString(msg)) {
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

/* Start bin with stdin from in_fd and stdout into a pipe whose read end is *rd. */
static int spawn_plugin(const char *bin, char **env, int in_fd, pid_t *pid, int *rd,
			struct cni_error *err)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = {(char *)bin, NULL};
	int pipefd[2], rc;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return cni_err_errno(err, CNI_ERR_IO, errno, "pipe");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in_fd, STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	// NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): env is never NULL here
	rc = posix_spawn(pid, bin, &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (rc != 0) {
		close(pipefd[0]);
		return cni_err_errno(err, CNI_ERR_IO, rc, "exec %s", bin);
	}
	*rd = pipefd[0];
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
	char command_var[32], what[300];
	size_t n = 0;
	int status = 0, rc;
	pid_t pid = -1;

	*out = NULL;
	if ((rc = cni_find_plugin(path, type, &bin, err)) < 0)
		return rc;
	if (!(env = child_env(cmd, command_var)))
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

int cni_ipam_exec(const struct cni_ctx *ctx, enum cni_command cmd, struct cni_result **result,
		  struct cni_error *err)
{
	int rc;
	cleanup_free char *out = NULL;
	cleanup_json cJSON *j = NULL;
	const char *type = ctx->conf.ipam_type;

	if (result)
		*result = NULL;
	if (!type)
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "no ipam type in the config");
	if ((rc = cni_exec_plugin(ctx->env.path, type, cmd, ctx->conf.raw, ctx->conf.raw_len, &out,
				  err)) < 0)
		return rc;
	if (cmd != CNI_CMD_ADD || !result)
		return 0;
	if (!out || !(j = cJSON_Parse(out)))
		return cni_err(err, CNI_ERR_DECODE, "IPAM plugin %s returned no JSON result", type);
	if (cni_result_parse(j, ctx->conf.cni_version, result, err) < 0)
		return cni_err_prefix(err, "IPAM plugin %s result", type);
	return 0;
}
