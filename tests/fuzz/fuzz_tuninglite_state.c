/* libFuzzer target: tuning-lite's state files, as ADD, DEL and GC find them
 * in a dataDir anyone who writes configs can choose. The first byte picks
 * what is at the state file's name (the input's rest as a file, a symbolic
 * link to it, a directory, a FIFO) and whether the network directory is a
 * link; then the file is loaded (every value re-checked), stored back and
 * loaded again when it was usable, moved aside when it was broken, and GC
 * runs over the directory. Nothing outside a temp directory is touched. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "../../plugins/tuning-lite/tuning.h"

static char data_dir[64];

static void write_file(const char *path, const uint8_t *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return;
	if (write(fd, data, len) < 0)
		perror("write");
	close(fd);
}

/* Put the input where the state of (fuzz, eth0) in network "net" lives. */
static void plant(uint8_t how, const uint8_t *body, size_t len)
{
	char net[128], link[128], file[256], real[256];

	snprintf(net, sizeof(net), "%s/%s", data_dir, (how & 8) ? "real" : "net");
	mkdir(net, 0700);
	snprintf(link, sizeof(link), "%s/net", data_dir);
	if ((how & 8) && symlink(net, link) < 0)
		perror("symlink");
	snprintf(file, sizeof(file), "%s/fuzz:eth0.json", net);
	snprintf(real, sizeof(real), "%s/planted", net);
	switch (how & 3) {
	case 0:
		write_file(file, body, len);
		break;
	case 1:
		write_file(real, body, len);
		if (symlink(real, file) < 0)
			perror("symlink");
		break;
	case 2:
		mkdir(file, 0700);
		break;
	default:
		mkfifo(file, 0600);
	}
}

static void exercise(struct cni_ctx *ctx)
{
	struct cni_error err = CNI_ERROR_INIT;
	struct tl_state st = {0};
	char moved[400];
	int lock = -1;

	if (tl_state_lock(data_dir, ctx, false, &st, &lock, &err) < 0 || lock < 0)
		goto out;
	if (tl_state_load(ctx, &st, &err) == 0) {
		if (tl_state_store(ctx, &st, &err) == 0 && tl_state_load(ctx, &st, &err) < 0)
			abort(); /* what we wrote we must read back */
	} else if (st.broken) {
		(void)tl_state_set_aside(&st, moved, sizeof(moved), &err);
	}
out:
	tl_state_free(&st);
	if (lock >= 0)
		close(lock);
	cni_err_clear(&err);
	(void)tl_state_gc(data_dir, ctx, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char gc_conf[] =
	    "{\"cniVersion\":\"1.1.0\",\"name\":\"net\",\"type\":\"tuning-"
	    "lite\",\"cni.dev/valid-attachments\":[{\"containerID\":"
	    "\"fuzz\",\"ifname\":\"eth0\"}]}";
	struct cni_ctx ctx;
	struct cni_error err = CNI_ERROR_INIT;

	if (!data_dir[0]) {
		snprintf(data_dir, sizeof(data_dir), "/tmp/fuzz-tuninglite-XXXXXX");
		if (!mkdtemp(data_dir))
			abort();
	}
	if (size < 1)
		return 0;
	memset(&ctx, 0, sizeof(ctx));
	ctx.env.container_id = "fuzz";
	ctx.env.ifname = "eth0";
	ctx.env.netns = "/run/netns/fuzz";
	if (cni_conf_parse(&ctx.conf, gc_conf, sizeof(gc_conf) - 1, &err) < 0)
		abort();
	plant(data[0], data + 1, size - 1);
	exercise(&ctx);
	cni_conf_free(&ctx.conf);
	/* Start the next input from an empty dataDir. */
	fuzz_remove_tree(data_dir);
	mkdir(data_dir, 0700);
	return 0;
}
