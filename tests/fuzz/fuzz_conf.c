/* libFuzzer target: the network config parser (which also parses prevResult). */
#include <stddef.h>
#include <stdint.h>

#include "cni/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cni_conf conf;
	struct cni_error err = CNI_ERROR_INIT;

	cni_conf_parse(&conf, (const char *)data, size, &err);
	cni_conf_free(&conf);
	return 0;
}
