/* libFuzzer target: result parsing in every version and conversion to every version. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "cni/json.h"
#include "cni/result.h"
#include "cni/version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *j = cJSON_ParseWithLength((const char *)data, size);

	if (!j)
		return 0;
	for (int in = 0; in < cni_n_supported_versions; in++) {
		struct cni_result *r = NULL;
		struct cni_error err = CNI_ERROR_INIT;

		if (cni_result_parse(j, cni_supported_versions[in], &r, &err) < 0)
			continue;
		for (int out = 0; out < cni_n_supported_versions; out++) {
			cJSON *o = cni_result_to_json(r, cni_supported_versions[out], &err);
			struct cni_result *back = NULL;

			/* What we print must parse back. */
			if (o && cni_result_parse(o, cni_supported_versions[out], &back, &err) < 0)
				abort();
			cni_result_free(back);
			cJSON_Delete(o);
		}
		struct cni_result *d = cni_result_dup(r, &err);
		cni_result_free(d);
		cni_result_free(r);
	}
	cJSON_Delete(j);
	return 0;
}
