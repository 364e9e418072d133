/* IPv4/IPv6 addresses and prefixes, parsed once and compared as bytes. */
#ifndef CNI_IP_H
#define CNI_IP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define CNI_IP_STRLEN	  46 /* INET6_ADDRSTRLEN */
#define CNI_PREFIX_STRLEN 50 /* address + "/128" */

struct cni_ip {
	int family;	  /* AF_INET or AF_INET6; 0 = unset */
	uint8_t addr[16]; /* network order; IPv4 uses the first 4 bytes */
};

struct cni_prefix {
	struct cni_ip ip;
	int len;
};

static inline int cni_ip_bytes(const struct cni_ip *ip)
{
	return ip->family == AF_INET ? 4 : 16;
}

/* Parse "10.0.0.1" / "fd00::1". Returns 0, or -EINVAL if malformed. */
int cni_ip_parse(const char *s, struct cni_ip *out);
/* Parse "10.0.0.5/24". The address keeps its host bits. */
int cni_prefix_parse(const char *s, struct cni_prefix *out);
void cni_ip_format(const struct cni_ip *ip, char buf[CNI_IP_STRLEN]);
void cni_prefix_format(const struct cni_prefix *p, char buf[CNI_PREFIX_STRLEN]);

bool cni_ip_equal(const struct cni_ip *a, const struct cni_ip *b);
/* memcmp order within one family; families compare v4 < v6. */
int cni_ip_cmp(const struct cni_ip *a, const struct cni_ip *b);
/* Network address of a prefix (host bits cleared). */
struct cni_prefix cni_prefix_network(const struct cni_prefix *p);
bool cni_prefix_contains(const struct cni_prefix *net, const struct cni_ip *ip);
/* Add a signed delta to an address (wraps within the family's width). */
struct cni_ip cni_ip_add(const struct cni_ip *ip, int64_t delta);
/* Last address of the prefix (the IPv4 broadcast address). */
struct cni_ip cni_prefix_last(const struct cni_prefix *p);
bool cni_ip_is_multicast(const struct cni_ip *ip);
bool cni_ip_is_unspecified(const struct cni_ip *ip);

#endif
