/* The dispatcher: a plugin's main() hands it a table of handlers. */
#ifndef CNI_PLUGIN_H
#define CNI_PLUGIN_H

#include "conf.h"
#include "env.h"
#include "error.h"
#include "result.h"

struct cni_plugin;

/* A plugin this binary also carries, run in-process instead of exec'd when
 * the binary that CNI_PATH gives for its type is exactly the build named here
 * (build ID, buildid.h): the same code either way, one exec less. Any other
 * binary under that name is exec'd as always. */
struct cni_builtin {
	const char *type;
	const struct cni_plugin *plugin;
	const char *build_id; /* hex; NULL or "" turns the entry off */
};

struct cni_ctx {
	const char *plugin_name; /* the running plugin's cni_plugin name (NULL in tests) */
	const struct cni_builtin *builtins; /* the running plugin's; NULL for none */
	struct cni_env env;
	struct cni_conf conf;
	/* ADD (and passthru-like plugins): the handler sets the result to print.
	 * The dispatcher prints it in conf.cni_version and frees it. */
	struct cni_result *result;
	/* The history log (history.h): changes the handler noted with
	 * cni_history_note(), [{"key","from","to"}]; NULL for none. */
	cJSON *changes;
};

typedef int (*cni_handler)(struct cni_ctx *ctx, struct cni_error *err);

struct cni_plugin {
	const char *name;
	const char *about;  /* printed on stderr when run without CNI_COMMAND */
	cni_handler add;    /* required */
	cni_handler del;    /* required */
	cni_handler check;  /* NULL: CHECK succeeds */
	cni_handler status; /* NULL: STATUS succeeds (available) */
	cni_handler gc;	    /* NULL: GC succeeds, nothing to collect */
	/* Delegates it may run in-process, ended by an entry without type. */
	const struct cni_builtin *builtins;
};

/* Runs one CNI call from the process environment and stdin; returns the exit code. */
int cni_plugin_main(const struct cni_plugin *plugin);

/* One call of plugin in this process, as if exec'd with this environment,
 * CNI_COMMAND = cmd and data on stdin: ADD's result as the JSON it would print
 * (in the config's version) in *out (malloc'd), its failure in err; its
 * history line appended as the binary would. */
int cni_plugin_call(const struct cni_plugin *plugin, enum cni_command cmd, const char *data,
		    size_t len, char **out, struct cni_error *err);

#endif
