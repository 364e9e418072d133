/* A test hook to stop a plugin at a named step, so that a test can kill it
 * there (kill -9) and check what a later DEL or ADD makes of the leftovers. */
#ifndef CNI_TESTHOOK_H
#define CNI_TESTHOOK_H

/* When the environment variable env_var equals step, write
 * "<plugin>: paused at <step>" to stderr and stop the process (SIGSTOP). It
 * continues on SIGCONT. Does nothing otherwise; costs one getenv(). */
void cni_test_pause_at(const char *env_var, const char *plugin, const char *step);

#endif
