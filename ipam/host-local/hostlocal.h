/* host-local IPAM: the range types and limits its parts share. The parts, leaves last; every call
 * goes down this list, never up: main.c      hands the commands to the dispatcher commands.c  ADD,
 * DEL, CHECK, STATUS, GC config.c    the ipam section: range sets, routes, dataDir, resolvConf,
 * requested IPs allocator.c the round-robin search for a free address of a range set, in the store
 *   index.c     the (containerID, ifname) -> addresses index that keeps DEL and ADD O(1)
 *   store.c     the on-disk store of the reference plugin: <dataDir>/<network>/<ip>, lock
 *   dns.c       the result's dns from resolvConf
 *   rangeiter.c which range holds an address, reserved addresses, the walk over a range set
 *   addrname.c  address <-> file name, in the text form the reference uses
 *   fileio.c    small dirfd-relative file helpers
 * Each part declares its functions in a header of its own name (commands.h, config.h, ...).
 */
#ifndef HOSTLOCAL_H
#define HOSTLOCAL_H

#include <stddef.h>

#include "cni/ip.h"

#define HL_DEFAULT_DATA_DIR "/var/lib/cni/networks"
/* Range sets in one config, and addresses one attachment can hold: one per range set, and
 * room for more left from earlier configs. */
#define HL_MAX_SETS 16
#define HL_MAX_HELD 64
/* Ranges in one range set, and routes in a config: each is looked at on every call. */
#define HL_MAX_RANGES 1024
#define HL_MAX_ROUTES 1024

/* Plugin-specific error codes (the spec reserves 100 and up for plugins). */
enum {
	HL_ERR_EXHAUSTED = 100,	  /* no address left in a range set */
	HL_ERR_UNAVAILABLE = 101, /* the requested address is held by another attachment */
};

struct hl_range {
	struct cni_prefix subnet; /* network address, host bits clear */
	struct cni_ip start, end; /* inclusive */
	struct cni_ip gateway;
};

struct hl_range_set {
	struct hl_range *ranges;
	size_t n;
	char what[40]; /* where the config has it ("ipam.ranges[1]"), for messages */
};

#endif
