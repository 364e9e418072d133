/* kractl's command line: a table of subcommands, options shared by all of
 * them, cnitool's environment names as defaults. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni/cleanup.h"
#include "cni/env.h"
#include "cni/validate.h"
#include "kractl.h"

struct kc_cmd {
	const char *name;
	int (*run)(struct kc_opts *o, struct cni_error *err);
	int min_pos, max_pos; /* positional arguments after the name; -1: any */
	const char *usage;
};

static const struct kc_cmd commands[] = {
    {"add", kc_cmd_add, 1, 2, "add NETWORK|FILE NETNS|PID   run the list's ADD, cache the result"},
    {"check", kc_cmd_check, 1, 2, "check NETWORK|FILE NETNS|PID run CHECK with the cached result"},
    {"del", kc_cmd_del, 1, 2,
     "del NETWORK|FILE [NETNS|PID] run DEL (reverse order), forget the cache"},
    {"status", kc_cmd_status, 1, 1,
     "status NETWORK|FILE          run STATUS of every plugin (1.1.0)"},
    {"gc", kc_cmd_gc_any, 0, 1,
     "gc NETWORK|FILE              DEL cached attachments not --valid, then GC\n"
     "  kractl gc [--dry-run]                remove the node's orphaned attachments (ls)"},
    {"mutate", kc_cmd_mutate, 1, -1,
     "mutate POD [KEY=VALUE...]    apply passthru + tuning-lite to a pod's interface"},
    {"revert", kc_cmd_revert, 1, 1, "revert POD                   put back what mutations changed"},
    {"history", kc_cmd_history, 1, 1,
     "history POD                  every change made to the pod through our plugins"},
    {"ls", kc_cmd_ls, 0, 0,
     "ls                           every krafty attachment on the node and its state"},
    {"validate", kc_cmd_validate, 1, -1,
     "validate FILE...             check configs and NADs alone and against each other"},
};

static const struct option long_opts[] = {
    {"netns", required_argument, NULL, 'n'},
    {"id", required_argument, NULL, 'i'},
    {"ifname", required_argument, NULL, 'I'},
    {"args", required_argument, NULL, 'a'},
    {"caps", required_argument, NULL, 'c'},
    {"conf-dir", required_argument, NULL, 'C'},
    {"path", required_argument, NULL, 'p'},
    {"cache-dir", required_argument, NULL, 'D'},
    {"keys", required_argument, NULL, 'k'},
    {"chain", required_argument, NULL, 'L'},
    {"name", required_argument, NULL, 'N'},
    {"data-dir", required_argument, NULL, 'd'},
    {"log-file", required_argument, NULL, 'l'},
    {"no-log", no_argument, NULL, 'X'},
    {"valid", required_argument, NULL, 'V'},
    {"json", no_argument, NULL, 'j'},
    {"network", required_argument, NULL, 'W'},
    {"dry-run", no_argument, NULL, 'y'},
    {"min-age", required_argument, NULL, 'A'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: kractl COMMAND [ARGS] [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  kractl %s\n", commands[i].usage);
	fprintf(
	    f,
	    "\noptions (environment as cnitool reads it):\n"
	    "  -n, --netns PATH|PID|NAME  the pod's network namespace\n"
	    "  -i, --id ID                container ID (CNI_CONTAINERID; default from the netns)\n"
	    "  -I, --ifname NAME          interface (CNI_IFNAME; default eth0)\n"
	    "  -a, --args K=V;K=V         CNI_ARGS (CNI_ARGS)\n"
	    "  -c, --caps JSON            capability arguments, e.g. '{\"mac\":\"...\"}' "
	    "(CAP_ARGS)\n"
	    "  -C, --conf-dir DIR         where networks are found by name (NETCONFPATH; "
	    "/etc/cni/net.d)\n"
	    "  -p, --path DIRS            plugin dirs, colon-separated (CNI_PATH; /opt/cni/bin)\n"
	    "  -D, --cache-dir DIR        libcni's cache dir (/var/lib/cni)\n"
	    "  -k, --keys FILE            mutate: tuning keys as a JSON object\n"
	    "  -L, --chain NETWORK|FILE   mutate: another list than passthru + tuning-lite\n"
	    "  -N, --name NAME            mutate/revert: the mutation's network name "
	    "(kractl-mutate)\n"
	    "  -d, --data-dir DIR         tuning-lite's dataDir (/var/lib/cni/tuning)\n"
	    "  -l, --log-file FILE        the history log (/var/log/krafty/cni.log); repeat: "
	    "history\n"
	    "                             reads every one, mutate writes to the first\n"
	    "      --no-log               mutate: do not set logFile\n"
	    "  -V, --valid ID/IFNAME      gc: a valid attachment (repeat; default: the cached "
	    "ones)\n"
	    "  -j, --json                 history, ls: JSON\n"
	    "      --network NAME         ls, gc: only this network\n"
	    "      --dry-run              gc: say what would be removed\n"
	    "      --min-age SECONDS      gc: leave address holdings younger than this (60)\n");
}

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

static int add_valid(struct kc_opts *o, const char *arg, struct cni_error *err)
{
	const char *slash = strchr(arg, '/');
	cJSON *a;

	if (!slash || slash == arg || !slash[1])
		return cni_err(err, CNI_ERR_INVALID_ENV, "--valid %s: want CONTAINERID/IFNAME",
			       arg);
	if (!o->valid && !(o->valid = cJSON_CreateArray()))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	if (!(a = cJSON_CreateObject()) || !cJSON_AddItemToArray(o->valid, a))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	cJSON_AddItemToObject(a, "containerID", cJSON_CreateString(arg));
	cJSON_GetObjectItem(a, "containerID")->valuestring[slash - arg] = '\0';
	cJSON_AddStringToObject(a, "ifname", slash + 1);
	return 0;
}

static int add_log(struct kc_opts *o, const char *arg, struct cni_error *err)
{
	if (!o->log_file)
		o->log_file = arg;
	else if (o->n_more_logs < sizeof(o->more_logs) / sizeof(o->more_logs[0]))
		o->more_logs[o->n_more_logs++] = arg;
	else
		return cni_err(err, CNI_ERR_INVALID_ENV, "more than 9 --log-file");
	return 0;
}

static int min_age(struct kc_opts *o, const char *arg, struct cni_error *err)
{
	char *end = NULL;

	o->min_age = strtol(arg, &end, 10);
	if (!*arg || *end || o->min_age < 0)
		return cni_err(err, CNI_ERR_INVALID_ENV, "--min-age %s: want seconds (0 or more)",
			       arg);
	return 0;
}

/* 0, 1 for an unknown option, or a negative errno with err set. */
static int set_opt(struct kc_opts *o, int c, const char *arg, struct cni_error *err)
{
	const struct {
		int c;
		const char **field;
	} strings[] = {
	    {'n', &o->netns},	  {'i', &o->id},       {'I', &o->ifname}, {'a', &o->args},
	    {'c', &o->caps_text}, {'C', &o->conf_dir}, {'p', &o->path},	  {'D', &o->cache_dir},
	    {'k', &o->keys_file}, {'L', &o->chain},    {'N', &o->name},	  {'d', &o->data_dir},
	    {'W', &o->network},
	};

	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		if (strings[i].c == c) {
			*strings[i].field = arg;
			return 0;
		}
	switch (c) {
	case 'l':
		return add_log(o, arg, err);
	case 'V':
		return add_valid(o, arg, err);
	case 'X':
		o->no_log = true;
		return 0;
	case 'j':
		o->json = true;
		return 0;
	case 'y':
		o->dry_run = true;
		return 0;
	case 'A':
		return min_age(o, arg, err);
	default:
		return 1;
	}
}

/* Defaults from the environment, then checks every command shares. */
static int finish_opts(struct kc_opts *o, struct cni_error *err)
{
	struct cni_arg *args = NULL;
	size_t n = 0;
	int rc;

	o->conf_dir = o->conf_dir ? o->conf_dir : env_or("NETCONFPATH", KC_DEFAULT_CONF_DIR);
	o->path = o->path ? o->path : env_or("CNI_PATH", KC_DEFAULT_PATH);
	o->ifname = o->ifname ? o->ifname : env_or("CNI_IFNAME", KC_DEFAULT_IFNAME);
	o->args = o->args ? o->args : env_or("CNI_ARGS", NULL);
	o->id = o->id ? o->id : env_or("CNI_CONTAINERID", NULL);
	o->caps_text = o->caps_text ? o->caps_text : env_or("CAP_ARGS", NULL);
	if ((rc = cni_validate_ifname(o->ifname, err)) < 0 ||
	    (o->id && (rc = cni_validate_container_id(o->id, err)) < 0) ||
	    (rc = cni_args_parse(o->args, &args, &n, err)) < 0)
		return rc;
	cni_args_free(args, n);
	if (!o->caps_text)
		return 0;
	if (!(o->caps = cJSON_Parse(o->caps_text)) || !cJSON_IsObject(o->caps)) {
		kc_hint(o, "capability arguments are one JSON object, e.g. "
			   "'{\"mac\":\"02:00:00:00:00:01\",\"ips\":[\"10.240.0.5/24\"]}'");
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "--caps (CAP_ARGS) is not a JSON object: %.200s", o->caps_text);
	}
	return 0;
}

static const struct kc_cmd *find_cmd(const char *name)
{
	for (size_t i = 0; name && i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* 0, or 2 for a usage error (printed). */
static int parse(int argc, char **argv, struct kc_opts *o, const struct kc_cmd **cmd,
		 struct cni_error *err)
{
	int c, rc;

	while ((c = getopt_long(argc, argv, "n:i:I:a:c:C:p:D:k:L:N:d:l:V:jh", long_opts, NULL)) !=
	       -1) {
		if (c == 'h') {
			usage(stdout);
			exit(0);
		}
		if ((rc = set_opt(o, c, optarg, err)) < 0)
			return rc;
		if (rc > 0)
			return 2;
	}
	if (optind >= argc || !(*cmd = find_cmd(argv[optind]))) {
		if (optind < argc)
			fprintf(stderr, "kractl: unknown command %s\n", argv[optind]);
		return 2;
	}
	o->cmd = argv[optind];
	o->pos = argv + optind + 1;
	o->n_pos = argc - optind - 1;
	if (o->n_pos < (*cmd)->min_pos || ((*cmd)->max_pos >= 0 && o->n_pos > (*cmd)->max_pos)) {
		fprintf(stderr, "kractl: usage: kractl %s\n", (*cmd)->usage);
		return 2;
	}
	return finish_opts(o, err);
}

int main(int argc, char **argv)
{
	struct kc_opts o;
	struct cni_error err = CNI_ERROR_INIT;
	const struct kc_cmd *cmd = NULL;
	int rc;

	memset(&o, 0, sizeof(o));
	o.min_age = 60;
	rc = parse(argc, argv, &o, &cmd, &err);
	if (rc == 2)
		usage(stderr);
	else if (rc == 0)
		rc = cmd->run(&o, &err);
	if (rc < 0)
		kc_report(&o, &err);
	cJSON_Delete(o.caps);
	cJSON_Delete(o.valid);
	return rc > 0 ? rc : rc < 0 ? 1 : 0;
}
