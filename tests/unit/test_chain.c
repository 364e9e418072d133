/* Unit tests for what kractl runs on in lib/cni: base64 as Go writes a []byte,
 * network lists as libcni loads them, libcni's cache entry (write, read back, an
 * entry of another container), and the history's logFile rule. */
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

#include "cni/base64.h"
#include "cni/cache.h"
#include "cni/chain.h"
#include "cni/history.h"
#include "cni/json.h"
#include "cni/statefile.h"

static void base64_round_trip(void **state)
{
	/* RFC 4648's test vectors, and bytes that are not text. */
	const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	const char *out[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	const unsigned char bin[] = {0, 0xff, 0xfe, 0x80, 0x7f};
	struct cni_error err = CNI_ERROR_INIT;
	char *enc, *dec;
	size_t len;

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		enc = cni_base64_encode(in[i], strlen(in[i]));
		assert_string_equal(enc, out[i]);
		assert_int_equal(cni_base64_decode(enc, &dec, &len, &err), 0);
		assert_int_equal(len, strlen(in[i]));
		assert_string_equal(dec, in[i]);
		free(enc);
		free(dec);
	}
	enc = cni_base64_encode(bin, sizeof(bin));
	assert_int_equal(cni_base64_decode(enc, &dec, &len, &err), 0);
	assert_memory_equal(dec, bin, sizeof(bin));
	free(enc);
	free(dec);
	assert_int_equal(cni_base64_decode("Zm9", &dec, &len, &err), -EINVAL);
	assert_int_equal(err.code, CNI_ERR_DECODE);
	assert_int_equal(cni_base64_decode("Zm9v!A==", &dec, &len, &err), -EINVAL);
	assert_null(dec);
}

static void netlist_parse(void **state)
{
	struct cni_netlist nl;
	struct cni_error err = CNI_ERROR_INIT;
	const char *list = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"disableCheck\":true,"
			   "\"plugins\":[{\"type\":\"a\"},{\"type\":\"b\"}]}";
	const char *single = "{\"cniVersion\":\"0.4.0\",\"name\":\"s\",\"type\":\"t\"}";

	assert_int_equal(cni_netlist_parse(list, strlen(list), "f", &nl, &err), 0);
	assert_string_equal(nl.name, "n");
	assert_int_equal(nl.n_plugins, 2);
	assert_true(nl.disable_check);
	assert_false(nl.single);
	assert_string_equal(cJSON_GetObjectItem(cni_netlist_plugin(&nl, 1), "type")->valuestring,
			    "b");
	assert_null(cni_netlist_plugin(&nl, 2));
	assert_memory_equal(nl.bytes, list, strlen(list));
	cni_netlist_free(&nl);

	assert_int_equal(cni_netlist_parse(single, strlen(single), "f", &nl, &err), 0);
	assert_true(nl.single);
	assert_int_equal(nl.n_plugins, 1);
	assert_ptr_equal(cni_netlist_plugin(&nl, 0), nl.root);
	cni_netlist_free(&nl);

	const struct {
		const char *text;
		int code;
	} bad[] = {
	    {"{", CNI_ERR_DECODE},
	    {"[]", CNI_ERR_DECODE},
	    {"{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[]}", CNI_ERR_INVALID_CONFIG},
	    {"{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{}]}", CNI_ERR_INVALID_CONFIG},
	    {"{\"cniVersion\":\"1.0.0\",\"plugins\":[{\"type\":\"a\"}]}", CNI_ERR_INVALID_CONFIG},
	    {"{\"cniVersion\":\"1.0.0\",\"name\":\"a/b\",\"type\":\"a\"}", CNI_ERR_INVALID_CONFIG},
	    {"{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"..\"}", CNI_ERR_INVALID_CONFIG},
	    {"{\"cniVersion\":\"2.0.0\",\"name\":\"n\",\"type\":\"a\"}",
	     CNI_ERR_INCOMPATIBLE_VERSION},
	    {"{\"name\":\"n\",\"type\":\"a\"}", CNI_ERR_INCOMPATIBLE_VERSION},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cni_err_clear(&err);
		if (cni_netlist_parse(bad[i].text, strlen(bad[i].text), "f", &nl, &err) >= 0 ||
		    err.code != bad[i].code)
			fail_msg("%s: code %d (%s), want %d", bad[i].text, err.code, err.msg,
				 bad[i].code);
		cni_netlist_free(&nl);
	}
}

static void cache_write_read(void **state)
{
	char dir[] = "/tmp/kc-unit-cache.XXXXXX";
	struct cni_error err = CNI_ERROR_INIT;
	cJSON *result =
	    cJSON_Parse("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.240.0.5/24\"}]}");
	cJSON *caps = cJSON_Parse("{\"mac\":\"02:00:00:00:00:01\"}");
	const char *config = "{\"name\":\"net\"}\n";
	struct cni_cache_record rec = {
	    .network = "net",
	    .container_id = "c1",
	    .ifname = "eth0",
	    .netns = "/run/netns/p",
	    .config = config,
	    .config_len = strlen(config),
	    .cni_args = "A=1;B=",
	    .capability_args = caps,
	    .result = result,
	};
	struct cni_cache_entry e;
	char *args, *path, *text;
	size_t len;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(cni_cache_write(dir, &rec, &err), 0);
	assert_int_equal(cni_cache_path(dir, "net", "c1", "eth0", &path, &err), 0);
	/* The bytes libcni (Go's encoding/json) writes, key for key. */
	assert_int_equal(cni_file_read(path, 1 << 20, &text, &len, &err), 1);
	assert_string_equal(
	    text,
	    "{\"kind\":\"cniCacheV1\",\"containerId\":\"c1\",\"config\":\"eyJuYW1lIjoibmV0In0K\","
	    "\"ifName\":\"eth0\",\"networkName\":\"net\",\"cniArgs\":[[\"A\",\"1\"],[\"B\",\"\"]],"
	    "\"capabilityArgs\":{\"mac\":\"02:00:00:00:00:01\"},\"result\":{\"cniVersion\":"
	    "\"1.0.0\",\"ips\":[{\"address\":\"10.240.0.5/24\"}]},\"netns\":\"/run/netns/p\"}");
	free(text);
	assert_int_equal(cni_cache_read(dir, "net", "c1", "eth0", &e, &err), 1);
	assert_string_equal(e.netns, "/run/netns/p");
	assert_int_equal(e.config_len, strlen(config));
	assert_string_equal(e.config, config);
	assert_non_null(args = cni_cache_args(&e));
	assert_string_equal(args, "A=1;B=");
	free(args);
	cni_cache_entry_free(&e);
	/* No entry: 0. Another attachment's content under this name: code 3. */
	assert_int_equal(cni_cache_read(dir, "net", "c2", "eth0", &e, &err), 0);
	rec.network = "net-c1";
	rec.container_id = "eth0";
	rec.ifname = "x";
	assert_int_equal(cni_cache_write(dir, &rec, &err), 0);
	assert_int_equal(cni_cache_read(dir, "net", "c1-eth0", "x", &e, &err), -ENOENT);
	assert_int_equal(err.code, CNI_ERR_UNKNOWN_CONTAINER);
	assert_int_equal(cni_cache_remove(dir, "net", "c1", "eth0", &err), 0);
	assert_int_equal(cni_cache_remove(dir, "net", "c1", "eth0", &err), 0);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(cni_cache_remove(dir, "net-c1", "eth0", "x", &err), 0);
	free(path);
	assert_int_equal(asprintf(&path, "%s/results", dir) > 0, 1);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(rmdir(dir), 0);
	free(path);
	cJSON_Delete(result);
	cJSON_Delete(caps);
}

static void history_paths(void **state)
{
	const char *good[] = {"/var/log/krafty/cni.log", "/run/x.log", "/var/lib/cni/log/a"};
	const char *bad[] = {"cni.log",	       "/etc/cni.log",	  "/var/log",	"/var/log/",
			     "/var/log/../x",  "/run/./x",	  "/run//x",	"/run/a/..",
			     "/var/run/x.log", "/var/lib/cnix/a", "/tmp/x.log", ""};
	struct cni_error err = CNI_ERROR_INIT;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (cni_history_check_path(good[i], &err) != 0)
			fail_msg("%s refused: %s", good[i], err.msg);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cni_history_check_path(bad[i], &err) != -EINVAL)
			fail_msg("%s accepted", bad[i]);
	assert_int_equal(cni_history_check_path(NULL, &err), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(base64_round_trip),
	    cmocka_unit_test(netlist_parse),
	    cmocka_unit_test(cache_write_read),
	    cmocka_unit_test(history_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
