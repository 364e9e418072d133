/* The network configuration read from stdin. Common keys are parsed here;
 * plugin-specific keys are read by the plugin from conf->root. */
#ifndef CNI_CONF_H
#define CNI_CONF_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "error.h"
#include "result.h"

struct cni_attachment {
	const char *container_id;
	const char *ifname;
};

struct cni_conf {
	cJSON *root; /* owned; every pointer below points into it */
	char *raw;   /* stdin as read, for delegation to IPAM */
	size_t raw_len;
	const char *cni_version;
	const char *name;
	const char *type;
	const cJSON *args;	     /* "args" object or NULL */
	const cJSON *runtime_config; /* "runtimeConfig" object or NULL */
	const cJSON *capabilities;
	const cJSON *ipam;     /* "ipam" object or NULL */
	const char *ipam_type; /* ipam.type or NULL */
	const cJSON *dns;
	const cJSON *prev_result_json;
	struct cni_result *prev_result; /* parsed prevResult, or NULL */
	/* GC: cni.dev/valid-attachments (NULL/0 when absent) */
	struct cni_attachment *valid_attachments;
	size_t n_valid_attachments;
	int has_valid_attachments;
};

/* Parse a config. Checks cniVersion (supported, else code 1), name and type. */
int cni_conf_parse(struct cni_conf *conf, const char *data, size_t len, struct cni_error *err);
void cni_conf_free(struct cni_conf *conf);

/* Read all of a file descriptor (stdin) into a NUL-terminated malloc'd buffer. */
int cni_read_all(int fd, char **out, size_t *len, struct cni_error *err);

/* Is (container_id, ifname) in cni.dev/valid-attachments? */
int cni_conf_attachment_valid(const struct cni_conf *conf, const char *container_id,
			      const char *ifname);

#endif
