/* Ranges and range sets: which range holds an address, which addresses are never handed
 * out, and the walk over a range set in the reference's order. Pure: no I/O. */
#ifndef HOSTLOCAL_RANGEITER_H
#define HOSTLOCAL_RANGEITER_H

#include <stdbool.h>
#include <stddef.h>

#include "hostlocal.h"

/* start <= ip <= end, in the range's family. */
bool hl_range_contains(const struct hl_range *r, const struct cni_ip *ip);
/* The range of the set that holds ip, or NULL. */
const struct hl_range *hl_range_for(const struct hl_range_set *set, const struct cni_ip *ip);
/* Gateway, network address and IPv4 broadcast: never handed out. */
bool hl_ip_reserved(const struct hl_range *r, const struct cni_ip *ip);
/* Do the two ranges share an address? */
bool hl_ranges_overlap(const struct hl_range *x, const struct hl_range *y);

/* "start-end,start-end..." (truncated to size). */
void hl_range_set_describe(const struct hl_range_set *set, char *buf, size_t size);
/* How many addresses of the set can be handed out (not reserved), in decimal. */
void hl_range_set_usable(const struct hl_range_set *set, char *buf, size_t size);

/* A position in a range set: which range, and which address in it. */
struct hl_range_iter {
	const struct hl_range_set *set;
	size_t range;
	struct cni_ip ip;
};

/* Where the reference starts a search: right after `last` (the last reserved address) if
 * a range of the set holds it; otherwise (also when last->family is 0) at the start of the
 * first range. */
struct hl_range_iter hl_range_iter_start(const struct hl_range_set *set, const struct cni_ip *last);
/* The next address: the range's next one, after its end the start of the next range, after
 * the last range's end the start of the first (wrap-around). Reserved addresses are
 * visited too; the caller skips them. */
void hl_range_iter_next(struct hl_range_iter *it);
/* Are both at the same position (one full turn from one to the other)? */
bool hl_range_iter_same(const struct hl_range_iter *a, const struct hl_range_iter *b);

#endif
