/* host-local: a drop-in for the reference host-local IPAM plugin, sharing its on-disk
 * store. The parts are described in hostlocal.h. */
#include "cni/plugin.h"
#include "commands.h"

int main(void)
{
	static const struct cni_plugin plugin = {
	    .name = "host-local",
	    .about = "krafty host-local IPAM: addresses from local ranges, kept on disk",
	    .add = hl_cmd_add,
	    .del = hl_cmd_del,
	    .check = hl_cmd_check,
	    .status = hl_cmd_status,
	    .gc = hl_cmd_gc,
	};

	return cni_plugin_main(&plugin);
}
