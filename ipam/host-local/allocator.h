/* The search for a free address of a range set, reserving it in the store. */
#ifndef HOSTLOCAL_ALLOCATOR_H
#define HOSTLOCAL_ALLOCATOR_H

#include "cni/error.h"
#include "hostlocal.h"
#include "store.h"

/* Reserve the next free address of range set `idx` for the owner, round robin from
 * last_reserved_ip.<idx> (see rangeiter.h for the order; reserved addresses are skipped).
 * Code HL_ERR_EXHAUSTED (-EIO) when every address is held. last_reserved_ip.<idx> is left
 * for the caller to write. */
int hl_allocate(struct hl_store *st, const struct hl_range_set *set, int idx, const char *id,
		const char *ifname, struct cni_ip *out, struct cni_error *err);

#endif
