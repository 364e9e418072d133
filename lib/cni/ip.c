#include "ip.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cni_ip_parse(const char *s, struct cni_ip *out)
{
	memset(out, 0, sizeof(*out));
	if (!s)
		return -EINVAL;
	if (inet_pton(AF_INET, s, out->addr) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out->addr) == 1) {
		out->family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

int cni_prefix_parse(const char *s, struct cni_prefix *out)
{
	char buf[CNI_PREFIX_STRLEN + 1];
	const char *slash;
	char *end;
	long len;

	memset(out, 0, sizeof(*out));
	if (!s || !(slash = strchr(s, '/')) || (size_t)(slash - s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, slash - s);
	buf[slash - s] = '\0';
	if (cni_ip_parse(buf, &out->ip) < 0)
		return -EINVAL;
	if (!isdigit((unsigned char)slash[1]))
		return -EINVAL;
	len = strtol(slash + 1, &end, 10);
	if (*end || len < 0 || len > (long)cni_ip_bytes(&out->ip) * 8)
		return -EINVAL;
	out->len = (int)len;
	return 0;
}

void cni_ip_format(const struct cni_ip *ip, char buf[CNI_IP_STRLEN])
{
	if (!ip->family || !inet_ntop(ip->family, ip->addr, buf, CNI_IP_STRLEN))
		buf[0] = '\0';
}

void cni_prefix_format(const struct cni_prefix *p, char buf[CNI_PREFIX_STRLEN])
{
	char ip[CNI_IP_STRLEN];

	cni_ip_format(&p->ip, ip);
	snprintf(buf, CNI_PREFIX_STRLEN, "%s/%d", ip, p->len);
}

bool cni_ip_equal(const struct cni_ip *a, const struct cni_ip *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, cni_ip_bytes(a)) == 0;
}

int cni_ip_cmp(const struct cni_ip *a, const struct cni_ip *b)
{
	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	return memcmp(a->addr, b->addr, cni_ip_bytes(a));
}

struct cni_prefix cni_prefix_network(const struct cni_prefix *p)
{
	struct cni_prefix n = *p;
	int bytes = cni_ip_bytes(&p->ip);

	for (int i = 0; i < bytes; i++) {
		int bits = p->len - i * 8;
		uint8_t mask = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));

		n.ip.addr[i] &= mask;
	}
	return n;
}

bool cni_prefix_contains(const struct cni_prefix *net, const struct cni_ip *ip)
{
	struct cni_prefix a = {.ip = *ip, .len = net->len};
	struct cni_prefix na, nb;

	if (ip->family != net->ip.family)
		return false;
	na = cni_prefix_network(&a);
	nb = cni_prefix_network(net);
	return cni_ip_equal(&na.ip, &nb.ip);
}

struct cni_ip cni_ip_add(const struct cni_ip *ip, int64_t delta)
{
	struct cni_ip r = *ip;
	int bytes = cni_ip_bytes(ip);
	/* Two's complement add over the big-endian byte string. */
	uint64_t d = (uint64_t)delta;
	unsigned carry = 0;

	for (int i = bytes - 1, k = 0; i >= 0; i--, k++) {
		unsigned byte = k < 8 ? (unsigned)((d >> (8 * k)) & 0xff) : (delta < 0 ? 0xff : 0);
		unsigned sum = r.addr[i] + byte + carry;

		r.addr[i] = (uint8_t)sum;
		carry = sum >> 8;
	}
	return r;
}

struct cni_ip cni_prefix_last(const struct cni_prefix *p)
{
	struct cni_prefix n = cni_prefix_network(p);
	int bytes = cni_ip_bytes(&p->ip);

	for (int i = 0; i < bytes; i++) {
		int bits = p->len - i * 8;
		uint8_t mask = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));

		n.ip.addr[i] |= (uint8_t)~mask;
	}
	return n.ip;
}

bool cni_ip_is_multicast(const struct cni_ip *ip)
{
	if (ip->family == AF_INET)
		return (ip->addr[0] & 0xf0) == 0xe0;
	return ip->addr[0] == 0xff;
}

bool cni_ip_is_unspecified(const struct cni_ip *ip)
{
	static const uint8_t zero[16];

	return memcmp(ip->addr, zero, cni_ip_bytes(ip)) == 0;
}
