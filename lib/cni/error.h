/* One error type for the whole suite: a CNI spec code, a message and details.
 *
 * The one way to fail, in all of lib/: a function that can fail takes
 * `struct cni_error *err` last and returns 0 (or a documented non-negative
 * value) on success; on failure it fills err and returns a negative errno that
 * says why (-ENOENT, -EEXIST, -ENODEV, ... that callers may test). The CNI code
 * is set where the decision is made (a missing CNI_NETNS is code 4 in the netns
 * opener, not patched by a caller). Passing a failure up is `return rc;`, adding
 * context is `return cni_err_prefix(err, ...)`, which keeps both code and errno.
 * Only the dispatcher prints the error. */
#ifndef CNI_ERROR_H
#define CNI_ERROR_H

#include <stdarg.h>

enum cni_code {
	CNI_OK = 0,
	CNI_ERR_INCOMPATIBLE_VERSION = 1,
	CNI_ERR_UNSUPPORTED_FIELD = 2,
	CNI_ERR_UNKNOWN_CONTAINER = 3,
	CNI_ERR_INVALID_ENV = 4,
	CNI_ERR_IO = 5,
	CNI_ERR_DECODE = 6,
	CNI_ERR_INVALID_CONFIG = 7,
	CNI_ERR_TRY_AGAIN = 11,
	CNI_ERR_NOT_AVAILABLE = 50, /* STATUS: plugin cannot serve ADD */
	CNI_ERR_LIMITED = 51,	    /* STATUS: limited connectivity */
	CNI_ERR_PLUGIN = 100,	    /* plugin-specific codes start here */
};

struct cni_error {
	int code;   /* 0: no error */
	int errnum; /* the positive errno the failing function returned */
	char msg[512];
	char details[1024];
};

#define CNI_ERROR_INIT                                                                             \
	{                                                                                          \
		0, 0, "", ""                                                                       \
	}

/* Set the error (overwriting any previous one). Returns the negative errno
 * that stands for the code: -EINVAL for codes 1, 2, 4, 6 and 7 (bad input),
 * -EAGAIN for 11, -ENOENT for 3, -EIO for the rest. */
int cni_err(struct cni_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same, with ": strerror(errnum)" appended to the message; returns -errnum
 * (errnum is positive, as errno). */
int cni_err_errno(struct cni_error *err, int code, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Set the details of an error already set. Returns its negative errno. */
int cni_err_details(struct cni_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prepend context to the message of an error already set: "context: msg".
 * Returns its negative errno. */
int cni_err_prefix(struct cni_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A new failure caused by the one already in err: the caller decides what it
 * means to the runtime (an IPAM plugin that cannot be found makes STATUS say
 * "not available", code 50). Sets code and prepends context as
 * cni_err_prefix() does; keeps the errno and returns it. */
int cni_err_wrap(struct cni_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void cni_err_clear(struct cni_error *err);

/* The spec's error object, as a malloc'd string (NULL on OOM). */
char *cni_err_to_json(const struct cni_error *err, const char *cni_version);

#endif
