/* Exec another plugin (an IPAM binary) found on CNI_PATH, as a runtime does. */
#ifndef CNI_EXEC_H
#define CNI_EXEC_H

#include <stddef.h>
#include "env.h"
#include "error.h"
#include "result.h"

/* Find an executable named `type` in the colon-separated `path`; *out is malloc'd. */
int cni_find_plugin(const char *path, const char *type, char **out, struct cni_error *err);

/* A delegated plugin printing more than this is not printing a result. */
#define CNI_MAX_PLUGIN_OUTPUT (4u << 20)

/* Run plugin `type` with the caller's environment, CNI_COMMAND replaced by `cmd`,
 * and `stdin_data` on stdin. Its stdout is returned in *out (malloc'd, may be NULL).
 * A plugin that exits non-zero is an error: its spec error JSON (code, msg,
 * details) becomes *err, prefixed with the plugin's name. */
int cni_exec_plugin(const char *path, const char *type, enum cni_command cmd,
		    const char *stdin_data, size_t stdin_len, char **out, struct cni_error *err);

/* Delegate to conf->ipam_type: ADD returns its parsed result in *result;
 * other commands ignore result (may be NULL). */
struct cni_ctx;
int cni_ipam_exec(const struct cni_ctx *ctx, enum cni_command cmd, struct cni_result **result,
		  struct cni_error *err);

#endif
