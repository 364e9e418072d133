/* Small files a plugin keeps between ADD and DEL (saved values, allocations):
 * read whole, written atomically, guarded by a directory lock.
 *
 * Atomic means a reader (or the plugin after a crash or power loss) sees the
 * old content or the new one, never a mix or an empty file: the data goes to a
 * temp file in the same directory, is fsync'd, renamed over the target, and
 * the directory is fsync'd so that the rename itself is durable. */
#ifndef CNI_STATEFILE_H
#define CNI_STATEFILE_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* Create a directory and its missing parents with mode (like mkdir -p).
 * An existing directory is fine; an existing non-directory is an error. */
int cni_mkdir_p(const char *path, mode_t mode, struct cni_error *err);

/* Open the directory and take an exclusive flock on it, waiting for other
 * holders. The lock lasts until *fd is closed (use a cleanup_close int). */
int cni_dir_lock(const char *dir, int *fd, struct cni_error *err);

/* write() all of buf, again after a short or interrupted write. 0 or -errno
 * (no err: the caller names what it wrote). */
int cni_write_all(int fd, const void *buf, size_t len);

/* Open (creating it, mode 0600, and its directory, 0700) the lock file at
 * path without following a link, and take an exclusive flock on it, waiting
 * for other holders. The lock lasts until *fd is closed. A holder may remove
 * the file before it lets go (cni_file_remove: a lock file that no longer
 * guards anything): a waiter that then gets the lock on the removed file
 * opens path anew, so two processes never hold locks on two different files
 * of one path. */
int cni_file_lock(const char *path, int *fd, struct cni_error *err);

/* Read fd to its end into a NUL-terminated malloc'd buffer of at most max
 * bytes (more is an error with too_big_code; `what` names the source in
 * messages). The buffer grows with what is read, never beyond max + 1. */
int cni_read_fd(int fd, size_t max, int too_big_code, const char *what, char **out, size_t *len,
		struct cni_error *err);
/* Read a whole file into a NUL-terminated malloc'd buffer of at most max bytes.
 * Returns 1 when read, 0 when the file does not exist (*out NULL, *len 0),
 * negative on error (a file larger than max is an error: CNI_ERR_IO). */
int cni_file_read(const char *path, size_t max, char **out, size_t *len, struct cni_error *err);

/* Replace path with data atomically (see above); the file gets mode. */
int cni_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
			  struct cni_error *err);

/* Remove a file; succeeds when it is already gone. */
int cni_file_remove(const char *path, struct cni_error *err);

/* ---- files a config names, and files below a directory descriptor ----
 * A config comes from someone who may mean harm, and the plugin runs as root:
 * these never follow a symbolic link in the last component, never open what
 * is not a regular file (a FIFO would block, a device could act on the open:
 * the file is looked at through O_PATH first) and read at most a cap. */

/* Read the regular file dirfd/name (AT_FDCWD and an absolute name for a
 * path): 1 when read (*out NUL-terminated, malloc'd), 0 when it does not
 * exist, negative on error. Files of the kernel's pseudo file systems (proc,
 * sysfs, debugfs, ...) are not regular files here: reading them acts. With no_links, no component
 * of the path may be a symbolic link (openat2 RESOLVE_NO_SYMLINKS, on kernels that have it).
 * bad_code when it is a link, not a regular file or larger than max bytes;
 * CNI_ERR_IO when opening or reading fails. `what` names it in messages. */
int cni_file_read_regular(int dirfd, const char *name, bool no_links, size_t max, int bad_code,
			  const char *what, char **out, size_t *len, struct cni_error *err);
/* Open (creating it with mode when create is set) the directory dirfd/name,
 * not through a symbolic link. -ENOENT without err when absent and !create;
 * a link or a file there is an error (CNI_ERR_IO). */
int cni_dir_open_at(int dirfd, const char *name, bool create, mode_t mode, int *fd,
		    struct cni_error *err);
/* cni_file_write_atomic below a directory descriptor: temp file, fsync,
 * renameat over name, fsync of the directory. */
int cni_file_write_atomic_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
			     struct cni_error *err);
/* Remove dirfd/name (gone already is fine) and sync the directory. */
int cni_file_remove_at(int dirfd, const char *name, struct cni_error *err);

/* A readdir(3) stream over the directory dirfd, on a descriptor of its own
 * (dirfd stays as it is; close the stream with closedir, cleanup_dir). NULL
 * with errno set on failure. */
DIR *cni_dir_stream(int dirfd);

#endif
