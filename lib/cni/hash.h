/* FNV-1a hashes (32 and 64 bit): stable across builds and machines, so they can
 * name things on a node (routing tables, device names) that later calls find again. */
#ifndef CNI_HASH_H
#define CNI_HASH_H

#include <stddef.h>
#include <stdint.h>

#define CNI_FNV32A_INIT 2166136261u
#define CNI_FNV64A_INIT 14695981039346656037ull

/* Feed len bytes into a running hash (start from CNI_FNV*_INIT). */
uint32_t cni_fnv32a_update(uint32_t h, const void *data, size_t len);
uint64_t cni_fnv64a_update(uint64_t h, const void *data, size_t len);

/* The hash of a NUL-terminated string (without its NUL). */
uint32_t cni_fnv32a_str(const char *s);
uint64_t cni_fnv64a_str(const char *s);

#endif
