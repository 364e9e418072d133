#include "validate.h"

#include <ctype.h>
#include <string.h>

/* The runtime's own rule for container IDs: alphanumerics first, then [A-Za-z0-9_.-]. */
int cni_validate_container_id(const char *id, struct cni_error *err)
{
	if (!id || !*id)
		return cni_err(err, CNI_ERR_INVALID_ENV, "CNI_CONTAINERID is empty");
	if (!isalnum((unsigned char)id[0]))
		return cni_err(err, CNI_ERR_INVALID_ENV,
			       "invalid CNI_CONTAINERID %.64s: must start with a letter or digit",
			       id);
	for (const char *p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-')
			return cni_err(err, CNI_ERR_INVALID_ENV,
				       "invalid CNI_CONTAINERID %.64s: only [A-Za-z0-9_.-] allowed",
				       id);
	if (strlen(id) > 256)
		return cni_err(err, CNI_ERR_INVALID_ENV,
			       "CNI_CONTAINERID longer than 256 characters");
	return 0;
}

int cni_check_ifname(const char *name, int code, struct cni_error *err)
{
	size_t n = name ? strnlen(name, 64) : 0;

	if (n == 0)
		return cni_err(err, code, "interface name is empty");
	if (n > 15)
		return cni_err(err, code, "interface name %.64s is longer than 15 characters",
			       name);
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return cni_err(err, code, "interface name cannot be %s", name);
	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p) ||
		    !isprint((unsigned char)*p))
			return cni_err(err, code, "invalid character in interface name %s", name);
	return 0;
}

int cni_validate_ifname(const char *name, struct cni_error *err)
{
	return cni_check_ifname(name, CNI_ERR_INVALID_ENV, err);
}

int cni_validate_netns_path(const char *path, struct cni_error *err)
{
	if (!path || !*path)
		return cni_err(err, CNI_ERR_INVALID_ENV, "CNI_NETNS is empty");
	if (path[0] != '/')
		return cni_err(err, CNI_ERR_INVALID_ENV, "CNI_NETNS %.200s is not an absolute path",
			       path);
	if (strlen(path) >= 4096)
		return cni_err(err, CNI_ERR_INVALID_ENV, "CNI_NETNS is too long");
	return 0;
}

int cni_validate_network_name(const char *name, struct cni_error *err)
{
	if (!name || !*name)
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "network name is empty");
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strchr(name, '/'))
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "invalid network name %.64s: no '/' and not '.' or '..'", name);
	if (strlen(name) > 253)
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "network name longer than 253 characters");
	for (const char *p = name; *p; p++)
		if (!isprint((unsigned char)*p) || isspace((unsigned char)*p))
			return cni_err(
			    err, CNI_ERR_INVALID_CONFIG,
			    "invalid network name %.64s: whitespace or control character", name);
	return 0;
}

int cni_validate_plugin_type(const char *type, struct cni_error *err)
{
	if (!type || !*type)
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "plugin type is empty");
	if (strchr(type, '/') || strcmp(type, ".") == 0 || strcmp(type, "..") == 0)
		return cni_err(err, CNI_ERR_INVALID_CONFIG, "invalid plugin type %.64s", type);
	return 0;
}
