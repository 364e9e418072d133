/* Requests built in the caller's buffer, and the attributes of replies, in the
 * wire format of linux/netlink.h (as iproute2 does it: a few lines, no
 * library). Nothing here allocates; every read stays inside the message. */
#include "knl-internal.h"

#include <errno.h>
#include <string.h>

/* The next free byte of a request. */
static void *msg_tail(const struct knl_msg *m)
{
	return (char *)m->nlh + NLMSG_ALIGN(m->nlh->nlmsg_len);
}

/* Room for len more bytes (aligned), or the request is marked overflowed. */
static bool msg_room(struct knl_msg *m, size_t len)
{
	if (m->overflow || len > m->size || NLMSG_ALIGN(m->nlh->nlmsg_len) > m->size - len) {
		m->overflow = true;
		return false;
	}
	return true;
}

void *knl_msg_init(struct knl_msg *m, void *buf, size_t size, uint16_t type, uint16_t flags,
		   size_t hdr_len)
{
	m->nlh = buf;
	m->size = size;
	m->overflow = false;
	memset(m->nlh, 0, sizeof(*m->nlh));
	m->nlh->nlmsg_len = NLMSG_HDRLEN;
	m->nlh->nlmsg_type = type;
	m->nlh->nlmsg_flags = flags;
	return knl_put_raw(m, hdr_len);
}

void *knl_put_raw(struct knl_msg *m, size_t len)
{
	void *p;

	if (!msg_room(m, NLMSG_ALIGN(len)))
		return NULL;
	p = msg_tail(m);
	memset(p, 0, NLMSG_ALIGN(len));
	m->nlh->nlmsg_len = NLMSG_ALIGN(m->nlh->nlmsg_len) + NLMSG_ALIGN(len);
	return p;
}

void knl_put(struct knl_msg *m, uint16_t type, size_t len, const void *data)
{
	struct nlattr *a;

	if (len > UINT16_MAX - NLA_HDRLEN) {
		m->overflow = true;
		return;
	}
	a = knl_put_raw(m, NLA_HDRLEN + len);
	if (!a)
		return;
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (len)
		memcpy(knl_attr_data(a), data, len);
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
	struct nlattr *nest = knl_put_raw(m, NLA_HDRLEN);

	if (nest)
		nest->nla_type = type | NLA_F_NESTED;
	return nest;
}

void knl_nest_end(struct knl_msg *m, struct nlattr *nest)
{
	size_t len;

	if (!nest)
		return;
	len = (size_t)((char *)msg_tail(m) - (char *)nest);
	if (len > UINT16_MAX) {
		m->overflow = true;
		return;
	}
	nest->nla_len = (uint16_t)len;
}

/* ---- attributes of replies ------------------------------------------------ */

/* Store each well-formed attribute of the len bytes at p by type; stop at the
 * first malformed one and keep what came before it (the kernel never sends
 * one; a torn tail costs only what it would have said). */
static void parse_attrs(const void *p, size_t len, const struct nlattr **tb, unsigned int max)
{
	const struct nlattr *a = p;

	for (unsigned int i = 0; i <= max; i++)
		tb[i] = NULL;
	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
		uint16_t type = a->nla_type & NLA_TYPE_MASK;
		size_t step = NLA_ALIGN(a->nla_len);

		if (type <= max)
			tb[type] = a;
		if (step >= len)
			break;
		len -= step;
		a = (const struct nlattr *)((const char *)a + step);
	}
}

int knl_parse_attrs(const struct nlmsghdr *nlh, size_t hdr_len, const struct nlattr **tb,
		    unsigned int max)
{
	if (knl_payload_len(nlh) < hdr_len) {
		parse_attrs(NULL, 0, tb, max);
		return -EBADMSG;
	}
	knl_parse_payload_at(nlh, hdr_len, tb, max);
	return 0;
}

void knl_parse_nested(const struct nlattr *nest, const struct nlattr **tb, unsigned int max)
{
	parse_attrs(knl_attr_data(nest), knl_attr_len(nest), tb, max);
}

/* Attributes after off bytes of a message's payload (the TLVs of an error or
 * a DONE). */
void knl_parse_payload_at(const struct nlmsghdr *nlh, size_t off, const struct nlattr **tb,
			  unsigned int max)
{
	size_t len = knl_payload_len(nlh);

	off = NLMSG_ALIGN(off) < len ? NLMSG_ALIGN(off) : len;
	parse_attrs((const char *)knl_payload(nlh) + off, len - off, tb, max);
}

uint32_t knl_attr_u32(const struct nlattr *a, uint32_t fallback)
{
	uint32_t v;

	if (!a || knl_attr_len(a) < sizeof(v))
		return fallback;
	memcpy(&v, knl_attr_data(a), sizeof(v));
	return v;
}

void knl_attr_str(const struct nlattr *a, char *buf, size_t len)
{
	size_t n = 0;

	if (a) {
		n = strnlen(knl_attr_data(a), knl_attr_len(a));
		if (n >= len)
			n = len - 1;
		memcpy(buf, knl_attr_data(a), n);
	}
	buf[n] = '\0';
}
