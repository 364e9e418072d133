/* The index: which addresses an attachment (containerID, ifname) holds, without reading
 * every address file.
 *
 * Why: the reference host-local finds an attachment's addresses (DEL, its duplicate check
 * on ADD, CHECK) by reading every file of the network directory, so each call costs
 * O(pods held). The address files stay the only truth, in the reference's format, so that
 * either binary can take over from the other; the index is a cache that can always be
 * rebuilt from them.
 *
 * Layout, in <dataDir>/<network>/.krafty-index/:
 *   <containerID>:<ifname>   one entry per attachment ("<containerID>:" for legacy files
 *                            that hold the container ID alone); "#<fnv1a-64 hex>" when
 *                            that name would be long. Content:
 *                              krafty-index v1
 *                              <containerID> TAB <ifname> TAB <ip>,<ip>...
 *                            (several lines only when two long keys share a hash name).
 *   stamp                    "krafty-index-stamp v1" and the network directory's
 *                            device, inode and mtime (st_mtim) when the index last
 *                            matched it.
 * The reference walks subdirectories in its release and lookup walks and compares the
 * trimmed content of every file with "<id>\r\n<ifname>" and "<id>"; our files start with
 * a line that has a space in it and container IDs have none, so they never match. Its
 * allocator only creates <ip> and last_reserved_ip.<N> at the top level, which our
 * directory cannot collide with.
 *
 * Staying consistent with a reference binary that writes behind our back: every
 * reservation or release, by either binary, creates or removes an entry of the network
 * directory, which sets the directory's mtime to the current time. All of it happens
 * under the lock. When the stamp differs from the directory (device, inode or mtime),
 * someone else changed it: the index is rebuilt by one scan before it is used.
 *
 * The timestamp granularity: the kernel stamps a change with a clock that ticks every few
 * milliseconds (coarse clock, unless the filesystem has multigrain timestamps), so a
 * change made by the reference within the tick of our last change could leave the mtime
 * exactly as we recorded it. We close that hole by setting, after each of our changes, the
 * directory's mtime ourselves to one nanosecond before the time the kernel gave it
 * (futimens) and recording that value: any later change gets a time at or after the
 * kernel's, never our value, so it is always seen. (On a filesystem with coarser
 * timestamps the value is truncated to one granule before, which works the same.)
 * Remaining limits, documented rather than handled:
 *   - a wall clock stepped backwards could hand a later change exactly our value (the odds
 *     are one in the clock's resolution, per change);
 *   - editing an address file in place (not create/remove), or restoring the directory
 *     with its old mtime (touch -d, tar -p) while leaving the index as it was, is not seen
 *     until a lookup hits the edited file: every index answer is checked against the
 *     address files it names, and a mismatch triggers a rebuild; a lookup that the index
 *     answers with "nothing" cannot be checked that way;
 *   - after a power loss the index may lag the address files (we do not fsync, like the
 *     reference); `rm -rf .krafty-index` forces a rebuild.
 * Setting times needs ownership (or CAP_FOWNER): without it we keep no index and scan.
 *
 * Crash safety: an index entry changes only after the address files changed (which
 * already makes the stamp stale) or after the stamp was removed (rebuild), and the stamp
 * is written last, in place (hl_overwrite_file_at: one small write within one page, so a
 * crash leaves the old stamp, which no longer matches the directory, or the new one); so
 * a crash at any point leaves a stamp that does not match, or one that is right, and the
 * next call rebuilds or trusts the index accordingly.
 */
#include "index.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addrname.h"
#include "cni/cleanup.h"
#include "cni/hash.h"
#include "cni/statefile.h"
#include "cni/validate.h"
#include "fileio.h"
#include "hostlocal.h"
#include "spares.h"

#define STAMP_FILE     "stamp"
#define ENTRY_MAGIC    "krafty-index v1\n"
#define STAMP_MAGIC    "krafty-index-stamp v1\n"
#define ENTRY_MAX      8192 /* an entry file larger than this is corrupt */
#define ENTRY_NAME_MAX 200  /* longer keys get a hashed name (NAME_MAX is 255) */

/* ---- entry names and content ---- */

/* Only keys we could be asked about get an entry: CNI_CONTAINERID and CNI_IFNAME pass the
 * same checks before any lookup, and they keep entry names safe as file names. */
static bool key_indexable(const char *id, const char *ifname)
{
	struct cni_error ignored = CNI_ERROR_INIT;

	return cni_validate_container_id(id, &ignored) == 0 &&
	       (!ifname || cni_validate_ifname(ifname, &ignored) == 0);
}

/* "<id>:<ifname>" (never longer than ENTRY_NAME_MAX), or "#<hash of id and ifname>". */
static void entry_name(const char *id, const char *ifname, char buf[256])
{
	const char *ifn = ifname ? ifname : "";
	size_t idlen = strlen(id), iflen = strlen(ifn);
	char key[512];

	if (idlen + 1 + iflen <= ENTRY_NAME_MAX) {
		// NOLINTNEXTLINE(bugprone-not-null-terminated-result): the NUL comes with ifn
		memcpy(buf, id, idlen);
		buf[idlen] = ':';
		memcpy(buf + idlen + 1, ifn, iflen + 1);
		return;
	}
	/* Keys are validated (ID up to 256, ifname up to 15 bytes): they fit in key. */
	int n = snprintf(key, sizeof(key), "%s\n%s", id, ifn);

	snprintf(buf, 256, "#%016" PRIx64,
		 cni_fnv64a_update(CNI_FNV64A_INIT, key, n > 0 ? (size_t)n : 0));
}

static bool line_is_key(const char *line, const char *id, const char *ifname)
{
	size_t idlen = strlen(id), iflen = ifname ? strlen(ifname) : 0;

	return strncmp(line, id, idlen) == 0 && line[idlen] == '\t' &&
	       strncmp(line + idlen + 1, ifname ? ifname : "", iflen) == 0 &&
	       line[idlen + 1 + iflen] == '\t';
}

/* Parse "<ip>,<ip>..." (the rest of a line). -EINVAL when malformed. */
static int parse_ip_list(const char *s, size_t len, struct cni_ip *ips, size_t max, size_t *n)
{
	*n = 0;
	while (len) {
		const char *comma = memchr(s, ',', len);
		size_t l = comma ? (size_t)(comma - s) : len;
		char buf[CNI_IP_STRLEN];

		if (l == 0 || l >= sizeof(buf) || *n >= max)
			return -EINVAL;
		memcpy(buf, s, l);
		buf[l] = '\0';
		if (hl_parse_ip_name(buf, &ips[(*n)++]) < 0)
			return -EINVAL;
		s += l + (comma ? 1 : 0);
		len -= l + (comma ? 1 : 0);
	}
	return 0;
}

/* Read an entry file: 1 with content, 0 absent, -errno unreadable (-EINVAL corrupt). */
static int read_entry(struct hl_store *st, const char *name, char *buf, size_t cap)
{
	ssize_t n = hl_read_small_at(st->idxfd, name, buf, cap);

	if (n == -ENOENT)
		return 0;
	if (n < 0)
		return (int)n;
	if (strncmp(buf, ENTRY_MAGIC, strlen(ENTRY_MAGIC)) != 0 || buf[n - 1] != '\n')
		return -EINVAL;
	return 1;
}

/* The addresses of key in an entry's content: 1 found, 0 not there, -EINVAL corrupt. */
static int entry_find(const char *content, const char *id, const char *ifname, struct cni_ip *ips,
		      size_t max, size_t *n)
{
	const char *line = content + strlen(ENTRY_MAGIC);

	*n = 0;
	for (const char *end; *line; line = end + 1) {
		if (!(end = strchr(line, '\n')))
			return -EINVAL;
		if (!line_is_key(line, id, ifname))
			continue;
		const char *list = line + strlen(id) + 2 + (ifname ? strlen(ifname) : 0);
		int rc = parse_ip_list(list, (size_t)(end - list), ips, max, n);

		return rc < 0 ? rc : 1;
	}
	return 0;
}

/* Append the key's line to buf; -ENOSPC when it does not fit. */
static int append_line(char *buf, size_t cap, size_t *len, const char *id, const char *ifname,
		       const struct cni_ip *ips, size_t n)
{
	int w = snprintf(buf + *len, cap - *len, "%s\t%s\t", id, ifname ? ifname : "");

	if (w < 0 || (size_t)w >= cap - *len)
		return -ENOSPC;
	*len += (size_t)w;
	for (size_t i = 0; i < n; i++) {
		char a[CNI_IP_STRLEN];

		hl_ip_name(&ips[i], a);
		w = snprintf(buf + *len, cap - *len, "%s%s", i ? "," : "", a);
		if (w < 0 || (size_t)w >= cap - *len)
			return -ENOSPC;
		*len += (size_t)w;
	}
	if (*len + 1 >= cap)
		return -ENOSPC;
	buf[(*len)++] = '\n';
	buf[*len] = '\0';
	return 0;
}

/* ---- the stamp ---- */

static void drop_stamp(struct hl_store *st)
{
	if (st->idxfd >= 0)
		unlinkat(st->idxfd, STAMP_FILE, 0);
	st->index_ok = false;
}

static void format_stamp(const struct stat *s, char *buf, size_t size)
{
	snprintf(buf, size, STAMP_MAGIC "%ju %ju %lld %ld\n", (uintmax_t)s->st_dev,
		 (uintmax_t)s->st_ino, (long long)s->st_mtim.tv_sec, (long)s->st_mtim.tv_nsec);
}

/* The stamp's first lines are the directory's; its last says how many spare files
 * there are (spares.c). */
static bool stamp_matches(struct hl_store *st)
{
	char want[128], have[128];
	struct stat s;
	size_t n;

	if (fstat(st->dirfd, &s) < 0 ||
	    hl_read_small_at(st->idxfd, STAMP_FILE, have, sizeof(have)) < 0)
		return false;
	format_stamp(&s, want, sizeof(want));
	n = strlen(want);
	if (strncmp(want, have, n) != 0)
		return false;
	st->spares = hl_spare_count_parse(have + n);
	return true;
}

/* Set the directory's mtime to one nanosecond before the kernel's own time (a value no
 * later change can produce) and record the value the filesystem kept (it may truncate
 * to its granularity). */
static int stamp_directory(struct hl_store *st)
{
	struct timespec times[2] = {{.tv_nsec = UTIME_OMIT}, {0}};
	char stamp[160];
	struct stat s;
	size_t n;

	if (fstat(st->dirfd, &s) < 0)
		return -errno;
	times[1] = s.st_mtim;
	if (times[1].tv_nsec > 0) {
		times[1].tv_nsec--;
	} else {
		times[1].tv_sec--;
		times[1].tv_nsec = 999999999;
	}
	if (futimens(st->dirfd, times) < 0 || fstat(st->dirfd, &s) < 0)
		return -errno;
	format_stamp(&s, stamp, sizeof(stamp));
	n = strlen(stamp);
	snprintf(stamp + n, sizeof(stamp) - n, "spares %u\n", st->spares);
	return hl_overwrite_file_at(st->idxfd, STAMP_FILE, 0644, stamp, strlen(stamp));
}

void hl_index_commit(struct hl_store *st)
{
	if (st->idxfd < 0 || !st->index_ok)
		return;
	if (stamp_directory(st) < 0)
		drop_stamp(st);
	else
		st->changed = false;
}

/* ---- rebuilding ---- */

struct named {
	char name[256];
	const struct hl_holding *h;
};

static int cmp_str_or_null(const char *a, const char *b)
{
	if (!a || !b)
		return !a - !b;
	return strcmp(a, b);
}

static int cmp_named(const void *pa, const void *pb)
{
	const struct named *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);

	if (!c)
		c = strcmp(a->h->id, b->h->id);
	if (!c)
		c = cmp_str_or_null(a->h->ifname, b->h->ifname);
	return c;
}

static bool same_key(const struct hl_holding *a, const struct hl_holding *b)
{
	return strcmp(a->id, b->id) == 0 && cmp_str_or_null(a->ifname, b->ifname) == 0;
}

static int cmp_name_only(const void *key, const void *elem)
{
	return strcmp(key, ((const struct named *)elem)->name);
}

/* Remove the entries of keys that hold nothing any more (v is sorted by name). */
static int remove_stale(struct hl_store *st, const struct named *v, size_t m)
{
	cleanup_dir DIR *d = cni_dir_stream(st->idxfd);
	struct dirent *de;
	int rc = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    (m && bsearch(de->d_name, v, m, sizeof(*v), cmp_name_only)))
			continue;
		if (unlinkat(st->idxfd, de->d_name, 0) < 0 && errno != ENOENT)
			rc = -errno;
	}
	return rc;
}

/* Rebuilds mostly find the entries right already: rewrite only those that differ. */
static int write_if_changed(struct hl_store *st, const char *name, const char *buf, size_t len)
{
	char old[ENTRY_MAX];
	ssize_t n = hl_read_small_at(st->idxfd, name, old, sizeof(old));

	if (n == (ssize_t)len && memcmp(old, buf, len) == 0)
		return 0;
	return hl_write_file_at(st->idxfd, name, O_CREAT | O_TRUNC, 0644, buf, len);
}

/* Write the entry for the run v[i..] that shares v[i].name; returns the run's end, and
 * sets *rc to a negative errno when the entry could not be written. */
static size_t write_entry_run(struct hl_store *st, const struct named *v, size_t i, size_t n,
			      int *rc)
{
	char buf[ENTRY_MAX];
	size_t len = strlen(ENTRY_MAGIC);
	int r;

	memcpy(buf, ENTRY_MAGIC, len + 1);
	while (i < n) {
		struct cni_ip ips[HL_MAX_HELD];
		size_t k = 0, j = i;

		for (; j < n && strcmp(v[j].name, v[i].name) == 0 && same_key(v[j].h, v[i].h); j++)
			if (k < HL_MAX_HELD)
				ips[k++] = v[j].h->ip;
		r = append_line(buf, sizeof(buf), &len, v[i].h->id, v[i].h->ifname, ips, k);
		if (r < 0)
			*rc = r;
		bool more = j < n && strcmp(v[j].name, v[i].name) == 0;
		const char *name = v[i].name;

		i = j;
		if (!more) {
			if ((r = write_if_changed(st, name, buf, len)) < 0)
				*rc = r;
			break;
		}
	}
	return i;
}

void hl_index_rebuild(struct hl_store *st, const struct hl_holdings *hs)
{
	cleanup_free struct named *v = NULL;
	const struct hl_holding *h = hs->v;
	size_t m = 0;
	int rc = 0;

	if (st->idxfd < 0)
		return;
	drop_stamp(st);
	if (hs->n && !(v = calloc(hs->n, sizeof(*v))))
		return;
	for (size_t i = 0; i < hs->n; i++) {
		if (!key_indexable(h[i].id, h[i].ifname))
			continue;
		entry_name(h[i].id, h[i].ifname, v[m].name);
		v[m++].h = &h[i];
	}
	if (m)
		qsort(v, m, sizeof(*v), cmp_named);
	for (size_t i = 0; i < m && rc == 0;)
		i = write_entry_run(st, v, i, m, &rc);
	st->spares = 0; /* remove_stale removes them */
	if (rc < 0 || remove_stale(st, v, m) < 0)
		return; /* no stamp: the next call tries again */
	st->index_ok = true;
	hl_index_commit(st);
}

/* ---- the operations ---- */

static int can_set_times(int dirfd)
{
	struct stat s;

	return fstat(dirfd, &s) == 0 && (geteuid() == 0 || s.st_uid == geteuid());
}

int hl_index_sync(struct hl_store *st, struct cni_error *err)
{
	cleanup_holdings struct hl_holdings h = {NULL, 0};
	int rc;

	st->index_ok = false;
	if (!can_set_times(st->dirfd) ||
	    (mkdirat(st->dirfd, HL_INDEX_DIR, 0755) < 0 && errno != EEXIST))
		return 0; /* no index: lookups scan */
	st->idxfd =
	    openat(st->dirfd, HL_INDEX_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (st->idxfd < 0)
		return 0;
	if (stamp_matches(st)) {
		st->index_ok = true;
		return 0;
	}
	if ((rc = hl_store_scan(st, &h, err)) < 0)
		return rc;
	hl_index_rebuild(st, &h);
	return 0;
}

static void filter_holdings(const struct hl_holdings *hs, const char *id, const char *ifname,
			    struct cni_ip *ips, size_t max, size_t *n)
{
	const struct hl_holding *h = hs->v;

	*n = 0;
	for (size_t i = 0; i < hs->n && *n < max; i++)
		if (strcmp(h[i].id, id) == 0 && cmp_str_or_null(h[i].ifname, ifname) == 0)
			ips[(*n)++] = h[i].ip;
}

/* The slow path: one scan answers the lookup and, when we keep an index, rebuilds it. */
static int lookup_by_scan(struct hl_store *st, const char *id, const char *ifname,
			  struct cni_ip *ips, size_t max, size_t *n, struct cni_error *err)
{
	cleanup_holdings struct hl_holdings h = {NULL, 0};
	int rc;

	if ((rc = hl_store_scan(st, &h, err)) < 0)
		return rc;
	filter_holdings(&h, id, ifname, ips, max, n);
	if (st->idxfd >= 0)
		hl_index_rebuild(st, &h);
	return 0;
}

/* Every address the index names must still be held by the key. */
static bool entry_verified(struct hl_store *st, const char *id, const char *ifname,
			   const struct cni_ip *ips, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char name[CNI_IP_STRLEN];
		struct hl_owner owner;

		hl_ip_name(&ips[i], name);
		if (hl_store_read_owner(st, name, &owner) < 0 || !hl_owner_is(&owner, id, ifname))
			return false;
	}
	return true;
}

int hl_index_lookup(struct hl_store *st, const char *id, const char *ifname, struct cni_ip *ips,
		    size_t max, size_t *n, struct cni_error *err)
{
	char name[256], buf[ENTRY_MAX];
	int rc;

	*n = 0;
	if (!st->index_ok || !key_indexable(id, ifname))
		return lookup_by_scan(st, id, ifname, ips, max, n, err);
	entry_name(id, ifname, name);
	rc = read_entry(st, name, buf, sizeof(buf));
	if (rc == 0)
		return 0;
	if (rc > 0)
		rc = entry_find(buf, id, ifname, ips, max, n);
	if (rc == 0 || (rc > 0 && entry_verified(st, id, ifname, ips, *n)))
		return 0;
	return lookup_by_scan(st, id, ifname, ips, max, n, err);
}

/* The new content of an entry file: the lines of other keys that share its name (hash
 * collisions) and, unless n is 0, the key's own line. -EINVAL when old is corrupt,
 * -ENOSPC when the content does not fit. */
static int entry_replace(const char *old, const char *id, const char *ifname,
			 const struct cni_ip *ips, size_t n, char *buf, size_t cap, size_t *len)
{
	*len = strlen(ENTRY_MAGIC);
	memcpy(buf, ENTRY_MAGIC, *len + 1);
	for (const char *line = old ? old + *len : "", *end; *line; line = end + 1) {
		size_t l;

		if (!(end = strchr(line, '\n')))
			return -EINVAL;
		l = (size_t)(end - line) + 1;
		if (line_is_key(line, id, ifname))
			continue;
		if (*len + l + 1 > cap)
			return -ENOSPC;
		memcpy(buf + *len, line, l);
		*len += l;
		buf[*len] = '\0';
	}
	return n ? append_line(buf, cap, len, id, ifname, ips, n) : 0;
}

/* A new entry is a spare file renamed into place; an entry with no line left goes
 * back to the spares (or is removed). */
static int write_entry(struct hl_store *st, const char *name, bool exists, const char *buf,
		       size_t len)
{
	if (len <= strlen(ENTRY_MAGIC))
		return hl_spare_release(st, st->idxfd, name);
	if (!exists && hl_spare_place(st, st->idxfd, name, buf, len) == 0)
		return 0;
	return hl_write_file_at(st->idxfd, name, O_CREAT | O_TRUNC, 0644, buf, len);
}

void hl_index_put(struct hl_store *st, const char *id, const char *ifname, const struct cni_ip *ips,
		  size_t n)
{
	char name[256], old[ENTRY_MAX], buf[ENTRY_MAX];
	bool exists;
	size_t len;
	int rc;

	if (!st->index_ok || !key_indexable(id, ifname))
		return;
	entry_name(id, ifname, name);
	rc = read_entry(st, name, old, sizeof(old));
	exists = rc > 0;
	if (rc >= 0)
		rc = entry_replace(exists ? old : NULL, id, ifname, ips, n, buf, sizeof(buf), &len);
	if (rc >= 0)
		rc = write_entry(st, name, exists, buf, len);
	if (rc < 0)
		drop_stamp(st); /* the next call rebuilds */
}
