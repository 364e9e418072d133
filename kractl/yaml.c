/* NetworkAttachmentDefinitions in YAML (libyaml): every document of a file
 * whose kind is NetworkAttachmentDefinition, with its metadata.name and the
 * CNI config in spec.config. */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "kractl.h"

static void yaml_document_deletep(yaml_document_t *d)
{
	yaml_document_delete(d);
}

static void yaml_parser_deletep(yaml_parser_t *p)
{
	yaml_parser_delete(p);
}

/* The value node of key in a mapping node, or NULL. */
static yaml_node_t *map_get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(d, p->key);

		if (k && k->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, key) == 0)
			return yaml_document_get_node(d, p->value);
	}
	return NULL;
}

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

void kc_nads_free(struct cni_array *nads)
{
	struct kc_nad *v = nads->v;

	for (size_t i = 0; i < nads->n; i++) {
		free(v[i].name);
		free(v[i].config);
	}
	free(nads->v);
	*nads = (struct cni_array)CNI_ARRAY_INIT;
}

/* One document: a NAD is added to out (config NULL when spec.config is not
 * set: the config lives on the nodes); other kinds are skipped. */
static int one_doc(yaml_document_t *d, size_t line, struct cni_array *out, struct cni_error *err)
{
	yaml_node_t *root = yaml_document_get_root_node(d);
	const char *kind = scalar(map_get(d, root, "kind"));
	const char *name = scalar(map_get(d, map_get(d, root, "metadata"), "name"));
	const char *config = scalar(map_get(d, map_get(d, root, "spec"), "config"));
	struct kc_nad *nad;

	if (!kind || strcmp(kind, "NetworkAttachmentDefinition") != 0)
		return 0;
	if (!(nad = CNI_ARRAY_PUSH(out, struct kc_nad, 4096, "NetworkAttachmentDefinitions", err)))
		return -ENOMEM;
	nad->line = line;
	if (!(nad->name = strdup(name ? name : "")) || (config && !(nad->config = strdup(config))))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	return 0;
}

int kc_yaml_nads(const char *data, size_t len, struct cni_array *out, struct cni_error *err)
{
	_cleanup_(yaml_parser_deletep) yaml_parser_t p;
	int rc;

	if (!yaml_parser_initialize(&p))
		return cni_err(err, CNI_ERR_IO, "out of memory");
	yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
	for (;;) {
		_cleanup_(yaml_document_deletep) yaml_document_t d;

		if (!yaml_parser_load(&p, &d)) {
			memset(&d, 0, sizeof(d));
			return cni_err(err, CNI_ERR_DECODE, "YAML line %zu column %zu: %s",
				       p.problem_mark.line + 1, p.problem_mark.column + 1,
				       p.problem ? p.problem : "cannot parse");
		}
		if (!yaml_document_get_root_node(&d))
			return 0; /* the end of the stream */
		if ((rc = one_doc(&d, d.start_mark.line + 1, out, err)) < 0)
			return rc;
	}
}
