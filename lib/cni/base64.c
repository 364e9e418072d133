#include "base64.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *cni_base64_encode(const void *data, size_t len)
{
	const unsigned char *in = data;
	char *out = malloc((len + 2) / 3 * 4 + 1), *p = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		*p++ = alphabet[(v >> 18) & 63];
		*p++ = alphabet[(v >> 12) & 63];
		*p++ = alphabet[(v >> 6) & 63];
		*p++ = alphabet[v & 63];
		if (i + 2 >= len)
			p[-1] = '=';
		if (i + 1 >= len)
			p[-2] = '=';
	}
	*p = '\0';
	return out;
}

static int sextet(char c)
{
	const char *p = c ? strchr(alphabet, c) : NULL;

	return p ? (int)(p - alphabet) : -1;
}

int cni_base64_decode(const char *s, char **out, size_t *len, struct cni_error *err)
{
	size_t n = strlen(s), pad = 0, k = 0;
	unsigned char *buf;

	*out = NULL;
	*len = 0;
	if (n % 4)
		return cni_err(err, CNI_ERR_DECODE, "not base64: length %zu is not a multiple of 4",
			       n);
	while (pad < 2 && n > pad && s[n - 1 - pad] == '=')
		pad++;
	if (!(buf = malloc(n / 4 * 3 + 1)))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	for (size_t i = 0; i < n; i += 4) {
		uint32_t v = 0;

		for (size_t j = 0; j < 4; j++) {
			int x = i + j >= n - pad ? 0 : sextet(s[i + j]);

			if (x < 0) {
				free(buf);
				return cni_err(err, CNI_ERR_DECODE, "not base64: byte %zu", i + j);
			}
			v = v << 6 | (uint32_t)x;
		}
		buf[k++] = v >> 16;
		buf[k++] = (v >> 8) & 0xff;
		buf[k++] = v & 0xff;
	}
	k -= pad;
	buf[k] = '\0';
	*out = (char *)buf;
	*len = k;
	return 0;
}
