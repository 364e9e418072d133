/* Spec versions this suite speaks. */
#ifndef CNI_VERSION_H
#define CNI_VERSION_H

#include <stdbool.h>

#define CNI_LATEST_VERSION "1.1.0"
/* The same list as cni_supported_versions, for messages. */
#define CNI_SUPPORTED_VERSIONS "0.3.0 0.3.1 0.4.0 1.0.0 1.1.0"

extern const char *const cni_supported_versions[];
extern const int cni_n_supported_versions;

bool cni_version_supported(const char *v);
/* Compare dotted versions: <0, 0, >0. Malformed parts compare as 0. */
int cni_version_cmp(const char *a, const char *b);

#endif
