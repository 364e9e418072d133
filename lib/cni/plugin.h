/* The dispatcher: a plugin's main() hands it a table of handlers. */
#ifndef CNI_PLUGIN_H
#define CNI_PLUGIN_H

#include "conf.h"
#include "env.h"
#include "error.h"
#include "result.h"

struct cni_ctx {
	const char *plugin_name; /* the running plugin's cni_plugin name (NULL in tests) */
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
};

/* Runs one CNI call from the process environment and stdin; returns the exit code. */
int cni_plugin_main(const struct cni_plugin *plugin);

#endif
