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
	items->cap = 0;
}

static int dup_opt(const char *s, char **out)
{
	*out = NULL;
	return s && !(*out = strdup(s)) ? -1 : 0;
}

int tl_items_add(struct tl_items *items, enum tl_kind kind, const char *name, const char *path,
		 const char *value, struct cni_error *err)
{
	struct tl_item *it;

	if (items->n == items->cap) {
		size_t cap = items->cap ? items->cap * 2 : 8;
		struct tl_item *v = reallocarray(items->v, cap, sizeof(*v));

		if (!v)
			return cni_err(err, CNI_ERR_IO, "out of memory");
		items->v = v;
		items->cap = cap;
	}
	it = &items->v[items->n];
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

/* ---- the index ---- */

static int pos_cmp(const void *a, const void *b, void *arg)
{
	const struct tl_items *items = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(items->v[x].path, items->v[y].path);

	return c ? c : (x > y) - (x < y);
}

void tl_index_free(struct tl_index *ix)
{
	free(ix->pos);
	ix->pos = NULL;
	ix->n = 0;
}

int tl_index_build(const struct tl_items *items, struct tl_index *ix, struct cni_error *err)
{
	ix->items = items;
	ix->n = 0;
	if (!(ix->pos = malloc((items->n ? items->n : 1) * sizeof(*ix->pos))))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	for (size_t i = 0; i < items->n; i++)
		if (items->v[i].kind == TL_SYSCTL && items->v[i].path)
			ix->pos[ix->n++] = i;
	qsort_r(ix->pos, ix->n, sizeof(*ix->pos), pos_cmp, (void *)items);
	return 0;
}

long tl_index_find(const struct tl_index *ix, const char *path)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(ix->items->v[ix->pos[mid]].path, path) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ix->n && strcmp(ix->items->v[ix->pos[lo]].path, path) == 0)
		return (long)ix->pos[lo];
	return -1;
}

bool tl_index_duplicate(const struct tl_index *ix, size_t *a, size_t *b)
{
	for (size_t i = 1; i < ix->n; i++) {
		const struct tl_item *x = &ix->items->v[ix->pos[i - 1]];

		if (strcmp(x->path, ix->items->v[ix->pos[i]].path) == 0) {
			*a = ix->pos[i - 1];
			*b = ix->pos[i];
			return true;
		}
	}
	return false;
}
