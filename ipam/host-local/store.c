#include "spares.h"
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addrname.h"
#include "cni/array.h"
#include "cni/statefile.h"
#include "fileio.h"

/* The separator the reference writes between container ID and interface name. */
#define HL_LINE_BREAK "\r\n"

int hl_store_open(struct hl_store *st, const char *data_dir, const char *name, bool create,
		  bool *missing, struct cni_error *err)
{
	int rc;

	*st = (struct hl_store)HL_STORE_INIT;
	if (missing)
		*missing = false;
	if (asprintf(&st->path, "%s/%s", data_dir, name) < 0) {
		st->path = NULL;
		return cni_err(err, CNI_ERR_IO, "out of memory");
	}
	if (create && (rc = cni_mkdir_p(st->path, 0755, err)) < 0)
		return rc;
	st->dirfd = open(st->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->dirfd < 0) {
		if (!create && errno == ENOENT && missing) {
			*missing = true;
			return 0;
		}
		return cni_err_errno(err, CNI_ERR_IO, errno, "cannot open %s", st->path);
	}
	if (hl_flock_at(st->dirfd, HL_LOCK_FILE, 0644, &st->lockfd, err) < 0)
		return cni_err_prefix(err, "%s", st->path);
	return 0;
}

void hl_store_close(struct hl_store *st)
{
	if (st->idxfd >= 0)
		close(st->idxfd);
	if (st->lockfd >= 0)
		close(st->lockfd); /* releases the flock */
	if (st->dirfd >= 0)
		close(st->dirfd);
	free(st->path);
	*st = (struct hl_store)HL_STORE_INIT;
}

int hl_store_reserve(struct hl_store *st, const struct cni_ip *ip, const char *id,
		     const char *ifname, bool *taken, struct cni_error *err)
{
	char name[CNI_IP_STRLEN], content[512];
	int n = snprintf(content, sizeof(content), "%s" HL_LINE_BREAK "%s", id, ifname);
	int rc;

	*taken = false;
	hl_ip_name(ip, name);
	if (n < 0 || (size_t)n >= sizeof(content))
		return cni_err(err, CNI_ERR_INVALID_ENV, "container ID too long");
	rc = hl_spare_place(st, st->dirfd, name, content, (size_t)n);
	if (rc == -ENOENT)
		rc = hl_create_whole_at(st->dirfd, name, 0644, content, (size_t)n);
	if (rc == -EEXIST) {
		*taken = true;
		return 0;
	}
	if (rc < 0)
		return cni_err_errno(err, CNI_ERR_IO, -rc, "cannot write %s/%s", st->path, name);
	st->changed = true;
	return 0;
}

int hl_store_release(struct hl_store *st, const struct cni_ip *ip, struct cni_error *err)
{
	char name[CNI_IP_STRLEN];
	int rc;

	hl_ip_name(ip, name);
	if ((rc = hl_spare_release(st, st->dirfd, name)) < 0)
		return cni_err_errno(err, CNI_ERR_IO, -rc, "cannot remove %s/%s", st->path, name);
	st->changed = true;
	return 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool has_space(const char *s)
{
	for (; *s; s++)
		if (is_space(*s))
			return true;
	return false;
}

/* The reference compares TrimSpace(content) with "<id>\r\n<ifname>" or "<id>"; anything
 * that can match neither form for any attachment is corrupt. */
int hl_owner_parse(struct hl_owner *owner, size_t len)
{
	char *s = owner->buf, *sep;

	owner->id = owner->ifname = NULL;
	while (len > 0 && is_space(s[len - 1]))
		s[--len] = '\0';
	while (is_space(*s))
		s++;
	if ((sep = strstr(s, HL_LINE_BREAK))) {
		*sep = '\0';
		owner->ifname = sep + 2;
		if (!*owner->ifname || has_space(owner->ifname))
			return -EINVAL;
	}
	if (!*s || has_space(s))
		return -EINVAL;
	owner->id = s;
	return 0;
}

int hl_store_read_owner(struct hl_store *st, const char *name, struct hl_owner *owner)
{
	ssize_t n = hl_read_small_at(st->dirfd, name, owner->buf, sizeof(owner->buf));

	owner->id = owner->ifname = NULL;
	if (n < 0)
		return n == -EFBIG ? -EINVAL : (int)n;
	return hl_owner_parse(owner, (size_t)n);
}

bool hl_owner_is(const struct hl_owner *owner, const char *id, const char *ifname)
{
	if (!owner->id || strcmp(owner->id, id) != 0)
		return false;
	if (!ifname || !owner->ifname)
		return !ifname && !owner->ifname;
	return strcmp(owner->ifname, ifname) == 0;
}

void hl_store_last_reserved(struct hl_store *st, int idx, struct cni_ip *ip)
{
	char name[64], buf[128];
	ssize_t n;

	memset(ip, 0, sizeof(*ip));
	snprintf(name, sizeof(name), HL_LAST_RESERVED_PREFIX "%d", idx);
	n = hl_read_small_at(st->dirfd, name, buf, sizeof(buf));
	while (n > 0 && is_space(buf[n - 1]))
		buf[--n] = '\0';
	/* Unreadable or garbage: start from the beginning of the range set, as the reference. */
	if (n <= 0 || cni_ip_parse(buf, ip) < 0)
		memset(ip, 0, sizeof(*ip));
	else
		hl_ip_canonical(ip);
}

int hl_store_set_last_reserved(struct hl_store *st, int idx, const struct cni_ip *ip,
			       struct cni_error *err)
{
	char name[64], text[CNI_IP_STRLEN];
	int rc;

	snprintf(name, sizeof(name), HL_LAST_RESERVED_PREFIX "%d", idx);
	hl_ip_name(ip, text);
	rc = hl_overwrite_file_at(st->dirfd, name, 0644, text, strlen(text));
	if (rc < 0)
		return cni_err_errno(err, CNI_ERR_IO, -rc, "cannot write %s/%s", st->path, name);
	st->changed = true;
	return 0;
}

/* ---- scanning ---- */

static bool is_own_file(const char *name)
{
	return strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
	       strncmp(name, HL_TEMP_PREFIX, strlen(HL_TEMP_PREFIX)) == 0 ||
	       strcmp(name, HL_LOCK_FILE) == 0 || strcmp(name, HL_INDEX_DIR) == 0 ||
	       strncmp(name, HL_LAST_RESERVED_PREFIX, strlen(HL_LAST_RESERVED_PREFIX)) == 0;
}

void hl_holdings_free(struct hl_holdings *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->v[i].id);
		free(h->v[i].ifname);
	}
	free(h->v);
	h->v = NULL;
	h->n = 0;
}

/* Append a copy of one address file's owner to arr (an array of struct hl_holding). */
static int push_holding(struct cni_array *arr, const struct cni_ip *ip, const struct hl_owner *o,
			struct cni_error *err)
{
	struct hl_holding *h = CNI_ARRAY_PUSH(arr, struct hl_holding, 0, "address files", err);

	if (!h)
		return -err->errnum;
	h->ip = *ip;
	h->id = strdup(o->id);
	h->ifname = o->ifname ? strdup(o->ifname) : NULL;
	if (!h->id || (o->ifname && !h->ifname))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	return 0;
}

/* Classify one directory entry; 1 when it is an address file with a readable owner. */
static int read_entry(struct hl_store *st, const struct dirent *de, struct cni_ip *ip,
		      struct hl_owner *owner)
{
	int rc;

	if (is_own_file(de->d_name))
		return 0;
	if ((de->d_type != DT_REG && de->d_type != DT_UNKNOWN) ||
	    hl_parse_ip_name(de->d_name, ip) < 0) {
		fprintf(stderr, "host-local: %s/%s: not an address file, ignored\n", st->path,
			de->d_name);
		return 0;
	}
	rc = hl_store_read_owner(st, de->d_name, owner);
	if (rc == -ENOENT)
		return 0;
	if (rc < 0) {
		fprintf(stderr, "host-local: %s/%s: %s, ignored\n", st->path, de->d_name,
			rc == -EINVAL ? "no container ID in it" : strerror(-rc));
		return 0;
	}
	return 1;
}

/* Every address file of the directory d into arr. */
static int scan_dir(struct hl_store *st, DIR *d, struct cni_array *arr, struct cni_error *err)
{
	struct dirent *de;
	int rc;

	while ((errno = 0, de = readdir(d))) {
		struct hl_owner owner;
		struct cni_ip ip;

		if (read_entry(st, de, &ip, &owner) == 1 &&
		    (rc = push_holding(arr, &ip, &owner, err)) < 0)
			return rc;
	}
	if (errno)
		return cni_err_errno(err, CNI_ERR_IO, errno, "cannot read %s", st->path);
	return 0;
}

int hl_store_scan(struct hl_store *st, struct hl_holdings *out, struct cni_error *err)
{
	cleanup_dir DIR *d = cni_dir_stream(st->dirfd);
	struct cni_array arr = CNI_ARRAY_INIT;
	int rc;

	*out = (struct hl_holdings){NULL, 0};
	if (!d)
		return cni_err_errno(err, CNI_ERR_IO, errno, "cannot read %s", st->path);
	rc = scan_dir(st, d, &arr, err);
	*out = (struct hl_holdings){arr.v, arr.n};
	if (rc < 0)
		hl_holdings_free(out);
	return rc;
}

/* ---- reclaiming what killed calls left ---- */

/* An entry no call is writing (the caller holds the lock) that holds nothing:
 * a temp file of hl_create_whole_at, or an empty address file (a killed ADD
 * of a binary that creates the file and then writes it, as the reference does). */
static bool leftover(int dirfd, const char *name)
{
	struct cni_ip ip;
	struct stat s;

	if (strncmp(name, HL_TEMP_PREFIX, strlen(HL_TEMP_PREFIX)) == 0)
		return true;
	if (hl_parse_ip_name(name, &ip) < 0 || fstatat(dirfd, name, &s, AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	return S_ISREG(s.st_mode) && s.st_size == 0;
}

int hl_store_reclaim(struct hl_store *st, struct cni_error *err)
{
	cleanup_dir DIR *d = cni_dir_stream(st->dirfd);
	struct dirent *de;

	if (!d)
		return cni_err_errno(err, CNI_ERR_IO, errno, "cannot read %s", st->path);
	while ((errno = 0, de = readdir(d))) {
		if (!leftover(st->dirfd, de->d_name))
			continue;
		if (unlinkat(st->dirfd, de->d_name, 0) < 0 && errno != ENOENT)
			return cni_err_errno(err, CNI_ERR_IO, errno, "cannot remove %s/%s",
					     st->path, de->d_name);
		fprintf(stderr, "host-local: %s/%s: left by a killed call, removed\n", st->path,
			de->d_name);
		st->changed = true;
	}
	if (errno)
		return cni_err_errno(err, CNI_ERR_IO, errno, "cannot read %s", st->path);
	return 0;
}
