/* The (containerID, ifname) -> addresses index; its design is described in index.c. */
#ifndef HOSTLOCAL_INDEX_H
#define HOSTLOCAL_INDEX_H

#include "store.h"

/* Under the lock: open the index, and rebuild it by one scan when the network directory
 * changed behind it. When the index cannot be kept (read-only or foreign-owned
 * directory), lookups fall back to scanning, which is slower but still correct. */
int hl_index_sync(struct hl_store *st, struct cni_error *err);

/* The addresses held by (id, ifname), ifname NULL for legacy files that hold the container
 * ID alone. Every answer from the index is checked against the address files; a mismatch
 * means the index is stale and it is rebuilt. At most `max` addresses are returned. */
int hl_index_lookup(struct hl_store *st, const char *id, const char *ifname, struct cni_ip *ips,
		    size_t max, size_t *n, struct cni_error *err);

/* Record that (id, ifname) now holds exactly these addresses (n = 0: nothing). Call after
 * the address files changed. Index trouble never fails the caller: the index is dropped
 * and rebuilt next time. */
void hl_index_put(struct hl_store *st, const char *id, const char *ifname, const struct cni_ip *ips,
		  size_t n);

/* Replace the whole index with these holdings (after GC's scan). */
void hl_index_rebuild(struct hl_store *st, const struct hl_holdings *h);

/* After our changes to the network directory: stamp the index as matching it. */
void hl_index_commit(struct hl_store *st);

#endif
