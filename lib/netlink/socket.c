/* Sockets, the request/reply loop and error formatting. */
#include "knl-internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Best effort: older kernels lack some options; requests still work. */
static void set_opt(struct nl_sock *nl, int opt)
{
	int one = 1;

	(void)setsockopt(nl_socket_get_fd(nl), SOL_NETLINK, opt, &one, sizeof(one));
}

int knl_open(struct knl_sock **out, struct cni_error *err)
{
	cleanup_knl struct knl_sock *sk = NULL;
	int r;

	*out = NULL;
	sk = calloc(1, sizeof(*sk));
	if (!sk || !(sk->nl = nl_socket_alloc()))
		return knl_fail(err, -ENOMEM, NULL, "allocate netlink socket");
	r = nl_connect(sk->nl, NETLINK_ROUTE);
	if (r < 0)
		return knl_fail_nl(err, r, "connect rtnetlink socket");
	set_opt(sk->nl, NETLINK_EXT_ACK);
	set_opt(sk->nl, NETLINK_CAP_ACK);
	set_opt(sk->nl, NETLINK_GET_STRICT_CHK);
	*out = steal_ptr(sk);
	return 0;
}

void knl_close(struct knl_sock *sk)
{
	if (!sk)
		return;
	if (sk->nl)
		nl_socket_free(sk->nl);
	free(sk);
}

int knl_open_in_netns(int ns_fd, struct knl_sock **out, struct cni_error *err)
{
	cleanup_netns int saved = -1;
	cleanup_knl struct knl_sock *sk = NULL;
	int r;

	*out = NULL;
	if ((r = knl_netns_enter(ns_fd, &saved, err)) < 0 || (r = knl_open(&sk, err)) < 0 ||
	    (r = knl_netns_return(&saved, err)) < 0)
		return r;
	*out = steal_ptr(sk);
	return 0;
}

int knl_errno_from_nl(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_MSGSIZE:
		return -EMSGSIZE;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_OBJ_NOTFOUND:
		return -ENODEV;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_PERM:
		return -EPERM;
	default:
		return -EIO;
	}
}

static int vfail(struct cni_error *err, int rc, const char *reason, const char *ext,
		 const char *fmt, va_list ap)
{
	char what[384];

	/* The analyzer's valist check misfires when it inlines a variadic caller;
	 * every caller va_start()s ap. */
	vsnprintf(what, sizeof(what), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	if (ext && *ext)
		cni_err(err, CNI_ERR_IO, "%s: %s (%s)", what, reason, ext);
	else
		cni_err(err, CNI_ERR_IO, "%s: %s", what, reason);
	return rc;
}

int knl_fail(struct cni_error *err, int rc, const struct knl_status *st, const char *fmt, ...)
{
	va_list ap;

	if (rc >= 0)
		rc = -EIO;
	va_start(ap, fmt);
	vfail(err, rc, strerror(-rc), st ? st->ext : NULL, fmt, ap);
	va_end(ap);
	return rc;
}

int knl_fail_nl(struct cni_error *err, int nlerr, const char *fmt, ...)
{
	int rc = knl_errno_from_nl(nlerr);
	va_list ap;

	va_start(ap, fmt);
	vfail(err, rc, nl_geterror(nlerr), NULL, fmt, ap);
	va_end(ap);
	return rc;
}

int knl_invalid(struct cni_error *err, const char *fmt, ...)
{
	char msg[sizeof(err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	cni_err(err, CNI_ERR_INVALID_CONFIG, "%s", msg);
	return -EINVAL;
}

int knl_prefix_check(const struct cni_prefix *p, const char *what, struct cni_error *err)
{
	int bytes = knl_family_bytes(p->ip.family);

	if (!bytes)
		return knl_invalid(err, "%s: address family %d is not IPv4 or IPv6", what,
				   p->ip.family);
	if (p->len < 0 || p->len > bytes * 8)
		return knl_invalid(err, "%s: prefix length %d out of range", what, p->len);
	return 0;
}

/* ---- one request, its replies and its ack ------------------------------ */

struct transact {
	knl_parse_fn parse;
	void *arg;
	struct knl_status *st;
	bool done;
};

/* Copy NLMSGERR_ATTR_MSG from the TLVs that follow an error or DONE payload. */
static void take_extack(struct transact *t, const struct nlmsghdr *nlh, size_t off)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	const char *s;
	size_t total = nlh->nlmsg_len;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || total <= NLMSG_HDRLEN + off)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)NLMSG_DATA(nlh) + off),
		      (int)(total - NLMSG_HDRLEN - off), NULL) < 0)
		return;
	if (!tb[NLMSGERR_ATTR_MSG])
		return;
	s = nla_data(tb[NLMSGERR_ATTR_MSG]);
	snprintf(t->st->ext, sizeof(t->st->ext), "%.*s",
		 (int)strnlen(s, nla_len(tb[NLMSGERR_ATTR_MSG])), s);
	/* The kernel's messages sometimes end with a period; ours go in parentheses. */
	size_t n = strlen(t->st->ext);
	if (n && t->st->ext[n - 1] == '.')
		t->st->ext[n - 1] = '\0';
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct transact *t = arg;
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN);
	size_t off = sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
	if (!t->st->err) {
		t->st->err = e->error < 0 ? e->error : -EIO;
		take_extack(t, nlh, off);
	}
	t->done = true;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct transact *t = arg;

	t->done = true;
	return NL_STOP;
}

/* NLMSG_DONE carries the dump's result (an int) and possibly extack TLVs. */
static int on_finish(struct nl_msg *msg, void *arg)
{
	struct transact *t = arg;
	const struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int e = 0;

	if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(int))
		memcpy(&e, NLMSG_DATA(nlh), sizeof(e));
	if (e < 0 && !t->st->err) {
		t->st->err = e;
		take_extack(t, nlh, NLMSG_ALIGN(sizeof(int)));
	}
	t->done = true;
	return NL_STOP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct transact *t = arg;
	int r;

	if (t->st->err || !t->parse)
		return NL_OK;
	r = t->parse(msg, t->arg);
	if (r < 0)
		t->st->err = r;
	return NL_OK;
}

/* A dump changed under us: report it; callers may retry. */
static int on_intr(struct nl_msg *msg, void *arg)
{
	struct transact *t = arg;

	if (!t->st->err) {
		t->st->err = -EAGAIN;
		snprintf(t->st->ext, sizeof(t->st->ext), "dump interrupted by a concurrent change");
	}
	return NL_OK;
}

static struct nl_cb *transact_cb(struct transact *t)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	if (!cb)
		return NULL;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, t);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, t);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, t);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_intr, t);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, t);
	return cb;
}

static void local_failure(struct knl_status *st, int nlerr)
{
	if (st->err)
		return;
	st->err = knl_errno_from_nl(nlerr);
	snprintf(st->ext, sizeof(st->ext), "%s", nl_geterror(nlerr));
}

int knl_transact(struct knl_sock *sk, struct nl_msg *msg, knl_parse_fn parse, void *arg,
		 struct knl_status *st)
{
	struct transact t = {.parse = parse, .arg = arg, .st = st};
	cleanup_nl_cb struct nl_cb *cb = NULL;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int r;

	st->err = 0;
	st->ext[0] = '\0';
	cb = transact_cb(&t);
	if (!cb) {
		local_failure(st, -NLE_NOMEM);
		return st->err;
	}
	nl_complete_msg(sk->nl, msg);
	/* A dump (an RTM_GET* type with NLM_F_DUMP; the same bits mean
	 * REPLACE|EXCL on RTM_NEW*) ends with NLMSG_DONE: ask for no ack. */
	if ((nlh->nlmsg_type & 3) == 2 && (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP)
		nlh->nlmsg_flags &= ~NLM_F_ACK;
	r = nl_send(sk->nl, msg);
	if (r < 0) {
		local_failure(st, r);
		return st->err;
	}
	while (!t.done) {
		r = nl_recvmsgs_report(sk->nl, cb);
		if (t.done)
			break;
		if (r <= 0) {
			local_failure(st, r < 0 ? r : -NLE_FAILURE);
			break;
		}
	}
	return st->err;
}

int knl_dump(struct knl_sock *sk, const struct knl_dump_req *req, knl_parse_fn parse, void *arg,
	     struct knl_status *st)
{
	int tries = 0, r;

	do {
		cleanup_nl_msg struct nl_msg *msg = nlmsg_alloc_simple(req->type, NLM_F_DUMP);

		if (req->rewind)
			req->rewind(arg);
		if (!msg || nlmsg_append(msg, (void *)req->hdr, req->hdr_len, NLMSG_ALIGNTO) < 0 ||
		    (req->table && nla_put_u32(msg, RTA_TABLE, req->table) < 0) ||
		    (req->oif && nla_put_u32(msg, RTA_OIF, (uint32_t)req->oif) < 0)) {
			st->err = -ENOMEM;
			snprintf(st->ext, sizeof(st->ext), "out of memory");
			return -ENOMEM;
		}
		r = knl_transact(sk, msg, parse, arg, st);
	} while (r == -EAGAIN && ++tries < KNL_DUMP_TRIES);
	return r;
}

int knl_array_out(struct cni_array *a, void **out, size_t *n)
{
	if (a->n == 0) {
		free(a->v);
		a->v = NULL;
	}
	*out = steal_ptr(a->v);
	*n = a->n;
	a->n = a->cap = 0;
	return 0;
}

void knl_array_rewind(void *arg)
{
	((struct cni_array *)arg)->n = 0;
}
