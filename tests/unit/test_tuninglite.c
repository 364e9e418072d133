/* Unit tests for tuning-lite's pure logic (linked with plugins/tuning-lite's
 * objects): sysctl key resolution and its rules (IFNAME, net. only, no '/',
 * '..' or empty parts, only CNI_IFNAME or all/default in per-interface trees,
 * dotted interface names), values, items, the config with its override
 * order, and lib/netlink's dotted-key to /proc/sys path mapping. No netns. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/tuning-lite/tuning.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- tl_sysctl_resolve ---- */

struct resolved {
	const char *key, *ifname;
	const char *name, *path;
};

static const struct resolved accepted[] = {
    /* IFNAME stands for CNI_IFNAME. */
    {"net.ipv4.conf.IFNAME.rp_filter", "eth0", "net.ipv4.conf.eth0.rp_filter",
     "/proc/sys/net/ipv4/conf/eth0/rp_filter"},
    {"net.ipv6.conf.IFNAME.accept_ra", "net1", "net.ipv6.conf.net1.accept_ra",
     "/proc/sys/net/ipv6/conf/net1/accept_ra"},
    {"net.ipv4.neigh.IFNAME.gc_stale_time", "eth0", "net.ipv4.neigh.eth0.gc_stale_time",
     "/proc/sys/net/ipv4/neigh/eth0/gc_stale_time"},
    {"net.ipv6.neigh.IFNAME.base_reachable_time_ms", "eth0",
     "net.ipv6.neigh.eth0.base_reachable_time_ms",
     "/proc/sys/net/ipv6/neigh/eth0/base_reachable_time_ms"},
    {"net.mpls.conf.IFNAME.input", "eth0", "net.mpls.conf.eth0.input",
     "/proc/sys/net/mpls/conf/eth0/input"},
    /* CNI_IFNAME written out is the same key. */
    {"net.ipv4.conf.eth0.arp_filter", "eth0", "net.ipv4.conf.eth0.arp_filter",
     "/proc/sys/net/ipv4/conf/eth0/arp_filter"},
    /* all and default are the namespace's switch and template, not devices. */
    {"net.ipv4.conf.all.rp_filter", "eth0", "net.ipv4.conf.all.rp_filter",
     "/proc/sys/net/ipv4/conf/all/rp_filter"},
    {"net.ipv6.conf.default.disable_ipv6", "eth0", "net.ipv6.conf.default.disable_ipv6",
     "/proc/sys/net/ipv6/conf/default/disable_ipv6"},
    {"net.ipv4.neigh.default.gc_thresh1", "eth0", "net.ipv4.neigh.default.gc_thresh1",
     "/proc/sys/net/ipv4/neigh/default/gc_thresh1"},
    /* Namespace-wide keys. */
    {"net.core.somaxconn", "eth0", "net.core.somaxconn", "/proc/sys/net/core/somaxconn"},
    {"net.ipv4.ip_forward", "eth0", "net.ipv4.ip_forward", "/proc/sys/net/ipv4/ip_forward"},
    {"net.ipv4.ping_group_range", "eth0", "net.ipv4.ping_group_range",
     "/proc/sys/net/ipv4/ping_group_range"},
    {"net.ipv4.tcp_rmem", "eth0", "net.ipv4.tcp_rmem", "/proc/sys/net/ipv4/tcp_rmem"},
    {"net.netfilter.nf_conntrack_max", "eth0", "net.netfilter.nf_conntrack_max",
     "/proc/sys/net/netfilter/nf_conntrack_max"},
    /* A dotted interface name is taken whole: one path part, not two. */
    {"net.ipv4.conf.IFNAME.rp_filter", "eth0.100", "net.ipv4.conf.eth0.100.rp_filter",
     "/proc/sys/net/ipv4/conf/eth0.100/rp_filter"},
    {"net.ipv6.conf.eth0.100.forwarding", "eth0.100", "net.ipv6.conf.eth0.100.forwarding",
     "/proc/sys/net/ipv6/conf/eth0.100/forwarding"},
    {"net.ipv4.neigh.IFNAME.proxy_delay", "a.b.c", "net.ipv4.neigh.a.b.c.proxy_delay",
     "/proc/sys/net/ipv4/neigh/a.b.c/proxy_delay"},
    /* Interface names with characters sysctl names do not use. */
    {"net.ipv4.conf.IFNAME.rp_filter", "veth-a_b@1", "net.ipv4.conf.veth-a_b@1.rp_filter",
     "/proc/sys/net/ipv4/conf/veth-a_b@1/rp_filter"},
    {"net.ipv4.conf.IFNAME.rp_filter", "0123456789abcde", "net.ipv4.conf.0123456789abcde.rp_filter",
     "/proc/sys/net/ipv4/conf/0123456789abcde/rp_filter"},
    /* Only the first IFNAME is replaced, as the reference plugin does. */
    {"net.ipv4.conf.IFNAME.IFNAME", "eth0", "net.ipv4.conf.eth0.IFNAME",
     "/proc/sys/net/ipv4/conf/eth0/IFNAME"},
    {"net.core.IFNAME_x", "eth0", "net.core.eth0_x", "/proc/sys/net/core/eth0_x"},
    {"net.ipv4.conf.IFNAME.a-b_c9", "eth0", "net.ipv4.conf.eth0.a-b_c9",
     "/proc/sys/net/ipv4/conf/eth0/a-b_c9"},
};

static void resolve_accepted(void **state)
{
	for (size_t i = 0; i < N(accepted); i++) {
		const struct resolved *c = &accepted[i];
		char *name = (char *)1, path[KNL_SYSCTL_PATH_MAX] = "";
		struct cni_error err = CNI_ERROR_INIT;
		int rc = tl_sysctl_resolve(c->key, c->ifname, &name, path, &err);

		if (rc != 0)
			fail_msg("\"%s\" (ifname %s) refused: %s", c->key, c->ifname, err.msg);
		if (strcmp(name, c->name) != 0 || strcmp(path, c->path) != 0)
			fail_msg("\"%s\" (ifname %s): %s %s, want %s %s", c->key, c->ifname, name,
				 path, c->name, c->path);
		free(name);
	}
}

struct refused {
	const char *key, *ifname, *msg;
};

static const struct refused refused[] = {
    /* Outside net.: the node's, shared by every pod. */
    {"kernel.hostname", "eth0", "is not under net."},
    {"vm.swappiness", "eth0", "is not under net."},
    {"fs.file-max", "eth0", "is not under net."},
    {"net", "eth0", "is not under net."},
    {"netx.core.somaxconn", "eth0", "is not under net."},
    {"Net.core.somaxconn", "eth0", "is not under net."},
    {".net.core.somaxconn", "eth0", "is not under net."},
    /* No '/': a key cannot climb out of /proc/sys/net. */
    {"net/ipv4/ip_forward", "eth0", "'/' is not allowed"},
    {"net.ipv4.conf.eth0/../../../kernel.core_pattern", "eth0", "'/' is not allowed"},
    {"net.ipv4.conf.IFNAME.rp_filter/", "eth0", "'/' is not allowed"},
    /* No empty parts: no "..", no leading or trailing dot. */
    {"net..core.somaxconn", "eth0", "empty part"},
    {"net.core..somaxconn", "eth0", "empty part"},
    {"net.core.somaxconn.", "eth0", "empty part"},
    {"net.", "eth0", "empty part"},
    {"net...", "eth0", "empty part"},
    {"net.ipv4.conf.IFNAME..rp_filter", "eth0", "empty part"},
    {"net.ipv4.conf.IFNAME.rp_filter.", "eth0", "empty part"},
    {"net.ipv4.conf.all..rp_filter", "eth0", "empty part"},
    {"net.ipv4..conf.all.rp_filter", "eth0", "empty part"},
    /* Per-interface trees: only CNI_IFNAME, all or default. */
    {"net.ipv4.conf.lo.arp_filter", "eth0", "names interface \"lo\", not CNI_IFNAME \"eth0\""},
    {"net.ipv4.conf.eth1.rp_filter", "eth0", "names interface \"eth1\""},
    {"net.ipv6.conf.eth00.forwarding", "eth0", "names interface \"eth00\""},
    {"net.ipv4.neigh.eth1.gc_stale_time", "eth0", "names interface \"eth1\""},
    {"net.mpls.conf.eth1.input", "eth0", "names interface \"eth1\""},
    {"net.ipv4.conf.ALL.rp_filter", "eth0", "names interface \"ALL\""},
    {"net.ipv4.conf.eth.rp_filter", "eth0", "names interface \"eth\""},
    /* The parent of a VLAN interface is another interface. */
    {"net.ipv4.conf.eth0.rp_filter", "eth0.100",
     "names interface \"eth0\", not CNI_IFNAME \"eth0.100\""},
    /* A tree needs a device and a setting. */
    {"net.ipv4.conf.IFNAME", "eth0", "expected <tree>.<device>.<setting>"},
    {"net.ipv4.conf.all", "eth0", "expected <tree>.<device>.<setting>"},
    {"net.ipv4.conf.", "eth0", "expected <tree>.<device>.<setting>"},
    {"net.ipv6.neigh.", "eth0", "expected <tree>.<device>.<setting>"},
    {"net.ipv4.conf..rp_filter", "eth0", "expected <tree>.<device>.<setting>"},
    /* Parts are [A-Za-z0-9_-]; no whitespace or control characters. */
    {"net.core.soma*xconn", "eth0", "invalid character in \"soma*xconn\""},
    {"net.core.somaxconn:", "eth0", "invalid character"},
    {"net.ipv4.conf.IFNAME.rp_filter=1", "eth0", "invalid character in \"rp_filter=1\""},
    {"net.core.somaxconn ", "eth0", "whitespace or control character"},
    {" net.core.somaxconn", "eth0", "whitespace or control character"},
    {"net.core.soma\txconn", "eth0", "whitespace or control character"},
    {"net.core.somaxconn\n", "eth0", "whitespace or control character"},
    {"net.core.soma\x01xconn", "eth0", "whitespace or control character"},
    {"net.core.soma\x7fxconn", "eth0", "whitespace or control character"},
    {"", "eth0", "empty sysctl key"},
};

static void resolve_refused(void **state)
{
	for (size_t i = 0; i < N(refused); i++) {
		const struct refused *c = &refused[i];
		char *name = (char *)1, path[KNL_SYSCTL_PATH_MAX];
		struct cni_error err = CNI_ERROR_INIT;
		int rc = tl_sysctl_resolve(c->key, c->ifname, &name, path, &err);

		if (rc >= 0)
			fail_msg("\"%s\" (ifname %s) accepted as %s", c->key, c->ifname, path);
		assert_null(name);
		if (err.code != CNI_ERR_INVALID_CONFIG)
			fail_msg("\"%s\": code %d, want 7 (%s)", c->key, err.code, err.msg);
		if (!strstr(err.msg, c->msg))
			fail_msg("\"%s\": message \"%s\" lacks \"%s\"", c->key, err.msg, c->msg);
	}
}

/* An interface name that is a path component of its own ("." or ".."; the
 * runtime refuses those, this is the second line) never makes a path. */
static void resolve_dot_ifnames(void **state)
{
	static const char *const ifnames[] = {"..", "."};

	for (size_t i = 0; i < N(ifnames); i++) {
		char *name = (char *)1, path[KNL_SYSCTL_PATH_MAX] = "";
		struct cni_error err = CNI_ERROR_INIT;

		if (tl_sysctl_resolve("net.ipv4.conf.IFNAME.rp_filter", ifnames[i], &name, path,
				      &err) >= 0)
			fail_msg("ifname \"%s\" accepted as %s", ifnames[i], path);
		assert_null(name);
		assert_int_equal(err.code, CNI_ERR_INVALID_CONFIG);
	}
}

static void resolve_limits(void **state)
{
	char key[256], *name = NULL, path[KNL_SYSCTL_PATH_MAX];
	struct cni_error err = CNI_ERROR_INIT;
	size_t n;

	/* 200 characters resolved is the longest key. */
	n = (size_t)snprintf(key, sizeof(key), "net.core.%0*d", 191, 0);
	assert_int_equal(n, 200);
	assert_int_equal(tl_sysctl_resolve(key, "eth0", &name, path, &err), 0);
	assert_int_equal(strlen(path), strlen("/proc/sys/") + 200);
	free(name);
	snprintf(key, sizeof(key), "net.core.%0*d", 192, 0);
	assert_true(tl_sysctl_resolve(key, "eth0", &name, path, &err) < 0);
	assert_non_null(strstr(err.msg, "is too long"));
	/* The length counts after IFNAME is replaced. */
	snprintf(key, sizeof(key), "net.ipv4.conf.IFNAME.%0*d", 176, 0); /* 197 as written */
	assert_int_equal(strlen(key), 197);
	assert_true(tl_sysctl_resolve(key, "0123456789abcde", &name, path, &err) < 0);
	assert_non_null(strstr(err.msg, "is too long"));

	/* At most 15 parts. */
	assert_int_equal(
	    tl_sysctl_resolve("net.a.b.c.d.e.f.g.h.i.j.k.l.m.n", "eth0", &name, path, &err), 0);
	assert_string_equal(path, "/proc/sys/net/a/b/c/d/e/f/g/h/i/j/k/l/m/n");
	free(name);
	assert_true(
	    tl_sysctl_resolve("net.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o", "eth0", &name, path, &err) < 0);
	assert_non_null(strstr(err.msg, "too many parts"));
	assert_int_equal(tl_sysctl_resolve("net.ipv4.conf.IFNAME.e.f.g.h.i.j.k.l.m.n.o", "eth0.1",
					   &name, path, &err),
			 0);
	assert_string_equal(path, "/proc/sys/net/ipv4/conf/eth0.1/e/f/g/h/i/j/k/l/m/n/o");
	free(name);
	assert_true(tl_sysctl_resolve("net.ipv4.conf.IFNAME.e.f.g.h.i.j.k.l.m.n.o.p", "eth0", &name,
				      path, &err) < 0);
	assert_non_null(strstr(err.msg, "too many parts"));
}

/* ---- values ---- */

static void value_check(void **state)
{
	struct cni_error err = CNI_ERROR_INIT;
	char big[TL_VALUE_MAX + 1];

	assert_int_equal(tl_sysctl_value_check("k", "1", &err), 0);
	assert_int_equal(tl_sysctl_value_check("k", "4096\t87380\t6291456", &err), 0);
	assert_int_equal(tl_sysctl_value_check("k", "0 2147483647", &err), 0);
	memset(big, '1', TL_VALUE_MAX - 1);
	big[TL_VALUE_MAX - 1] = '\0';
	assert_int_equal(tl_sysctl_value_check("k", big, &err), 0); /* 1023 bytes */
	big[TL_VALUE_MAX - 1] = '1';
	big[TL_VALUE_MAX] = '\0';
	assert_true(tl_sysctl_value_check("k", big, &err) < 0); /* 1024 bytes */
	assert_int_equal(err.code, CNI_ERR_INVALID_CONFIG);
	assert_string_equal(err.msg, "sysctl \"k\": value longer than 1023 bytes");
	assert_true(tl_sysctl_value_check("k", "", &err) < 0);
	assert_string_equal(err.msg, "sysctl \"k\": empty value");
	assert_true(tl_sysctl_value_check("k", "1\n", &err) < 0);
	assert_string_equal(err.msg, "sysctl \"k\": value has a newline or control character");
	assert_true(tl_sysctl_value_check("k", "1\n0", &err) < 0);
	assert_true(tl_sysctl_value_check("k", "1\r", &err) < 0);
	assert_true(tl_sysctl_value_check("k", "\x1b[0m", &err) < 0);
	assert_true(tl_sysctl_value_check("k", "1\x7f", &err) < 0);
}

static void values_equal(void **state)
{
	static const struct {
		const char *a, *b;
		bool equal;
	} cases[] = {
	    {"1", "1", true},
	    {"4096 87380 6291456", "4096\t87380\t6291456", true},
	    {"4096  87380", "4096\t87380", true},
	    {" 1", "1\n", true},
	    {"", "", true},
	    {"", " \t", true},
	    {"1", "10", false},
	    {"10", "1", false},
	    {"1 0", "10", false},
	    {"a b", "ab", false},
	    {"1", "", false},
	    {"0 2147483647", "0\t2147483647\n", true},
	    {"abc", "ABC", false},
	};

	for (size_t i = 0; i < N(cases); i++) {
		if (tl_sysctl_values_equal(cases[i].a, cases[i].b) != cases[i].equal)
			fail_msg("values_equal(\"%s\", \"%s\") != %d", cases[i].a, cases[i].b,
				 cases[i].equal);
		if (tl_sysctl_values_equal(cases[i].b, cases[i].a) != cases[i].equal)
			fail_msg("values_equal(\"%s\", \"%s\") != %d", cases[i].b, cases[i].a,
				 cases[i].equal);
	}
}

/* ---- items ---- */

static void items(void **state)
{
	cleanup_items struct tl_items list = {0};
	struct cni_error err = CNI_ERROR_INIT;
	struct tl_item like_mtu = {.kind = TL_MTU},
		       like_s = {.kind = TL_SYSCTL, .path = "/proc/sys/x/b"};
	struct tl_item like_none = {.kind = TL_SYSCTL, .path = "/proc/sys/x/c"};
	struct tl_item like_mac = {.kind = TL_MAC};

	assert_string_equal(tl_kind_name(TL_MAC), "mac");
	assert_string_equal(tl_kind_name(TL_MTU), "mtu");
	assert_string_equal(tl_kind_name(TL_TXQLEN), "txqlen");
	assert_string_equal(tl_kind_name(TL_PROMISC), "promisc");
	assert_string_equal(tl_kind_name(TL_ALLMULTI), "allmulti");
	assert_string_equal(tl_kind_name(TL_SYSCTL), "sysctl");
	assert_string_equal(tl_kind_name((enum tl_kind)42), "?");

	assert_int_equal(tl_items_add(&list, TL_MTU, NULL, NULL, "1400", &err), 0);
	assert_int_equal(tl_items_add(&list, TL_SYSCTL, "x.a", "/proc/sys/x/a", "1", &err), 0);
	assert_int_equal(tl_items_add(&list, TL_SYSCTL, "x.b", "/proc/sys/x/b", "2", &err), 0);
	assert_int_equal(list.n, 3);
	assert_string_equal(list.v[0].name, "mtu"); /* the kind's name by default */
	assert_null(list.v[0].path);
	/* Identity: the kind, and the path for sysctls (not the name). */
	assert_ptr_equal(tl_items_find(&list, &like_mtu), &list.v[0]);
	assert_ptr_equal(tl_items_find(&list, &like_s), &list.v[2]);
	assert_null(tl_items_find(&list, &like_none));
	assert_null(tl_items_find(&list, &like_mac));
	tl_items_free(&list);
	assert_int_equal(list.n, 0);
	assert_null(list.v);
}

/* ---- the config ---- */

struct tl_fixture {
	struct cni_ctx ctx;
	struct tl_config cfg;
	struct cni_error err;
};

static int tl_setup(void **state)
{
	struct tl_fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->ctx.env.ifname = "eth0";
	*state = f;
	return 0;
}

static int tl_teardown(void **state)
{
	struct tl_fixture *f = *state;

	tl_config_free(&f->cfg);
	cni_conf_free(&f->ctx.conf);
	cni_env_free(&f->ctx.env);
	free(f);
	return 0;
}

/* Parse json (with CNI_ARGS args) into f->cfg. */
static int tl_load(struct tl_fixture *f, const char *json, const char *args)
{
	struct cni_error perr = CNI_ERROR_INIT;

	tl_config_free(&f->cfg);
	cni_conf_free(&f->ctx.conf);
	memset(&f->ctx.conf, 0, sizeof(f->ctx.conf));
	cni_env_free(&f->ctx.env);
	if (cni_args_parse(args, &f->ctx.env.args, &f->ctx.env.n_args, &perr) != 0)
		fail_msg("CNI_ARGS %s: %s", args, perr.msg);
	if (cni_conf_parse(&f->ctx.conf, json, strlen(json), &perr) != 0)
		fail_msg("cni_conf_parse: %s (%s)", perr.msg, json);
	cni_err_clear(&f->err);
	return tl_config_parse(&f->ctx, &f->cfg, &f->err);
}

#define TCONF(rest) "{\"cniVersion\":\"1.0.0\",\"name\":\"t\",\"type\":\"tuning-lite\"" rest "}"

/* The wanted items as "kind name=value path" lines, for exact comparison. */
static void expect_items(const struct tl_items *items, const char *const *want, size_t n)
{
	if (items->n != n)
		fail_msg("%zu items, want %zu", items->n, n);
	for (size_t i = 0; i < n; i++) {
		char line[512];
		const struct tl_item *it = &items->v[i];

		snprintf(line, sizeof(line), "%s %s=%s %s", tl_kind_name(it->kind), it->name,
			 it->value, it->path ? it->path : "-");
		if (strcmp(line, want[i]) != 0)
			fail_msg("item %zu: \"%s\", want \"%s\"", i, line, want[i]);
	}
}

static void config_items(void **state)
{
	struct tl_fixture *f = *state;
	static const char *const want[] = {
	    "mac mac=0a:bb:cc:dd:ee:ff -",
	    "mtu mtu=1400 -",
	    "txqlen txqlen=0 -",
	    "promisc promisc=true -",
	    "allmulti allmulti=true -",
	    "sysctl net.ipv4.conf.eth0.rp_filter=2 /proc/sys/net/ipv4/conf/eth0/rp_filter",
	    "sysctl net.core.somaxconn=1024 /proc/sys/net/core/somaxconn",
	    "sysctl net.ipv4.conf.all.rp_filter=0 /proc/sys/net/ipv4/conf/all/rp_filter",
	};

	assert_int_equal(
	    tl_load(f,
		    TCONF(",\"sysctl\":{\"net.ipv4.conf.IFNAME.rp_filter\":\"2\","
			  "\"net.core.somaxconn\":\"1024\",\"net.ipv4.conf.all.rp_filter\":\"0\"},"
			  "\"allmulti\":true,\"promisc\":true,\"txQLen\":0,\"mtu\":1400,"
			  "\"mac\":\"0A-BB-CC-DD-EE-FF\""),
		    NULL),
	    0);
	/* Link attributes first (in the order ADD applies them), then sysctls in
	 * config order; the MAC in canonical form. */
	expect_items(&f->cfg.want, want, N(want));
	assert_string_equal(f->cfg.data_dir, TL_DEFAULT_DATA_DIR);

	/* false and 0 leave things alone. */
	assert_int_equal(
	    tl_load(f,
		    TCONF(",\"promisc\":false,\"allmulti\":false,\"mtu\":0,\"mac\":\"\","
			  "\"dataDir\":\"/run/tl\""),
		    NULL),
	    0);
	assert_int_equal(f->cfg.want.n, 0);
	assert_string_equal(f->cfg.data_dir, "/run/tl");
}

/* mac: mac < CNI_ARGS MAC < runtimeConfig.mac < args.cni.mac; others: the top
 * level < args.cni; sysctls merge key by key (by file). */
static void config_overrides(void **state)
{
	struct tl_fixture *f = *state;
	static const char *const want_cni_args[] = {"mac mac=02:00:00:00:00:02 -"};
	static const char *const want_rt[] = {"mac mac=02:00:00:00:00:03 -"};
	static const char *const want_all[] = {
	    "mac mac=02:00:00:00:00:04 -",
	    "mtu mtu=9000 -",
	    "sysctl net.ipv4.conf.eth0.rp_filter=1 /proc/sys/net/ipv4/conf/eth0/rp_filter",
	    "sysctl net.core.somaxconn=512 /proc/sys/net/core/somaxconn",
	    "sysctl net.ipv4.ip_forward=1 /proc/sys/net/ipv4/ip_forward",
	};

	assert_int_equal(tl_load(f, TCONF(",\"mac\":\"02:00:00:00:00:01\""),
				 "IgnoreUnknown=1;MAC=02:00:00:00:00:02"),
			 0);
	expect_items(&f->cfg.want, want_cni_args, 1);
	assert_int_equal(tl_load(f,
				 TCONF(",\"mac\":\"02:00:00:00:00:01\","
				       "\"runtimeConfig\":{\"mac\":\"02:00:00:00:00:03\"}"),
				 "MAC=02:00:00:00:00:02"),
			 0);
	expect_items(&f->cfg.want, want_rt, 1);
	/* An empty CNI_ARGS MAC is unset; the last MAC= given counts. */
	assert_int_equal(
	    tl_load(f, TCONF(",\"mac\":\"02:00:00:00:00:01\""), "MAC=02:00:00:00:00:09;MAC="), 0);
	assert_string_equal(f->cfg.want.v[0].value, "02:00:00:00:00:01");
	assert_int_equal(
	    tl_load(f,
		    TCONF(",\"mac\":\"02:00:00:00:00:01\",\"mtu\":1400,"
			  "\"runtimeConfig\":{\"mac\":\"02:00:00:00:00:03\"},"
			  "\"sysctl\":{\"net.ipv4.conf.IFNAME.rp_filter\":\"2\",\"net.core."
			  "somaxconn\":\"128\"},"
			  "\"args\":{\"cni\":{\"mac\":\"02:00:00:00:00:04\",\"mtu\":9000,"
			  "\"sysctl\":{\"net.ipv4.conf.eth0.rp_filter\":\"1\",\"net.core."
			  "somaxconn\":\"512\","
			  "\"net.ipv4.ip_forward\":\"1\"}}}"),
		    "MAC=02:00:00:00:00:02"),
	    0);
	expect_items(&f->cfg.want, want_all, N(want_all));
}

static void config_refused(void **state)
{
	struct tl_fixture *f = *state;
	static const struct {
		const char *json, *args, *msg;
	} bad[] = {
	    /* Two keys of one object for the same file (the same key twice, and a
	     * NUL in a string, are refused by lib/cni's parser: test_cni.c). */
	    {TCONF(",\"sysctl\":{\"net.ipv4.conf.IFNAME.rp_filter\":\"1\",\"net.ipv4.conf.eth0.rp_"
		   "filter\":\"2\"}"),
	     NULL, "both name /proc/sys/net/ipv4/conf/eth0/rp_filter"},
	    {TCONF(",\"sysctl\":{\"kernel.hostname\":\"x\"}"), NULL, "is not under net."},
	    {TCONF(",\"sysctl\":{\"net.ipv4.conf.lo.rp_filter\":\"1\"}"), NULL,
	     "names interface \"lo\""},
	    {TCONF(",\"args\":{\"cni\":{\"sysctl\":{\"net.ipv4.conf.eth1.rp_filter\":\"1\"}}}"),
	     NULL, "names interface \"eth1\""},
	    {TCONF(",\"sysctl\":{\"net.core.somaxconn\":1024}"), NULL,
	     "the value must be a string"},
	    {TCONF(",\"sysctl\":{\"net.core.somaxconn\":\"\"}"), NULL, "empty value"},
	    {TCONF(",\"sysctl\":[]"), NULL, "sysctl"},
	    /* Every MAC given is checked, even one a later source overrides. */
	    {TCONF(",\"args\":{\"cni\":{\"mac\":\"02:00:00:00:00:04\"}}"), "MAC=nope",
	     "CNI_ARGS MAC: invalid MAC"},
	    {TCONF(",\"mac\":\"01:00:5e:00:00:01\""), NULL, "is a multicast address"},
	    {TCONF(",\"mac\":\"00:00:00:00:00:00\""), NULL, "all-zero MAC"},
	    {TCONF(",\"mac\":\"02:00:00:00:00\""), NULL, "invalid MAC"},
	    {TCONF(",\"mac\":\"02:00-00:00:00:01\""), NULL, "invalid MAC"},
	    {TCONF(",\"mac\":\"02:00:00:00:00:0g\""), NULL, "invalid MAC"},
	    {TCONF(",\"mtu\":-1"), NULL, "mtu"},
	    {TCONF(",\"txQLen\":4294967296"), NULL, "txQLen"},
	    {TCONF(",\"promisc\":\"yes\""), NULL, "promisc"},
	    {TCONF(",\"dataDir\":\"relative/dir\""), NULL, "must be an absolute path"},
	};

	for (size_t i = 0; i < N(bad); i++) {
		int rc = tl_load(f, bad[i].json, bad[i].args);

		if (rc >= 0)
			fail_msg("accepted: %s", bad[i].json);
		if (f->err.code != CNI_ERR_INVALID_CONFIG)
			fail_msg("%s: code %d, want 7 (%s)", bad[i].json, f->err.code, f->err.msg);
		if (!strstr(f->err.msg, bad[i].msg))
			fail_msg("%s: message \"%s\" lacks \"%s\"", bad[i].json, f->err.msg,
				 bad[i].msg);
		assert_int_equal(f->cfg.want.n, 0);
	}
}

/* ---- lib/netlink: dotted keys and parts to /proc/sys paths ---- */

static void knl_paths(void **state)
{
	char buf[KNL_SYSCTL_PATH_MAX];
	struct cni_error err = CNI_ERROR_INIT;
	static const char *const bad_keys[] = {
	    "", "/net/ipv4", "net/ipv4", "net..ipv4", ".net", "net.", "net.ipv4.conf.\x01.x"};
	const char *parts[] = {"net", "ipv4", "conf", "eth0.100", "arp_filter", NULL};
	const char *dotdot[] = {"net", "ipv4", "conf", "..", "x", NULL};
	const char *dot[] = {"net", ".", NULL};
	const char *slash[] = {"net", "a/b", NULL};
	const char *empty[] = {"net", "", NULL};
	const char *none[] = {NULL};

	assert_int_equal(knl_sysctl_path("net.ipv4.ip_forward", buf, sizeof(buf), &err), 0);
	assert_string_equal(buf, "/proc/sys/net/ipv4/ip_forward");
	for (size_t i = 0; i < N(bad_keys); i++) {
		if (knl_sysctl_path(bad_keys[i], buf, sizeof(buf), &err) != -EINVAL)
			fail_msg("knl_sysctl_path(\"%s\") accepted", bad_keys[i]);
		assert_int_equal(err.code, CNI_ERR_INVALID_CONFIG);
	}
	assert_int_equal(knl_sysctl_path("net.core.somaxconn", buf, 20, &err),
			 -EINVAL); /* too long */

	assert_int_equal(knl_sysctl_path_parts(parts, buf, sizeof(buf), &err), 0);
	assert_string_equal(buf, "/proc/sys/net/ipv4/conf/eth0.100/arp_filter");
	assert_int_equal(knl_sysctl_path_parts(dotdot, buf, sizeof(buf), &err), -EINVAL);
	assert_int_equal(knl_sysctl_path_parts(dot, buf, sizeof(buf), &err), -EINVAL);
	assert_int_equal(knl_sysctl_path_parts(slash, buf, sizeof(buf), &err), -EINVAL);
	assert_int_equal(knl_sysctl_path_parts(empty, buf, sizeof(buf), &err), -EINVAL);
	assert_int_equal(knl_sysctl_path_parts(none, buf, sizeof(buf), &err), -EINVAL);
	assert_int_equal(knl_sysctl_path_parts(parts, buf, 30, &err), -EINVAL);
	assert_int_equal(err.code, CNI_ERR_INVALID_CONFIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(resolve_accepted),
	    cmocka_unit_test(resolve_refused),
	    cmocka_unit_test(resolve_dot_ifnames),
	    cmocka_unit_test(resolve_limits),
	    cmocka_unit_test(value_check),
	    cmocka_unit_test(values_equal),
	    cmocka_unit_test(items),
	    cmocka_unit_test_setup_teardown(config_items, tl_setup, tl_teardown),
	    cmocka_unit_test_setup_teardown(config_overrides, tl_setup, tl_teardown),
	    cmocka_unit_test_setup_teardown(config_refused, tl_setup, tl_teardown),
	    cmocka_unit_test(knl_paths),
	};

	return cmocka_run_group_tests_name("tuning-lite", tests, NULL, NULL);
}
