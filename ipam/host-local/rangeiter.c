/* Ranges, range sets and the walk over them. The order is the reference's: round robin,
 * starting after last_reserved_ip.<N> (or at the first range's start when that address is
 * not in the set any more), moving to the next range's start after a range's end and
 * wrapping around. The reference skips only the gateway; we also skip the network address
 * and the IPv4 broadcast address, which a rangeStart/rangeEnd written out by hand can
 * include. */
#include "rangeiter.h"

#include <stdio.h>

#include "addrname.h"

typedef unsigned __int128 u128;

static u128 ip_value(const struct cni_ip *ip)
{
	u128 v = 0;

	for (int i = 0; i < cni_ip_bytes(ip); i++)
		v = v << 8 | ip->addr[i];
	return v;
}

bool hl_range_contains(const struct hl_range *r, const struct cni_ip *ip)
{
	return ip->family == r->start.family && cni_ip_cmp(ip, &r->start) >= 0 &&
	       cni_ip_cmp(ip, &r->end) <= 0;
}

const struct hl_range *hl_range_for(const struct hl_range_set *set, const struct cni_ip *ip)
{
	for (size_t i = 0; i < set->n; i++)
		if (hl_range_contains(&set->ranges[i], ip))
			return &set->ranges[i];
	return NULL;
}

bool hl_ip_reserved(const struct hl_range *r, const struct cni_ip *ip)
{
	struct cni_ip last = cni_prefix_last(&r->subnet);

	return cni_ip_equal(ip, &r->gateway) || cni_ip_equal(ip, &r->subnet.ip) ||
	       (ip->family == AF_INET && cni_ip_equal(ip, &last));
}

bool hl_ranges_overlap(const struct hl_range *x, const struct hl_range *y)
{
	return x->start.family == y->start.family && cni_ip_cmp(&x->start, &y->end) <= 0 &&
	       cni_ip_cmp(&y->start, &x->end) <= 0;
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
		if (!dup && hl_range_contains(r, reserved[i]))
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

void hl_range_set_usable(const struct hl_range_set *set, char *buf, size_t size)
{
	u128 usable = 0;

	for (size_t i = 0; i < set->n; i++)
		usable += usable_in_range(&set->ranges[i]);
	format_u128(usable, buf, size);
}

void hl_range_iter_next(struct hl_range_iter *it)
{
	const struct hl_range *r = &it->set->ranges[it->range];

	if (!cni_ip_equal(&it->ip, &r->end)) {
		it->ip = cni_ip_add(&it->ip, 1);
		return;
	}
	it->range = (it->range + 1) % it->set->n;
	it->ip = it->set->ranges[it->range].start;
}

struct hl_range_iter hl_range_iter_start(const struct hl_range_set *set, const struct cni_ip *last)
{
	struct hl_range_iter it = {.set = set, .range = 0, .ip = set->ranges[0].start};

	for (size_t i = 0; last->family && i < set->n; i++) {
		if (!hl_range_contains(&set->ranges[i], last))
			continue;
		it.range = i;
		it.ip = *last;
		hl_range_iter_next(&it);
		break;
	}
	return it;
}

bool hl_range_iter_same(const struct hl_range_iter *a, const struct hl_range_iter *b)
{
	return a->range == b->range && cni_ip_equal(&a->ip, &b->ip);
}
