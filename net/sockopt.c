/*
 * net/sockopt.c: setsockopt and getsockopt (skiff/net.h net_setsockopt,
 * net_getsockopt). Layer: net. The SOL_SOCKET options every family has
 * are kept here, in struct socket, with Linux's checks and encodings
 * (sk_setsockopt, sk_getsockopt); the ones a family must act on are then
 * passed to its setsockopt (its -ENOPROTOOPT ignored), and the ones only
 * it knows (SO_ERROR, SO_ACCEPTCONN, SO_PEERCRED) asked of its
 * getsockopt. Other levels go to the family.
 *
 * DIVERGENCE: timeouts keep microseconds (Linux rounds them to jiffies);
 * the buffer sizes are clamped to Linux's default [rw]mem_max (212992),
 * not to the host's sysctl.
 */
#include <skiff/errno.h>
#include <skiff/net.h>
#include <skiff/time.h>

#define SO_DEBUG 1
#define SO_REUSEADDR 2
#define SO_TYPE 3
#define SO_ERROR 4
#define SO_DONTROUTE 5
#define SO_BROADCAST 6
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_KEEPALIVE 9
#define SO_OOBINLINE 10
#define SO_NO_CHECK 11
#define SO_PRIORITY 12
#define SO_LINGER 13
#define SO_BSDCOMPAT 14
#define SO_REUSEPORT 15
#define SO_PASSCRED 16
#define SO_PEERCRED 17
#define SO_RCVLOWAT 18
#define SO_SNDLOWAT 19
#define SO_RCVTIMEO_OLD 20
#define SO_SNDTIMEO_OLD 21
#define SO_PEERNAME 28
#define SO_TIMESTAMP_OLD 29
#define SO_ACCEPTCONN 30
#define SO_SNDBUFFORCE 32
#define SO_RCVBUFFORCE 33
#define SO_TIMESTAMPNS_OLD 35
#define SO_MARK 36
#define SO_PROTOCOL 38
#define SO_DOMAIN 39
#define SO_TIMESTAMP_NEW 63
#define SO_TIMESTAMPNS_NEW 64
#define SO_RCVTIMEO_NEW 66
#define SO_SNDTIMEO_NEW 67

#define BUF_MAX 212992		/* net.core.[rw]mem_max */
#define SNDBUF_MIN 4608		/* SOCK_MIN_SNDBUF */
#define RCVBUF_MIN 2304		/* SOCK_MIN_RCVBUF */
#define INT_MAX 0x7fffffff

struct sock_timeval {
	s64 sec, usec;
};
struct sock_linger {
	int onoff, linger;
};

/* The flag bit of a boolean option, 0 if it is none. */
static u32 flag_of(int name)
{
	switch (name) {
	case SO_DEBUG: return SOCK_OPT_DEBUG;
	case SO_REUSEADDR: return SOCK_OPT_REUSEADDR;
	case SO_REUSEPORT: return SOCK_OPT_REUSEPORT;
	case SO_KEEPALIVE: return SOCK_OPT_KEEPALIVE;
	case SO_BROADCAST: return SOCK_OPT_BROADCAST;
	case SO_OOBINLINE: return SOCK_OPT_OOBINLINE;
	case SO_PASSCRED: return SOCK_OPT_PASSCRED;
	case SO_DONTROUTE: return SOCK_OPT_DONTROUTE;
	case SO_NO_CHECK: return SOCK_OPT_NO_CHECK;
	case SO_TIMESTAMP_OLD: case SO_TIMESTAMP_NEW: return SOCK_OPT_TIMESTAMP;
	case SO_TIMESTAMPNS_OLD: case SO_TIMESTAMPNS_NEW:
		return SOCK_OPT_TIMESTAMPNS;
	}
	return 0;
}

static void set_flag(struct socket *sk, u32 bit, bool on)
{
	if (on)
		__atomic_fetch_or(&sk->opts, bit, __ATOMIC_RELAXED);
	else
		__atomic_fetch_and(&sk->opts, ~bit, __ATOMIC_RELAXED);
}

/* Linux's sock_set_timeout: -EDOM for a bad usec; a negative time
 * makes the calls time out at once. */
static int set_timeout(u64 *ns, const void *val, u32 len)
{
	struct sock_timeval tv;

	if (len < sizeof(tv))
		return -EINVAL;
	memcpy(&tv, val, sizeof(tv));
	if (tv.usec < 0 || tv.usec >= 1000000)
		return -EDOM;
	if (tv.sec < 0)
		*ns = 1;
	else if ((u64)tv.sec > 1000000000ull)
		*ns = 0;
	else
		*ns = (u64)tv.sec * NSEC_PER_SEC + (u64)tv.usec * 1000;
	return 0;
}

static int set_linger(struct socket *sk, const void *val, u32 len)
{
	struct sock_linger l;

	if (len < sizeof(l))
		return -EINVAL;
	memcpy(&l, val, sizeof(l));
	if (l.onoff)
		sk->linger_sec = l.linger < 0 ? INT_MAX : l.linger;
	sk->linger_onoff = !!l.onoff;
	return 0;
}

/* Buffer sizes: Linux doubles the value (its bookkeeping overhead). */
static u32 buf_size(int val, bool force, u32 min)
{
	u64 v = (u32)val;

	if (!force && v > BUF_MAX)
		v = BUF_MAX;
	if (v > INT_MAX / 2)
		v = INT_MAX / 2;
	return MAX(v * 2, (u64)min);
}

/* The SOL_SOCKET options the core keeps; 1: not one of them. */
static int core_set(struct socket *sk, int name, const void *val, u32 len)
{
	int v;

	if (len < sizeof(int))
		return -EINVAL;
	memcpy(&v, val, sizeof(v));
	if (name == SO_REUSEPORT && v && sk->family != AF_INET &&
	    sk->family != AF_INET6)
		return -EOPNOTSUPP; /* Linux: inet sockets only */
	if (flag_of(name)) {
		set_flag(sk, flag_of(name), v != 0);
		return 0;
	}
	switch (name) {
	case SO_SNDBUF: case SO_SNDBUFFORCE:
		sk->sndbuf = buf_size(v, name == SO_SNDBUFFORCE, SNDBUF_MIN);
		return 0;
	case SO_RCVBUF: case SO_RCVBUFFORCE:
		sk->rcvbuf = buf_size(v, name == SO_RCVBUFFORCE, RCVBUF_MIN);
		return 0;
	case SO_LINGER:
		return set_linger(sk, val, len);
	case SO_RCVTIMEO_OLD: case SO_RCVTIMEO_NEW:
		return set_timeout(&sk->rcvtimeo_ns, val, len);
	case SO_SNDTIMEO_OLD: case SO_SNDTIMEO_NEW:
		return set_timeout(&sk->sndtimeo_ns, val, len);
	case SO_RCVLOWAT:
		sk->rcvlowat = v < 0 ? INT_MAX : v ? v : 1;
		return 0;
	case SO_PRIORITY:
		sk->priority = v;
		return 0;
	case SO_MARK:
		sk->mark = v;
		return 0;
	case SO_BSDCOMPAT:
		return 0;
	}
	return 1;
}

/* Options a family may have to act on once the core has set them. */
static bool family_acts(int name)
{
	switch (name) {
	case SO_KEEPALIVE: case SO_LINGER: case SO_SNDBUF: case SO_RCVBUF:
	case SO_SNDBUFFORCE: case SO_RCVBUFFORCE: case SO_REUSEADDR:
	case SO_REUSEPORT: case SO_BROADCAST: case SO_RCVLOWAT:
	case SO_PRIORITY: case SO_PASSCRED: case SO_OOBINLINE:
		return true;
	}
	return false;
}

/*
 * setsockopt with a kernel copy of the value. -EINVAL for a short value,
 * -ENOPROTOOPT for an unknown option, -EDOM for a bad timeout.
 */
int net_setsockopt(struct socket *sk, int level, int name, const void *val,
		   u32 len)
{
	int r;

	if (level != SOL_SOCKET)
		return sk->ops->setsockopt ?
			sk->ops->setsockopt(sk, level, name, val, len) :
			-EOPNOTSUPP;
	r = core_set(sk, name, val, len);
	if (r == 1)
		r = -ENOPROTOOPT;
	if (r == 0 && family_acts(name) && sk->ops->setsockopt) {
		int f = sk->ops->setsockopt(sk, level, name, val, len);

		if (f != -ENOPROTOOPT)
			r = f;
	}
	return r;
}

static int get_timeout(u64 ns, void *val)
{
	struct sock_timeval tv = { ns / NSEC_PER_SEC,
				   ns % NSEC_PER_SEC / 1000 };

	memcpy(val, &tv, sizeof(tv));
	return sizeof(tv);
}

/* Asks the family for an int option; def when it does not know it. */
static int family_int(struct socket *sk, int name, int def, void *val)
{
	int v = def;
	u32 l = sizeof(v);
	int r = sk->ops->getsockopt ?
		sk->ops->getsockopt(sk, SOL_SOCKET, name, &v, &l) :
		-ENOPROTOOPT;

	if (r == -ENOPROTOOPT)
		v = def;
	else if (r < 0)
		return r;
	memcpy(val, &v, sizeof(v));
	return sizeof(v);
}

/* Writes the value of an option the core knows into val (16 bytes):
 * its length, or -Exxx. */
static int core_get(struct socket *sk, int name, void *val)
{
	struct sock_linger l = { sk->linger_onoff, sk->linger_sec };
	int v;

	if (flag_of(name)) {
		v = !!(sk->opts & flag_of(name));
		goto out_int;
	}
	switch (name) {
	case SO_TYPE: v = sk->type; break;
	case SO_PROTOCOL: v = sk->protocol; break;
	case SO_DOMAIN: v = sk->family; break;
	case SO_SNDBUF: v = sk->sndbuf; break;
	case SO_RCVBUF: v = sk->rcvbuf; break;
	case SO_PRIORITY: v = sk->priority; break;
	case SO_MARK: v = sk->mark; break;
	case SO_RCVLOWAT: v = sk->rcvlowat; break;
	case SO_SNDLOWAT: v = 1; break;
	case SO_BSDCOMPAT: v = 0; break;
	case SO_LINGER:
		memcpy(val, &l, sizeof(l));
		return sizeof(l);
	case SO_RCVTIMEO_OLD: case SO_RCVTIMEO_NEW:
		return get_timeout(sk->rcvtimeo_ns, val);
	case SO_SNDTIMEO_OLD: case SO_SNDTIMEO_NEW:
		return get_timeout(sk->sndtimeo_ns, val);
	case SO_ERROR: case SO_ACCEPTCONN:
		return family_int(sk, name, 0, val);
	default:
		return -ENOPROTOOPT;
	}
out_int:
	memcpy(val, &v, sizeof(v));
	return sizeof(v);
}

/* SO_PEERCRED of a socket without a peer: Linux's {0, -1, -1}. */
static int get_peercred(struct socket *sk, void *val, u32 *len)
{
	static const int none[3] = { 0, -1, -1 };
	u32 l = *len;
	int r = sk->ops->getsockopt ?
		sk->ops->getsockopt(sk, SOL_SOCKET, SO_PEERCRED, val, &l) :
		-ENOPROTOOPT;

	if (r == -ENOPROTOOPT) {
		memcpy(val, none, sizeof(none));
		*len = MIN(*len, sizeof(none));
		return 0;
	}
	if (r == 0)
		*len = l;
	return r;
}

/* SO_PEERNAME: Linux wants a buffer no larger than the address. */
static int get_peername(struct socket *sk, void *val, u32 *len)
{
	char addr[128];
	u32 alen = sizeof(addr);

	if (net_getname(sk, addr, &alen, true) < 0)
		return -ENOTCONN;
	if (alen < *len)
		return -EINVAL;
	memcpy(val, addr, *len);
	return 0;
}

/*
 * getsockopt into a kernel buffer val of *len bytes (at least 128, the
 * program's length clipped); *len is set to the length to copy out,
 * which, as on Linux, is the value cut to the program's length.
 */
int net_getsockopt(struct socket *sk, int level, int name, void *val,
		   u32 *len)
{
	char tmp[16];
	int r;

	if (level != SOL_SOCKET)
		return sk->ops->getsockopt ?
			sk->ops->getsockopt(sk, level, name, val, len) :
			-EOPNOTSUPP;
	if (name == SO_PEERCRED)
		return get_peercred(sk, val, len);
	if (name == SO_PEERNAME)
		return get_peername(sk, val, len);
	r = core_get(sk, name, tmp);
	if (r < 0)
		return r;
	*len = MIN(*len, (u32)r);
	memcpy(val, tmp, *len);
	return 0;
}
