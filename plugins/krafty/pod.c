/* The pod side: the veth pair, and CNI_IFNAME in the pod's netns with its
 * addresses and routes.
 *
 * The pod end is created directly in the pod netns as CNI_IFNAME, so the
 * node never holds a half-made interface and a name clash in the pod cannot
 * hurt the node (the create fails, nothing is made). Both ends are born under
 * their final names (names.c says why, and how they are ours before they have
 * their alias).
 *
 * A netlink socket belongs to the netns it was opened in: the plugin opens
 * one socket in the pod netns and works through it from the node's netns, so
 * nothing else runs inside the pod.
 *
 * The pod's default route stays in charge. A secondary interface must not
 * take the default route from the pod's primary (eth0, metric 0): every
 * route krafty adds in the pod gets a metric, defaultRouteMetric (1024 by
 * default) for default routes, the kernel's default for others, and when
 * that slot is taken by another route (eth0's, or a second krafty attachment
 * of the pod) krafty moves on to the next metric instead of failing with
 * EEXIST. The pod ends up with one default route per attachment, the primary's
 * first.
 */
#include "krafty.h"

#include <errno.h>
#include <string.h>
#include <linux/if_addr.h>

#define MAX_METRIC_TRIES 256

int kr_pod_open(struct kr_pod *pod, const char *path, struct cni_error *err)
{
	int rc = knl_netns_open(path, &pod->ns_fd, err);

	return rc < 0 ? rc : knl_open_in_netns(pod->ns_fd, &pod->sk, err);
}

void kr_pod_close(struct kr_pod *pod)
{
	knl_close(pod->sk);
	pod->sk = NULL;
	cleanup_closep(&pod->ns_fd);
	pod->ns_fd = -1;
}

/* Whether our pod end already carries an address: the step after the rename
 * that makes an attachment live (kr_pod_add_addrs). 1, 0 or negative. */
static int pod_end_addressed(struct kr_pod *pod, const struct kr_ident *id, struct cni_error *err)
{
	cleanup_free struct knl_addr *addrs = NULL;
	size_t n = 0;
	int rc;

	if ((rc = knl_addr_list(pod->sk, id->ifname, AF_UNSPEC, &addrs, &n, err)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		if (addrs[i].scope == RT_SCOPE_UNIVERSE)
			return 1;
	return 0;
}

/* CNI_IFNAME in the pod before ADD. Someone else's: code 102, untouched.
 * Ours is either a live attachment or a killed ADD's leftover, told apart by
 * what the kernel shows: an ADD gives the pod end its address right after its
 * alias, so a pod end of ours with an address is live (a repeated ADD gets
 * code 102 and changes nothing: the runtime DELs before it tries again), and
 * one without is half-made and made anew. A pod end still in our birth group
 * without an alias, or under an older krafty's temporary name, is always
 * half-made. */
int kr_pod_check_ifname(struct kr_pod *pod, const struct kr_ident *id, struct cni_error *err)
{
	int rc, live;
	struct kr_link l;

	if ((rc = kr_link_probe(pod->sk, id->ifname, id, &l, err)) < 0)
		return rc;
	/* Born ours but not yet aliased: a killed ADD's, made anew. */
	if (l.exists && !l.ours &&
	    kr_pod_end_is_half_made(id, id->ifname, l.info.alias[0] != '\0', l.info.group))
		return knl_link_del(pod->sk, id->ifname, err) < 0 ? -1 : 0;
	if (l.exists && !l.ours)
		return cni_err(
		    err, KR_ERR_IFNAME_EXISTS,
		    "interface %s already exists in the pod's netns: krafty leaves it as it is",
		    id->ifname);
	if (l.exists && (live = pod_end_addressed(pod, id, err)) != 0)
		return live < 0
			   ? live
			   : cni_err(err, KR_ERR_IFNAME_EXISTS,
				     "interface %s is this attachment's, live with its address: a "
				     "repeated ADD leaves it as it is (DEL first to attach anew)",
				     id->ifname);
	if (l.exists && knl_link_del(pod->sk, id->ifname, err) < 0)
		return -1;
	/* A pod end that a killed ADD of an older krafty left under its
	 * temporary name: the name carries our hash, so it is ours. */
	return knl_link_del(pod->sk, id->tmp_peer, err) < 0 ? -1 : 0;
}

/* The pod end (peer: its index in the pod netns, 0 when the kernel did not
 * say): aliased, brought up and out of its birth group in one request. */
static int pod_end(struct kr_pod *pod, const struct kr_ident *id, int peer, struct cni_error *err)
{
	static const uint32_t no_group;
	const struct knl_link_change up = {.up = true, .group = &no_group};
	int rc;

	if (peer <= 0 && (rc = knl_link_index(pod->sk, id->ifname, &peer, err)) < 0)
		return rc;
	/* Named as it is (the kernel keeps a name given again): the socket then
	 * knows the index for the address and routes that follow. */
	return knl_link_adopt(pod->sk, peer, id->ifname, id->alias, &up, err);
}

/* The pair is born under its final names, the pod end in our birth group
 * (names.c), with MACs of ours (macs: host end, pod end; the result reports
 * them without a look-up). The host end's name: the seed's, else the
 * collision-free one; the create decides, as a rename would. A leftover of
 * ours under a name (a killed ADD's pair whose pod end is not in this pod:
 * when it is, kr_pod_check_ifname has deleted it, and the pair with it)
 * gives way. */
static int veth_pair(struct knl_sock *sk, struct kr_pod *pod, const struct kr_conf *conf,
		     const struct kr_ident *id, const struct knl_mac macs[2],
		     char host[KNL_IFNAMSIZ], struct cni_error *err)
{
	struct knl_veth v = {.peer = id->ifname,
			     .peer_netns_fd = pod->ns_fd,
			     .mtu = conf->mtu,
			     .macs = macs,
			     .peer_group = id->birth_group,
			     .queues = KR_VETH_QUEUES};

	for (int i = 0; i < 2; i++) {
		int rc;

		v.host = id->cand[KR_DEV_VETH][i];
		if ((rc = knl_veth_add(sk, &v, err)) == -EEXIST) {
			int dropped = kr_drop_leftover(sk, id, KR_DEV_VETH, v.host, 0, err);

			if (dropped < 0)
				return dropped;
			if (dropped)
				rc = knl_veth_add(sk, &v, err);
			if (rc == -EEXIST && dropped == 2) /* the name is free: the pod's is not */
				return cni_err(
				    err, KR_ERR_IFNAME_EXISTS,
				    "interface %s appeared in the pod's netns during ADD",
				    id->ifname);
		}
		if (rc == 0)
			snprintf(host, KNL_IFNAMSIZ, "%s", v.host);
		if (rc != -EEXIST)
			return rc;
	}
	return kr_err_names_taken(err, id, KR_DEV_VETH);
}

/* Why the pair is born under its final names: a rename registers the
 * device's sysctl entries anew, a cost that grows with the devices of its
 * netns. It is ours from birth by the pod end's group, and by its alias from
 * the next requests on (names.c). */
int kr_veth_create(struct knl_sock *sk, struct kr_pod *pod, const struct kr_conf *conf,
		   const struct kr_ident *id, const char *bridge, char host[KNL_IFNAMSIZ],
		   struct knl_mac macs[2], bool *created, struct cni_error *err)
{
	struct knl_link_change join = {.up = true};
	struct knl_link_info made;
	int rc;

	*created = false;
	if ((rc = knl_mac_random(&macs[0], err)) < 0 || (rc = knl_mac_random(&macs[1], err)) < 0 ||
	    (rc = knl_link_index(sk, bridge, &join.master, err)) < 0 ||
	    (rc = veth_pair(sk, pod, conf, id, macs, host, err)) < 0)
		return rc;
	*created = true;
	kr_pause_at("after-veth-create");
	/* One look-up gives the host end's index and, in IFLA_LINK, its peer's
	 * in the pod netns. The sysctls go before it is up; then one request
	 * gives the alias, enslaves it and brings it up. The host end is aliased
	 * first: until then its pod end's group is what makes it ours. */
	if ((rc = knl_link_info(sk, host, &made, err)) < 0 ||
	    (rc = kr_port_sysctls(host, err)) < 0 ||
	    (rc = knl_link_adopt(sk, made.index, NULL, id->alias, &join, err)) < 0)
		return rc;
	return pod_end(pod, id, made.link, err);
}

int kr_pod_add_addrs(struct kr_pod *pod, const struct kr_ident *id, const struct cni_prefix *addrs,
		     size_t n, struct cni_error *err)
{
	int rc;
	for (size_t i = 0; i < n; i++) {
		/* One pod per bridge: nothing to detect duplicates against, and
		 * a tentative address would not answer for a second. */
		uint32_t flags = addrs[i].ip.family == AF_INET6 ? IFA_F_NODAD : 0;

		if ((rc = knl_addr_add(pod->sk, id->ifname, &addrs[i], flags, NULL, err)) < 0)
			return rc;
	}
	return 0;
}

int kr_pod_add_route(struct kr_pod *pod, const struct kr_ident *id, const struct cni_prefix *dst,
		     const struct cni_ip *gw, uint32_t metric, struct cni_error *err)
{
	struct knl_route r = {
	    .dst = *dst,
	    .oif_name = id->ifname,
	    .metric = metric,
	    .scope = KNL_SCOPE_AUTO,
	};

	if (gw)
		r.gw = *gw;
	for (int i = 0; i < MAX_METRIC_TRIES; i++, r.metric++) {
		int rc = knl_route_add(pod->sk, &r, NULL, err);

		if (rc != -EEXIST)
			return rc < 0 ? -1 : 0;
	}
	return cni_err_prefix(err, "no free metric from %u to %u", metric, r.metric - 1);
}
