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

#include "cni/error.h"
#include "cni/ip.h"

#define HL_LOCK_FILE		"lock"
#define HL_LAST_RESERVED_PREFIX "last_reserved_ip."
#define HL_INDEX_DIR		".krafty-index"

struct hl_store {
	char *path;    /* <dataDir>/<network> */
	int dirfd;     /* the network directory */
	int lockfd;    /* holds the flock while open */
	int idxfd;     /* the index directory, -1 when it cannot be used */
	bool index_ok; /* the index matches the directory: lookups may trust it */
	bool changed;  /* we created or removed entries since the index was last stamped */
};

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
/* Does the owner equal (id, ifname)? ifname NULL asks for a legacy owner. */
bool hl_owner_is(const struct hl_owner *owner, const char *id, const char *ifname);

/* last_reserved_ip.<idx>: family 0 when absent or unreadable. */
void hl_store_last_reserved(struct hl_store *st, int idx, struct cni_ip *ip);
int hl_store_set_last_reserved(struct hl_store *st, int idx, const struct cni_ip *ip,
			       struct cni_error *err);

/* Every address file in the network directory, with its owner. Foreign and corrupt
 * files are skipped with a message on stderr. */
int hl_store_scan(struct hl_store *st, struct hl_holding **out, size_t *n, struct cni_error *err);
void hl_holdings_free(struct hl_holding *h, size_t n);

#endif
