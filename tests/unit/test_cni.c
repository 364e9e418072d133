/* Unit tests for lib/cni: config parsing, errors, names, versions. Results are in
 * test_result.c, CNI_ARGS and the environment in test_args.c, addresses in test_ip.c. */
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
#include <sys/stat.h>
#include <sys/wait.h>

#include "cni/buildid.h"
#include "cni/cleanup.h"
#include "cni/conf.h"
#include "cni/json.h"
#include "cni/jsoncheck.h"
#include "cni/statefile.h"
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

/* Attachments are looked up in a sorted copy: any order in, exact and legacy lookups. */
static void conf_valid_attachments_many(void **state)
{
	struct cni_conf c;
	struct cni_error err = CNI_ERROR_INIT;
	char json[4096];
	size_t len = (size_t)snprintf(json, sizeof(json),
				      "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"t\","
				      "\"cni.dev/valid-attachments\":[");

	for (int i = 40; i > 0; i--)
		len += (size_t)snprintf(json + len, sizeof(json) - len,
					"{\"containerID\":\"c%d\",\"ifname\":\"eth%d\"}%s", i % 20,
					i, i > 1 ? "," : "]}");
	assert_int_equal(parse(&c, json, &err), 0);
	assert_int_equal(c.n_valid_attachments, 40);
	for (int i = 1; i <= 40; i++) {
		char cid[16], ifname[16];

		snprintf(cid, sizeof(cid), "c%d", i % 20);
		snprintf(ifname, sizeof(ifname), "eth%d", i);
		assert_true(cni_conf_attachment_valid(&c, cid, ifname));
		assert_true(cni_conf_attachment_valid(&c, cid, NULL));
		snprintf(ifname, sizeof(ifname), "eth%d", i + 40);
		assert_false(cni_conf_attachment_valid(&c, cid, ifname));
	}
	assert_false(cni_conf_attachment_valid(&c, "c20", NULL));
	assert_false(cni_conf_attachment_valid(&c, "c", NULL));
	assert_false(cni_conf_attachment_valid(&c, "c99", "eth1"));
	cni_conf_free(&c);
}

#define SCONF(rest) "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\"" rest "}"

/* One JSON for everyone: what another reader could read differently is refused. */
static void conf_strict_json(void **state)
{
	static const struct {
		const char *json;
		int code;
		const char *msg;
	} bad[] = {
	    {SCONF(",\"mtu\":1,\"mtu\":2"), CNI_ERR_INVALID_CONFIG, "the key \"mtu\" twice"},
	    {SCONF(",\"Name\":\"other\""), CNI_ERR_INVALID_CONFIG, "twice"},
	    {SCONF(",\"TYPE\":\"other\""), CNI_ERR_INVALID_CONFIG, "twice"},
	    /* U+212A KELVIN SIGN folds to k in Go: "\u212aey" is Go's "key". */
	    {SCONF(",\"key\":1,\"\xe2\x84\xaa"
		   "ey\":2"),
	     CNI_ERR_INVALID_CONFIG, "twice"},
	    {SCONF(",\"ipam\":{\"type\":\"a\",\"dataDir\":\"/x\",\"datadir\":\"/y\"}"),
	     CNI_ERR_INVALID_CONFIG, "twice"},
	    {SCONF(",\"l\":[{\"a\":1},{\"b\":1,\"b\":2}]"), CNI_ERR_INVALID_CONFIG, "twice"},
	    {SCONF(",\"prevResult\":{\"cniVersion\":\"1.0.0\",\"ips\":[],\"ips\":[]}"),
	     CNI_ERR_INVALID_CONFIG, "twice"},
	    {SCONF(",\"dataDir\":\"/var/lib\\u0000/x\""), CNI_ERR_INVALID_CONFIG, "NUL"},
	    {SCONF(",\"a\\u0000b\":1"), CNI_ERR_INVALID_CONFIG, "NUL"},
	    {SCONF(",\"x\":\"\\\\\\u0000\""), CNI_ERR_INVALID_CONFIG, "NUL"},
	    {SCONF(",\"x\":1} {\"y\":2"), CNI_ERR_DECODE, "more data after"},
	    {SCONF(",\"x\":1}]"), CNI_ERR_DECODE, "more data after"},
	    {SCONF(",\"x\":\"\xff\""), CNI_ERR_DECODE, "not UTF-8"},
	    {SCONF(",\"x\":\"\xc0\xaf\""), CNI_ERR_DECODE, "not UTF-8"},
	    {SCONF(",\"x\":\"\xed\xa0\x80\""), CNI_ERR_DECODE, "not UTF-8"},
	    {SCONF(",\"x\":\"\\ud800\""), CNI_ERR_DECODE, "not valid JSON"},
	};
	static const char *const good[] = {
	    SCONF(",\"x\":\"\\\\u0000\""), /* an escaped backslash, then "u0000" */
	    SCONF(",\"x\":\"\\u0001 caf\xc3\xa9 \xf0\x9f\x98\x80\""),
	    SCONF(",\"a\":{\"k\":1},\"b\":{\"k\":1},\"ab\":[{\"k\":1},{\"k\":2}]") "\n\t ",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cni_conf c;
		struct cni_error err = CNI_ERROR_INIT;

		if (parse(&c, bad[i].json, &err) >= 0)
			fail_msg("accepted: %s", bad[i].json);
		if (err.code != bad[i].code || !strstr(err.msg, bad[i].msg))
			fail_msg("%s: code %d \"%s\", want %d with \"%s\"", bad[i].json, err.code,
				 err.msg, bad[i].code, bad[i].msg);
		cni_conf_free(&c);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct cni_conf c;
		struct cni_error err = CNI_ERROR_INIT;

		if (parse(&c, good[i], &err) < 0)
			fail_msg("refused: %s: %s", good[i], err.msg);
		cni_conf_free(&c);
	}
}

/* A config whose "x" is `levels` nested lists. */
static void nested(char *json, size_t size, int levels)
{
	size_t len = (size_t)snprintf(json, size,
				      "{\"cniVersion\":\"1.0.0\",\"name\":\"n\","
				      "\"type\":\"t\",\"x\":");

	for (int i = 0; i < levels; i++)
		json[len++] = '[';
	for (int i = 0; i < levels; i++)
		json[len++] = ']';
	snprintf(json + len, size - len, "}");
}

/* Nesting: at most CNI_JSON_MAX_DEPTH levels (the config object is one); a raw NUL. */
static void conf_strict_depth_and_nul(void **state)
{
	char json[512];
	struct cni_conf c;
	struct cni_error err = CNI_ERROR_INIT;
	static const char raw_nul[] = SCONF(",\"x\":\"a\0b\"");

	nested(json, sizeof(json), CNI_JSON_MAX_DEPTH);
	assert_int_equal(parse(&c, json, &err), -EINVAL);
	assert_int_equal(err.code, CNI_ERR_INVALID_CONFIG);
	assert_non_null(strstr(err.msg, "deeper than"));
	cni_conf_free(&c);
	nested(json, sizeof(json), CNI_JSON_MAX_DEPTH - 1);
	assert_int_equal(parse(&c, json, &err), 0);
	cni_conf_free(&c);
	assert_int_equal(cni_conf_parse(&c, raw_nul, sizeof(raw_nul) - 1, &err), -EINVAL);
	assert_int_equal(err.code, CNI_ERR_INVALID_CONFIG);
	assert_non_null(strstr(err.msg, "NUL"));
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

/* The build ID of this very test binary (linked with --build-id=sha1), then
 * the same header cut short or pointing outside itself: never found, never
 * read out of bounds (ASan build). */
static void build_id(void **state)
{
	unsigned char head[4096];
	char hex[CNI_BUILD_ID_HEX_MAX + 1], whole[CNI_BUILD_ID_HEX_MAX + 1];
	FILE *f = fopen("/proc/self/exe", "rb");
	size_t n;

	(void)state;
	assert_non_null(f);
	n = fread(head, 1, sizeof(head), f);
	fclose(f);
	assert_int_equal(cni_build_id_of("/proc/self/exe", whole), 1);
	assert_int_equal(strlen(whole), 40);
	assert_int_equal(cni_build_id_parse(head, n, hex), 1);
	assert_string_equal(hex, whole);
	for (size_t cut = 0; cut < 64; cut++)
		assert_int_equal(cni_build_id_parse(head, cut, hex), 0);
	head[0x20] = 0xff; /* e_phoff far beyond the buffer */
	head[0x27] = 0x7f;
	assert_int_equal(cni_build_id_parse(head, n, hex), 0);
	assert_int_equal(cni_build_id_of("/nonexistent", hex), 0);
	assert_int_equal(cni_build_id_of("/etc/hostname", hex), 0);
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

/* A holder that removes its lock file before it lets go: the waiter ends up
 * holding the lock of the file now at the path, not of the removed one
 * (krafty's table count files go with a table's last user). */
static void file_lock_removed_by_holder(void **state)
{
	char dir[] = "/tmp/cni-lock-XXXXXX", path[64], c;
	struct cni_error err = CNI_ERROR_INIT;
	struct stat held, now;
	int ready[2], fd = -1, status;
	pid_t pid;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/lock", dir);
	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int f = -1;

		if (cni_file_lock(path, &f, &err) < 0 || write(ready[1], "x", 1) != 1)
			_exit(1);
		usleep(200 * 1000);		  /* the parent waits in flock by now */
		_exit(unlink(path) == 0 ? 0 : 1); /* exiting lets it go */
	}
	assert_int_equal(read(ready[0], &c, 1), 1);
	assert_int_equal(cni_file_lock(path, &fd, &err), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(fstat(fd, &held), 0);
	assert_int_equal(stat(path, &now), 0);
	assert_true(held.st_ino == now.st_ino && held.st_nlink == 1);
	close(fd);
	close(ready[0]);
	close(ready[1]);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(conf_minimal),
	    cmocka_unit_test(build_id),
	    cmocka_unit_test(conf_errors),
	    cmocka_unit_test(conf_valid_attachments),
	    cmocka_unit_test(conf_valid_attachments_many),
	    cmocka_unit_test(conf_strict_json),
	    cmocka_unit_test(conf_strict_depth_and_nul),
	    cmocka_unit_test(error_json),
	    cmocka_unit_test(error_errno_and_truncation),
	    cmocka_unit_test(names),
	    cmocka_unit_test(versions),
	    cmocka_unit_test(file_lock_removed_by_holder),
	};

	return cmocka_run_group_tests_name("lib/cni", tests, NULL, NULL);
}
