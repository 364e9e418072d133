/* libFuzzer target: what kractl reads from files others write: network lists
 * (cni_netlist_parse) and, for the same bytes, base64 as in libcni's cache. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cni/base64.h"
#include "cni/chain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cni_netlist nl;
	struct cni_error err = CNI_ERROR_INIT;
	char *text = malloc(size + 1), *out = NULL;
	size_t len;

	cni_netlist_parse((const char *)data, size, "fuzz", &nl, &err);
	cni_netlist_free(&nl);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (cni_base64_decode(text, &out, &len, &err) == 0)
		free(out);
	free(text);
	return 0;
}
