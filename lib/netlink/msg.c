/* Requests built in the caller's buffer, and the attributes of replies, with
 * libmnl. Nothing here allocates. */
#include "knl-internal.h"

#include <errno.h>
#include <string.h>

void *knl_msg_init(struct knl_msg *m, void *buf, size_t size, uint16_t type, uint16_t flags,
		   size_t hdr_len)
{
	m->nlh = mnl_nlmsg_put_header(buf);
	m->nlh->nlmsg_type = type;
	m->nlh->nlmsg_flags = flags;
	m->size = size;
	m->overflow = false;
	return mnl_nlmsg_put_extra_header(m->nlh, hdr_len);
}

void knl_put(struct knl_msg *m, uint16_t type, size_t len, const void *data)
{
	if (!mnl_attr_put_check(m->nlh, m->size, type, len, data))
		m->overflow = true;
}

void knl_put_u32(struct knl_msg *m, uint16_t type, uint32_t v)
{
	knl_put(m, type, sizeof(v), &v);
}

void knl_put_strz(struct knl_msg *m, uint16_t type, const char *s)
{
	knl_put(m, type, strlen(s) + 1, s);
}

struct nlattr *knl_nest_start(struct knl_msg *m, uint16_t type)
{
	struct nlattr *nest = mnl_attr_nest_start_check(m->nlh, m->size, type);

	if (!nest)
		m->overflow = true;
	return nest;
}

void knl_nest_end(struct knl_msg *m, struct nlattr *nest)
{
	if (nest)
		mnl_attr_nest_end(m->nlh, nest);
}

void *knl_put_raw(struct knl_msg *m, size_t len)
{
	if (m->nlh->nlmsg_len + MNL_ALIGN(len) > m->size) {
		m->overflow = true;
		return NULL;
	}
	return mnl_nlmsg_put_extra_header(m->nlh, len);
}

/* ---- attributes of replies ------------------------------------------------ */

struct attr_table {
	const struct nlattr **tb;
	unsigned int max;
};

static int store_attr(const struct nlattr *a, void *data)
{
	const struct attr_table *t = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type <= t->max)
		t->tb[type] = a;
	return MNL_CB_OK;
}

int knl_parse_attrs(const struct nlmsghdr *nlh, size_t hdr_len, const struct nlattr **tb,
		    unsigned int max)
{
	struct attr_table t = {tb, max};

	for (unsigned int i = 0; i <= max; i++)
		tb[i] = NULL;
	if (mnl_nlmsg_get_payload_len(nlh) < hdr_len)
		return -EBADMSG;
	/* libmnl stops at a malformed attribute and keeps what came before it,
	 * as libnl did: nothing to report. */
	(void)mnl_attr_parse(nlh, hdr_len, store_attr, &t);
	return 0;
}

void knl_parse_nested(const struct nlattr *nest, const struct nlattr **tb, unsigned int max)
{
	struct attr_table t = {tb, max};

	for (unsigned int i = 0; i <= max; i++)
		tb[i] = NULL;
	(void)mnl_attr_parse_nested(nest, store_attr, &t);
}

uint32_t knl_attr_u32(const struct nlattr *a, uint32_t fallback)
{
	return a && mnl_attr_get_payload_len(a) >= sizeof(uint32_t) ? mnl_attr_get_u32(a)
								    : fallback;
}

void knl_attr_str(const struct nlattr *a, char *buf, size_t len)
{
	size_t n = 0;

	if (a) {
		n = strnlen(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
		if (n >= len)
			n = len - 1;
		memcpy(buf, mnl_attr_get_payload(a), n);
	}
	buf[n] = '\0';
}
