/* Lists of settings with values (what a config wants, what a state file saved). */
#include "tuning.h"

#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {
    [TL_MAC] = "mac",	      [TL_MTU] = "mtu",		  [TL_TXQLEN] = "txqlen",
    [TL_PROMISC] = "promisc", [TL_ALLMULTI] = "allmulti", [TL_SYSCTL] = "sysctl",
};

const char *tl_kind_name(enum tl_kind kind)
{
	return kind <= TL_SYSCTL ? kind_names[kind] : "?";
}

void tl_items_free(struct tl_items *items)
{
	for (size_t i = 0; i < items->n; i++) {
		free(items->v[i].name);
		free(items->v[i].path);
		free(items->v[i].value);
	}
	free(items->v);
	items->v = NULL;
	items->n = 0;
}

static int dup_opt(const char *s, char **out)
{
	*out = NULL;
	return s && !(*out = strdup(s)) ? -1 : 0;
}

int tl_items_add(struct tl_items *items, enum tl_kind kind, const char *name, const char *path,
		 const char *value, struct cni_error *err)
{
	struct tl_item *v = reallocarray(items->v, items->n + 1, sizeof(*v));
	struct tl_item *it;

	if (!v)
		return cni_err(err, CNI_ERR_IO, "out of memory");
	items->v = v;
	it = &v[items->n];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	if (dup_opt(name ? name : tl_kind_name(kind), &it->name) < 0 ||
	    dup_opt(path, &it->path) < 0 || dup_opt(value, &it->value) < 0) {
		free(it->name);
		free(it->path);
		free(it->value);
		return cni_err(err, CNI_ERR_IO, "out of memory");
	}
	items->n++;
	return 0;
}

struct tl_item *tl_items_find(const struct tl_items *items, const struct tl_item *like)
{
	for (size_t i = 0; i < items->n; i++) {
		struct tl_item *it = &items->v[i];

		if (it->kind != like->kind)
			continue;
		if (it->kind != TL_SYSCTL ||
		    (it->path && like->path && !strcmp(it->path, like->path)))
			return it;
	}
	return NULL;
}
