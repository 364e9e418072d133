#include "jsoncheck.h"

#include <string.h>

/* "\u0000" starting at the backslash s[0]; n bytes are available. */
static bool escaped_nul(const char *s, size_t n)
{
	return n >= 6 && s[1] == 'u' && memcmp(s + 2, "0000", 4) == 0;
}

bool cni_json_text_has_nul(const char *text, size_t len)
{
	bool in_string = false;

	if (memchr(text, '\0', len))
		return true;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '"') {
			in_string = !in_string;
		} else if (in_string && text[i] == '\\') {
			if (escaped_nul(text + i, len - i))
				return true;
			i++; /* the escaped character cannot end the string */
		}
	}
	return false;
}

const char *cni_json_duplicate_key(const cJSON *obj)
{
	if (!cJSON_IsObject(obj))
		return NULL;
	for (const cJSON *a = obj->child; a; a = a->next)
		for (const cJSON *b = a->next; b; b = b->next)
			if (a->string && b->string && strcmp(a->string, b->string) == 0)
				return a->string;
	return NULL;
}
