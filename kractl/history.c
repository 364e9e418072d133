/* history: every call our plugins made for a pod (their logFile lines), and
 * the original values tuning-lite still holds for it. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni/cleanup.h"
#include "cni/json.h"
#include "cni/statefile.h"
#include "kractl.h"

static const char *str(const cJSON *o, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));

	return v ? v : "-";
}

static bool about_pod(const cJSON *line, const void *data)
{
	const struct kc_pod *p = data;
	const cJSON *ino = cJSON_GetObjectItemCaseSensitive(line, "netnsInode");

	if (!strcmp(str(line, "containerID"), p->id))
		return true;
	if (p->ino && cJSON_IsNumber(ino) && (ino_t)ino->valuedouble == p->ino)
		return true;
	return p->netns && !strcmp(str(line, "netns"), p->netns);
}

/* "mtu 1500 -> 1300, promisc false -> true", or the result's addresses. */
static void outcome(const cJSON *line, char *buf, size_t size)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(line, "error"), *it;
	size_t n = 0;
	int k = 0;

	buf[0] = '\0';
	if (e) {
		snprintf(buf, size, "error %d: %s",
			 (int)cJSON_GetNumberValue(cJSON_GetObjectItem(e, "code")), str(e, "msg"));
		return;
	}
	n = (size_t)snprintf(buf, size, "ok");
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(line, "changes"))
	{
		if (n < size)
			n += (size_t)snprintf(buf + n, size - n, "%s%s %s -> %s", k++ ? ", " : ": ",
					      str(it, "key"), str(it, "from"), str(it, "to"));
	}
	k = 0;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(
				   cJSON_GetObjectItemCaseSensitive(line, "result"), "ips"))
	{
		if (n < size)
			n += (size_t)snprintf(buf + n, size - n, "%s%s", k++ ? " " : ": ips ",
					      str(it, "address"));
	}
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(line, "truncated")) && n < size)
		snprintf(buf + n, size - n, " (line truncated)");
}

static void print_line(const cJSON *line, bool json)
{
	cleanup_free char *text = NULL;
	char what[2048], where[300];

	if (json) {
		if ((text = cJSON_PrintUnformatted(line)))
			printf("%s\n", text);
		return;
	}
	snprintf(where, sizeof(where), "%s/%s", str(line, "network"), str(line, "ifname"));
	outcome(line, what, sizeof(what));
	printf("%-24s %-6s %-28s %-12s %s\n", str(line, "time"), str(line, "command"), where,
	       str(line, "plugin"), what);
}

/* "mtu=1500, promisc=false" from a tuning-lite state file. */
static void saved_values(const cJSON *root, char *buf, size_t size)
{
	const cJSON *it;
	size_t n = 0;

	buf[0] = '\0';
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(root, "saved"))
	{
		const char *name = str(it, "name");

		if (n < size)
			n += (size_t)snprintf(buf + n, size - n, "%s%s=%s", n ? ", " : "",
					      strcmp(name, "-") ? name : str(it, "what"),
					      str(it, "value"));
	}
}

/* <dataDir>/<network>/<id>:<ifname>.json of the pod, in every data dir. */
static int print_saved(const struct kc_sources *s, const struct kc_pod *p)
{
	int shown = 0;

	for (size_t i = 0; i < s->data.n; i++) {
		const char *dir = ((char **)s->data.v)[i];
		cleanup_dir DIR *d = opendir(dir);
		struct dirent *net;

		while (d && (net = readdir(d))) {
			cleanup_dir DIR *nd = NULL;
			struct dirent *f;
			char path[8192];

			if (net->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, net->d_name);
			nd = opendir(path);
			while (nd && (f = readdir(nd))) {
				cleanup_free char *text = NULL;
				cleanup_json cJSON *root = NULL;
				char values[2048];
				size_t len, idlen = strlen(p->id);

				if (strncmp(f->d_name, p->id, idlen) != 0 ||
				    f->d_name[idlen] != ':' || strstr(f->d_name, ".tmp."))
					continue;
				snprintf(path, sizeof(path), "%s/%s/%s", dir, net->d_name,
					 f->d_name);
				if (cni_file_read(path, 1u << 20, &text, &len, NULL) <= 0 ||
				    !(root = cJSON_ParseWithLength(text, len)))
					continue;
				saved_values(root, values, sizeof(values));
				printf("%s  %s/%s: %s\n",
				       shown++ ? ""
					       : "originals tuning-lite holds "
						 "(revert or DEL restores them):\n",
				       net->d_name, str(root, "ifname"), values);
			}
		}
	}
	return shown;
}

int kc_cmd_history(struct kc_opts *o, struct cni_error *err)
{
	_cleanup_(kc_pod_free) struct kc_pod pod = {0};
	_cleanup_(kc_sources_free) struct kc_sources s = {0};
	_cleanup_(kc_lines_free) struct cni_array lines = CNI_ARRAY_INIT;
	int rc;

	if ((rc = kc_pod_resolve(o, o->pos[0], false, &pod, err)) < 0 ||
	    (rc = kc_sources_find(o, &s, err)) < 0 ||
	    (rc = kc_log_lines(&s, about_pod, &pod, &lines, err)) < 0)
		return rc;
	if (!o->json)
		printf("history of pod %s (netns %s): %zu call(s) logged\n", pod.id,
		       pod.netns ? pod.netns : "gone or unknown", lines.n);
	for (size_t i = 0; i < lines.n; i++)
		print_line(((cJSON **)lines.v)[i], o->json);
	if (!o->json && !print_saved(&s, &pod))
		printf("no original values held by tuning-lite\n");
	return 0;
}
