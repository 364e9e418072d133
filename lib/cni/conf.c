#include "conf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "jsoncheck.h"
#include "statefile.h"
#include "validate.h"
#include "version.h"

#define CNI_MAX_CONF (4u << 20) /* a config larger than this is not a config */

int cni_read_all(int fd, char **out, size_t *len, struct cni_error *err)
{
	return cni_read_fd(fd, CNI_MAX_CONF, CNI_ERR_DECODE, "config on stdin", out, len, err);
}

static int attachment_cmp(const void *a, const void *b)
{
	const struct cni_attachment *x = a, *y = b;
	int c = strcmp(x->container_id, y->container_id);

	return c ? c : strcmp(x->ifname, y->ifname);
}

static int parse_attachments(struct cni_conf *conf, struct cni_error *err)
{
	int rc;
	const cJSON *arr = NULL, *it;
	size_t n = 0, i = 0;

	if ((rc = cni_json_array(conf->root, "cni.dev/valid-attachments", false, &arr, NULL, err)) <
	    0)
		return rc;
	if (!arr)
		return 0;
	conf->has_valid_attachments = 1;
	n = (size_t)cJSON_GetArraySize(arr);
	if (n && !(conf->valid_attachments = calloc(n, sizeof(*conf->valid_attachments))))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	cJSON_ArrayForEach(it, arr)
	{
		struct cni_attachment *a = &conf->valid_attachments[i++];

		if (!cJSON_IsObject(it))
			return cni_err(err, CNI_ERR_INVALID_CONFIG,
				       "cni.dev/valid-attachments: entries must be objects");
		if ((rc = cni_json_string(it, "containerID", true, &a->container_id,
					  "cni.dev/valid-attachments", err)) < 0 ||
		    (rc = cni_json_string(it, "ifname", true, &a->ifname,
					  "cni.dev/valid-attachments", err)) < 0)
			return rc;
	}
	/* Sorted, so that GC over thousands of files and attachments looks each up in
	 * O(log n). */
	if (n)
		qsort(conf->valid_attachments, n, sizeof(*conf->valid_attachments), attachment_cmp);
	conf->n_valid_attachments = n;
	return 0;
}

int cni_conf_attachment_valid(const struct cni_conf *conf, const char *container_id,
			      const char *ifname)
{
	size_t lo = 0, hi = conf->n_valid_attachments;
	const struct cni_attachment *v = conf->valid_attachments;

	/* The first entry not before (container_id, ifname or ""). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v[mid].container_id, container_id);

		if (c == 0 && ifname)
			c = strcmp(v[mid].ifname, ifname);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == conf->n_valid_attachments || strcmp(v[lo].container_id, container_id) != 0)
		return 0;
	return !ifname || strcmp(v[lo].ifname, ifname) == 0;
}

int cni_conf_parse(struct cni_conf *conf, const char *data, size_t len, struct cni_error *err)
{
	int rc;

	memset(conf, 0, sizeof(*conf));
	if (!data || len == 0)
		return cni_err(err, CNI_ERR_DECODE, "no network configuration on stdin");
	if ((rc = cni_json_parse_strict(data, len, CNI_ERR_DECODE, CNI_ERR_INVALID_CONFIG,
					"network configuration", &conf->root, err)) < 0)
		return rc;
	if (!cJSON_IsObject(conf->root))
		return cni_err(err, CNI_ERR_DECODE, "network configuration must be a JSON object");
	if (!(conf->raw = malloc(len + 1)))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	memcpy(conf->raw, data, len);
	conf->raw[len] = '\0';
	conf->raw_len = len;

	if ((rc = cni_json_string(conf->root, "cniVersion", false, &conf->cni_version, NULL, err)) <
	    0)
		return rc;
	if (!conf->cni_version)
		conf->cni_version = "0.1.0"; /* the spec's default when absent */
	if (!cni_version_supported(conf->cni_version)) {
		rc = cni_err(err, CNI_ERR_INCOMPATIBLE_VERSION,
			     "incompatible CNI versions: config is %.16s, plugin "
			     "supports " CNI_SUPPORTED_VERSIONS,
			     conf->cni_version);
		conf->cni_version = NULL; /* report the error in our latest version */
		return rc;
	}
	if ((rc = cni_json_string(conf->root, "name", true, &conf->name, NULL, err)) < 0 ||
	    (rc = cni_json_string(conf->root, "type", true, &conf->type, NULL, err)) < 0 ||
	    (rc = cni_validate_network_name(conf->name, err)) < 0 ||
	    (rc = cni_validate_plugin_type(conf->type, err)) < 0)
		return rc;
	if ((rc = cni_json_object(conf->root, "args", false, &conf->args, NULL, err)) < 0 ||
	    (rc = cni_json_object(conf->root, "runtimeConfig", false, &conf->runtime_config, NULL,
				  err)) < 0 ||
	    (rc = cni_json_object(conf->root, "capabilities", false, &conf->capabilities, NULL,
				  err)) < 0 ||
	    (rc = cni_json_object(conf->root, "ipam", false, &conf->ipam, NULL, err)) < 0 ||
	    (rc = cni_json_object(conf->root, "dns", false, &conf->dns, NULL, err)) < 0 ||
	    (rc = cni_json_object(conf->root, "prevResult", false, &conf->prev_result_json, NULL,
				  err)) < 0)
		return rc;
	if (conf->ipam) {
		if ((rc = cni_json_string(conf->ipam, "type", true, &conf->ipam_type, "ipam",
					  err)) < 0 ||
		    (rc = cni_validate_plugin_type(conf->ipam_type, err)) < 0)
			return rc;
	}
	if (conf->prev_result_json && cni_result_parse(conf->prev_result_json, conf->cni_version,
						       &conf->prev_result, err) < 0)
		return cni_err_prefix(err, "invalid prevResult");
	return parse_attachments(conf, err);
}

void cni_conf_free(struct cni_conf *conf)
{
	cni_result_free(conf->prev_result);
	free(conf->valid_attachments);
	free(conf->raw);
	cJSON_Delete(conf->root);
	memset(conf, 0, sizeof(*conf));
}
