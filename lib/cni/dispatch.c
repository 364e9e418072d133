#include "plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "history.h"
#include "json.h"
#include "version.h"

/* VERSION may come with or without a config on stdin; answer in its version when it names one we
 * speak. */
static int answer_version(struct cni_error *err)
{
	int rc;
	cleanup_free char *data = NULL;
	cleanup_json cJSON *in = NULL;
	cleanup_json cJSON *out = NULL;
	const char *ver = CNI_LATEST_VERSION;
	cJSON *list;
	size_t len = 0;

	if (!isatty(STDIN_FILENO) && (rc = cni_read_all(STDIN_FILENO, &data, &len, err)) < 0)
		return rc;
	if (len && (in = cJSON_ParseWithLength(data, len))) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, "cniVersion");

		if (cJSON_IsString(v) && cni_version_supported(v->valuestring))
			ver = v->valuestring;
	}
	if (!(out = cJSON_CreateObject()) || !cJSON_AddStringToObject(out, "cniVersion", ver) ||
	    !(list = cJSON_AddArrayToObject(out, "supportedVersions")))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	for (int i = 0; i < cni_n_supported_versions; i++)
		if (!cJSON_AddItemToArray(list, cJSON_CreateString(cni_supported_versions[i])))
			return cni_err(err, CNI_ERR_IO, "out of memory");
	return cni_json_print(out, err);
}

static int require_version(const struct cni_ctx *ctx, const char *min, struct cni_error *err)
{
	if (cni_version_cmp(ctx->conf.cni_version, min) >= 0)
		return 0;
	return cni_err(err, CNI_ERR_INCOMPATIBLE_VERSION,
		       "config version %s does not allow %s (needs %s or later)",
		       ctx->conf.cni_version, ctx->env.command_name, min);
}

static int run_add(const struct cni_plugin *plugin, struct cni_ctx *ctx, struct cni_error *err)
{
	int rc;
	if ((rc = plugin->add(ctx, err)) < 0)
		return rc;
	if (!ctx->result)
		return cni_err(err, CNI_ERR_PLUGIN, "%s: ADD produced no result", plugin->name);
	return 0;
}

/* The command of a loaded ctx, with the spec's version rules; ADD leaves its
 * result in ctx->result. */
static int run_command(const struct cni_plugin *plugin, struct cni_ctx *ctx, struct cni_error *err)
{
	int rc;

	switch (ctx->env.command) {
	case CNI_CMD_ADD:
		return run_add(plugin, ctx, err);
	case CNI_CMD_DEL:
		return plugin->del(ctx, err);
	case CNI_CMD_CHECK:
		if ((rc = require_version(ctx, "0.4.0", err)) < 0)
			return rc;
		return plugin->check ? plugin->check(ctx, err) : 0;
	case CNI_CMD_STATUS:
		if ((rc = require_version(ctx, "1.1.0", err)) < 0)
			return rc;
		return plugin->status ? plugin->status(ctx, err) : 0;
	case CNI_CMD_GC:
		if ((rc = require_version(ctx, "1.1.0", err)) < 0)
			return rc;
		return plugin->gc ? plugin->gc(ctx, err) : 0;
	default:
		return cni_err(err, CNI_ERR_INVALID_ENV, "unknown CNI_COMMAND %s",
			       ctx->env.command_name);
	}
}

static void ctx_init(struct cni_ctx *ctx, const struct cni_plugin *plugin)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->plugin_name = plugin->name;
	ctx->builtins = plugin->builtins;
}

static void ctx_free(struct cni_ctx *ctx)
{
	cJSON_Delete(ctx->changes);
	cni_result_free(ctx->result);
	cni_conf_free(&ctx->conf);
	cni_env_free(&ctx->env);
}

/* The environment was wrong: still answer in the config's version when it has one we speak. */
static void version_for_error(char *buf, size_t size)
{
	cleanup_free char *data = NULL;
	cleanup_json cJSON *in = NULL;
	struct cni_error ignored = CNI_ERROR_INIT;
	size_t len = 0;
	const cJSON *v;

	if (isatty(STDIN_FILENO) || cni_read_all(STDIN_FILENO, &data, &len, &ignored) < 0 || !len)
		return;
	if (!(in = cJSON_ParseWithLength(data, len)))
		return;
	v = cJSON_GetObjectItemCaseSensitive(in, "cniVersion");
	if (cJSON_IsString(v) && cni_version_supported(v->valuestring))
		snprintf(buf, size, "%s", v->valuestring);
}

static int run(const struct cni_plugin *plugin, struct cni_ctx *ctx, char *error_version,
	       struct cni_error *err)
{
	int rc;
	cleanup_free char *data = NULL;
	size_t len = 0;

	if ((rc = cni_env_load(&ctx->env, err)) < 0) {
		if (ctx->env.command != CNI_CMD_VERSION)
			version_for_error(error_version, 16);
		return rc;
	}
	if (ctx->env.command == CNI_CMD_VERSION)
		return answer_version(err);
	if ((rc = cni_read_all(STDIN_FILENO, &data, &len, err)) < 0 ||
	    (rc = cni_conf_parse(&ctx->conf, data, len, err)) < 0 ||
	    (rc = run_command(plugin, ctx, err)) < 0)
		return rc;
	if (ctx->env.command == CNI_CMD_ADD)
		return cni_result_print(ctx->result, ctx->conf.cni_version, err);
	return 0;
}

int cni_plugin_call(const struct cni_plugin *plugin, enum cni_command cmd, const char *data,
		    size_t len, char **out, struct cni_error *err)
{
	struct cni_ctx ctx;
	cJSON *json;
	int rc;

	*out = NULL;
	ctx_init(&ctx, plugin);
	if ((rc = cni_env_load_as(&ctx.env, cni_command_name(cmd), err)) == 0 &&
	    (rc = cni_conf_parse(&ctx.conf, data, len, err)) == 0 &&
	    (rc = run_command(plugin, &ctx, err)) == 0 && cmd == CNI_CMD_ADD) {
		if (!(json = cni_result_to_json(ctx.result, ctx.conf.cni_version, err)))
			rc = -err->errnum;
		else if (!(*out = cJSON_PrintUnformatted(json)))
			rc = cni_err(err, CNI_ERR_IO, "out of memory");
		cJSON_Delete(json);
	}
	cni_history_append(plugin->name, &ctx, rc, err);
	ctx_free(&ctx);
	return rc;
}

int cni_plugin_main(const struct cni_plugin *plugin)
{
	struct cni_ctx ctx;
	struct cni_error err = CNI_ERROR_INIT;
	char error_version[16] = "";
	int rc;

	ctx_init(&ctx, plugin);
	rc = run(plugin, &ctx, error_version, &err);
	if (rc < 0) {
		const char *ver = ctx.conf.cni_version ? ctx.conf.cni_version
				  : error_version[0]   ? error_version
						       : NULL;
		cleanup_free char *json = cni_err_to_json(&err, ver);

		/* The spec: the error goes to stdout; stderr is for humans: someone
		 * who ran the binary by hand learns what it is. */
		if (json)
			printf("%s\n", json);
		fflush(stdout);
		if (!ctx.env.command_name && plugin->about && isatty(STDERR_FILENO))
			fprintf(stderr, "%s\nCNI protocol versions supported: %s\n", plugin->about,
				CNI_SUPPORTED_VERSIONS);
	}
	/* After the answer is out: the runtime has what it needs; the line costs
	 * tens of microseconds and can fail only silently. */
	cni_history_append(plugin->name, &ctx, rc, &err);
	ctx_free(&ctx);
	return rc < 0 ? 1 : 0;
}
