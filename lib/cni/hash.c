#include "hash.h"

#include <string.h>

#define FNV32_PRIME 16777619u
#define FNV64_PRIME 1099511628211ull

uint32_t cni_fnv32a_update(uint32_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= FNV32_PRIME;
	}
	return h;
}

uint64_t cni_fnv64a_update(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= FNV64_PRIME;
	}
	return h;
}

uint32_t cni_fnv32a_str(const char *s)
{
	return cni_fnv32a_update(CNI_FNV32A_INIT, s, strlen(s));
}

uint64_t cni_fnv64a_str(const char *s)
{
	return cni_fnv64a_update(CNI_FNV64A_INIT, s, strlen(s));
}
