#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const cJSON *get(const cJSON *obj, const char *key)
{
	const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;

	return cJSON_IsNull(v) ? NULL : v;
}

static int missing(const char *key, bool required, const char *what, struct cni_error *err)
{
	if (!required)
		return 0;
	return cni_err(err, CNI_ERR_INVALID_CONFIG, "%s%s\"%s\" is required", what ? what : "",
		       what ? ": " : "", key);
}

static int wrong_type(const char *key, const char *type, const char *what, struct cni_error *err)
{
	return cni_err(err, CNI_ERR_INVALID_CONFIG, "%s%s\"%s\" must be %s", what ? what : "",
		       what ? ": " : "", key, type);
}

int cni_json_string(const cJSON *obj, const char *key, bool required, const char **out,
		    const char *what, struct cni_error *err)
{
	const cJSON *v = get(obj, key);

	if (!v)
		return missing(key, required, what, err);
	if (!cJSON_IsString(v))
		return wrong_type(key, "a string", what, err);
	*out = v->valuestring;
	return 0;
}

int cni_json_bool(const cJSON *obj, const char *key, bool required, bool *out, const char *what,
		  struct cni_error *err)
{
	const cJSON *v = get(obj, key);

	if (!v)
		return missing(key, required, what, err);
	if (!cJSON_IsBool(v))
		return wrong_type(key, "true or false", what, err);
	*out = cJSON_IsTrue(v);
	return 0;
}

int cni_json_int(const cJSON *obj, const char *key, bool required, int64_t min, int64_t max,
		 int64_t *out, const char *what, struct cni_error *err)
{
	const cJSON *v = get(obj, key);
	double d;

	if (!v)
		return missing(key, required, what, err);
	if (!cJSON_IsNumber(v))
		return wrong_type(key, "a number", what, err);
	d = v->valuedouble;
	if (!isfinite(d) || d != floor(d) || d < (double)min || d > (double)max)
		return cni_err(err, CNI_ERR_INVALID_CONFIG,
			       "%s%s\"%s\" must be an integer from %lld to %lld", what ? what : "",
			       what ? ": " : "", key, (long long)min, (long long)max);
	*out = (int64_t)d;
	return 0;
}

int cni_json_object(const cJSON *obj, const char *key, bool required, const cJSON **out,
		    const char *what, struct cni_error *err)
{
	const cJSON *v = get(obj, key);

	if (!v)
		return missing(key, required, what, err);
	if (!cJSON_IsObject(v))
		return wrong_type(key, "an object", what, err);
	*out = v;
	return 0;
}

int cni_json_array(const cJSON *obj, const char *key, bool required, const cJSON **out,
		   const char *what, struct cni_error *err)
{
	const cJSON *v = get(obj, key);

	if (!v)
		return missing(key, required, what, err);
	if (!cJSON_IsArray(v))
		return wrong_type(key, "a list", what, err);
	*out = v;
	return 0;
}

int cni_json_print(const cJSON *j, struct cni_error *err)
{
	char *s = cJSON_PrintUnformatted(j);
	int rc;

	if (!s)
		return cni_err(err, CNI_ERR_IO, "out of memory rendering JSON");
	rc = printf("%s\n", s) < 0 || fflush(stdout) != 0;
	free(s);
	if (rc)
		return cni_err(err, CNI_ERR_IO, "cannot write result to stdout");
	return 0;
}
