/* libFuzzer target: what lib/netlink reads from the kernel, by its own parser.
 * The bytes are one read of a socket: every message goes through the reply
 * loop (knl_replies_take) as a reply to sequence 1 of a dump, and each data
 * message through the parser of its type (links, routes of both families,
 * addresses' attributes). Reads must stay inside the bytes; the extended ack
 * must come out NUL-terminated. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "netlink/knl-internal.h"

static int parse_any(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[IFA_MAX + 1];
	struct knl_link_info info;
	struct knl_route route;
	char buf[64];
	size_t *seen = arg;

	(*seen)++;
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
		if (knl_payload_len(nlh) >= sizeof(struct ifinfomsg))
			knl_link_info_parse(nlh, &info);
		break;
	case RTM_NEWROUTE:
		(void)knl_route_decode(nlh, AF_INET, &route);
		(void)knl_route_decode(nlh, AF_INET6, &route);
		break;
	case RTM_NEWADDR:
		if (knl_parse_attrs(nlh, sizeof(struct ifaddrmsg), tb, IFA_MAX) < 0)
			break;
		for (unsigned int i = 0; i <= IFA_MAX; i++) {
			knl_attr_str(tb[i], buf, sizeof(buf));
			(void)knl_attr_u32(tb[i], 0);
		}
		break;
	default:
		return -EINVAL; /* the request's result: later replies are still read */
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A read lands in an aligned buffer of this size (socket.c). */
	static char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct knl_status st = {0};
	size_t seen = 0;
	struct knl_replies t = {.parse = parse_any, .arg = &seen, .st = &st};

	if (size > sizeof(buf))
		size = sizeof(buf);
	memcpy(buf, data, size);
	knl_replies_take(&t, 1, buf, size);
	if (strnlen(st.ext, sizeof(st.ext)) == sizeof(st.ext))
		__builtin_trap();
	return 0;
}
