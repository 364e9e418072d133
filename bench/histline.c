/* histline: what the history log line costs, for bench/logline.sh.
 *
 *   histline LOGFILE [COUNT]
 *     the line alone in process (cni_history_append, as the dispatcher calls it
 *     after the handler) with a tuning-lite-like config, result and changes,
 *     COUNT times; prints {"with_log_us":..,"without_log_us":..}.
 *   histline --exec PLUGIN PLAIN.json LOGGED.json NETNS IFNAME COUNT
 *     COUNT rounds of ADD and DEL of PLUGIN on one pod with each config, the two
 *     variants interleaved call by call (alternating which goes first), so that
 *     a busy machine slows both alike; per call the wall time around spawn and
 *     wait, and the child's CPU time (user + system, from wait4). Prints the
 *     medians per variant and command as JSON. */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cni/history.h"
#include "cni/plugin.h"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double per_call(struct cni_ctx *ctx, int count)
{
	struct cni_error err = CNI_ERROR_INIT;
	double t0 = now_us();

	for (int i = 0; i < count; i++)
		cni_history_append("tuning-lite", ctx, 0, &err);
	return (now_us() - t0) / count;
}

static int setup(struct cni_ctx *ctx, const char *log)
{
	struct cni_error err = CNI_ERROR_INIT;
	char conf[1024];

	snprintf(conf, sizeof(conf),
		 "{\"cniVersion\":\"1.0.0\",\"name\":\"kc-bench\",\"type\":\"tuning-lite\","
		 "\"mtu\":1400,\"promisc\":true,%s%s%s\"prevResult\":{\"cniVersion\":\"1.0.0\","
		 "\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/run/netns/kcb0\"}]}}",
		 log ? "\"logFile\":\"" : "", log ? log : "", log ? "\"," : "");
	memset(ctx, 0, sizeof(*ctx));
	ctx->env.command_name = "ADD";
	ctx->env.container_id = "kcbench0";
	ctx->env.netns = "/proc/self/ns/net";
	ctx->env.ifname = "eth0";
	if (cni_conf_parse(&ctx->conf, conf, strlen(conf), &err) < 0 ||
	    !(ctx->result = cni_result_dup(ctx->conf.prev_result, &err))) {
		fprintf(stderr, "histline: %s\n", err.msg);
		return -1;
	}
	cni_history_note(ctx, "mtu", "1500", "1400");
	cni_history_note(ctx, "promisc", "false", "true");
	return 0;
}

static void teardown(struct cni_ctx *ctx)
{
	cJSON_Delete(ctx->changes);
	cni_result_free(ctx->result);
	cni_conf_free(&ctx->conf);
}

extern char **environ;

/* One exec of plugin with cmd and conf on stdin: wall and CPU time in ms. */
static int exec_once(char **argv, const char *cmd, const char *conf, double *wall, double *cpu)
{
	char *env[] = {(char *)cmd, argv[5], argv[6], "CNI_CONTAINERID=kcbench0", argv[7], NULL};
	posix_spawn_file_actions_t fa;
	struct rusage ru;
	int status;
	pid_t pid;
	double t0 = now_us();

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, conf, O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, argv[2], &fa, NULL, (char *[]){argv[2], NULL}, env) != 0)
		return -1;
	posix_spawn_file_actions_destroy(&fa);
	if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	*wall = (now_us() - t0) / 1e3;
	*cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* argv: histline --exec PLUGIN PLAIN LOGGED NETNS IFNAME COUNT (rewritten into env). */
static int exec_mode(int argc, char **argv)
{
	static const char *const names[] = {"plain ADD", "plain DEL", "logged ADD", "logged DEL"};
	char netns[4200], ifname[64], path[4200];
	const char *confs[2];
	int count = argc > 7 ? atoi(argv[7]) : 0;
	double *wall[4], *cpu[4];

	if (count <= 0)
		return 2;
	confs[0] = argv[3];
	confs[1] = argv[4];
	snprintf(netns, sizeof(netns), "CNI_NETNS=%s", argv[5]);
	snprintf(ifname, sizeof(ifname), "CNI_IFNAME=%s", argv[6]);
	snprintf(path, sizeof(path), "CNI_PATH=%.4000s", argv[2]);
	*strrchr(path, '/') = '\0';
	argv[5] = netns;
	argv[6] = ifname;
	argv[7] = path;
	for (int k = 0; k < 4; k++)
		if (!(wall[k] = calloc((size_t)count, sizeof(double))) ||
		    !(cpu[k] = calloc((size_t)count, sizeof(double))))
			return 2;
	for (int i = 0; i < count; i++)
		for (int j = 0; j < 2; j++) {
			int v = (i + j) % 2; /* which variant goes first alternates */

			if (exec_once(argv, "CNI_COMMAND=ADD", confs[v], &wall[2 * v][i],
				      &cpu[2 * v][i]) < 0 ||
			    exec_once(argv, "CNI_COMMAND=DEL", confs[v], &wall[2 * v + 1][i],
				      &cpu[2 * v + 1][i]) < 0) {
				fprintf(stderr, "histline: a call failed\n");
				return 1;
			}
		}
	printf("{\"count\":%d", count);
	for (int k = 0; k < 4; k++)
		printf(",\"%s\":{\"wall_ms\":%.3f,\"cpu_ms\":%.3f}", names[k],
		       median(wall[k], count), median(cpu[k], count));
	printf("}\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct cni_ctx with, without;
	int count = argc > 2 ? atoi(argv[2]) : 20000;
	double a, b;

	if (argc > 1 && !strcmp(argv[1], "--exec"))
		return exec_mode(argc, argv);
	if (argc < 2 || count <= 0 || setup(&with, argv[1]) < 0 || setup(&without, NULL) < 0)
		return 2;
	per_call(&with, count / 10); /* warm up: the file exists, caches are hot */
	a = per_call(&with, count);
	b = per_call(&without, count);
	printf("{\"count\":%d,\"with_log_us\":%.2f,\"without_log_us\":%.3f}\n", count, a, b);
	teardown(&with);
	teardown(&without);
	return 0;
}
