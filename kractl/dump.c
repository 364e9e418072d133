/* ls and gc read the node in two dumps on one socket, whatever the number of
 * attachments: every link (with its alias, VRF table and the peer's netns id)
 * and every route of krafty's protocol in every table (lib/netlink). */
#include "kractl.h"

int kc_dump_node(struct cni_array *links, struct cni_array *routes, struct cni_error *err)
{
	cleanup_knl struct knl_sock *sk = NULL;
	struct knl_link_entry *l = NULL;
	struct knl_route *r = NULL;
	size_t nl = 0, nr = 0;
	int rc;

	if ((rc = knl_open(&sk, err)) < 0 || (rc = knl_link_list(sk, &l, &nl, err)) < 0)
		return rc;
	*links = (struct cni_array){l, nl, nl};
	if ((rc = knl_route_list_proto(sk, KR_RTPROT, &r, &nr, err)) < 0)
		return rc;
	*routes = (struct cni_array){r, nr, nr};
	return 0;
}
