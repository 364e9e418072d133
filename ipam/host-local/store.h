/* The on-disk store, laid out as the reference host-local lays it out, so that either
 * binary can take over a node's state from the other:
 *   <dataDir>/<network>/<ip>                 "<containerID>\r\n<ifname>" (legacy: "<containerID>")
 *   <dataDir>/<network>/last_reserved_ip.<N> the last address reserved in range set N
 *   <dataDir>/<network>/lock                 flock(LOCK_EX) around every change
 * plus our index in <dataDir>/<network>/.krafty-index/ (see index.c). */
#ifndef HOSTLOCAL_STORE_H
#define HOSTLOCAL_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "cni/cleanup.h"
#include "cni/error.h"
#include "cni/ip.h"

#define HL_LOCK_FILE		"lock"
#define HL_LAST_RESERVED_PREFIX "last_reserved_ip."
#define HL_INDEX_DIR		".krafty-index"

struct hl_store {
	char *path;	     /* <dataDir>/<network> */
	int dirfd;	     /* the network directory */
	int lockfd;	     /* holds the flock while open */
	int idxfd;	     /* the index directory, -1 when it cannot be used */
	bool index_ok;	     /* the index matches the directory: lookups may trust it */
	bool changed;	     /* we created or removed entries since the index was last stamped */
	unsigned int spares; /* spare files in the index directory (spares.c), while index_ok */
};

/* A closed store: what hl_store_close leaves, safe to close again. */
#define HL_STORE_INIT                                                                              \
	{                                                                                          \
		.dirfd = -1, .lockfd = -1, .idxfd = -1                                             \
	}

/* The owner recorded in an address file: "<id>\r\n<ifname>", or the legacy "<id>" alone
 * (ifname NULL). Pointers point into buf. */
struct hl_owner {
	char buf[1024];
	const char *id;
	const char *ifname;
};

/* One address file as found on disk. */
struct hl_holding {
	struct cni_ip ip;
	char *id;
	char *ifname; /* NULL: a legacy file holding the container ID alone */
};

/* Every address file of a network directory. */
struct hl_holdings {
	struct hl_holding *v;
	size_t n;
};

/* Open <dataDir>/<network> and take its lock. With create, make the directories as the
 * reference does (mode 0755); without, a missing directory sets *missing and returns 0. */
int hl_store_open(struct hl_store *st, const char *data_dir, const char *name, bool create,
		  bool *missing, struct cni_error *err);
void hl_store_close(struct hl_store *st);

/* Create the address file for the owner, exclusively. *taken: someone holds it already. */
int hl_store_reserve(struct hl_store *st, const struct cni_ip *ip, const char *id,
		     const char *ifname, bool *taken, struct cni_error *err);
/* Remove an address file (already gone is fine). */
int hl_store_release(struct hl_store *st, const struct cni_ip *ip, struct cni_error *err);
/* Read and parse the owner of an address file: 0, -ENOENT, or -EINVAL when corrupt. */
int hl_store_read_owner(struct hl_store *st, const char *name, struct hl_owner *owner);
/* Parse the first len bytes of owner->buf (NUL-terminated there) as an address file's
 * content, as the reference compares it: surrounding white space is trimmed, then
 * "<id>\r\n<ifname>" or "<id>", neither part empty nor with white space in it.
 * 0, or -EINVAL when no attachment could own such a file. */
int hl_owner_parse(struct hl_owner *owner, size_t len);
/* Does the owner equal (id, ifname)? ifname NULL asks for a legacy owner. */
bool hl_owner_is(const struct hl_owner *owner, const char *id, const char *ifname);

/* last_reserved_ip.<idx>: family 0 when absent or unreadable. */
void hl_store_last_reserved(struct hl_store *st, int idx, struct cni_ip *ip);
int hl_store_set_last_reserved(struct hl_store *st, int idx, const struct cni_ip *ip,
			       struct cni_error *err);

/* Remove what killed calls left in the network directory (under the lock, so no call is
 * writing): temp files of hl_create_whole_at and empty address files, which hold an
 * address for nobody. Each removal is said on stderr. */
int hl_store_reclaim(struct hl_store *st, struct cni_error *err);

/* Every address file in the network directory, with its owner. Foreign and corrupt
 * files are skipped with a message on stderr. */
int hl_store_scan(struct hl_store *st, struct hl_holdings *out, struct cni_error *err);
void hl_holdings_free(struct hl_holdings *h);

static inline void hl_store_closep(struct hl_store *st)
{
	hl_store_close(st);
}
#define cleanup_store _cleanup_(hl_store_closep)

static inline void hl_holdings_freep(struct hl_holdings *h)
{
	hl_holdings_free(h);
}
#define cleanup_holdings _cleanup_(hl_holdings_freep)

#endif
