/* libFuzzer target: the ELF build-ID reader (krafty reads the header of the
 * binary that CNI_PATH names for its IPAM type). */
#include <stddef.h>
#include <stdint.h>

#include "cni/buildid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char hex[CNI_BUILD_ID_HEX_MAX + 1];

	cni_build_id_parse(data, size, hex);
	return 0;
}
