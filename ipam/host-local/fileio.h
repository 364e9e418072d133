/* File helpers for the store. The *_at functions work relative to a directory descriptor,
 * so that the network directory is opened once and paths are never re-resolved, and they
 * never follow a symlink. They return 0 (or a length) and -errno on failure, without an
 * error message, so that callers decide which errno is an error (EEXIST from an exclusive
 * create is an answer, not a failure).
 *
 * lib/cni/statefile.h has path-based cousins that fsync (cni_file_read,
 * cni_file_write_atomic) and cni_mkdir_p, which the store uses. The address files, the
 * last_reserved_ip files and the index are written without fsync, as the reference writes
 * its store. */
#ifndef HOSTLOCAL_FILEIO_H
#define HOSTLOCAL_FILEIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cni/error.h"

/* Open (creating with mode if missing) `name` under dirfd and take an exclusive flock(2)
 * on it, waiting as long as it takes. *fd holds the lock until closed. */
int hl_flock_at(int dirfd, const char *name, mode_t mode, int *fd, struct cni_error *err);

/* Read a small file whole into buf and NUL-terminate it. Returns its length, or -errno;
 * -EFBIG when it does not fit in cap - 1 bytes, -EINVAL when it is not a regular file
 * (opened without blocking: a FIFO planted in a dataDir does not hang the plugin). */
ssize_t hl_read_small_at(int dirfd, const char *name, char *buf, size_t cap);

/* Write data as the whole content of `name`, opened with O_WRONLY | O_CLOEXEC | `flags`
 * (e.g. O_CREAT | O_EXCL, or O_CREAT | O_TRUNC). A file created by this call is removed
 * again when the write fails. Returns 0 or -errno. */
int hl_write_file_at(int dirfd, const char *name, int flags, mode_t mode, const void *data,
		     size_t len);

/* Create `name` with data as its content, whole or not at all, and only if it does not
 * exist (-EEXIST then): the data goes into an unnamed file (O_TMPFILE) that is then
 * linked as `name`, so a kill at any point leaves no file or the whole one, never an
 * empty one that holds an address for nobody. On a file system without O_TMPFILE a named
 * temp file (HL_TEMP_PREFIX...) is written and linked instead; one a kill left behind is
 * removed by GC. 0 or -errno. */
#define HL_TEMP_PREFIX ".krafty-tmp."
int hl_create_whole_at(int dirfd, const char *name, mode_t mode, const void *data, size_t len);

/* Write data over `name` in place (created if missing), then cut it to len (> 0): not
 * atomic, for files whose torn content is harmless (the index stamp: a mismatch means a
 * rebuild; last_reserved_ip: an unparsable one means the range's start). Why not a
 * rename or O_TRUNC: ext4 (auto_da_alloc) writes the data back at once when a file is
 * renamed over another or truncated to zero and written, measured here at about 250 us
 * each, against under 10 us in place. 0 or -errno. */
int hl_overwrite_file_at(int dirfd, const char *name, mode_t mode, const void *data, size_t len);
/* The same for an existing file only (-ENOENT when missing). */
int hl_rewrite_file_at(int dirfd, const char *name, const void *data, size_t len);

#endif
