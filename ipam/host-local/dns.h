/* ipam.resolvConf: the result's dns. */
#ifndef HOSTLOCAL_DNS_H
#define HOSTLOCAL_DNS_H

#include <cjson/cJSON.h>

#include "cni/error.h"

/* The result's dns from a resolv.conf file, parsed as the reference does. */
int hl_dns_load(const char *path, cJSON **out, struct cni_error *err);

#endif
