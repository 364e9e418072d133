/* Standard base64 (RFC 4648, with padding), as Go's encoding/json writes a []byte:
 * libcni keeps the network config in its result cache that way. */
#ifndef CNI_BASE64_H
#define CNI_BASE64_H

#include <stddef.h>

#include "error.h"

/* A malloc'd NUL-terminated encoding of len bytes; NULL on OOM. */
char *cni_base64_encode(const void *data, size_t len);
/* Decode s (whitespace is not allowed) into a malloc'd buffer, NUL-terminated
 * after *len bytes. CNI_ERR_DECODE when s is not base64. */
int cni_base64_decode(const char *s, char **out, size_t *len, struct cni_error *err);

#endif
