#include "tuning.h"

static const struct cni_plugin tuning_lite = {
    .name = "tuning-lite",
    .about = "krafty tuning-lite: sysctls and link settings on a pod interface, restored on DEL",
    .add = tl_cmd_add,
    .del = tl_cmd_del,
    .check = tl_cmd_check,
    .gc = tl_cmd_gc,
};

int main(void)
{
	return cni_plugin_main(&tuning_lite);
}
