/* validate's check of networks against each other: one name for two different
 * networks, overlapping subnets, one VRF table for two networks. The same
 * network given twice (a conflist and its NAD) is one network. */
#include <stdio.h>
#include <string.h>

#include "../plugins/krafty/krafty.h"
#include "kractl.h"

static bool prefixes_overlap(const struct cni_prefix *a, const struct cni_prefix *b)
{
	return a->ip.family == b->ip.family &&
	       (cni_prefix_contains(a, &b->ip) || cni_prefix_contains(b, &a->ip));
}

static void subnets(struct kc_check *k, const struct kc_vnet *a, const struct kc_vnet *b)
{
	char x[CNI_PREFIX_STRLEN], y[CNI_PREFIX_STRLEN];

	for (size_t i = 0; i < a->kr.n_fam; i++)
		for (size_t j = 0; j < b->kr.n_fam; j++) {
			if (!prefixes_overlap(&a->kr.fam[i].subnet, &b->kr.fam[j].subnet))
				continue;
			cni_prefix_format(&a->kr.fam[i].subnet, x);
			cni_prefix_format(&b->kr.fam[j].subnet, y);
			kc_say(k, b, "subnet", true,
			       "%s overlaps %s of network %s (%s): pods of both would get the "
			       "same addresses",
			       y, x, a->name, a->source);
		}
}

static void tables(struct kc_check *k, const struct kc_vnet *a, const struct kc_vnet *b)
{
	if (!a->kr.vrf || !b->kr.vrf || a->kr.table != b->kr.table)
		return;
	kc_say(k, b, "vrfTable", true,
	       "table %u (%s) is also the table of network %s (%s, %s): their routes would mix",
	       b->kr.table, b->table_explicit ? "vrfTable" : "derived from the name", a->name,
	       a->source, a->table_explicit ? "vrfTable" : "derived from the name");
}

/* 1 when b is a (second) definition of a's name. */
static int same_name(struct kc_check *k, const struct kc_vnet *a, const struct kc_vnet *b)
{
	if (strcmp(a->name, b->name) != 0)
		return 0;
	/* Two node files or two NADs: a runtime takes whichever it finds first.
	 * A node file and a NAD are two ways to ship one network: a warning. */
	if (!cJSON_Compare(a->plugins, b->plugins, true))
		kc_say(k, b, "name", a->nad == b->nad,
		       "a different network of the same name is in %s%s", a->source,
		       a->nad == b->nad ? ": a runtime takes whichever it finds first"
					: ": the node file and the NAD disagree");
	return 1;
}

void kc_crosscheck(struct kc_check *k)
{
	struct kc_vnet *v = k->nets.v;

	for (size_t j = 0; j < k->nets.n; j++)
		for (size_t i = 0; i < j; i++) {
			if (!v[i].name[0] || !v[j].name[0] || same_name(k, &v[i], &v[j]))
				continue;
			if (!v[i].krafty || !v[j].krafty)
				continue;
			subnets(k, &v[i], &v[j]);
			tables(k, &v[i], &v[j]);
		}
}
