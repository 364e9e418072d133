/* lib/netlink's per-socket names (names.c): what a look-up, a rename and a
 * delete leave for the next name-to-index resolution. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "netlink/knl-internal.h"

static void put_get_forget(void **state)
{
	struct knl_sock sk;

	(void)state;
	memset(&sk, 0, sizeof(sk));
	assert_int_equal(knl_names_get(&sk, "krb1"), 0);
	knl_names_put(&sk, "krb1", 7);
	knl_names_put(&sk, "veth1", 8);
	assert_int_equal(knl_names_get(&sk, "krb1"), 7);
	/* A rename: the index under its new name, the old name forgotten. */
	knl_names_put(&sk, "net1", 8);
	assert_int_equal(knl_names_get(&sk, "veth1"), 0);
	assert_int_equal(knl_names_get(&sk, "net1"), 8);
	/* The name given to another device. */
	knl_names_put(&sk, "krb1", 9);
	assert_int_equal(knl_names_get(&sk, "krb1"), 9);
	knl_names_forget(&sk, "krb1", 0);
	assert_int_equal(knl_names_get(&sk, "krb1"), 0);
	knl_names_forget(&sk, NULL, 8);
	assert_int_equal(knl_names_get(&sk, "net1"), 0);
	/* Nothing for an empty, too long or unindexed name. */
	knl_names_put(&sk, "", 3);
	knl_names_put(&sk, "sixteen-chars-xx", 4);
	knl_names_put(&sk, "x", 0);
	assert_int_equal(knl_names_get(&sk, ""), 0);
	assert_int_equal(knl_names_get(&sk, "sixteen-chars-xx"), 0);
	assert_int_equal(knl_names_get(&sk, "x"), 0);
}

static void oldest_goes_first(void **state)
{
	struct knl_sock sk;
	char name[KNL_IFNAMSIZ];

	(void)state;
	memset(&sk, 0, sizeof(sk));
	for (int i = 1; i <= KNL_NAMES_MAX + 1; i++) {
		snprintf(name, sizeof(name), "d%d", i);
		knl_names_put(&sk, name, i);
	}
	assert_int_equal(knl_names_get(&sk, "d1"), 0);
	assert_int_equal(knl_names_get(&sk, "d2"), 2);
	snprintf(name, sizeof(name), "d%d", KNL_NAMES_MAX + 1);
	assert_int_equal(knl_names_get(&sk, name), KNL_NAMES_MAX + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(put_get_forget),
	    cmocka_unit_test(oldest_goes_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
