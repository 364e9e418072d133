/* kractl ls [--json] [--network NAME]: every krafty attachment of the node
 * (node.c reads them), a table for people or JSON for programs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni/cleanup.h"
#include "cni/json.h"
#include "kractl.h"

static void addrs_text(const struct kc_att *a, bool held, char *buf, size_t len)
{
	size_t off = 0, n = held ? a->n_held : a->n_addr;

	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++) {
		char s[CNI_PREFIX_STRLEN];

		if (held)
			cni_ip_format(&a->held[i], s);
		else
			cni_prefix_format(&a->addr[i], s);
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? "," : "", s);
	}
}

static void netns_text(const struct kc_att *a, char *buf, size_t len)
{
	if (a->netns_state == 0)
		snprintf(buf, len, "gone");
	else if (a->netns[0])
		snprintf(buf, len, "%s", a->netns);
	else if (a->netnsid >= 0)
		snprintf(buf, len, "nsid %d", a->netnsid);
	else
		snprintf(buf, len, a->netns_state == 1 ? "exists" : "unknown");
}

static cJSON *att_json(const struct kc_att *a)
{
	cJSON *j = cJSON_CreateObject();
	char buf[4096];

	cJSON_AddStringToObject(j, "containerID", a->id);
	cJSON_AddStringToObject(j, "network", a->net);
	cJSON_AddStringToObject(j, "ifname", a->ifname);
	netns_text(a, buf, sizeof(buf));
	cJSON_AddStringToObject(j, "netns", buf);
	cJSON_AddStringToObject(j, "vrf", a->dev[KR_DEV_VRF]);
	cJSON_AddNumberToObject(j, "table", a->table);
	cJSON_AddStringToObject(j, "bridge", a->dev[KR_DEV_BRIDGE]);
	cJSON_AddStringToObject(j, "hostVeth", a->dev[KR_DEV_VETH]);
	addrs_text(a, false, buf, sizeof(buf));
	cJSON_AddStringToObject(j, "addresses", buf);
	addrs_text(a, true, buf, sizeof(buf));
	cJSON_AddStringToObject(j, "ipam", buf);
	cJSON_AddStringToObject(j, "ipamDir", a->held_dir ? a->held_dir : "");
	cJSON_AddStringToObject(j, "tuning", a->tuning);
	cJSON_AddBoolToObject(j, "cached", a->cached);
	cJSON_AddStringToObject(j, "state", a->state);
	cJSON_AddBoolToObject(j, "orphan", a->orphan);
	return j;
}

static int print_json(const struct kc_node *nd, struct cni_error *err)
{
	cleanup_json cJSON *root = cJSON_CreateObject();
	cJSON *atts = cJSON_AddArrayToObject(root, "attachments");
	cJSON *temps = cJSON_AddArrayToObject(root, "temporaryDevices");
	cleanup_free char *text = NULL;

	for (size_t i = 0; i < nd->atts.n; i++)
		cJSON_AddItemToArray(atts, att_json((const struct kc_att *)nd->atts.v + i));
	for (size_t i = 0; i < nd->temps.n; i++)
		cJSON_AddItemToArray(
		    temps,
		    cJSON_CreateString(((const struct knl_link_entry *)nd->temps.v)[i].name));
	if (!(text = cJSON_Print(root)))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	puts(text);
	return 0;
}

static void print_table(const struct kc_node *nd)
{
	char ns[4096], addrs[512], held[512], vrf[64];

	printf("%-16s %-16s %-6s %-14s %-22s %-15s %-15s %-20s %-20s %-7s %s\n", "NETWORK",
	       "CONTAINER", "IFNAME", "NETNS", "VRF(TABLE)", "BRIDGE", "VETH", "ADDRESSES", "IPAM",
	       "TUNING", "STATE");
	for (size_t i = 0; i < nd->atts.n; i++) {
		const struct kc_att *a = (const struct kc_att *)nd->atts.v + i;

		netns_text(a, ns, sizeof(ns));
		addrs_text(a, false, addrs, sizeof(addrs));
		addrs_text(a, true, held, sizeof(held));
		snprintf(vrf, sizeof(vrf), "%s(%u)",
			 a->dev[KR_DEV_VRF][0] ? a->dev[KR_DEV_VRF] : "-", (unsigned int)a->table);
		printf("%-16s %-16.16s %-6s %-14s %-22s %-15s %-15s %-20s %-20s %-7s %s%s\n",
		       a->net, a->id, a->ifname, ns, vrf,
		       a->dev[KR_DEV_BRIDGE][0] ? a->dev[KR_DEV_BRIDGE] : "-",
		       a->dev[KR_DEV_VETH][0] ? a->dev[KR_DEV_VETH] : "-", addrs[0] ? addrs : "-",
		       held[0] ? held : "-", a->tuning[0] ? "yes" : "-", a->state,
		       a->orphan ? " (orphan)" : "");
	}
	for (size_t i = 0; i < nd->temps.n; i++)
		printf("temporary device %s: an ADD that was killed before naming it, or one "
		       "running now\n",
		       ((const struct knl_link_entry *)nd->temps.v)[i].name);
}

int kc_cmd_ls(struct kc_opts *o, struct cni_error *err)
{
	struct kc_node nd;
	int rc;

	memset(&nd, 0, sizeof(nd));
	if ((rc = kc_node_read(o, &nd, err)) == 0) {
		if (o->json)
			rc = print_json(&nd, err);
		else
			print_table(&nd);
	}
	kc_node_free(&nd);
	return rc;
}
