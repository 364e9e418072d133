/* Address <-> file name, in the reference's text forms. */
#include "addrname.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

bool hl_ip_is_v4_mapped(const struct cni_ip *ip)
{
	static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	return ip->family == AF_INET6 && memcmp(ip->addr, prefix, sizeof(prefix)) == 0;
}

void hl_ip_canonical(struct cni_ip *ip)
{
	if (!hl_ip_is_v4_mapped(ip))
		return;
	memmove(ip->addr, ip->addr + 12, 4);
	memset(ip->addr + 4, 0, 12);
	ip->family = AF_INET;
}

/* Go prints IPv6 per RFC 5952: the longest run of two or more zero groups (the first one on
 * a tie) becomes "::", groups in lowercase hex. glibc's inet_ntop agrees except that it
 * prints ::a.b.c.d for addresses whose first 96 bits are zero, where Go prints ::a00:1. */
static void format_v6(const uint8_t *a, char *buf)
{
	unsigned g[8];
	int best = -1, best_len = 0;
	char *p = buf;

	for (size_t i = 0; i < 8; i++)
		g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	for (int i = 0; i < 8;) {
		int j = i;

		while (j < 8 && g[j] == 0)
			j++;
		if (j - i > best_len) {
			best = i;
			best_len = j - i;
		}
		i = j > i ? j : i + 1;
	}
	if (best_len < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			p += sprintf(p, "::");
			i += best_len - 1;
			continue;
		}
		if (i > 0 && i != best + best_len)
			*p++ = ':';
		p += sprintf(p, "%x", g[i]);
	}
	*p = '\0';
}

void hl_ip_name(const struct cni_ip *ip, char buf[CNI_IP_STRLEN])
{
	struct cni_ip c = *ip;

	hl_ip_canonical(&c);
	if (c.family == AF_INET)
		inet_ntop(AF_INET, c.addr, buf, CNI_IP_STRLEN);
	else if (c.family == AF_INET6)
		format_v6(c.addr, buf);
	else
		buf[0] = '\0';
}

int hl_parse_ip_name(const char *name, struct cni_ip *ip)
{
	char canon[CNI_IP_STRLEN];
	int rc;

	if ((rc = cni_ip_parse(name, ip)) < 0)
		return rc;
	hl_ip_canonical(ip);
	hl_ip_name(ip, canon);
	return strcmp(canon, name) == 0 ? 0 : -EINVAL;
}
