/* lib/netlink's wire format (msg.c, socket.c's reply loop): requests built in
 * a caller's buffer, attributes of replies, and what a read of replies ends
 * a request with. Bytes in, bytes out: no socket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <linux/if.h>
#include <linux/ip.h>
#include <linux/rtnetlink.h>

#include "netlink/knl-internal.h"

/* A request with an attribute, a nest holding a string: the kernel's layout
 * (lengths, 4-byte padding, NLA_F_NESTED), read back by the reply parser. */
static void build_and_parse(void **state)
{
	KNL_MSG_BUF(buf, 256);
	struct knl_msg m;
	struct ifinfomsg *ifi;
	struct nlattr *nest;
	const struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1];
	char kind[16];

	(void)state;
	memset(buf, 0xaa, sizeof(buf));
	ifi = knl_msg_init(&m, buf, sizeof(buf), RTM_NEWLINK, NLM_F_CREATE, sizeof(*ifi));
	assert_non_null(ifi);
	assert_int_equal(ifi->ifi_index, 0); /* the family header is zeroed */
	assert_int_equal(m.nlh->nlmsg_len, NLMSG_HDRLEN + sizeof(*ifi));
	knl_put_strz(&m, IFLA_IFNAME, "eth1"); /* 5 bytes: padded to 8 */
	assert_int_equal(m.nlh->nlmsg_len, NLMSG_HDRLEN + sizeof(*ifi) + NLA_HDRLEN + 8);
	nest = knl_nest_start(&m, IFLA_LINKINFO);
	knl_put_strz(&m, IFLA_INFO_KIND, "veth");
	knl_nest_end(&m, nest);
	assert_int_equal(nest->nla_type, IFLA_LINKINFO | NLA_F_NESTED);
	assert_int_equal(nest->nla_len, NLA_HDRLEN + NLA_HDRLEN + 8);
	knl_put_u32(&m, IFLA_MTU, 1400);
	assert_false(m.overflow);
	assert_int_equal(m.nlh->nlmsg_len % 4, 0);

	assert_int_equal(knl_parse_attrs(m.nlh, sizeof(*ifi), tb, IFLA_MAX), 0);
	knl_attr_str(tb[IFLA_IFNAME], kind, sizeof(kind));
	assert_string_equal(kind, "eth1");
	assert_int_equal(knl_attr_u32(tb[IFLA_MTU], 0), 1400);
	assert_null(tb[IFLA_MASTER]);
	knl_parse_nested(tb[IFLA_LINKINFO], li, IFLA_INFO_MAX);
	knl_attr_str(li[IFLA_INFO_KIND], kind, sizeof(kind));
	assert_string_equal(kind, "veth");
	/* A too-short u32 gives the fallback; a string is cut to the buffer. */
	assert_int_equal(knl_attr_u32(NULL, 7), 7);
	knl_attr_str(tb[IFLA_IFNAME], kind, 3);
	assert_string_equal(kind, "et");
}

/* A link change carries IPv4 settings as the kernel reads them:
 * IFLA_AF_SPEC { AF_INET { IFLA_INET_CONF { id: u32 } } }, after the flags;
 * an id the kernel does not know, or too many, are refused before a byte. */
static void link_change_ipv4(void **state)
{
	static const struct knl_ipv4_conf conf[] = {{IPV4_DEVCONF_FORWARDING, 1},
						    {IPV4_DEVCONF_RP_FILTER, 0}};
	struct knl_ipv4_conf bad[KNL_IPV4_CONF_MAX + 1] = {{IPV4_DEVCONF_MAX + 1, 1}};
	KNL_MSG_BUF(buf, 256);
	struct cni_error err = CNI_ERROR_INIT;
	const struct nlattr *tb[IFLA_MAX + 1], *af[AF_INET + 1], *inet[IFLA_INET_MAX + 1];
	const struct nlattr *dev[IPV4_DEVCONF_MAX + 1];
	struct ifinfomsg *ifi;
	struct knl_msg m;
	uint32_t len;

	(void)state;
	ifi = knl_msg_init(&m, buf, sizeof(buf), RTM_NEWLINK, 0, sizeof(*ifi));
	assert_int_equal(
	    knl_put_link_change(
		&m, ifi, &(struct knl_link_change){.up = true, .ipv4_conf = conf, .n_ipv4_conf = 2},
		&err),
	    0);
	assert_false(m.overflow);
	assert_int_equal(ifi->ifi_flags, IFF_UP);
	assert_int_equal(knl_parse_attrs(m.nlh, sizeof(*ifi), tb, IFLA_MAX), 0);
	assert_non_null(tb[IFLA_AF_SPEC]);
	knl_parse_nested(tb[IFLA_AF_SPEC], af, AF_INET);
	assert_non_null(af[AF_INET]);
	knl_parse_nested(af[AF_INET], inet, IFLA_INET_MAX);
	knl_parse_nested(inet[IFLA_INET_CONF], dev, IPV4_DEVCONF_MAX);
	assert_int_equal(knl_attr_u32(dev[IPV4_DEVCONF_FORWARDING], 9), 1);
	assert_int_equal(knl_attr_u32(dev[IPV4_DEVCONF_RP_FILTER], 9), 0);
	assert_null(dev[IPV4_DEVCONF_ACCEPT_LOCAL]);

	len = m.nlh->nlmsg_len;
	assert_int_equal(
	    knl_put_link_change(
		&m, ifi, &(struct knl_link_change){.ipv4_conf = bad, .n_ipv4_conf = 1}, &err),
	    -EINVAL);
	assert_non_null(strstr(err.msg, "unknown IPv4 setting"));
	bad[0].id = 0;
	assert_int_equal(
	    knl_put_link_change(
		&m, ifi, &(struct knl_link_change){.ipv4_conf = bad, .n_ipv4_conf = 1}, &err),
	    -EINVAL);
	bad[0].id = IPV4_DEVCONF_FORWARDING;
	assert_int_equal(
	    knl_put_link_change(
		&m, ifi,
		&(struct knl_link_change){.ipv4_conf = bad, .n_ipv4_conf = KNL_IPV4_CONF_MAX + 1},
		&err),
	    -EINVAL);
	assert_int_equal(m.nlh->nlmsg_len, len);
}

/* What does not fit is not written, and the request is marked. */
static void overflow_marks(void **state)
{
	KNL_MSG_BUF(buf, 40);
	struct knl_msg m;
	uint32_t len;

	(void)state;
	knl_msg_init(&m, buf, sizeof(buf), RTM_NEWADDR, 0, sizeof(struct ifaddrmsg));
	knl_put_u32(&m, IFA_FLAGS, 1); /* 16 + 8 + 8 = 32 */
	assert_false(m.overflow);
	len = m.nlh->nlmsg_len;
	knl_put_u32(&m, IFA_FLAGS, 2); /* would end at 40: fits exactly */
	assert_false(m.overflow);
	len = m.nlh->nlmsg_len;
	knl_put_strz(&m, IFA_LABEL, "x");
	assert_true(m.overflow);
	assert_int_equal(m.nlh->nlmsg_len, len);
	assert_null(knl_nest_start(&m, IFA_CACHEINFO));
	knl_nest_end(&m, NULL);
}

/* A torn or lying attribute ends the parse; what came before it is kept. */
static void malformed_attrs(void **state)
{
	KNL_MSG_BUF(buf, 64);
	struct knl_msg m;
	struct nlattr *bad;
	const struct nlattr *tb[IFA_MAX + 1];

	(void)state;
	knl_msg_init(&m, buf, sizeof(buf), RTM_NEWADDR, 0, sizeof(struct ifaddrmsg));
	knl_put_u32(&m, IFA_FLAGS, 5);
	bad = knl_put_raw(&m, NLA_HDRLEN);
	bad->nla_type = IFA_LABEL;
	bad->nla_len = 200; /* past the message */
	assert_int_equal(knl_parse_attrs(m.nlh, sizeof(struct ifaddrmsg), tb, IFA_MAX), 0);
	assert_int_equal(knl_attr_u32(tb[IFA_FLAGS], 0), 5);
	assert_null(tb[IFA_LABEL]);
	bad->nla_len = 2; /* shorter than its own header */
	assert_int_equal(knl_parse_attrs(m.nlh, sizeof(struct ifaddrmsg), tb, IFA_MAX), 0);
	assert_null(tb[IFA_LABEL]);
	/* A payload shorter than its family header. */
	m.nlh->nlmsg_len = NLMSG_HDRLEN + 4;
	assert_int_equal(knl_parse_attrs(m.nlh, sizeof(struct ifaddrmsg), tb, IFA_MAX), -EBADMSG);
	assert_null(tb[IFA_FLAGS]);
}

/* ---- the reply loop ------------------------------------------------------- */

static int count_data(const struct nlmsghdr *nlh, void *arg)
{
	(void)nlh;
	(*(int *)arg)++;
	return 0;
}

/* Append a message of type, seq and flags with payload to the read in buf. */
static size_t put_reply(char *buf, size_t at, uint16_t type, uint32_t seq, uint16_t flags,
			const void *payload, size_t len)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(buf + at);

	memset(nlh, 0, NLMSG_SPACE(len));
	nlh->nlmsg_len = NLMSG_LENGTH(len);
	nlh->nlmsg_type = type;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_flags = flags;
	memcpy(NLMSG_DATA(nlh), payload, len);
	return at + NLMSG_SPACE(len);
}

/* A dump's replies: another request's reply is skipped, an interrupted dump
 * is noted and read to its end, DONE ends it. */
static void dump_replies(void **state)
{
	KNL_MSG_BUF(buf, 512);
	struct ifinfomsg ifi = {0};
	int zero = 0, n = 0;
	struct knl_status st = {0};
	struct knl_replies t = {.parse = count_data, .arg = &n, .st = &st};
	struct knl_replies t2 = {.parse = count_data, .arg = &n, .st = &st};
	size_t len = 0;

	(void)state;
	len = put_reply(buf, len, RTM_NEWLINK, 6, NLM_F_MULTI, &ifi, sizeof(ifi));
	len = put_reply(buf, len, RTM_NEWLINK, 7, NLM_F_MULTI, &ifi, sizeof(ifi));
	len = put_reply(buf, len, RTM_NEWLINK, 7, NLM_F_MULTI | NLM_F_DUMP_INTR, &ifi, sizeof(ifi));
	knl_replies_take(&t, 7, buf, len);
	assert_false(t.done);
	/* seq 6 skipped; from the interrupted one on nothing is parsed (the
	 * caller rewinds and asks again). */
	assert_int_equal(n, 1);
	assert_int_equal(st.err, -EAGAIN);
	len = put_reply(buf, 0, NLMSG_DONE, 7, NLM_F_MULTI, &zero, sizeof(zero));
	len = put_reply(buf, len, RTM_NEWLINK, 7, NLM_F_MULTI, &ifi, sizeof(ifi));
	knl_replies_take(&t, 7, buf, len);
	assert_true(t.done);
	assert_int_equal(n, 1);
	assert_int_equal(st.err, -EAGAIN);
	/* A clean dump: every reply parsed, nothing after DONE. */
	memset(&st, 0, sizeof(st));
	n = 0;
	len = put_reply(buf, 0, RTM_NEWLINK, 8, NLM_F_MULTI, &ifi, sizeof(ifi));
	len = put_reply(buf, len, RTM_NEWLINK, 8, NLM_F_MULTI, &ifi, sizeof(ifi));
	len = put_reply(buf, len, NLMSG_DONE, 8, NLM_F_MULTI, &zero, sizeof(zero));
	len = put_reply(buf, len, RTM_NEWLINK, 8, NLM_F_MULTI, &ifi, sizeof(ifi));
	knl_replies_take(&t2, 8, buf, len);
	assert_true(t2.done);
	assert_int_equal(n, 2);
	assert_int_equal(st.err, 0);
}

/* An error ends the request with its errno and the kernel's message, without
 * its final period; a torn message is not read. */
static void error_with_extack(void **state)
{
	KNL_MSG_BUF(buf, 256);
	struct {
		struct nlmsgerr e;
		struct nlattr a;
		char msg[16];
	} payload = {.e = {.error = -EEXIST}, .a = {NLA_HDRLEN + 16, NLMSGERR_ATTR_MSG}};
	struct knl_status st = {0};
	struct knl_replies t = {.st = &st};
	size_t len;

	(void)state;
	payload.e.msg.nlmsg_len = NLMSG_HDRLEN; /* capped: our request is not echoed */
	strcpy(payload.msg, "File exists.");
	len = put_reply(buf, 0, NLMSG_ERROR, 3, NLM_F_CAPPED | NLM_F_ACK_TLVS, &payload,
			sizeof(payload));
	knl_replies_take(&t, 3, buf, len - 1); /* torn: nothing */
	assert_false(t.done);
	knl_replies_take(&t, 3, buf, len);
	assert_true(t.done);
	assert_int_equal(st.err, -EEXIST);
	assert_string_equal(st.ext, "File exists");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(build_and_parse),	 cmocka_unit_test(overflow_marks),
	    cmocka_unit_test(malformed_attrs),	 cmocka_unit_test(dump_replies),
	    cmocka_unit_test(error_with_extack), cmocka_unit_test(link_change_ipv4),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
