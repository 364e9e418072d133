#include "array.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *cni_array_push(struct cni_array *a, size_t elem_size, size_t max, const char *what,
		     struct cni_error *err)
{
	char *slot;

	if (max && a->n >= max) {
		cni_err(err, CNI_ERR_INVALID_CONFIG, "too many %s: at most %zu", what, max);
		return NULL;
	}
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		void *v;

		if (cap > SIZE_MAX / elem_size || !(v = realloc(a->v, cap * elem_size))) {
			cni_err_errno(err, CNI_ERR_IO, ENOMEM, "%s", what);
			return NULL;
		}
		a->v = v;
		a->cap = cap;
	}
	slot = (char *)a->v + a->n++ * elem_size;
	memset(slot, 0, elem_size);
	return slot;
}
