/* __attribute__((cleanup)) helpers, so every failure path releases what it took. */
#ifndef CNI_CLEANUP_H
#define CNI_CLEANUP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <errno.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

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
static inline void cleanup_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define cleanup_free _cleanup_(cleanup_freep)
#define cleanup_close _cleanup_(cleanup_closep)
#define cleanup_fclose _cleanup_(cleanup_fclosep)

/* Hand ownership out of a cleanup variable: returns the value, leaves NULL/-1 behind. */
#define steal_ptr(p) ({ __typeof__(p) _tmp = (p); (p) = NULL; _tmp; })
#define steal_fd(fd) ({ int _tmp = (fd); (fd) = -1; _tmp; })

#endif
