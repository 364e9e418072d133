/* Unit tests for lib/cni/env.h: CNI_ARGS parsing (repeated keys, empty values,
 * IgnoreUnknown, malformed pairs, size limits) and the runtime's environment
 * (CNI_COMMAND and the variables each command requires). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni/env.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct kv {
	const char *key, *value;
};

/* Parse raw and compare with the expected pairs, in order. */
static void expect_args(const char *raw, const struct kv *want, size_t n_want)
{
	struct cni_arg *a = (struct cni_arg *)1;
	size_t n = 99;
	struct cni_error err = CNI_ERROR_INIT;
	int rc = cni_args_parse(raw, &a, &n, &err);

	if (rc != 0)
		fail_msg("cni_args_parse(\"%s\"): %d (%s)", raw ? raw : "(null)", rc, err.msg);
	assert_int_equal(err.code, 0);
	if (n != n_want)
		fail_msg("cni_args_parse(\"%s\"): %zu pairs, want %zu", raw ? raw : "(null)", n,
			 n_want);
	if (n_want == 0)
		assert_null(a);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(a[i].key, want[i].key);
		assert_string_equal(a[i].value, want[i].value);
	}
	cni_args_free(a, n);
}

static void args_pairs(void **state)
{
	expect_args("K8S_POD_NAME=p", (struct kv[]){{"K8S_POD_NAME", "p"}}, 1);
	expect_args("A=1;B=2;C=3", (struct kv[]){{"A", "1"}, {"B", "2"}, {"C", "3"}}, 3);
	/* The first '=' splits: the value may hold more of them. */
	expect_args("K=a=b=", (struct kv[]){{"K", "a=b="}}, 1);
	/* Keys and values are taken verbatim: no trimming, case kept. */
	expect_args(" K = v ;k=V", (struct kv[]){{" K ", " v "}, {"k", "V"}}, 2);
	expect_args("IP=10.0.0.5/24,fd00::5/64", (struct kv[]){{"IP", "10.0.0.5/24,fd00::5/64"}},
		    1);
}

static void args_empty_and_separators(void **state)
{
	expect_args(NULL, NULL, 0);
	expect_args("", NULL, 0);
	expect_args(";", NULL, 0);
	expect_args(";;;", NULL, 0);
	expect_args("A=1;", (struct kv[]){{"A", "1"}}, 1);
	expect_args(";;A=1;;B=2;;", (struct kv[]){{"A", "1"}, {"B", "2"}}, 2);
	/* Empty values are values. */
	expect_args("IP=", (struct kv[]){{"IP", ""}}, 1);
	expect_args("A=;B=", (struct kv[]){{"A", ""}, {"B", ""}}, 2);
}

static void args_repeated_keys(void **state)
{
	struct cni_env env = {0};
	struct cni_error err = CNI_ERROR_INIT;

	expect_args("K=1;K=2;K=", (struct kv[]){{"K", "1"}, {"K", "2"}, {"K", ""}}, 3);
	assert_int_equal(
	    cni_args_parse("K8S_POD_NAME=p;IP=;K8S_POD_NAME=q;MAC=x", &env.args, &env.n_args, &err),
	    0);
	assert_int_equal(env.n_args, 4);
	/* The last value given wins; a key given empty is there, and empty. */
	assert_string_equal(cni_env_arg(&env, "K8S_POD_NAME"), "q");
	assert_string_equal(cni_env_arg(&env, "IP"), "");
	assert_string_equal(cni_env_arg(&env, "MAC"), "x");
	assert_null(cni_env_arg(&env, "mac")); /* keys are case-sensitive */
	assert_null(cni_env_arg(&env, "K8S_POD"));
	assert_null(cni_env_arg(&env, ""));
	cni_env_free(&env);
	assert_null(env.args);
	assert_int_equal(env.n_args, 0);

	/* Later empty overrides an earlier value. */
	assert_int_equal(cni_args_parse("IP=10.0.0.5;IP=", &env.args, &env.n_args, &err), 0);
	assert_string_equal(cni_env_arg(&env, "IP"), "");
	cni_env_free(&env);
	/* No args at all. */
	assert_null(cni_env_arg(&env, "IP"));
}

/* IgnoreUnknown is an ordinary pair to the parser; unknown keys are never an
 * error (the plugins look up the keys they know and ignore the rest). */
static void args_ignore_unknown(void **state)
{
	struct cni_env env = {0};
	struct cni_error err = CNI_ERROR_INIT;

	expect_args("IgnoreUnknown=1;FOO=bar",
		    (struct kv[]){{"IgnoreUnknown", "1"}, {"FOO", "bar"}}, 2);
	expect_args("IgnoreUnknown=true", (struct kv[]){{"IgnoreUnknown", "true"}}, 1);
	assert_int_equal(
	    cni_args_parse("FOO=bar;K8S_POD_NAMESPACE=ns", &env.args, &env.n_args, &err), 0);
	assert_null(cni_env_arg(&env, "IgnoreUnknown"));
	assert_string_equal(cni_env_arg(&env, "K8S_POD_NAMESPACE"), "ns");
	cni_env_free(&env);
}

static void args_malformed(void **state)
{
	static const struct {
		const char *raw, *msg;
	} bad[] = {
	    {"novalue", "CNI_ARGS: invalid pair novalue (expected KEY=VALUE)"},
	    {"=v", "CNI_ARGS: invalid pair =v (expected KEY=VALUE)"},
	    {"=", "CNI_ARGS: invalid pair = (expected KEY=VALUE)"},
	    {"A=1;novalue", "CNI_ARGS: invalid pair novalue (expected KEY=VALUE)"},
	    {"A=1;=2;B=3", "CNI_ARGS: invalid pair =2 (expected KEY=VALUE)"},
	    {"A=1;B", "CNI_ARGS: invalid pair B (expected KEY=VALUE)"},
	    {" ", "CNI_ARGS: invalid pair   (expected KEY=VALUE)"},
	    {"A:1", "CNI_ARGS: invalid pair A:1 (expected KEY=VALUE)"},
	};

	for (size_t i = 0; i < N(bad); i++) {
		struct cni_arg *a = (struct cni_arg *)1;
		size_t n = 99;
		struct cni_error err = CNI_ERROR_INIT;
		int rc = cni_args_parse(bad[i].raw, &a, &n, &err);

		if (rc != -EINVAL)
			fail_msg("cni_args_parse(\"%s\") = %d, want -EINVAL", bad[i].raw, rc);
		assert_int_equal(err.code, CNI_ERR_INVALID_ENV);
		assert_int_equal(err.errnum, EINVAL);
		assert_string_equal(err.msg, bad[i].msg);
		/* Nothing is handed out on failure (the pairs parsed so far are freed). */
		assert_null(a);
		assert_int_equal(n, 0);
	}
}

/* Sizes: many pairs and long values parse whole; an error about a huge pair
 * stays within the message buffer. */
static void args_limits(void **state)
{
	enum { PAIRS = 5000, LONG = 1 << 16 };
	size_t cap = PAIRS * 16 + LONG + 16, off = 0, n = 0;
	char *raw = malloc(cap), *big = malloc(LONG + 1);
	struct cni_arg *a = NULL;
	struct cni_error err = CNI_ERROR_INIT;

	assert_non_null(raw);
	assert_non_null(big);
	for (int i = 0; i < PAIRS; i++)
		off += (size_t)snprintf(raw + off, cap - off, "K%d=%d;", i, i);
	memset(big, 'v', LONG);
	big[LONG] = '\0';
	off += (size_t)snprintf(raw + off, cap - off, "BIG=%s", big);
	assert_int_equal(cni_args_parse(raw, &a, &n, &err), 0);
	assert_int_equal(n, PAIRS + 1);
	assert_string_equal(a[0].key, "K0");
	assert_string_equal(a[PAIRS - 1].key, "K4999");
	assert_string_equal(a[PAIRS - 1].value, "4999");
	assert_string_equal(a[PAIRS].key, "BIG");
	assert_int_equal(strlen(a[PAIRS].value), LONG);
	cni_args_free(a, n);

	/* A huge pair without '=': refused, message cut to the buffer. */
	assert_int_equal(cni_args_parse(big, &a, &n, &err), -EINVAL);
	assert_int_equal(err.code, CNI_ERR_INVALID_ENV);
	assert_int_equal(strlen(err.msg), sizeof(err.msg) - 1);
	assert_memory_equal(err.msg, "CNI_ARGS: invalid pair vvvv", 27);
	free(raw);
	free(big);
}

static void command_names(void **state)
{
	static const struct {
		enum cni_command cmd;
		const char *name;
	} cmds[] = {
	    {CNI_CMD_ADD, "ADD"},	  {CNI_CMD_DEL, "DEL"},	      {CNI_CMD_CHECK, "CHECK"},
	    {CNI_CMD_VERSION, "VERSION"}, {CNI_CMD_STATUS, "STATUS"}, {CNI_CMD_GC, "GC"},
	};

	for (size_t i = 0; i < N(cmds); i++) {
		assert_string_equal(cni_command_name(cmds[i].cmd), cmds[i].name);
		assert_int_equal(cni_command_parse(cmds[i].name), cmds[i].cmd);
	}
	assert_int_equal(cni_command_parse("add"), CNI_CMD_UNKNOWN); /* case-sensitive */
	assert_int_equal(cni_command_parse("ADD "), CNI_CMD_UNKNOWN);
	assert_int_equal(cni_command_parse("UNKNOWN"), CNI_CMD_UNKNOWN);
	assert_int_equal(cni_command_parse(""), CNI_CMD_UNKNOWN);
	assert_int_equal(cni_command_parse(NULL), CNI_CMD_UNKNOWN);
	assert_string_equal(cni_command_name(CNI_CMD_UNKNOWN), "UNKNOWN");
	assert_string_equal(cni_command_name((enum cni_command)42), "UNKNOWN");
}

/* ---- cni_env_load: the process environment ---- */

static const char *const cni_vars[] = {"CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS",
				       "CNI_IFNAME",  "CNI_PATH",	 "CNI_ARGS"};

static int clear_env(void **state)
{
	for (size_t i = 0; i < N(cni_vars); i++)
		unsetenv(cni_vars[i]);
	return 0;
}

static void set_full(const char *cmd)
{
	setenv("CNI_COMMAND", cmd, 1);
	setenv("CNI_CONTAINERID", "c0ffee-1", 1);
	setenv("CNI_NETNS", "/var/run/netns/pod", 1);
	setenv("CNI_IFNAME", "eth0", 1);
	setenv("CNI_PATH", "/opt/cni/bin", 1);
}

static void expect_env_error(const char *what, const char *msg_part)
{
	struct cni_env env;
	struct cni_error err = CNI_ERROR_INIT;
	int rc = cni_env_load(&env, &err);

	if (rc != -EINVAL)
		fail_msg("%s: cni_env_load = %d, want -EINVAL", what, rc);
	assert_int_equal(err.code, CNI_ERR_INVALID_ENV);
	if (!strstr(err.msg, msg_part))
		fail_msg("%s: message \"%s\" lacks \"%s\"", what, err.msg, msg_part);
	cni_env_free(&env);
}

static void env_add_complete(void **state)
{
	struct cni_env env;
	struct cni_error err = CNI_ERROR_INIT;

	set_full("ADD");
	setenv("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAME=web-0;IP=", 1);
	assert_int_equal(cni_env_load(&env, &err), 0);
	assert_int_equal(env.command, CNI_CMD_ADD);
	assert_string_equal(env.command_name, "ADD");
	assert_string_equal(env.container_id, "c0ffee-1");
	assert_string_equal(env.netns, "/var/run/netns/pod");
	assert_string_equal(env.ifname, "eth0");
	assert_string_equal(env.path, "/opt/cni/bin");
	assert_string_equal(env.args_raw, "IgnoreUnknown=1;K8S_POD_NAME=web-0;IP=");
	assert_int_equal(env.n_args, 3);
	assert_string_equal(cni_env_arg(&env, "K8S_POD_NAME"), "web-0");
	assert_string_equal(cni_env_arg(&env, "IP"), "");
	cni_env_free(&env);
}

static void env_required_per_command(void **state)
{
	struct cni_env env;
	struct cni_error err = CNI_ERROR_INIT;

	expect_env_error("no CNI_COMMAND", "CNI_COMMAND is missing");
	setenv("CNI_COMMAND", "", 1);
	expect_env_error("empty CNI_COMMAND", "CNI_COMMAND is missing");
	setenv("CNI_COMMAND", "add", 1);
	expect_env_error("lower-case command", "unknown CNI_COMMAND add");

	/* VERSION needs nothing else. */
	setenv("CNI_COMMAND", "VERSION", 1);
	assert_int_equal(cni_env_load(&env, &err), 0);
	assert_int_equal(env.command, CNI_CMD_VERSION);
	cni_env_free(&env);

	/* ADD and CHECK need CNI_NETNS; an empty variable counts as missing. */
	set_full("ADD");
	unsetenv("CNI_NETNS");
	expect_env_error("ADD without netns", "CNI_NETNS is missing for ADD");
	setenv("CNI_NETNS", "", 1);
	expect_env_error("ADD with empty netns", "CNI_NETNS is missing for ADD");
	set_full("CHECK");
	unsetenv("CNI_NETNS");
	expect_env_error("CHECK without netns", "CNI_NETNS is missing for CHECK");
	set_full("ADD");
	unsetenv("CNI_CONTAINERID");
	expect_env_error("ADD without container ID", "CNI_CONTAINERID is missing for ADD");
	set_full("ADD");
	unsetenv("CNI_IFNAME");
	expect_env_error("ADD without ifname", "CNI_IFNAME is missing for ADD");
	set_full("ADD");
	unsetenv("CNI_PATH");
	expect_env_error("ADD without path", "CNI_PATH is missing for ADD");

	/* DEL may come without a netns (the pod is gone). */
	set_full("DEL");
	unsetenv("CNI_NETNS");
	assert_int_equal(cni_env_load(&env, &err), 0);
	assert_null(env.netns);
	assert_int_equal(env.n_args, 0);
	cni_env_free(&env);
	unsetenv("CNI_IFNAME");
	expect_env_error("DEL without ifname", "CNI_IFNAME is missing for DEL");

	/* STATUS and GC need only CNI_PATH. */
	clear_env(NULL);
	setenv("CNI_COMMAND", "STATUS", 1);
	expect_env_error("STATUS without path", "CNI_PATH is missing for STATUS");
	setenv("CNI_PATH", "/opt/cni/bin", 1);
	assert_int_equal(cni_env_load(&env, &err), 0);
	cni_env_free(&env);
	setenv("CNI_COMMAND", "GC", 1);
	assert_int_equal(cni_env_load(&env, &err), 0);
	assert_int_equal(env.command, CNI_CMD_GC);
	cni_env_free(&env);
}

static void env_validates(void **state)
{
	set_full("ADD");
	setenv("CNI_IFNAME", "a/b", 1);
	expect_env_error("ifname with /", "invalid character in interface name a/b");
	set_full("ADD");
	setenv("CNI_IFNAME", "0123456789abcdef", 1);
	expect_env_error("16-character ifname", "longer than 15 characters");
	set_full("ADD");
	setenv("CNI_CONTAINERID", "../x", 1);
	expect_env_error("container ID with ..", "invalid CNI_CONTAINERID ../x");
	set_full("ADD");
	setenv("CNI_NETNS", "netns/pod", 1);
	expect_env_error("relative netns", "CNI_NETNS netns/pod is not an absolute path");
	set_full("ADD");
	setenv("CNI_ARGS", "K8S_POD_NAME=p;oops", 1);
	expect_env_error("bad CNI_ARGS", "CNI_ARGS: invalid pair oops");
	set_full("DEL"); /* DEL parses CNI_ARGS too */
	setenv("CNI_ARGS", "=x", 1);
	expect_env_error("bad CNI_ARGS on DEL", "CNI_ARGS: invalid pair =x");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(args_pairs),
	    cmocka_unit_test(args_empty_and_separators),
	    cmocka_unit_test(args_repeated_keys),
	    cmocka_unit_test(args_ignore_unknown),
	    cmocka_unit_test(args_malformed),
	    cmocka_unit_test(args_limits),
	    cmocka_unit_test(command_names),
	    cmocka_unit_test_setup(env_add_complete, clear_env),
	    cmocka_unit_test_setup(env_required_per_command, clear_env),
	    cmocka_unit_test_setup(env_validates, clear_env),
	};

	return cmocka_run_group_tests_name("lib/cni args and env", tests, NULL, NULL);
}
