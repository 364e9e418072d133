/* Checks on JSON that cJSON does not make. */
#ifndef CNI_JSONCHECK_H
#define CNI_JSONCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

/* Whether JSON text holds a NUL character, raw or escaped as \u0000 inside a
 * string. cJSON keeps such a NUL inside the string, so C code would see the
 * string cut short there ("net.ipv4\u0000.x" reads as "net.ipv4"): a plugin
 * that acts on strings from its config should refuse the config instead. */
bool cni_json_text_has_nul(const char *text, size_t len);

/* The first key that appears more than once in obj, or NULL. cJSON keeps every
 * duplicate and its getters return the first one, while other parsers (Go's
 * encoding/json) keep the last: a config with both is ambiguous. */
const char *cni_json_duplicate_key(const cJSON *obj);

#endif
