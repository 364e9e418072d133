/* Checks on names that come from the runtime or the config. Each returns 0, or -EINVAL with err
 * set. */
#ifndef CNI_VALIDATE_H
#define CNI_VALIDATE_H

#include "error.h"

int cni_validate_container_id(const char *id, struct cni_error *err);
/* Linux interface name: 1..15 bytes, no '/', no whitespace, not "." or "..". */
/* The kernel's rule for interface names (1-15 printable bytes, no '/', ':' or
 * whitespace, not "." or ".."), the one rule of the suite; a bad name fails
 * with the given code (lib/netlink: 7 for a name a config led to). */
int cni_check_ifname(const char *name, int code, struct cni_error *err);
/* CNI_IFNAME and names from the runtime: code 4. */
int cni_validate_ifname(const char *name, struct cni_error *err);
int cni_validate_netns_path(const char *path, struct cni_error *err);
/* Network name: used as a directory name by IPAM, so no '/', no "..", not empty. */
int cni_validate_network_name(const char *name, struct cni_error *err);
/* Plugin type: a file name on CNI_PATH, so no '/' and not "."/"..". */
int cni_validate_plugin_type(const char *type, struct cni_error *err);

#endif
