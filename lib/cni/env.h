/* The runtime's environment: CNI_COMMAND and friends, validated per command. */
#ifndef CNI_ENV_H
#define CNI_ENV_H

#include <stddef.h>
#include "error.h"

enum cni_command {
	CNI_CMD_UNKNOWN = 0,
	CNI_CMD_ADD,
	CNI_CMD_DEL,
	CNI_CMD_CHECK,
	CNI_CMD_VERSION,
	CNI_CMD_STATUS,
	CNI_CMD_GC,
};

struct cni_arg {
	char *key;
	char *value;
};

struct cni_env {
	enum cni_command command;
	const char *command_name;
	const char *container_id; /* NULL when not given */
	const char *netns;
	const char *ifname;
	const char *path;     /* CNI_PATH */
	const char *args_raw; /* CNI_ARGS as given */
	struct cni_arg *args; /* CNI_ARGS split into pairs, in order */
	size_t n_args;
};

const char *cni_command_name(enum cni_command cmd);
enum cni_command cni_command_parse(const char *s);

/* Read CNI_* from the process environment and validate what the command needs. */
int cni_env_load(struct cni_env *env, struct cni_error *err);
/* The same with the command given (a plugin run in-process: exec.h). */
int cni_env_load_as(struct cni_env *env, const char *command, struct cni_error *err);
void cni_env_free(struct cni_env *env);

/* Parse "K=V;K2=V2" into pairs (keys may repeat, values may be empty). */
int cni_args_parse(const char *raw, struct cni_arg **out, size_t *n, struct cni_error *err);
void cni_args_free(struct cni_arg *args, size_t n);
/* Last value given for key, or NULL. */
const char *cni_env_arg(const struct cni_env *env, const char *key);

#endif
