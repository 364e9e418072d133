/* A growable array of fixed-size elements, for results of unknown count (dumps,
 * directory scans, config lists). Capacity doubles; new elements are zeroed. */
#ifndef CNI_ARRAY_H
#define CNI_ARRAY_H

#include <stddef.h>

#include "error.h"

struct cni_array {
	void *v;    /* the elements; NULL while empty. The caller owns it (free()). */
	size_t n;   /* elements in use */
	size_t cap; /* elements allocated */
};

#define CNI_ARRAY_INIT                                                                             \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

/* Append one zeroed element of elem_size bytes and return it. At most max
 * elements (0: no limit but memory): one more is CNI_ERR_INVALID_CONFIG naming
 * `what`, since the limits guard input from configs and files. NULL on
 * failure with err set (-ENOMEM as CNI_ERR_IO). */
void *cni_array_push(struct cni_array *a, size_t elem_size, size_t max, const char *what,
		     struct cni_error *err);

/* `struct knl_route *r = CNI_ARRAY_PUSH(&a, struct knl_route, 0, "routes", err);` */
#define CNI_ARRAY_PUSH(a, type, max, what, err)                                                    \
	((type *)cni_array_push((a), sizeof(type), (max), (what), (err)))

#endif
