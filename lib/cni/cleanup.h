/* __attribute__((cleanup)) helpers, so every failure path releases what it took.
 *
 * One habit for every owned type: DEFINE_CLEANUP_FUNC(type, free_fn) makes
 * free_fn##p(type *), which calls free_fn on a non-NULL value, and a
 * `#define cleanup_<thing> _cleanup_(free_fnp)` names it at the declaration:
 *
 *	cleanup_dir DIR *d = opendir(path);
 *
 * steal_ptr()/steal_fd() hand ownership out of such a variable. */
#ifndef CNI_CLEANUP_H
#define CNI_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

#define DEFINE_CLEANUP_FUNC(type, func)                                                            \
	static inline void func##p(type *p)                                                        \
	{                                                                                          \
		if (*p)                                                                            \
			func(*p);                                                                  \
	}

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}
static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
DEFINE_CLEANUP_FUNC(FILE *, fclose)
DEFINE_CLEANUP_FUNC(DIR *, closedir)

#define cleanup_free   _cleanup_(cleanup_freep)
#define cleanup_close  _cleanup_(cleanup_closep)
#define cleanup_fclose _cleanup_(fclosep)
#define cleanup_dir    _cleanup_(closedirp)

/* Hand ownership out of a cleanup variable: returns the value, leaves NULL/-1 behind. */
#define steal_ptr(p)                                                                               \
	({                                                                                         \
		__typeof__(p) _tmp = (p);                                                          \
		(p) = NULL;                                                                        \
		_tmp;                                                                              \
	})
#define steal_fd(fd)                                                                               \
	({                                                                                         \
		int _tmp = (fd);                                                                   \
		(fd) = -1;                                                                         \
		_tmp;                                                                              \
	})

/* Evaluate a system call until it is not interrupted by a signal:
 * `ssize_t n = RETRY_EINTR(read(fd, buf, len));` */
#define RETRY_EINTR(expr)                                                                          \
	({                                                                                         \
		__typeof__(expr) _r;                                                               \
		do                                                                                 \
			_r = (expr);                                                               \
		while (_r == -1 && errno == EINTR);                                                \
		_r;                                                                                \
	})

#endif
