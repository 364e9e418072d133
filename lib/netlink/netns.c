/* Network namespaces: open and validate a netns file, enter it, come back. */
#include "knl-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <linux/nsfs.h>

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

/* The node's network namespaces, as (device, inode) of their nsfs files:
 * the one this process started in (the runtime's), and init's. Taken before
 * main(), before anything can setns(). Zero where unknown. */
static struct stat node_ns[2];

__attribute__((constructor)) static void record_node_netns(void)
{
	int e = errno;

	if (stat("/proc/self/ns/net", &node_ns[0]) < 0)
		memset(&node_ns[0], 0, sizeof(node_ns[0]));
	if (stat("/proc/1/ns/net", &node_ns[1]) < 0)
		memset(&node_ns[1], 0, sizeof(node_ns[1]));
	errno = e;
}

static bool is_node_netns(const struct stat *st)
{
	for (size_t i = 0; i < sizeof(node_ns) / sizeof(node_ns[0]); i++)
		if (node_ns[i].st_ino && node_ns[i].st_dev == st->st_dev &&
		    node_ns[i].st_ino == st->st_ino)
			return true;
	return false;
}

/* An nsfs file (or a procfs one on kernels before 3.19), looked at through
 * an O_PATH fd: nothing of the file has been opened yet, so a FIFO cannot
 * block and a device cannot act on an open. 0, or -EINVAL when it is not. */
static int check_file(int fd, const char *path, struct stat *st, struct cni_error *err)
{
	struct statfs sfs;

	if (fstat(fd, st) < 0 || fstatfs(fd, &sfs) < 0)
		return knl_fail(err, -errno, NULL, "stat netns %s", path);
	if (!S_ISREG(st->st_mode) || (sfs.f_type != NSFS_MAGIC && sfs.f_type != PROC_SUPER_MAGIC))
		return cni_err(err, CNI_ERR_INVALID_ENV, "CNI_NETNS %s is not a network namespace",
			       path);
	return 0;
}

/* Where the kernel can tell (NS_GET_NSTYPE, 4.11), a network namespace. */
static int check_type(int fd, const char *path, struct cni_error *err)
{
	int type = ioctl(fd, NS_GET_NSTYPE);

	if (type >= 0 && type != CLONE_NEWNET)
		return cni_err(err, CNI_ERR_INVALID_ENV,
			       "CNI_NETNS %s is a namespace, but not a network namespace", path);
	/* type < 0: a kernel without NS_GET_NSTYPE (< 4.11); trust the file system. */
	return 0;
}

static int open_netns(const char *path, int *fd, struct stat *st, struct cni_error *err)
{
	cleanup_close int p = -1;
	cleanup_close int f = -1;
	char self[64];
	int r;

	*fd = -1;
	if (!path || !*path)
		return cni_err_errno(err, CNI_ERR_INVALID_ENV, ENOENT, "CNI_NETNS is not set");
	p = open(path, O_PATH | O_CLOEXEC);
	if (p < 0 && errno == ENOENT)
		return cni_err_errno(err, CNI_ERR_INVALID_ENV, ENOENT,
				     "CNI_NETNS %s does not exist: open netns %s", path, path);
	/* A path we may not open is the runtime's to fix, as a missing one;
	 * running out of descriptors or memory is ours. */
	if (p < 0 && errno != EMFILE && errno != ENFILE && errno != ENOMEM)
		return cni_err_errno(err, CNI_ERR_INVALID_ENV, errno,
				     "CNI_NETNS %s cannot be opened", path);
	if (p < 0)
		return knl_fail(err, -errno, NULL, "open netns %s", path);
	if ((r = check_file(p, path, st, err)) < 0)
		return r;
	/* The file itself, now that it is known to be a namespace's. */
	snprintf(self, sizeof(self), "/proc/self/fd/%d", p);
	f = open(self, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (f < 0)
		return knl_fail(err, -errno, NULL, "open netns %s", path);
	if ((r = check_type(f, path, err)) < 0)
		return r;
	*fd = steal_fd(f);
	return 0;
}

int knl_netns_open_any(const char *path, int *fd, struct cni_error *err)
{
	struct stat st;

	return open_netns(path, fd, &st, err);
}

int knl_netns_open(const char *path, int *fd, struct cni_error *err)
{
	cleanup_close int f = -1;
	struct stat st = {0};
	int r;

	*fd = -1;
	if ((r = open_netns(path, &f, &st, err)) < 0)
		return r;
	if (is_node_netns(&st))
		return cni_err_errno(err, CNI_ERR_INVALID_ENV, EPERM,
				     "CNI_NETNS %s is the node's own network namespace, not a "
				     "pod's: refusing to change the node's interfaces",
				     path);
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
