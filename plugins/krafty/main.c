/* krafty: a VRF, a bridge and a veth pair per pod attachment (see krafty.h).
 *
 * Error codes: the spec's (4 bad environment or netns, 5 I/O, 7 bad config,
 * 50 STATUS: cannot serve), the IPAM plugin's own when it fails, and:
 *   100  generic: a kernel operation failed, or CHECK found differences
 *   101  the kernel lacks VRF support and the config asks for a VRF
 *        (the message says that "vrf": false attaches without one)
 *   102  CNI_IFNAME already exists in the pod (it is left untouched)
 *   103  the network's routing table is used by something else on the node
 *   104  both names for a device are held by other attachments' devices
 * Netlink failures keep the library's code 5 (I/O) unless a step names them.
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
