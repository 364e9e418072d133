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

/* How deep plugins started by plugins nest: each delegation passes
 * CNI_DEPTH_ENV=<its depth + 1> to the child, and a plugin at CNI_MAX_DEPTH
 * delegates no further (a runtime's plugin runs at 0, its IPAM at 1). This
 * stops a config that reaches its own plugin through a copy of the binary. */
#define CNI_DEPTH_ENV "CNI_KRAFTY_DEPTH"
#define CNI_MAX_DEPTH 4

/* Run plugin `type` with the caller's environment, CNI_COMMAND replaced by `cmd`,
 * and `stdin_data` on stdin. Its stdout is returned in *out (malloc'd, may be NULL).
 * A plugin that exits non-zero is an error: its spec error JSON (code, msg,
 * details) becomes *err, prefixed with the plugin's name.
 * Refused with code 7: the binary we run from (under any name), and any
 * plugin once CNI_MAX_DEPTH is reached. The child gets SIGKILL when the
 * calling thread dies (PR_SET_PDEATHSIG): killing a plugin ends its children. */
int cni_exec_plugin(const char *path, const char *type, enum cni_command cmd,
		    const char *stdin_data, size_t stdin_len, char **out, struct cni_error *err);

/* Delegate to conf->ipam_type: ADD returns its parsed result in *result
 * (parsed as strictly as configs: cni_json_parse_strict); other commands
 * ignore result (may be NULL). An ipam.type that names the running plugin
 * (ctx->plugin_name, or the config's own type) is code 7. */
struct cni_ctx;
int cni_ipam_exec(const struct cni_ctx *ctx, enum cni_command cmd, struct cni_result **result,
		  struct cni_error *err);

#endif
