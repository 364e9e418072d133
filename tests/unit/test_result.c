/* Unit tests for lib/cni/result.h: a result parsed in each spec version
 * (0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0) and printed in each (all 25 pairs),
 * compared with the exact document expected in the target version; the round
 * trip back to the source version, lossless except for 1.1.0's fields printed
 * in an older version; normalisation, refusals, building, copying, printing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cni/cleanup.h"
#include "cni/json.h"
#include "cni/result.h"
#include "cni/version.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const versions[] = {"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"};

static bool pre100(const char *v)
{
	return strcmp(v, "1.0.0") != 0 && strcmp(v, "1.1.0") != 0;
}

static bool is110(const char *v)
{
	return strcmp(v, "1.1.0") == 0;
}

/* The one result of these tests, written as version v prints it: ips carry
 * "version" before 1.0.0; with extras (1.1.0 only) the pod interface has an
 * mtu and two routes have mtu/advmss/priority/table/scope. */
static char *doc(const char *v, bool extras)
{
	const char *ver4 = pre100(v) ? "\"version\":\"4\"," : "";
	const char *ver6 = pre100(v) ? "\"version\":\"6\"," : "";
	char *s;

	if (asprintf(
		&s,
		"{\"cniVersion\":\"%s\","
		"\"interfaces\":["
		"{\"name\":\"krb0123456789ab\",\"mac\":\"aa:bb:cc:dd:ee:ff\"},"
		"{\"name\":\"veth0123456789a\",\"mac\":\"02:00:00:00:00:01\"},"
		"{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:02\"%s,\"sandbox\":\"/var/run/netns/"
		"pod\"},"
		"{\"name\":\"lo\"}],"
		"\"ips\":["
		"{%s\"interface\":2,\"address\":\"10.1.0.5/24\",\"gateway\":\"10.1.0.1\"},"
		"{%s\"interface\":2,\"address\":\"fd00:1::5/64\",\"gateway\":\"fd00:1::1\"},"
		"{%s\"address\":\"192.168.0.9/32\"},"
		"{%s\"interface\":0,\"address\":\"::ffff:10.1.0.6/120\"}],"
		"\"routes\":["
		"{\"dst\":\"0.0.0.0/0\",\"gw\":\"10.1.0.1\"%s},"
		"{\"dst\":\"::/0\",\"gw\":\"fd00:1::1\"},"
		"{\"dst\":\"10.96.0.0/12\"%s}],"
		"\"dns\":{\"nameservers\":[\"10.96.0.10\",\"fd00::10\"],\"domain\":\"cluster."
		"local\","
		"\"search\":[\"ns.svc.cluster.local\",\"svc.cluster.local\"],\"options\":[\"ndots:"
		"5\"]}}",
		v, extras ? ",\"mtu\":1450" : "", ver4, ver6, ver4, ver6,
		extras ? ",\"mtu\":1400,\"advmss\":1360,\"priority\":100,\"table\":2000,\"scope\":0"
		       : "",
		extras ? ",\"priority\":0,\"table\":254,\"scope\":253" : "") < 0)
		fail_msg("asprintf");
	return s;
}

static cJSON *doc_json(const char *v, bool extras)
{
	cleanup_free char *s = doc(v, extras);
	cJSON *j = cJSON_Parse(s);

	if (!j)
		fail_msg("test document does not parse: %s", s);
	return j;
}

static struct cni_result *parse_or_fail(const cJSON *j, const char *version)
{
	struct cni_result *r = NULL;
	struct cni_error err = CNI_ERROR_INIT;

	if (cni_result_parse(j, version, &r, &err) != 0)
		fail_msg("cni_result_parse (%s): %s", version, err.msg);
	assert_non_null(r);
	return r;
}

static cJSON *render_or_fail(const struct cni_result *r, const char *version)
{
	struct cni_error err = CNI_ERROR_INIT;
	cJSON *j = cni_result_to_json(r, version, &err);

	if (!j)
		fail_msg("cni_result_to_json (%s): %s", version, err.msg);
	return j;
}

static void expect_json(const cJSON *got, const cJSON *want, const char *what)
{
	if (!cJSON_Compare(got, want, true)) {
		cleanup_free char *g = cJSON_PrintUnformatted(got);
		cleanup_free char *w = cJSON_PrintUnformatted(want);

		fail_msg("%s:\n got  %s\n want %s", what, g, w);
	}
}

/* The parsed struct of doc(v, extras), field by field. */
static void check_parsed(const struct cni_result *r, const char *v, bool extras)
{
	char buf[CNI_PREFIX_STRLEN];

	assert_string_equal(r->cni_version, v);
	assert_int_equal(r->n_interfaces, 4);
	assert_string_equal(r->interfaces[0].name, "krb0123456789ab");
	assert_string_equal(r->interfaces[0].mac, "aa:bb:cc:dd:ee:ff");
	assert_null(r->interfaces[0].sandbox);
	assert_int_equal(r->interfaces[0].mtu, 0);
	assert_string_equal(r->interfaces[2].sandbox, "/var/run/netns/pod");
	assert_int_equal(r->interfaces[2].mtu, extras ? 1450 : 0);
	assert_null(r->interfaces[3].mac);

	assert_int_equal(r->n_ips, 4);
	assert_int_equal(r->ips[0].interface, 2);
	cni_prefix_format(&r->ips[0].address, buf);
	assert_string_equal(buf, "10.1.0.5/24");
	cni_ip_format(&r->ips[0].gateway, buf);
	assert_string_equal(buf, "10.1.0.1");
	assert_int_equal(r->ips[1].address.ip.family, AF_INET6);
	assert_int_equal(r->ips[2].interface, -1);
	assert_int_equal(r->ips[2].gateway.family, 0);
	assert_int_equal(r->ips[3].interface, 0);
	assert_int_equal(r->ips[3].address.ip.family, AF_INET6);

	assert_int_equal(r->n_routes, 3);
	cni_prefix_format(&r->routes[1].dst, buf);
	assert_string_equal(buf, "::/0");
	assert_int_equal(r->routes[2].gw.family, 0);
	assert_int_equal(r->routes[0].mtu, extras ? 1400 : -1);
	assert_int_equal(r->routes[0].advmss, extras ? 1360 : -1);
	assert_int_equal(r->routes[0].priority, extras ? 100 : -1);
	assert_int_equal(r->routes[0].table, extras ? 2000 : -1);
	assert_int_equal(r->routes[0].scope, extras ? 0 : -1);
	assert_int_equal(r->routes[1].mtu, -1);
	assert_int_equal(r->routes[1].table, -1);
	assert_int_equal(r->routes[2].priority, extras ? 0 : -1);
	assert_int_equal(r->routes[2].table, extras ? 254 : -1);
	assert_int_equal(r->routes[2].scope, extras ? 253 : -1);
	assert_int_equal(r->routes[2].mtu, -1);
	assert_non_null(r->dns);
}

/* Each source version is the richest result it can carry (1.1.0 with its
 * extras); each is printed in every version and must be exactly the target's
 * document. Then back: parsed in the target version and printed in the
 * source's, the source again, except that 1.1.0's extras do not survive a
 * version without them. */
static void result_all_version_pairs(void **state)
{
	int pairs = 0;

	/* The suite speaks exactly these versions. */
	assert_int_equal(cni_n_supported_versions, N(versions));
	for (size_t i = 0; i < N(versions); i++)
		assert_string_equal(cni_supported_versions[i], versions[i]);

	for (size_t f = 0; f < N(versions); f++) {
		const char *from = versions[f];
		cleanup_json cJSON *src = doc_json(from, is110(from));
		cleanup_result struct cni_result *r = parse_or_fail(src, from);

		check_parsed(r, from, is110(from));
		for (size_t t = 0; t < N(versions); t++) {
			const char *to = versions[t];
			bool lossless = !is110(from) || is110(to);
			char what[64];
			cleanup_json cJSON *out = render_or_fail(r, to);
			cleanup_json cJSON *want = doc_json(to, is110(from) && is110(to));
			cleanup_json cJSON *back_json = NULL, *want_back = NULL;
			cleanup_result struct cni_result *back = NULL;

			snprintf(what, sizeof(what), "%s printed as %s", from, to);
			expect_json(out, want, what);
			/* The version-specific fields, spelled out. */
			for (int k = 0; k < 4; k++) {
				cJSON *ip = cJSON_GetArrayItem(cJSON_GetObjectItem(out, "ips"), k);

				assert_int_equal(cJSON_HasObjectItem(ip, "version"), pre100(to));
			}
			assert_int_equal(
			    cJSON_HasObjectItem(
				cJSON_GetArrayItem(cJSON_GetObjectItem(out, "interfaces"), 2),
				"mtu"),
			    is110(from) && is110(to));
			assert_int_equal(
			    cJSON_HasObjectItem(
				cJSON_GetArrayItem(cJSON_GetObjectItem(out, "routes"), 0), "table"),
			    is110(from) && is110(to));

			back = parse_or_fail(out, to);
			check_parsed(back, to, is110(from) && is110(to));
			back_json = render_or_fail(back, from);
			want_back = doc_json(from, is110(from) && lossless);
			snprintf(what, sizeof(what), "%s -> %s -> %s", from, to, from);
			expect_json(back_json, want_back, what);
			if (lossless)
				expect_json(back_json, src, what);
			pairs++;
		}
	}
	assert_int_equal(pairs, 25);
}

/* The document's own cniVersion wins over the one the caller expected; without
 * one, the caller's is used. */
static void result_version_source(void **state)
{
	cleanup_json cJSON *with =
	    cJSON_Parse("{\"cniVersion\":\"0.3.1\",\"ips\":[{\"version\":\"4\","
			"\"address\":\"10.0.0.2/8\"}]}");
	cleanup_json cJSON *without =
	    cJSON_Parse("{\"ips\":[{\"version\":\"4\",\"address\":\"10.0.0.2/8\"}]}");
	cleanup_result struct cni_result *a = parse_or_fail(with, "1.1.0");
	cleanup_result struct cni_result *b = parse_or_fail(without, "0.4.0");
	struct cni_result *c = (struct cni_result *)1;
	struct cni_error err = CNI_ERROR_INIT;

	assert_string_equal(a->cni_version, "0.3.1");
	assert_string_equal(b->cni_version, "0.4.0");
	assert_int_equal(cni_result_parse(without, "0.2.0", &c, &err), -EINVAL);
	assert_int_equal(err.code, CNI_ERR_INCOMPATIBLE_VERSION);
	assert_null(c);
	assert_int_equal(cni_result_parse(without, NULL, &c, &err), -EINVAL);
	assert_int_equal(err.code, CNI_ERR_INCOMPATIBLE_VERSION);
	assert_null(cni_result_to_json(a, "0.2.0", &err));
	assert_int_equal(err.code, CNI_ERR_INCOMPATIBLE_VERSION);
	assert_null(cni_result_to_json(a, "1.1", &err));
	assert_null(cni_result_to_json(a, NULL, &err));
	assert_int_equal(err.code, CNI_ERR_INCOMPATIBLE_VERSION);
}

/* What parsing normalises: canonical addresses, empty optional strings are
 * absent, "version" on ips of 1.x is ignored, fields a version does not know
 * are dropped on output, an empty result still prints "dns". */
static void result_normalised(void **state)
{
	cleanup_json cJSON *in = cJSON_Parse(
	    "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"\",\"sandbox\":"
	    "\"\","
	    "\"mtu\":1500,\"socketPath\":\"/x\"}],"
	    "\"ips\":[{\"version\":\"4\",\"address\":\"FD00:0:0::5/"
	    "64\",\"gateway\":\"\",\"interface\":0}],"
	    "\"routes\":[{\"dst\":\"10.0.0.9/8\",\"gw\":\"\",\"table\":7}],\"extra\":1}");
	cleanup_json cJSON *want100 =
	    cJSON_Parse("{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\"}],"
			"\"ips\":[{\"interface\":0,\"address\":\"fd00::5/64\"}],"
			"\"routes\":[{\"dst\":\"10.0.0.9/8\"}],\"dns\":{}}");
	cleanup_json cJSON *want110 = cJSON_Parse(
	    "{\"cniVersion\":\"1.1.0\",\"interfaces\":[{\"name\":\"eth0\",\"mtu\":1500}],"
	    "\"ips\":[{\"interface\":0,\"address\":\"fd00::5/64\"}],"
	    "\"routes\":[{\"dst\":\"10.0.0.9/8\",\"table\":7}],\"dns\":{}}");
	cleanup_json cJSON *empty_in = cJSON_Parse("{\"cniVersion\":\"0.3.0\"}");
	cleanup_json cJSON *empty_want = cJSON_Parse("{\"cniVersion\":\"0.4.0\",\"dns\":{}}");
	cleanup_result struct cni_result *r = parse_or_fail(in, "1.0.0");
	cleanup_result struct cni_result *e = parse_or_fail(empty_in, "0.3.0");
	cleanup_json cJSON *out100 = render_or_fail(r, "1.0.0");
	cleanup_json cJSON *out110 = render_or_fail(r, "1.1.0");
	cleanup_json cJSON *empty_out = render_or_fail(e, "0.4.0");

	assert_null(r->interfaces[0].mac);
	assert_null(r->interfaces[0].sandbox);
	/* The prefix keeps its host bits: an address is not a network. */
	expect_json(out100, want100, "normalised 1.0.0");
	expect_json(out110, want110, "normalised 1.1.0");
	expect_json(empty_out, empty_want, "empty result");
	assert_int_equal(e->n_interfaces + e->n_ips + e->n_routes, 0);
	assert_null(e->dns);
}

static void result_refused(void **state)
{
	static const struct {
		const char *json, *version;
		int code;
	} bad[] = {
	    {"[]", "1.0.0", CNI_ERR_DECODE},
	    {"{\"cniVersion\":\"7.0.0\"}", "1.0.0", CNI_ERR_INCOMPATIBLE_VERSION},
	    {"{\"interfaces\":{}}", "1.0.0", CNI_ERR_DECODE},
	    {"{\"interfaces\":[1]}", "1.0.0", CNI_ERR_DECODE},
	    {"{\"interfaces\":[{\"mac\":\"x\"}]}", "1.0.0", CNI_ERR_DECODE},
	    {"{\"interfaces\":[{\"name\":5}]}", "1.0.0", CNI_ERR_DECODE},
	    {"{\"interfaces\":[{\"name\":\"e\",\"mtu\":-1}]}", "1.1.0", CNI_ERR_DECODE},
	    {"{\"interfaces\":[{\"name\":\"e\",\"mtu\":1.5}]}", "1.1.0", CNI_ERR_DECODE},
	    {"{\"ips\":{}}", "1.0.0", CNI_ERR_DECODE},
	    {"{\"ips\":[\"10.0.0.1/8\"]}", "1.0.0", CNI_ERR_DECODE},
	    {"{\"ips\":[{}]}", "1.0.0", CNI_ERR_DECODE},
	    {"{\"ips\":[{\"address\":\"10.0.0.1\"}]}", "1.0.0", CNI_ERR_DECODE},
	    {"{\"ips\":[{\"address\":\"10.0.0.1/33\"}]}", "1.0.0", CNI_ERR_DECODE},
	    {"{\"ips\":[{\"address\":\"10.0.0.1/8\",\"gateway\":\"10.0.0\"}]}", "1.0.0",
	     CNI_ERR_DECODE},
	    {"{\"ips\":[{\"address\":\"10.0.0.1/8\",\"gateway\":\"fd00::1\"}]}", "1.0.0",
	     CNI_ERR_DECODE},
	    {"{\"ips\":[{\"address\":\"10.0.0.1/8\",\"interface\":0}]}", "1.0.0", CNI_ERR_DECODE},
	    {"{\"ips\":[{\"address\":\"10.0.0.1/8\",\"interface\":-1}]}", "1.0.0", CNI_ERR_DECODE},
	    {"{\"ips\":[{\"version\":\"6\",\"address\":\"10.0.0.1/8\"}]}", "0.4.0", CNI_ERR_DECODE},
	    {"{\"ips\":[{\"version\":\"4\",\"address\":\"fd00::1/64\"}]}", "0.3.0", CNI_ERR_DECODE},
	    {"{\"ips\":[{\"version\":\"v4\",\"address\":\"10.0.0.1/8\"}]}", "0.3.1",
	     CNI_ERR_DECODE},
	    {"{\"routes\":[{}]}", "1.0.0", CNI_ERR_DECODE},
	    {"{\"routes\":[{\"dst\":\"default\"}]}", "1.0.0", CNI_ERR_DECODE},
	    {"{\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"x\"}]}", "1.0.0", CNI_ERR_DECODE},
	    {"{\"routes\":[{\"dst\":\"0.0.0.0/0\",\"scope\":256}]}", "1.1.0", CNI_ERR_DECODE},
	    {"{\"routes\":[{\"dst\":\"0.0.0.0/0\",\"table\":-1}]}", "1.1.0", CNI_ERR_DECODE},
	    {"{\"routes\":[{\"dst\":\"0.0.0.0/0\",\"priority\":\"1\"}]}", "1.1.0", CNI_ERR_DECODE},
	    {"{\"dns\":[]}", "1.0.0", CNI_ERR_DECODE},
	};

	for (size_t i = 0; i < N(bad); i++) {
		cleanup_json cJSON *j = cJSON_Parse(bad[i].json);
		struct cni_result *r = (struct cni_result *)1;
		struct cni_error err = CNI_ERROR_INIT;
		int rc;

		assert_non_null(j);
		rc = cni_result_parse(j, bad[i].version, &r, &err);
		if (rc != -EINVAL || err.code != bad[i].code)
			fail_msg("%s (%s): rc %d code %d, want -EINVAL code %d (%s)", bad[i].json,
				 bad[i].version, rc, err.code, bad[i].code, err.msg);
		assert_null(r);
	}
}

/* A table above INT32_MAX (krafty derives tables with FNV-32a: "krafty" is
 * 2698658016) and a priority above it are valid 1.1.0 values. */
static void result_route_u32_fields(void **state)
{
	cleanup_json cJSON *in =
	    cJSON_Parse("{\"cniVersion\":\"1.1.0\",\"routes\":[{\"dst\":\"0.0.0.0/0\","
			"\"table\":2698658016,\"priority\":4278198272}]}");
	cleanup_result struct cni_result *r = parse_or_fail(in, "1.1.0");
	cleanup_json cJSON *out = render_or_fail(r, "1.1.0");
	cleanup_json cJSON *want =
	    cJSON_Parse("{\"cniVersion\":\"1.1.0\",\"routes\":[{\"dst\":\"0.0.0.0/0\","
			"\"table\":2698658016,\"priority\":4278198272}],\"dns\":{}}");

	expect_json(out, want, "route table and priority above INT32_MAX");
}

/* A cniVersion that is not a string is a malformed result (code 6), like every
 * other field of the wrong type, not a config error (code 7). */
static void result_version_not_string(void **state)
{
	cleanup_json cJSON *j = cJSON_Parse("{\"cniVersion\":7}");
	struct cni_result *r = (struct cni_result *)1;
	struct cni_error err = CNI_ERROR_INIT;

	assert_int_equal(cni_result_parse(j, "1.0.0", &r, &err), -EINVAL);
	assert_null(r);
	assert_int_equal(err.code, CNI_ERR_DECODE);
}

static void result_build_and_find(void **state)
{
	cleanup_result struct cni_result *r = cni_result_new();
	cleanup_result struct cni_result *d = NULL;
	struct cni_error err = CNI_ERROR_INIT;
	struct cni_prefix a, dst;
	struct cni_ip gw;
	cleanup_json cJSON *out = NULL, *want = NULL, *dout = NULL;

	assert_non_null(r);
	assert_int_equal(cni_result_add_interface(r, "br0", "aa:bb:cc:dd:ee:ff", NULL, &err), 0);
	assert_int_equal(cni_result_add_interface(r, "eth0", NULL, "/run/netns/a", &err), 1);
	assert_int_equal(cni_result_add_interface(r, "eth0", NULL, "/run/netns/b", &err), 2);
	assert_int_equal(cni_result_add_interface(r, NULL, NULL, NULL, &err), 3); /* name "" */
	assert_string_equal(r->interfaces[3].name, "");
	assert_int_equal(cni_result_find_interface(r, "eth0", NULL), 1);
	assert_int_equal(cni_result_find_interface(r, "eth0", "/run/netns/b"), 2);
	assert_int_equal(cni_result_find_interface(r, "eth0", "/run/netns/c"), -1);
	assert_int_equal(cni_result_find_interface(r, "br0", "/run/netns/a"), -1); /* host side */
	assert_int_equal(cni_result_find_interface(r, "br0", NULL), 0);
	assert_int_equal(cni_result_find_interface(r, "eth1", NULL), -1);

	assert_int_equal(cni_prefix_parse("10.0.0.5/24", &a), 0);
	assert_int_equal(cni_ip_parse("10.0.0.1", &gw), 0);
	assert_int_equal(cni_prefix_parse("0.0.0.0/0", &dst), 0);
	assert_int_equal(cni_result_add_ip(r, &a, &gw, 1, &err), 0);
	assert_int_equal(cni_result_add_ip(r, &a, NULL, -1, &err), 1);
	assert_int_equal(cni_result_add_route(r, &dst, &gw, &err), 0);
	assert_int_equal(cni_result_add_route(r, &dst, NULL, &err), 1);
	/* A new route has every 1.1.0 field unset. */
	assert_int_equal(r->routes[1].mtu, -1);
	assert_int_equal(r->routes[1].advmss, -1);
	assert_int_equal(r->routes[1].priority, -1);
	assert_int_equal(r->routes[1].table, -1);
	assert_int_equal(r->routes[1].scope, -1);
	r->routes[0].table = 100;
	r->interfaces[1].mtu = 9000;
	r->dns = cJSON_Parse("{\"nameservers\":[\"10.0.0.53\"]}");

	/* A deep copy: changing the original leaves the copy as it was. */
	d = cni_result_dup(r, &err);
	assert_non_null(d);
	assert_ptr_not_equal(d->interfaces[0].name, r->interfaces[0].name);
	assert_ptr_not_equal(d->dns, r->dns);
	out = render_or_fail(r, "1.1.0");
	r->interfaces[0].name[0] = 'X';
	r->routes[0].table = 5;
	cJSON_ReplaceItemInObject(r->dns, "nameservers", cJSON_CreateArray());
	dout = render_or_fail(d, "1.1.0");
	want = cJSON_Parse(
	    "{\"cniVersion\":\"1.1.0\",\"interfaces\":[{\"name\":\"br0\",\"mac\":\"aa:bb:cc:dd:ee:"
	    "ff\"},"
	    "{\"name\":\"eth0\",\"mtu\":9000,\"sandbox\":\"/run/netns/a\"},"
	    "{\"name\":\"eth0\",\"sandbox\":\"/run/netns/b\"},{\"name\":\"\"}],"
	    "\"ips\":[{\"interface\":1,\"address\":\"10.0.0.5/24\",\"gateway\":\"10.0.0.1\"},"
	    "{\"address\":\"10.0.0.5/24\"}],"
	    "\"routes\":[{\"dst\":\"0.0.0.0/"
	    "0\",\"gw\":\"10.0.0.1\",\"table\":100},{\"dst\":\"0.0.0.0/0\"}],"
	    "\"dns\":{\"nameservers\":[\"10.0.0.53\"]}}");
	expect_json(out, want, "built result");
	expect_json(dout, want, "copy after the original changed");
	assert_null(d->cni_version);
}

/* cni_result_print: one line of compact JSON on stdout. */
static void result_print(void **state)
{
	cleanup_json cJSON *in = doc_json("0.4.0", false);
	cleanup_result struct cni_result *r = parse_or_fail(in, "0.4.0");
	cleanup_json cJSON *got = NULL;
	struct cni_error err = CNI_ERROR_INIT;
	FILE *tmp = tmpfile();
	char buf[4096];
	size_t n;
	int saved, rc;

	assert_non_null(tmp);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), STDOUT_FILENO) >= 0);
	rc = cni_result_print(r, "1.0.0", &err);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	assert_int_equal(rc, 0);
	rewind(tmp);
	n = fread(buf, 1, sizeof(buf) - 1, tmp);
	fclose(tmp);
	buf[n] = '\0';
	assert_true(n > 2);
	assert_int_equal(buf[n - 1], '\n');
	assert_null(memchr(buf, '\n', n - 1)); /* compact: a single line */
	got = cJSON_Parse(buf);
	{
		cleanup_json cJSON *want = doc_json("1.0.0", false);

		expect_json(got, want, "printed 1.0.0");
	}
	assert_int_equal(cni_result_print(r, "2.0.0", &err), -EINVAL);
	assert_int_equal(err.code, CNI_ERR_INCOMPATIBLE_VERSION);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(result_all_version_pairs), cmocka_unit_test(result_version_source),
	    cmocka_unit_test(result_normalised),	cmocka_unit_test(result_refused),
	    cmocka_unit_test(result_route_u32_fields),	cmocka_unit_test(result_version_not_string),
	    cmocka_unit_test(result_build_and_find),	cmocka_unit_test(result_print),
	};

	return cmocka_run_group_tests_name("lib/cni result", tests, NULL, NULL);
}
