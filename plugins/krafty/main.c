/* krafty: a VRF, a bridge and a veth pair per pod attachment (see krafty.h).
 *
 * Error codes: the spec's (1 version, 4 bad environment or CNI_NETNS that
 * cannot be opened, 5 I/O: a netlink or sysctl operation failed, 7 bad config,
 * 50 STATUS: cannot serve ADD now), the IPAM plugin's own when it fails, and:
 *   100  generic: CHECK found differences (all of them in msg and details)
 *   101  the kernel lacks VRF support and the config asks for a VRF (the
 *        message says that "vrf": false attaches without one)
 *   102  CNI_IFNAME already exists in the pod (that interface is left untouched)
 *   103  the network's routing table is used by something else on the node
 *        (set another "vrfTable")
 *   104  both names for a device are held by other attachments' devices
 */
#include "krafty.h"

int main(void)
{
	static const struct cni_plugin krafty = {
	    .name = KR_PLUGIN,
	    .about = "krafty: a VRF, a bridge and a veth pair per pod attachment",
	    .add = kr_cmd_add,
	    .del = kr_cmd_del,
	    .check = kr_cmd_check,
	    .status = kr_cmd_status,
	    .gc = kr_cmd_gc,
	};

	return cni_plugin_main(&krafty);
}
