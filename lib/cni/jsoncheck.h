/* One JSON for everyone: the checks cJSON does not make, for every text that
 * reaches a plugin from outside (a config, a delegated plugin's output, a
 * state file). A config is judged by others before it reaches us (an
 * admission policy in Go or Python reads the NetworkAttachmentDefinition):
 * whatever they and we could read differently is refused, not guessed. */
#ifndef CNI_JSONCHECK_H
#define CNI_JSONCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "error.h"

/* Objects and arrays nested deeper than this are refused (cJSON's own limit
 * is 1000); no config of ours nests more than 6 levels. */
#define CNI_JSON_MAX_DEPTH 64

/* Parse text (len bytes, NUL-terminated at text[len]) into *out (the caller
 * frees it with cJSON_Delete). `what` names the text in messages ("network
 * configuration", "the output of host-local"). Refused:
 *   - text that is not one JSON value followed by white space only:
 *     decode_code (the spec's 6, "failed to decode");
 *   - a NUL character, raw or escaped as \u0000 (a C string would end there:
 *     "/var/lib\u0000/x" reads as "/var/lib"), a key that appears twice in
 *     one object, or nesting deeper than CNI_JSON_MAX_DEPTH: refuse_code.
 * Keys are compared as Go's encoding/json matches them to struct fields,
 * ASCII case folded, and U+017F and U+212A (which fold to "s" and "k"): cJSON's
 * getters return the first of two keys, Go the last (and "Type" sets Go's
 * "type" field), Python the last: a config with both is read differently by
 * different readers, so no reader gets it. */
int cni_json_parse_strict(const char *text, size_t len, int decode_code, int refuse_code,
			  const char *what, cJSON **out, struct cni_error *err);

/* Whether JSON text holds a NUL character, raw or escaped as \u0000 inside a
 * string. */
bool cni_json_text_has_nul(const char *text, size_t len);

/* The first key of obj (not of its children) that another key of obj equals
 * as cni_json_parse_strict compares them, or NULL. O(n log n). -1 with no
 * answer when out of memory. */
int cni_json_duplicate_key(const cJSON *obj, const char **dup);

#endif
