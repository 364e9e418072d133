/* nl-smoke: drive lib/netlink from the command line, for the integration tests.
 *
 * Prints "OK <step>" for each step that succeeded; on failure prints
 * "ERROR <step>: <message>" on stderr and exits 1 (2 for usage errors).
 * route-find exits 0 when the route exists, 3 when it does not.
 * Run `nl-smoke` without arguments for the list of commands. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netlink/knl.h"

static struct cni_error err = CNI_ERROR_INIT;

static void usage(void)
{
	fputs("usage: nl-smoke [-n NETNS_PATH] COMMAND [ARGS...]\n"
	      "  bridge-veth BRIDGE VETH NETNS PEER CIDR GW\n"
	      "  vrf-bridge-veth VRF TABLE BRIDGE VETH NETNS PEER CIDR GW\n"
	      "      bridge (in VRF with TABLE), gateway GW/len on it, veth VETH in the\n"
	      "      bridge, peer moved to NETNS, renamed PEER, given CIDR, up, default\n"
	      "      route via GW\n"
	      "  del NAME...                     delete links (absent ones are fine)\n"
	      "  bridge-add NAME [MTU] | vrf-add NAME TABLE\n"
	      "  veth-add HOST PEER [NETNS|-] [MTU]\n"
	      "  link-info NAME | link-exists NAME\n"
	      "  link-set NAME [up|down] [mtu N] [mac M] [promisc on|off] [allmulti on|off]\n"
	      "               [txqlen N] [master M|nomaster] [name NEW]\n"
	      "  addr-add IFNAME CIDR [noprefixroute] [nodad] | addr-del IFNAME CIDR\n"
	      "  addr-list IFNAME [4|6]\n"
	      "  route-add|route-del|route-find DST|default|default6 GW|- DEV|-\n"
	      "               [table N] [metric N] [scope N] [onlink]\n"
	      "  sysctl-read KEY | sysctl-write KEY VALUE\n"
	      "  sysctl-read-parts PART... | sysctl-write-parts VALUE PART...\n"
	      "  sysctl-across KEY NETNS...      read KEY here, in each NETNS and here\n"
	      "               again, twice over, in one process (a line each)\n"
	      "  netns-check PATH\n",
	      stderr);
}

static int fail(const char *step)
{
	fprintf(stderr, "ERROR %s: %s\n", step, err.msg);
	return 1;
}

static int ok(const char *step)
{
	printf("OK %s\n", step);
	fflush(stdout);
	return 0;
}

/* Step helper: r < 0 -> report and return 1 from the caller. */
#define STEP(name, call)                                                                           \
	do {                                                                                       \
		if ((call) < 0)                                                                    \
			return fail(name);                                                         \
		ok(name);                                                                          \
	} while (0)

static int parse_uint(const char *s, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || !*s || *end || v > 0xffffffffUL || *s == '-')
		return -1;
	*out = (unsigned int)v;
	return 0;
}

static int parse_cidr(const char *s, struct cni_prefix *p)
{
	if (cni_prefix_parse(s, p) == 0)
		return 0;
	fprintf(stderr, "ERROR usage: bad CIDR %s\n", s);
	return -1;
}

/* ---- the whole chain ------------------------------------------------ */

struct chain {
	const char *vrf;
	unsigned int table;
	const char *bridge, *veth, *netns, *peer;
	struct cni_prefix addr;
	struct cni_ip gw;
};

static int chain_host(struct knl_sock *sk, const struct chain *c)
{
	struct cni_prefix gw = {.ip = c->gw, .len = c->addr.len};

	if (c->vrf) {
		STEP("vrf-add", knl_vrf_add(sk, c->vrf, c->table, &err));
		STEP("vrf-up", knl_link_set_up(sk, c->vrf, &err));
	}
	STEP("bridge-add", knl_bridge_add(sk, c->bridge, 0, &err));
	if (c->vrf)
		STEP("bridge-master", knl_link_set_master(sk, c->bridge, c->vrf, &err));
	STEP("bridge-addr", knl_addr_add(sk, c->bridge, &gw, 0, NULL, &err));
	STEP("bridge-up", knl_link_set_up(sk, c->bridge, &err));
	return 0;
}

/* Inside the container namespace: name, address, up, default route. */
static int chain_container(const struct chain *c, const char *tmp)
{
	cleanup_knl struct knl_sock *sk = NULL;
	struct knl_route def = {
	    .dst = {.ip = {.family = c->addr.ip.family}},
	    .gw = c->gw,
	    .oif_name = c->peer,
	    .scope = KNL_SCOPE_AUTO,
	};

	STEP("netns-socket", knl_open(&sk, &err));
	STEP("peer-rename", knl_link_rename(sk, tmp, c->peer, &err));
	STEP("peer-addr", knl_addr_add(sk, c->peer, &c->addr, 0, NULL, &err));
	STEP("peer-up", knl_link_set_up(sk, c->peer, &err));
	STEP("peer-route", knl_route_add(sk, &def, NULL, &err));
	return 0;
}

static int run_chain(const struct chain *c)
{
	cleanup_knl struct knl_sock *sk = NULL;
	cleanup_close int nsfd = -1;
	cleanup_netns int saved = -1;
	char tmp[16];
	int r;

	snprintf(tmp, sizeof(tmp), "knltmp%d", (int)(getpid() % 100000));
	STEP("socket", knl_open(&sk, &err));
	if ((r = chain_host(sk, c)) != 0)
		return r;
	STEP("netns-open", knl_netns_open(c->netns, &nsfd, &err));
	STEP("veth-add",
	     knl_veth_add(sk,
			  &(struct knl_veth){.host = c->veth, .peer = tmp, .peer_netns_fd = nsfd},
			  &err));
	STEP("veth-master", knl_link_set_master(sk, c->veth, c->bridge, &err));
	STEP("veth-up", knl_link_set_up(sk, c->veth, &err));
	STEP("netns-enter", knl_netns_enter(nsfd, &saved, &err));
	if ((r = chain_container(c, tmp)) != 0)
		return r;
	STEP("netns-return", knl_netns_return(&saved, &err));
	return 0;
}

static int cmd_chain(int argc, char **argv, bool vrf)
{
	struct chain c = {0};
	int i = 0;

	if (argc != (vrf ? 8 : 6))
		return usage(), 2;
	if (vrf) {
		c.vrf = argv[i++];
		if (parse_uint(argv[i++], &c.table) < 0)
			return usage(), 2;
	}
	c.bridge = argv[i++];
	c.veth = argv[i++];
	c.netns = argv[i++];
	c.peer = argv[i++];
	if (parse_cidr(argv[i++], &c.addr) < 0 || cni_ip_parse(argv[i], &c.gw) < 0 ||
	    c.gw.family != c.addr.ip.family)
		return usage(), 2;
	return run_chain(&c);
}

/* ---- single operations ---------------------------------------------- */

static int cmd_del(struct knl_sock *sk, int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (knl_link_del(sk, argv[i], &err) < 0)
			return fail("del");
	return ok("del");
}

static int cmd_link_info(struct knl_sock *sk, int argc, char **argv)
{
	struct knl_link_info li;

	if (argc != 1)
		return usage(), 2;
	if (knl_link_info(sk, argv[0], &li, &err) < 0)
		return fail("link-info");
	printf("index=%d\nname=%s\nkind=%s\nmtu=%u\nmin_mtu=%d\nmax_mtu=%d\nmac=%s\n"
	       "up=%d\npromisc=%d\nallmulti=%d\ntxqlen=%u\nmaster=%d\nvrf_table=%u\n",
	       li.index, li.name, li.kind, li.mtu, li.min_mtu, li.max_mtu, li.mac, li.up,
	       li.promisc, li.allmulti, li.txqlen, li.master, li.vrf_table);
	return 0;
}

static int cmd_link_exists(struct knl_sock *sk, int argc, char **argv)
{
	int r;

	if (argc != 1)
		return usage(), 2;
	r = knl_link_exists(sk, argv[0], &err);
	if (r < 0)
		return fail("link-exists");
	printf("%s\n", r ? "yes" : "no");
	return 0;
}

static int on_off(const char *s, bool *on)
{
	if (!s || (strcmp(s, "on") != 0 && strcmp(s, "off") != 0))
		return -1;
	*on = !strcmp(s, "on");
	return 0;
}

/* One "KEY [VALUE]" of link-set: r is the library's result, *used the words
 * taken (0: not understood). */
static int link_set_one(struct knl_sock *sk, const char **name, char **w, int n, int *used)
{
	unsigned int v;
	bool on;

	*used = 1;
	if (!strcmp(w[0], "up"))
		return knl_link_set_up(sk, *name, &err);
	if (!strcmp(w[0], "down"))
		return knl_link_set_down(sk, *name, &err);
	if (!strcmp(w[0], "nomaster"))
		return knl_link_set_master(sk, *name, NULL, &err);
	*used = n < 2 ? 0 : 2;
	if (n < 2)
		return 0;
	if (!strcmp(w[0], "mtu") && parse_uint(w[1], &v) == 0)
		return knl_link_set_mtu(sk, *name, v, &err);
	if (!strcmp(w[0], "txqlen") && parse_uint(w[1], &v) == 0)
		return knl_link_set_txqlen(sk, *name, v, &err);
	if (!strcmp(w[0], "mac"))
		return knl_link_set_mac(sk, *name, w[1], &err);
	if (!strcmp(w[0], "promisc") && on_off(w[1], &on) == 0)
		return knl_link_set_promisc(sk, *name, on, &err);
	if (!strcmp(w[0], "allmulti") && on_off(w[1], &on) == 0)
		return knl_link_set_allmulti(sk, *name, on, &err);
	if (!strcmp(w[0], "master"))
		return knl_link_set_master(sk, *name, w[1], &err);
	if (!strcmp(w[0], "name")) {
		int r = knl_link_rename(sk, *name, w[1], &err);

		if (r == 0)
			*name = w[1];
		return r;
	}
	*used = 0;
	return 0;
}

static int cmd_link_set(struct knl_sock *sk, int argc, char **argv)
{
	const char *name;

	if (argc < 2)
		return usage(), 2;
	name = argv[0];
	for (int i = 1, used; i < argc; i += used) {
		int r = link_set_one(sk, &name, argv + i, argc - i, &used);

		if (r < 0)
			return fail(argv[i]);
		if (!used)
			return usage(), 2;
		ok(argv[i]);
	}
	return 0;
}

static int cmd_addr(struct knl_sock *sk, const char *cmd, int argc, char **argv)
{
	struct cni_prefix p;
	uint32_t flags = 0;
	bool existed = false;

	if (argc < 2 || parse_cidr(argv[1], &p) < 0)
		return usage(), 2;
	if (!strcmp(cmd, "addr-del")) {
		if (argc != 2)
			return usage(), 2;
		STEP("addr-del", knl_addr_del(sk, argv[0], &p, &err));
		return 0;
	}
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "noprefixroute"))
			flags |= IFA_F_NOPREFIXROUTE;
		else if (!strcmp(argv[i], "nodad"))
			flags |= IFA_F_NODAD;
		else
			return usage(), 2;
	}
	if (knl_addr_add(sk, argv[0], &p, flags, &existed, &err) < 0)
		return fail("addr-add");
	return ok(existed ? "addr-add (existed)" : "addr-add");
}

static int cmd_addr_list(struct knl_sock *sk, int argc, char **argv)
{
	cleanup_free struct knl_addr *v = NULL;
	int family = AF_UNSPEC;
	size_t n;

	if (argc < 1 || argc > 2)
		return usage(), 2;
	if (argc == 2)
		family = !strcmp(argv[1], "4") ? AF_INET : !strcmp(argv[1], "6") ? AF_INET6 : -1;
	if (family < 0)
		return usage(), 2;
	if (knl_addr_list(sk, argv[0], family, &v, &n, &err) < 0)
		return fail("addr-list");
	for (size_t i = 0; i < n; i++) {
		char s[CNI_PREFIX_STRLEN];

		cni_prefix_format(&v[i].prefix, s);
		printf("%s flags=0x%x scope=%d%s\n", s, v[i].flags, v[i].scope,
		       v[i].flags & IFA_F_NOPREFIXROUTE ? " noprefixroute" : "");
	}
	return 0;
}

static int parse_route(int argc, char **argv, struct knl_route *r)
{
	int rc;
	unsigned int v;

	memset(r, 0, sizeof(*r));
	r->scope = KNL_SCOPE_AUTO;
	if (argc < 3)
		return -1;
	if (!strcmp(argv[0], "default") || !strcmp(argv[0], "default6"))
		r->dst.ip.family = argv[0][7] ? AF_INET6 : AF_INET;
	else if ((rc = parse_cidr(argv[0], &r->dst)) < 0)
		return rc;
	if (strcmp(argv[1], "-") != 0 && (rc = cni_ip_parse(argv[1], &r->gw)) < 0)
		return rc;
	if (strcmp(argv[2], "-") != 0)
		r->oif_name = argv[2];
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "onlink")) {
			r->onlink = true;
			continue;
		}
		if (i + 1 >= argc || parse_uint(argv[i + 1], &v) < 0)
			return -1;
		if (!strcmp(argv[i], "table"))
			r->table = v;
		else if (!strcmp(argv[i], "metric"))
			r->metric = v;
		else if (!strcmp(argv[i], "scope"))
			r->scope = (int)v;
		else
			return -1;
		i++;
	}
	return 0;
}

static int cmd_route(struct knl_sock *sk, const char *cmd, int argc, char **argv)
{
	struct knl_route r, found;
	bool existed = false;
	char desc[160];
	int rc;

	if (parse_route(argc, argv, &r) < 0)
		return usage(), 2;
	if (!strcmp(cmd, "route-add")) {
		if (knl_route_add(sk, &r, &existed, &err) < 0)
			return fail(cmd);
		return ok(existed ? "route-add (existed)" : "route-add");
	}
	if (!strcmp(cmd, "route-del")) {
		STEP(cmd, knl_route_del(sk, &r, &err));
		return 0;
	}
	rc = knl_route_find(sk, &r, &found, &err);
	if (rc < 0)
		return fail(cmd);
	if (rc == 0) {
		printf("absent\n");
		return 3;
	}
	knl_route_format(&found, desc, sizeof(desc));
	printf("found %s\n", desc);
	return 0;
}

static int cmd_sysctl(const char *cmd, int argc, char **argv)
{
	char path[KNL_SYSCTL_PATH_MAX], val[256];
	bool parts = strstr(cmd, "-parts") != NULL, wr = strstr(cmd, "write") != NULL;
	const char *value = NULL;
	int r;

	if (wr) {
		if (argc < 2)
			return usage(), 2;
		value = parts ? argv[0] : argv[1];
		if (parts) {
			argv++;
			argc--;
		} else if (argc != 2) {
			return usage(), 2;
		}
	} else if (argc < 1 || (!parts && argc != 1)) {
		return usage(), 2;
	}
	if (parts) {
		/* argv is NULL-terminated: argv[argc] == NULL. */
		if (knl_sysctl_path_parts((const char *const *)argv, path, sizeof(path), &err) < 0)
			return fail(cmd);
		r = wr ? knl_sysctl_write_path(path, value, &err)
		       : knl_sysctl_read_path(path, val, sizeof(val), &err);
	} else {
		r = wr ? knl_sysctl_write(argv[0], value, &err)
		       : knl_sysctl_read(argv[0], val, sizeof(val), &err);
	}
	if (r < 0)
		return fail(cmd);
	if (wr)
		return ok(cmd);
	printf("%s\n", val);
	return 0;
}

/* lib/netlink keeps sysctl directories open per namespace: one process that
 * moves between namespaces must still read each namespace's own value. */
static int cmd_sysctl_across(int argc, char **argv)
{
	char val[256];

	if (argc < 2)
		return usage(), 2;
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i <= argc; i++) {
			cleanup_netns int saved = -1;
			bool here = i == 0 || i == argc;

			if (!here && knl_netns_enter_path(argv[i], &saved, &err) < 0)
				return fail("netns");
			if (knl_sysctl_read(argv[0], val, sizeof(val), &err) < 0)
				return fail("sysctl-read");
			printf("%s %s\n", here ? "here" : argv[i], val);
		}
	}
	return 0;
}

static int cmd_netns_check(int argc, char **argv)
{
	cleanup_close int fd = -1;

	if (argc != 1)
		return usage(), 2;
	STEP("netns-check", knl_netns_open_any(argv[0], &fd, &err));
	return 0;
}

static int cmd_create(struct knl_sock *sk, const char *cmd, int argc, char **argv)
{
	cleanup_close int nsfd = -1;
	unsigned int v = 0;

	if (!strcmp(cmd, "bridge-add")) {
		if (argc < 1 || argc > 2 || (argc == 2 && parse_uint(argv[1], &v) < 0))
			return usage(), 2;
		STEP(cmd, knl_bridge_add(sk, argv[0], v, &err));
		return 0;
	}
	if (!strcmp(cmd, "vrf-add")) {
		if (argc != 2 || parse_uint(argv[1], &v) < 0)
			return usage(), 2;
		STEP(cmd, knl_vrf_add(sk, argv[0], v, &err));
		return 0;
	}
	if (argc < 2 || argc > 4 || (argc == 4 && parse_uint(argv[3], &v) < 0))
		return usage(), 2;
	if (argc >= 3 && strcmp(argv[2], "-") != 0)
		STEP("netns-open", knl_netns_open(argv[2], &nsfd, &err));
	STEP(cmd,
	     knl_veth_add(sk,
			  &(struct knl_veth){
			      .host = argv[0], .peer = argv[1], .peer_netns_fd = nsfd, .mtu = v},
			  &err));
	return 0;
}

static int dispatch(const char *cmd, int argc, char **argv)
{
	cleanup_knl struct knl_sock *sk = NULL;

	if (!strcmp(cmd, "bridge-veth") || !strcmp(cmd, "vrf-bridge-veth"))
		return cmd_chain(argc, argv, cmd[0] == 'v');
	if (!strcmp(cmd, "sysctl-across"))
		return cmd_sysctl_across(argc, argv);
	if (!strncmp(cmd, "sysctl-", 7))
		return cmd_sysctl(cmd, argc, argv);
	if (!strcmp(cmd, "netns-check"))
		return cmd_netns_check(argc, argv);
	if (knl_open(&sk, &err) < 0)
		return fail("socket");
	if (!strcmp(cmd, "del"))
		return cmd_del(sk, argc, argv);
	if (!strcmp(cmd, "bridge-add") || !strcmp(cmd, "vrf-add") || !strcmp(cmd, "veth-add"))
		return cmd_create(sk, cmd, argc, argv);
	if (!strcmp(cmd, "link-info"))
		return cmd_link_info(sk, argc, argv);
	if (!strcmp(cmd, "link-exists"))
		return cmd_link_exists(sk, argc, argv);
	if (!strcmp(cmd, "link-set"))
		return cmd_link_set(sk, argc, argv);
	if (!strcmp(cmd, "addr-add") || !strcmp(cmd, "addr-del"))
		return cmd_addr(sk, cmd, argc, argv);
	if (!strcmp(cmd, "addr-list"))
		return cmd_addr_list(sk, argc, argv);
	if (!strncmp(cmd, "route-", 6))
		return cmd_route(sk, cmd, argc, argv);
	usage();
	return 2;
}

int main(int argc, char **argv)
{
	cleanup_close int nsfd = -1;
	cleanup_netns int saved = -1;
	int i = 1, r;

	if (argc > 2 && !strcmp(argv[1], "-n")) {
		if (knl_netns_open(argv[2], &nsfd, &err) < 0 ||
		    knl_netns_enter(nsfd, &saved, &err) < 0)
			return fail("netns");
		i = 3;
	}
	if (i >= argc) {
		usage();
		return 2;
	}
	r = dispatch(argv[i], argc - i - 1, argv + i + 1);
	if (knl_netns_return(&saved, &err) < 0 && r == 0)
		return fail("netns-return");
	return r;
}
