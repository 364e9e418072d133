/* libFuzzer target: host-local's state readers. Each input becomes a file in a
 * network directory (an address file, last_reserved_ip.0, or an index entry,
 * chosen by the first byte; the name is taken from the input up to a NUL), then
 * the store is scanned, the last reservation read and the index synced and
 * queried, exactly as ADD/DEL/GC do; and the body as the index stamp's spares line. */
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "../../ipam/host-local/index.h"
#include "../../ipam/host-local/spares.h"
#include "../../ipam/host-local/store.h"

static char data_dir[64];

static void write_at(int dirfd, const char *name, const uint8_t *data, size_t len)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return;
	if (write(fd, data, len) < 0)
		perror("write");
	close(fd);
}

/* A file name from the input: printable, no '/', not "." or "..". */
static void file_name(const uint8_t *data, size_t len, char *name, size_t cap)
{
	size_t n = 0;

	for (; n < len && n + 1 < cap && data[n] && data[n] != '/'; n++)
		name[n] = (char)(data[n] < 0x21 || data[n] > 0x7e ? '_' : data[n]);
	name[n] = '\0';
	if (!n || !strcmp(name, ".") || !strcmp(name, ".."))
		snprintf(name, cap, "10.1.0.5");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hl_store st;
	struct cni_error err = CNI_ERROR_INIT;
	struct hl_holdings h = {NULL, 0};
	struct cni_ip ips[4], last;
	char name[128];
	size_t n = 0;
	const uint8_t *body;
	int kind, subdir;

	if (!data_dir[0]) {
		snprintf(data_dir, sizeof(data_dir), "/tmp/fuzz-hostlocal-XXXXXX");
		if (!mkdtemp(data_dir))
			abort();
	}
	if (size < 1)
		return 0;
	kind = data[0] % 3;
	file_name(data + 1, size - 1, name, sizeof(name));
	body = memchr(data + 1, 0, size - 1);
	body = body ? body + 1 : data + 1;
	if (hl_store_open(&st, data_dir, "fuzz", true, NULL, &err) < 0)
		return 0;
	if (kind == 0) {
		write_at(st.dirfd, name, body, size - (size_t)(body - data));
	} else if (kind == 1) {
		write_at(st.dirfd, "last_reserved_ip.0", body, size - (size_t)(body - data));
	} else {
		mkdirat(st.dirfd, HL_INDEX_DIR, 0755);
		subdir = openat(st.dirfd, HL_INDEX_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (subdir >= 0) {
			write_at(subdir, name, body, size - (size_t)(body - data));
			close(subdir);
		}
	}
	if (hl_store_scan(&st, &h, &err) == 0)
		hl_holdings_free(&h);
	hl_store_last_reserved(&st, 0, &last);
	if (hl_index_sync(&st, &err) == 0) {
		hl_index_lookup(&st, "id", "eth0", ips, 4, &n, &err);
		hl_index_lookup(&st, name, NULL, ips, 4, &n, &err);
	}
	hl_store_close(&st);
	/* The stamp's spares line, as stamp_matches hands it over (NUL-terminated). */
	char *line = strndup((const char *)body, size - (size_t)(body - data));

	if (line && hl_spare_count_parse(line) > HL_SPARES_MAX)
		abort();
	free(line);
	/* Start the next input from an empty network directory. */
	snprintf(name, sizeof(name), "%s/fuzz", data_dir);
	fuzz_remove_tree(name);
	return 0;
}
