/* krafty: a per-pod VRF, a bridge in it holding the gateway address, and a veth
 * pair into the pod. The parts:
 *   config.c   the network configuration: parse and validate
 *   names.c    attachment identity, device names and their aliases
 *   node.c     node side: routing table claim, VRF, bridge, sysctls, host routes
 *   pod.c      the veth pair and the pod netns: interface, addresses, routes
 *   add.c del.c check.c status.c gc.c   the commands
 *   main.c     the plugin table and the error codes
 */
#ifndef KRAFTY_H
#define KRAFTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cni/error.h"
#include "cni/ip.h"
#include "cni/plugin.h"
#include "cni/result.h"
#include "netlink/knl.h"

/* Plugin-specific error codes (documented in main.c). */
enum {
	KR_ERR_GENERIC = 100,
	KR_ERR_NO_VRF = 101,
	KR_ERR_IFNAME_EXISTS = 102,
	KR_ERR_TABLE_TAKEN = 103,
	KR_ERR_NAME_TAKEN = 104,
};

#define KR_PLUGIN    "krafty"
#define KR_PAUSE_ENV "KRAFTY_TEST_PAUSE_AT"
/* Routes krafty adds carry this protocol number, so that they can be told from
 * anyone else's (see node.c). 75: 'K', unassigned in /etc/iproute2/rt_protos. */
#define KR_RTPROT 75
/* The table marker: the usual VRF catch-all metric (the kernel's VRF docs). */
#define KR_MARKER_METRIC	4278198272u
#define KR_DEFAULT_ROUTE_METRIC 1024u
#define KR_MAX_FAMILIES		2
/* Spares (spares.c): default and upper bound of the `spares` key. */
/* 64: kubelet and containerd tear pods down in parallel, and a DEL that finds
 * every slot taken deletes (stalls the node); two decimal digits name a slot. */
#define KR_DEFAULT_SPARES 64
#define KR_MAX_SPARES	  99
#define KR_SPARE_ALIAS	  "krafty spare "
/* Node-local locks and counts (tmpfs: they start anew with the node). */
#define KR_RUN_DIR "/run/krafty"

/* ---- config.c ---------------------------------------------------------- */

/* One address family of the network. */
struct kr_family {
	struct cni_prefix subnet; /* host bits clear */
	struct cni_ip gateway;
	bool has_pod_ip;	  /* static podIP given */
	struct cni_prefix pod_ip; /* with the subnet's prefix length */
};

struct kr_conf {
	const char *netname;
	struct kr_family fam[KR_MAX_FAMILIES]; /* at most one per family */
	size_t n_fam;
	bool use_ipam;	  /* ipam block given (else static podIP) */
	bool vrf;	  /* "vrf", default true */
	uint32_t table;	  /* VRF mode: the network's table; 0 with "vrf": false */
	unsigned int mtu; /* 0: kernel default */
	uint32_t default_metric;
	int spares; /* bridges and VRFs (per table) DEL keeps for ADD to take */
};

/* Parse and validate ctx->conf for krafty. check_ipam_binary: also look the
 * IPAM binary up on CNI_PATH (ADD, CHECK, STATUS). */
int kr_conf_load(const struct cni_ctx *ctx, bool check_ipam_binary, struct kr_conf *conf,
		 struct cni_error *err);
const struct kr_family *kr_conf_family(const struct kr_conf *conf, int family);
/* The table the network's host routes live in (RT_TABLE_MAIN without a VRF). */
uint32_t kr_conf_route_table(const struct kr_conf *conf);

/* ---- names.c ----------------------------------------------------------- */

enum kr_dev { KR_DEV_VRF, KR_DEV_BRIDGE, KR_DEV_VETH, KR_N_DEVS };

#define KR_HASH_HEX  17	 /* 16 hex digits + NUL */
#define KR_ALIAS_MAX 256 /* IFALIASZ */

struct kr_ident {
	const char *container_id, *netname, *ifname;
	uint64_t hash;
	char hex[KR_HASH_HEX];
	char alias[KR_ALIAS_MAX];
	/* [dev][0]: the seed's name, [dev][1]: the collision-free one */
	char cand[KR_N_DEVS][2][KNL_IFNAMSIZ];
	uint32_t birth_group;	     /* kr_birth_group(hash) */
	char tmp_peer[KNL_IFNAMSIZ]; /* older krafty: the pod end's name before its rename */
	/* A node device's name from its creation until it is adopted (named and
	 * aliased in one request): "kt" + v|b|h + 12 hash digits, so a device
	 * that a killed ADD left unnamed is still this attachment's by name. */
	char tmp[KR_N_DEVS][KNL_IFNAMSIZ];
};

void kr_ident_init(struct kr_ident *id, const char *container_id, const char *netname,
		   const char *ifname);
/* The veth's ends have one tx and one rx queue, as many as the kernel would use
 * by default: asked for in the create request, they spare the request two
 * expedited RCU grace periods (the kernel cuts a default veth's real queue
 * count from one per CPU to one, and waits for readers each time). */
#define KR_VETH_QUEUES 1

/* The pod end's device group from its birth until it gets its alias (names.c):
 * KR_BIRTH_GROUP_TAG | 31 bits of the attachment's hash. */
#define KR_BIRTH_GROUP_TAG 0x80000000u
uint32_t kr_birth_group(uint64_t hash);
const char *kr_dev_label(enum kr_dev dev);
const char *kr_dev_kind(enum kr_dev dev);
/* Is this alias the one of id's attachment? */
bool kr_alias_is_ours(const char *alias, const struct kr_ident *id);

/* What a device name holds right now. */
struct kr_link {
	bool exists, ours;
	struct knl_link_info info; /* as the look-up gave it; zeroed when it does not exist */
};
/* One RTM_GETLINK: does `name` exist, and is it ours (alias)? */
int kr_link_probe(struct knl_sock *sk, const char *name, const struct kr_ident *id,
		  struct kr_link *out, struct cni_error *err);
/* Is the device l (a probe's) this attachment's: its alias says so, or it is
 * a host veth not yet aliased whose pod end is not yet aliased either and
 * still has our birth group (both ends are born under their final names:
 * names.c)? 1, 0 or negative. */
int kr_dev_is_ours(struct knl_sock *sk, const struct kr_ident *id, enum kr_dev dev,
		   const struct kr_link *l, struct cni_error *err);
/* A device of ours (kr_dev_is_ours) under holder, other than ifindex, is a
 * killed ADD's leftover that this ADD replaces: deleted, 1. 2 when the name is
 * free (its holder went away), 0 when it is not ours. */
int kr_drop_leftover(struct knl_sock *sk, const struct kr_ident *id, enum kr_dev dev,
		     const char *holder, int ifindex, struct cni_error *err);
/* A pod end (or a peer found from the node) that is ours before it has its
 * alias: no alias, our birth group; or an older krafty's temporary name. */
bool kr_pod_end_is_half_made(const struct kr_ident *id, const char *name, bool aliased,
			     uint32_t group);
/* Code 104: both of dev's names are held by other attachments' devices. */
int kr_err_names_taken(struct cni_error *err, const struct kr_ident *id, enum kr_dev dev);
/* ADD: the name to use for dev: a candidate already ours, else the first free
 * one; code 104 when both are held by other attachments. */
int kr_name_pick(struct knl_sock *sk, const struct kr_ident *id, enum kr_dev dev,
		 char name[KNL_IFNAMSIZ], struct kr_link *link, struct cni_error *err);
/* Give the device at ifindex the attachment's name and alias in one request:
 * the seed's name, or the collision-free one when the seed's is held by
 * another device; code 104 when both are. A rename is atomic, so two ADDs
 * racing for one name never both get it: the loser falls back. The name taken
 * is written to name (left as it was on failure). */
int kr_name_claim(struct knl_sock *sk, const struct kr_ident *id, enum kr_dev dev, int ifindex,
		  const struct knl_link_change *also, char name[KNL_IFNAMSIZ],
		  struct cni_error *err);
/* DEL/CHECK: the candidate that is ours; name[0] = '\0' when none is. */
int kr_name_find(struct knl_sock *sk, const struct kr_ident *id, enum kr_dev dev,
		 char name[KNL_IFNAMSIZ], struct kr_link *link, struct cni_error *err);

/* Parsed "krafty <hash> <net>/<ifname>/<containerID>" of a device found in a dump. */
struct kr_alias {
	uint64_t hash;
	char netname[KR_ALIAS_MAX];
	/* The kernel keeps 255 bytes of an alias: with a network name longer than
	 * about 230 characters the cut falls inside it (netname is its start,
	 * net_cut is set) and the ifname and container ID are lost. */
	bool net_cut;
	char ifname[KNL_IFNAMSIZ];
	char container_id[KR_ALIAS_MAX];
};
bool kr_alias_parse(const char *alias, struct kr_alias *out);
uint64_t kr_ident_hash(const char *container_id, const char *netname, const char *ifname);

/* ---- table.c ----------------------------------------------------------- */

/* Claim the network's table (VRF mode) for each family of conf and count the
 * attachment as one of its users: counted[i] for conf->fam[i]. */
int kr_table_claim(struct knl_sock *sk, const struct kr_conf *conf, bool counted[KR_MAX_FAMILIES],
		   struct cni_error *err);
/* Uncount an attachment from the families in counted; the last one of a
 * family takes the marker with it when no pod route is left (table.c). */
int kr_table_release(struct knl_sock *sk, const struct kr_conf *conf,
		     const bool counted[KR_MAX_FAMILIES], struct cni_error *err);
/* 1 when ifindex is a device of krafty's (its alias says so: an attachment's
 * or a spare), 0 when not or when there is no such device. */
int kr_ifindex_is_krafty(struct knl_sock *sk, int ifindex, struct cni_error *err);
/* GC: count the table's users from its routes; no user: no marker. */
int kr_table_recount(struct knl_sock *sk, const struct kr_conf *conf, struct cni_error *err);

/* ---- node.c ------------------------------------------------------------ */

/* Create (or reuse) the VRF / bridge and configure them; *created says whether
 * this call made it. */
int kr_vrf_ensure(struct knl_sock *sk, const struct kr_conf *conf, const struct kr_ident *id,
		  char name[KNL_IFNAMSIZ], bool *created, struct cni_error *err);
/* The bridge: mac is the MAC given to a bridge this call takes or makes
 * (*created); a reused bridge keeps its own. */
int kr_bridge_ensure(struct knl_sock *sk, const struct kr_conf *conf, const struct kr_ident *id,
		     const char *vrf, char name[KNL_IFNAMSIZ], struct knl_mac *mac, bool *created,
		     struct cni_error *err);
/* The /32 (/128) route to a pod address via its bridge, in the network's table. */
void kr_host_route(const struct kr_conf *conf, const struct cni_ip *pod, const char *bridge,
		   struct knl_route *r);
/* Give the device created under id->tmp[dev] its final name and the
 * attachment's alias (kr_name_claim, with the changes in also): the name
 * taken is written to name. */
int kr_dev_adopt(struct knl_sock *sk, const struct kr_ident *id, enum kr_dev dev,
		 const struct knl_link_change *also, char name[KNL_IFNAMSIZ],
		 struct cni_error *err);
/* Delete the attachment's devices of kind `dev` under either name (only those
 * whose alias is ours) and under its temporary name; 0 when there is none. */
int kr_dev_delete(struct knl_sock *sk, const struct kr_ident *id, enum kr_dev dev,
		  struct cni_error *err);
/* Sysctls of a bridge port (the host veth), before it goes up. */
int kr_port_sysctls(const char *dev, struct cni_error *err);
/* STATUS: can this kernel create a VRF? 1 yes, 0 no, <0 error. */
int kr_vrf_probe(struct knl_sock *sk, uint32_t table, struct cni_error *err);

/* ---- guard.c ----------------------------------------------------------- */

/* ADD, before anything is made: code 7 when a gateway is already an address
 * of a device on the node that is not krafty's, or (without a VRF, in the main
 * table) the subnet overlaps a route of the node's. */
int kr_guard_node(struct knl_sock *sk, const struct kr_conf *conf, struct cni_error *err);
/* ADD, when the pod's host route is held by another device: 1 when that is
 * the bridge of a leaked attachment of this network (its host veth is gone),
 * whose route may move to this pod; 0 when not. */
int kr_guard_route_is_leaked(struct knl_sock *sk, const struct kr_conf *conf, int oif,
			     struct cni_error *err);

/* ---- spares.c ---------------------------------------------------------- */

/* What a device needs before it goes up under its final name (its sysctls),
 * done under the name it has then. */
typedef int kr_prepare_fn(const struct kr_conf *conf, const char *dev, struct cni_error *err);
/* ADD: take a spare bridge (VRF: of conf's table), prepare it (NULL: nothing
 * to do) and give it the attachment's name (kr_name_claim, written to name),
 * alias and the changes in also. 1 when taken, 0 when there is none (or
 * spares are off). */
int kr_spare_take(struct knl_sock *sk, const struct kr_conf *conf, const struct kr_ident *id,
		  enum kr_dev dev, kr_prepare_fn *prepare, const struct knl_link_change *also,
		  char name[KNL_IFNAMSIZ], struct cni_error *err);
/* The spares lock file also holds the number of used slots of each kind:
 * lines "<slot prefix> <k>" (krsb, krsv<table in hex>). In text[0..len),
 * NUL-terminated in cap bytes: k, or -1 when the text does not say (or says
 * nonsense, or more than max); and the kind's lines replaced by one (k < 0:
 * removed; a torn last line is cut), none when it does not fit. */
int kr_spare_count_get(const char *text, size_t len, const char *prefix, int max);
void kr_spare_count_set(char *text, size_t *len, size_t cap, const char *prefix, int k);
/* DEL: strip the attachment's device `name` and park it as a spare, or
 * delete it when every slot is taken or spares are off. */
int kr_spare_park(struct knl_sock *sk, const struct kr_conf *conf, enum kr_dev dev,
		  const char *name, struct cni_error *err);
/* GC: delete spares in slots at or above conf->spares, and with vrfs_of_table
 * every VRF spare of conf's table. */
int kr_spares_trim(struct knl_sock *sk, const struct kr_conf *conf, bool vrfs_of_table,
		   struct cni_error *err);

/* ---- pod.c ------------------------------------------------------------- */

/* The pod netns: its fd and a netlink socket opened in it. */
struct kr_pod {
	int ns_fd;
	struct knl_sock *sk;
};
#define KR_POD_INIT                                                                                \
	{                                                                                          \
		-1, NULL                                                                           \
	}
/* Open CNI_NETNS and a socket in it (code 4 when it cannot be opened: a
 * missing netns is a bad environment). */
int kr_pod_open(struct kr_pod *pod, const char *path, struct cni_error *err);
void kr_pod_close(struct kr_pod *pod);
#define cleanup_kr_pod _cleanup_(kr_pod_close)

/* ADD's first step: code 102 when CNI_IFNAME exists in the pod and is not a
 * leftover of this attachment; leftovers (ours) are deleted. */
int kr_pod_check_ifname(struct kr_pod *pod, const struct kr_ident *id, struct cni_error *err);
/* The veth pair: host end on the bridge, pod end renamed to CNI_IFNAME; macs
 * gets the MACs given to the host end and the pod end. */
int kr_veth_create(struct knl_sock *sk, struct kr_pod *pod, const struct kr_conf *conf,
		   const struct kr_ident *id, const char *bridge, char host[KNL_IFNAMSIZ],
		   struct knl_mac macs[2], bool *created, struct cni_error *err);
int kr_pod_add_addrs(struct kr_pod *pod, const struct kr_ident *id, const struct cni_prefix *addrs,
		     size_t n, struct cni_error *err);
/* Routes in the pod via CNI_IFNAME; a taken slot moves the route to the next
 * free metric (see pod.c). */
int kr_pod_add_route(struct kr_pod *pod, const struct kr_ident *id, const struct cni_prefix *dst,
		     const struct cni_ip *gw, uint32_t metric, struct cni_error *err);

/* ---- commands ---------------------------------------------------------- */

/* Tests stop ADD at a named step (KRAFTY_TEST_PAUSE_AT) to kill it there. */
void kr_pause_at(const char *step);

int kr_cmd_add(struct cni_ctx *ctx, struct cni_error *err);
int kr_cmd_del(struct cni_ctx *ctx, struct cni_error *err);
int kr_cmd_check(struct cni_ctx *ctx, struct cni_error *err);
int kr_cmd_status(struct cni_ctx *ctx, struct cni_error *err);
int kr_cmd_gc(struct cni_ctx *ctx, struct cni_error *err);

#endif
