/*
 * api/server.c: the management API's HTTP/1.1 server, one kernel thread
 * ("api") over the kernel's own sockets (skiff/net.h), all non-blocking.
 *
 * The thread sleeps on one wait queue; a poll watch on the listening
 * socket and on each connection wakes it when a socket's readiness
 * changes, and the nearest deadline ends the sleep. Each turn does a
 * bounded amount of work: at most API_ACCEPT_TURN accepts, and for each
 * connection one receive of at most API_RECV_TURN bytes or one send of
 * at most API_SEND_TURN bytes; between busy turns it yields, so the
 * program's own threads (its servers) run as often as the API does.
 *
 * A connection's states: reading the head (http_parse after each read),
 * reading the body, writing the response; then back to reading (keep-
 * alive) or closed. Limits (docs/api.md): API_CONN_MAX connections (past
 * them the longest-idle one is closed, or the newcomer gets 503 when none
 * is idle); a request's head and body within API_REQ_NS of its first
 * byte (else 408); an idle keep-alive connection closed after API_IDLE_NS;
 * a response not taken by the client within API_SEND_NS is dropped.
 */
#include <skiff/alloc.h>
#include <skiff/api.h>
#include <skiff/console.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/net.h>
#include <skiff/process.h>
#include <skiff/sched.h>
#include <skiff/time.h>
#include <skiff/vfs.h>
#include "api.h"

#define API_CONN_MAX 64
#define API_ACCEPT_TURN 16
#define API_RECV_TURN 4096
#define API_SEND_TURN 16384
#define API_REQ_NS (10 * NSEC_PER_SEC)
#define API_IDLE_NS (30 * NSEC_PER_SEC)
#define API_SEND_NS (10 * NSEC_PER_SEC)
#define API_QUIET_NS (2 * NSEC_PER_SEC)
#define SO_REUSEADDR_LINUX 2

struct conn {
	struct file *f;
	struct socket *sk;
	struct poll_watch w;
	char in[HTTP_HEAD_MAX];	/* the head, and what came after it */
	size_t inlen;
	long head;		/* the head's length once parsed, else 0 */
	struct http_req req;
	char *body;		/* req.content_length bytes */
	size_t body_len;
	struct api_out out;	/* the response being sent */
	size_t sent;
	bool close_after;
	bool continue_sent;
	enum api_after after;
	u64 deadline;		/* of the current state */
	u64 last;		/* the last time bytes moved */
	u64 born;		/* accepted at */
	u32 served;		/* responses sent */
};

static struct {
	struct file *lf;
	struct socket *lsk;
	struct poll_watch lw;
	struct conn *conns[API_CONN_MAX];
	char token[HTTP_TOKEN_MAX + 1];
	size_t token_len;
	struct waitq wq;
	struct spinlock lock;	/* guards kick */
	bool kick;
} srv;

static void kick(struct poll_watch *w, u32 events)
{
	spin_lock(&srv.lock);
	srv.kick = true;
	spin_unlock(&srv.lock);
	waitq_wake_all(&srv.wq);
}

static void conn_close(struct conn *c)
{
	for (int i = 0; i < API_CONN_MAX; i++)
		if (srv.conns[i] == c)
			srv.conns[i] = NULL;
	poll_watch_del(&c->w);
	file_put(c->f);
	kfree(c->body);
	out_free(&c->out);
	kfree(c);
}

static long sock_io(struct socket *sk, void *buf, size_t len, bool send)
{
	struct iobuf io = { buf, len, false };
	struct sock_msg m;

	msg_init(&m, &io, 1, MSG_DONTWAIT | MSG_NOSIGNAL);
	return send ? net_sendmsg(sk, &m) : net_recvmsg(sk, &m);
}

/* Queues a response: the head, then body[0..len). */
static void respond(struct conn *c, int status, const char *ctype,
		    const char *body, size_t len, bool www_auth)
{
	out_free(&c->out);
	out_printf(&c->out,
		   "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
		   "Content-Length: %lu\r\nConnection: %s\r\n%s\r\n",
		   status, http_reason(status), ctype, (unsigned long)len,
		   c->close_after ? "close" : "keep-alive",
		   www_auth ? "WWW-Authenticate: Bearer realm=\"skiff\"\r\n"
			    : "");
	out_bytes(&c->out, body, len);
	c->sent = 0;
	c->deadline = time_monotonic_ns() + API_SEND_NS;
}

static void respond_error(struct conn *c, int status, bool close)
{
	char body[128];
	int n = fmt_snprintf(body, sizeof(body),
			     "{\"message\": \"%s\", \"code\": %d}\n",
			     http_reason(status), status);

	c->close_after |= close;
	respond(c, status, "application/json", body, (size_t)n, status == 401);
}

static bool authorized(const struct http_req *r)
{
	return srv.token_len && r->has_bearer &&
	       r->bearer_len == srv.token_len &&
	       http_const_eq(r->bearer, srv.token, srv.token_len);
}

/* The head and body are in: route the request, queue the answer. */
static void handle(struct conn *c)
{
	struct api_call call = { .status = 200 };
	const char *path, *query;
	char dpath[HTTP_LINE_MAX];
	size_t plen;

	c->close_after = !c->req.keep_alive;
	http_split_target(&c->req, &path, &plen, &query);
	call.method = c->req.method;
	call.query = query;
	call.body = c->body ? c->body : "";
	call.body_len = c->body_len;
	call.path = dpath;
	if (http_unescape(dpath, sizeof(dpath), path, plen, false) < 0)
		api_error(&call, 400, "bad escape in the path");
	else
		api_route(&call);
	if (call.out.oom) {
		out_free(&call.out);
		respond_error(c, 500, false);
	} else {
		respond(c, call.status, call.ctype ? call.ctype
			: "application/json", call.out.buf ? call.out.buf : "",
			call.out.len, false);
	}
	out_free(&call.out);
	c->after = call.after;
}

/* A request is over: keep what followed it for the next one. */
static void next_request(struct conn *c)
{
	size_t used = (size_t)c->head;

	if (used > c->inlen)
		used = c->inlen;
	memmove(c->in, c->in + used, c->inlen - used);
	c->inlen -= used;
	c->head = 0;
	kfree(c->body);
	c->body = NULL;
	c->body_len = 0;
	c->continue_sent = false;
	c->deadline = time_monotonic_ns() +
		      (c->inlen ? API_REQ_NS : API_IDLE_NS);
}

/* The head was parsed: check the token, start the body. */
static void head_done(struct conn *c, long n)
{
	size_t extra = c->inlen - (size_t)n, take;

	c->head = n;
	if (!authorized(&c->req)) {
		respond_error(c, 401, true);
		return;
	}
	if (c->req.content_length &&
	    !(c->body = kmalloc(c->req.content_length))) {
		respond_error(c, 503, true);
		return;
	}
	take = extra < c->req.content_length ? extra : c->req.content_length;
	memcpy(c->body, c->in + n, take);
	c->body_len = take;
	c->head = n + (long)take; /* next_request drops head and body */
}

/* Reads what is there (one receive) and moves the request on. */
static bool conn_read(struct conn *c, u64 now)
{
	size_t want, room;
	char *dst;
	long r, n;

	if (c->head) {
		dst = c->body + c->body_len;
		want = c->req.content_length - c->body_len;
	} else {
		dst = c->in + c->inlen;
		want = sizeof(c->in) - c->inlen;
	}
	room = want < API_RECV_TURN ? want : API_RECV_TURN;
	r = room ? sock_io(c->sk, dst, room, false) : 0;
	if (r == -EAGAIN)
		return false;
	if (r <= 0 && room) {
		conn_close(c);
		return true;
	}
	if (!c->head && !c->inlen)
		c->deadline = now + API_REQ_NS; /* a request begins */
	c->last = now;
	if (c->head) {
		c->body_len += (size_t)r;
	} else {
		c->inlen += (size_t)r;
		if ((n = http_parse(c->in, c->inlen, &c->req)) < 0)
			respond_error(c, (int)-n, true);
		else if (n > 0)
			head_done(c, n);
		else if (c->inlen == sizeof(c->in))
			respond_error(c, 431, true);
		if (!c->head || c->out.len)
			return true;
	}
	if (c->body_len < c->req.content_length) {
		if (c->req.expect_continue && !c->continue_sent) {
			static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
			sock_io(c->sk, (void *)cont, sizeof(cont) - 1, true);
			c->continue_sent = true;
		}
		return true;
	}
	handle(c);
	return true;
}

static void after_response(enum api_after a)
{
	if (a == AFTER_SHUTDOWN)
		console_host_signal(15); /* SIGTERM, as skiff stop sends it */
	else if (a == AFTER_POWEROFF)
		kernel_fatal_signal(9, 0, 0); /* as skiff kill: SIGKILL */
}

/* Sends what fits (one send); after the last byte, the next request. */
static bool conn_write(struct conn *c, u64 now)
{
	size_t left = c->out.len - c->sent;
	long r = sock_io(c->sk, c->out.buf + c->sent,
			 left < API_SEND_TURN ? left : API_SEND_TURN, true);
	enum api_after a = c->after;

	if (r == -EAGAIN)
		return false;
	if (r <= 0) {
		conn_close(c);
		return true;
	}
	c->sent += (size_t)r;
	c->last = now;
	if (c->sent < c->out.len)
		return true;
	c->served++;
	out_free(&c->out);
	c->after = AFTER_NONE;
	if (c->close_after)
		conn_close(c);
	else
		next_request(c);
	after_response(a);
	return true;
}

/* One step of c: true if it moved (or closed). */
static bool conn_step(struct conn *c, u64 now)
{
	if (now >= c->deadline) {
		if (c->out.len || !c->inlen) {
			conn_close(c); /* a stuck reader, or idle */
			return true;
		}
		respond_error(c, 408, true);
		return true;
	}
	if (c->out.len)
		return conn_write(c, now);
	return conn_read(c, now);
}

/*
 * A free slot, closing the longest-idle connection if need be; -1. Idle:
 * between requests of a keep-alive connection, or silent API_QUIET_NS
 * since it was accepted (not one whose request is on its way).
 */
static int free_slot(u64 now)
{
	struct conn *idle = NULL;

	for (int i = 0; i < API_CONN_MAX; i++) {
		struct conn *c = srv.conns[i];
		if (!c)
			return i;
		if (c->inlen || c->out.len || c->head)
			continue;
		if (!c->served && now - c->born < API_QUIET_NS)
			continue;
		if (!idle || c->last < idle->last)
			idle = c;
	}
	if (!idle)
		return -1;
	conn_close(idle);
	return free_slot(now);
}

static void reject(struct file *f)
{
	static const char busy[] =
		"HTTP/1.1 503 Service Unavailable\r\nContent-Type: "
		"application/json\r\nContent-Length: 54\r\nConnection: close"
		"\r\nRetry-After: 1\r\n\r\n"
		"{\"message\": \"Service Unavailable\", \"code\": 503}\n\n\n\n\n\n";

	sock_io(sock_of_file(f), (void *)busy, sizeof(busy) - 1, true);
	file_put(f);
}

static bool accept_some(u64 now)
{
	bool moved = false;

	for (int k = 0; k < API_ACCEPT_TURN; k++) {
		struct file *f;
		struct conn *c;
		int i;

		if (net_accept(srv.lsk, NULL, NULL, SOCK_NONBLOCK, &f) < 0)
			break;
		moved = true;
		if ((i = free_slot(now)) < 0 || !(c = kzalloc(sizeof(*c)))) {
			reject(f);
			continue;
		}
		c->f = f;
		c->sk = sock_of_file(f);
		c->deadline = now + API_IDLE_NS;
		c->last = c->born = now;
		c->w.events = POLL_IN_BITS | POLL_OUT_BITS | POLLERR | POLLHUP;
		c->w.fn = kick;
		poll_watch_add(c->sk->inode, &c->w);
		srv.conns[i] = c;
	}
	return moved;
}

/* Sleeps until a socket changes or the nearest deadline. */
static void wait_events(void)
{
	u64 deadline = 0;

	for (int i = 0; i < API_CONN_MAX; i++)
		if (srv.conns[i] && (!deadline ||
				     srv.conns[i]->deadline < deadline))
			deadline = srv.conns[i]->deadline;
	spin_lock(&srv.lock);
	while (!srv.kick) {
		if (waitq_sleep(&srv.wq, &srv.lock, deadline) == -ETIMEDOUT)
			break;
	}
	srv.kick = false;
	spin_unlock(&srv.lock);
}

static void server(void *arg)
{
	for (;;) {
		u64 now = time_monotonic_ns();
		bool moved;

		spin_lock(&srv.lock);
		srv.kick = false; /* this turn looks at every socket */
		spin_unlock(&srv.lock);
		moved = accept_some(now);
		for (int i = 0; i < API_CONN_MAX; i++)
			if (srv.conns[i] && conn_step(srv.conns[i], now))
				moved = true;
		if (moved)
			sched_yield();
		else
			wait_events();
	}
}

static int listen_on(u16 port)
{
	u8 sin[16] = { AF_INET, 0, (u8)(port >> 8), (u8)port };
	int one = 1, r;

	r = net_socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0, &srv.lf);
	if (r)
		return r;
	srv.lsk = sock_of_file(srv.lf);
	net_setsockopt(srv.lsk, SOL_SOCKET, SO_REUSEADDR_LINUX, &one, 4);
	if ((r = net_bind(srv.lsk, sin, sizeof(sin))) ||
	    (r = net_listen(srv.lsk, 128))) {
		file_put(srv.lf);
		return r;
	}
	srv.lw.events = POLL_IN_BITS | POLLERR;
	srv.lw.fn = kick;
	poll_watch_add(srv.lsk->inode, &srv.lw);
	return 0;
}

/*
 * The server's thread, in a process of its own that is in no process
 * table: the vfs calls of /file/ need a root and a working directory (a
 * kernel thread has no process), and a thread of the program's process
 * would keep that process alive after the program's last thread.
 */
static bool start_thread(void)
{
	struct process *p = process_create(0);

	if (!p)
		return false;
	p->fs = fs_context_create();
	p->files = fd_table_create();
	if (p->fs && p->files && thread_create_in(p, "api", server, NULL))
		return true;
	process_put(p); /* boot without memory: its fs and files stay */
	return false;
}

int api_start(u16 port, const char *token)
{
	int r;

	waitq_init(&srv.wq);
	srv.token_len = str_lcpy(srv.token, token, sizeof(srv.token));
	if (srv.token_len >= sizeof(srv.token))
		srv.token_len = 0; /* too long to be ours: refuse all */
	if ((r = listen_on(port))) {
		klog("api: cannot listen on port %u: error %d", port, -r);
		return r;
	}
	env_init();
	if (!start_thread()) {
		klog("api: no memory for its thread");
		return -ENOMEM;
	}
	klog("api: listening on port %u", port);
	return 0;
}
