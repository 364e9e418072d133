#include "version.h"

#include <stdlib.h>
#include <string.h>

const char *const cni_supported_versions[] = {"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"};
const int cni_n_supported_versions =
    (int)(sizeof(cni_supported_versions) / sizeof(cni_supported_versions[0]));

bool cni_version_supported(const char *v)
{
	if (!v)
		return false;
	for (int i = 0; i < cni_n_supported_versions; i++)
		if (strcmp(v, cni_supported_versions[i]) == 0)
			return true;
	return false;
}

int cni_version_cmp(const char *a, const char *b)
{
	for (int i = 0; i < 3; i++) {
		long x = a ? strtol(a, (char **)&a, 10) : 0;
		long y = b ? strtol(b, (char **)&b, 10) : 0;

		if (x != y)
			return x < y ? -1 : 1;
		a = (a && *a == '.') ? a + 1 : NULL;
		b = (b && *b == '.') ? b + 1 : NULL;
	}
	return 0;
}
