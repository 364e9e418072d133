/* Spare bridges and VRFs: DEL parks them, ADD takes them back.
 *
 * Deleting a bridge or a VRF holds the kernel's RTNL lock across an RCU grace
 * period (tens of milliseconds each, one after the other whatever the
 * parallelism), and every other netlink change on the node waits meanwhile.
 * A veth deletion does not. So DEL deletes the veth pair but parks the
 * attachment's bridge and VRF as spares, and ADD takes a spare of the right
 * kind before it creates a device.
 *
 * A spare is down, without addresses, routes or master, so it can carry no
 * traffic and no old pod's address; its name and alias say what it is:
 *   krsbNN                 alias "krafty spare bridge"
 *   krsv<table in hex>NN   alias "krafty spare vrf table <T>"
 * A VRF's table cannot change, so VRF spares are kept per table. NN is a slot
 * number below the network's `spares` (default 64; 0 deletes as before), which
 * bounds them: a DEL that finds every slot taken deletes its device.
 *
 * Taking and parking run under one flock (/run/krafty/spares.lock) so that
 * two ADDs never take the same spare (a rename addresses the device by index
 * and is not a compare-and-swap). Slots are filled from 0 up and taken from
 * the top, so the used ones are 0..k-1. The lock file remembers k of each
 * kind (a line "<slot prefix> <k>"), written by whoever last took or parked
 * under the lock: a take looks up slot k-1 only, a park renames into slot k
 * with no look-up. The kernel decides, not the file: a take whose slot k-1
 * holds no spare, and any kind without a line (a new file, an older krafty,
 * GC's trim), find k with a binary search (about log2(spares) look-ups); a
 * park whose slot is taken moves up. A slot found taken out of order (an
 * operator deleted a spare) only costs a probe.
 * Every rename also sets the alias (knl_link_adopt): a taken spare is the
 * attachment's from the instant it has its name.
 */
#include "krafty.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cni/statefile.h"

static void slot_name(enum kr_dev dev, uint32_t table, int slot, char name[KNL_IFNAMSIZ])
{
	if (dev == KR_DEV_VRF)
		snprintf(name, KNL_IFNAMSIZ, "krsv%08x%02u", (unsigned int)table,
			 (unsigned int)slot % 100u);
	else
		snprintf(name, KNL_IFNAMSIZ, "krsb%02u", (unsigned int)slot % 100u);
}

static void spare_alias(enum kr_dev dev, uint32_t table, char alias[KR_ALIAS_MAX])
{
	if (dev == KR_DEV_VRF)
		snprintf(alias, KR_ALIAS_MAX, KR_SPARE_ALIAS "vrf table %u", (unsigned int)table);
	else
		snprintf(alias, KR_ALIAS_MAX, KR_SPARE_ALIAS "bridge");
}

static int lock_spares(int *fd, struct cni_error *err)
{
	return cni_file_lock(KR_RUN_DIR "/spares.lock", fd, err);
}

/* ---- the used slots of each kind, remembered in the lock file ---------- */

/* Bounded: a line per kind of spare (bridges, and VRFs per table) in use. */
#define COUNTS_MAX 4096

struct counts {
	char text[COUNTS_MAX + 1];
	size_t len;
};

static void slot_prefix(enum kr_dev dev, uint32_t table, char prefix[KNL_IFNAMSIZ])
{
	if (dev == KR_DEV_VRF)
		snprintf(prefix, KNL_IFNAMSIZ, "krsv%08x", (unsigned int)table);
	else
		snprintf(prefix, KNL_IFNAMSIZ, "krsb");
}

/* What the file holds; an unreadable file holds nothing (every kind is then
 * counted by a search). */
static void counts_read(int fd, struct counts *c)
{
	ssize_t n = pread(fd, c->text, COUNTS_MAX, 0);

	c->len = n > 0 ? (size_t)n : 0;
	c->text[c->len] = '\0';
}

/* The line of prefix in text[0..len): its start, or NULL. A line ends with
 * '\n' (a torn last line counts as none); bytes are bytes, NULs included. */
static const char *count_line(const char *text, size_t len, const char *prefix)
{
	size_t plen = strlen(prefix);

	for (const char *p = text; p < text + len;) {
		const char *eol = memchr(p, '\n', (size_t)(text + len - p));

		if (!eol)
			return NULL;
		if ((size_t)(eol - p) > plen && memcmp(p, prefix, plen) == 0 && p[plen] == ' ')
			return p;
		p = eol + 1;
	}
	return NULL;
}

int kr_spare_count_get(const char *text, size_t len, const char *prefix, int max)
{
	const char *line = count_line(text, len, prefix), *p;
	long k = 0;

	if (!line)
		return -1;
	/* Digits up to the newline, and no more than max: strtol would take a
	 * sign or blanks, and stop at a NUL. */
	for (p = line + strlen(prefix) + 1; *p >= '0' && *p <= '9' && k <= max; p++)
		k = k * 10 + (*p - '0');
	return *p == '\n' && p > line + strlen(prefix) + 1 && k <= max ? (int)k : -1;
}

void kr_spare_count_set(char *text, size_t *len, size_t cap, const char *prefix, int k)
{
	const char *line;
	int n;

	/* A torn last line is nobody's: cut, so that the line added stays whole. */
	while (*len && text[*len - 1] != '\n')
		(*len)--;
	while ((line = count_line(text, *len, prefix))) {
		char *start = text + (line - text);
		char *next = (char *)memchr(start, '\n', (size_t)(text + *len - start)) + 1;

		memmove(start, next, (size_t)(text + *len - next));
		*len -= (size_t)(next - start);
	}
	text[*len] = '\0';
	if (k < 0)
		return;
	n = snprintf(text + *len, cap - *len, "%s %d\n", prefix, k);
	if (n < 0 || (size_t)n >= cap - *len)
		text[*len] = '\0'; /* full: this kind goes uncounted */
	else
		*len += (size_t)n;
}

/* Replace the kind's line (k < 0: remove it). Best effort: a file that cannot
 * be written only costs the next caller a search. */
static void counts_put(int fd, struct counts *c, const char *prefix, int k)
{
	kr_spare_count_set(c->text, &c->len, sizeof(c->text), prefix, k);
	if (pwrite(fd, c->text, c->len, 0) == (ssize_t)c->len)
		(void)!ftruncate(fd, (off_t)c->len);
}

/* The spare in a slot: 1 with its index, 0 when the slot is free. A device
 * there that is not a spare of this kind (an operator's) counts as taken and
 * is never used. */
static int slot_lookup(struct knl_sock *sk, enum kr_dev dev, uint32_t table, int slot, int *index,
		       struct cni_error *err)
{
	char name[KNL_IFNAMSIZ], alias[KR_ALIAS_MAX];
	struct knl_link_info info;
	int rc;

	*index = 0;
	slot_name(dev, table, slot, name);
	if ((rc = knl_link_lookup(sk, name, 0, &info, err)) <= 0)
		return rc;
	spare_alias(dev, table, alias);
	if (strcmp(info.alias, alias) == 0 && strcmp(info.kind, kr_dev_kind(dev)) == 0)
		*index = info.index;
	return 1;
}

/* The number of used slots k (slots 0..k-1 used) by binary search, and in
 * *top the spare in slot k-1 (0 when k is 0 or that slot holds no spare): the
 * last slot the search found used is k-1, so taking it needs no look-up more. */
static int count_spares(struct knl_sock *sk, enum kr_dev dev, uint32_t table, int max, int *top,
			struct cni_error *err)
{
	int lo = 0, hi = max, index, rc;

	*top = 0;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if ((rc = slot_lookup(sk, dev, table, mid, &index, err)) < 0)
			return rc;
		if (rc) {
			lo = mid + 1;
			*top = index;
		} else {
			hi = mid;
		}
	}
	return lo;
}

/* k and slot k-1's spare (0: none there): from the file when slot k-1 holds a
 * spare as it says, else by the search. */
static int used_slots(struct knl_sock *sk, const struct counts *c, const char *prefix,
		      enum kr_dev dev, uint32_t table, int max, int *top, struct cni_error *err)
{
	int k = kr_spare_count_get(c->text, c->len, prefix, max), rc;

	*top = 0;
	if (k == 0)
		return 0;
	if (k > 0 && (rc = slot_lookup(sk, dev, table, k - 1, top, err)) != 0) {
		if (rc < 0)
			return rc;
		if (*top)
			return k;
	}
	return count_spares(sk, dev, table, max, top, err);
}

int kr_spare_take(struct knl_sock *sk, const struct kr_conf *conf, const struct kr_ident *id,
		  enum kr_dev dev, kr_prepare_fn *prepare, const struct knl_link_change *also,
		  char name[KNL_IFNAMSIZ], struct cni_error *err)
{
	cleanup_close int lock = -1;
	struct counts counts;
	char prefix[KNL_IFNAMSIZ], slot_dev[KNL_IFNAMSIZ];
	int k, index, rc;

	if (conf->spares == 0)
		return 0;
	if ((rc = lock_spares(&lock, err)) < 0)
		return rc;
	counts_read(lock, &counts);
	slot_prefix(dev, conf->table, prefix);
	if ((k = rc =
		 used_slots(sk, &counts, prefix, dev, conf->table, conf->spares, &index, err)) < 0)
		return rc;
	/* Slot k-1's spare came with the count; a lower slot is looked at only
	 * when a slot above held an operator's device instead of a spare. */
	for (int slot = k - 1; slot >= 0; slot--) {
		if (slot < k - 1 && (rc = slot_lookup(sk, dev, conf->table, slot, &index, err)) < 0)
			return rc;
		if (index == 0) /* free, or not a spare */
			continue;
		/* Prepared under its spare's name, which no one else uses while
		 * the lock is held. Both names taken: the spare stays a spare (a
		 * failed rename changes nothing). */
		slot_name(dev, conf->table, slot, slot_dev);
		if ((prepare && (rc = prepare(conf, slot_dev, err)) < 0) ||
		    (rc = kr_name_claim(sk, id, dev, index, also, name, err)) < 0)
			return rc;
		counts_put(lock, &counts, prefix, slot);
		return 1;
	}
	counts_put(lock, &counts, prefix, 0);
	return 0;
}

/* Down, no master, no address: nothing left that carries traffic. Taking a
 * device down makes the kernel drop every route through it, IPv4 and IPv6
 * (the pod's host route with it): no route dump on the DEL path. */
static int strip(struct knl_sock *sk, enum kr_dev dev, const struct knl_link_info *li,
		 struct cni_error *err)
{
	cleanup_free struct knl_addr *addrs = NULL;
	size_t n = 0;
	int rc;

	if ((rc = knl_link_set_down(sk, li->name, err)) < 0)
		return rc;
	if (dev == KR_DEV_VRF)
		return 0;
	if (li->master && (rc = knl_link_set_master(sk, li->name, NULL, err)) < 0)
		return rc;
	if ((rc = knl_addr_list(sk, li->name, AF_UNSPEC, &addrs, &n, err)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		if ((rc = knl_addr_del(sk, li->name, &addrs[i].prefix, err)) < 0)
			return rc;
	return 0;
}

/* Rename into the lowest free slot; 0 when every slot is taken. */
static int park_in_slot(struct knl_sock *sk, const struct kr_conf *conf, enum kr_dev dev,
			const struct knl_link_info *li, struct cni_error *err)
{
	char slot[KNL_IFNAMSIZ], alias[KR_ALIAS_MAX];
	uint32_t table = dev == KR_DEV_VRF ? li->vrf_table : 0;
	char prefix[KNL_IFNAMSIZ];
	cleanup_close int lock = -1;
	struct counts counts;
	int k, top, rc;

	if ((rc = lock_spares(&lock, err)) < 0)
		return rc;
	counts_read(lock, &counts);
	slot_prefix(dev, table, prefix);
	if ((k = kr_spare_count_get(counts.text, counts.len, prefix, conf->spares)) < 0 &&
	    (k = rc = count_spares(sk, dev, table, conf->spares, &top, err)) < 0)
		return rc;
	spare_alias(dev, table, alias);
	for (; k < conf->spares; k++) {
		slot_name(dev, table, k, slot);
		rc = knl_link_adopt(sk, li->index, slot, alias, NULL, err);
		if (rc == -EEXIST)
			continue;
		if (rc == 0)
			counts_put(lock, &counts, prefix, k + 1);
		return rc < 0 ? rc : 1;
	}
	return 0;
}

int kr_spare_park(struct knl_sock *sk, const struct kr_conf *conf, enum kr_dev dev,
		  const char *name, struct cni_error *err)
{
	struct knl_link_info li;
	int rc;

	if (conf->spares == 0)
		return knl_link_del(sk, name, err);
	if ((rc = knl_link_lookup(sk, name, 0, &li, err)) <= 0)
		return rc;
	if ((rc = strip(sk, dev, &li, err)) < 0 || (rc = park_in_slot(sk, conf, dev, &li, err)) < 0)
		return rc;
	return rc ? 0 : knl_link_del(sk, name, err);
}

int kr_spares_trim(struct knl_sock *sk, const struct kr_conf *conf, bool vrfs_of_table,
		   struct cni_error *err)
{
	char name[KNL_IFNAMSIZ];
	cleanup_close int lock = -1;
	int rc;

	if ((rc = lock_spares(&lock, err)) < 0)
		return rc;
	/* The counts may no longer hold: the next take or park searches. */
	(void)!ftruncate(lock, 0);
	/* Slots at and above the cap (a lowered `spares`): from the top down. */
	for (int slot = KR_MAX_SPARES - 1; slot >= conf->spares; slot--) {
		slot_name(KR_DEV_BRIDGE, 0, slot, name);
		if ((rc = knl_link_del(sk, name, err)) < 0)
			return rc;
	}
	for (int slot = KR_MAX_SPARES - 1; conf->vrf && slot >= 0; slot--) {
		if (!vrfs_of_table && slot < conf->spares)
			break;
		slot_name(KR_DEV_VRF, conf->table, slot, name);
		if ((rc = knl_link_del(sk, name, err)) < 0)
			return rc;
	}
	return 0;
}
