/* histline: the cost of one history log line (cni_history_append) in process,
 * for bench/logline.sh: the call a plugin's dispatcher makes after its handler,
 * with a tuning-lite-like config, result and changes, repeated COUNT times.
 *   histline LOGFILE [COUNT]   prints {"with_log_us":..,"without_log_us":..} */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

int main(int argc, char **argv)
{
	struct cni_ctx with, without;
	int count = argc > 2 ? atoi(argv[2]) : 20000;
	double a, b;

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
