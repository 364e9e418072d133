/* Unit tests for host-local: address file names, range iteration, the allocator's search
 * order (in a store under a temp dir, no root needed), the config's range defaults and
 * errors, and the owner format of address files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../ipam/host-local/addrname.h"
#include "../../ipam/host-local/allocator.h"
#include "../../ipam/host-local/config.h"
#include "../../ipam/host-local/rangeiter.h"
#include "../../ipam/host-local/spares.h"
#include "../../ipam/host-local/store.h"
#include "cni/env.h"

/* ---- helpers ---- */

static struct cni_ip ip(const char *s)
{
	struct cni_ip a;

	if (cni_ip_parse(s, &a) < 0)
		fail_msg("bad address in test: %s", s);
	return a;
}

static const char *name_of(const struct cni_ip *a)
{
	static char buf[CNI_IP_STRLEN];

	hl_ip_name(a, buf);
	return buf;
}

/* A network config with this ipam section (type and dataDir added), loaded as ADD loads
 * it. cni_args: CNI_ARGS, or NULL. */
struct loaded {
	struct cni_ctx ctx;
	struct hl_config cfg;
	struct cni_error err;
	int rc;
};

static void load(struct loaded *l, const char *ipam, const char *data_dir, const char *cni_args)
{
	char conf[4096];
	struct cni_error err = CNI_ERROR_INIT;
	int n = snprintf(conf, sizeof(conf),
			 "{\"cniVersion\":\"1.0.0\",\"name\":\"net\",\"type\":\"host-local\","
			 "\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"%s\",%s}}",
			 data_dir ? data_dir : "/nonexistent", ipam);

	assert_true(n > 0 && (size_t)n < sizeof(conf));
	memset(l, 0, sizeof(*l));
	l->err = (struct cni_error)CNI_ERROR_INIT;
	if (cni_conf_parse(&l->ctx.conf, conf, strlen(conf), &err) < 0)
		fail_msg("config does not parse: %s (%s)", err.msg, conf);
	l->ctx.env.container_id = "c1";
	l->ctx.env.ifname = "eth0";
	if (cni_args && cni_args_parse(cni_args, &l->ctx.env.args, &l->ctx.env.n_args, &err) < 0)
		fail_msg("CNI_ARGS do not parse: %s", err.msg);
	l->rc = hl_config_load(&l->cfg, &l->ctx, true, &l->err);
}

static void unload(struct loaded *l)
{
	hl_config_free(&l->cfg);
	cni_args_free(l->ctx.env.args, l->ctx.env.n_args);
	cni_conf_free(&l->ctx.conf);
}

static void load_ok(struct loaded *l, const char *ipam, const char *data_dir)
{
	load(l, ipam, data_dir, NULL);
	if (l->rc != 0)
		fail_msg("config refused (%d): %s", l->rc, l->err.msg);
}

/* A data dir under /tmp with the network directory "net" open and locked. */
struct store_fixture {
	char dir[64];
	struct hl_store st;
	struct loaded l;
};

static void store_open(struct store_fixture *f, const char *ipam)
{
	struct cni_error err = CNI_ERROR_INIT;

	snprintf(f->dir, sizeof(f->dir), "/tmp/test-hostlocal-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	load_ok(&f->l, ipam, f->dir);
	if (hl_store_open(&f->st, f->dir, "net", true, NULL, &err) < 0)
		fail_msg("store: %s", err.msg);
}

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(path);
}

static void store_close(struct store_fixture *f)
{
	hl_store_close(&f->st);
	unload(&f->l);
	assert_int_equal(nftw(f->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS), 0);
}

static void write_net_file(struct store_fixture *f, const char *name, const char *content)
{
	int fd = openat(f->st.dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
}

static const char *read_net_file(struct store_fixture *f, const char *name)
{
	static char buf[256];
	int fd = openat(f->st.dirfd, name, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* Allocate from range set idx as ADD does (and record last_reserved_ip.<idx> as ADD
 * does); returns the address's name. */
static const char *allocate(struct store_fixture *f, int idx)
{
	struct cni_error err = CNI_ERROR_INIT;
	struct cni_ip got;

	if (hl_allocate(&f->st, &f->l.cfg.sets[idx], idx, "c1", "eth0", &got, &err) < 0)
		fail_msg("allocate: %s", err.msg);
	assert_int_equal(hl_store_set_last_reserved(&f->st, idx, &got, &err), 0);
	return name_of(&got);
}

static void assert_allocates(struct store_fixture *f, int idx, const char *want)
{
	assert_string_equal(allocate(f, idx), want);
}

/* ---- address file names ---- */

static void ip_names(void **state)
{
	static const struct {
		const char *in, *name;
	} cases[] = {
	    {"10.1.2.3", "10.1.2.3"},
	    {"0.0.0.0", "0.0.0.0"},
	    {"fd00::1", "fd00::1"},
	    {"FD00:0:0:0:0:0:0:1", "fd00::1"},
	    {"::", "::"},
	    {"::1", "::1"},
	    /* Go prints the embedded-IPv4 forms in hex, where glibc prints ::10.0.0.1 */
	    {"::10.0.0.1", "::a00:1"},
	    {"::ffff:10.1.2.3", "10.1.2.3"},
	    /* the first of two equally long zero runs becomes "::" */
	    {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
	    /* the longer run wins even when it comes second */
	    {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},
	    /* a single zero group stays */
	    {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
	    {"fd00:0:0:0:0:0:0:0", "fd00::"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cni_ip a = ip(cases[i].in);

		if (strcmp(name_of(&a), cases[i].name) != 0)
			fail_msg("%s: name %s, want %s", cases[i].in, name_of(&a), cases[i].name);
	}
}

static void ip_name_unset(void **state)
{
	struct cni_ip none = {0};
	char buf[CNI_IP_STRLEN] = "x";

	hl_ip_name(&none, buf);
	assert_string_equal(buf, "");
}

static void ip_canonical(void **state)
{
	struct cni_ip a = ip("::ffff:192.168.1.7"), b = ip("fd00::ffff:c0a8:107");

	assert_true(hl_ip_is_v4_mapped(&a));
	hl_ip_canonical(&a);
	assert_int_equal(a.family, AF_INET);
	assert_memory_equal(a.addr, ((uint8_t[16]){192, 168, 1, 7}), 16);
	assert_false(hl_ip_is_v4_mapped(&b));
	hl_ip_canonical(&b);
	assert_int_equal(b.family, AF_INET6);
}

static void parse_ip_names(void **state)
{
	static const char *const good[] = {"10.1.2.3", "fd00::1", "::a00:1", "2001:db8::1:0:0:1"};
	static const char *const bad[] = {
	    "010.1.2.3",
	    "10.1.2",
	    "FD00::1",
	    "fd00:0::1",
	    "::ffff:10.1.2.3",
	    "::10.0.0.1",
	    "10.1.2.3/24",
	    "2001:db8:0:0:1::1",
	    "lock",
	    "last_reserved_ip.0",
	    ".krafty-index",
	    "",
	};
	struct cni_ip a;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (hl_parse_ip_name(good[i], &a) != 0)
			fail_msg("%s refused", good[i]);
		assert_string_equal(name_of(&a), good[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (hl_parse_ip_name(bad[i], &a) != -EINVAL)
			fail_msg("%s taken for an address file", bad[i]);
	assert_int_equal(hl_parse_ip_name("10.9.8.7", &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_memory_equal(a.addr, ((uint8_t[4]){10, 9, 8, 7}), 4);
}

/* ---- ranges ---- */

static void range_defaults(void **state)
{
	struct loaded l;
	const struct hl_range *r;

	load_ok(&l, "\"subnet\":\"10.0.0.0/24\"", NULL);
	assert_int_equal(l.cfg.n_sets, 1);
	assert_int_equal(l.cfg.sets[0].n, 1);
	r = &l.cfg.sets[0].ranges[0];
	assert_string_equal(name_of(&r->start), "10.0.0.1");
	assert_string_equal(name_of(&r->end), "10.0.0.254");
	assert_string_equal(name_of(&r->gateway), "10.0.0.1");
	assert_int_equal(r->subnet.len, 24);
	unload(&l);

	/* IPv6 has no broadcast: the range ends at the last address */
	load_ok(&l, "\"ranges\":[[{\"subnet\":\"fd00::/120\"}]]", NULL);
	r = &l.cfg.sets[0].ranges[0];
	assert_string_equal(name_of(&r->start), "fd00::1");
	assert_string_equal(name_of(&r->end), "fd00::ff");
	assert_string_equal(name_of(&r->gateway), "fd00::1");
	unload(&l);
}

static void range_membership(void **state)
{
	struct loaded l;
	const struct hl_range_set *set;
	struct cni_ip a;

	load_ok(&l,
		"\"ranges\":[[{\"subnet\":\"10.0.0.0/24\",\"rangeStart\":\"10.0.0.10\","
		"\"rangeEnd\":\"10.0.0.20\"},{\"subnet\":\"10.0.1.0/24\"}]]",
		NULL);
	set = &l.cfg.sets[0];
	a = ip("10.0.0.10");
	assert_ptr_equal(hl_range_for(set, &a), &set->ranges[0]);
	a = ip("10.0.0.20");
	assert_ptr_equal(hl_range_for(set, &a), &set->ranges[0]);
	a = ip("10.0.0.9");
	assert_null(hl_range_for(set, &a));
	a = ip("10.0.0.21");
	assert_null(hl_range_for(set, &a));
	a = ip("10.0.1.254");
	assert_ptr_equal(hl_range_for(set, &a), &set->ranges[1]);
	a = ip("10.0.1.255"); /* broadcast: not in the default range */
	assert_null(hl_range_for(set, &a));
	a = ip("::ffff:10.0.0.15"); /* another family, same bytes at the end */
	assert_null(hl_range_for(set, &a));
	assert_true(hl_range_contains(&set->ranges[1], &(struct cni_ip){0}) == false);
	unload(&l);
}

static void reserved_addresses(void **state)
{
	struct loaded l;
	const struct hl_range *r4, *r6;
	struct cni_ip a;

	load_ok(&l,
		"\"ranges\":[[{\"subnet\":\"10.0.0.0/29\",\"gateway\":\"10.0.0.3\"}],"
		"[{\"subnet\":\"fd00::/125\"}]]",
		NULL);
	r4 = &l.cfg.sets[0].ranges[0];
	r6 = &l.cfg.sets[1].ranges[0];
	a = ip("10.0.0.3");
	assert_true(hl_ip_reserved(r4, &a));
	a = ip("10.0.0.0");
	assert_true(hl_ip_reserved(r4, &a));
	a = ip("10.0.0.7");
	assert_true(hl_ip_reserved(r4, &a));
	a = ip("10.0.0.1");
	assert_false(hl_ip_reserved(r4, &a));
	a = ip("fd00::1");
	assert_true(hl_ip_reserved(r6, &a));
	a = ip("fd00::");
	assert_true(hl_ip_reserved(r6, &a));
	a = ip("fd00::7"); /* the last IPv6 address is an address like any other */
	assert_false(hl_ip_reserved(r6, &a));
	unload(&l);
}

static void range_overlap(void **state)
{
	struct hl_range a = {.start = ip("10.0.0.1"), .end = ip("10.0.0.10")};
	struct hl_range b = {.start = ip("10.0.0.10"), .end = ip("10.0.0.20")};
	struct hl_range c = {.start = ip("10.0.0.11"), .end = ip("10.0.0.20")};
	struct hl_range d = {.start = ip("::a00:1"), .end = ip("::a00:a")};

	assert_true(hl_ranges_overlap(&a, &b));
	assert_true(hl_ranges_overlap(&b, &a));
	assert_false(hl_ranges_overlap(&a, &c));
	assert_false(hl_ranges_overlap(&c, &a));
	assert_false(hl_ranges_overlap(&a, &d));
}

static void range_set_texts(void **state)
{
	struct loaded l;
	char buf[128];

	load_ok(&l,
		"\"ranges\":[[{\"subnet\":\"10.0.0.0/24\"},{\"subnet\":\"10.0.1.0/29\","
		"\"rangeStart\":\"10.0.1.0\",\"rangeEnd\":\"10.0.1.7\"}],"
		"[{\"subnet\":\"fd00::/64\"}],[{\"subnet\":\"fc00::/8\"}]]",
		NULL);
	hl_range_set_describe(&l.cfg.sets[0], buf, sizeof(buf));
	assert_string_equal(buf, "10.0.0.1-10.0.0.254,10.0.1.0-10.0.1.7");
	/* 254 - gateway, plus 8 - gateway, network and broadcast */
	hl_range_set_usable(&l.cfg.sets[0], buf, sizeof(buf));
	assert_string_equal(buf, "258");
	hl_range_set_usable(&l.cfg.sets[1], buf, sizeof(buf));
	assert_string_equal(buf, "18446744073709551614"); /* 2^64 - 1 - gateway */
	hl_range_set_usable(&l.cfg.sets[2], buf, sizeof(buf));
	assert_string_equal(buf, "1329227995784915872903807060280344574"); /* 2^120 - 2 */
	hl_range_set_describe(&l.cfg.sets[1], buf, sizeof(buf));
	assert_string_equal(buf, "fd00::1-fd00::ffff:ffff:ffff:ffff");
	unload(&l);
}

/* ---- range iteration ---- */

/* Walk n steps from `from` and return the names, comma-separated. */
static const char *walk(const struct hl_range_set *set, const char *from, int n)
{
	static char out[1024];
	struct cni_ip last = from ? ip(from) : (struct cni_ip){0};
	struct hl_range_iter it = hl_range_iter_start(set, &last);
	size_t len = 0;

	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s", i ? "," : "",
					name_of(&it.ip));
		hl_range_iter_next(&it);
	}
	return out;
}

static void iter_one_range(void **state)
{
	struct loaded l;
	const struct hl_range_set *set;

	load_ok(&l, "\"subnet\":\"10.0.0.0/29\"", NULL);
	set = &l.cfg.sets[0];
	/* no last reservation: the first range's start (the gateway; the allocator skips it) */
	assert_string_equal(walk(set, NULL, 3), "10.0.0.1,10.0.0.2,10.0.0.3");
	assert_string_equal(walk(set, "10.0.0.3", 2), "10.0.0.4,10.0.0.5");
	/* the end of the range wraps to its start */
	assert_string_equal(walk(set, "10.0.0.5", 4), "10.0.0.6,10.0.0.1,10.0.0.2,10.0.0.3");
	assert_string_equal(walk(set, "10.0.0.6", 1), "10.0.0.1");
	/* a last reservation outside the set (an older config's): the start again */
	assert_string_equal(walk(set, "10.0.0.7", 1), "10.0.0.1");
	assert_string_equal(walk(set, "10.9.0.3", 1), "10.0.0.1");
	assert_string_equal(walk(set, "fd00::3", 1), "10.0.0.1");
	unload(&l);
}

static void iter_ranges_in_a_set(void **state)
{
	struct loaded l;
	const struct hl_range_set *set;
	struct cni_ip last = ip("10.0.1.2");
	struct hl_range_iter it, start;
	int steps = 0;

	load_ok(&l,
		"\"ranges\":[[{\"subnet\":\"10.0.0.0/24\",\"rangeStart\":\"10.0.0.1\","
		"\"rangeEnd\":\"10.0.0.2\"},{\"subnet\":\"10.0.1.0/24\",\"rangeStart\":"
		"\"10.0.1.1\",\"rangeEnd\":\"10.0.1.2\"},{\"subnet\":\"10.0.2.0/24\","
		"\"rangeStart\":\"10.0.2.5\",\"rangeEnd\":\"10.0.2.5\"}]]",
		NULL);
	set = &l.cfg.sets[0];
	/* after a range's end comes the next range's start */
	assert_string_equal(walk(set, "10.0.0.2", 3), "10.0.1.1,10.0.1.2,10.0.2.5");
	/* after the last range's end, the first range's start */
	assert_string_equal(walk(set, "10.0.2.5", 2), "10.0.0.1,10.0.0.2");
	it = hl_range_iter_start(set, &last);
	assert_int_equal(it.range, 2);
	/* a full turn visits every address once */
	start = it;
	do {
		hl_range_iter_next(&it);
		steps++;
	} while (!hl_range_iter_same(&it, &start) && steps < 100);
	assert_int_equal(steps, 5);
	unload(&l);
}

static void iter_ipv6(void **state)
{
	struct loaded l;
	const struct hl_range_set *set;

	load_ok(&l,
		"\"ranges\":[[{\"subnet\":\"fd00::/64\",\"rangeStart\":\"fd00::fe\","
		"\"rangeEnd\":\"fd00::1:0:0\"}]]",
		NULL);
	set = &l.cfg.sets[0];
	/* the carry runs across groups */
	assert_string_equal(walk(set, NULL, 3), "fd00::fe,fd00::ff,fd00::100");
	assert_string_equal(walk(set, "fd00::ffff:ffff", 2), "fd00::1:0:0,fd00::fe");
	unload(&l);
}

/* ---- the allocator ---- */

static void allocate_in_order_then_exhausted(void **state)
{
	struct store_fixture f;
	struct cni_error err = CNI_ERROR_INIT;
	struct cni_ip got;

	store_open(&f, "\"subnet\":\"10.0.0.0/29\"");
	/* the gateway (10.0.0.1) and the broadcast address (10.0.0.7) are never handed out */
	assert_allocates(&f, 0, "10.0.0.2");
	assert_string_equal(read_net_file(&f, "10.0.0.2"), "c1\r\neth0");
	assert_string_equal(read_net_file(&f, "last_reserved_ip.0"), "10.0.0.2");
	assert_allocates(&f, 0, "10.0.0.3");
	assert_allocates(&f, 0, "10.0.0.4");
	assert_allocates(&f, 0, "10.0.0.5");
	assert_allocates(&f, 0, "10.0.0.6");
	assert_int_equal(hl_allocate(&f.st, &f.l.cfg.sets[0], 0, "c1", "eth0", &got, &err), -EIO);
	assert_int_equal(err.code, HL_ERR_EXHAUSTED);
	assert_string_equal(err.msg, "no IP addresses available in range set 0 "
				     "(10.0.0.1-10.0.0.6): all 5 addresses are held");
	store_close(&f);
}

static void allocate_wraps_around(void **state)
{
	struct store_fixture f;

	store_open(&f, "\"subnet\":\"10.0.0.0/29\"");
	/* last reservation at the end of the range: back to the start, past the gateway */
	write_net_file(&f, "last_reserved_ip.0", "10.0.0.6");
	assert_allocates(&f, 0, "10.0.0.2");
	/* round robin: a released address is not handed out again before the others */
	write_net_file(&f, "last_reserved_ip.0", "10.0.0.4");
	assert_allocates(&f, 0, "10.0.0.5");
	assert_allocates(&f, 0, "10.0.0.6");
	/* wrapping past held addresses */
	assert_allocates(&f, 0, "10.0.0.3");
	store_close(&f);
}

static void allocate_skips_network_gateway_broadcast(void **state)
{
	struct store_fixture f;

	/* a range written out by hand that includes the network and broadcast addresses, and a
	 * gateway in the middle */
	store_open(&f, "\"subnet\":\"10.0.0.0/29\",\"rangeStart\":\"10.0.0.0\","
		       "\"rangeEnd\":\"10.0.0.7\",\"gateway\":\"10.0.0.3\"");
	assert_allocates(&f, 0, "10.0.0.1"); /* not 10.0.0.0 */
	assert_allocates(&f, 0, "10.0.0.2");
	assert_allocates(&f, 0, "10.0.0.4"); /* not the gateway */
	write_net_file(&f, "last_reserved_ip.0", "10.0.0.6");
	/* not 10.0.0.7, nor 10.0.0.0 (wrapped), and .1 and .2 are held */
	assert_allocates(&f, 0, "10.0.0.5");
	assert_allocates(&f, 0, "10.0.0.6");
	assert_null(read_net_file(&f, "10.0.0.0"));
	assert_null(read_net_file(&f, "10.0.0.3"));
	assert_null(read_net_file(&f, "10.0.0.7"));
	store_close(&f);
}

static void allocate_unusable_last_reserved(void **state)
{
	struct store_fixture f;

	store_open(&f, "\"subnet\":\"10.0.0.0/29\"");
	write_net_file(&f, "last_reserved_ip.0", "garbage");
	assert_allocates(&f, 0, "10.0.0.2");
	write_net_file(&f, "last_reserved_ip.0", "10.1.0.4\n"); /* another subnet */
	assert_allocates(&f, 0, "10.0.0.3");
	write_net_file(&f, "last_reserved_ip.0", "10.0.0.3\n"); /* trailing white space is fine */
	assert_allocates(&f, 0, "10.0.0.4");
	store_close(&f);
}

static void allocate_skips_held(void **state)
{
	struct store_fixture f;

	store_open(&f, "\"subnet\":\"10.0.0.0/29\"");
	write_net_file(&f, "10.0.0.2", "other\r\neth0");
	write_net_file(&f, "10.0.0.3", "legacy");
	assert_allocates(&f, 0, "10.0.0.4");
	assert_string_equal(read_net_file(&f, "10.0.0.2"), "other\r\neth0");
	store_close(&f);
}

static void allocate_range_sets(void **state)
{
	struct store_fixture f;

	store_open(&f, "\"ranges\":[[{\"subnet\":\"10.0.0.0/24\",\"rangeStart\":\"10.0.0.10\","
		       "\"rangeEnd\":\"10.0.0.11\"},{\"subnet\":\"10.0.5.0/24\",\"rangeStart\":"
		       "\"10.0.5.20\",\"rangeEnd\":\"10.0.5.21\"}],[{\"subnet\":\"fd00::/120\"}]]");
	assert_allocates(&f, 0, "10.0.0.10");
	assert_allocates(&f, 0, "10.0.0.11");
	/* the end of the first range: the next range's start */
	assert_allocates(&f, 0, "10.0.5.20");
	/* each range set has its own last_reserved_ip.<N> */
	assert_allocates(&f, 1, "fd00::2");
	assert_string_equal(read_net_file(&f, "last_reserved_ip.1"), "fd00::2");
	assert_string_equal(read_net_file(&f, "last_reserved_ip.0"), "10.0.5.20");
	assert_allocates(&f, 0, "10.0.5.21");
	/* the end of the last range: the first range's start, all held: exhausted */
	{
		struct cni_error err = CNI_ERROR_INIT;
		struct cni_ip got;

		assert_int_equal(hl_allocate(&f.st, &f.l.cfg.sets[0], 0, "c2", "eth0", &got, &err),
				 -EIO);
		assert_int_equal(err.code, HL_ERR_EXHAUSTED);
		assert_string_equal(err.msg, "no IP addresses available in range set 0 "
					     "(10.0.0.10-10.0.0.11,10.0.5.20-10.0.5.21): all 4 "
					     "addresses are held");
	}
	store_close(&f);
}

static void allocate_ipv6(void **state)
{
	struct store_fixture f;

	store_open(&f, "\"ranges\":[[{\"subnet\":\"fd00::/120\"}]]");
	assert_allocates(&f, 0, "fd00::2"); /* not the network address, not the gateway */
	/* the last IPv6 address is handed out (no broadcast), then back to the start */
	write_net_file(&f, "last_reserved_ip.0", "fd00::fe");
	assert_allocates(&f, 0, "fd00::ff");
	assert_allocates(&f, 0, "fd00::3");
	assert_string_equal(read_net_file(&f, "fd00::ff"), "c1\r\neth0");
	store_close(&f);
}

/* ---- config: defaults and errors ---- */

static void config_errors(void **state)
{
	static const struct {
		const char *ipam, *args;
		int code;
		const char *msg;
	} cases[] = {
	    {"\"subnet\":\"10.0.0.1/24\"", NULL, CNI_ERR_INVALID_CONFIG,
	     "ipam[0]: subnet 10.0.0.1/24 has host bits set (the network address is 10.0.0.0)"},
	    {"\"subnet\":\"10.0.0.0/31\"", NULL, CNI_ERR_INVALID_CONFIG,
	     "ipam[0]: subnet 10.0.0.0/31 is too small to allocate from"},
	    {"\"subnet\":\"10.0.0.0/24\",\"rangeStart\":\"10.0.0.9\",\"rangeEnd\":\"10.0.0.8\"",
	     NULL, CNI_ERR_INVALID_CONFIG,
	     "ipam[0]: rangeStart 10.0.0.9 is after rangeEnd 10.0.0.8"},
	    {"\"ranges\":[[{\"subnet\":\"10.0.0.0/24\"}],[{\"subnet\":\"10.0.0.0/25\"}]]", NULL,
	     CNI_ERR_INVALID_CONFIG,
	     "range sets 0 and 1: ranges 10.0.0.1-10.0.0.254 and 10.0.0.1-10.0.0.126 overlap"},
	    {"\"ranges\":[[{\"subnet\":\"10.0.1.0/24\"},{\"subnet\":\"10.0.0.0/24\"},{\"subnet\":"
	     "\"10.0.0.0/25\"}]]",
	     NULL, CNI_ERR_INVALID_CONFIG,
	     "ipam.ranges[0]: ranges 10.0.0.1-10.0.0.254 and 10.0.0.1-10.0.0.126 overlap"},
	    {"\"ranges\":[[{\"subnet\":\"10.0.0.0/24\"}],[{\"subnet\":\"fd00::/64\"},{\"subnet\":"
	     "\"10.1.0.0/16\"}],[{\"subnet\":\"10.2.0.0/16\"},{\"subnet\":\"10.0.0.128/25\"}]]",
	     NULL, CNI_ERR_INVALID_CONFIG, "ipam.ranges[1]: mixed address families"},
	    {"\"ranges\":[[{\"subnet\":\"10.0.0.0/24\"}],[{\"subnet\":\"10.2.0.0/16\"},{"
	     "\"subnet\":\"10.0.0.128/25\"}]]",
	     NULL, CNI_ERR_INVALID_CONFIG,
	     "range sets 0 and 1: ranges 10.0.0.1-10.0.0.254 and 10.0.0.129-10.0.0.254 overlap"},
	    {"\"rangeStart\":\"10.0.0.9\"", NULL, CNI_ERR_INVALID_CONFIG,
	     "ipam: rangeStart given without subnet"},
	    {"\"subnet\":\"10.0.0.0/24\"", "IP=10.0.1.5", CNI_ERR_INVALID_ENV,
	     "CNI_ARGS IP: requested IP 10.0.1.5 is not in any range of network net"},
	    {"\"subnet\":\"10.0.0.0/24\"", "IP=10.0.0.255", CNI_ERR_INVALID_ENV,
	     "CNI_ARGS IP: requested IP 10.0.0.255 is not in any range of network net"},
	    {"\"subnet\":\"10.0.0.0/24\"", "IP=10.0.0.1", CNI_ERR_INVALID_ENV,
	     "CNI_ARGS IP: requested IP 10.0.0.1 is the gateway of its subnet"},
	    {"\"subnet\":\"10.0.0.0/24\"", "IP=10.0.0.5,10.0.0.6", CNI_ERR_INVALID_ENV,
	     "CNI_ARGS IP: requested IP 10.0.0.6 is the second address asked for in range set "
	     "0"},
	    {"\"subnet\":\"10.0.0.0/24\"", "IP=nope", CNI_ERR_INVALID_ENV,
	     "CNI_ARGS IP: invalid IP address \"nope\""},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct loaded l;

		load(&l, cases[i].ipam, NULL, cases[i].args);
		if (l.rc != -EINVAL || l.err.code != cases[i].code ||
		    strcmp(l.err.msg, cases[i].msg) != 0)
			fail_msg("case %zu: rc %d, code %d, \"%s\"; want -EINVAL, %d, \"%s\"", i,
				 l.rc, l.err.code, l.err.msg, cases[i].code, cases[i].msg);
		unload(&l);
	}
}

static void config_too_many_sets(void **state)
{
	char ipam[4096];
	size_t len = (size_t)snprintf(ipam, sizeof(ipam), "\"ranges\":[");
	struct loaded l;

	for (int i = 0; i <= HL_MAX_SETS; i++)
		len += (size_t)snprintf(ipam + len, sizeof(ipam) - len,
					"%s[{\"subnet\":\"10.%d.0.0/24\"}]", i ? "," : "", i);
	snprintf(ipam + len, sizeof(ipam) - len, "]");
	load(&l, ipam, NULL, NULL);
	assert_int_equal(l.rc, -EINVAL);
	assert_string_equal(l.err.msg, "ipam.ranges[16]: more than 16 range sets");
	unload(&l);
}

static void config_requests(void **state)
{
	struct loaded l;

	/* duplicates are asked for once; the v4-mapped form is the IPv4 address */
	load(&l, "\"ranges\":[[{\"subnet\":\"10.0.0.0/24\"}],[{\"subnet\":\"fd00::/64\"}]]", NULL,
	     "IP=fd00::9,::ffff:10.0.0.7,10.0.0.7");
	assert_int_equal(l.rc, 0);
	assert_int_equal(l.cfg.n_requests, 2);
	assert_string_equal(name_of(&l.cfg.requests[0].ip), "fd00::9");
	assert_int_equal(l.cfg.requests[0].set, 1);
	assert_int_equal(l.cfg.requests[0].code, CNI_ERR_INVALID_ENV);
	assert_string_equal(name_of(&l.cfg.requests[1].ip), "10.0.0.7");
	assert_int_equal(l.cfg.requests[1].set, 0);
	unload(&l);
}

/* ---- address file owners ---- */

static int parse_owner(struct hl_owner *o, const char *content)
{
	snprintf(o->buf, sizeof(o->buf), "%s", content);
	return hl_owner_parse(o, strlen(content));
}

static void owners(void **state)
{
	static const char *const corrupt[] = {
	    "", " \n", "c 1", "c1\r\n\r\neth0", "c1\r\neth 0", "c1\teth0", "c1\r\n eth0",
	};
	struct hl_owner o;

	assert_int_equal(parse_owner(&o, "c1\r\neth0"), 0);
	assert_string_equal(o.id, "c1");
	assert_string_equal(o.ifname, "eth0");
	assert_true(hl_owner_is(&o, "c1", "eth0"));
	assert_false(hl_owner_is(&o, "c1", "eth1"));
	assert_false(hl_owner_is(&o, "c1", NULL));
	assert_false(hl_owner_is(&o, "c2", "eth0"));
	/* surrounding white space is trimmed, as the reference's TrimSpace */
	assert_int_equal(parse_owner(&o, " \tc1\r\neth0\r\n"), 0);
	assert_string_equal(o.id, "c1");
	assert_string_equal(o.ifname, "eth0");
	/* legacy: the container ID alone */
	assert_int_equal(parse_owner(&o, "c1\n"), 0);
	assert_string_equal(o.id, "c1");
	assert_null(o.ifname);
	assert_true(hl_owner_is(&o, "c1", NULL));
	assert_false(hl_owner_is(&o, "c1", "eth0"));
	for (size_t i = 0; i < sizeof(corrupt) / sizeof(corrupt[0]); i++)
		if (parse_owner(&o, corrupt[i]) != -EINVAL)
			fail_msg("corrupt owner %zu taken", i);
}

/* The index stamp's spares line: exactly "spares <k>\n" with k at most the cap, else 0
 * (a spare then is created anew: nothing worse). */
static void spare_counts(void **state)
{
	(void)state;
	assert_int_equal(hl_spare_count_parse("spares 0\n"), 0);
	assert_int_equal(hl_spare_count_parse("spares 7\n"), 7);
	assert_int_equal(hl_spare_count_parse("spares 64\n"), HL_SPARES_MAX);
	assert_int_equal(hl_spare_count_parse("spares 65\n"), 0);
	assert_int_equal(hl_spare_count_parse("spares 99999999999999999999\n"), 0);
	assert_int_equal(hl_spare_count_parse("spares 7"), 0);
	assert_int_equal(hl_spare_count_parse("spares 7\nx"), 0);
	assert_int_equal(hl_spare_count_parse("spares -1\n"), 0);
	assert_int_equal(hl_spare_count_parse("spares \n"), 0);
	assert_int_equal(hl_spare_count_parse("spare 7\n"), 0);
	assert_int_equal(hl_spare_count_parse(""), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ip_names),
	    cmocka_unit_test(ip_name_unset),
	    cmocka_unit_test(ip_canonical),
	    cmocka_unit_test(parse_ip_names),
	    cmocka_unit_test(range_defaults),
	    cmocka_unit_test(range_membership),
	    cmocka_unit_test(reserved_addresses),
	    cmocka_unit_test(range_overlap),
	    cmocka_unit_test(range_set_texts),
	    cmocka_unit_test(iter_one_range),
	    cmocka_unit_test(iter_ranges_in_a_set),
	    cmocka_unit_test(iter_ipv6),
	    cmocka_unit_test(allocate_in_order_then_exhausted),
	    cmocka_unit_test(allocate_wraps_around),
	    cmocka_unit_test(allocate_skips_network_gateway_broadcast),
	    cmocka_unit_test(allocate_unusable_last_reserved),
	    cmocka_unit_test(allocate_skips_held),
	    cmocka_unit_test(allocate_range_sets),
	    cmocka_unit_test(allocate_ipv6),
	    cmocka_unit_test(config_errors),
	    cmocka_unit_test(config_too_many_sets),
	    cmocka_unit_test(config_requests),
	    cmocka_unit_test(owners),
	    cmocka_unit_test(spare_counts),
	};

	return cmocka_run_group_tests_name("host-local", tests, NULL, NULL);
}
