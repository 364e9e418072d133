#include "testhook.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cni_test_pause_at(const char *env_var, const char *plugin, const char *step)
{
	const char *want = getenv(env_var);

	if (!want || strcmp(want, step) != 0)
		return;
	/* The test waits for this line before it kills us: flush it first. */
	fprintf(stderr, "%s: paused at %s\n", plugin, step);
	fflush(stderr);
	raise(SIGSTOP);
}
