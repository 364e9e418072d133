/* libFuzzer target: the spare counts that krafty keeps in its spares lock
 * file (spares.c): any bytes as the file, then a count read and a count
 * written back. Checks the round trip: a line written is read back as given,
 * unless it did not fit; the other kinds' lines are kept. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/krafty/krafty.h"

#define FILE_MAX 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const prefixes[] = {"krsb", "krsv0000000a"};
	char text[FILE_MAX + 1];
	size_t len;
	int k, other;

	if (size < 2)
		return 0;
	k = (int)(data[0] % 101) - 1; /* -1 (remove) to 99 */
	const char *prefix = prefixes[data[1] & 1], *peer = prefixes[!(data[1] & 1)];
	len = size - 2 > FILE_MAX ? FILE_MAX : size - 2;
	memcpy(text, data + 2, len);
	text[len] = '\0';
	(void)kr_spare_count_get(text, len, prefix, KR_MAX_SPARES);
	other = kr_spare_count_get(text, len, peer, KR_MAX_SPARES);
	kr_spare_count_set(text, &len, sizeof(text), prefix, k);
	if (len > FILE_MAX || text[len] != '\0')
		abort();
	if (k < 0 && kr_spare_count_get(text, len, prefix, KR_MAX_SPARES) >= 0)
		abort(); /* removed, yet still there */
	if (k >= 0 && len + 20 < FILE_MAX &&
	    kr_spare_count_get(text, len, prefix, KR_MAX_SPARES) != k)
		abort(); /* written (there was room), yet not read back */
	if (other >= 0 && kr_spare_count_get(text, len, peer, KR_MAX_SPARES) != other)
		abort();
	return 0;
}
