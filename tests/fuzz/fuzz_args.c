/* libFuzzer target: CNI_ARGS parsing and name validation. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cni/env.h"
#include "cni/ip.h"
#include "cni/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct cni_arg *args = NULL;
	struct cni_error err = CNI_ERROR_INIT;
	struct cni_prefix p;
	size_t n = 0;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (cni_args_parse(s, &args, &n, &err) == 0)
		cni_args_free(args, n);
	cni_validate_ifname(s, &err);
	cni_validate_container_id(s, &err);
	cni_validate_network_name(s, &err);
	if (cni_prefix_parse(s, &p) == 0) {
		char buf[CNI_PREFIX_STRLEN];

		cni_prefix_format(&p, buf);
	}
	free(s);
	return 0;
}
