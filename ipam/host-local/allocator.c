/* Range sets and the search for a free address, in the reference's order: round robin,
 * starting after last_reserved_ip.<N> (or at the first range's start when that address
 * is not in the set any more), moving to the next range's start after a range's end,
 * wrapping around, and giving up after one full turn. The reference skips only the
 * gateway; we also skip the network address and the IPv4 broadcast address, which a
 * rangeStart/rangeEnd written out by hand can include. */
#include "hostlocal.h"

#include <stdio.h>
#include <string.h>

#include "store.h"

typedef unsigned __int128 u128;

static u128 ip_value(const struct cni_ip *ip)
{
	u128 v = 0;

	for (int i = 0; i < cni_ip_bytes(ip); i++)
		v = v << 8 | ip->addr[i];
	return v;
}

static bool in_range(const struct hl_range *r, const struct cni_ip *ip)
{
	return ip->family == r->start.family && cni_ip_cmp(ip, &r->start) >= 0 &&
	       cni_ip_cmp(ip, &r->end) <= 0;
}

const struct hl_range *hl_range_for(const struct hl_range_set *set, const struct cni_ip *ip)
{
	for (size_t i = 0; i < set->n; i++)
		if (in_range(&set->ranges[i], ip))
			return &set->ranges[i];
	return NULL;
}

bool hl_ip_reserved(const struct hl_range *r, const struct cni_ip *ip)
{
	struct cni_ip last = cni_prefix_last(&r->subnet);

	return cni_ip_equal(ip, &r->gateway) || cni_ip_equal(ip, &r->subnet.ip) ||
	       (ip->family == AF_INET && cni_ip_equal(ip, &last));
}

void hl_range_set_describe(const struct hl_range_set *set, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < set->n && len < size; i++) {
		char a[CNI_IP_STRLEN], b[CNI_IP_STRLEN];
		int w;

		hl_ip_name(&set->ranges[i].start, a);
		hl_ip_name(&set->ranges[i].end, b);
		w = snprintf(buf + len, size - len, "%s%s-%s", i ? "," : "", a, b);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

/* Addresses of the range that can be handed out. */
static u128 usable_in_range(const struct hl_range *r)
{
	struct cni_ip last = cni_prefix_last(&r->subnet);
	const struct cni_ip *reserved[3] = {&r->gateway, &r->subnet.ip, &last};
	u128 n = ip_value(&r->end) - ip_value(&r->start) + 1;

	for (int i = 0; i < 3; i++) {
		bool dup = false;

		if (i == 2 && r->start.family != AF_INET)
			break;
		for (int j = 0; j < i; j++)
			dup |= cni_ip_equal(reserved[i], reserved[j]);
		if (!dup && in_range(r, reserved[i]))
			n--;
	}
	return n;
}

static void format_u128(u128 v, char *buf, size_t size)
{
	char tmp[48];
	int i = sizeof(tmp) - 1;

	tmp[i] = '\0';
	do {
		tmp[--i] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v && i > 0);
	snprintf(buf, size, "%s", tmp + i);
}

static int exhausted(const struct hl_range_set *set, int idx, struct cni_error *err)
{
	char ranges[512], count[48];
	u128 usable = 0;

	for (size_t i = 0; i < set->n; i++)
		usable += usable_in_range(&set->ranges[i]);
	format_u128(usable, count, sizeof(count));
	hl_range_set_describe(set, ranges, sizeof(ranges));
	return cni_err(err, HL_ERR_EXHAUSTED,
		       "no IP addresses available in range set %d (%s): all %s addresses are held",
		       idx, ranges, count);
}

/* A position in the range set: which range, and which address in it. */
struct cursor {
	const struct hl_range_set *set;
	size_t range;
	struct cni_ip ip;
};

static void cursor_next(struct cursor *c)
{
	const struct hl_range *r = &c->set->ranges[c->range];

	if (!cni_ip_equal(&c->ip, &r->end)) {
		c->ip = cni_ip_add(&c->ip, 1);
		return;
	}
	c->range = (c->range + 1) % c->set->n;
	c->ip = c->set->ranges[c->range].start;
}

/* Where the reference starts: right after the last reserved address, if it is still in
 * the set; otherwise at the start of the first range. */
static struct cursor cursor_first(struct hl_store *st, const struct hl_range_set *set, int idx)
{
	struct cursor c = {.set = set, .range = 0, .ip = set->ranges[0].start};
	struct cni_ip last;

	hl_store_last_reserved(st, idx, &last);
	for (size_t i = 0; last.family && i < set->n; i++) {
		if (!in_range(&set->ranges[i], &last))
			continue;
		c.range = i;
		c.ip = last;
		cursor_next(&c);
		break;
	}
	return c;
}

int hl_allocate(struct hl_store *st, const struct hl_range_set *set, int idx, const char *id,
		const char *ifname, struct cni_ip *out, struct cni_error *err)
{
	struct cursor c = cursor_first(st, set, idx);
	struct cursor start = c;

	/* One full turn; a taken address costs one failed exclusive create, as in the reference. */
	do {
		const struct hl_range *r = &set->ranges[c.range];
		bool taken = true;

		if (!hl_ip_reserved(r, &c.ip) &&
		    hl_store_reserve(st, &c.ip, id, ifname, &taken, err) < 0)
			return -1;
		if (!taken) {
			*out = c.ip;
			return 0;
		}
		cursor_next(&c);
	} while (c.range != start.range || !cni_ip_equal(&c.ip, &start.ip));
	return exhausted(set, idx, err);
}
