/* The network's routing table (VRF mode): claiming it with a marker route,
 * counting its attachments, and releasing it with the last one.
 *
 * Routing table (VRF mode). A network keeps one table, the seed's `vrfTable`
 * (explicit, or FNV-32a of the network name; config.c moves a hash below 256
 * up by 256, and refuses the kernel's reserved 253-255 when given). Every
 * pod's VRF points at it. The seed put the gateway address with its prefix on
 * every pod's bridge, so each bridge added the same connected route
 * (subnet dev krbX) to the one table and the kernel used the first: the second
 * pod could not reach its gateway. Here the gateway address goes on each
 * bridge WITHOUT its prefix route (IFA_F_NOPREFIXROUTE; IPv6 also
 * IFA_F_NODAD: a bridge with one pod behind it needs no duplicate detection),
 * and each pod gets its own /32 (/128) route via its own bridge in the table
 * (proto krafty). The gateway's local route is appended per bridge by the
 * kernel, so every pod reaches its gateway, however many there are. The
 * same holds with "vrf": false, in the main table.
 *
 * Claiming the table, at O(1) per call: krafty owns a table through a marker,
 *   unreachable default metric 4278198272 proto 75 (per address family)
 * which is also the usual VRF catch-all, so lookups that miss do not leak out
 * of the VRF. When the marker is there, the table is ours (one filtered route
 * look-up). When it is missing, the table's routes are listed once (a dump
 * filtered by table): routes of proto krafty and kernel routes on krafty
 * devices are ours; anything else means another user, and ADD fails with
 * code 103 (choose another vrfTable). Then the marker is added. Two krafty
 * networks given the same table share it, which works when their subnets
 * differ. Without a VRF there is no table of ours: the main table, no marker.
 *
 * Releasing it with the last attachment and never before. Every attachment
 * of a table is counted, per family, in /run/krafty/table-<T> under a flock
 * of that file: ADD claims the marker and counts itself in one critical
 * section (before it makes anything, so a killed ADD can only leave the count
 * high: the marker stays, which is safe); DEL uncounts itself once it has
 * removed its host route, and the DEL that brings a family's count to zero
 * lists the table once (only then: the cost of a call does not grow with the
 * pods) and deletes the marker if no pod's host route is left in it. An ADD
 * that fails uncounts itself the same way. GC recounts from the table itself,
 * which mends a count left high by a killed ADD. When both counts are zero
 * the file goes, under its own lock (the next ADD makes it anew).
 */
#include "krafty.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/rtnetlink.h>

#include "cni/statefile.h"

static void marker_route(const struct kr_conf *c, int family, struct knl_route *r)
{
	memset(r, 0, sizeof(*r));
	r->dst.ip.family = family;
	r->table = c->table;
	r->metric = KR_MARKER_METRIC;
	r->protocol = KR_RTPROT;
	r->type = RTN_UNREACHABLE;
	r->scope = RT_SCOPE_UNIVERSE;
}

/* A kernel route on a device of ours (the gateway's local route, IPv6
 * link-local and multicast routes of our VRFs and bridges). */
int kr_ifindex_is_krafty(struct knl_sock *sk, int ifindex, struct cni_error *err)
{
	struct knl_link_info info;
	int rc;

	if (ifindex <= 0)
		return 0;
	rc = knl_link_lookup(sk, NULL, ifindex, &info, err);
	if (rc <= 0)
		return rc;
	return strncmp(info.alias, "krafty ", 7) == 0;
}

static int route_is_ours(struct knl_sock *sk, const struct knl_route *r, struct cni_error *err)
{
	if (r->protocol == KR_RTPROT)
		return 1;
	if (r->protocol != RTPROT_KERNEL)
		return 0;
	return kr_ifindex_is_krafty(sk, r->oif, err);
}

/* Code 103 when the table holds a route that is not krafty's. */
static int check_table_free(struct knl_sock *sk, const struct kr_conf *c, int family,
			    struct cni_error *err)
{
	int rc;
	cleanup_free struct knl_route *routes = NULL;
	size_t n = 0;

	if ((rc = knl_route_list_table(sk, family, c->table, &routes, &n, err)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		char desc[192];
		int ours = route_is_ours(sk, &routes[i], err);

		if (ours < 0)
			return -1;
		if (ours)
			continue;
		knl_route_format(&routes[i], desc, sizeof(desc));
		cni_err(err, KR_ERR_TABLE_TAKEN,
			"routing table %u of network %s is in use by something else on this node "
			"(%zu routes, e.g. %s): set another \"vrfTable\"",
			c->table, c->netname, n, desc);
		return cni_err_details(
		    err,
		    "krafty claims a table through the marker route "
		    "\"unreachable default metric %u proto %d\"; table %u has none",
		    KR_MARKER_METRIC, KR_RTPROT, c->table);
	}
	return 0;
}

static int claim_family(struct knl_sock *sk, const struct kr_conf *c, int family, bool *added,
			struct cni_error *err)
{
	struct knl_route marker, found;
	bool existed = false;
	int rc;

	*added = false;
	marker_route(c, family, &marker);
	rc = knl_route_find(sk, &marker, &found, err);
	if (rc < 0)
		return -1;
	/* Someone's own VRF catch-all has the same metric, but not our protocol. */
	if (rc == 1 && found.protocol == KR_RTPROT)
		return 0;
	if ((rc = check_table_free(sk, c, family, err)) < 0)
		return rc;
	if ((rc = knl_route_add(sk, &marker, &existed, err)) < 0)
		return rc;
	*added = !existed;
	return 0;
}

/* ---- the count of attachments ---------------------------------------- */

/* The table's users per family (index 0: IPv4, 1: IPv6), in a file that is
 * also the table's lock. */
struct users {
	int fd;
	long n[2];
	char path[64];
};

static void users_close(struct users *u)
{
	cleanup_closep(&u->fd);
	u->fd = -1;
}

static int fam_slot(int family)
{
	return family == AF_INET6;
}

/* "<IPv4 users> <IPv6 users>\n" */
static int parse_counts(const char *s, long n[2])
{
	char *end;

	for (int i = 0; i < 2; i++) {
		errno = 0;
		n[i] = strtol(s, &end, 10);
		if (errno || end == s || n[i] < 0)
			return -EINVAL;
		s = end;
	}
	return *s == '\n' || !*s ? 0 : -EINVAL;
}

static int users_open(const struct kr_conf *c, struct users *u, struct cni_error *err)
{
	char buf[64] = "";
	ssize_t n;
	int rc;

	u->n[0] = u->n[1] = 0;
	snprintf(u->path, sizeof(u->path), KR_RUN_DIR "/table-%u", (unsigned int)c->table);
	if ((rc = cni_file_lock(u->path, &u->fd, err)) < 0)
		return rc;
	n = RETRY_EINTR(pread(u->fd, buf, sizeof(buf) - 1, 0));
	if (n > 0 && parse_counts(buf, u->n) < 0)
		u->n[0] = u->n[1] = 0; /* unreadable: counted anew from here (GC mends it) */
	return 0;
}

static int users_store(struct users *u, struct cni_error *err)
{
	char buf[64];
	int len = snprintf(buf, sizeof(buf), "%ld %ld\n", u->n[0], u->n[1]);
	int rc;

	if (ftruncate(u->fd, 0) < 0)
		return cni_err_errno(err, CNI_ERR_IO, errno, "store the users of a table");
	if ((rc = cni_write_all(u->fd, buf, (size_t)len)) < 0)
		return cni_err_errno(err, CNI_ERR_IO, -rc, "store the users of a table");
	return 0;
}

/* With u locked: a table nobody uses keeps no file (one per table a node
 * ever had would pile up in /run/krafty); the next user makes it anew
 * (cni_file_lock reopens a file removed while it waited). */
static int users_store_or_remove(struct users *u, struct cni_error *err)
{
	if (u->n[0] || u->n[1])
		return users_store(u, err);
	return cni_file_remove(u->path, err);
}

int kr_table_claim(struct knl_sock *sk, const struct kr_conf *conf, bool counted[KR_MAX_FAMILIES],
		   struct cni_error *err)
{
	_cleanup_(users_close) struct users u = {.fd = -1};
	bool added;
	int rc;

	for (size_t i = 0; i < KR_MAX_FAMILIES; i++)
		counted[i] = false;
	if (!conf->vrf)
		return 0;
	if ((rc = users_open(conf, &u, err)) < 0)
		return rc;
	for (size_t i = 0; i < conf->n_fam; i++) {
		int family = conf->fam[i].subnet.ip.family;

		if ((rc = claim_family(sk, conf, family, &added, err)) < 0)
			return rc;
		u.n[fam_slot(family)]++;
	}
	if ((rc = users_store(&u, err)) < 0)
		return rc;
	for (size_t i = 0; i < conf->n_fam; i++)
		counted[i] = true;
	return 0;
}

/* Pod host routes (proto krafty, unicast: the marker is unreachable) in the table. */
static int pod_routes(struct knl_sock *sk, const struct kr_conf *c, int family,
		      struct cni_error *err)
{
	cleanup_free struct knl_route *routes = NULL;
	size_t n = 0, pods = 0;
	int rc;

	if ((rc = knl_route_list(sk, family, c->table, 0, &routes, &n, err)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		pods += routes[i].protocol == KR_RTPROT;
	return (int)(pods > 1000000 ? 1000000 : pods);
}

/* With u locked: the marker goes when no pod route is left. */
static int release_if_unused(struct knl_sock *sk, const struct kr_conf *c, int family,
			     struct users *u, struct cni_error *err)
{
	struct knl_route marker;
	int pods = pod_routes(sk, c, family, err);

	if (pods < 0)
		return pods;
	u->n[fam_slot(family)] = pods;
	if (pods)
		return 0;
	marker_route(c, family, &marker);
	return knl_route_del(sk, &marker, err);
}

int kr_table_release(struct knl_sock *sk, const struct kr_conf *conf,
		     const bool counted[KR_MAX_FAMILIES], struct cni_error *err)
{
	_cleanup_(users_close) struct users u = {.fd = -1};
	int rc;

	if (!conf->vrf)
		return 0;
	if ((rc = users_open(conf, &u, err)) < 0)
		return rc;
	for (size_t i = 0; i < conf->n_fam; i++) {
		int family = conf->fam[i].subnet.ip.family;
		long *n = &u.n[fam_slot(family)];

		if (!counted[i])
			continue;
		if (*n > 0)
			(*n)--;
		if (*n == 0 && (rc = release_if_unused(sk, conf, family, &u, err)) < 0)
			return rc;
	}
	return users_store_or_remove(&u, err);
}

int kr_table_recount(struct knl_sock *sk, const struct kr_conf *conf, struct cni_error *err)
{
	_cleanup_(users_close) struct users u = {.fd = -1};
	int rc;

	if (!conf->vrf)
		return 0;
	if ((rc = users_open(conf, &u, err)) < 0)
		return rc;
	for (size_t i = 0; i < conf->n_fam; i++)
		if ((rc = release_if_unused(sk, conf, conf->fam[i].subnet.ip.family, &u, err)) < 0)
			return rc;
	return users_store_or_remove(&u, err);
}
