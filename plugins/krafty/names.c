/* Attachment identity and device names.
 *
 * An attachment is (container ID, network name, CNI_IFNAME): a pod may hold
 * two krafty attachments (two ifnames, or two networks), and two containers
 * may share the first 12 characters of their IDs. Its hash h is the 16 hex
 * digits of FNV-64a("<containerID>\0<network name>\0<ifname>").
 *
 * Device names (Linux allows 15 characters):
 *            the seed's name        collision-free name
 *   VRF      krv + ID[0:12]         krv + ID[0:6] + h[0:6]
 *   bridge   krb + ID[0:12]         krb + ID[0:6] + h[0:6]
 *   veth     veth + ID[0:11]        veth + ID[0:5] + h[0:6]
 * and the pod end of the veth is CNI_IFNAME in the pod. A short container ID
 * gives a short name ("c1": krvc1).
 *
 * Ownership: every device krafty creates (pod end included) carries the alias
 * (IFLA_IFALIAS, `ip link show` prints it)
 *   "krafty <h> <network>/<ifname>/<containerID>"
 * cut to 255 bytes: the hash comes first, so a cut never hides whose it is,
 * and an operator reads the attachment from it.
 *
 * The rule:
 *  - ADD, per device: a candidate whose alias hash is ours is reused (an
 *    earlier ADD of this attachment, killed or repeated); else the device is
 *    made under its temporary name and renamed to the seed's name, or to the
 *    collision-free name when the rename finds the seed's taken, else code
 *    104. The rename decides, not an earlier look-up: two ADDs whose seed
 *    names collide may both find it free, and one rename wins.
 *    The veth pair is born under its final names instead (the create
 *    decides as a rename would): a rename registers the device's sysctls
 *    anew, at a cost that grows with the devices of its netns. It is ours
 *    from birth by its pod end's device group, 0x80000000 | 31 bits of h
 *    (the birth group, given in the create request: the kernel applies no
 *    alias there), and by the alias that the next requests give the host
 *    end, then the pod end (which then goes back to group 0). So a pod end
 *    without an alias in our birth group is ours and half-made, and so is a
 *    host veth under one of our names without an alias whose peer is such a
 *    pod end (DEL, a later ADD and GC delete them). Older krafty gave the
 *    pod end the temporary name krt + h[0:12] instead: that counts too.
 *    A candidate found held by a device of ours (a killed ADD's leftover
 *    that this ADD replaces) is deleted and the name retried.
 *    A device that is not ours (another attachment's, or one without our
 *    alias) is never reused, changed or deleted. So the seed's scheme holds
 *    whenever it is unique, and an operator still finds the devices from the
 *    container ID: both forms start with its first characters.
 *  - DEL, CHECK: both candidates are looked up (one RTM_GETLINK each, no
 *    dump) and only the one whose alias hash matches is acted on.
 *  - GC: a link dump (GC is rare), matching aliases of this network against
 *    cni.dev/valid-attachments by hash.
 * IDs are never truncated into a collision: a truncated seed name that is
 * someone else's makes us take the hashed form instead.
 */
#include "krafty.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni/hash.h"

#define ALIAS_TAG     "krafty "
#define ALIAS_TAG_LEN 7
#define HASH_DIGITS   16

uint64_t kr_ident_hash(const char *container_id, const char *netname, const char *ifname)
{
	uint64_t h = CNI_FNV64A_INIT;

	h = cni_fnv64a_update(h, container_id, strlen(container_id) + 1);
	h = cni_fnv64a_update(h, netname, strlen(netname) + 1);
	return cni_fnv64a_update(h, ifname, strlen(ifname));
}

static const char *const prefixes[KR_N_DEVS] = {
    [KR_DEV_VRF] = "krv", [KR_DEV_BRIDGE] = "krb", [KR_DEV_VETH] = "veth"};

/* 15 characters: the prefix, then as much of the ID as fits (seed), or the
 * first 6 (5) characters of the ID and 6 digits of the hash. */
static void candidates(struct kr_ident *id, enum kr_dev dev)
{
	int keep = 15 - (int)strlen(prefixes[dev]);

	snprintf(id->cand[dev][0], KNL_IFNAMSIZ, "%s%.*s", prefixes[dev], keep, id->container_id);
	snprintf(id->cand[dev][1], KNL_IFNAMSIZ, "%s%.*s%.6s", prefixes[dev], keep - 6,
		 id->container_id, id->hex);
}

void kr_ident_init(struct kr_ident *id, const char *container_id, const char *netname,
		   const char *ifname)
{
	memset(id, 0, sizeof(*id));
	id->container_id = container_id;
	id->netname = netname;
	id->ifname = ifname;
	id->hash = kr_ident_hash(container_id, netname, ifname);
	snprintf(id->hex, sizeof(id->hex), "%016" PRIx64, id->hash);
	snprintf(id->alias, sizeof(id->alias), ALIAS_TAG "%s %s/%s/%s", id->hex, netname, ifname,
		 container_id);
	for (int d = 0; d < KR_N_DEVS; d++)
		candidates(id, (enum kr_dev)d);
	id->birth_group = kr_birth_group(id->hash);
	snprintf(id->tmp_peer, sizeof(id->tmp_peer), "krt%.12s", id->hex);
	snprintf(id->tmp[KR_DEV_VRF], KNL_IFNAMSIZ, "ktv%.12s", id->hex);
	snprintf(id->tmp[KR_DEV_BRIDGE], KNL_IFNAMSIZ, "ktb%.12s", id->hex);
	/* A host veth is born under its final name now; "kth" was its temporary
	 * name in older krafty: DEL and GC still delete what such an ADD left. */
	snprintf(id->tmp[KR_DEV_VETH], KNL_IFNAMSIZ, "kth%.12s", id->hex);
}

uint32_t kr_birth_group(uint64_t hash)
{
	return KR_BIRTH_GROUP_TAG | (uint32_t)(hash >> 33);
}

const char *kr_dev_label(enum kr_dev dev)
{
	static const char *const labels[KR_N_DEVS] = {
	    [KR_DEV_VRF] = "VRF", [KR_DEV_BRIDGE] = "bridge", [KR_DEV_VETH] = "host veth"};
	return labels[dev];
}

const char *kr_dev_kind(enum kr_dev dev)
{
	static const char *const kinds[KR_N_DEVS] = {
	    [KR_DEV_VRF] = "vrf", [KR_DEV_BRIDGE] = "bridge", [KR_DEV_VETH] = "veth"};
	return kinds[dev];
}

bool kr_alias_is_ours(const char *alias, const struct kr_ident *id)
{
	return alias && strncmp(alias, ALIAS_TAG, ALIAS_TAG_LEN) == 0 &&
	       strncmp(alias + ALIAS_TAG_LEN, id->hex, HASH_DIGITS) == 0 &&
	       (alias[ALIAS_TAG_LEN + HASH_DIGITS] == ' ' || !alias[ALIAS_TAG_LEN + HASH_DIGITS]);
}

/* "<ifname>/<containerID>" (either may be cut short or missing). */
static void parse_tail(const char *p, struct kr_alias *out)
{
	const char *slash = strchr(p, '/');

	if (!slash || (size_t)(slash - p) >= sizeof(out->ifname))
		return;
	memcpy(out->ifname, p, slash - p);
	snprintf(out->container_id, sizeof(out->container_id), "%s", slash + 1);
}

bool kr_alias_parse(const char *alias, struct kr_alias *out)
{
	const char *p, *slash;
	char hex[HASH_DIGITS + 1], *end;

	memset(out, 0, sizeof(*out));
	if (!alias || strncmp(alias, ALIAS_TAG, ALIAS_TAG_LEN) != 0 ||
	    strlen(alias) < ALIAS_TAG_LEN + HASH_DIGITS + 1 ||
	    alias[ALIAS_TAG_LEN + HASH_DIGITS] != ' ')
		return false;
	memcpy(hex, alias + ALIAS_TAG_LEN, HASH_DIGITS);
	hex[HASH_DIGITS] = '\0';
	/* strtoull alone would take a sign, "0x" or blanks: 16 hex digits only. */
	if (strspn(hex, "0123456789abcdef") != HASH_DIGITS)
		return false;
	out->hash = strtoull(hex, &end, 16);
	if (*end)
		return false;
	p = alias + ALIAS_TAG_LEN + HASH_DIGITS + 1;
	slash = strchr(p, '/');				  /* network names hold no '/' */
	if (!slash && strlen(alias) == KNL_IFALIAS_MAX) { /* cut inside the name */
		snprintf(out->netname, sizeof(out->netname), "%s", p);
		out->net_cut = true;
		return true;
	}
	if (!slash || (size_t)(slash - p) >= sizeof(out->netname))
		return false;
	memcpy(out->netname, p, slash - p);
	parse_tail(slash + 1, out);
	return true;
}

int kr_link_probe(struct knl_sock *sk, const char *name, const struct kr_ident *id,
		  struct kr_link *out, struct cni_error *err)
{
	int rc = knl_link_lookup(sk, name, 0, &out->info, err);

	out->exists = rc == 1;
	out->ours = out->exists && kr_alias_is_ours(out->info.alias, id);
	return rc < 0 ? rc : 0;
}

/* Ours, but of another kind: only a hand-made device can be that. */
static int check_kind(const char *name, enum kr_dev dev, const struct kr_link *l,
		      struct cni_error *err)
{
	if (strcmp(l->info.kind, kr_dev_kind(dev)) == 0)
		return 0;
	return cni_err(err, KR_ERR_NAME_TAKEN,
		       "%s %s carries this attachment's alias but is a %s, not a %s",
		       kr_dev_label(dev), name,
		       l->info.kind[0] ? l->info.kind : "device without kind", kr_dev_kind(dev));
}

static int take(char name[KNL_IFNAMSIZ], const char *cand, struct kr_link *out,
		const struct kr_link *l, enum kr_dev dev, struct cni_error *err)
{
	snprintf(name, KNL_IFNAMSIZ, "%s", cand);
	*out = *l;
	return l->exists ? check_kind(cand, dev, l, err) : 0;
}

int kr_name_pick(struct knl_sock *sk, const struct kr_ident *id, enum kr_dev dev,
		 char name[KNL_IFNAMSIZ], struct kr_link *link, struct cni_error *err)
{
	int rc;
	const char *seed = id->cand[dev][0], *alt = id->cand[dev][1];
	struct kr_link s, a;

	name[0] = '\0';
	if ((rc = kr_link_probe(sk, seed, id, &s, err)) < 0)
		return rc;
	if (s.ours)
		return take(name, seed, link, &s, dev, err);
	if ((rc = kr_link_probe(sk, alt, id, &a, err)) < 0)
		return rc;
	if (a.ours)
		return take(name, alt, link, &a, dev, err);
	if (!s.exists)
		return take(name, seed, link, &s, dev, err);
	if (!a.exists)
		return take(name, alt, link, &a, dev, err);
	return cni_err(err, KR_ERR_NAME_TAKEN,
		       "cannot name the %s of container %.64s: %s and %s are both devices of other "
		       "attachments",
		       kr_dev_label(dev), id->container_id, seed, alt);
}

int kr_dev_is_ours(struct knl_sock *sk, const struct kr_ident *id, enum kr_dev dev,
		   const struct kr_link *l, struct cni_error *err)
{
	struct knl_link_info peer;
	int rc;

	if (l->ours)
		return 1;
	if (dev != KR_DEV_VETH || !l->exists || l->info.alias[0] ||
	    strcmp(l->info.kind, "veth") != 0)
		return 0;
	if ((rc = knl_link_peer(sk, l->info.link, l->info.link_netnsid, &peer, err)) <= 0)
		return rc;
	return kr_pod_end_is_half_made(id, peer.name, peer.alias[0] != '\0', peer.group);
}

bool kr_pod_end_is_half_made(const struct kr_ident *id, const char *name, bool aliased,
			     uint32_t group)
{
	return strcmp(name, id->tmp_peer) == 0 || (!aliased && group == id->birth_group);
}

/* Looked at only when a name was found taken: an ADD finds its names free. */
int kr_drop_leftover(struct knl_sock *sk, const struct kr_ident *id, enum kr_dev dev,
		     const char *holder, int ifindex, struct cni_error *err)
{
	struct kr_link l;
	int rc;

	if ((rc = kr_link_probe(sk, holder, id, &l, err)) < 0)
		return rc;
	if (!l.exists)
		return 2;
	if (l.info.index == ifindex || (rc = kr_dev_is_ours(sk, id, dev, &l, err)) == 0)
		return 0;
	if (rc < 0)
		return rc;
	return knl_link_del(sk, holder, err) < 0 ? -1 : 1;
}

int kr_err_names_taken(struct cni_error *err, const struct kr_ident *id, enum kr_dev dev)
{
	return cni_err(err, KR_ERR_NAME_TAKEN,
		       "cannot name the %s of container %.64s: %s and %s are both devices of other "
		       "attachments",
		       kr_dev_label(dev), id->container_id, id->cand[dev][0], id->cand[dev][1]);
}

int kr_name_claim(struct knl_sock *sk, const struct kr_ident *id, enum kr_dev dev, int ifindex,
		  const struct knl_link_change *also, char name[KNL_IFNAMSIZ],
		  struct cni_error *err)
{
	for (int i = 0; i < 2; i++) {
		const char *cand = id->cand[dev][i];
		int rc = knl_link_adopt(sk, ifindex, cand, id->alias, also, err);

		if (rc == -EEXIST) {
			int dropped = kr_drop_leftover(sk, id, dev, cand, ifindex, err);

			if (dropped < 0)
				return dropped;
			if (dropped)
				rc = knl_link_adopt(sk, ifindex, cand, id->alias, also, err);
		}
		if (rc == 0)
			snprintf(name, KNL_IFNAMSIZ, "%s", cand);
		if (rc != -EEXIST)
			return rc;
	}
	return kr_err_names_taken(err, id, dev);
}

int kr_name_find(struct knl_sock *sk, const struct kr_ident *id, enum kr_dev dev,
		 char name[KNL_IFNAMSIZ], struct kr_link *link, struct cni_error *err)
{
	int rc;
	name[0] = '\0';
	memset(link, 0, sizeof(*link));
	for (int i = 0; i < 2; i++) {
		if ((rc = kr_link_probe(sk, id->cand[dev][i], id, link, err)) < 0)
			return rc;
		if (link->ours) {
			snprintf(name, KNL_IFNAMSIZ, "%s", id->cand[dev][i]);
			return 0;
		}
	}
	memset(link, 0, sizeof(*link));
	return 0;
}
