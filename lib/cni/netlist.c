/* Loading network configuration lists as libcni's conf.go does. */
#include "chain.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "json.h"
#include "statefile.h"
#include "validate.h"
#include "version.h"

#define NETLIST_MAX (4u << 20)

void cni_netlist_free(struct cni_netlist *nl)
{
	cJSON_Delete(nl->root);
	free(nl->bytes);
	free(nl->source);
	memset(nl, 0, sizeof(*nl));
}

const cJSON *cni_netlist_plugin(const struct cni_netlist *nl, size_t i)
{
	if (nl->single)
		return i == 0 ? nl->root : NULL;
	return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(nl->root, "plugins"), (int)i);
}

static int check_plugins(struct cni_netlist *nl, struct cni_error *err)
{
	const cJSON *plugins = NULL, *p;
	const char *type;
	int rc;

	if ((rc = cni_json_array(nl->root, "plugins", true, &plugins, NULL, err)) < 0)
		return rc;
	if (cJSON_GetArraySize(plugins) == 0)
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "\"plugins\" is empty");
	cJSON_ArrayForEach(p, plugins)
	{
		if (!cJSON_IsObject(p))
			return cni_err(err, CNI_ERR_INVALID_CONFIG,
				       "every entry of \"plugins\" must be an object");
		if ((rc = cni_json_string(p, "type", true, &type, "plugins[]", err)) < 0 ||
		    (rc = cni_validate_plugin_type(type, err)) < 0)
			return rc;
		nl->n_plugins++;
	}
	return 0;
}

static int check_list(struct cni_netlist *nl, struct cni_error *err)
{
	int rc;

	if ((rc = cni_json_string(nl->root, "name", true, &nl->name, NULL, err)) < 0 ||
	    (rc = cni_validate_network_name(nl->name, err)) < 0 ||
	    (rc = cni_json_string(nl->root, "cniVersion", false, &nl->cni_version, NULL, err)) <
		0 ||
	    (rc = cni_json_bool(nl->root, "disableCheck", false, &nl->disable_check, NULL, err)) <
		0)
		return rc;
	if (!nl->cni_version || !cni_version_supported(nl->cni_version))
		return cni_err(err, CNI_ERR_INCOMPATIBLE_VERSION,
			       "cniVersion %.16s is not one of " CNI_SUPPORTED_VERSIONS,
			       nl->cni_version ? nl->cni_version : "(none)");
	if (nl->single) {
		const char *type = NULL;

		nl->n_plugins = 1;
		if ((rc = cni_json_string(nl->root, "type", true, &type, NULL, err)) < 0)
			return rc;
		return cni_validate_plugin_type(type, err);
	}
	return check_plugins(nl, err);
}

int cni_netlist_parse(const char *data, size_t len, const char *source, struct cni_netlist *nl,
		      struct cni_error *err)
{
	const char *end = NULL;

	memset(nl, 0, sizeof(*nl));
	if (!(nl->source = strdup(source ? source : "(config)")) || !(nl->bytes = malloc(len + 1)))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	memcpy(nl->bytes, data, len);
	nl->bytes[len] = '\0';
	nl->len = len;
	if (!(nl->root = cJSON_ParseWithLengthOpts(data, len, &end, 0)) ||
	    !cJSON_IsObject(nl->root)) {
		cni_err(err, CNI_ERR_DECODE, "%.300s is not a JSON object", nl->source);
		return cni_err_details(err, "parse error near byte %ld",
				       end ? (long)(end - data) : 0L);
	}
	nl->single = !cJSON_HasObjectItem(nl->root, "plugins");
	if (check_list(nl, err) < 0)
		return cni_err_prefix(err, "%.300s", nl->source);
	return 0;
}

int cni_netlist_load_file(const char *path, struct cni_netlist *nl, struct cni_error *err)
{
	cleanup_free char *data = NULL;
	size_t len = 0;
	int r;

	memset(nl, 0, sizeof(*nl));
	if ((r = cni_file_read(path, NETLIST_MAX, &data, &len, err)) < 0)
		return r;
	if (r == 0)
		return cni_err_errno(err, CNI_ERR_INVALID_CONFIG, ENOENT, "read %.300s", path);
	return cni_netlist_parse(data, len, path, nl, err);
}

static int has_ext(const char *name, const char *const *exts)
{
	const char *dot = strrchr(name, '.');

	for (; dot && *exts; exts++)
		if (strcmp(dot, *exts) == 0)
			return 1;
	return 0;
}

/* Append ", name (why)" for a file that did not parse. */
static void note_bad(char *bad, size_t size, const char *file, const char *why)
{
	size_t n = strlen(bad);

	if (n < size)
		snprintf(bad + n, size - n, "%s%s (%s)", n ? "; " : "", file, why);
}

/* Try the files of dir with one of exts, in sorted order; 1 when found. */
static int find_in(const char *dir, const char *name, const char *const *exts,
		   struct cni_netlist *nl, char *bad, size_t bad_size, struct cni_error *err)
{
	struct dirent **ents = NULL;
	int n = scandir(dir, &ents, NULL, alphasort), found = 0;

	if (n < 0)
		return errno == ENOENT ? 0
				       : cni_err_errno(err, CNI_ERR_INVALID_CONFIG, errno,
						       "read directory %s", dir);
	for (int i = 0; i < n; i++) {
		cleanup_free char *path = NULL;
		struct cni_error one = CNI_ERROR_INIT;

		if (!found && ents[i]->d_type != DT_DIR && has_ext(ents[i]->d_name, exts) &&
		    asprintf(&path, "%s/%s", dir, ents[i]->d_name) >= 0) {
			if (cni_netlist_load_file(path, nl, &one) < 0) {
				note_bad(bad, bad_size, path, one.msg);
				cni_netlist_free(nl);
			} else if (strcmp(nl->name, name) == 0) {
				found = 1;
			} else {
				cni_netlist_free(nl);
			}
		}
		free(ents[i]);
	}
	free(ents);
	return found;
}

int cni_netlist_find(const char *dir, const char *name, struct cni_netlist *nl,
		     struct cni_error *err)
{
	static const char *const lists[] = {".conflist", NULL};
	static const char *const singles[] = {".conf", ".json", NULL};
	char bad[600] = "";
	int r;

	memset(nl, 0, sizeof(*nl));
	if ((r = find_in(dir, name, lists, nl, bad, sizeof(bad), err)) != 0 ||
	    (r = find_in(dir, name, singles, nl, bad, sizeof(bad), err)) != 0)
		return r < 0 ? r : 0;
	cni_err(err, CNI_ERR_INVALID_CONFIG,
		"no network named %.253s in %.300s (*.conflist, *.conf, *.json)", name, dir);
	err->errnum = ENOENT;
	if (bad[0])
		cni_err_details(err, "files that do not parse: %s", bad);
	return -ENOENT;
}
