/* host-local: a drop-in for the reference host-local IPAM plugin, sharing its on-disk
 * store. The parts are described in hostlocal.h. */
#include "commands.h"

int main(void)
{
	return cni_plugin_main(&hl_plugin);
}
