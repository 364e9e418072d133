#include "statefile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <stdbool.h>

#include "cleanup.h"

static int mkdir_one(const char *path, mode_t mode, struct cni_error *err)
{
	struct stat st;

	if (mkdir(path, mode) == 0)
		return 0;
	if (errno != EEXIST)
		return cni_err_errno(err, CNI_ERR_IO, errno, "create directory %s", path);
	if (stat(path, &st) < 0)
		return cni_err_errno(err, CNI_ERR_IO, errno, "create directory %s", path);
	if (!S_ISDIR(st.st_mode))
		return cni_err(err, CNI_ERR_IO, "create directory %s: a file of that name exists",
			       path);
	return 0;
}

int cni_mkdir_p(const char *path, mode_t mode, struct cni_error *err)
{
	int rc;
	cleanup_free char *copy = NULL;
	struct stat st;

	if (!path || !*path)
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "empty directory path");
	/* Nearly always there already: one stat, not a mkdir and a stat per level. */
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (!(copy = strdup(path)))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	/* Each parent in turn: cut the string at every '/' after the first byte. */
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if ((rc = mkdir_one(copy, mode, err)) < 0)
			return rc;
		*p = '/';
	}
	return mkdir_one(copy, mode, err);
}

int cni_dir_lock(const char *dir, int *fd, struct cni_error *err)
{
	cleanup_close int d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	*fd = -1;
	if (d < 0)
		return cni_err_errno(err, CNI_ERR_IO, errno, "open directory %s", dir);
	if (RETRY_EINTR(flock(d, LOCK_EX)) < 0)
		return cni_err_errno(err, CNI_ERR_IO, errno, "lock directory %s", dir);
	*fd = steal_fd(d);
	return 0;
}

/* The descriptor still names what is at path: no holder removed it (or put a
 * new file there) between our open and our flock. */
static int lock_is_current(int fd, const char *path)
{
	struct stat held, now;

	if (fstat(fd, &held) < 0)
		return -errno;
	if (fstatat(AT_FDCWD, path, &now, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	return held.st_dev == now.st_dev && held.st_ino == now.st_ino;
}

/* Each lost race means another process removed the file while we waited;
 * this many in a row is not contention but something to report. */
#define FILE_LOCK_TRIES 100

int cni_file_lock(const char *path, int *fd, struct cni_error *err)
{
	cleanup_free char *dir = strdup(path);
	char *slash;
	int rc;

	*fd = -1;
	if (!dir)
		return cni_err_errno(err, CNI_ERR_IO, ENOMEM, "lock %s", path);
	if ((slash = strrchr(dir, '/')) && slash != dir) {
		*slash = '\0';
		if ((rc = cni_mkdir_p(dir, 0700, err)) < 0)
			return rc;
	}
	for (int tries = 0; tries < FILE_LOCK_TRIES; tries++) {
		cleanup_close int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

		if (f < 0)
			return cni_err_errno(err, CNI_ERR_IO, errno, "open %s", path);
		if (RETRY_EINTR(flock(f, LOCK_EX)) < 0)
			return cni_err_errno(err, CNI_ERR_IO, errno, "lock %s", path);
		if ((rc = lock_is_current(f, path)) < 0)
			return cni_err_errno(err, CNI_ERR_IO, -rc, "lock %s", path);
		if (rc) {
			*fd = steal_fd(f);
			return 0;
		}
	}
	return cni_err(err, CNI_ERR_TRY_AGAIN, "lock %s: removed by its holder %d times in a row",
		       path, FILE_LOCK_TRIES);
}

int cni_read_fd(int fd, size_t max, int too_big_code, const char *what, char **out, size_t *len,
		struct cni_error *err)
{
	cleanup_free char *buf = NULL;
	size_t cap = 0, n = 0;

	*out = NULL;
	*len = 0;
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *grown;

			if (cap > max)
				return cni_err(err, too_big_code, "%s is larger than %zu bytes",
					       what, max);
			cap = cap ? cap * 2 : 4096;
			if (cap > max + 1)
				cap = max + 1;
			if (!(grown = realloc(buf, cap + 1)))
				return cni_err_errno(err, CNI_ERR_IO, ENOMEM, "read %s", what);
			buf = grown;
		}
		r = RETRY_EINTR(read(fd, buf + n, cap - n));
		if (r < 0)
			return cni_err_errno(err, CNI_ERR_IO, errno, "read %s", what);
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max)
		return cni_err(err, too_big_code, "%s is larger than %zu bytes", what, max);
	buf[n] = '\0';
	*out = steal_ptr(buf);
	*len = n;
	return 0;
}

int cni_file_read(const char *path, size_t max, char **out, size_t *len, struct cni_error *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	*out = NULL;
	*len = 0;
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return cni_err_errno(err, CNI_ERR_IO, errno, "open %s", path);
	rc = cni_read_fd(fd, max, CNI_ERR_IO, path, out, len, err);
	return rc < 0 ? rc : 1;
}

int cni_write_all(int fd, const void *buf, size_t len)
{
	const char *data = buf;

	while (len) {
		ssize_t w = RETRY_EINTR(write(fd, data, len));

		if (w < 0)
			return -errno;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/* fsync the directory holding path, so that a rename or unlink in it is durable. */
static int sync_parent(const char *path, struct cni_error *err)
{
	cleanup_free char *copy = strdup(path);
	cleanup_close int fd = -1;

	if (!copy)
		return cni_err(err, CNI_ERR_IO, "out of memory");
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		return cni_err_errno(err, CNI_ERR_IO, errno, "sync directory of %s", path);
	return 0;
}

static int write_temp(int fd, const char *tmp, const void *data, size_t len, mode_t mode,
		      struct cni_error *err)
{
	if (fchmod(fd, mode) < 0 || cni_write_all(fd, data, len) < 0 || fsync(fd) < 0)
		return cni_err_errno(err, CNI_ERR_IO, errno, "write %s", tmp);
	return 0;
}

int cni_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
			  struct cni_error *err)
{
	cleanup_free char *tmp = NULL;
	cleanup_close int fd = -1;

	if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0) {
		tmp = NULL;
		return cni_err(err, CNI_ERR_IO, "out of memory");
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return cni_err_errno(err, CNI_ERR_IO, errno, "create a temp file for %s", path);
	if (write_temp(fd, tmp, data, len, mode, err) < 0)
		goto fail;
	if (rename(tmp, path) < 0) {
		cni_err_errno(err, CNI_ERR_IO, errno, "rename %s to %s", tmp, path);
		goto fail;
	}
	return sync_parent(path, err);
fail:
	unlink(tmp);
	return -err->errnum;
}

int cni_file_remove(const char *path, struct cni_error *err)
{
	if (unlink(path) == 0)
		return sync_parent(path, err);
	if (errno == ENOENT)
		return 0;
	return cni_err_errno(err, CNI_ERR_IO, errno, "remove %s", path);
}

/* ---- files named by configs, and files below a directory descriptor ---- */

/* An O_PATH descriptor of dirfd/name: only the last component may not be a
 * link, or (no_links) no component, where the kernel has openat2 (5.6). */
static int open_path(int dirfd, const char *name, bool no_links)
{
	struct open_how how = {
	    .flags = O_PATH | O_CLOEXEC | O_NOFOLLOW,
	    .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	if (no_links) {
		fd = syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
		/* ENOSYS: a kernel before 5.6; EPERM: a seccomp filter that refuses
		 * syscalls it does not know (openat2 itself never says EPERM here). */
		if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
			return (int)fd;
	}
	return openat(dirfd, name, O_PATH | O_CLOEXEC | O_NOFOLLOW);
}

/* The kernel's pseudo file systems: their "regular" files are interfaces
 * (reading /proc/kmsg takes messages from the kernel log, a sysfs file can
 * block), never a file a config or a state should name. */
static bool pseudo_fs(int fd)
{
	static const unsigned long magic[] = {
	    PROC_SUPER_MAGIC, SYSFS_MAGIC,	  DEBUGFS_MAGIC,       TRACEFS_MAGIC,
	    SECURITYFS_MAGIC, CGROUP_SUPER_MAGIC, CGROUP2_SUPER_MAGIC, BPF_FS_MAGIC,
	    EFIVARFS_MAGIC,   PSTOREFS_MAGIC,	  NSFS_MAGIC,
	};
	struct statfs sfs;

	if (fstatfs(fd, &sfs) < 0)
		return true;
	for (size_t i = 0; i < sizeof(magic) / sizeof(magic[0]); i++)
		if ((unsigned long)sfs.f_type == magic[i])
			return true;
	return false;
}

/* Open a regular file for reading without opening anything else: a FIFO
 * would block, a device could act on the open. The file is looked at through
 * O_PATH first, then opened through that descriptor. -ENOENT (err not set)
 * when absent. */
static int open_regular(int dirfd, const char *name, bool no_links, int bad_code, const char *what,
			struct cni_error *err)
{
	cleanup_close int p = open_path(dirfd, name, no_links);
	char self[64];
	struct stat st;
	int fd;

	if (p < 0 && errno == ENOENT)
		return -ENOENT;
	if (p < 0 && errno == ELOOP)
		return cni_err(err, bad_code, "%s: a symbolic link on its path is not followed",
			       what);
	if (p < 0 || fstat(p, &st) < 0)
		return cni_err_errno(err, CNI_ERR_IO, errno, "open %s", what);
	if (S_ISLNK(st.st_mode))
		return cni_err(err, bad_code, "%s is a symbolic link, which is not followed", what);
	if (!S_ISREG(st.st_mode) || pseudo_fs(p))
		return cni_err(err, bad_code, "%s is not a regular file", what);
	snprintf(self, sizeof(self), "/proc/self/fd/%d", p);
	if ((fd = open(self, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)) < 0)
		return cni_err_errno(err, CNI_ERR_IO, errno, "open %s", what);
	return fd;
}

int cni_file_read_regular(int dirfd, const char *name, bool no_links, size_t max, int bad_code,
			  const char *what, char **out, size_t *len, struct cni_error *err)
{
	cleanup_close int fd = -1;
	int rc;

	*out = NULL;
	*len = 0;
	fd = open_regular(dirfd, name, no_links, bad_code, what, err);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	if ((rc = cni_read_fd(fd, max, bad_code, what, out, len, err)) < 0)
		return rc;
	return 1;
}

int cni_dir_open_at(int dirfd, const char *name, bool create, mode_t mode, int *fd,
		    struct cni_error *err)
{
	*fd = -1;
	if (create && mkdirat(dirfd, name, mode) < 0 && errno != EEXIST)
		return cni_err_errno(err, CNI_ERR_IO, errno, "create directory %s", name);
	*fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd >= 0)
		return 0;
	if (errno == ENOENT && !create)
		return -ENOENT;
	/* A symbolic link (ELOOP) or a file (ENOTDIR) where the directory should be. */
	return cni_err_errno(err, CNI_ERR_IO, errno, "open directory %s", name);
}

/* A new file dirfd/<name>.tmp.<random>, exclusively; its name in tmp. */
static int create_temp_at(int dirfd, const char *name, char *tmp, size_t size)
{
	for (int i = 0; i < 100; i++) {
		unsigned int r = 0;
		int fd;

		if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
			r = (unsigned int)getpid() * 2654435761u + (unsigned int)i;
		if ((size_t)snprintf(tmp, size, "%s.tmp.%08x", name, r) >= size)
			return -ENAMETOOLONG;
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd < 0 ? -errno : fd;
	}
	return -EEXIST;
}

int cni_file_write_atomic_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
			     struct cni_error *err)
{
	char tmp[512];
	cleanup_close int fd = create_temp_at(dirfd, name, tmp, sizeof(tmp));
	int e;

	if (fd < 0)
		return cni_err_errno(err, CNI_ERR_IO, -fd, "create a temp file for %s", name);
	if (fchmod(fd, mode) < 0 || cni_write_all(fd, data, len) < 0 || fsync(fd) < 0 ||
	    renameat(dirfd, tmp, dirfd, name) < 0) {
		e = errno;
		unlinkat(dirfd, tmp, 0);
		return cni_err_errno(err, CNI_ERR_IO, e, "write %s", name);
	}
	if (fsync(dirfd) < 0)
		return cni_err_errno(err, CNI_ERR_IO, errno, "sync the directory of %s", name);
	return 0;
}

int cni_file_remove_at(int dirfd, const char *name, struct cni_error *err)
{
	if (unlinkat(dirfd, name, 0) < 0)
		return errno == ENOENT ? 0
				       : cni_err_errno(err, CNI_ERR_IO, errno, "remove %s", name);
	if (fsync(dirfd) < 0)
		return cni_err_errno(err, CNI_ERR_IO, errno, "sync the directory of %s", name);
	return 0;
}

DIR *cni_dir_stream(int dirfd)
{
	cleanup_close int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;

	if (fd < 0)
		return NULL;
	if ((d = fdopendir(fd)))
		(void)steal_fd(fd); /* the DIR owns it now */
	return d;
}
