/* Sockets, the request/reply loop and error formatting. */
#include "knl-internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/netlink.h>

/* Best effort: older kernels lack some options; requests still work. */
static void set_opt(struct mnl_socket *nl, int opt)
{
	int one = 1;

	(void)mnl_socket_setsockopt(nl, opt, &one, sizeof(one));
}

int knl_open(struct knl_sock **out, struct cni_error *err)
{
	cleanup_knl struct knl_sock *sk = NULL;

	*out = NULL;
	sk = calloc(1, sizeof(*sk));
	if (!sk)
		return knl_fail(err, -ENOMEM, NULL, "allocate netlink socket");
	/* Not bound: the kernel gives the socket a port at its first send, and
	 * replies are told apart by sequence number, so bind() and getsockname()
	 * would only cost two system calls. CLOEXEC: plugins exec IPAM plugins. */
	sk->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!sk->nl)
		return knl_fail(err, -errno, NULL, "connect rtnetlink socket");
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
		mnl_socket_close(sk->nl);
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

/* Replies are read into the stack, never a heap buffer to zero. 32 KiB: the
 * kernel sizes dump batches by the largest buffer a socket has read with (up
 * to that), and no single link, address or route message comes near it. */
#define KNL_RECV_SIZE 32768

struct transact {
	knl_parse_fn parse;
	void *arg;
	struct knl_status *st;
	bool get; /* a GET that is not a dump: its one reply ends it */
	bool done;
};

static int store_ext(const struct nlattr *a, void *data)
{
	struct knl_status *st = data;

	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
		knl_attr_str(a, st->ext, sizeof(st->ext));
	return MNL_CB_OK;
}

/* Copy NLMSGERR_ATTR_MSG from the TLVs that follow an error or DONE payload
 * (at off bytes into it). */
static void take_extack(struct knl_status *st, const struct nlmsghdr *nlh, size_t off)
{
	size_t len = mnl_nlmsg_get_payload_len(nlh), n;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || len <= off)
		return;
	(void)mnl_attr_parse_payload(mnl_nlmsg_get_payload_offset(nlh, off), len - off, store_ext,
				     st);
	/* The kernel's messages sometimes end with a period; ours go in parentheses. */
	n = strlen(st->ext);
	if (n && st->ext[n - 1] == '.')
		st->ext[n - 1] = '\0';
}

/* NLMSG_ERROR: the ack (error 0) or the request's failure. */
static int on_error(const struct nlmsghdr *nlh, void *arg)
{
	struct transact *t = arg;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);

	t->done = true;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
		if (!t->st->err)
			t->st->err = -EBADMSG;
		return MNL_CB_STOP;
	}
	if (e->error == 0 || t->st->err)
		return MNL_CB_STOP;
	/* Without NETLINK_CAP_ACK (an old kernel) our request comes back too. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
	t->st->err = e->error < 0 ? e->error : -EIO;
	take_extack(t->st, nlh, off);
	return MNL_CB_STOP;
}

/* NLMSG_DONE carries the dump's result (an int) and possibly extack TLVs. */
static int on_done(const struct nlmsghdr *nlh, void *arg)
{
	struct transact *t = arg;
	int e = 0;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int))
		memcpy(&e, mnl_nlmsg_get_payload(nlh), sizeof(e));
	if (e < 0 && !t->st->err) {
		t->st->err = e;
		take_extack(t->st, nlh, NLMSG_ALIGN(sizeof(int)));
	}
	t->done = true;
	return MNL_CB_STOP;
}

static int on_data(const struct nlmsghdr *nlh, void *arg)
{
	struct transact *t = arg;
	int r;

	if (!t->st->err && t->parse && (r = t->parse(nlh, t->arg)) < 0)
		t->st->err = r;
	if (!t->get)
		return MNL_CB_OK;
	t->done = true;
	return MNL_CB_STOP;
}

/* Before libmnl runs the callbacks over a buffer, which it would abandon at
 * the first message of another sequence number (EPROTO) or of an interrupted
 * dump (EINTR), leaving the rest of the replies in the socket: a reply to an
 * earlier request (one given up on a local failure) becomes a NOOP, which is
 * skipped, and an interrupted dump is noted (-EAGAIN: callers may retry) and
 * read to its end. */
static void screen(struct transact *t, uint32_t seq, void *buf, int len)
{
	for (struct nlmsghdr *nlh = buf; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_seq != seq) {
			nlh->nlmsg_type = NLMSG_NOOP;
			continue;
		}
		if (!(nlh->nlmsg_flags & NLM_F_DUMP_INTR))
			continue;
		nlh->nlmsg_flags &= ~NLM_F_DUMP_INTR;
		if (!t->st->err) {
			t->st->err = -EAGAIN;
			snprintf(t->st->ext, sizeof(t->st->ext),
				 "dump interrupted by a concurrent change");
		}
	}
}

/* Read until the request's end. 0, or a negative errno of a local failure. */
static int receive(struct knl_sock *sk, struct transact *t)
{
	/* Not const: libmnl's prototype wants it writable (it never writes). */
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {[NLMSG_ERROR] = on_error, [NLMSG_DONE] = on_done};
	KNL_MSG_BUF(buf, KNL_RECV_SIZE);
	ssize_t n;

	while (!t->done) {
		n = mnl_socket_recvfrom(sk->nl, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		screen(t, sk->seq, buf, (int)n);
		/* Sequence and port are checked above (seq 0: libmnl checks neither). */
		if (mnl_cb_run2(buf, n, 0, 0, on_data, t, ctl, MNL_ARRAY_SIZE(ctl)) < 0)
			return -errno;
	}
	return 0;
}

static int local_failure(struct knl_status *st, int rc)
{
	if (!st->err)
		st->err = rc;
	return st->err;
}

int knl_transact(struct knl_sock *sk, struct knl_msg *m, knl_parse_fn parse, void *arg,
		 struct knl_status *st)
{
	struct nlmsghdr *nlh = m->nlh;
	/* An RTM_GET* type; with NLM_F_DUMP a dump (the same bits mean
	 * REPLACE|EXCL on RTM_NEW*). A GET's reply or error says it all: it asks
	 * for no ack, and a dump ends with NLMSG_DONE. */
	bool get = (nlh->nlmsg_type & 3) == 2;
	bool dump = get && (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	struct transact t = {.parse = parse, .arg = arg, .st = st, .get = get && !dump};
	int r;

	st->err = 0;
	st->ext[0] = '\0';
	if (m->overflow)
		return local_failure(st, -EMSGSIZE);
	nlh->nlmsg_flags |= NLM_F_REQUEST | (get ? 0 : NLM_F_ACK);
	nlh->nlmsg_seq = ++sk->seq;
	if (mnl_socket_sendto(sk->nl, nlh, nlh->nlmsg_len) < 0)
		return local_failure(st, -errno);
	r = receive(sk, &t);
	if (r < 0)
		return local_failure(st, r);
	return st->err;
}

static void dump_msg(struct knl_msg *m, void *buf, size_t size, const struct knl_dump_req *req)
{
	void *hdr = knl_msg_init(m, buf, size, req->type, NLM_F_DUMP, req->hdr_len);

	memcpy(hdr, req->hdr, req->hdr_len);
	if (req->table)
		knl_put_u32(m, RTA_TABLE, req->table);
	if (req->oif)
		knl_put_u32(m, RTA_OIF, (uint32_t)req->oif);
	if (req->ext_mask)
		knl_put_u32(m, IFLA_EXT_MASK, req->ext_mask);
}

int knl_dump(struct knl_sock *sk, const struct knl_dump_req *req, knl_parse_fn parse, void *arg,
	     struct knl_status *st)
{
	KNL_MSG_BUF(buf, 64); /* header, family header (12 at most), 3 attributes */
	struct knl_msg m;
	int tries = 0, r;

	do {
		if (req->rewind)
			req->rewind(arg);
		dump_msg(&m, buf, sizeof(buf), req);
		r = knl_transact(sk, &m, parse, arg, st);
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
