/* kractl: run a network's plugin list as libcni does, mutate a running pod's
 * interface in place and undo it, and show a pod's history. One binary on
 * lib/cni and lib/netlink; main() dispatches subcommands through a table. */
#ifndef KRACTL_H
#define KRACTL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <cjson/cJSON.h>

#include "cni/array.h"
#include "cni/chain.h"
#include "cni/error.h"
#include "cni/ip.h"
#include "netlink/knl.h"
#include "../plugins/krafty/krafty.h"

#define KC_DEFAULT_CONF_DIR "/etc/cni/net.d"
#define KC_DEFAULT_PATH	    "/opt/cni/bin"
#define KC_DEFAULT_IFNAME   "eth0"
#define KC_DEFAULT_LOG	    "/var/log/krafty/cni.log"
#define KC_DEFAULT_TUNING   "/var/lib/cni/tuning"
#define KC_DEFAULT_IPAM	    "/var/lib/cni/networks"
#define KC_MUTATE_NETWORK   "kractl-mutate"
#define KC_MUTATE_VERSION   "1.0.0"

/* Everything the command line and the environment said. */
struct kc_opts {
	const char *cmd;
	const char *netns, *id, *ifname, *args, *conf_dir, *path, *cache_dir;
	const char *keys_file, *chain, *name, *data_dir;
	const char *log_file;	  /* the first --log-file: where mutate has plugins write */
	const char *more_logs[8]; /* further --log-file values: history reads them too */
	size_t n_more_logs;
	const char *caps_text;
	bool no_log, json, dry_run, partial;
	const char *network; /* ls, gc: only this network */
	long min_age;	     /* gc: holdings younger than this are left (seconds) */
	cJSON *caps;	     /* parsed caps_text, or NULL */
	cJSON *valid;	     /* gc --valid: [{"containerID","ifname"}], or NULL */
	char **pos;	     /* positional arguments after the subcommand */
	int n_pos;
	char hint[1024];       /* what to do, for the error report */
	char failed_type[256]; /* the plugin a failure came from ("": none) */
	size_t failed, n_plugins;
};

void kc_hint(struct kc_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print a failure: message, CNI code and plugin, details, hint. */
void kc_report(const struct kc_opts *o, const struct cni_error *err);
/* After a failed chain call: record the plugin and explain what to do. */
void kc_explain(struct kc_opts *o, const struct cni_netlist *nl, const struct cni_chain *c,
		const struct cni_error *err);

/* ---- net.c: add, check, del, status, gc ---- */
int kc_cmd_add(struct kc_opts *o, struct cni_error *err);
int kc_cmd_check(struct kc_opts *o, struct cni_error *err);
int kc_cmd_del(struct kc_opts *o, struct cni_error *err);
int kc_cmd_status(struct kc_opts *o, struct cni_error *err);
int kc_cmd_gc(struct kc_opts *o, struct cni_error *err);
/* A network by file name (it contains a '/' or names an existing file) or by
 * name in the conf dir. */
int kc_load_network(struct kc_opts *o, const char *what, struct cni_netlist *nl,
		    struct cni_error *err);
/* Fill the runtime side of a chain call from the options. */
void kc_chain_init(const struct kc_opts *o, struct cni_chain *c);

/* ---- pod.c: which pod, which netns ---- */
struct kc_pod {
	char *netns;	 /* path, or NULL when unknown (gone) */
	char *id;	 /* container ID */
	ino_t ino;	 /* the netns's inode, 0 when unknown */
	bool id_guessed; /* no runtime named it: netns-<inode> */
};
void kc_pod_free(struct kc_pod *p);
/* A netns argument: a path, a pid (its /proc/PID/ns/net) or a name in
 * /run/netns. *path malloc'd. */
int kc_netns_path(const char *arg, char **path, struct cni_error *err);
/* Check that path is a network namespace that exists (code 4 otherwise). */
int kc_netns_exists(const char *path, struct cni_error *err);
/* A pod: netns path, pid, netns name or container ID; need_netns: it must be
 * running. */
int kc_pod_resolve(struct kc_opts *o, const char *arg, bool need_netns, struct kc_pod *p,
		   struct cni_error *err);

/* ---- sources.c: where logs and tuning-lite state are ---- */
/* Files and dirs named by the options, the configs in the conf dir and the
 * cached configs: logFile values (log) and tuning-lite dataDir values (data). */
struct kc_sources {
	struct cni_array logs; /* char * */
	struct cni_array data; /* char * */
	struct cni_array ipam; /* char *: host-local dataDirs of krafty networks */
	struct cni_array nets; /* char *: names of networks with a krafty plugin */
};
/* Add v to an array of strings unless it is there (or NULL or ""). */
int kc_add_unique(struct cni_array *a, const char *v, struct cni_error *err);
void kc_sources_free(struct kc_sources *s);
int kc_sources_find(const struct kc_opts *o, struct kc_sources *s, struct cni_error *err);
/* Every log line (parsed) for which keep(line, data) is true, sorted by time. */
typedef bool (*kc_line_filter)(const cJSON *line, const void *data);
int kc_log_lines(const struct kc_sources *s, kc_line_filter keep, const void *data,
		 struct cni_array *lines, struct cni_error *err);
void kc_lines_free(struct cni_array *lines);

/* ---- mutate.c, history.c ---- */
int kc_cmd_mutate(struct kc_opts *o, struct cni_error *err);
int kc_cmd_revert(struct kc_opts *o, struct cni_error *err);
int kc_cmd_history(struct kc_opts *o, struct cni_error *err);

/* ---- validate.c, crosscheck.c, yaml.c: kractl validate FILE... ---- */
#define KC_EXIT_FINDINGS 1 /* a command's exit status for "errors were found" */
/* One network as found in a file (the plugins' parsers filled kr). */
struct kc_vnet {
	char *source; /* file, and the NAD's line and name */
	char name[256];
	cJSON *plugins; /* the plugin objects without name and cniVersion */
	bool nad;	/* from a NetworkAttachmentDefinition */
	bool krafty;	/* a krafty plugin whose config passed (kr is set) */
	bool table_explicit;
	struct kr_conf kr;
};
struct kc_check {
	struct cni_array nets; /* struct kc_vnet */
	size_t errors, warnings;
};
/* One finding: "SOURCE: network NAME: KEY: error|warning: message". */
void kc_say(struct kc_check *k, const struct kc_vnet *n, const char *key, bool error,
	    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void kc_crosscheck(struct kc_check *k);
int kc_cmd_validate(struct kc_opts *o, struct cni_error *err);

/* ---- dump.c, ls.c, sweep.c: kractl ls, kractl gc without a network ---- */
/* Every link of the node (struct knl_link_entry) into links and every route
 * of krafty's protocol (struct knl_route) into routes: dump.c. */
int kc_dump_node(struct cni_array *links, struct cni_array *routes, struct cni_error *err);

#define KC_MAX_HELD 4
/* One attachment as the node shows it: (network, container ID, ifname). */
struct kc_att {
	char net[KR_ALIAS_MAX], id[KR_ALIAS_MAX], ifname[KNL_IFNAMSIZ];
	uint64_t hash;
	bool net_cut;			   /* the alias was cut inside the network name */
	char dev[KR_N_DEVS][KNL_IFNAMSIZ]; /* "" when absent */
	int ifindex[KR_N_DEVS];
	uint32_t table;			     /* the VRF's */
	int netnsid;			     /* the host veth's peer, -1 */
	struct cni_prefix addr[KC_MAX_HELD]; /* pod addresses: krafty's host routes */
	size_t n_addr;
	struct cni_ip held[KC_MAX_HELD]; /* host-local's files */
	size_t n_held;
	const char *held_dir; /* their dataDir */
	long held_age;	      /* seconds since the newest was written */
	char tuning[4096];    /* tuning-lite's state file, "" */
	bool cached;	      /* libcni's cache has an entry */
	char netns[4096];     /* the cache's netns path, "" */
	int netns_state;      /* 1 exists, 0 gone, -1 unknown */
	const char *state;
	bool orphan; /* gc removes it */
};
struct kc_node {
	struct kc_sources src;
	struct cni_array links, routes; /* struct knl_link_entry, struct knl_route */
	struct cni_array atts;		/* struct kc_att */
	struct cni_array temps;		/* struct knl_link_entry: kt[vbh]<12 hex> names */
	const char *only_net;		/* --network */
	long min_age;
};
int kc_node_read(const struct kc_opts *o, struct kc_node *nd, struct cni_error *err);
void kc_node_free(struct kc_node *nd);
int kc_cmd_ls(struct kc_opts *o, struct cni_error *err);
int kc_node_gc(struct kc_opts *o, struct cni_error *err);
int kc_cmd_gc_any(struct kc_opts *o, struct cni_error *err);

struct kc_nad {
	char *name;
	char *config; /* spec.config, NULL when not set */
	size_t line;  /* where its document starts */
};
/* The NetworkAttachmentDefinitions of a YAML stream, into out (struct kc_nad). */
int kc_yaml_nads(const char *data, size_t len, struct cni_array *out, struct cni_error *err);
void kc_nads_free(struct cni_array *nads);

#endif
