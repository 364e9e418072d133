/* Reading and changing the interface's settings, in the current netns (the
 * caller has entered CNI_NETNS): snapshot and checks first, changes after. */
#include "tuning.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cni/cleanup.h"

void tl_iface_close(struct tl_iface *ifc)
{
	knl_close(ifc->sk);
	ifc->sk = NULL;
}

int tl_iface_open(const char *name, struct tl_iface *ifc, struct cni_error *err)
{
	int r;

	memset(ifc, 0, sizeof(*ifc));
	ifc->name = name;
	if ((r = knl_open(&ifc->sk, err)) < 0)
		return r;
	r = knl_link_info(ifc->sk, name, &ifc->info, err);
	if (r == -ENODEV)
		cni_err(err, TL_ERR_NO_IFACE, "interface %s does not exist", name);
	return r;
}

static int read_sysctl(const struct tl_item *want, char *buf, struct cni_error *err)
{
	int r = knl_sysctl_read_path(want->path, buf, TL_VALUE_MAX, err);

	if (r == -ENOENT || r == -ENOTDIR || r == -EISDIR)
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "sysctl %s does not exist in the container's network namespace",
			       want->name);
	if (r < 0)
		return r;
	/* Root passes access() on most files, but /proc/sys applies the mode
	 * bits to root too: a 0444 sysctl is refused here, before any change. */
	if (access(want->path, W_OK) < 0)
		return cni_err_errno(err, CNI_ERR_INVALID_CONFIG, errno,
				     "sysctl %s is not writable", want->name);
	return 0;
}

static int check_mtu(const struct tl_iface *ifc, const char *value, struct cni_error *err)
{
	long mtu = strtol(value, NULL, 10);
	int min = ifc->info.min_mtu, max = ifc->info.max_mtu;

	/* max_mtu 0 means the device sets no upper limit. */
	if ((min >= 0 && mtu < min) || (max > 0 && mtu > max))
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "mtu %ld is outside the limits of %s (%d to %d)", mtu, ifc->name,
			       min, max);
	return 0;
}

/* The current value of want's setting, with the checks only the netns allows. */
static int current_value(const struct tl_iface *ifc, const struct tl_item *want, char *buf,
			 struct cni_error *err)
{
	const struct knl_link_info *li = &ifc->info;

	switch (want->kind) {
	case TL_MAC:
		if (strlen(li->mac) != 17)
			return cni_err(err, CNI_ERR_INVALID_CONFIG,
				       "%s has no Ethernet address to change", ifc->name);
		snprintf(buf, TL_VALUE_MAX, "%s", li->mac);
		return 0;
	case TL_MTU:
		snprintf(buf, TL_VALUE_MAX, "%u", li->mtu);
		return check_mtu(ifc, want->value, err);
	case TL_TXQLEN:
		snprintf(buf, TL_VALUE_MAX, "%u", li->txqlen);
		return 0;
	case TL_PROMISC:
	case TL_ALLMULTI:
		snprintf(buf, TL_VALUE_MAX, "%s",
			 (want->kind == TL_PROMISC ? li->promisc : li->allmulti) ? "true"
										 : "false");
		return 0;
	case TL_SYSCTL:
		return read_sysctl(want, buf, err);
	}
	return cni_err(err, CNI_ERR_PLUGIN, "unknown setting kind %d", want->kind);
}

int tl_snapshot(struct tl_iface *ifc, const struct tl_items *want, struct tl_items *current,
		struct cni_error *err)
{
	int rc;
	char buf[TL_VALUE_MAX];
	int r;

	/* Fresh link attributes: a second snapshot (under the state lock) must not
	 * reuse what the first one read. */
	r = knl_link_info(ifc->sk, ifc->name, &ifc->info, err);
	if (r == -ENODEV)
		return cni_err(err, TL_ERR_NO_IFACE, "interface %s does not exist", ifc->name);
	if (r < 0)
		return -1;
	for (size_t i = 0; i < want->n; i++) {
		const struct tl_item *w = &want->v[i];

		if ((rc = current_value(ifc, w, buf, err)) < 0 ||
		    (rc = tl_items_add(current, w->kind, w->name, w->path, buf, err)) < 0)
			return rc;
	}
	return 0;
}

bool tl_value_equal(const struct tl_item *item, const char *value)
{
	if (item->kind == TL_MAC)
		return strcasecmp(item->value, value) == 0;
	if (item->kind == TL_SYSCTL)
		return tl_sysctl_values_equal(item->value, value);
	return strcmp(item->value, value) == 0;
}

/* Set one setting to value. Returns 0 or a negative errno (err set). */
static int write_item(struct tl_iface *ifc, const struct tl_item *it, const char *value,
		      struct cni_error *err)
{
	bool on = strcmp(value, "true") == 0;

	switch (it->kind) {
	case TL_MAC:
		return knl_link_set_mac(ifc->sk, ifc->name, value, err);
	case TL_MTU:
		return knl_link_set_mtu(ifc->sk, ifc->name, strtoul(value, NULL, 10), err);
	case TL_TXQLEN:
		return knl_link_set_txqlen(ifc->sk, ifc->name, strtoul(value, NULL, 10), err);
	case TL_PROMISC:
		return knl_link_set_promisc(ifc->sk, ifc->name, on, err);
	case TL_ALLMULTI:
		return knl_link_set_allmulti(ifc->sk, ifc->name, on, err);
	case TL_SYSCTL:
		return knl_sysctl_write_path(it->path, value, err);
	}
	return cni_err(err, CNI_ERR_PLUGIN, "unknown setting kind %d", it->kind);
}

/* Append to a message buffer; a long message is cut, which is fine. */
static void append(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t size, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

/* Put back current[] for the items before `failed` that apply changed. */
static int roll_back(struct tl_iface *ifc, const struct tl_items *want,
		     const struct tl_items *current, size_t failed, struct cni_error *err)
{
	struct cni_error undo = CNI_ERROR_INIT;
	char left[sizeof(err->details)] = "";

	for (size_t i = failed; i-- > 0;) {
		if (tl_value_equal(&want->v[i], current->v[i].value))
			continue;
		if (write_item(ifc, &current->v[i], current->v[i].value, &undo) < 0)
			append(left, sizeof(left), "%s%s", left[0] ? "; " : "", undo.msg);
	}
	if (!left[0])
		return cni_err_prefix(err, "nothing changed (undone)");
	cni_err_wrap(err, TL_ERR_ROLLBACK, "interface partly changed, undo failed");
	return cni_err_details(err, "not undone: %s", left);
}

int tl_apply(struct tl_iface *ifc, const struct tl_items *want, const struct tl_items *current,
	     struct cni_error *err)
{
	for (size_t i = 0; i < want->n; i++) {
		if (tl_value_equal(&want->v[i], current->v[i].value))
			continue;
		if (write_item(ifc, &want->v[i], want->v[i].value, err) < 0)
			return roll_back(ifc, want, current, i, err);
	}
	return 0;
}

int tl_restore(struct tl_iface *ifc, struct tl_items *saved, struct cni_error *err)
{
	int rc;
	cleanup_items struct tl_items failed = {0};
	struct cni_error one = CNI_ERROR_INIT;
	char why[sizeof(err->details)] = "";

	for (size_t i = saved->n; i-- > 0;) {
		const struct tl_item *it = &saved->v[i];
		int r = write_item(ifc, it, it->value, &one);

		/* A per-device sysctl directory can vanish (IPv6 off): nothing to restore. */
		if (r == 0 || (it->kind == TL_SYSCTL && r == -ENOENT))
			continue;
		append(why, sizeof(why), "%s%s", why[0] ? "; " : "", one.msg);
		if ((rc = tl_items_add(&failed, it->kind, it->name, it->path, it->value, err)) < 0)
			return rc;
	}
	tl_items_free(saved);
	*saved = failed;
	memset(&failed, 0, sizeof(failed));
	if (!saved->n)
		return 0;
	cni_err(err, CNI_ERR_IO,
		"could not restore %zu saved value(s) of %s; kept for the next DEL", saved->n,
		ifc->name);
	return cni_err_details(err, "%s", why);
}

int tl_check(const struct tl_items *want, const struct tl_items *current, struct cni_error *err)
{
	char names[256] = "", diffs[sizeof(err->details)] = "";
	size_t n = 0;

	for (size_t i = 0; i < want->n; i++) {
		const struct tl_item *w = &want->v[i];

		if (tl_value_equal(w, current->v[i].value))
			continue;
		n++;
		append(names, sizeof(names), "%s%s", n > 1 ? ", " : "", w->name);
		append(diffs, sizeof(diffs), "%s%s: config %s, current %s", n > 1 ? "; " : "",
		       w->name, w->value, current->v[i].value);
	}
	if (!n)
		return 0;
	cni_err(err, TL_ERR_CHECK, "%zu setting(s) differ from the config: %s", n, names);
	return cni_err_details(err, "%s", diffs);
}
