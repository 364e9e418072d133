#include "env.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "array.h"
#include "cleanup.h"
#include "validate.h"

static const char *const command_names[] = {
    [CNI_CMD_UNKNOWN] = "UNKNOWN", [CNI_CMD_ADD] = "ADD",	  [CNI_CMD_DEL] = "DEL",
    [CNI_CMD_CHECK] = "CHECK",	   [CNI_CMD_VERSION] = "VERSION", [CNI_CMD_STATUS] = "STATUS",
    [CNI_CMD_GC] = "GC",
};

const char *cni_command_name(enum cni_command cmd)
{
	if ((unsigned)cmd >= sizeof(command_names) / sizeof(command_names[0]))
		return "UNKNOWN";
	return command_names[cmd];
}

enum cni_command cni_command_parse(const char *s)
{
	if (!s)
		return CNI_CMD_UNKNOWN;
	for (int c = CNI_CMD_ADD; c <= CNI_CMD_GC; c++)
		if (strcmp(s, command_names[c]) == 0)
			return (enum cni_command)c;
	return CNI_CMD_UNKNOWN;
}

void cni_args_free(struct cni_arg *args, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(args[i].key);
		free(args[i].value);
	}
	free(args);
}

/* CNI_ARGS is a runtime's short list; tens of thousands of pairs are not arguments. */
#define CNI_MAX_ARGS 8192

static void free_pairs(struct cni_array *pairs)
{
	cni_args_free(pairs->v, pairs->n);
}

static int add_pair(struct cni_array *pairs, const char *p, size_t len, struct cni_error *err)
{
	const char *eq = memchr(p, '=', len);
	struct cni_arg *arg;

	if (!eq || eq == p)
		return cni_err(err, CNI_ERR_INVALID_ENV,
			       "CNI_ARGS: invalid pair %.*s (expected KEY=VALUE)", (int)len, p);
	if (!(arg = CNI_ARRAY_PUSH(pairs, struct cni_arg, CNI_MAX_ARGS, "CNI_ARGS pairs", err)))
		return err->code == CNI_ERR_INVALID_CONFIG
			   ? cni_err(err, CNI_ERR_INVALID_ENV, "CNI_ARGS: more than %d pairs",
				     CNI_MAX_ARGS)
			   : -err->errnum;
	arg->key = strndup(p, eq - p);
	arg->value = strndup(eq + 1, len - (eq - p) - 1);
	if (!arg->key || !arg->value)
		return cni_err_errno(err, CNI_ERR_IO, ENOMEM, "CNI_ARGS");
	return 0;
}

int cni_args_parse(const char *raw, struct cni_arg **out, size_t *n, struct cni_error *err)
{
	_cleanup_(free_pairs) struct cni_array pairs = CNI_ARRAY_INIT;
	int rc;

	*out = NULL;
	*n = 0;
	for (const char *p = raw; p && *p;) {
		const char *end = strchr(p, ';');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		/* tolerate "a=b;" and ";;" */
		if (len && (rc = add_pair(&pairs, p, len, err)) < 0)
			return rc;
		p = end ? end + 1 : NULL;
	}
	*n = pairs.n;
	*out = steal_ptr(pairs.v);
	pairs.n = 0;
	return 0;
}

const char *cni_env_arg(const struct cni_env *env, const char *key)
{
	const char *v = NULL;

	for (size_t i = 0; i < env->n_args; i++)
		if (strcmp(env->args[i].key, key) == 0)
			v = env->args[i].value;
	return v;
}

static const char *nonempty_env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static int require(const char *value, const char *name, enum cni_command cmd, struct cni_error *err)
{
	if (value)
		return 0;
	return cni_err(err, CNI_ERR_INVALID_ENV,
		       "required environment variable %s is missing for %s", name,
		       cni_command_name(cmd));
}

int cni_env_load(struct cni_env *env, struct cni_error *err)
{
	return cni_env_load_as(env, getenv("CNI_COMMAND"), err);
}

int cni_env_load_as(struct cni_env *env, const char *cmd, struct cni_error *err)
{
	int rc;

	memset(env, 0, sizeof(*env));
	if (!cmd || !*cmd)
		return cni_err(err, CNI_ERR_INVALID_ENV,
			       "required environment variable CNI_COMMAND is missing");
	env->command = cni_command_parse(cmd);
	env->command_name = cmd;
	if (env->command == CNI_CMD_UNKNOWN)
		return cni_err(err, CNI_ERR_INVALID_ENV, "unknown CNI_COMMAND %.32s", cmd);
	if (env->command == CNI_CMD_VERSION)
		return 0;

	env->container_id = nonempty_env("CNI_CONTAINERID");
	env->netns = nonempty_env("CNI_NETNS");
	env->ifname = nonempty_env("CNI_IFNAME");
	env->path = nonempty_env("CNI_PATH");
	env->args_raw = getenv("CNI_ARGS");

	switch (env->command) {
	case CNI_CMD_ADD:
	case CNI_CMD_CHECK:
		if ((rc = require(env->netns, "CNI_NETNS", env->command, err)) < 0)
			return rc;
		/* fallthrough */
	case CNI_CMD_DEL:
		if ((rc = require(env->container_id, "CNI_CONTAINERID", env->command, err)) < 0 ||
		    (rc = require(env->ifname, "CNI_IFNAME", env->command, err)) < 0 ||
		    (rc = require(env->path, "CNI_PATH", env->command, err)) < 0)
			return rc;
		if ((rc = cni_validate_container_id(env->container_id, err)) < 0 ||
		    (rc = cni_validate_ifname(env->ifname, err)) < 0)
			return rc;
		if (env->netns && (rc = cni_validate_netns_path(env->netns, err)) < 0)
			return rc;
		break;
	case CNI_CMD_STATUS:
	case CNI_CMD_GC:
		if ((rc = require(env->path, "CNI_PATH", env->command, err)) < 0)
			return rc;
		break;
	default:
		break;
	}
	return cni_args_parse(env->args_raw, &env->args, &env->n_args, err);
}

void cni_env_free(struct cni_env *env)
{
	cni_args_free(env->args, env->n_args);
	env->args = NULL;
	env->n_args = 0;
}
