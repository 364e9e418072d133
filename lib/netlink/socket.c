/* Sockets, the request/reply loop and error formatting. */
#include "knl-internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/netlink.h>

/* Best effort: older kernels lack some options; requests still work. */
static void set_opt(int fd, int opt)
{
	int one = 1;

	(void)setsockopt(fd, SOL_NETLINK, opt, &one, sizeof(one));
}

int knl_open(struct knl_sock **out, struct cni_error *err)
{
	cleanup_knl struct knl_sock *sk = NULL;

	*out = NULL;
	sk = calloc(1, sizeof(*sk));
	if (!sk)
		return knl_fail(err, -ENOMEM, NULL, "allocate netlink socket");
	sk->fd = -1;
	/* Not bound: the kernel gives the socket a port at its first send, and
	 * replies are told apart by sequence number, so bind() and getsockname()
	 * would only cost two system calls. CLOEXEC: plugins exec IPAM plugins. */
	sk->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (sk->fd < 0)
		return knl_fail(err, -errno, NULL, "connect rtnetlink socket");
	set_opt(sk->fd, NETLINK_EXT_ACK);
	set_opt(sk->fd, NETLINK_CAP_ACK);
	set_opt(sk->fd, NETLINK_GET_STRICT_CHK);
	*out = steal_ptr(sk);
	return 0;
}

void knl_close(struct knl_sock *sk)
{
	if (!sk)
		return;
	if (sk->fd >= 0)
		close(sk->fd);
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

/* Copy NLMSGERR_ATTR_MSG from the TLVs that follow an error or DONE payload
 * (at off bytes into it). */
static void take_extack(struct knl_status *st, const struct nlmsghdr *nlh, size_t off)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MSG + 1];
	size_t n;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	knl_parse_payload_at(nlh, off, tb, NLMSGERR_ATTR_MSG);
	if (!tb[NLMSGERR_ATTR_MSG])
		return;
	knl_attr_str(tb[NLMSGERR_ATTR_MSG], st->ext, sizeof(st->ext));
	/* The kernel's messages sometimes end with a period; ours go in parentheses. */
	n = strlen(st->ext);
	if (n && st->ext[n - 1] == '.')
		st->ext[n - 1] = '\0';
}

/* NLMSG_ERROR: the ack (error 0) or the request's failure. */
static void on_error(struct knl_replies *t, const struct nlmsghdr *nlh)
{
	struct nlmsgerr e;
	size_t off = sizeof(e);

	t->done = true;
	if (knl_payload_len(nlh) < sizeof(e)) {
		if (!t->st->err)
			t->st->err = -EBADMSG;
		return;
	}
	memcpy(&e, knl_payload(nlh), sizeof(e));
	if (e.error == 0 || t->st->err)
		return;
	/* Without NETLINK_CAP_ACK (an old kernel) our request comes back too. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e.msg.nlmsg_len) - NLMSG_HDRLEN;
	t->st->err = e.error < 0 && e.error > -4096 ? e.error : -EIO;
	take_extack(t->st, nlh, off);
}

/* NLMSG_DONE carries the dump's result (an int) and possibly extack TLVs. */
static void on_done(struct knl_replies *t, const struct nlmsghdr *nlh)
{
	int e = 0;

	if (knl_payload_len(nlh) >= sizeof(int))
		memcpy(&e, knl_payload(nlh), sizeof(e));
	if (e < 0 && !t->st->err) {
		t->st->err = e > -4096 ? e : -EIO;
		take_extack(t->st, nlh, NLMSG_ALIGN(sizeof(int)));
	}
	t->done = true;
}

static void on_data(struct knl_replies *t, const struct nlmsghdr *nlh)
{
	int r;

	if (!t->st->err && t->parse && (r = t->parse(nlh, t->arg)) < 0)
		t->st->err = r;
	if (t->get)
		t->done = true;
}

static bool msg_ok(const struct nlmsghdr *nlh, size_t len)
{
	return len >= sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) && nlh->nlmsg_len <= len;
}

void knl_replies_take(struct knl_replies *t, uint32_t seq, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;

	for (; !t->done && msg_ok(nlh, len);) {
		size_t step = NLMSG_ALIGN(nlh->nlmsg_len);

		/* A reply to an earlier request (one given up on a local failure)
		 * is skipped, as are NOOP and OVERRUN. */
		if (nlh->nlmsg_seq == seq) {
			if ((nlh->nlmsg_flags & NLM_F_DUMP_INTR) && !t->st->err) {
				t->st->err = -EAGAIN; /* callers may retry; read to its end */
				snprintf(t->st->ext, sizeof(t->st->ext),
					 "dump interrupted by a concurrent change");
			}
			if (nlh->nlmsg_type == NLMSG_ERROR)
				on_error(t, nlh);
			else if (nlh->nlmsg_type == NLMSG_DONE)
				on_done(t, nlh);
			else if (nlh->nlmsg_type >= NLMSG_MIN_TYPE)
				on_data(t, nlh);
		}
		if (step >= len)
			break;
		len -= step;
		nlh = (const struct nlmsghdr *)((const char *)nlh + step);
	}
}

/* One read of replies: from the kernel only (port 0; an unbound socket's port
 * can be guessed by another process), never cut short. */
static ssize_t read_replies(int fd, void *buf, size_t size)
{
	struct sockaddr_nl from;
	struct iovec iov = {.iov_base = buf, .iov_len = size};
	struct msghdr mh = {
	    .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	do
		n = recvmsg(fd, &mh, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -EPIPE;
	if (mh.msg_flags & MSG_TRUNC)
		return -ENOSPC;
	if (mh.msg_namelen != sizeof(from) || from.nl_pid != 0)
		return 0; /* not the kernel's: dropped */
	return n;
}

/* Read until the request's end. 0, or a negative errno of a local failure. */
static int receive(struct knl_sock *sk, struct knl_replies *t)
{
	KNL_MSG_BUF(buf, KNL_RECV_SIZE);
	ssize_t n;

	while (!t->done) {
		n = read_replies(sk->fd, buf, sizeof(buf));
		if (n < 0)
			return (int)n;
		knl_replies_take(t, sk->seq, buf, (size_t)n);
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
	struct knl_replies t = {.parse = parse, .arg = arg, .st = st, .get = get && !dump};
	const struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	int r;

	st->err = 0;
	st->ext[0] = '\0';
	if (m->overflow)
		return local_failure(st, -EMSGSIZE);
	nlh->nlmsg_flags |= NLM_F_REQUEST | (get ? 0 : NLM_F_ACK);
	nlh->nlmsg_seq = ++sk->seq;
	if (sendto(sk->fd, nlh, nlh->nlmsg_len, 0, (const struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0)
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
