/* host-local's handler table: its main() hands it to the dispatcher, and a
 * plugin that carries host-local runs it in-process (cni_builtin). */
#include "commands.h"

const struct cni_plugin hl_plugin = {
    .name = "host-local",
    .about = "krafty host-local IPAM: addresses from local ranges, kept on disk",
    .add = hl_cmd_add,
    .del = hl_cmd_del,
    .check = hl_cmd_check,
    .status = hl_cmd_status,
    .gc = hl_cmd_gc,
};
