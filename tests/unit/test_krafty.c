/* Unit tests for krafty's pure logic (linked with plugins/krafty's objects):
 * attachment identity (FNV-64a hash, alias, device name candidates), alias
 * matching and parsing, and the config (vrfTable: FNV-32a of the network name,
 * moved up by 256 below 256, reserved tables refused; subnets, gateways,
 * podIP, options), all without netlink. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/rtnetlink.h>

#include "../../plugins/krafty/krafty.h"
#include "cni/hash.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char long_id[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/* ---- identity and names ---- */

static void ident_hash(void **state)
{
	/* FNV-64a("<containerID>\0<network>\0<ifname>"), computed independently. */
	assert_int_equal(kr_ident_hash("c1", "krafty", "eth0"), 0x48b44a8f46a8442fULL);
	assert_int_equal(kr_ident_hash("c1", "krafty", "net1"), 0x3a4f2835bb88bc70ULL);
	assert_int_equal(kr_ident_hash("c1", "other", "eth0"), 0x2145680b47288524ULL);
	assert_int_equal(kr_ident_hash(long_id, "krafty", "net1"), 0x81896125621bd404ULL);
	/* The NUL separators keep the parts apart: "ab"+"c" is not "a"+"bc". */
	assert_true(kr_ident_hash("ab", "c", "eth0") != kr_ident_hash("a", "bc", "eth0"));
	assert_true(kr_ident_hash("a", "b", "c") != kr_ident_hash("a", "", "bc"));
}

static void ident_names_short_id(void **state)
{
	struct kr_ident id;

	kr_ident_init(&id, "c1", "krafty", "eth0");
	assert_string_equal(id.container_id, "c1");
	assert_string_equal(id.netname, "krafty");
	assert_string_equal(id.ifname, "eth0");
	assert_int_equal(id.hash, 0x48b44a8f46a8442fULL);
	assert_string_equal(id.hex, "48b44a8f46a8442f");
	assert_string_equal(id.alias, "krafty 48b44a8f46a8442f krafty/eth0/c1");
	/* A short ID gives short names. */
	assert_string_equal(id.cand[KR_DEV_VRF][0], "krvc1");
	assert_string_equal(id.cand[KR_DEV_VRF][1], "krvc148b44a");
	assert_string_equal(id.cand[KR_DEV_BRIDGE][0], "krbc1");
	assert_string_equal(id.cand[KR_DEV_BRIDGE][1], "krbc148b44a");
	assert_string_equal(id.cand[KR_DEV_VETH][0], "vethc1");
	assert_string_equal(id.cand[KR_DEV_VETH][1], "vethc148b44a");
	assert_string_equal(id.tmp_peer, "krt48b44a8f46a8");
}

static void ident_names_long_id(void **state)
{
	struct kr_ident id;

	kr_ident_init(&id, long_id, "krafty", "net1");
	assert_string_equal(id.hex, "81896125621bd404");
	/* 15 characters: the seed's ID prefix, or 6 (5) characters and 6 hash digits. */
	assert_string_equal(id.cand[KR_DEV_VRF][0], "krv0123456789ab");
	assert_string_equal(id.cand[KR_DEV_VRF][1], "krv012345818961");
	assert_string_equal(id.cand[KR_DEV_BRIDGE][0], "krb0123456789ab");
	assert_string_equal(id.cand[KR_DEV_BRIDGE][1], "krb012345818961");
	assert_string_equal(id.cand[KR_DEV_VETH][0], "veth0123456789a");
	assert_string_equal(id.cand[KR_DEV_VETH][1], "veth01234818961");
	assert_string_equal(id.tmp_peer, "krt81896125621b");
	for (int d = 0; d < KR_N_DEVS; d++)
		for (int k = 0; k < 2; k++)
			assert_int_equal(strlen(id.cand[d][k]), 15);
	assert_int_equal(strlen(id.tmp_peer), 15);

	/* Another ifname of the same container: same seed names, other hashed ones. */
	{
		struct kr_ident other;

		kr_ident_init(&other, long_id, "krafty", "net2");
		assert_string_equal(other.cand[KR_DEV_VRF][0], id.cand[KR_DEV_VRF][0]);
		assert_string_not_equal(other.cand[KR_DEV_VRF][1], id.cand[KR_DEV_VRF][1]);
		assert_string_not_equal(other.tmp_peer, id.tmp_peer);
	}
}

/* The alias is cut to 255 bytes; the hash comes first so it survives the cut. */
static void ident_alias_cut(void **state)
{
	char net[254], cid[257];
	struct kr_ident id;
	char want[40];

	memset(net, 'n', sizeof(net) - 1);
	net[sizeof(net) - 1] = '\0';
	memset(cid, 'c', sizeof(cid) - 1);
	cid[sizeof(cid) - 1] = '\0';
	kr_ident_init(&id, cid, net, "eth0");
	assert_int_equal(strlen(id.alias), KR_ALIAS_MAX - 1);
	snprintf(want, sizeof(want), "krafty %s nnn", id.hex);
	assert_memory_equal(id.alias, want, strlen(want));
	assert_true(kr_alias_is_ours(id.alias, &id));
}

static void dev_labels(void **state)
{
	assert_string_equal(kr_dev_label(KR_DEV_VRF), "VRF");
	assert_string_equal(kr_dev_label(KR_DEV_BRIDGE), "bridge");
	assert_string_equal(kr_dev_label(KR_DEV_VETH), "host veth");
	assert_string_equal(kr_dev_kind(KR_DEV_VRF), "vrf");
	assert_string_equal(kr_dev_kind(KR_DEV_BRIDGE), "bridge");
	assert_string_equal(kr_dev_kind(KR_DEV_VETH), "veth");
}

/* ---- aliases ---- */

static void alias_is_ours(void **state)
{
	struct kr_ident id;
	static const char *const theirs[] = {
	    "",
	    "krafty",
	    "krafty ",
	    "krafty 48b44a8f46a8442",		       /* 15 digits */
	    "krafty 48b44a8f46a8442e krafty/eth0/c1",  /* last digit differs */
	    "krafty 48b44a8f46a8442fa krafty/eth0/c1", /* 17 digits */
	    "krafty 48b44a8f46a8442f/krafty/eth0/c1",  /* no space after the hash */
	    "Krafty 48b44a8f46a8442f krafty/eth0/c1",
	    "krafty  48b44a8f46a8442f krafty/eth0/c1",
	    " krafty 48b44a8f46a8442f krafty/eth0/c1",
	    "krafty 48B44A8F46A8442F krafty/eth0/c1", /* we write lower case */
	    "kraftx 48b44a8f46a8442f krafty/eth0/c1",
	    "krafty 3a4f2835bb88bc70 krafty/net1/c1", /* the same pod's other attachment */
	};

	kr_ident_init(&id, "c1", "krafty", "eth0");
	assert_true(kr_alias_is_ours(id.alias, &id));
	assert_true(kr_alias_is_ours("krafty 48b44a8f46a8442f krafty/eth0/c1", &id));
	/* Only the hash decides: the text after it is for operators. */
	assert_true(kr_alias_is_ours("krafty 48b44a8f46a8442f", &id));
	assert_true(kr_alias_is_ours("krafty 48b44a8f46a8442f edited by hand", &id));
	assert_false(kr_alias_is_ours(NULL, &id));
	for (size_t i = 0; i < N(theirs); i++)
		if (kr_alias_is_ours(theirs[i], &id))
			fail_msg("\"%s\" taken for the alias of %s", theirs[i], id.alias);
}

static void alias_parse(void **state)
{
	struct kr_alias a;
	struct kr_ident id;
	char big[400];

	kr_ident_init(&id, "c1", "krafty", "eth0");
	assert_true(kr_alias_parse(id.alias, &a));
	assert_int_equal(a.hash, 0x48b44a8f46a8442fULL);
	assert_string_equal(a.netname, "krafty");

	assert_true(kr_alias_parse("krafty 0000000000000001 net-a.b_c/eth0/x", &a));
	assert_int_equal(a.hash, 1);
	assert_string_equal(a.netname, "net-a.b_c");
	assert_true(kr_alias_parse("krafty ffffffffffffffff n/", &a));
	assert_int_equal(a.hash, UINT64_MAX);
	assert_string_equal(a.netname, "n");
	/* An empty network name is what the alias says (GC compares it). */
	assert_true(kr_alias_parse("krafty 0123456789abcdef /eth0/c", &a));
	assert_string_equal(a.netname, "");

	/* A long alias from the cut still parses; a network name of 256 bytes
	 * or more does not fit. */
	kr_ident_init(&id, long_id, "krafty", "net1");
	assert_true(kr_alias_parse(id.alias, &a));
	assert_int_equal(a.hash, id.hash);
	snprintf(big, sizeof(big), "krafty 0123456789abcdef %0*d/eth0/c", 255, 0);
	assert_true(kr_alias_parse(big, &a));
	assert_int_equal(strlen(a.netname), 255);
	snprintf(big, sizeof(big), "krafty 0123456789abcdef %0*d/eth0/c", 256, 0);
	assert_false(kr_alias_parse(big, &a));
}

static void alias_parse_refused(void **state)
{
	static const char *const bad[] = {
	    "",
	    "krafty",
	    "krafty ",
	    "krafty 0123456789abcdef",		   /* nothing after the hash */
	    "krafty 0123456789abcdef ",		   /* no '/' */
	    "krafty 0123456789abcdef net",	   /* no '/' */
	    "krafty 0123456789abcde net/eth0/c",   /* 15 digits */
	    "krafty 0123456789abcdefa net/eth0/c", /* 17 digits */
	    "krafty 0123456789abcdeg net/eth0/c",  /* not hex */
	    "krafty 0123456789abcdef\tnet/eth0/c",
	    "Krafty 0123456789abcdef net/eth0/c",
	    "krafty: 0123456789abcdef net/eth0/c",
	    "xkrafty 0123456789abcdef net/eth0/c",
	};
	struct kr_alias a;

	assert_false(kr_alias_parse(NULL, &a));
	for (size_t i = 0; i < N(bad); i++)
		if (kr_alias_parse(bad[i], &a))
			fail_msg("kr_alias_parse(\"%s\") accepted: hash %016llx net \"%s\"", bad[i],
				 (unsigned long long)a.hash, a.netname);
}

/* The hash field is 16 hex digits, as kr_ident_init writes it: what strtoull()
 * would also take (leading space, a sign, "0x") is not a hash. */
static void alias_parse_hash_digits_only(void **state)
{
	static const char *const bad[] = {
	    "krafty  123456789abcdef net/eth0/c",
	    "krafty +123456789abcdef net/eth0/c",
	    "krafty -000000000000001 net/eth0/c",
	    "krafty 0x0123456789abcd net/eth0/c",
	};
	struct kr_alias a;
	int accepted = 0;

	for (size_t i = 0; i < N(bad); i++)
		if (kr_alias_parse(bad[i], &a)) {
			print_error("kr_alias_parse(\"%s\") accepted: hash %016llx\n", bad[i],
				    (unsigned long long)a.hash);
			accepted++;
		}
	assert_int_equal(accepted, 0);
}

/* ---- config ---- */

struct conf_fixture {
	struct cni_ctx ctx;
	struct kr_conf conf;
	struct cni_error err;
};

static int load(struct conf_fixture *f, const char *json, bool check_binary)
{
	struct cni_error perr = CNI_ERROR_INIT;

	cni_conf_free(&f->ctx.conf);
	memset(&f->ctx.conf, 0, sizeof(f->ctx.conf));
	if (cni_conf_parse(&f->ctx.conf, json, strlen(json), &perr) != 0)
		fail_msg("cni_conf_parse: %s (%s)", perr.msg, json);
	cni_err_clear(&f->err);
	return kr_conf_load(&f->ctx, check_binary, &f->conf, &f->err);
}

static int conf_setup(void **state)
{
	struct conf_fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	*state = f;
	return 0;
}

static int conf_teardown(void **state)
{
	struct conf_fixture *f = *state;

	cni_conf_free(&f->ctx.conf);
	free(f);
	return 0;
}

#define CONF(name, rest)                                                                           \
	"{\"cniVersion\":\"1.0.0\",\"name\":\"" name "\",\"type\":\"krafty\"," rest "}"
#define V4 "\"subnet\":\"10.1.0.0/24\",\"gateway\":\"10.1.0.1\",\"podIP\":\"10.1.0.5\""

static void expect_table(struct conf_fixture *f, const char *json, uint32_t table)
{
	if (load(f, json, false) != 0)
		fail_msg("refused: %s (%s)", f->err.msg, json);
	assert_true(f->conf.vrf);
	if (f->conf.table != table)
		fail_msg("table %u, want %u (%s)", f->conf.table, table, json);
	assert_int_equal(kr_conf_route_table(&f->conf), table);
}

static void expect_refused(struct conf_fixture *f, const char *json, const char *msg_part)
{
	int rc = load(f, json, false);

	if (rc >= 0)
		fail_msg("accepted: %s", json);
	assert_int_equal(f->err.code, CNI_ERR_INVALID_CONFIG);
	if (!strstr(f->err.msg, msg_part))
		fail_msg("message \"%s\" lacks \"%s\" (%s)", f->err.msg, msg_part, json);
}

static void conf_vrf_table(void **state)
{
	struct conf_fixture *f = *state;

	/* Derived: FNV-32a of the network name. */
	assert_int_equal(cni_fnv32a_str("krafty"), 2698658016u);
	expect_table(f, CONF("krafty", V4), 2698658016u);
	expect_table(f, CONF("krafty-b", V4), cni_fnv32a_str("krafty-b"));
	/* Hashes below 256 move up by 256, the reserved 253..255 included:
	 * FNV-32a("net-esqik") = 94, ("net-xdkpu") = 151, ("net-bn4rx") = 255. */
	assert_int_equal(cni_fnv32a_str("net-esqik"), 94);
	assert_int_equal(cni_fnv32a_str("net-xdkpu"), 151);
	assert_int_equal(cni_fnv32a_str("net-bn4rx"), 255);
	expect_table(f, CONF("net-esqik", V4), 350);
	expect_table(f, CONF("net-xdkpu", V4), 407);
	expect_table(f, CONF("net-bn4rx", V4), 511);

	/* Given: any table but the kernel's reserved ones. */
	expect_table(f, CONF("krafty", V4 ",\"vrfTable\":1"), 1);
	expect_table(f, CONF("krafty", V4 ",\"vrfTable\":252"), 252);
	expect_table(f, CONF("krafty", V4 ",\"vrfTable\":256"), 256);
	expect_table(f, CONF("krafty", V4 ",\"vrfTable\":100"), 100);
	expect_table(f, CONF("krafty", V4 ",\"vrfTable\":4294967295"), 4294967295u);
	expect_refused(f, CONF("krafty", V4 ",\"vrfTable\":253"), "vrfTable 253 is reserved");
	expect_refused(f, CONF("krafty", V4 ",\"vrfTable\":254"), "vrfTable 254 is reserved");
	expect_refused(f, CONF("krafty", V4 ",\"vrfTable\":255"), "vrfTable 255 is reserved");
	expect_refused(f, CONF("krafty", V4 ",\"vrfTable\":0"), "vrfTable");
	expect_refused(f, CONF("krafty", V4 ",\"vrfTable\":-1"), "vrfTable");
	expect_refused(f, CONF("krafty", V4 ",\"vrfTable\":4294967296"), "vrfTable");
	expect_refused(f, CONF("krafty", V4 ",\"vrfTable\":1.5"), "vrfTable");
	expect_refused(f, CONF("krafty", V4 ",\"vrfTable\":\"100\""), "vrfTable");
	/* Reserved tables are refused even without a VRF, where the table is unused. */
	expect_refused(f, CONF("krafty", V4 ",\"vrf\":false,\"vrfTable\":254"), "vrfTable 254");

	/* Without a VRF the host routes go to the main table. */
	assert_int_equal(load(f, CONF("krafty", V4 ",\"vrf\":false,\"vrfTable\":100"), false), 0);
	assert_false(f->conf.vrf);
	assert_int_equal(f->conf.table, 0);
	assert_int_equal(kr_conf_route_table(&f->conf), RT_TABLE_MAIN);
	expect_refused(f, CONF("krafty", V4 ",\"vrf\":\"no\""), "vrf");
}

static void conf_families(void **state)
{
	struct conf_fixture *f = *state;
	const struct kr_family *v4, *v6;
	char buf[CNI_PREFIX_STRLEN];

	assert_int_equal(load(f,
			      CONF("n", "\"subnet\":[\"10.1.2.3/24\",\"fd00:1::7/64\"],"
					"\"gateway\":[\"fd00:1::1\",\"10.1.2.1\"],"
					"\"podIP\":[\"10.1.2.5/24\",\"fd00:1::5\"]"),
			      false),
			 0);
	assert_int_equal(f->conf.n_fam, 2);
	assert_false(f->conf.use_ipam);
	v4 = kr_conf_family(&f->conf, AF_INET);
	v6 = kr_conf_family(&f->conf, AF_INET6);
	assert_non_null(v4);
	assert_non_null(v6);
	cni_prefix_format(&v4->subnet, buf); /* host bits cleared */
	assert_string_equal(buf, "10.1.2.0/24");
	cni_ip_format(&v4->gateway, buf);
	assert_string_equal(buf, "10.1.2.1");
	assert_true(v4->has_pod_ip);
	cni_prefix_format(&v4->pod_ip, buf);
	assert_string_equal(buf, "10.1.2.5/24");
	cni_prefix_format(&v6->subnet, buf);
	assert_string_equal(buf, "fd00:1::/64");
	cni_ip_format(&v6->gateway, buf);
	assert_string_equal(buf, "fd00:1::1");
	cni_prefix_format(&v6->pod_ip, buf); /* podIP without a length takes the subnet's */
	assert_string_equal(buf, "fd00:1::5/64");
	/* Defaults. */
	assert_int_equal(f->conf.mtu, 0);
	assert_int_equal(f->conf.default_metric, KR_DEFAULT_ROUTE_METRIC);
	assert_string_equal(f->conf.netname, "n");

	/* One family only: the other is absent. */
	assert_int_equal(load(f, CONF("n", V4), false), 0);
	assert_int_equal(f->conf.n_fam, 1);
	assert_null(kr_conf_family(&f->conf, AF_INET6));
	assert_non_null(kr_conf_family(&f->conf, AF_INET));
}

static void conf_subnet_edges(void **state)
{
	struct conf_fixture *f = *state;
	const struct kr_family *fam;
	char buf[CNI_PREFIX_STRLEN];

	/* The smallest subnets: a /30 (IPv4) and a /126 (IPv6). */
	assert_int_equal(load(f,
			      CONF("n", "\"subnet\":\"10.0.0.4/30\",\"gateway\":\"10.0.0.5\","
					"\"podIP\":\"10.0.0.6\""),
			      false),
			 0);
	fam = kr_conf_family(&f->conf, AF_INET);
	cni_prefix_format(&fam->pod_ip, buf);
	assert_string_equal(buf, "10.0.0.6/30");
	assert_int_equal(load(f,
			      CONF("n", "\"subnet\":\"fd00::/126\",\"gateway\":\"fd00::1\","
					"\"podIP\":\"fd00::3\""),
			      false),
			 0); /* no broadcast in IPv6 */
	expect_refused(
	    f,
	    CONF("n", "\"subnet\":\"10.0.0.0/31\",\"gateway\":\"10.0.0.1\",\"podIP\":\"10.0.0.0\""),
	    "too small");
	expect_refused(
	    f,
	    CONF("n", "\"subnet\":\"10.0.0.1/32\",\"gateway\":\"10.0.0.1\",\"podIP\":\"10.0.0.1\""),
	    "too small");
	expect_refused(
	    f, CONF("n", "\"subnet\":\"fd00::/127\",\"gateway\":\"fd00::1\",\"podIP\":\"fd00::\""),
	    "too small");
	expect_refused(
	    f,
	    CONF("n", "\"subnet\":\"fd00::1/128\",\"gateway\":\"fd00::1\",\"podIP\":\"fd00::1\""),
	    "too small");
	/* /0 is large enough, but takes loopback, link-local and multicast too. */
	expect_refused(f,
		       CONF("n", "\"subnet\":\"0.0.0.0/0\",\"gateway\":\"10.0.0.1\","
				 "\"podIP\":\"10.0.0.2/0\""),
		       "overlaps 0.0.0.0/8");
	expect_refused(f,
		       CONF("n", "\"subnet\":\"169.254.169.0/24\",\"gateway\":\"169.254.169.254\","
				 "\"podIP\":\"169.254.169.2\""),
		       "link-local");
	expect_refused(f,
		       CONF("n", "\"subnet\":\"fe80::/64\",\"gateway\":\"fe80::1\","
				 "\"podIP\":\"fe80::2\""),
		       "link-local");
	expect_refused(f,
		       CONF("n", "\"subnet\":\"127.0.0.0/24\",\"gateway\":\"127.0.0.1\","
				 "\"podIP\":\"127.0.0.2\""),
		       "loopback");
	expect_refused(
	    f, CONF("n", "\"subnet\":\"10.0.0.0\",\"gateway\":\"10.0.0.1\",\"podIP\":\"10.0.0.2\""),
	    "is not a CIDR prefix");
}

static void conf_refused(void **state)
{
	struct conf_fixture *f = *state;
	static const struct {
		const char *json, *msg;
	} bad[] = {
	    {CONF("n", "\"gateway\":\"10.1.0.1\",\"podIP\":\"10.1.0.5\""),
	     "\"subnet\" is required"},
	    {CONF("n", "\"subnet\":[],\"gateway\":\"10.1.0.1\",\"podIP\":\"10.1.0.5\""),
	     "\"subnet\" is empty"},
	    {CONF("n", "\"subnet\":5,\"gateway\":\"10.1.0.1\",\"podIP\":\"10.1.0.5\""),
	     "must be a string or a list of strings"},
	    {CONF("n", "\"subnet\":[\"10.1.0.0/24\",\"10.2.0.0/"
		       "24\"],\"gateway\":\"10.1.0.1\",\"podIP\":\"10.1.0.5\""),
	     "two IPv4 subnets"},
	    {CONF("n", "\"subnet\":[\"10.1.0.0/24\",\"fd00::/64\",\"10.2.0.0/"
		       "24\"],\"gateway\":\"10.1.0.1\","
		       "\"podIP\":\"10.1.0.5\""),
	     "more than 2 entries"},
	    {CONF("n", "\"subnet\":\"10.1.0.0/24\",\"podIP\":\"10.1.0.5\""),
	     "\"gateway\" is required"},
	    {CONF("n",
		  "\"subnet\":\"10.1.0.0/24\",\"gateway\":\"10.2.0.1\",\"podIP\":\"10.1.0.5\""),
	     "gateway 10.2.0.1 is outside subnet 10.1.0.0/24"},
	    {CONF("n",
		  "\"subnet\":\"10.1.0.0/24\",\"gateway\":\"10.1.0.0\",\"podIP\":\"10.1.0.5\""),
	     "gateway 10.1.0.0 is the network address of 10.1.0.0/24"},
	    {CONF("n",
		  "\"subnet\":\"10.1.0.0/24\",\"gateway\":\"10.1.0.255\",\"podIP\":\"10.1.0.5\""),
	     "gateway 10.1.0.255 is the broadcast address of 10.1.0.0/24"},
	    {CONF("n", "\"subnet\":\"10.1.0.0/24\",\"gateway\":\"fd00::1\",\"podIP\":\"10.1.0.5\""),
	     "no IPv6 subnet is configured"},
	    {CONF("n", "\"subnet\":[\"10.1.0.0/24\",\"fd00::/"
		       "64\"],\"gateway\":\"10.1.0.1\",\"podIP\":\"10.1.0.5\""),
	     "no gateway for subnet fd00::/64"},
	    {CONF("n", "\"subnet\":\"10.1.0.0/"
		       "24\",\"gateway\":[\"10.1.0.1\",\"10.1.0.2\"],\"podIP\":\"10.1.0.5\""),
	     "two IPv4 gateways"},
	    {CONF("n",
		  "\"subnet\":\"10.1.0.0/24\",\"gateway\":\"10.1.0.1/24\",\"podIP\":\"10.1.0.5\""),
	     "is not an IP address"},
	    {CONF("n", "\"subnet\":\"10.1.0.0/24\",\"gateway\":\"10.1.0.1\""),
	     "neither \"ipam\" nor \"podIP\""},
	    {CONF("n", V4 ",\"ipam\":{\"type\":\"host-local\"}"), "both \"ipam\" and \"podIP\""},
	    {CONF("n",
		  "\"subnet\":\"10.1.0.0/24\",\"gateway\":\"10.1.0.1\",\"podIP\":\"10.1.0.5/16\""),
	     "prefix length /16 differs from the subnet's /24"},
	    {CONF("n",
		  "\"subnet\":\"10.1.0.0/24\",\"gateway\":\"10.1.0.1\",\"podIP\":\"10.1.0.1\""),
	     "podIP 10.1.0.1 is the gateway address"},
	    {CONF("n",
		  "\"subnet\":\"10.1.0.0/24\",\"gateway\":\"10.1.0.1\",\"podIP\":\"10.1.1.5\""),
	     "podIP 10.1.1.5 is outside subnet 10.1.0.0/24"},
	    {CONF("n",
		  "\"subnet\":\"10.1.0.0/24\",\"gateway\":\"10.1.0.1\",\"podIP\":\"10.1.0.255\""),
	     "broadcast address"},
	    {CONF("n",
		  "\"subnet\":\"10.1.0.0/24\",\"gateway\":\"10.1.0.1\",\"podIP\":\"10.1.0.0\""),
	     "network address"},
	    {CONF("n", "\"subnet\":\"10.1.0.0/"
		       "24\",\"gateway\":\"10.1.0.1\",\"podIP\":[\"10.1.0.5\",\"10.1.0.6\"]"),
	     "two IPv4 podIPs"},
	    {CONF("n", "\"subnet\":[\"10.1.0.0/24\",\"fd00::/"
		       "64\"],\"gateway\":[\"10.1.0.1\",\"fd00::1\"],"
		       "\"podIP\":\"10.1.0.5\""),
	     "no IPv6 podIP for subnet"},
	    {CONF("n", "\"subnet\":\"10.1.0.0/24\",\"gateway\":\"10.1.0.1\",\"podIP\":\"fd00::5\""),
	     "no IPv6 subnet is configured"},
	    {CONF("n", V4 ",\"mtu\":67"), "mtu"},
	    {CONF("n", V4 ",\"mtu\":65536"), "mtu"},
	    {CONF("n", V4 ",\"defaultRouteMetric\":-1"), "defaultRouteMetric"},
	    {CONF("n", V4 ",\"defaultRouteMetric\":4294967296"), "defaultRouteMetric"},
	};

	for (size_t i = 0; i < N(bad); i++)
		expect_refused(f, bad[i].json, bad[i].msg);
}

static void conf_options(void **state)
{
	struct conf_fixture *f = *state;

	assert_int_equal(
	    load(f, CONF("n", V4 ",\"mtu\":68,\"defaultRouteMetric\":0,\"extra\":{}"), false), 0);
	assert_int_equal(f->conf.mtu, 68);
	assert_int_equal(f->conf.default_metric, 0);
	assert_int_equal(
	    load(f, CONF("n", V4 ",\"mtu\":65535,\"defaultRouteMetric\":4294967295"), false), 0);
	assert_int_equal(f->conf.mtu, 65535);
	assert_int_equal(f->conf.default_metric, 4294967295u);
}

/* With ipam, ADD/CHECK/STATUS look the binary up on CNI_PATH. */
static void conf_ipam_binary(void **state)
{
	struct conf_fixture *f = *state;
	char dir[] = "/tmp/krafty-unit-XXXXXX", bin[64];
	int fd;
	const char *json = CONF("n", "\"subnet\":\"10.1.0.0/24\",\"gateway\":\"10.1.0.1\","
				     "\"ipam\":{\"type\":\"host-local\"}");

	assert_non_null(mkdtemp(dir));
	f->ctx.env.path = dir;
	assert_int_equal(load(f, json, false), 0); /* not looked up */
	assert_true(f->conf.use_ipam);
	assert_false(kr_conf_family(&f->conf, AF_INET)->has_pod_ip);
	assert_true(load(f, json, true) < 0);
	assert_int_equal(f->err.code, CNI_ERR_INVALID_CONFIG);
	assert_non_null(strstr(f->err.msg, "ipam: failed to find plugin \"host-local\""));
	snprintf(bin, sizeof(bin), "%s/host-local", dir);
	fd = open(bin, O_CREAT | O_WRONLY, 0755);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(load(f, json, true), 0);
	unlink(bin);
	rmdir(dir);
	f->ctx.env.path = NULL;
}

static void host_route(void **state)
{
	struct conf_fixture *f = *state;
	struct knl_route r;
	struct cni_ip pod;
	char buf[CNI_PREFIX_STRLEN];

	assert_int_equal(load(f, CONF("krafty", V4), false), 0);
	assert_int_equal(cni_ip_parse("10.1.0.5", &pod), 0);
	kr_host_route(&f->conf, &pod, "krbc1", &r);
	cni_prefix_format(&r.dst, buf);
	assert_string_equal(buf, "10.1.0.5/32");
	assert_string_equal(r.oif_name, "krbc1");
	assert_int_equal(r.oif, 0);
	assert_int_equal(r.gw.family, 0);
	assert_int_equal(r.table, 2698658016u);
	assert_int_equal(r.protocol, KR_RTPROT);
	assert_int_equal(r.scope, KNL_SCOPE_AUTO);
	assert_int_equal(r.metric, 0);

	assert_int_equal(load(f,
			      CONF("krafty", "\"subnet\":\"fd00::/64\",\"gateway\":\"fd00::1\","
					     "\"podIP\":\"fd00::5\",\"vrf\":false"),
			      false),
			 0);
	assert_int_equal(cni_ip_parse("fd00::5", &pod), 0);
	kr_host_route(&f->conf, &pod, "krbc1", &r);
	cni_prefix_format(&r.dst, buf);
	assert_string_equal(buf, "fd00::5/128");
	assert_int_equal(r.table, RT_TABLE_MAIN);
}

/* The spare counts in the lock file: read, replaced, and whatever the file
 * holds never misread (a torn line, garbage, a NUL, a count above the bound). */
static void spare_counts(void **state)
{
	char text[64];
	size_t len;

	(void)state;
	strcpy(text, "krsb 3\nkrsv0000000a 12\n");
	len = strlen(text);
	assert_int_equal(kr_spare_count_get(text, len, "krsb", 99), 3);
	assert_int_equal(kr_spare_count_get(text, len, "krsv0000000a", 99), 12);
	assert_int_equal(kr_spare_count_get(text, len, "krsv0000000b", 99), -1);
	assert_int_equal(kr_spare_count_get(text, len, "krsv0000000a", 11), -1);
	kr_spare_count_set(text, &len, sizeof(text), "krsb", 4);
	assert_string_equal(text, "krsv0000000a 12\nkrsb 4\n");
	kr_spare_count_set(text, &len, sizeof(text), "krsv0000000a", -1);
	assert_string_equal(text, "krsb 4\n");
	assert_int_equal(len, strlen(text));
	memcpy(text, "krsb 7", 6); /* torn: no newline */
	len = 6;
	assert_int_equal(kr_spare_count_get(text, len, "krsb", 99), -1);
	kr_spare_count_set(text, &len, sizeof(text), "krsb", 2);
	assert_string_equal(text, "krsb 2\n");
	memcpy(text, "krsb -1\nkrsb  2\nkrsb 2x\nkrsb \n", 31);
	len = 31;
	assert_int_equal(kr_spare_count_get(text, len, "krsb", 99), -1);
	memcpy(text, "krsb 1\0\nkrsb 1\n", 16);
	len = 16;
	assert_int_equal(kr_spare_count_get(text, len, "krsb", 99), -1);
	kr_spare_count_set(text, &len, sizeof(text), "krsb", 5);
	assert_int_equal(kr_spare_count_get(text, len, "krsb", 99), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ident_hash),
	    cmocka_unit_test(ident_names_short_id),
	    cmocka_unit_test(ident_names_long_id),
	    cmocka_unit_test(ident_alias_cut),
	    cmocka_unit_test(dev_labels),
	    cmocka_unit_test(alias_is_ours),
	    cmocka_unit_test(alias_parse),
	    cmocka_unit_test(alias_parse_refused),
	    cmocka_unit_test(alias_parse_hash_digits_only),
	    cmocka_unit_test_setup_teardown(conf_vrf_table, conf_setup, conf_teardown),
	    cmocka_unit_test_setup_teardown(conf_families, conf_setup, conf_teardown),
	    cmocka_unit_test_setup_teardown(conf_subnet_edges, conf_setup, conf_teardown),
	    cmocka_unit_test_setup_teardown(conf_refused, conf_setup, conf_teardown),
	    cmocka_unit_test_setup_teardown(conf_options, conf_setup, conf_teardown),
	    cmocka_unit_test_setup_teardown(conf_ipam_binary, conf_setup, conf_teardown),
	    cmocka_unit_test_setup_teardown(host_route, conf_setup, conf_teardown),
	    cmocka_unit_test(spare_counts),
	};

	return cmocka_run_group_tests_name("krafty", tests, NULL, NULL);
}
