#include "error.h"

#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>

static int verr(struct cni_error *err, int code, const char *fmt, va_list ap)
{
	err->code = code;
	err->details[0] = '\0';
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return -1;
}

int cni_err(struct cni_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	verr(err, code, fmt, ap);
	va_end(ap);
	return -1;
}

int cni_err_errno(struct cni_error *err, int code, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (!err)
		return -1;
	va_start(ap, fmt);
	verr(err, code, fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(errnum));
	return -1;
}

int cni_err_details(struct cni_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->details, sizeof(err->details), fmt, ap);
	va_end(ap);
	return -1;
}

int cni_err_prefix(struct cni_error *err, const char *fmt, ...)
{
	char prefix[256], old[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* Truncation is acceptable: the message stays readable. */
	size_t n = strlen(prefix);
	if (n > sizeof(err->msg) - 3)
		n = sizeof(err->msg) - 3;
	memcpy(err->msg, prefix, n);
	memcpy(err->msg + n, ": ", 2);
	n += 2;
	size_t m = strnlen(old, sizeof(err->msg) - n - 1);
	memcpy(err->msg + n, old, m);
	err->msg[n + m] = '\0';
	return -1;
}

void cni_err_clear(struct cni_error *err)
{
	err->code = 0;
	err->msg[0] = '\0';
	err->details[0] = '\0';
}

char *cni_err_to_json(const struct cni_error *err, const char *cni_version)
{
	cJSON *j = cJSON_CreateObject();
	char *out;

	if (!j)
		return NULL;
	cJSON_AddStringToObject(j, "cniVersion", cni_version ? cni_version : "1.1.0");
	cJSON_AddNumberToObject(j, "code", err->code ? err->code : CNI_ERR_PLUGIN);
	cJSON_AddStringToObject(j, "msg", err->msg[0] ? err->msg : "unknown error");
	if (err->details[0])
		cJSON_AddStringToObject(j, "details", err->details);
	out = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return out;
}
