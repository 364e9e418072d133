/* Typed getters over cJSON that report config errors with the key's name. */
#ifndef CNI_JSON_H
#define CNI_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "cleanup.h"
#include "error.h"

DEFINE_CLEANUP_FUNC(cJSON *, cJSON_Delete)
#define cleanup_json _cleanup_(cJSON_Deletep)

/* Each getter: key absent (or null) -> 0 with *out untouched when !required,
 * error CNI_ERR_INVALID_CONFIG when required; wrong type -> CNI_ERR_INVALID_CONFIG.
 * `what` names the object in messages (e.g. "ipam"); may be NULL. */
int cni_json_string(const cJSON *obj, const char *key, bool required, const char **out,
		    const char *what, struct cni_error *err);
int cni_json_bool(const cJSON *obj, const char *key, bool required, bool *out, const char *what,
		  struct cni_error *err);
/* Integral number in [min, max]. */
int cni_json_int(const cJSON *obj, const char *key, bool required, int64_t min, int64_t max,
		 int64_t *out, const char *what, struct cni_error *err);
int cni_json_object(const cJSON *obj, const char *key, bool required, const cJSON **out,
		    const char *what, struct cni_error *err);
int cni_json_array(const cJSON *obj, const char *key, bool required, const cJSON **out,
		   const char *what, struct cni_error *err);

/* Print compactly to a malloc'd string and write it + "\n" to stdout. */
int cni_json_print(const cJSON *j, struct cni_error *err);

#endif
