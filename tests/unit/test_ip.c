/* Unit tests for lib/cni/ip.h: parsing and formatting addresses and prefixes,
 * network and last address, containment, arithmetic, comparisons; IPv4 and
 * IPv6 at the edges (/0, /31, /32, /127, /128), IPv4-mapped IPv6, and the
 * malformed inputs that must be refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <string.h>

#include "cni/ip.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct cni_ip ip_of(const char *s)
{
	struct cni_ip ip;

	if (cni_ip_parse(s, &ip) != 0)
		fail_msg("cni_ip_parse(\"%s\") failed", s);
	return ip;
}

static struct cni_prefix prefix_of(const char *s)
{
	struct cni_prefix p;

	if (cni_prefix_parse(s, &p) != 0)
		fail_msg("cni_prefix_parse(\"%s\") failed", s);
	return p;
}

static const char *fmt_ip(const struct cni_ip *ip, char buf[CNI_IP_STRLEN])
{
	cni_ip_format(ip, buf);
	return buf;
}

static void ip_parse_format(void **state)
{
	static const struct {
		const char *in, *out;
		int family;
	} cases[] = {
	    {"10.1.2.3", "10.1.2.3", AF_INET},
	    {"0.0.0.0", "0.0.0.0", AF_INET},
	    {"255.255.255.255", "255.255.255.255", AF_INET},
	    {"fd00::1", "fd00::1", AF_INET6},
	    {"FD00:0:0:0:0:0:0:1", "fd00::1", AF_INET6}, /* canonical: lower case, :: */
	    {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", AF_INET6},
	    {"::", "::", AF_INET6},
	    {"::1", "::1", AF_INET6},
	    {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	     AF_INET6},
	    /* IPv4-mapped IPv6 stays IPv6 (it is not folded into IPv4). */
	    {"::ffff:10.1.2.3", "::ffff:10.1.2.3", AF_INET6},
	    {"::ffff:a01:203", "::ffff:10.1.2.3", AF_INET6},
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct cni_ip ip;
		char buf[CNI_IP_STRLEN];

		if (cni_ip_parse(cases[i].in, &ip) != 0)
			fail_msg("cni_ip_parse(\"%s\") refused", cases[i].in);
		assert_int_equal(ip.family, cases[i].family);
		assert_string_equal(fmt_ip(&ip, buf), cases[i].out);
	}
}

static void ip_bytes_network_order(void **state)
{
	struct cni_ip v4 = ip_of("10.1.2.3"), v6 = ip_of("2001:db8::ff");
	static const uint8_t want4[16] = {10, 1, 2, 3};
	static const uint8_t want6[16] = {0x20, 0x01, 0x0d, 0xb8, [14] = 0, [15] = 0xff};

	assert_int_equal(cni_ip_bytes(&v4), 4);
	assert_int_equal(cni_ip_bytes(&v6), 16);
	/* IPv4 uses the first 4 bytes; the rest is zeroed by the parser. */
	assert_memory_equal(v4.addr, want4, 16);
	assert_memory_equal(v6.addr, want6, 16);
}

static void ip_parse_malformed(void **state)
{
	static const char *const bad[] = {
	    "",
	    "10.0.0",
	    "10.0.0.256",
	    "10.0.0.1.5",
	    "10.0.0.-1",
	    "010.0.0.1", /* leading zeros: octal in some parsers, refused */
	    " 10.0.0.1",
	    "10.0.0.1 ",
	    "10.0.0.1\n",
	    "10.0.0.1/32", /* a prefix is not an address */
	    "0x0a.0.0.1",
	    "fd00:::1",
	    "fd00::1::2",
	    "fd00::g",
	    "1:2:3:4:5:6:7:8:9",
	    "12345::1",
	    "fe80::1%eth0", /* zones are not addresses */
	    "[fd00::1]",
	    "::ffff:10.1.2.256",
	    "localhost",
	};

	for (size_t i = 0; i < N(bad); i++) {
		struct cni_ip ip = {.family = 99};

		if (cni_ip_parse(bad[i], &ip) != -EINVAL)
			fail_msg("cni_ip_parse(\"%s\") accepted (family %d)", bad[i], ip.family);
		assert_int_equal(ip.family, 0); /* out is cleared on failure */
	}
	{
		struct cni_ip ip = {.family = 99};

		assert_int_equal(cni_ip_parse(NULL, &ip), -EINVAL);
		assert_int_equal(ip.family, 0);
	}
}

/* One prefix: how it prints, its network and last address, what it holds. */
struct prefix_case {
	const char *in;	     /* parsed */
	const char *out;     /* formatted back: host bits kept */
	const char *network; /* cni_prefix_network, formatted */
	const char *last;    /* cni_prefix_last */
	const char *inside[4];
	const char *outside[4];
};

static const struct prefix_case prefix_cases[] = {
    {"10.1.2.3/24",
     "10.1.2.3/24",
     "10.1.2.0/24",
     "10.1.2.255",
     {"10.1.2.0", "10.1.2.3", "10.1.2.255"},
     {"10.1.1.255", "10.1.3.0", "::ffff:10.1.2.3"}},
    {"10.1.2.3/20",
     "10.1.2.3/20",
     "10.1.0.0/20",
     "10.1.15.255",
     {"10.1.0.0", "10.1.15.255"},
     {"10.0.255.255", "10.1.16.0"}},
    {"172.16.255.1/12",
     "172.16.255.1/12",
     "172.16.0.0/12",
     "172.31.255.255",
     {"172.31.0.1"},
     {"172.32.0.0", "172.15.255.255"}},
    {"0.0.0.0/0",
     "0.0.0.0/0",
     "0.0.0.0/0",
     "255.255.255.255",
     {"0.0.0.0", "203.0.113.9", "255.255.255.255"},
     {"::", "::ffff:1.2.3.4"}},
    {"10.9.8.7/0", "10.9.8.7/0", "0.0.0.0/0", "255.255.255.255", {"1.1.1.1"}, {"fd00::1"}},
    {"10.9.8.7/1", "10.9.8.7/1", "0.0.0.0/1", "127.255.255.255", {"127.0.0.1"}, {"128.0.0.0"}},
    {"192.168.1.7/31",
     "192.168.1.7/31",
     "192.168.1.6/31",
     "192.168.1.7",
     {"192.168.1.6", "192.168.1.7"},
     {"192.168.1.5", "192.168.1.8"}},
    {"192.168.1.6/31",
     "192.168.1.6/31",
     "192.168.1.6/31",
     "192.168.1.7",
     {"192.168.1.6", "192.168.1.7"},
     {"192.168.1.5", "192.168.1.8"}},
    {"192.168.1.7/32",
     "192.168.1.7/32",
     "192.168.1.7/32",
     "192.168.1.7",
     {"192.168.1.7"},
     {"192.168.1.6", "192.168.1.8", "::ffff:192.168.1.7"}},
    {"255.255.255.255/32",
     "255.255.255.255/32",
     "255.255.255.255/32",
     "255.255.255.255",
     {"255.255.255.255"},
     {"255.255.255.254", "0.0.0.0"}},
    {"2001:db8:1:2:3:4:5:6/64",
     "2001:db8:1:2:3:4:5:6/64",
     "2001:db8:1:2::/64",
     "2001:db8:1:2:ffff:ffff:ffff:ffff",
     {"2001:db8:1:2::", "2001:db8:1:2::abcd"},
     {"2001:db8:1:3::", "2001:db8:1:1:ffff:ffff:ffff:ffff", "10.0.0.1"}},
    {"2001:db8:abcd:f234::1/50",
     "2001:db8:abcd:f234::1/50",
     "2001:db8:abcd:c000::/50",
     "2001:db8:abcd:ffff:ffff:ffff:ffff:ffff",
     {"2001:db8:abcd:c000::"},
     {"2001:db8:abcd:bfff:ffff:ffff:ffff:ffff", "2001:db8:abce::"}},
    {"::/0",
     "::/0",
     "::/0",
     "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
     {"::", "fd00::1", "::ffff:10.0.0.1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
     {"0.0.0.0", "10.0.0.1"}},
    {"fd00::5/0",
     "fd00::5/0",
     "::/0",
     "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
     {"::1"},
     {"1.2.3.4"}},
    {"fd00::5/127",
     "fd00::5/127",
     "fd00::4/127",
     "fd00::5",
     {"fd00::4", "fd00::5"},
     {"fd00::3", "fd00::6"}},
    {"fd00::4/127",
     "fd00::4/127",
     "fd00::4/127",
     "fd00::5",
     {"fd00::4", "fd00::5"},
     {"fd00::3", "fd00::6"}},
    {"fd00::5/128",
     "fd00::5/128",
     "fd00::5/128",
     "fd00::5",
     {"fd00::5"},
     {"fd00::4", "fd00::6", "fd00::5:0"}},
    {"::/128", "::/128", "::/128", "::", {"::"}, {"::1", "0.0.0.0"}},
    /* IPv4-mapped IPv6: an IPv6 prefix, not an IPv4 one. */
    {"::ffff:10.1.2.3/104",
     "::ffff:10.1.2.3/104",
     "::ffff:10.0.0.0/104",
     "::ffff:10.255.255.255",
     {"::ffff:10.9.9.9"},
     {"10.1.2.3", "::ffff:11.0.0.0", "::10.1.2.3"}},
    {"::ffff:0:0/96",
     "::ffff:0.0.0.0/96",
     "::ffff:0.0.0.0/96",
     "::ffff:255.255.255.255",
     {"::ffff:1.2.3.4"},
     {"1.2.3.4", "::1:0:0"}},
};

static void prefix_math(void **state)
{
	for (size_t i = 0; i < N(prefix_cases); i++) {
		const struct prefix_case *c = &prefix_cases[i];
		struct cni_prefix p = prefix_of(c->in), net;
		struct cni_ip last;
		char buf[CNI_PREFIX_STRLEN], ipbuf[CNI_IP_STRLEN];

		cni_prefix_format(&p, buf);
		if (strcmp(buf, c->out) != 0)
			fail_msg("%s: formatted %s, want %s", c->in, buf, c->out);
		net = cni_prefix_network(&p);
		cni_prefix_format(&net, buf);
		if (strcmp(buf, c->network) != 0)
			fail_msg("%s: network %s, want %s", c->in, buf, c->network);
		assert_int_equal(net.len, p.len);
		last = cni_prefix_last(&p);
		if (strcmp(fmt_ip(&last, ipbuf), c->last) != 0)
			fail_msg("%s: last %s, want %s", c->in, ipbuf, c->last);
		/* Network and last address are the same for the prefix's network. */
		last = cni_prefix_last(&net);
		assert_string_equal(fmt_ip(&last, ipbuf), c->last);
		for (size_t k = 0; k < N(c->inside) && c->inside[k]; k++) {
			struct cni_ip ip = ip_of(c->inside[k]);

			if (!cni_prefix_contains(&p, &ip))
				fail_msg("%s should contain %s", c->in, c->inside[k]);
			if (!cni_prefix_contains(&net, &ip))
				fail_msg("network of %s should contain %s", c->in, c->inside[k]);
		}
		for (size_t k = 0; k < N(c->outside) && c->outside[k]; k++) {
			struct cni_ip ip = ip_of(c->outside[k]);

			if (cni_prefix_contains(&p, &ip))
				fail_msg("%s should not contain %s", c->in, c->outside[k]);
		}
	}
}

static void prefix_parse_len(void **state)
{
	struct cni_prefix p;

	assert_int_equal(cni_prefix_parse("10.0.0.0/0", &p), 0);
	assert_int_equal(p.len, 0);
	assert_int_equal(cni_prefix_parse("10.0.0.0/32", &p), 0);
	assert_int_equal(p.len, 32);
	assert_int_equal(cni_prefix_parse("fd00::/128", &p), 0);
	assert_int_equal(p.len, 128);
	assert_int_equal(p.ip.family, AF_INET6);
	assert_int_equal(cni_prefix_parse("fd00::/33", &p), 0); /* > 32 is fine for IPv6 */
	assert_int_equal(p.len, 33);
}

static void prefix_parse_malformed(void **state)
{
	static const char *const bad[] = {
	    "",
	    "/",
	    "/24",
	    "10.0.0.1",
	    "10.0.0.1/",
	    "10.0.0.1/33",
	    "10.0.0.1/-1",
	    "10.0.0.1/-0",
	    "10.0.0.1/+8",
	    "10.0.0.1/8 ",
	    "10.0.0.1/8x",
	    "10.0.0.1/0x8",
	    "10.0.0.1/24/8",
	    "10.0.0.1//24",
	    "10.0.0.1/4294967320", /* 2^32 + 24: no truncation to 24 */
	    "10.0.0.1/99999999999999999999999",
	    "10.0.0/8",
	    "10.0.0.256/8",
	    "fd00::1/129",
	    "fd00::1/-1",
	    "fd00:::1/64",
	    "::ffff:10.0.0.1/129",
	    " 10.0.0.1/8",
	    /* an address part longer than any address (buffer bound) */
	    "1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb/64",
	};

	for (size_t i = 0; i < N(bad); i++) {
		struct cni_prefix p = {.len = 99};

		if (cni_prefix_parse(bad[i], &p) != -EINVAL)
			fail_msg("cni_prefix_parse(\"%s\") accepted (len %d)", bad[i], p.len);
	}
	{
		struct cni_prefix p;

		assert_int_equal(cni_prefix_parse(NULL, &p), -EINVAL);
	}
}

/* strtol() skips leading whitespace: a length written with a space, a tab or a
 * newline after the slash is not a prefix length. */
static void prefix_parse_len_whitespace(void **state)
{
	static const char *const bad[] = {"10.0.0.1/ 8", "10.0.0.1/\t8", "fd00::1/\n64"};

	for (size_t i = 0; i < N(bad); i++) {
		struct cni_prefix p = {.len = 99};

		if (cni_prefix_parse(bad[i], &p) != -EINVAL)
			fail_msg("cni_prefix_parse(\"%s\") accepted (len %d)", bad[i], p.len);
	}
}

static void format_unset_and_edges(void **state)
{
	struct cni_ip unset = {0};
	struct cni_prefix p = {.ip = ip_of("::"), .len = 0};
	char buf[CNI_PREFIX_STRLEN], ipbuf[CNI_IP_STRLEN] = "junk";

	assert_string_equal(fmt_ip(&unset, ipbuf), ""); /* family 0 prints as nothing */
	cni_prefix_format(&p, buf);
	assert_string_equal(buf, "::/0");
	/* The longest IPv6 text fits the buffers. */
	p = prefix_of("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128");
	cni_prefix_format(&p, buf);
	assert_string_equal(buf, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	p = prefix_of("1111:2222:3333:4444:5555:6666:7777:8888/128");
	cni_prefix_format(&p, buf);
	assert_string_equal(buf, "1111:2222:3333:4444:5555:6666:7777:8888/128");
	assert_true(strlen("0000:0000:0000:0000:0000:ffff:255.255.255.255/128") <
		    CNI_PREFIX_STRLEN);
}

static void ip_add(void **state)
{
	static const struct {
		const char *ip;
		int64_t delta;
		const char *want;
	} cases[] = {
	    {"10.1.2.255", 1, "10.1.3.0"},
	    {"10.1.3.0", -1, "10.1.2.255"},
	    {"10.1.0.0", -1, "10.0.255.255"},
	    {"10.0.0.1", 0, "10.0.0.1"},
	    {"10.0.0.0", 65536, "10.1.0.0"},
	    {"10.0.0.0", 16777216, "11.0.0.0"},
	    /* wraps within the family's width */
	    {"255.255.255.255", 1, "0.0.0.0"},
	    {"0.0.0.0", -1, "255.255.255.255"},
	    {"10.0.0.0", 4294967296LL, "10.0.0.0"},
	    {"10.0.0.5", -4294967296LL, "10.0.0.5"},
	    {"0.0.0.0", INT64_MAX, "255.255.255.255"},
	    {"0.0.0.0", INT64_MIN, "0.0.0.0"},
	    {"fd00::ffff", 1, "fd00::1:0"},
	    {"fd00::1:0", -1, "fd00::ffff"},
	    {"fd00::", 1LL << 40, "fd00::100:0:0"},
	    {"fd00::", -1, "fcff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
	    {"::", -1, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
	    {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1, "::"},
	    {"::ffff:255.255.255.255", 1, "::1:0:0:0"}, /* IPv6 arithmetic, not IPv4 */
	    {"0:0:0:1::", -1, "::ffff:ffff:ffff:ffff"},
	    {"::", INT64_MIN, "ffff:ffff:ffff:ffff:8000::"},
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct cni_ip ip = ip_of(cases[i].ip), r = cni_ip_add(&ip, cases[i].delta);
		char buf[CNI_IP_STRLEN];

		assert_int_equal(r.family, ip.family);
		if (strcmp(fmt_ip(&r, buf), cases[i].want) != 0)
			fail_msg("%s %+lld = %s, want %s", cases[i].ip, (long long)cases[i].delta,
				 buf, cases[i].want);
	}
}

static void ip_compare(void **state)
{
	struct cni_ip a = ip_of("10.0.0.1"), b = ip_of("10.0.0.2"), c = ip_of("9.255.255.255");
	struct cni_ip z4 = ip_of("0.0.0.0"), z6 = ip_of("::"), m = ip_of("::ffff:10.0.0.1");
	struct cni_ip x = ip_of("fd00::1"), y = ip_of("fd00::1:0");

	assert_true(cni_ip_equal(&a, &a));
	assert_false(cni_ip_equal(&a, &b));
	assert_true(cni_ip_cmp(&a, &b) < 0);
	assert_true(cni_ip_cmp(&b, &a) > 0);
	assert_true(cni_ip_cmp(&c, &a) < 0); /* byte order, not string order */
	assert_int_equal(cni_ip_cmp(&a, &a), 0);
	/* Families never compare equal, even with the same bytes; v4 < v6. */
	assert_false(cni_ip_equal(&z4, &z6));
	assert_false(cni_ip_equal(&a, &m));
	assert_true(cni_ip_cmp(&z4, &z6) < 0);
	assert_true(cni_ip_cmp(&z6, &z4) > 0);
	assert_true(cni_ip_cmp(&b, &z6) < 0);
	assert_true(cni_ip_cmp(&x, &y) < 0);
	assert_int_equal(cni_ip_cmp(&x, &x), 0);
}

static void ip_classes(void **state)
{
	static const struct {
		const char *ip;
		bool multicast, unspecified;
	} cases[] = {
	    {"224.0.0.1", true, false},
	    {"239.255.255.255", true, false},
	    {"223.255.255.255", false, false},
	    {"240.0.0.1", false, false},
	    {"0.0.0.0", false, true},
	    {"0.0.0.1", false, false},
	    {"ff02::1", true, false},
	    {"ff00::", true, false},
	    {"fe80::1", false, false},
	    {"::", false, true},
	    {"::1", false, false},
	    {"::ffff:224.0.0.1", false, false},
	    {"::ffff:0.0.0.0", false, false},
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct cni_ip ip = ip_of(cases[i].ip);

		if (cni_ip_is_multicast(&ip) != cases[i].multicast)
			fail_msg("%s: multicast %d, want %d", cases[i].ip, !cases[i].multicast,
				 cases[i].multicast);
		if (cni_ip_is_unspecified(&ip) != cases[i].unspecified)
			fail_msg("%s: unspecified %d, want %d", cases[i].ip, !cases[i].unspecified,
				 cases[i].unspecified);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ip_parse_format),
	    cmocka_unit_test(ip_bytes_network_order),
	    cmocka_unit_test(ip_parse_malformed),
	    cmocka_unit_test(prefix_math),
	    cmocka_unit_test(prefix_parse_len),
	    cmocka_unit_test(prefix_parse_malformed),
	    cmocka_unit_test(prefix_parse_len_whitespace),
	    cmocka_unit_test(format_unset_and_edges),
	    cmocka_unit_test(ip_add),
	    cmocka_unit_test(ip_compare),
	    cmocka_unit_test(ip_classes),
	};

	return cmocka_run_group_tests_name("lib/cni ip", tests, NULL, NULL);
}
