/* ipam.resolvConf: the result's dns, read from a resolv.conf as the reference reads it:
 * comments (# or ;) and lines with fewer than two fields are skipped; "nameserver" adds
 * one server, "domain" sets the domain (the last one wins), "search" and "options" add
 * every remaining field. Other keywords are ignored. */
#include "dns.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "cni/cleanup.h"
#include "cni/json.h"
#include "cni/statefile.h"

#define FIELD_SEP " \t\r\n\v\f"

/* Append `value` to the string list `key` of dns, creating the list on first use.
 * -ENOMEM when cJSON cannot allocate. */
static int add_to_list(cJSON *dns, const char *key, const char *value)
{
	cJSON *list = cJSON_GetObjectItemCaseSensitive(dns, key);

	if (!list && !(list = cJSON_AddArrayToObject(dns, key)))
		return -ENOMEM;
	return cJSON_AddItemToArray(list, cJSON_CreateString(value)) ? 0 : -ENOMEM;
}

static int set_domain(cJSON *dns, const char *value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(dns, "domain");
	return cJSON_AddStringToObject(dns, "domain", value) ? 0 : -ENOMEM;
}

/* One line into dns: 0, or -ENOMEM. */
static int parse_line(cJSON *dns, char *line)
{
	char *save = NULL;
	int rc;
	char *key = strtok_r(line, FIELD_SEP, &save);
	char *value = key ? strtok_r(NULL, FIELD_SEP, &save) : NULL;

	if (!key || !value || key[0] == '#' || key[0] == ';')
		return 0;
	if (strcmp(key, "nameserver") == 0)
		return add_to_list(dns, "nameservers", value);
	if (strcmp(key, "domain") == 0)
		return set_domain(dns, value);
	if (strcmp(key, "search") != 0 && strcmp(key, "options") != 0)
		return 0;
	for (; value; value = strtok_r(NULL, FIELD_SEP, &save))
		if ((rc = add_to_list(dns, strcmp(key, "search") == 0 ? "search" : "options",
				      value)) < 0)
			return rc;
	return 0;
}

int hl_dns_load(const char *path, cJSON **out, struct cni_error *err)
{
	cleanup_json cJSON *dns = NULL;
	cleanup_free char *text = NULL;
	char what[600], *save = NULL;
	size_t len;
	int rc;

	*out = NULL;
	snprintf(what, sizeof(what), "ipam.resolvConf %.500s", path);
	rc = cni_file_read_regular(AT_FDCWD, path, true, HL_RESOLV_CONF_MAX, CNI_ERR_INVALID_CONFIG,
				   what, &text, &len, err);
	if (rc == 0)
		return cni_err_errno(err, CNI_ERR_IO, ENOENT, "%s: cannot read it", what);
	if (rc < 0)
		return rc;
	if (!(dns = cJSON_CreateObject()))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (parse_line(dns, line) < 0)
			return cni_err(err, CNI_ERR_IO, "out of memory");
	*out = steal_ptr(dns);
	return 0;
}
