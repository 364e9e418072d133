#include <string.h>

#include "knl-internal.h"

static struct knl_name_index *find(struct knl_sock *sk, const char *name, int index)
{
	for (unsigned int i = 0; i < KNL_NAMES_MAX; i++) {
		struct knl_name_index *e = &sk->names[i];

		if (e->index && ((name && strcmp(e->name, name) == 0) || e->index == index))
			return e;
	}
	return NULL;
}

int knl_names_get(const struct knl_sock *sk, const char *name)
{
	for (unsigned int i = 0; i < KNL_NAMES_MAX; i++)
		if (sk->names[i].index && strcmp(sk->names[i].name, name) == 0)
			return sk->names[i].index;
	return 0;
}

void knl_names_forget(struct knl_sock *sk, const char *name, int index)
{
	struct knl_name_index *e;

	while ((e = find(sk, name, index)))
		memset(e, 0, sizeof(*e));
}

void knl_names_put(struct knl_sock *sk, const char *name, int index)
{
	struct knl_name_index *e;
	size_t len = name ? strlen(name) : 0;

	if (!len || index <= 0 || len >= KNL_IFNAMSIZ)
		return;
	knl_names_forget(sk, name, index);
	e = &sk->names[sk->next_name];
	sk->next_name = (sk->next_name + 1) % KNL_NAMES_MAX;
	memcpy(e->name, name, len + 1);
	e->index = index;
}
