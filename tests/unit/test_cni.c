/* Unit tests for lib/cni: config parsing, errors, names, versions. Results are in
 * test_result.c, CNI_ARGS and the environment in test_args.c, addresses in test_ip.c. */
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
#include "cni/json.h"
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

	assert_int_equal(parse(&c,
			       "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"krafty\","
			       "\"ipam\":{\"type\":\"host-local\"},\"foo\":42}",
			       &err),
			 0);
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
	    {"", CNI_ERR_DECODE},
	    {"{not json", CNI_ERR_DECODE},
	    {"[1,2]", CNI_ERR_DECODE},
	    {"{\"cniVersion\":\"9.9.9\",\"name\":\"n\",\"type\":\"t\"}",
	     CNI_ERR_INCOMPATIBLE_VERSION},
	    {"{\"cniVersion\":\"0.2.0\",\"name\":\"n\",\"type\":\"t\"}",
	     CNI_ERR_INCOMPATIBLE_VERSION},
	    {"{\"name\":\"n\",\"type\":\"t\"}", CNI_ERR_INCOMPATIBLE_VERSION},
	    {"{\"cniVersion\":1,\"name\":\"n\",\"type\":\"t\"}", CNI_ERR_INVALID_CONFIG},
	    {"{\"cniVersion\":\"1.0.0\",\"type\":\"t\"}", CNI_ERR_INVALID_CONFIG},
	    {"{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}", CNI_ERR_INVALID_CONFIG},
	    {"{\"cniVersion\":\"1.0.0\",\"name\":\"../x\",\"type\":\"t\"}", CNI_ERR_INVALID_CONFIG},
	    {"{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"../t\"}", CNI_ERR_INVALID_CONFIG},
	    {"{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"ipam\":{}}",
	     CNI_ERR_INVALID_CONFIG},
	    {"{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"ipam\":[]}",
	     CNI_ERR_INVALID_CONFIG},
	    {"{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"prevResult\":{\"ips\":[{"
	     "\"address\":\"nope\"}]}}",
	     CNI_ERR_DECODE},
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

	assert_int_equal(
	    parse(&c,
		  "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"t\","
		  "\"cni.dev/valid-attachments\":[{\"containerID\":\"a\",\"ifname\":\"eth0\"}]}",
		  &err),
	    0);
	assert_int_equal(c.n_valid_attachments, 1);
	assert_true(cni_conf_attachment_valid(&c, "a", "eth0"));
	assert_false(cni_conf_attachment_valid(&c, "a", "net1"));
	assert_false(cni_conf_attachment_valid(&c, "b", "eth0"));
	cni_conf_free(&c);
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
	    cmocka_unit_test(error_json),
	    cmocka_unit_test(error_errno_and_truncation),
	    cmocka_unit_test(names),
	    cmocka_unit_test(versions),
	};

	return cmocka_run_group_tests_name("lib/cni", tests, NULL, NULL);
}
