/* Errors that say what to do: the message, the spec code and the plugin it came
 * from, the plugin's details, and a hint. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cni/cleanup.h"
#include "cni/exec.h"
#include "cni/json.h"
#include "kractl.h"

void kc_hint(struct kc_opts *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(o->hint, sizeof(o->hint), fmt, ap);
	va_end(ap);
}

static const char *code_name(int code)
{
	switch (code) {
	case 1:
		return "incompatible CNI version";
	case 2:
		return "unsupported field";
	case 3:
		return "unknown container";
	case 4:
		return "invalid environment";
	case 5:
		return "I/O failure";
	case 6:
		return "failed to decode content";
	case 7:
		return "invalid network config";
	case 11:
		return "try again later";
	case 50:
		return "plugin not available";
	case 51:
		return "limited connectivity";
	default:
		return code >= 100 ? "plugin-specific error" : "error";
	}
}

void kc_report(const struct kc_opts *o, const struct cni_error *err)
{
	int code = err->code ? err->code : CNI_ERR_PLUGIN;

	fprintf(stderr, "kractl: %s: %s\n", o->cmd ? o->cmd : "error", err->msg);
	if (o->failed_type[0])
		fprintf(stderr, "  CNI code %d (%s) from plugin %s (%zu of %zu)\n", code,
			code_name(code), o->failed_type, o->failed, o->n_plugins);
	else
		fprintf(stderr, "  CNI code %d (%s), from kractl\n", code, code_name(code));
	if (err->details[0])
		fprintf(stderr, "  details: %s\n", err->details);
	if (o->hint[0])
		fprintf(stderr, "  what to do: %s\n", o->hint);
}

/* The versions a plugin speaks, from its VERSION answer ("" if it gave none). */
static void plugin_versions(const char *path, const char *type, char *buf, size_t size)
{
	cleanup_free char *out = NULL;
	cleanup_json cJSON *j = NULL;
	struct cni_error ignored = CNI_ERROR_INIT;
	const cJSON *v;

	buf[0] = '\0';
	if (cni_exec_plugin(path, type, CNI_CMD_VERSION, "{}", 2, &out, &ignored) < 0 || !out ||
	    !(j = cJSON_Parse(out)))
		return;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(j, "supportedVersions"))
	{
		size_t n = strlen(buf);

		if (cJSON_IsString(v) && n < size)
			snprintf(buf + n, size - n, "%s%s", n ? " " : "", v->valuestring);
	}
}

static void explain_code(struct kc_opts *o, const struct cni_netlist *nl, const char *type,
			 const struct cni_error *err)
{
	char versions[256];

	if (strstr(err->msg, "failed to find plugin"))
		kc_hint(o,
			"install %s into one of the plugin dirs [%s], or name the dir with "
			"--path (CNI_PATH)",
			type, o->path);
	else if (err->code == CNI_ERR_INCOMPATIBLE_VERSION) {
		plugin_versions(o->path, type, versions, sizeof(versions));
		kc_hint(o, "%s speaks %s; set \"cniVersion\" in %s to one of them", type,
			versions[0] ? versions : "(no VERSION answer)", nl->source);
	} else if (err->code == CNI_ERR_INVALID_ENV && strstr(err->msg, "netns"))
		kc_hint(o,
			"the pod's network namespace is gone or wrong: check --netns; "
			"DEL works without one (kractl del %s --id ID)",
			nl->name);
	else if (err->code == CNI_ERR_INVALID_CONFIG || err->code == CNI_ERR_DECODE)
		kc_hint(o, "fix %s's keys in %s (the message names the key)", type, nl->source);
	else if (err->code == CNI_ERR_TRY_AGAIN)
		kc_hint(o, "the plugin asks to try again later");
}

void kc_explain(struct kc_opts *o, const struct cni_netlist *nl, const struct cni_chain *c,
		const struct cni_error *err)
{
	o->failed = c->failed;
	snprintf(o->failed_type, sizeof(o->failed_type), "%s",
		 c->failed_type ? c->failed_type : "");
	o->n_plugins = nl->n_plugins;
	if (!c->failed_type)
		return;
	explain_code(o, nl, c->failed_type, err);
	if (!o->hint[0] && !strcmp(o->cmd, "check"))
		kc_hint(o,
			"the pod differs from what network %s set up (details above): put it "
			"back, or DEL and ADD the network again",
			nl->name);
	if (!o->hint[0] && err->code >= CNI_ERR_PLUGIN)
		kc_hint(o, "code %d is %s's own: README, \"Error codes\", lists ours", err->code,
			c->failed_type);
	if (!o->hint[0] && !strcmp(o->cmd, "add"))
		kc_hint(o,
			"plugins before %s may have done their part: kractl del %s --id %s "
			"--ifname %s undoes it",
			c->failed_type, nl->source, c->container_id, c->ifname);
}
