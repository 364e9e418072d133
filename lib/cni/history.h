/* The history log: one JSON line per plugin call, appended to the file the
 * config names in "logFile" (Multus's key), so that an operator can see every
 * change made to a pod through our plugins (kractl history).
 *
 *   {"time":"2026-11-24T10:00:00.123Z","plugin":"tuning-lite","command":"ADD",
 *    "network":"n","containerID":"c","netns":"/run/netns/p","netnsInode":4026532,
 *    "ifname":"eth0","cniVersion":"1.0.0",
 *    "result":{...} | "error":{"code":7,"msg":"...","details":"..."},
 *    "changes":[{"key":"mtu","from":"1500","to":"1300"}]}
 *
 * "changes" is what the handler noted (cni_history_note); "result" is ADD's.
 * "logLevel" (Multus's names): "error" or "panic" log failed calls only;
 * "debug", "verbose" or none log every call.
 *
 * A config is input an attacker may write (a NetworkAttachmentDefinition), so
 * the file must lie under /var/log/, /run/ or /var/lib/cni/, be named without
 * "." or ".." components, with no symlink anywhere on the way (openat2's
 * RESOLVE_NO_SYMLINKS, so /var/run/... is refused: write /run/...), in a
 * directory owned by root and writable by no one else (before Linux 5.6, every
 * directory on the way is checked so); the last directory is created (0700) in
 * such a parent if missing. The file is opened O_APPEND|O_CREAT|O_NOFOLLOW (0600) and must be a
 * regular file with one link. The line is written with one write() of at most
 * PIPE_BUF bytes, so that lines of concurrent calls never interleave (a result
 * too large is left out, "truncated": true). Every failure is ignored: the
 * history never fails or delays a call. */
#ifndef CNI_HISTORY_H
#define CNI_HISTORY_H

#include <stddef.h>

#include "error.h"

struct cni_ctx;

/* Note that key changed from `from` to `to` (either may be NULL) for this
 * call's log line. Out of memory drops the note. */
void cni_history_note(struct cni_ctx *ctx, const char *key, const char *from, const char *to);

/* Append the call's line if the config asks for one (the dispatcher calls it
 * after the handler; rc and err are the handler's outcome). */
void cni_history_append(const char *plugin, const struct cni_ctx *ctx, int rc,
			const struct cni_error *err);

/* Whether path is acceptable as a logFile by name alone (absolute, under an
 * allowed directory, no "."/".." or empty components): 0, or -EINVAL with err. */
int cni_history_check_path(const char *path, struct cni_error *err);

#endif
