/* Spare files. Each reservation creates an address file and an index entry,
 * and each release removes them: two new inodes per ADD. On ext4 without a
 * journal (this project's build and CI machines) the inode allocator skips
 * every inode freed in the last seconds, reading each one's inode table block
 * (recently_deleted): under churn a new file cost 105-250 us against 15-64 us
 * for renaming a kept file into place and rewriting it (measured here, 2000
 * files, 10-300 released behind). A release therefore renames the file into
 * the index directory as a spare, and a reservation writes its content into a
 * spare and renames it into place: RENAME_NOREPLACE keeps the exclusive
 * create's meaning, and the file appears whole, as with O_TMPFILE.
 *
 * The count of spares lives in the index stamp (index.c), written with it
 * after every change and trusted only when the stamp matches the directory: a
 * crash or another binary's change makes the stamp stale, and the rebuild that
 * follows removes every spare. A count that is wrong anyway costs nothing but
 * the spares: a missing spare makes the count 0 (the file is created), a slot
 * that is taken makes the release remove its file.
 *
 * A parked file's content becomes "krafty spare": after a DEL no file names the
 * pod. The reference host-local walks subdirectories when it releases or looks
 * up by container ID, comparing each file's content: a spare matches no
 * container ID (it has a space), and "spare.<k>" is no IP. */
#include "spares.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"

static bool spares_usable(const struct hl_store *st)
{
	return st->idxfd >= 0 && st->index_ok;
}

static void spare_name(unsigned int k, char buf[32])
{
	snprintf(buf, 32, HL_SPARE_PREFIX "%u", k);
}

int hl_spare_place(struct hl_store *st, int dirfd, const char *name, const void *data, size_t len)
{
	char spare[32];
	int rc;

	if (!spares_usable(st) || st->spares == 0)
		return -ENOENT;
	spare_name(st->spares - 1, spare);
	/* Anything but a regular file of ours that can be renamed into place (missing,
	 * a symlink or FIFO planted there, another file system, no RENAME_NOREPLACE)
	 * ends the use of spares in this call: the caller creates the file. */
	rc = hl_rewrite_file_at(st->idxfd, spare, data, len);
	if (rc == 0 && renameat2(st->idxfd, spare, dirfd, name, RENAME_NOREPLACE) < 0)
		rc = -errno;
	if (rc == -EEXIST)
		return rc;
	if (rc < 0) {
		st->spares = 0;
		return -ENOENT;
	}
	st->spares--;
	return 0;
}

/* 0: parked; -ENOENT: `name` does not exist; another -errno: not parked. */
static int spare_park(struct hl_store *st, int dirfd, const char *name)
{
	char spare[32];

	if (!spares_usable(st) || st->spares >= HL_SPARES_MAX)
		return -ENOSPC;
	spare_name(st->spares, spare);
	if (renameat2(dirfd, name, st->idxfd, spare, RENAME_NOREPLACE) < 0)
		return -errno;
	st->spares++;
	/* After the rename: a crash before it leaves an address file whole, never one
	 * that holds an address for nobody. Best effort: an old owner left in a spare
	 * only names a pod that is gone. */
	(void)hl_rewrite_file_at(st->idxfd, spare, HL_SPARE_CONTENT, strlen(HL_SPARE_CONTENT));
	return 0;
}

int hl_spare_release(struct hl_store *st, int dirfd, const char *name)
{
	int rc = spare_park(st, dirfd, name);

	if (rc == 0 || rc == -ENOENT)
		return 0;
	return unlinkat(dirfd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
}

unsigned int hl_spare_count_parse(const char *s)
{
	const char *p = s;
	unsigned int k = 0;

	if (strncmp(p, "spares ", 7) != 0)
		return 0;
	p += 7;
	if (*p < '0' || *p > '9')
		return 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		k = k * 10 + (unsigned int)(*p - '0');
		if (k > HL_SPARES_MAX)
			return 0;
	}
	return strcmp(p, "\n") == 0 ? k : 0;
}
