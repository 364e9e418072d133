/* Addresses as the reference host-local names its files: <dataDir>/<network>/<ip>, with
 * <ip> in the text form Go's net.IP.String() gives. Pure: no I/O. */
#ifndef HOSTLOCAL_ADDRNAME_H
#define HOSTLOCAL_ADDRNAME_H

#include <stdbool.h>

#include "cni/ip.h"

/* ::ffff:a.b.c.d */
bool hl_ip_is_v4_mapped(const struct cni_ip *ip);
/* IPv4-mapped IPv6 addresses become IPv4, as the reference canonicalizes them. */
void hl_ip_canonical(struct cni_ip *ip);
/* The file name of an address (Go's text form of the canonical address); "" when unset. */
void hl_ip_name(const struct cni_ip *ip, char buf[CNI_IP_STRLEN]);
/* The address a file name stands for: 0, or -EINVAL when the name is not exactly the
 * name hl_ip_name gives (so "010.1.1.1", "::FFFF:..." or "10.1.1.1/24" are not). */
int hl_parse_ip_name(const char *name, struct cni_ip *ip);

#endif
