/* cnibench: exec CNI plugins as a runtime does and measure them.
 *
 * For call i (0..count-1) the environment is CNI_COMMAND, CNI_CONTAINERID =
 * <id-prefix><first+i>, CNI_NETNS = printf(netns-pattern, first+i), CNI_IFNAME,
 * CNI_PATH; stdin is the config. With several plugins (a chain, like a conflist),
 * each ADD gets the previous plugin's result as prevResult; DEL runs them in
 * reverse. Up to `inflight` calls run at once.
 * Prints one JSON object: latency p50/p99/mean (ms, per call of the whole chain),
 * throughput (calls/s), peak RSS of any one plugin process (KiB), failures.
 *
 * For a harness (bench/run.sh):
 *   --samples FILE   append every call's latency (ms), one per line
 *   --cpu-samples FILE  append every call's CPU time (ms, user + system of its
 *                    plugin processes and their children, as wait4 reports it)
 *   --out-dir DIR    save call i's output (the last plugin's stdout) as DIR/<first+i>.json
 *   --prev-dir DIR   CHECK and DEL get DIR/<first+i>.json (the cached ADD result) as
 *                    prevResult, every plugin of a chain alike, as libcni does
 *   --token T        every T in the config text becomes first+i (per-pod names)
 * Peak RSS is ru_maxrss of the plugin's process tree; the kernel counts the
 * spawning process's own peak into it at exec, so values below this driver's
 * (about 1.1 MB) are this driver's, not the plugin's.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>

extern char **environ;

struct opts {
	const char *cmd, *conf_path, *netns_pattern, *ifname, *cni_path, *id_prefix;
	const char *samples_path, *cpu_samples_path, *out_dir, *prev_dir, *token;
	char *plugins[8];
	int n_plugins, first, count, inflight, verbose;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t n = 0;

	if (!f)
		return NULL;
	if (getdelim(&buf, &n, '\0', f) < 0) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* What a call cost its plugin processes: the peak RSS of any one (KiB) and
 * their CPU time, summed (ms). */
struct call_cost {
	long rss_kb;
	double cpu_ms;
};

static double tv_ms(struct timeval tv)
{
	return (double)tv.tv_sec * 1e3 + (double)tv.tv_usec / 1e3;
}

/* Run one plugin: stdin from `in`, stdout captured; returns exit status, its
 * RSS and CPU time in *cost. */
static int run_plugin(const struct opts *o, const char *plugin, int i, const char *in, char **out,
		      struct call_cost *cost)
{
	char cmd[64], id[128], ns[256], ifn[64], path[4096];
	char *env[] = {cmd, id, ns, ifn, path, "CNI_ARGS=", NULL};
	int inpipe[2], outpipe[2], status = 0;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t dflt;
	struct rusage ru;
	size_t cap = 8192, n = 0;
	char *buf = malloc(cap);
	pid_t pid;

	snprintf(cmd, sizeof(cmd), "CNI_COMMAND=%s", o->cmd);
	snprintf(id, sizeof(id), "CNI_CONTAINERID=%s%d", o->id_prefix, o->first + i);
	snprintf(ns, sizeof(ns), "CNI_NETNS=");
	snprintf(ns + 10, sizeof(ns) - 10, o->netns_pattern, o->first + i);
	snprintf(ifn, sizeof(ifn), "CNI_IFNAME=%s", o->ifname);
	snprintf(path, sizeof(path), "CNI_PATH=%s", o->cni_path);
	if (pipe(inpipe) < 0 || pipe(outpipe) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, inpipe[0], 0);
	posix_spawn_file_actions_adddup2(&fa, outpipe[1], 1);
	posix_spawn_file_actions_addclose(&fa, inpipe[1]);
	posix_spawn_file_actions_addclose(&fa, outpipe[0]);
	/* The worker ignores SIGPIPE (a plugin may exit without reading its
	 * config); the plugin gets the default back. */
	posix_spawnattr_init(&attr);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	posix_spawnattr_setsigdefault(&attr, &dflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
	char *argv[] = {(char *)plugin, NULL};
	if (posix_spawn(&pid, plugin, &fa, &attr, argv, env) != 0)
		return -1;
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(inpipe[0]);
	close(outpipe[1]);
	/* Configs are small (< pipe buffer): write all, then read. */
	if (write(inpipe[1], in, strlen(in)) < 0 && errno != EPIPE)
		perror("write");
	close(inpipe[1]);
	for (;;) {
		ssize_t r = read(outpipe[0], buf + n, cap - n - 1);

		if (r <= 0)
			break;
		n += (size_t)r;
		if (n + 1 >= cap)
			buf = realloc(buf, cap *= 2);
	}
	buf[n] = '\0';
	close(outpipe[0]);
	wait4(pid, &status, 0, &ru);
	cost->rss_kb = ru.ru_maxrss;
	cost->cpu_ms = tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime);
	*out = buf;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* conf with every o->token replaced by the call's index. */
static char *subst_token(const struct opts *o, const char *conf, int i)
{
	size_t tlen = o->token ? strlen(o->token) : 0, cap, n = 0;
	char num[16], *out;
	const char *p;

	if (!tlen)
		return strdup(conf);
	snprintf(num, sizeof(num), "%d", o->first + i);
	cap = strlen(conf) + 1;
	for (p = strstr(conf, o->token); p; p = strstr(p + tlen, o->token))
		cap += strlen(num);
	out = malloc(cap);
	if (!out)
		return NULL;
	for (p = conf; *p;) {
		if (strncmp(p, o->token, tlen) == 0) {
			memcpy(out + n, num, strlen(num));
			n += strlen(num);
			p += tlen;
		} else {
			out[n++] = *p++;
		}
	}
	out[n] = '\0';
	return out;
}

static char *call_file(const char *dir, const struct opts *o, int i)
{
	char *path = NULL;

	if (asprintf(&path, "%s/%d.json", dir, o->first + i) < 0)
		return NULL;
	return path;
}

/* One runtime call: the chain in order (ADD/CHECK) or reversed (DEL). */
static int run_chain(const struct opts *o, const char *conf_tmpl, int i, struct call_cost *cost)
{
	char *prev = NULL, *cached = NULL, *conf = subst_token(o, conf_tmpl, i);
	int rc = 0;
	int del = strcmp(o->cmd, "DEL") == 0;
	int use_cached = o->prev_dir && (del || strcmp(o->cmd, "CHECK") == 0);

	if (!conf)
		return -1;
	if (use_cached) {
		char *path = call_file(o->prev_dir, o, i);

		cached = path ? read_file(path) : NULL;
		free(path);
		if (!cached) {
			fprintf(stderr, "cnibench: no cached result for call %d in %s\n",
				o->first + i, o->prev_dir);
			free(conf);
			return -1;
		}
	}

	for (int k = 0; k < o->n_plugins && rc == 0; k++) {
		int p = del ? o->n_plugins - 1 - k : k;
		cJSON *c = cJSON_Parse(conf);
		char *in, *out = NULL;
		struct call_cost one = {0, 0};

		if (!c) {
			free(conf);
			free(cached);
			return -1;
		}
		if (o->n_plugins > 1) {
			/* A conflist: conf is {"cniVersion","name","plugins":[...]}. */
			cJSON *list = cJSON_GetObjectItem(c, "plugins");
			cJSON *pc = cJSON_Duplicate(cJSON_GetArrayItem(list, p), 1);

			cJSON_AddItemToObject(
			    pc, "cniVersion",
			    cJSON_Duplicate(cJSON_GetObjectItem(c, "cniVersion"), 1));
			cJSON_AddItemToObject(pc, "name",
					      cJSON_Duplicate(cJSON_GetObjectItem(c, "name"), 1));
			if (prev && !del && !use_cached)
				cJSON_AddItemToObject(pc, "prevResult", cJSON_Parse(prev));
			cJSON_Delete(c);
			c = pc;
		}
		if (use_cached) {
			cJSON_DeleteItemFromObject(c, "prevResult");
			cJSON_AddItemToObject(c, "prevResult", cJSON_Parse(cached));
		}
		in = cJSON_PrintUnformatted(c);
		cJSON_Delete(c);
		rc = run_plugin(o, o->plugins[p], i, in, &out, &one);
		if (rc != 0 && o->verbose)
			fprintf(stderr, "cnibench: %s %s #%d: exit %d: %s\n", o->plugins[p], o->cmd,
				i, rc, out);
		if (one.rss_kb > cost->rss_kb)
			cost->rss_kb = one.rss_kb;
		cost->cpu_ms += one.cpu_ms;
		free(in);
		free(prev);
		prev = out;
	}
	if (o->out_dir && prev) {
		char *path = call_file(o->out_dir, o, i);
		FILE *f = path ? fopen(path, "w") : NULL;

		if (f) {
			fputs(prev, f);
			fclose(f);
		}
		free(path);
	}
	free(prev);
	free(cached);
	free(conf);
	return rc;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct opts o = {.cmd = "ADD",
			 .netns_pattern = "/run/netns/bench%d",
			 .ifname = "net1",
			 .cni_path = "",
			 .id_prefix = "bench",
			 .count = 100,
			 .inflight = 1};
	static const struct option longopts[] = {
	    {"cmd", 1, 0, 'c'},
	    {"conf", 1, 0, 'f'},
	    {"plugin", 1, 0, 'p'},
	    {"netns", 1, 0, 'n'},
	    {"ifname", 1, 0, 'i'},
	    {"cni-path", 1, 0, 'P'},
	    {"id-prefix", 1, 0, 'I'},
	    {"first", 1, 0, 's'},
	    {"count", 1, 0, 'N'},
	    {"inflight", 1, 0, 'j'},
	    {"verbose", 0, 0, 'v'},
	    {"samples", 1, 0, 'S'},
	    {"out-dir", 1, 0, 'O'},
	    {"prev-dir", 1, 0, 'R'},
	    {"token", 1, 0, 'T'},
	    {"cpu-samples", 1, 0, 'C'},
	    {0, 0, 0, 0},
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o.cmd = optarg;
			break;
		case 'f':
			o.conf_path = optarg;
			break;
		case 'p':
			if (o.n_plugins < 8)
				o.plugins[o.n_plugins++] = optarg;
			break;
		case 'n':
			o.netns_pattern = optarg;
			break;
		case 'i':
			o.ifname = optarg;
			break;
		case 'P':
			o.cni_path = optarg;
			break;
		case 'I':
			o.id_prefix = optarg;
			break;
		case 's':
			o.first = atoi(optarg);
			break;
		case 'N':
			o.count = atoi(optarg);
			break;
		case 'j':
			o.inflight = atoi(optarg);
			break;
		case 'v':
			o.verbose = 1;
			break;
		case 'S':
			o.samples_path = optarg;
			break;
		case 'C':
			o.cpu_samples_path = optarg;
			break;
		case 'O':
			o.out_dir = optarg;
			break;
		case 'R':
			o.prev_dir = optarg;
			break;
		case 'T':
			o.token = optarg;
			break;
		default:
			fprintf(stderr,
				"usage: cnibench --cmd ADD --conf F --plugin BIN [--plugin BIN2] "
				"[--netns PATTERN] [--first N] [--count N] [--inflight K] "
				"[--samples FILE] [--cpu-samples FILE] "
				"[--out-dir DIR] [--prev-dir DIR] [--token T] [--verbose]\n");
			return 2;
		}
	}
	char *conf = o.conf_path ? read_file(o.conf_path) : NULL;
	if (!conf || !o.n_plugins || o.count < 1 || o.inflight < 1) {
		fprintf(stderr, "cnibench: need --conf FILE and --plugin BIN\n");
		return 2;
	}

	double *lat = calloc(o.count, sizeof(double));
	FILE *samples = o.samples_path ? fopen(o.samples_path, "a") : NULL;
	FILE *cpu_samples = o.cpu_samples_path ? fopen(o.cpu_samples_path, "a") : NULL;

	if ((o.samples_path && !samples) || (o.cpu_samples_path && !cpu_samples)) {
		perror(o.samples_path && !samples ? o.samples_path : o.cpu_samples_path);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	int failures = 0, started = 0, done = 0;
	long peak_rss = 0;
	double t0 = now_ms();

	/* Each call runs in a forked worker so that up to `inflight` chains overlap. */
	struct slot {
		pid_t pid;
		int i;
		double start;
		int fd;
	} *slots = calloc(o.inflight, sizeof(*slots));
	while (done < o.count) {
		for (int s = 0; s < o.inflight && started < o.count; s++) {
			if (slots[s].pid)
				continue;
			int fds[2];
			if (pipe(fds) < 0)
				return 1;
			slots[s].i = started++;
			slots[s].start = now_ms();
			slots[s].fd = fds[0];
			slots[s].pid = fork();
			if (slots[s].pid == 0) {
				struct call_cost cost = {0, 0};
				int rc = run_chain(&o, conf, slots[s].i, &cost);

				if (write(fds[1], &cost, sizeof(cost)) < 0)
					_exit(99);
				_exit(rc ? 1 : 0);
			}
			close(fds[1]);
		}
		int status;
		pid_t pid = wait(&status);
		for (int s = 0; s < o.inflight; s++) {
			if (slots[s].pid != pid)
				continue;
			struct call_cost cost = {0, -1};

			lat[done] = now_ms() - slots[s].start;
			if (samples)
				fprintf(samples, "%.3f\n", lat[done]);
			done++;
			if (read(slots[s].fd, &cost, sizeof(cost)) == sizeof(cost) &&
			    cost.rss_kb > peak_rss)
				peak_rss = cost.rss_kb;
			if (cpu_samples && cost.cpu_ms >= 0)
				fprintf(cpu_samples, "%.3f\n", cost.cpu_ms);
			close(slots[s].fd);
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				failures++;
			slots[s].pid = 0;
		}
	}
	double total = now_ms() - t0, sum = 0;

	qsort(lat, o.count, sizeof(double), cmp_double);
	for (int i = 0; i < o.count; i++)
		sum += lat[i];
	printf("{\"cmd\":\"%s\",\"count\":%d,\"inflight\":%d,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
	       "\"mean_ms\":%.3f,\"throughput\":%.1f,\"max_rss_kb\":%ld,\"failures\":%d}\n",
	       o.cmd, o.count, o.inflight, lat[o.count / 2], lat[(int)(o.count * 0.99)],
	       sum / o.count, o.count / (total / 1e3), peak_rss, failures);
	if (samples)
		fclose(samples);
	if (cpu_samples)
		fclose(cpu_samples);
	free(lat);
	free(slots);
	free(conf);
	return failures ? 1 : 0;
}
