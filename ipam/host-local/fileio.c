#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cni/cleanup.h"
#include "cni/statefile.h"

int hl_flock_at(int dirfd, const char *name, mode_t mode, int *fd, struct cni_error *err)
{
	cleanup_close int f =
	    openat(dirfd, name, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, mode);
	struct stat st;

	*fd = -1;
	if (f < 0)
		return cni_err_errno(err, CNI_ERR_IO, errno, "cannot open lock file %s", name);
	if (fstat(f, &st) < 0 || !S_ISREG(st.st_mode))
		return cni_err(err, CNI_ERR_IO, "lock file %s is not a regular file", name);
	if (RETRY_EINTR(flock(f, LOCK_EX)) < 0)
		return cni_err_errno(err, CNI_ERR_IO, errno, "cannot lock %s", name);
	*fd = steal_fd(f);
	return 0;
}

/* Read until end of file or until len bytes are in: the count, or -errno. */
static ssize_t read_upto(int fd, char *buf, size_t len)
{
	size_t n = 0;

	while (n < len) {
		ssize_t r = RETRY_EINTR(read(fd, buf + n, len - n));

		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	return (ssize_t)n;
}

ssize_t hl_read_small_at(int dirfd, const char *name, char *buf, size_t cap)
{
	cleanup_close int fd =
	    openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	ssize_t n, more;
	char probe;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL; /* a FIFO would never end */
	if ((n = read_upto(fd, buf, cap - 1)) < 0)
		return n;
	/* A full buffer is only an error when there is more to read. */
	if ((size_t)n == cap - 1 && (more = RETRY_EINTR(read(fd, &probe, 1))) != 0)
		return more < 0 ? -errno : -EFBIG;
	buf[n] = '\0';
	return n;
}

int hl_write_file_at(int dirfd, const char *name, int flags, mode_t mode, const void *data,
		     size_t len)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | flags, mode);
	int rc;

	if (fd < 0)
		return -errno;
	rc = cni_write_all(fd, data, len);
	/* Closed here, not by a cleanup, since a failing close is a failed write. */
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc < 0 && (flags & O_EXCL))
		unlinkat(dirfd, name, 0);
	return rc;
}

static int overwrite_at(int dirfd, const char *name, int flags, mode_t mode, const void *data,
			size_t len)
{
	/* O_NONBLOCK: a FIFO planted under the name fails (ENXIO) instead of hanging. */
	cleanup_close int fd =
	    openat(dirfd, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | flags, mode);
	size_t off = 0;

	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t w =
		    RETRY_EINTR(pwrite(fd, (const char *)data + off, len - off, (off_t)off));

		if (w < 0)
			return -errno;
		off += (size_t)w;
	}
	/* Cut a longer old content's tail: to len, never to 0 (see fileio.h). */
	if (ftruncate(fd, (off_t)len) < 0)
		return -errno;
	return close(steal_fd(fd)) < 0 ? -errno : 0;
}

int hl_overwrite_file_at(int dirfd, const char *name, mode_t mode, const void *data, size_t len)
{
	return overwrite_at(dirfd, name, O_CREAT, mode, data, len);
}

int hl_rewrite_file_at(int dirfd, const char *name, const void *data, size_t len)
{
	return overwrite_at(dirfd, name, 0, 0, data, len);
}

/* The fallback of hl_create_whole_at: a named temp file, linked, then removed. */
static int create_named(int dirfd, const char *name, mode_t mode, const void *data, size_t len)
{
	char tmp[256];
	int rc;

	if (snprintf(tmp, sizeof(tmp), HL_TEMP_PREFIX "%s.%d", name, (int)getpid()) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	unlinkat(dirfd, tmp, 0); /* a leftover of a killed call with our pid */
	if ((rc = hl_write_file_at(dirfd, tmp, O_CREAT | O_EXCL, mode, data, len)) < 0)
		return rc;
	rc = linkat(dirfd, tmp, dirfd, name, 0) < 0 ? -errno : 0;
	unlinkat(dirfd, tmp, 0);
	return rc;
}

int hl_create_whole_at(int dirfd, const char *name, mode_t mode, const void *data, size_t len)
{
	cleanup_close int fd = openat(dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
	char self[64];
	int rc;

	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL))
		return create_named(dirfd, name, mode, data, len);
	if (fd < 0)
		return -errno;
	if ((rc = cni_write_all(fd, data, len)) < 0)
		return rc; /* the unnamed file goes with its descriptor */
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, self, dirfd, name, AT_SYMLINK_FOLLOW) < 0)
		return -errno;
	return 0;
}
