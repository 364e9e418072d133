#include "passthru.h"

static const struct cni_plugin passthru = {
    .name = "passthru",
    .about = "krafty passthru: the empty head of a chain run on an existing pod",
    .add = pt_cmd_add,
    .del = pt_cmd_del,
    .check = pt_cmd_check,
};

int main(void)
{
	return cni_plugin_main(&passthru);
}
