#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cni/cleanup.h"

int hl_flock_at(int dirfd, const char *name, mode_t mode, int *fd, struct cni_error *err)
{
	cleanup_close int f =
	    openat(dirfd, name, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode);

	*fd = -1;
	if (f < 0)
		return cni_err_errno(err, CNI_ERR_IO, errno, "cannot open lock file %s", name);
	while (flock(f, LOCK_EX) < 0) {
		if (errno != EINTR)
			return cni_err_errno(err, CNI_ERR_IO, errno, "cannot lock %s", name);
	}
	*fd = steal_fd(f);
	return 0;
}

ssize_t hl_read_small_at(int dirfd, const char *name, char *buf, size_t cap)
{
	cleanup_close int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t n = 0;

	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t r = read(fd, buf + n, cap - 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == cap - 1) {
			char probe;

			/* Full buffer: only an error when there is more to read. */
			while ((r = read(fd, &probe, 1)) < 0 && errno == EINTR)
				;
			if (r != 0)
				return r < 0 ? -errno : -EFBIG;
			break;
		}
	}
	buf[n] = '\0';
	return (ssize_t)n;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int hl_write_file_at(int dirfd, const char *name, int flags, mode_t mode, const void *data,
		     size_t len)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | flags, mode);
	int rc;

	if (fd < 0)
		return -errno;
	rc = write_all(fd, data, len);
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc < 0 && (flags & O_EXCL))
		unlinkat(dirfd, name, 0);
	return rc;
}

int hl_replace_file_at(int dirfd, const char *name, mode_t mode, const void *data, size_t len)
{
	char tmp[512];
	int rc;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", name) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	unlinkat(dirfd, tmp, 0); /* a leftover of a crash */
	rc = hl_write_file_at(dirfd, tmp, O_CREAT | O_EXCL, mode, data, len);
	if (rc < 0)
		return rc;
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		rc = -errno;
		unlinkat(dirfd, tmp, 0);
	}
	return rc;
}
