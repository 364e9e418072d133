#include "jsoncheck.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

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

/* The length of the UTF-8 sequence at s (n bytes left), 0 when it is not one:
 * no overlong forms, no surrogates, nothing above U+10FFFF (RFC 3629). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80		    ? 1
		     : s[0] >= 0xc2 && s[0] <= 0xdf ? 2
		     : (s[0] & 0xf0) == 0xe0	    ? 3
		     : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
						    : 0;
	unsigned char lo = 0x80, hi = 0xbf;

	if (len <= 1 || len > n)
		return len > n ? 0 : len;
	if (s[0] == 0xe0)
		lo = 0xa0; /* overlong */
	else if (s[0] == 0xed)
		hi = 0x9f; /* surrogates */
	else if (s[0] == 0xf0)
		lo = 0x90; /* overlong */
	else if (s[0] == 0xf4)
		hi = 0x8f; /* above U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

static bool valid_utf8(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;

	for (size_t i = 0, k; i < len; i += k)
		if (!(k = utf8_seq(s + i, len - i)))
			return false;
	return true;
}

/* The next character of a key as Go's encoding/json folds names: ASCII
 * letters to lower case, and the two non-ASCII letters that fold to ASCII
 * ones (U+017F LATIN SMALL LETTER LONG S, U+212A KELVIN SIGN). */
static int fold_next(const unsigned char **p)
{
	const unsigned char *s = *p;

	if (!s[0])
		return 0;
	if (s[0] == 0xc5 && s[1] == 0xbf) {
		*p += 2;
		return 's';
	}
	if (s[0] == 0xe2 && s[1] == 0x84 && s[2] == 0xaa) {
		*p += 3;
		return 'k';
	}
	*p += 1;
	return s[0] >= 'A' && s[0] <= 'Z' ? s[0] + ('a' - 'A') : s[0];
}

static int key_cmp(const void *a, const void *b)
{
	const unsigned char *x = *(const unsigned char *const *)a;
	const unsigned char *y = *(const unsigned char *const *)b;

	for (;;) {
		int cx = fold_next(&x), cy = fold_next(&y);

		if (cx != cy || !cx)
			return cx - cy;
	}
}

int cni_json_duplicate_key(const cJSON *obj, const char **dup)
{
	cleanup_free const char **keys = NULL;
	size_t n = 0, i = 0;

	*dup = NULL;
	if (!obj || !cJSON_IsObject(obj))
		return 0;
	for (const cJSON *c = obj->child; c; c = c->next)
		n++;
	if (n < 2)
		return 0;
	if (!(keys = malloc(n * sizeof(*keys))))
		return -ENOMEM;
	for (const cJSON *c = obj->child; c; c = c->next)
		keys[i++] = c->string ? c->string : "";
	qsort(keys, n, sizeof(*keys), key_cmp);
	for (i = 1; i < n; i++)
		if (key_cmp(&keys[i - 1], &keys[i]) == 0) {
			*dup = keys[i - 1];
			return 0;
		}
	return 0;
}

/* Every object under node (depth counts node's level): 0, 1 with *dup set
 * on a repeated key, 2 when nested too deep, -ENOMEM. */
static int check_tree(const cJSON *node, int depth, const char **dup)
{
	int rc;

	if (!node || (!cJSON_IsObject(node) && !cJSON_IsArray(node)))
		return 0;
	if (depth > CNI_JSON_MAX_DEPTH)
		return 2;
	if ((rc = cni_json_duplicate_key(node, dup)) < 0)
		return rc;
	if (*dup)
		return 1;
	for (const cJSON *c = node->child; c; c = c->next)
		if ((rc = check_tree(c, depth + 1, dup)) != 0)
			return rc;
	return 0;
}

static bool only_space(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			return false;
	return true;
}

/* Parse: the text must be one JSON value in UTF-8 and nothing after it. */
static int parse(const char *text, size_t len, int code, const char *what, cJSON **out,
		 struct cni_error *err)
{
	const char *end = NULL;

	if (!valid_utf8(text, len))
		return cni_err(err, code, "%s is not valid JSON: it is not UTF-8 text", what);
	*out = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!*out) {
		cni_err(err, code, "%s is not valid JSON", what);
		return cni_err_details(err, "parse error near byte %ld",
				       end ? (long)(end - text) : 0L);
	}
	if (end && !only_space(end, text + len)) {
		cJSON_Delete(*out);
		*out = NULL;
		cni_err(err, code, "%s is not valid JSON: more data after its value", what);
		return cni_err_details(err, "from byte %ld", (long)(end - text));
	}
	return 0;
}

int cni_json_parse_strict(const char *text, size_t len, int decode_code, int refuse_code,
			  const char *what, cJSON **out, struct cni_error *err)
{
	const char *dup = NULL;
	cJSON *root = NULL;
	int rc;

	*out = NULL;
	if (cni_json_text_has_nul(text, len))
		return cni_err(err, refuse_code,
			       "%s contains a NUL character (raw or \\u0000): a string would end "
			       "there",
			       what);
	if ((rc = parse(text, len, decode_code, what, &root, err)) < 0)
		return rc;
	rc = check_tree(root, 1, &dup);
	if (rc == 0) {
		*out = root;
		return 0;
	}
	if (rc == 1)
		rc = cni_err(err, refuse_code,
			     "%s has the key \"%.100s\" twice in one object (readers disagree on "
			     "which one counts; keys differing only in case count as the same)",
			     what, dup);
	else if (rc == 2)
		rc = cni_err(err, refuse_code, "%s nests objects and lists deeper than %d levels",
			     what, CNI_JSON_MAX_DEPTH);
	else
		rc = cni_err(err, CNI_ERR_IO, "out of memory");
	cJSON_Delete(root);
	return rc;
}
