/* ls and gc read the node in two dumps, whatever the number of attachments:
 * every link (with its alias, VRF table and the peer's netns id) and every
 * route of krafty's protocol in every table (lib/netlink). */
#include <string.h>

#include "kractl.h"

int kc_dump_links(struct cni_array *out, struct cni_error *err)
{
	cleanup_knl struct knl_sock *sk = NULL;
	cleanup_free struct knl_link_entry *links = NULL;
	size_t n = 0;
	int rc;

	if ((rc = knl_open(&sk, err)) < 0 || (rc = knl_link_list(sk, &links, &n, err)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct kc_link *l = CNI_ARRAY_PUSH(out, struct kc_link, 0, "links", err);

		if (!l)
			return -err->errnum;
		l->index = links[i].index;
		l->master = links[i].master;
		l->netnsid = links[i].netnsid;
		l->vrf_table = links[i].vrf_table;
		memcpy(l->name, links[i].name, sizeof(l->name));
		memcpy(l->kind, links[i].kind, sizeof(l->kind));
		memcpy(l->alias, links[i].alias, sizeof(l->alias));
	}
	return 0;
}

int kc_dump_routes(struct cni_array *out, struct cni_error *err)
{
	cleanup_knl struct knl_sock *sk = NULL;
	cleanup_free struct knl_route *routes = NULL;
	size_t n = 0;
	int rc;

	if ((rc = knl_open(&sk, err)) < 0 ||
	    (rc = knl_route_list_proto(sk, KR_RTPROT, &routes, &n, err)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct kc_route *r = CNI_ARRAY_PUSH(out, struct kc_route, 0, "routes", err);

		if (!r)
			return -err->errnum;
		r->dst = routes[i].dst;
		r->oif = routes[i].oif;
		r->table = routes[i].table;
		r->metric = routes[i].metric;
		r->type = routes[i].type;
	}
	return 0;
}
