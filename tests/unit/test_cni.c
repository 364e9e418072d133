/* Unit tests for lib/cni: config parsing, results in every version, errors, args, IPs, names. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cni/cleanup.h"
#include "cni/conf.h"
#include "cni/env.h"
#include "cni/ip.h"
#include "cni/json.h"
#include "cni/result.h"
#include "cni/validate.h"
#include "cni/version.h"

static int parse(struct cni_conf *c, const char *s, struct cni_error *err)
{
	return cni_conf_parse(c, s, strlen(s), err);
}

static void conf_minimal(void **state)
{
	struct cni_conf c;
	struct cni_error err = CNI_ERROR_INIT;

	assert_int_equal(parse(&c, "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"krafty\","
				  "\"ipam\":{\"type\":\"host-local\"},\"foo\":42}", &err), 0);
	assert_string_equal(c.cni_version, "1.0.0");
	assert_string_equal(c.name, "n");
	assert_string_equal(c.type, "krafty");
	assert_string_equal(c.ipam_type, "host-local");
	assert_null(c.prev_result);
	assert_int_equal(cJSON_GetObjectItem(c.root, "foo")->valueint, 42);
	cni_conf_free(&c);
}

static void conf_errors(void **state)
{
	static const struct {
		const char *json;
		int code;
	} cases[] = {
		{ "", CNI_ERR_DECODE },
		{ "{not json", CNI_ERR_DECODE },
		{ "[1,2]", CNI_ERR_DECODE },
		{ "{\"cniVersion\":\"9.9.9\",\"name\":\"n\",\"type\":\"t\"}", CNI_ERR_INCOMPATIBLE_VERSION },
		{ "{\"cniVersion\":\"0.2.0\",\"name\":\"n\",\"type\":\"t\"}", CNI_ERR_INCOMPATIBLE_VERSION },
		{ "{\"name\":\"n\",\"type\":\"t\"}", CNI_ERR_INCOMPATIBLE_VERSION },
		{ "{\"cniVersion\":1,\"name\":\"n\",\"type\":\"t\"}", CNI_ERR_INVALID_CONFIG },
		{ "{\"cniVersion\":\"1.0.0\",\"type\":\"t\"}", CNI_ERR_INVALID_CONFIG },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}", CNI_ERR_INVALID_CONFIG },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"../x\",\"type\":\"t\"}", CNI_ERR_INVALID_CONFIG },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"../t\"}", CNI_ERR_INVALID_CONFIG },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"ipam\":{}}", CNI_ERR_INVALID_CONFIG },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"ipam\":[]}", CNI_ERR_INVALID_CONFIG },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"prevResult\":{\"ips\":[{\"address\":\"nope\"}]}}",
		  CNI_ERR_DECODE },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cni_conf c;
		struct cni_error err = CNI_ERROR_INIT;

		assert_int_equal(parse(&c, cases[i].json, &err), -EINVAL);
		if (err.code != cases[i].code)
			fail_msg("case %zu (%s): code %d, want %d (%s)", i, cases[i].json, err.code,
				 cases[i].code, err.msg);
		assert_true(err.msg[0] != '\0');
		cni_conf_free(&c);
	}
}

static void conf_valid_attachments(void **state)
{
	struct cni_conf c;
	struct cni_error err = CNI_ERROR_INIT;

	assert_int_equal(parse(&c, "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"t\","
				  "\"cni.dev/valid-attachments\":[{\"containerID\":\"a\",\"ifname\":\"eth0\"}]}",
			       &err), 0);
	assert_int_equal(c.n_valid_attachments, 1);
	assert_true(cni_conf_attachment_valid(&c, "a", "eth0"));
	assert_false(cni_conf_attachment_valid(&c, "a", "net1"));
	assert_false(cni_conf_attachment_valid(&c, "b", "eth0"));
	cni_conf_free(&c);
}

static const char *full_result_040 =
	"{\"cniVersion\":\"0.4.0\",\"interfaces\":[{\"name\":\"br0\",\"mac\":\"aa:bb:cc:dd:ee:ff\"},"
	"{\"name\":\"eth0\",\"sandbox\":\"/var/run/netns/x\"}],"
	"\"ips\":[{\"version\":\"4\",\"interface\":1,\"address\":\"10.1.0.5/24\",\"gateway\":\"10.1.0.1\"},"
	"{\"version\":\"6\",\"address\":\"fd00::5/64\"}],"
	"\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"10.1.0.1\"}],\"dns\":{\"nameservers\":[\"1.1.1.1\"]}}";

static struct cni_result *parse_result(const char *s)
{
	cleanup_json cJSON *j = cJSON_Parse(s);
	struct cni_result *r = NULL;
	struct cni_error err = CNI_ERROR_INIT;

	assert_non_null(j);
	if (cni_result_parse(j, "1.0.0", &r, &err) < 0)
		fail_msg("parse: %s", err.msg);
	return r;
}

static void result_convert_all_versions(void **state)
{
	cleanup_result struct cni_result *r = parse_result(full_result_040);

	assert_int_equal(r->n_interfaces, 2);
	assert_int_equal(r->n_ips, 2);
	assert_int_equal(r->ips[0].interface, 1);
	assert_int_equal(r->ips[1].interface, -1);
	for (int v = 0; v < cni_n_supported_versions; v++) {
		const char *ver = cni_supported_versions[v];
		struct cni_error err = CNI_ERROR_INIT;
		cleanup_json cJSON *j = cni_result_to_json(r, ver, &err);
		cJSON *ip0, *ips;
		cleanup_result struct cni_result *back = NULL;

		assert_non_null(j);
		assert_string_equal(cJSON_GetObjectItem(j, "cniVersion")->valuestring, ver);
		ips = cJSON_GetObjectItem(j, "ips");
		ip0 = cJSON_GetArrayItem(ips, 0);
		if (cni_version_cmp(ver, "1.0.0") < 0) {
			assert_string_equal(cJSON_GetObjectItem(ip0, "version")->valuestring, "4");
			assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(ips, 1), "version")->valuestring,
					    "6");
		} else {
			assert_null(cJSON_GetObjectItem(ip0, "version"));
		}
		assert_string_equal(cJSON_GetObjectItem(ip0, "address")->valuestring, "10.1.0.5/24");
		assert_string_equal(cJSON_GetObjectItem(ip0, "gateway")->valuestring, "10.1.0.1");
		assert_int_equal(cJSON_GetObjectItem(ip0, "interface")->valueint, 1);
		assert_non_null(cJSON_GetObjectItem(j, "dns"));
		/* Round trip: what we print parses back to the same result. */
		assert_int_equal(cni_result_parse(j, ver, &back, &err), 0);
		assert_int_equal(back->n_ips, 2);
		assert_true(cni_ip_equal(&back->ips[1].address.ip, &r->ips[1].address.ip));
		assert_int_equal(back->n_routes, 1);
		assert_string_equal(back->interfaces[1].sandbox, "/var/run/netns/x");
	}
}

static void result_110_fields(void **state)
{
	cleanup_result struct cni_result *r = parse_result(
		"{\"cniVersion\":\"1.1.0\",\"interfaces\":[{\"name\":\"e\",\"mtu\":1400}],"
		"\"routes\":[{\"dst\":\"10.0.0.0/8\",\"table\":100,\"priority\":5}]}");
	struct cni_error err = CNI_ERROR_INIT;
	cleanup_json cJSON *j110 = cni_result_to_json(r, "1.1.0", &err);
	cleanup_json cJSON *j100 = cni_result_to_json(r, "1.0.0", &err);
	cJSON *rt110 = cJSON_GetArrayItem(cJSON_GetObjectItem(j110, "routes"), 0);
	cJSON *rt100 = cJSON_GetArrayItem(cJSON_GetObjectItem(j100, "routes"), 0);

	assert_int_equal(cJSON_GetObjectItem(rt110, "table")->valueint, 100);
	assert_int_equal(cJSON_GetObjectItem(rt110, "priority")->valueint, 5);
	assert_null(cJSON_GetObjectItem(rt100, "table"));
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j110, "interfaces"), 0),
					     "mtu")->valueint, 1400);
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j100, "interfaces"), 0), "mtu"));
}

static void result_bad(void **state)
{
	static const char *bad[] = {
		"{\"ips\":[{\"address\":\"10.0.0.1\"}]}",                    /* no prefix */
		"{\"ips\":[{\"address\":\"10.0.0.1/33\"}]}",
		"{\"ips\":[{\"address\":\"10.0.0.1/24\",\"gateway\":\"fd00::1\"}]}",
		"{\"ips\":[{\"address\":\"10.0.0.1/24\",\"interface\":3}]}", /* no such interface */
		"{\"ips\":[{\"version\":\"6\",\"address\":\"10.0.0.1/24\"}]}",
		"{\"interfaces\":[{\"mac\":\"x\"}]}",                       /* no name */
		"{\"routes\":[{\"gw\":\"10.0.0.1\"}]}",
		"{\"ips\":{}}",
		"{\"cniVersion\":\"7.0.0\"}",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cleanup_json cJSON *j = cJSON_Parse(bad[i]);
		struct cni_result *r = NULL;
		struct cni_error err = CNI_ERROR_INIT;

		assert_non_null(j);
		if (cni_result_parse(j, "0.4.0", &r, &err) == 0)
			fail_msg("accepted bad result %s", bad[i]);
		assert_null(r);
		assert_true(err.code == CNI_ERR_DECODE || err.code == CNI_ERR_INCOMPATIBLE_VERSION);
	}
}

static void error_json(void **state)
{
	struct cni_error err = CNI_ERROR_INIT;
	cleanup_free char *s = NULL;
	cleanup_json cJSON *j = NULL;

	assert_int_equal(cni_err(&err, CNI_ERR_INVALID_CONFIG, "bad %s", "thing"), -EINVAL);
	cni_err_details(&err, "line %d", 3);
	cni_err_prefix(&err, "krafty");
	s = cni_err_to_json(&err, "0.4.0");
	j = cJSON_Parse(s);
	assert_non_null(j);
	assert_string_equal(cJSON_GetObjectItem(j, "cniVersion")->valuestring, "0.4.0");
	assert_int_equal(cJSON_GetObjectItem(j, "code")->valueint, 7);
	assert_string_equal(cJSON_GetObjectItem(j, "msg")->valuestring, "krafty: bad thing");
	assert_string_equal(cJSON_GetObjectItem(j, "details")->valuestring, "line 3");
}

static void error_errno_and_truncation(void **state)
{
	struct cni_error err = CNI_ERROR_INIT;
	char big[2000];

	cni_err_errno(&err, CNI_ERR_IO, 2, "open %s", "/x");
	assert_string_equal(err.msg, "open /x: No such file or directory");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cni_err(&err, CNI_ERR_IO, "%s", big);
	cni_err_prefix(&err, "%s", big);
	assert_true(strlen(err.msg) < sizeof(err.msg));
}

static void args_parse(void **state)
{
	struct cni_arg *a = NULL;
	size_t n = 0;
	struct cni_error err = CNI_ERROR_INIT;
	struct cni_env env = { 0 };

	assert_int_equal(cni_args_parse("IgnoreUnknown=true;K8S_POD_NAME=p;IP=;K8S_POD_NAME=q;", &a, &n, &err), 0);
	assert_int_equal(n, 4);
	assert_string_equal(a[2].key, "IP");
	assert_string_equal(a[2].value, "");
	env.args = a;
	env.n_args = n;
	assert_string_equal(cni_env_arg(&env, "K8S_POD_NAME"), "q"); /* last one wins */
	assert_null(cni_env_arg(&env, "MAC"));
	cni_args_free(a, n);
	assert_int_equal(cni_args_parse("novalue", &a, &n, &err), -EINVAL);
	assert_int_equal(err.code, CNI_ERR_INVALID_ENV);
	assert_int_equal(cni_args_parse("=v", &a, &n, &err), -EINVAL);
	assert_int_equal(cni_args_parse("", &a, &n, &err), 0);
	assert_int_equal(n, 0);
}

static void ip_helpers(void **state)
{
	struct cni_prefix p, q;
	struct cni_ip ip, x;
	char buf[CNI_PREFIX_STRLEN];

	assert_int_equal(cni_prefix_parse("10.1.2.3/24", &p), 0);
	q = cni_prefix_network(&p);
	cni_prefix_format(&q, buf);
	assert_string_equal(buf, "10.1.2.0/24");
	ip = cni_prefix_last(&p);
	cni_ip_format(&ip, buf);
	assert_string_equal(buf, "10.1.2.255");
	x = cni_ip_add(&ip, 1);
	cni_ip_format(&x, buf);
	assert_string_equal(buf, "10.1.3.0");
	x = cni_ip_add(&x, -2);
	cni_ip_format(&x, buf);
	assert_string_equal(buf, "10.1.2.254");
	assert_true(cni_prefix_contains(&p, &x));
	assert_int_equal(cni_prefix_parse("fd00::ffff/64", &p), 0);
	x = cni_ip_add(&p.ip, 1);
	cni_ip_format(&x, buf);
	assert_string_equal(buf, "fd00::1:0");
	assert_int_equal(cni_ip_parse("239.1.1.1", &ip), 0);
	assert_true(cni_ip_is_multicast(&ip));
	assert_int_equal(cni_prefix_parse("10.0.0.1", &p), -EINVAL);
	assert_int_equal(cni_prefix_parse("10.0.0.1/", &p), -EINVAL);
	assert_int_equal(cni_prefix_parse("10.0.0.1/-1", &p), -EINVAL);
	assert_int_equal(cni_prefix_parse("fd00::1/129", &p), -EINVAL);
	assert_int_equal(cni_ip_parse("10.0.0.256", &ip), -EINVAL);
}

static void names(void **state)
{
	struct cni_error err = CNI_ERROR_INIT;

	assert_int_equal(cni_validate_ifname("eth0", &err), 0);
	assert_int_equal(cni_validate_ifname("0123456789abcde", &err), 0);
	assert_int_equal(cni_validate_ifname("0123456789abcdef", &err), -EINVAL);
	assert_int_equal(cni_validate_ifname("a/b", &err), -EINVAL);
	assert_int_equal(cni_validate_ifname("..", &err), -EINVAL);
	assert_int_equal(cni_validate_ifname("a b", &err), -EINVAL);
	assert_int_equal(cni_validate_ifname("", &err), -EINVAL);
	assert_int_equal(err.code, CNI_ERR_INVALID_ENV);
	assert_int_equal(cni_validate_container_id("abc-1_2.3", &err), 0);
	assert_int_equal(cni_validate_container_id("-abc", &err), -EINVAL);
	assert_int_equal(cni_validate_container_id("a;b", &err), -EINVAL);
	assert_int_equal(cni_validate_netns_path("relative", &err), -EINVAL);
	assert_int_equal(cni_validate_network_name("ok-net", &err), 0);
	assert_int_equal(cni_validate_network_name("..", &err), -EINVAL);
	assert_int_equal(cni_validate_plugin_type("host-local", &err), 0);
	assert_int_equal(cni_validate_plugin_type("../bin/sh", &err), -EINVAL);
}

static void versions(void **state)
{
	assert_true(cni_version_supported("0.3.0"));
	assert_true(cni_version_supported("1.1.0"));
	assert_false(cni_version_supported("0.2.0"));
	assert_false(cni_version_supported("1.0"));
	assert_true(cni_version_cmp("0.4.0", "1.0.0") < 0);
	assert_true(cni_version_cmp("1.1.0", "1.0.0") > 0);
	assert_int_equal(cni_version_cmp("0.3.1", "0.3.1"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(conf_minimal),
		cmocka_unit_test(conf_errors),
		cmocka_unit_test(conf_valid_attachments),
		cmocka_unit_test(result_convert_all_versions),
		cmocka_unit_test(result_110_fields),
		cmocka_unit_test(result_bad),
		cmocka_unit_test(error_json),
		cmocka_unit_test(error_errno_and_truncation),
		cmocka_unit_test(args_parse),
		cmocka_unit_test(ip_helpers),
		cmocka_unit_test(names),
		cmocka_unit_test(versions),
	};

	return cmocka_run_group_tests_name("lib/cni", tests, NULL, NULL);
}
