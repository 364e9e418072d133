/* sysctl through /proc/sys, in the caller's current network namespace. */
#include "knl-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/mount.h>

#define PROC_SYS "/proc/sys/"

/* One path component: non-empty, not "." or "..", no '/', no control bytes. */
static bool part_ok(const char *p, size_t n)
{
	if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (p[i] == '/' || (unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			return false;
	return true;
}

int knl_sysctl_path(const char *key, char *buf, size_t len, struct cni_error *err)
{
	size_t klen, off = sizeof(PROC_SYS) - 1;
	const char *p, *dot;

	if (!key || !*key)
		return knl_invalid(err, "empty sysctl key");
	if (key[0] == '/' || strchr(key, '/'))
		return knl_invalid(err, "sysctl key %s: use dots, not slashes", key);
	klen = strlen(key);
	for (p = key;; p = dot + 1) {
		dot = strchr(p, '.');
		if (!part_ok(p, dot ? (size_t)(dot - p) : strlen(p)))
			return knl_invalid(err, "invalid sysctl key %s", key);
		if (!dot)
			break;
	}
	if (off + klen + 1 > len)
		return knl_invalid(err, "sysctl key %s is too long", key);
	memcpy(buf, PROC_SYS, off);
	for (size_t i = 0; i <= klen; i++)
		buf[off + i] = (char)(key[i] == '.' ? '/' : key[i]);
	return 0;
}

int knl_sysctl_path_parts(const char *const *parts, char *buf, size_t len, struct cni_error *err)
{
	size_t off = sizeof(PROC_SYS) - 1;

	if (!parts || !parts[0])
		return knl_invalid(err, "empty sysctl key");
	if (off + 1 > len)
		return knl_invalid(err, "sysctl path buffer too small");
	memcpy(buf, PROC_SYS, off + 1);
	for (size_t i = 0; parts[i]; i++) {
		size_t n = strlen(parts[i]);

		if (!part_ok(parts[i], n))
			return knl_invalid(err, "invalid sysctl key component \"%s\"", parts[i]);
		if (off + n + 2 > len)
			return knl_invalid(err, "sysctl key is too long");
		if (i)
			buf[off++] = '/';
		memcpy(buf + off, parts[i], n + 1);
		off += n;
	}
	return 0;
}

/* A path under /proc/sys/ made of valid components. */
static int check_path(const char *path, struct cni_error *err)
{
	const char *p, *slash;

	if (!path || strncmp(path, PROC_SYS, sizeof(PROC_SYS) - 1) != 0)
		return knl_invalid(err, "sysctl path %s is not under " PROC_SYS, path ? path : "");
	for (p = path + sizeof(PROC_SYS) - 1;; p = slash + 1) {
		slash = strchr(p, '/');
		if (!part_ok(p, slash ? (size_t)(slash - p) : strlen(p)))
			return knl_invalid(err, "invalid sysctl path %s", path);
		if (!slash)
			return 0;
	}
}

/* ---- where paths are opened ------------------------------------------------
 *
 * Why not under /proc/sys: each network namespace has its own net/ipv4 and
 * net/ipv6 directories, all under the one /proc/sys/net, so the dcache keeps
 * one "ipv4" (and "ipv6") entry per namespace that ever looked there, all on
 * one hash chain, and a look-up of that component compares its way along the
 * chain (proc_sys_compare). Measured with 3,000 pod namespaces: 0.35 ms warm
 * and up to 1.9 ms in a new process, against 3 us for any other component,
 * in every path opened: a cost that grows with the pods on the node.
 *
 * A procfs instance of this process's own (fsopen + fsmount: mounted nowhere,
 * gone with its fd) has dentries of its own: that chain holds only the
 * namespaces this process looks in. Making one costs 40-80 us, and about as
 * much when it goes. The lookups still resolve in the caller's current
 * namespace at each open, as under /proc/sys. Where the kernel refuses (no
 * new mount API, no CAP_SYS_ADMIN, a seccomp filter) paths are opened under
 * /proc/sys. One per process: our plugins are single-threaded. */

static int proc_root = -2; /* -2: not tried yet; -1: refused, use /proc */

static int private_proc(void)
{
	cleanup_close int fs = (int)syscall(SYS_fsopen, "proc", FSOPEN_CLOEXEC);

	if (fs < 0 || syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -1;
	return (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC,
			    MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
}

void knl_sysctl_forget(void)
{
	if (proc_root >= 0)
		close(proc_root);
	proc_root = -2;
}

/* open() of a checked /proc/sys path ("/proc/" + "sys/..."). */
static int sysctl_open(const char *path, int flags)
{
	if (proc_root == -2)
		proc_root = private_proc();
	if (proc_root >= 0)
		return openat(proc_root, path + sizeof("/proc/") - 1, flags);
	return open(path, flags);
}

static int read_value(const char *path, const char *label, char *buf, size_t len,
		      struct cni_error *err)
{
	cleanup_close int fd = -1;
	size_t got = 0;
	ssize_t n;
	char extra;

	if (len == 0)
		return knl_invalid(err, "read sysctl %s: empty buffer", label);
	fd = sysctl_open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return knl_fail(err, -errno, NULL, "read sysctl %s", label);
	while (got < len - 1 && (n = RETRY_EINTR(read(fd, buf + got, len - 1 - got))) != 0) {
		if (n < 0)
			return knl_fail(err, -errno, NULL, "read sysctl %s", label);
		got += n;
	}
	buf[got] = '\0';
	if (got == len - 1 && read(fd, &extra, 1) > 0)
		return knl_fail(err, -ERANGE, NULL, "read sysctl %s: value longer than %zu bytes",
				label, len - 1);
	while (got && buf[got - 1] == '\n')
		buf[--got] = '\0';
	return 0;
}

static int write_value(const char *path, const char *label, const char *value,
		       struct cni_error *err)
{
	cleanup_close int fd = -1;
	size_t len;
	ssize_t n;

	if (!value)
		return knl_invalid(err, "write sysctl %s: no value", label);
	len = strlen(value);
	fd = sysctl_open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return knl_fail(err, -errno, NULL, "write sysctl %s", label);
	/* One write: /proc/sys parses each write as a whole value. */
	n = RETRY_EINTR(write(fd, value, len));
	if (n < 0)
		return knl_fail(err, -errno, NULL, "write sysctl %s = %s", label, value);
	if ((size_t)n != len)
		return knl_fail(err, -EIO, NULL, "write sysctl %s = %s: short write", label, value);
	return 0;
}

int knl_sysctl_read(const char *key, char *buf, size_t len, struct cni_error *err)
{
	char path[KNL_SYSCTL_PATH_MAX];
	int r = knl_sysctl_path(key, path, sizeof(path), err);

	return r < 0 ? r : read_value(path, key, buf, len, err);
}

int knl_sysctl_write(const char *key, const char *value, struct cni_error *err)
{
	char path[KNL_SYSCTL_PATH_MAX];
	int r = knl_sysctl_path(key, path, sizeof(path), err);

	return r < 0 ? r : write_value(path, key, value, err);
}

int knl_sysctl_read_path(const char *path, char *buf, size_t len, struct cni_error *err)
{
	int r = check_path(path, err);

	return r < 0 ? r : read_value(path, path, buf, len, err);
}

int knl_sysctl_write_path(const char *path, const char *value, struct cni_error *err)
{
	int r = check_path(path, err);

	return r < 0 ? r : write_value(path, path, value, err);
}
