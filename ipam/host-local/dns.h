/* ipam.resolvConf: the result's dns. */
#ifndef HOSTLOCAL_DNS_H
#define HOSTLOCAL_DNS_H

#include <cjson/cJSON.h>

#include "cni/error.h"

/* A resolv.conf larger than this is not one (glibc reads a few lines of it). */
#define HL_RESOLV_CONF_MAX (64u << 10)

/* The result's dns from a resolv.conf file, parsed as the reference does.
 * The config names the file and the plugin runs as root, so only a regular
 * file is read, not through a symbolic link anywhere on its path, up to
 * HL_RESOLV_CONF_MAX bytes: anything else (a device, a FIFO, a link, a
 * directory, a larger file) is code 7; a file that cannot be read is code 5. */
int hl_dns_load(const char *path, cJSON **out, struct cni_error *err);

#endif
