#include "statefile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

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

	if (!path || !*path)
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "empty directory path");
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

int cni_file_lock(const char *path, int *fd, struct cni_error *err)
{
	cleanup_free char *dir = strdup(path);
	cleanup_close int f = -1;
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
	f = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (f < 0)
		return cni_err_errno(err, CNI_ERR_IO, errno, "open %s", path);
	if (RETRY_EINTR(flock(f, LOCK_EX)) < 0)
		return cni_err_errno(err, CNI_ERR_IO, errno, "lock %s", path);
	*fd = steal_fd(f);
	return 0;
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
