#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>

/* The errno a code stands for when no system call failed. */
static int errno_for(int code)
{
	switch (code) {
	case CNI_ERR_INCOMPATIBLE_VERSION:
	case CNI_ERR_UNSUPPORTED_FIELD:
	case CNI_ERR_INVALID_ENV:
	case CNI_ERR_DECODE:
	case CNI_ERR_INVALID_CONFIG:
		return EINVAL;
	case CNI_ERR_UNKNOWN_CONTAINER:
		return ENOENT;
	case CNI_ERR_TRY_AGAIN:
		return EAGAIN;
	default:
		return EIO;
	}
}

static int verr(struct cni_error *err, int code, int errnum, const char *fmt, va_list ap)
{
	err->code = code;
	err->errnum = errnum > 0 ? errnum : errno_for(code);
	err->details[0] = '\0';
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return -err->errnum;
}

/* The negative errno of an error already set (or of the code, if none). */
static int current(const struct cni_error *err)
{
	return -(err->errnum > 0 ? err->errnum : errno_for(err->code));
}

int cni_err(struct cni_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	int rc;

	if (!err)
		return -errno_for(code);
	va_start(ap, fmt);
	rc = verr(err, code, 0, fmt, ap);
	va_end(ap);
	return rc;
}

int cni_err_errno(struct cni_error *err, int code, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t n;
	int rc;

	if (!err)
		return -(errnum > 0 ? errnum : errno_for(code));
	va_start(ap, fmt);
	rc = verr(err, code, errnum, fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(errnum));
	return rc;
}

int cni_err_details(struct cni_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -EIO;
	va_start(ap, fmt);
	vsnprintf(err->details, sizeof(err->details), fmt, ap);
	va_end(ap);
	return current(err);
}

int cni_err_prefix(struct cni_error *err, const char *fmt, ...)
{
	char prefix[256], old[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return -EIO;
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
	return current(err);
}

int cni_err_wrap(struct cni_error *err, int code, const char *fmt, ...)
{
	char context[256];
	va_list ap;

	if (!err)
		return -errno_for(code);
	va_start(ap, fmt);
	vsnprintf(context, sizeof(context), fmt, ap);
	va_end(ap);
	if (!err->errnum)
		err->errnum = errno_for(err->code);
	err->code = code;
	return cni_err_prefix(err, "%s", context);
}

void cni_err_clear(struct cni_error *err)
{
	err->code = 0;
	err->errnum = 0;
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
