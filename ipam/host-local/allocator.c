/* The search for a free address: one full turn of the range set from where the reference
 * starts (rangeiter.c), trying an exclusive create of each address file that is not
 * reserved, and giving up after the turn. */
#include "allocator.h"

#include "rangeiter.h"

static int exhausted(const struct hl_range_set *set, int idx, struct cni_error *err)
{
	char ranges[512], count[48];

	hl_range_set_usable(set, count, sizeof(count));
	hl_range_set_describe(set, ranges, sizeof(ranges));
	return cni_err(err, HL_ERR_EXHAUSTED,
		       "no IP addresses available in range set %d (%s): all %s addresses are held",
		       idx, ranges, count);
}

int hl_allocate(struct hl_store *st, const struct hl_range_set *set, int idx, const char *id,
		const char *ifname, struct cni_ip *out, struct cni_error *err)
{
	struct cni_ip last;
	struct hl_range_iter it, start;
	int rc;

	hl_store_last_reserved(st, idx, &last);
	it = start = hl_range_iter_start(set, &last);
	/* A taken address costs one failed exclusive create, as in the reference. */
	do {
		bool taken = true;

		if (!hl_ip_reserved(&set->ranges[it.range], &it.ip) &&
		    (rc = hl_store_reserve(st, &it.ip, id, ifname, &taken, err)) < 0)
			return rc;
		if (!taken) {
			*out = it.ip;
			return 0;
		}
		hl_range_iter_next(&it);
	} while (!hl_range_iter_same(&it, &start));
	return exhausted(set, idx, err);
}
