/* Network namespaces: open and validate a netns file, enter it, come back. */
#include "knl-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <linux/nsfs.h>

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

/* An nsfs file (or a procfs one on kernels before 3.19) that, where the
 * kernel can tell, is a network namespace. 0, or -EINVAL when it is not. */
static int check_netns(int fd, const char *path, struct cni_error *err)
{
	struct statfs sfs;
	int type;

	if (fstatfs(fd, &sfs) < 0)
		return knl_fail(err, -errno, NULL, "stat netns %s", path);
	if (sfs.f_type != NSFS_MAGIC && sfs.f_type != PROC_SUPER_MAGIC)
		return cni_err(err, CNI_ERR_INVALID_ENV, "CNI_NETNS %s is not a network namespace",
			       path);
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type >= 0 && type != CLONE_NEWNET)
		return cni_err(err, CNI_ERR_INVALID_ENV,
			       "CNI_NETNS %s is a namespace, but not a network namespace", path);
	/* type < 0: a kernel without NS_GET_NSTYPE (< 4.11); trust the file system. */
	return 0;
}

int knl_netns_open(const char *path, int *fd, struct cni_error *err)
{
	cleanup_close int f = -1;
	int r;

	*fd = -1;
	if (!path || !*path)
		return cni_err_errno(err, CNI_ERR_INVALID_ENV, ENOENT, "CNI_NETNS is not set");
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0 && errno == ENOENT)
		return cni_err_errno(err, CNI_ERR_INVALID_ENV, ENOENT,
				     "CNI_NETNS %s does not exist: open netns %s", path, path);
	if (f < 0)
		return knl_fail(err, -errno, NULL, "open netns %s", path);
	if ((r = check_netns(f, path, err)) < 0)
		return r;
	*fd = steal_fd(f);
	return 0;
}

static int open_current(void)
{
	int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT) /* kernels before 3.17 */
		fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	return fd;
}

int knl_netns_enter(int ns_fd, int *saved_fd, struct cni_error *err)
{
	cleanup_close int cur = -1;

	*saved_fd = -1;
	cur = open_current();
	if (cur < 0)
		return knl_fail(err, -errno, NULL, "open the current netns");
	if (setns(ns_fd, CLONE_NEWNET) < 0)
		return knl_fail(err, -errno, NULL, "enter netns");
	*saved_fd = steal_fd(cur);
	return 0;
}

int knl_netns_enter_path(const char *path, int *saved_fd, struct cni_error *err)
{
	cleanup_close int fd = -1;
	int r;

	*saved_fd = -1;
	if ((r = knl_netns_open(path, &fd, err)) < 0)
		return r;
	return knl_netns_enter(fd, saved_fd, err);
}

int knl_netns_return(int *saved_fd, struct cni_error *err)
{
	int r, e;

	if (*saved_fd < 0)
		return 0;
	r = setns(*saved_fd, CLONE_NEWNET);
	e = errno;
	close(*saved_fd);
	*saved_fd = -1;
	if (r < 0)
		return knl_fail(err, -e, NULL, "return to the original netns");
	return 0;
}

void knl_netns_returnp(int *saved_fd)
{
	int e = errno;

	if (*saved_fd >= 0) {
		(void)setns(*saved_fd, CLONE_NEWNET);
		close(*saved_fd);
		*saved_fd = -1;
	}
	errno = e;
}
