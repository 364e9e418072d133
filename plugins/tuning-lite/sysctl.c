/* Which sysctl keys an attachment may set, and the file each one names.
 *
 * The rules, and why:
 *  - Keys under "net." only: a pod's network namespace has its own /proc/sys/net;
 *    every other sysctl (kernel.*, vm.*, fs.*) is the node's, shared by all pods.
 *  - Dotted keys only. No '/', so a key cannot climb out of /proc/sys/net; no
 *    empty parts (which rules out "..", a leading or trailing dot); parts are
 *    [A-Za-z0-9_-] (every net sysctl name is), except an interface name, which
 *    must then be exactly CNI_IFNAME. No whitespace or control characters
 *    (a NUL anywhere in the config is refused before this: config.c).
 *  - "IFNAME" stands for CNI_IFNAME: like the reference, the first occurrence
 *    in the key is replaced, so configs written for the reference work.
 *  - Per-interface trees (net.ipv4.conf, net.ipv6.conf, net.ipv4.neigh,
 *    net.ipv6.neigh, net.mpls.conf): the part after the tree names a device and
 *    must be CNI_IFNAME. Any other device (lo, eth1) belongs to another
 *    attachment or to nobody: refused, so an attachment changes only its own
 *    interface (the reference accepts net.ipv4.conf.lo.arp_filter).
 *    "all" and "default" are accepted: they are not devices but the
 *    namespace-wide switch (rp_filter and arp_filter take the maximum of "all"
 *    and the device, so a pod cannot relax them without it) and the template
 *    for devices created later.
 *  - Every other net.* key (net.core.somaxconn, net.ipv4.ip_forward,
 *    net.ipv4.ping_group_range) is namespace-wide and allowed: the pod's
 *    namespace is its attachments' to tune. Two attachments of one pod that set
 *    the same namespace-wide key share it; each restores the value it saw first.
 *  - An interface name with dots (eth0.100) is taken whole after the tree, so
 *    "net.ipv4.conf.IFNAME.rp_filter" works for it; paths are built from
 *    parts, never by turning every dot into a slash.
 *  - The key must exist in the netns and be writable: checked there before
 *    anything changes (apply.c).
 */
#include "tuning.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cni/cleanup.h"

#define KEY_MAX	  200
#define MAX_PARTS 16

static const char *const iface_trees[] = {
    "net.ipv4.conf.", "net.ipv6.conf.", "net.ipv4.neigh.", "net.ipv6.neigh.", "net.mpls.conf.",
};

/* key with its first "IFNAME" replaced by ifname (malloc'd), as the reference does. */
static char *substitute_ifname(const char *key, const char *ifname)
{
	const char *at = strstr(key, "IFNAME");
	char *out;

	if (!at)
		return strdup(key);
	if (asprintf(&out, "%.*s%s%s", (int)(at - key), key, ifname, at + strlen("IFNAME")) < 0)
		return NULL;
	return out;
}

static size_t iface_tree_len(const char *key)
{
	for (size_t i = 0; i < sizeof(iface_trees) / sizeof(iface_trees[0]); i++)
		if (strncmp(key, iface_trees[i], strlen(iface_trees[i])) == 0)
			return strlen(iface_trees[i]);
	return 0;
}

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/* Split s in place on dots into parts[*n...]; every part must be a sysctl name. */
static int split_parts(char *s, const char **parts, size_t *n, const char *key,
		       struct cni_error *err)
{
	for (char *p = s;;) {
		char *dot = strchr(p, '.');

		if (dot)
			*dot = '\0';
		if (!*p)
			return cni_err(
			    err, CNI_ERR_INVALID_CONFIG,
			    "sysctl key \"%s\": empty part (no \"..\", leading or trailing dot)",
			    key);
		for (const char *c = p; *c; c++)
			if (!name_char(*c))
				return cni_err(err, CNI_ERR_INVALID_CONFIG,
					       "sysctl key \"%s\": invalid character in \"%s\"",
					       key, p);
		if (*n + 2 > MAX_PARTS)
			return cni_err(err, CNI_ERR_INVALID_CONFIG,
				       "sysctl key \"%s\": too many parts", key);
		parts[(*n)++] = p;
		if (!dot)
			return 0;
		p = dot + 1;
	}
}

static int check_chars(const char *key, const char *resolved, struct cni_error *err)
{
	if (!*key)
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "empty sysctl key");
	if (strlen(resolved) > KEY_MAX)
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "sysctl key \"%.64s...\" is too long",
			       key);
	if (strchr(key, '/'))
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "sysctl key \"%s\": '/' is not allowed (write keys with dots)", key);
	for (const char *c = key; *c; c++)
		if (isspace((unsigned char)*c) || iscntrl((unsigned char)*c))
			return cni_err(err, CNI_ERR_INVALID_CONFIG,
				       "sysctl key \"%s\": whitespace or control character", key);
	if (strncmp(resolved, "net.", 4) != 0)
		return cni_err(
		    err, CNI_ERR_INVALID_CONFIG,
		    "sysctl key \"%s\" is not under net.: only network sysctls belong to the pod",
		    key);
	return 0;
}

/* In a per-interface tree: cut the device part out of rest (CNI_IFNAME taken
 * whole, even with dots) and check it; *after is what follows it. */
static int device_part(char *rest, const char *ifname, const char *key, char **after,
		       struct cni_error *err)
{
	size_t n = strlen(ifname);
	char *dot;

	if (strncmp(rest, ifname, n) == 0 && rest[n] == '.') {
		rest[n] = '\0';
		*after = rest + n + 1;
		return 0;
	}
	dot = strchr(rest, '.');
	if (!dot || dot == rest)
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "sysctl key \"%s\": expected <tree>.<device>.<setting>", key);
	*dot = '\0';
	*after = dot + 1;
	if (strcmp(rest, "all") == 0 || strcmp(rest, "default") == 0)
		return 0;
	return cni_err(
	    err, CNI_ERR_INVALID_CONFIG,
	    "sysctl key \"%s\" names interface \"%s\", not CNI_IFNAME \"%s\" (use IFNAME)", key,
	    rest, ifname);
}

int tl_sysctl_resolve(const char *key, const char *ifname, char **name,
		      char path[KNL_SYSCTL_PATH_MAX], struct cni_error *err)
{
	int rc;
	cleanup_free char *resolved = substitute_ifname(key, ifname);
	cleanup_free char *buf = NULL;
	const char *parts[MAX_PARTS];
	size_t n = 0, tree;
	char *after = NULL;

	*name = NULL;
	if (!resolved || !(buf = strdup(resolved)))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	if ((rc = check_chars(key, resolved, err)) < 0)
		return rc;
	tree = iface_tree_len(buf);
	if (tree) {
		buf[tree - 1] = '\0';
		if ((rc = split_parts(buf, parts, &n, key, err)) < 0 ||
		    (rc = device_part(buf + tree, ifname, key, &after, err)) < 0)
			return rc;
		parts[n++] = buf + tree;
		if (!after || split_parts(after, parts, &n, key, err) < 0)
			return -1;
	} else if (split_parts(buf, parts, &n, key, err) < 0) {
		return -1;
	}
	parts[n] = NULL;
	if (knl_sysctl_path_parts(parts, path, KNL_SYSCTL_PATH_MAX, err) < 0)
		return cni_err_prefix(err, "sysctl key \"%s\"", key);
	*name = steal_ptr(resolved);
	return 0;
}

int tl_sysctl_value_check(const char *key, const char *value, struct cni_error *err)
{
	if (!*value)
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "sysctl \"%s\": empty value", key);
	if (strlen(value) >= TL_VALUE_MAX)
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "sysctl \"%s\": value longer than %d bytes", key, TL_VALUE_MAX - 1);
	/* A newline would end the value early in /proc/sys, and could smuggle a
	 * second line; tabs are fine (multi-value sysctls print them). */
	for (const char *c = value; *c; c++)
		if (iscntrl((unsigned char)*c) && *c != '\t')
			return cni_err(err, CNI_ERR_INVALID_CONFIG,
				       "sysctl \"%s\": value has a newline or control character",
				       key);
	return 0;
}

static const char *skip_space(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

bool tl_sysctl_values_equal(const char *a, const char *b)
{
	a = skip_space(a);
	b = skip_space(b);
	while (*a && *b) {
		if (isspace((unsigned char)*a) && isspace((unsigned char)*b)) {
			a = skip_space(a);
			b = skip_space(b);
			continue;
		}
		if (*a != *b)
			return false;
		a++;
		b++;
	}
	return !*skip_space(a) && !*skip_space(b);
}
